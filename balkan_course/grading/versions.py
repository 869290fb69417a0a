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

Written questions (cells tagged `answer-text`) get versions the same way: declared on the
answer-text cell (`{"balkan_course": {"variants": [...]}}`), the values named as `{{name}}` in
the question's prompt (the markdown cells after the previous check or written answer, up to the
answer-text cell), in its rubric cells (tagged `rubric`, same check id) and in the criteria of
its `rubric` metadata. Only text changes (no code: a written answer has no key), so recording
keys ignores them (`written=False`); a notebook's version k gives a written question its entry
1 + (k-1) mod (n-1) as for the auto-graded ones. A written question's parameter names must be
its own in the notebook, so that no other question's values fill its templates.

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


def written_blocks(nb) -> list[tuple[int, int]]:
    """(first cell, answer-text cell) positions of every written question with versions: its
    prompt runs from the cell after the previous check or answer-text cell."""
    blocks, start = [], 0
    for position, cell in enumerate(nb.cells):
        if "answer-text" in _tags(cell):
            if declared_variants(cell):
                blocks.append((start, position))
            start = position + 1
        elif "check" in _tags(cell):
            start = position + 1
    return blocks


def written_cells(nb, first: int, answer: int) -> list:
    """The cells a written question's versions rewrite: the markdown of its prompt (not another
    question's rubric) and its own rubric cells, wherever they are."""
    check_id = _meta(nb.cells[answer]).get("check_id")
    prompt = [cell for cell in nb.cells[first:answer] if cell.cell_type == "markdown"
              and "rubric" not in _tags(cell)]
    rubric = [cell for cell in nb.cells if "rubric" in _tags(cell)
              and _meta(cell).get("check_id") == check_id]
    return prompt + rubric


def _render_written(nb, first: int, answer: int, values: dict) -> None:
    for cell in written_cells(nb, first, answer):
        cell["source"] = render(_source(cell), values)
    meta = nb.cells[answer].get("metadata", {}).get("balkan_course", {})
    if isinstance(meta.get("rubric"), list):
        meta["rubric"] = [render(str(criterion), values) for criterion in meta["rubric"]]


def written_version(nb, answer: int, variant: int) -> tuple[int, dict]:
    """(entry, values) of the written question at `answer` in notebook version `variant`."""
    variants = declared_variants(nb.cells[answer])
    if not variants:
        return 0, {}
    entry = entry_index(len(variants), variant)
    return entry, dict(variants[entry])


def _is_scalar(value) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _declared_shape(where: str, variants) -> tuple[list[str], set | None]:
    """Problems of a `balkan_course.variants` list as such (dicts of texts and numbers, the same
    parameters in each, no version twice), and its parameter names (None: not a valid list)."""
    if not all(isinstance(v, dict) and v and all(_is_scalar(x) for x in v.values())
               for v in variants):
        return [f"{where}: balkan_course.variants must be a list of dicts of texts and "
                "numbers"], None
    keys, problems = set(variants[0]), []
    if any(set(v) != keys for v in variants):
        problems.append(f"{where}: every version must name the same parameters")
    if len({json.dumps(v, sort_keys=True) for v in variants}) != len(variants):
        problems.append(f"{where}: a version is declared twice")
    return problems, keys


def validate_parameters(nb, name: str) -> list[str]:
    """The authoring problems of a notebook's declared versions and prompt templates."""
    problems = []
    blocks = {answer: (first, check) for first, answer, check in question_blocks(nb)}
    templated = set()
    for position, cell in enumerate(nb.cells):
        variants = declared_variants(cell)
        if not variants or "answer-text" in _tags(cell):  # written ones: _written_problems
            continue
        where = f"{name} cell {cell.get('id')}"
        if position not in blocks:
            problems.append(f"{where}: versions are declared on an answer cell followed by its "
                            "check cell")
            continue
        shape_problems, keys = _declared_shape(where, variants)
        problems += shape_problems
        if keys is None:
            continue
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
    problems += _written_problems(nb, name, templated)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.get("id") not in templated:
            if TEMPLATE.search(_source(cell)):
                problems.append(f"{name} cell {cell.get('id')}: a {{{{name}}}} template outside "
                                "a question with versions")
    return problems


def _written_problems(nb, name: str, templated: set) -> list[str]:
    """The authoring problems of the written questions' versions (and which cells they
    template, added to `templated`)."""
    problems = []
    blocks = dict((answer, first) for first, answer in written_blocks(nb))
    owners: dict[str, str] = {}  # parameter -> the question that declares it
    for _, answer, check in question_blocks(nb):
        for parameter in declared_variants(nb.cells[answer])[0]:
            owners.setdefault(parameter, _meta(nb.cells[check]).get("check_id", "?"))
    for position, cell in enumerate(nb.cells):
        variants = declared_variants(cell)
        if not variants or "answer-text" not in _tags(cell):
            continue
        check_id = _meta(cell).get("check_id", "?")
        where = f"{name} cell {cell.get('id')} ({check_id})"
        shape_problems, keys = _declared_shape(where, variants)
        problems += shape_problems
        if keys is None:
            continue
        for parameter in sorted(keys):
            if owners.get(parameter, check_id) != check_id:
                problems.append(f"{where}: the parameter {parameter} is also "
                                f"{owners[parameter]}'s: give it a name of its own")
            owners.setdefault(parameter, check_id)
        cells = written_cells(nb, blocks[position], position)
        templated |= {other.get("id") for other in cells}
        prompt = {t for other in cells if "rubric" not in _tags(other)
                  for t in TEMPLATE.findall(_source(other))}
        texts = [_source(other) for other in cells] + [
            str(c) for c in (_meta(cell).get("rubric") or []) if isinstance(c, str)]
        used = {t for text in texts for t in TEMPLATE.findall(text)}
        if not keys & prompt:
            problems.append(f"{where}: no parameter appears as {{{{name}}}} in the question's "
                            "prompt: its versions would ask the same question")
        if keys - used:
            problems.append(f"{where}: {', '.join(sorted(keys - used))} appear(s) nowhere as "
                            "{{name}} in the question's prompt or rubric")
        unknown = used - keys - set(owners)
        if unknown:
            problems.append(f"{where}: {{{{{', '.join(sorted(unknown))}}}}} in its prompt or "
                            "rubric is no parameter of its versions")
    return problems


def variant_count(nb) -> int:
    """How many versions of the notebook there are (1: none declared; 0 is the default):
    the most any question declares, written questions included."""
    return max([len(declared_variants(nb.cells[answer]))
                for _, answer, _ in question_blocks(nb)]
               + [len(declared_variants(nb.cells[answer])) for _, answer in written_blocks(nb)]
               or [1])


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


def variant_notebook(nb, variant: int, written: bool = True):
    """A copy of a solution notebook holding version `variant` of every varied question (its
    prompts rendered; version 0 is the default, what exercises/ shows). written=False leaves
    the written questions' templates as they are (recording keys needs only the code)."""
    out = copy.deepcopy(nb)
    if written:  # first: their templates are theirs alone, whatever block holds them
        for first, answer in written_blocks(out):
            _render_written(out, first, answer, written_version(out, answer, variant)[1])
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
