"""The keys of every student version of a question, and how many versions really differ.

A question's versions are declared and rendered in versions.py (its docstring explains them;
docs/grading.md, "Per-student variants", says what they protect against). This module records
the keys of each version: the version executed in record mode, as `make exercises` records the
default ones (build.execute_recording), cached in build/variants/ by a hash of everything they
depend on (they are never committed). It also counts, without a kernel, how many versions of a
question have answers of their own (count_variants, for scripts/variant_figures.py).

The names of versions.py are importable from here too, as they were before the two halves
had files of their own.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import re
import tempfile
from pathlib import Path

import nbformat

from balkan_course.grading.cells import course_meta as _meta
from balkan_course.grading.cells import source_of as _source
from balkan_course.grading.cells import tags as _tags
from balkan_course.grading.versions import (  # noqa: F401 (names importable from here)
    STRIPPED_META,
    TEMPLATE,
    _literal_spans,
    declared_variants,
    entry_index,
    question_blocks,
    render,
    student_variant,
    substitute,
    validate_parameters,
    variant_count,
    variant_notebook,
    written_blocks,
    written_version,
)

ROOT = Path(__file__).resolve().parent.parent.parent
# The recorded keys of every version, by content hash (a read-only course folder, as in the
# grader's container, can point this elsewhere).
CACHE_DIR = Path(os.environ.get("BALKAN_COURSE_VARIANTS_CACHE") or ROOT / "build" / "variants")
# Shown to a student whose answer is another version's (the default's, or a classmate's).
OTHER_VARIANT_HINT = ("that is the answer to another version of this question: read the "
                      "question in your own notebook again (its values differ from the "
                      "public solution's and from your classmates')")
WRONG_EQUALS_RIGHT = "(wrong answers equal to the right one)"
RECORDING_KERNELS = 2  # versions recorded at once (one kernel each)


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
    from nbclient.exceptions import CellExecutionError

    from balkan_course.grading.build import AuthoringError, execute_recording

    # The written questions' versions change only text: not part of what is recorded.
    nb = variant_notebook(nbformat.read(solution_path, as_version=4), variant, written=False)
    cached = cache_dir / solution_path.stem / f"{notebook_fingerprint(nb)}.json"
    if cached.exists():
        return json.loads(cached.read_text(encoding="utf-8"))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only course folder: record into a temporary cache
        cached = Path(tempfile.mkdtemp(prefix="balkan-variants-")) / cached.name
    with tempfile.TemporaryDirectory(dir=cached.parent) as scratch:
        key_path = Path(scratch) / f"{solution_path.stem}.json"
        try:
            keys = execute_recording(nb, key_path, solution_path.parent, draw_charts=False)
        except CellExecutionError as problem:
            raise AuthoringError(f"{solution_path.name}, version {variant}: the solution fails "
                                 f"there: {str(problem).strip().splitlines()[-1][:400]}"
                                 ) from problem
        key_path.replace(cached)  # whole or not at all
    return keys


def notebook_variant_keys(solution_path: Path, public_keys: dict,
                          cache_dir: Path = CACHE_DIR) -> dict[int, dict]:
    """variant -> its key file's content, for every student variant (1 .. count-1) of a
    solution. Each check's key also knows the other versions' answers (the default's too),
    so a student who answers another version is told so, and earns nothing."""
    from concurrent.futures import ThreadPoolExecutor

    nb = nbformat.read(solution_path, as_version=4)
    wanted = range(1, variant_count(nb))
    with ThreadPoolExecutor(max_workers=RECORDING_KERNELS) as pool:
        found = dict(zip(wanted, pool.map(
            lambda k: recorded_keys(solution_path, k, cache_dir), wanted), strict=True))
    versions = [public_keys, *found.values()]
    for keys in found.values():
        for check_id, key in keys["checks"].items():
            others = list(dict.fromkeys(
                v["checks"][check_id]["hash"] for v in versions
                if check_id in v.get("checks", {}) and v["checks"][check_id]["hash"]
                != key["hash"]))
            # These hints first: they say more than a wrong answer's hint that happens to
            # be another version's right answer.
            key["probes"] = [{"hash": other, "hint": OTHER_VARIANT_HINT} for other in others] + [
                probe for probe in key.get("probes", []) if probe["hash"] not in others]
    return found


def public_key_file(stem: str, keys_dir: Path | None = None) -> dict:
    from balkan_course.grading.keys import KEYS_DIR, KEYS_DIR_ENV

    path = (keys_dir or Path(os.environ.get(KEYS_DIR_ENV) or KEYS_DIR)) / f"{stem}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"checks": {}}


# ---------------------------------------------------------------- counting, without a kernel


def answer_hashes(nb) -> dict[str, dict]:
    """check_id (the question) -> {part id: (hash or None, non-trivial)} of the answers the
    notebook's code gives, run in this process (no kernel; as the answer corpus does). A
    part whose answer cannot be computed gets None."""
    import contextlib
    import warnings

    import balkan_course.charts as charts
    from balkan_course.grading import checks
    from balkan_course.grading.canonical import _receipt_canon, canonical, coerce
    from balkan_course.grading.keys import _key_hash, wrong_items

    found: dict[str, dict] = {}
    declared_wrong: dict[str, dict] = {}
    namespace: dict = {"__name__": "__variants__"}
    setup, declare = charts.setup_charts, checks.wrong_answers

    def recorder(question):
        def record(check_id, answer, *, hint=None, **options):
            canon = canonical(answer, options)
            trivial = (canon.get("kind") in ("table", "series") and not canon.get("rows")) or (
                canon.get("kind") == "chart" and not canon.get("data_rows")) or (
                canon.get("kind") in ("list", "dict") and not canon.get("items")) or (
                "value" in canon and canon["value"] in (None, "", 0))
            right = _key_hash(check_id, _receipt_canon(canon))
            found.setdefault(question, {})[check_id] = (right, not trivial)
            for hint, value in wrong_items(declared_wrong.get(check_id)):
                try:
                    wrong = canonical(coerce(value, canon["kind"]), options)
                except Exception:  # noqa: BLE001 - a kind the check cannot read: not equal
                    continue
                if _key_hash(check_id, _receipt_canon(wrong)) == right and \
                        not wrong.get("order"):
                    found.setdefault(WRONG_EQUALS_RIGHT, {})[check_id] = (hint, False)
        return record

    def remember_wrong(check_id, answers):
        declared_wrong[check_id] = dict(answers)

    charts.setup_charts = lambda *args, **kwargs: None  # no renderer needed outside a kernel
    checks.wrong_answers = remember_wrong  # what the wrong-answers cells import, meanwhile
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for cell in nb.cells:
                tags = set(_tags(cell))
                if cell.cell_type != "code":
                    continue
                if "wrong-answers" in tags:
                    scope = dict(namespace)
                    exec(compile(_source(cell), "<wrong>", "exec"), scope)  # noqa: S102
                    continue
                if "check" in tags:
                    question = _meta(cell)["check_id"]
                    scope = dict(namespace, check=recorder(question))
                    try:
                        exec(compile(_source(cell), "<check>", "exec"), scope)  # noqa: S102
                    except Exception:  # noqa: BLE001 - an answer that cannot be computed
                        parts = _meta(cell).get("parts") or {question: 0}
                        for part in parts:
                            found.setdefault(question, {}).setdefault(part, (None, False))
                    continue
                try:
                    exec(compile(_source(cell), "<cell>", "exec"), namespace)  # noqa: S102
                except Exception:  # noqa: BLE001 - e.g. copied code that fails here
                    if "answer" not in tags and "raises-exception" not in tags:
                        raise  # (the primer shows an error on purpose, in its own cell)
    finally:
        charts.setup_charts, checks.wrong_answers = setup, declare
    return found


SOLUTION_REGION = re.compile(r"(?ms)^[ \t]*# BEGIN SOLUTION[ \t]*$.*?^[ \t]*# END SOLUTION[ \t]*$")


def with_answers_of(nb, other):
    """A copy of nb whose answer cells' solution regions hold other's code (matched by cell
    id): what a student gets who copies the public solution's answers into their own
    notebook, whose answer cells keep their version's code outside those regions."""
    out = copy.deepcopy(nb)
    regions = {cell.get("id"): SOLUTION_REGION.findall(_source(cell))
               for cell in other.cells if "answer" in _tags(cell)}
    for cell in out.cells:
        theirs = regions.get(cell.get("id"))
        if "answer" in _tags(cell) and theirs:
            parts = iter(theirs)
            cell["source"] = SOLUTION_REGION.sub(lambda _, parts=parts: next(parts, ""),
                                                 _source(cell))
    return out


def count_variants(nb) -> dict[str, dict]:
    """For each auto-graded question of a solution notebook: `declared` versions, and
    `versions`: the default plus the student versions whose answers differ from each other's
    and the default's, and which the public solution's code, copied into that version of the
    notebook, does not answer. `non_trivial`: no version's answer is empty or zero."""
    public = answer_hashes(nb)
    versions, copied = [public], [public]
    for k in range(1, variant_count(nb)):
        version = variant_notebook(nb, k)
        versions.append(answer_hashes(version))
        # Copied into a version whose other code is the default's, the public answers give
        # the public results: only a version with its own data cells needs the run.
        copied_version = with_answers_of(version, nb)
        own_setup = any(_source(mine) != _source(theirs) for mine, theirs in zip(
            copied_version.cells, nb.cells, strict=True) if mine.cell_type == "code"
            and "wrong-answers" not in _tags(mine))
        copied.append(answer_hashes(copied_version) if own_setup else public)
    clashes: dict[str, list[str]] = {}  # a declared wrong answer equal to the right one
    for k, found in enumerate(versions):
        for part, (hint, _) in found.pop(WRONG_EQUALS_RIGHT, {}).items():
            clashes.setdefault(part, []).append(f"version {k}: {hint!r}")
    for found in copied:
        found.pop(WRONG_EQUALS_RIGHT, None)
    declared = {_meta(nb.cells[check])["check_id"]: len(declared_variants(nb.cells[answer]))
                for _, answer, check in question_blocks(nb)}

    def answer(found, question):
        return tuple(sorted((part, h) for part, (h, _) in found.get(question, {}).items()))

    counts = {}
    for question in public:
        default = answer(public, question)
        protected = {answer(v, question) for v, c in zip(versions[1:], copied[1:], strict=True)
                     if answer(v, question) not in (default, answer(c, question))}
        counts[question] = {
            "declared": declared.get(question, 1), "versions": 1 + len(protected),
            "non_trivial": all(ok for v in versions for _, ok in v[question].values()),
            "wrong_equals_right": [clash for part in public[question]
                                   for clash in clashes.get(part, [])]}
    return counts


__all__ = ["validate_parameters", "variant_count", "variant_notebook", "question_blocks",
           "render", "substitute", "student_variant", "notebook_variant_keys",
           "count_variants", "answer_hashes"]
