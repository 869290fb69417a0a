"""Every check against a corpus of student answers: each right one passes, each wrong one fails
with a hint that names no internals (tests/answer_corpus/, one module per exercise set).

The answers run as plain code in this process, in the namespace a student has at the check cell
(rebuilt from the solution notebook), and are judged with `checks.judge` against the committed
keys: no kernel, so the whole corpus takes a few seconds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from answer_corpus import (
    SOLUTIONS,
    corpus_modules,
    evaluate,
    figures,
    fresh,
    namespaces,
    readme_sentence,
)

from balkan_course.grading import checks

ROOT = Path(__file__).resolve().parent.parent
STEMS = [path.stem for path in sorted(SOLUTIONS.glob("*.ipynb"))]
MIN_ANSWERS = 3
# Words a hint must never show: names of pandas internals and of the canonical form.
INTERNALS = re.compile(r"\(values\)|\(index\)|Array\b|NoneType|dtype|object at 0x|Traceback")


@pytest.fixture(scope="module")
def corpus() -> dict[str, dict]:
    return corpus_modules()


_JUDGED: dict[str, list[dict]] = {}


def judged(stem: str, corpus: dict) -> list[dict]:
    """One record per corpus answer of a set: check_id, role, passed, message."""
    if stem not in _JUDGED:
        _JUDGED[stem] = _judge_set(stem, corpus)
    return _JUDGED[stem]


def _judge_set(stem: str, corpus: dict) -> list[dict]:
    keys = checks.load_keys()
    records = []
    for check_id, (namespace, expression) in namespaces(stem).items():
        for role in ("right", "wrong", "undetected"):
            for entry in corpus[stem].get(check_id, {}).get(role, []):
                code = entry[0] if role == "undetected" else entry
                try:
                    answer = evaluate(code, namespace, expression)
                except Exception as problem:  # noqa: BLE001 - reported as a corpus defect
                    records.append({"check_id": check_id, "role": role, "code": code,
                                    "passed": None, "message": f"answer raised {problem!r}"})
                    continue
                passed, message = checks.judge(check_id, answer, keys[check_id])
                if passed and checks.rerun_judge(check_id, code, fresh(namespace),
                                                 keys[check_id]) is False:
                    passed, message = False, f"❌ {check_id}: not yet: {checks.RERUN_HINT}"
                records.append({"check_id": check_id, "role": role, "code": code,
                                "passed": passed, "message": message})
    return records


@pytest.mark.parametrize("stem", STEMS)
def test_every_check_has_three_right_and_three_wrong_answers(stem, corpus):
    checks_of_set = namespaces(stem)
    assert set(corpus[stem]) == set(checks_of_set), "corpus and check cells disagree"
    for check_id in checks_of_set:
        for role in ("right", "wrong"):
            answers = corpus[stem][check_id][role]
            assert len(answers) >= MIN_ANSWERS, f"{check_id}: only {len(answers)} {role} answers"
            assert len(set(answers)) == len(answers), f"{check_id}: a {role} answer is repeated"


@pytest.mark.parametrize("stem", STEMS)
def test_right_answers_pass_and_wrong_ones_fail_with_a_clean_hint(stem, corpus):
    problems = []
    for record in judged(stem, corpus):
        where = f"{record['check_id']} {record['role']}: {record['code']!r}\n    -> "
        if record["passed"] is None:
            problems.append(where + record["message"])
        elif record["role"] == "right" and not record["passed"]:
            problems.append(where + record["message"])
        elif record["role"] == "wrong":
            message = record["message"]
            if record["passed"]:
                problems.append(where + "a wrong answer passes")
            elif checks.NOT_ANSWERED in message or "could not read" in message:
                problems.append(where + message)
            elif INTERNALS.search(message):
                problems.append(where + "the hint names internals: " + message)
    assert not problems, "\n".join(problems)


def test_undetected_wrong_answers_are_still_undetected(corpus):
    """The corpus lists, with a reason, the wrong answers this data cannot tell from right
    ones; when a rewording or hidden test data starts to catch one, move it to "wrong"."""
    records = [r for stem in STEMS for r in judged(stem, corpus)]
    assert records, "the corpus is empty: is it loaded?"
    listed = [r for r in records if r["role"] == "undetected"]
    caught = [f"{r['check_id']}: {r['code']!r}" for r in listed if not r["passed"]]
    assert not caught, "now caught, move them to 'wrong':\n" + "\n".join(caught)


def test_every_right_answer_prints_the_solution_s_receipt(corpus):
    """The grader compares success lines: all accepted variants must print the same line."""
    keys = checks.load_keys()
    stem = "07_narratives_and_forecasts"
    lines = {}
    for record in judged(stem, corpus):
        if record["role"] == "right" and record["passed"]:
            lines.setdefault(record["check_id"], set()).add(record["message"])
    assert set(lines) == {k for k, key in keys.items() if key["notebook"] == stem}
    assert all(len(found) == 1 for found in lines.values()), lines


def test_readme_states_the_measured_figures(corpus):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    counts = figures(judged, corpus)
    assert readme_sentence(counts) in " ".join(readme.split()), (
        "README figures are stale: run `python scripts/answer_corpus_figures.py`")
