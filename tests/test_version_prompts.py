"""Every version's prompt speaks of its own version (issue 23, item 5): no value that only the
default version uses is left in another version's prompt.

Each question with versions renders its prompt cells per version (versions.variant_notebook);
a parameter's default value that still appears, word for word, in a version whose value
differs, is a sentence written for the default only (04's spread question spoke of KFOR's
starting size, a strength, in its version on contributing nations). Mentions that are true
in every version (a column named in a list of the table's columns, say) are listed in
ALLOWED, each with its reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from balkan_course.grading import versions

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
# Headings and point counts hold small numbers that are no parameter's value.
_HEADING = re.compile(r"^#+ .*$|\(\d+ points?[^)]*\)", re.M)
ALLOWED = {
    ("00-columns", "column", "qualifier"): "the recap lists every column of the table",
    ("00-per-theme", "column", "theme"): "the recap lists every column of the events",
    ("03-analysts", "voice", "analyst"): "the recap explains each voice code",
    ("04-min-max", "column", "value"): "the recap explains value, low and high",
    ("07-medium-end", "start", 3): "the example shows how a horizon is written",
    ("07-medium-end", "end", 12): "the example shows how a horizon is written",
    ("02-most-reported", "row_singular", "event"): "the recap describes the table's rows",
    ("07-voice-chart", "bars_column", "voice"): "the set-up table is described with its columns",
    ("07-stance-bars", "y_column", "theme"): "the written question before it names the columns",
}


def _check_id(source: str) -> str:
    return re.search(r'check\("([^"]+)"', source)[1]


def default_only_values(nb) -> list[tuple[str, int, str, object, str]]:
    """(check id, version, parameter, default value, context) of each default value left in
    a version's prompt; answer texts and rubrics (the written questions') are theirs."""
    found = []
    for first, answer, check in versions.question_blocks(nb):
        declared = versions.declared_variants(nb.cells[answer])
        defaults, check_id = declared[0], _check_id(nb.cells[check].source)
        for version, values in enumerate(declared[1:], start=1):
            others = " | ".join(str(value) for value in values.values())
            for cell in nb.cells[first:check + 1]:
                tags = set(cell.get("metadata", {}).get("tags", []))
                if cell.cell_type != "markdown" or tags & {"answer-text", "rubric"}:
                    continue
                text = _HEADING.sub("", versions.render(cell.source, values))
                for name, default in defaults.items():
                    if (isinstance(default, bool) or not isinstance(default, (str, int, float))
                            or values.get(name) == default or str(default) in others
                            or len(str(default)) < 1 or not str(default).strip()):
                        continue
                    for hit in re.finditer(rf"(?<![\w.]){re.escape(str(default))}(?![\w])",
                                           text):
                        context = text[max(0, hit.start() - 50):hit.end() + 30]
                        found.append((check_id, version, name, default, " ".join(context.split())))
    return found


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.stem)
def test_no_version_prompt_keeps_a_default_only_value(path):
    nb = nbformat.read(path, as_version=4)
    left = [entry for entry in default_only_values(nb)
            if (entry[0], entry[2], entry[3]) not in ALLOWED]
    assert not left, "\n".join(f"{c} version {v}: {n}={d!r} in '...{t}...'"
                               for c, v, n, d, t in left)


def test_a_default_only_sentence_is_found():
    """The test above can fail: a prompt that names the default's measure in a version."""
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["answer"], "balkan_course": {
        "variants": [{"measure": "strength"}, {"measure": "reserve"}]}})
    nb.cells = [nbformat.v4.new_markdown_cell("Keep `{{measure}}` rows (each strength once)."),
                answer, nbformat.v4.new_code_cell('check("x-1", x)', metadata={"tags": ["check"]})]
    found = default_only_values(nb)
    assert [(c, v, n) for c, v, n, _, _ in found] == [("x-1", 1, "measure")]
