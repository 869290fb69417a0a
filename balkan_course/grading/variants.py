"""Per-student variants of the exercise questions (docs/grading.md, "Per-student variants").

A question that can be asked about another mission, article, year, place, actor or table row
declares its variants in the solution notebook: an instructor-owned code cell tagged
`parameters`, just before its answer cell, assigns the question's parameters,

    MISSION = "kfor"

and its metadata lists the variants, values drawn from the dataset (checked by the tests):

    {"balkan_course": {"variants": [{"MISSION": "kfor", "mission_name": "KFOR"},
                                    {"MISSION": "eufor_althea", "mission_name": "EUFOR Althea"}],
                       "drawn_from": {"MISSION": "troop_figures.mission_id"}}}

Entry 0 is the default: the values the cell assigns, what the public exercises/, solutions/ and
answer keys show. A name the cell does not assign (`mission_name`) only feeds the prompts,
which write it as `{{mission_name}}`. The answer (and the wrong answers) use the variable.

Variant k of a notebook (k = 1 .. count-1; 0 is the default) sets each parameter cell to its
entry 1 + (k-1) mod (n-1), so no student is given the default, whose answers are public. A
student's variant is a stable hash of (class, student, notebook). The keys of a variant are
recorded as `make exercises` records the default ones (the solution executed in record mode,
parameters set), cached in build/variants/ by a hash of everything they depend on; they are
never committed.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import re
import tempfile
from pathlib import Path

import nbformat

PARAMETERS = "parameters"
TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
ROOT = Path(__file__).resolve().parent.parent.parent
CACHE_DIR = ROOT / "build" / "variants"
# Shown to a student whose answer is another variant's (the default's, or a classmate's).
OTHER_VARIANT_HINT = ("that is the answer for another version of this question: read the "
                      "question in your own notebook again (its values are in the cell before "
                      "your answer)")
STRIPPED_META = ("variants", "drawn_from", "variant")


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _meta(cell) -> dict:
    return dict(cell.get("metadata", {}).get("balkan_course", {}))


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def parameter_cells(nb) -> list:
    return [cell for cell in nb.cells if PARAMETERS in _tags(cell)]


def declared_variants(cell) -> list[dict]:
    return list(_meta(cell).get("variants") or [])


def assigned_parameters(source: str) -> dict:
    """name -> value of the `NAME = literal` statements of a parameter cell."""
    assigned = {}
    for node in ast.parse(source).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            assigned[node.targets[0].id] = ast.literal_eval(node.value)
    return assigned


def validate_parameters(nb, name: str) -> list[str]:
    """The authoring problems of a notebook's parameter cells and prompt templates."""
    problems, names = [], set()
    for cell in parameter_cells(nb):
        where = f"{name} cell {cell.get('id')}"
        if cell.cell_type != "code" or {"answer", "check", "wrong-answers"} & set(_tags(cell)):
            problems.append(f"{where}: a parameters cell is a code cell of its own")
            continue
        variants = declared_variants(cell)
        if not variants or not all(isinstance(v, dict) and v for v in variants):
            problems.append(f"{where}: needs metadata balkan_course.variants, a list of dicts")
            continue
        try:
            assigned = assigned_parameters(_source(cell))
        except (SyntaxError, ValueError):
            problems.append(f"{where}: assign each parameter a literal: NAME = \"value\"")
            continue
        keys = set(variants[0])
        if any(set(v) != keys for v in variants):
            problems.append(f"{where}: every variant must name the same parameters")
        if not set(assigned) <= keys:
            problems.append(f"{where}: the variants do not set {sorted(set(assigned) - keys)}")
        if {k: variants[0][k] for k in assigned if k in variants[0]} != assigned:
            problems.append(f"{where}: the first variant must be the values the cell assigns")
        for parameter, column in _meta(cell).get("drawn_from", {}).items():
            if parameter not in keys or not re.fullmatch(r"\w+\.\w+", str(column)):
                problems.append(f"{where}: drawn_from {parameter}: {column} (table.column)")
        if len({json.dumps(v, sort_keys=True) for v in variants}) != len(variants):
            problems.append(f"{where}: a variant is declared twice")
        names |= keys
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            unknown = sorted(set(TEMPLATE.findall(_source(cell))) - names)
            if unknown:
                problems.append(f"{name} cell {cell.get('id')}: {{{{{unknown[0]}}}}} is not a "
                                "parameter of any parameters cell")
    return problems


