"""Per-student variants of the exercise questions (docs/grading.md, "Per-student variants").

A question that can be asked about another mission, article, year, place, actor or table row
declares its versions on its answer cell, in the solution notebook, values drawn from the
dataset (the tests check that they exist there):

    {"balkan_course": {"variants": [{"voice": "analyst"}, {"voice": "official"}, ...],
                       "drawn_from": {"voice": "actors.voice"}}}

Entry 0 is the default: what the public exercises/, solutions/ and answer keys show. The
solution is written for the default, with its values as plain literals (`actors["voice"] ==
"analyst"`), and the prompts name them as templates (`{{voice}}`). Version k of the question is
made by replacing, in the question's cells (those after the previous check cell, up to and
including its own check cell), every string or number literal equal to a default value by the
version's value, and every `{{name}}` in its prompts by the version's text. So the public
solution's code, copied as it is, answers the default version, not the student's, and earns
nothing; a student must read their own question.

Version k of a notebook (k = 1 .. count-1; 0 is the default) gives each varied question its
entry 1 + (k-1) mod (n-1), so no student gets the default, whose answers are public. A
student's version is a stable hash of (class, student, notebook). The keys of a version are
recorded as `make exercises` records the default ones (the version executed in record mode),
cached in build/variants/ by a hash of everything they depend on; they are never committed
(variants.py).

This module only reads and rewrites notebooks (no kernel, no keys): build.py makes every
version's exercise with it, the grader every version's instructor notebook.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import io
import json
import re
import tokenize

from balkan_course.grading.cells import course_meta as _meta
from balkan_course.grading.cells import source_of as _source
from balkan_course.grading.cells import tags as _tags

TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
STRIPPED_META = ("variants", "drawn_from")


def declared_variants(cell) -> list[dict]:
    return list(_meta(cell).get("variants") or [])


def question_blocks(nb) -> list[tuple[int, int, int]]:
    """(first cell, answer cell, check cell) positions of every question with versions: its
    cells run from the one after the previous check cell to its own check cell."""
    blocks, start, pending = [], 0, None
    for position, cell in enumerate(nb.cells):
        if declared_variants(cell) and "answer" in _tags(cell):
            pending = position
        if "check" in _tags(cell):
            if pending is not None:
                blocks.append((start, pending, position))
            start, pending = position + 1, None
    return blocks


def _is_scalar(value) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def validate_parameters(nb, name: str) -> list[str]:
    """The authoring problems of a notebook's declared versions and prompt templates."""
    problems = []
    blocks = {answer: (first, check) for first, answer, check in question_blocks(nb)}
    templated = set()
    for position, cell in enumerate(nb.cells):
        variants = declared_variants(cell)
        if not variants:
            continue
        where = f"{name} cell {cell.get('id')}"
        if position not in blocks:
            problems.append(f"{where}: versions are declared on an answer cell followed by its "
                            "check cell")
            continue
        if not all(isinstance(v, dict) and v and all(_is_scalar(x) for x in v.values())
                   for v in variants):
            problems.append(f"{where}: balkan_course.variants must be a list of dicts of "
                            "texts and numbers")
            continue
        keys = set(variants[0])
        if any(set(v) != keys for v in variants):
            problems.append(f"{where}: every version must name the same parameters")
        if len({json.dumps(v, sort_keys=True) for v in variants}) != len(variants):
            problems.append(f"{where}: a version is declared twice")
        for parameter, column in _meta(cell).get("drawn_from", {}).items():
            if parameter not in keys or not re.fullmatch(r"\w+\.\w+", str(column)):
                problems.append(f"{where}: drawn_from {parameter}: {column} (table.column)")
        first, check = blocks[position]
        block = nb.cells[first: check + 1]
        used = set()
        for other in block:
            if other.cell_type == "markdown":
                used |= set(TEMPLATE.findall(_source(other)))
                templated.add(other.get("id"))
            elif other.cell_type == "code":
                used |= {k for k in keys if _literal_spans(_source(other), {k: variants[0][k]})}
        if keys - used:
            problems.append(f"{where}: {', '.join(sorted(keys - used))} appear(s) neither as "
                            "a literal in the question's code nor as {{name}} in its prompt")
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.get("id") not in templated:
            if TEMPLATE.search(_source(cell)):
                problems.append(f"{name} cell {cell.get('id')}: a {{{{name}}}} template outside "
                                "a question with versions")
    return problems


def variant_count(nb) -> int:
    """How many versions of the notebook there are (1: none declared; 0 is the default)."""
    return max([len(declared_variants(nb.cells[answer]))
                for _, answer, _ in question_blocks(nb)] or [1])


def entry_index(length: int, variant: int) -> int:
    """Which of a question's `length` versions notebook version k uses (never the default
    when k > 0)."""
    if variant == 0 or length < 2:
        return 0
    return 1 + (variant - 1) % (length - 1)


def render(text: str, values: dict) -> str:
    return TEMPLATE.sub(lambda match: str(values.get(match[1], match[0])), text)


def _literal(value) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _literal_spans(source: str, defaults: dict) -> list[tuple[int, int, int, str]]:
    """(line, start col, end col, parameter) of each one-line string or number literal whose
    value is a parameter's default value (the same type: 2023 is not "2023")."""
    spans = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return spans
    for token in tokens:
        if token.type not in (tokenize.STRING, tokenize.NUMBER) or token.start[0] != token.end[0]:
            continue
        try:
            value = ast.literal_eval(token.string)
        except (ValueError, SyntaxError):
            continue  # an f-string, bytes, ...
        for parameter, default in defaults.items():
            if type(value) is type(default) and value == default:
                spans.append((token.start[0], token.start[1], token.end[1], parameter))
                break
    return spans


def substitute(source: str, defaults: dict, values: dict) -> str:
    """The code with each literal equal to a default value replaced by the version's value."""
    lines = source.split("\n")
    for line, start, end, parameter in reversed(_literal_spans(source, defaults)):
        text = lines[line - 1]
        lines[line - 1] = text[:start] + _literal(values[parameter]) + text[end:]
    return "\n".join(lines)


def variant_notebook(nb, variant: int):
    """A copy of a solution notebook holding version `variant` of every varied question (its
    prompts rendered; version 0 is the default, what exercises/ shows)."""
    out = copy.deepcopy(nb)
    for first, answer, check in question_blocks(out):
        variants = declared_variants(out.cells[answer])
        defaults, values = variants[0], variants[entry_index(len(variants), variant)]
        for cell in out.cells[first: check + 1]:
            if cell.cell_type == "markdown":
                cell["source"] = render(_source(cell), values)
            elif cell.cell_type == "code" and values != defaults:
                cell["source"] = substitute(_source(cell), defaults, values)
                cell["outputs"] = []
    return out


def student_variant(class_name: str, student: str, notebook: str, count: int) -> int:
    """A student's version of a notebook (1 .. count-1): stable, whoever else is in the class."""
    if count < 2:
        return 0
    digest = hashlib.sha256(f"{class_name}\0{student}\0{notebook}".encode()).hexdigest()
    return 1 + int(digest, 16) % (count - 1)
