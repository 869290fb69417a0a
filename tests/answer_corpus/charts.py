"""Every chart check asks for a description (one sentence a screen reader announces)."""

from __future__ import annotations


def add_descriptions(corpus: dict, charts: dict[str, tuple[str, str]]) -> None:
    """For each chart check (check_id -> (the answer's variable, a description)): the first
    right answer without a description becomes a wrong answer as it is, and every right answer
    without one gets the description, set the way a student adds it afterwards."""
    for check_id, (variable, sentence) in charts.items():
        entry = corpus[check_id]
        bare = next(answer for answer in entry["right"] if "description=" not in answer)
        entry["wrong"].append(bare)
        entry["right"] = [
            answer if "description=" in answer
            else f'{answer}\n{variable} = {variable}.properties(description="{sentence}")'
            for answer in entry["right"]]