def variant_count(nb) -> int:
    """How many versions of the notebook there are (1: no parameters; 0 is the default)."""
    return max([len(declared_variants(cell)) for cell in parameter_cells(nb)] or [1])


def entry_index(length: int, variant: int) -> int:
    """Which of a cell's `length` entries variant k uses: never the default when k > 0."""
    if variant == 0 or length < 2:
        return 0
    return 1 + (variant - 1) % (length - 1)


def template_values(nb) -> dict:
    """The values the prompts of this version of the notebook show."""
    values = {}
    for cell in parameter_cells(nb):
        variants = declared_variants(cell)
        if variants:
            values.update(variants[_meta(cell).get("variant", 0)])
    return values


def render(text: str, values: dict) -> str:
    return TEMPLATE.sub(lambda match: str(values.get(match[1], match[0])), text)


def _literal(value) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool) or (
            isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value)):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def set_parameters(source: str, values: dict) -> str:
    """The parameter cell's source with each `NAME = ...` statement assigning values[NAME]."""
    lines = source.split("\n")
    for node in reversed(ast.parse(source).body):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id in values):
            name = node.targets[0].id
            lines[node.lineno - 1: node.end_lineno] = [f"{name} = {_literal(values[name])}"]
    return "\n".join(lines)


def variant_notebook(nb, variant: int):
    """A copy of a solution notebook whose parameter cells hold version `variant`."""
    out = copy.deepcopy(nb)
    for cell in parameter_cells(out):
        variants = declared_variants(cell)
        index = entry_index(len(variants), variant)
        cell["source"] = set_parameters(_source(cell), variants[index])
        cell.setdefault("metadata", {}).setdefault("balkan_course", {})["variant"] = index
        cell["outputs"] = []
    return out


def student_variant(class_name: str, student: str, notebook: str, count: int) -> int:
    """A student's version of a notebook (1 .. count-1): stable, whoever else is in the class."""
    if count < 2:
        return 0
    digest = hashlib.sha256(f"{class_name}\0{student}\0{notebook}".encode()).hexdigest()
    return 1 + int(digest, 16) % (count - 1)


# ---------------------------------------------------------------- the keys of a variant


_FINGERPRINT: list[str] = []


def course_fingerprint() -> str:
    """A hash of what every answer depends on besides the notebook: the data and the code."""
    if not _FINGERPRINT:
        digest = hashlib.sha256()
        for folder, pattern in ((ROOT / "data", "**/*"), (ROOT / "balkan_course", "**/*.py")):
            for path in sorted(folder.glob(pattern)):
                if path.is_file() and "__pycache__" not in path.parts:
                    digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
                    digest.update(path.read_bytes())
        _FINGERPRINT.append(digest.hexdigest())
    return _FINGERPRINT[0]


def notebook_fingerprint(nb) -> str:
    cells = [[cell.cell_type, _source(cell), _tags(cell), _meta(cell)] for cell in nb.cells]
    text = json.dumps([cells, course_fingerprint()], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def recorded_keys(solution_path: Path, variant: int, cache_dir: Path = CACHE_DIR) -> dict:
    """The keys of one version of a solution: recorded by executing it (the first time),
    then read from the cache."""
    from balkan_course.grading.build import execute_recording

    nb = variant_notebook(nbformat.read(solution_path, as_version=4), variant)
    cached = cache_dir / solution_path.stem / f"{notebook_fingerprint(nb)}.json"
    if cached.exists():
        return json.loads(cached.read_text(encoding="utf-8"))
    cached.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cached.parent) as scratch:
        key_path = Path(scratch) / f"{solution_path.stem}.json"
        keys = execute_recording(nb, key_path, solution_path.parent)
        key_path.replace(cached)  # whole or not at all
    return keys


def notebook_variant_keys(solution_path: Path, public_keys: dict,
                          cache_dir: Path = CACHE_DIR) -> dict[int, dict]:
    """variant -> its key file's content, for every student variant (1 .. count-1) of a
    solution. Each check's key also knows the other versions' answers (the default's too),
    so a student who answers another version is told so, and earns nothing."""
    nb = nbformat.read(solution_path, as_version=4)
    found = {k: recorded_keys(solution_path, k, cache_dir) for k in range(1, variant_count(nb))}
    versions = [public_keys, *found.values()]
    for keys in found.values():
        for check_id, key in keys["checks"].items():
            known = {key["hash"], *(p["hash"] for p in key.get("probes", []))}
            others = [v["checks"][check_id]["hash"] for v in versions
                      if check_id in v.get("checks", {})]
            for other in others:
                if other not in known:
                    known.add(other)
                    key.setdefault("probes", []).insert(0, {"hash": other,
                                                            "hint": OTHER_VARIANT_HINT})
    return found


def public_key_file(stem: str, keys_dir: Path | None = None) -> dict:
    from balkan_course.grading.checks import KEYS_DIR

    path = (keys_dir or KEYS_DIR) / f"{stem}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"checks": {}}


# ---------------------------------------------------------------- counting, without a kernel


def answer_hashes(nb) -> dict[str, dict]:
    """check_id (the question) -> {part id: (hash, non-trivial)} of the solution's answers, the
    notebook's code run in this process (no kernel; as the answer corpus does)."""
    import contextlib
    import io
    import warnings

    import balkan_course.charts as charts
    from balkan_course.grading import checks

    found: dict[str, dict] = {}
    namespace: dict = {"__name__": "__variants__"}
    setup = charts.setup_charts
    charts.setup_charts = lambda *args, **kwargs: None  # no renderer needed outside a kernel

    def recorder(question):
        def record(check_id, answer, *, hint=None, **options):
            canon = checks.canonical(answer, options)
            trivial = (canon.get("kind") in ("table", "series") and not canon.get("rows")) or (
                canon.get("kind") == "chart" and not canon.get("data_rows")) or (
                canon.get("kind") in ("list", "dict") and not canon.get("items")) or (
                canon.get("value") in (None, "", 0))
            found.setdefault(question, {})[check_id] = (
                checks._key_hash(check_id, checks._receipt_canon(canon)), not trivial)
        return record

    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for cell in nb.cells:
                tags = set(_tags(cell))
                if cell.cell_type != "code" or "wrong-answers" in tags:
                    continue
                if "check" in tags:
                    scope = dict(namespace, check=recorder(_meta(cell)["check_id"]))
                    exec(compile(_source(cell), "<check>", "exec"), scope)  # noqa: S102
                    continue
                exec(compile(_source(cell), "<cell>", "exec"), namespace)  # noqa: S102
    finally:
        charts.setup_charts = setup
    return found


def count_variants(solution_path: Path) -> dict[str, dict]:
    """For each auto-graded question of a solution: how many different answers its versions
    have (the default included), and how many of them a student can be given (not the
    default's, whose answer is public)."""
    nb = nbformat.read(solution_path, as_version=4)
    versions = [answer_hashes(variant_notebook(nb, k)) for k in range(variant_count(nb))]
    counts = {}
    for question in versions[0]:
        answers = [tuple(sorted((p, h) for p, (h, _) in v[question].items())) for v in versions]
        student = {a for a in answers[1:] if a != answers[0]}
        counts[question] = {"variants": len(set(answers)), "student_variants": len(student),
                            "non_trivial": all(ok for v in versions
                                               for _, ok in v[question].values())}
    return counts


__all__ = ["PARAMETERS", "validate_parameters", "variant_count", "variant_notebook",
           "template_values", "render", "student_variant", "notebook_variant_keys",
           "count_variants", "answer_hashes"]
