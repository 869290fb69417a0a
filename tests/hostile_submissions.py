"""A class of hostile and broken submissions for exercise set 00, built from the committed
solution and exercise (nothing stored): each kind is a function that writes one student's
folder, and says what the grader must give it.

Expectations:
- NOTHING: built on the UNANSWERED exercise plus an attack; any point it earns is a hole;
- FULL: the right answers in an awkward package (sub-folder, copied file name, stripped cell ids,
  a variable named `check`, ...); they must get every point, with a status that says so;
- a set of check ids: the checks that must pass (the others must not).
A `status` substring, when given, must appear in the row's status.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from balkan_course.grading.build import ANSWER, CHECK, course_meta, tags

ROOT = Path(__file__).resolve().parent.parent
NOTHING, FULL = "nothing", "full"
# The course the class is written for: a small drill (make_drill_course) keeps the batch fast;
# the attacks do not depend on what the questions ask.
NOTEBOOK = "00_drill"
SOLUTION = EXERCISE = Path()
POINTS = {"00-total": 1, "00-largest": 2, "00-parts": 2}

DRILL = [  # (id, type, tags, metadata, source)
    ("intro", "markdown", [], {}, "# Drill: three questions on a short list"),
    ("setup", "code", [], {}, "from balkan_course.grading.checks import check, show_progress\n\n"
                                "figures = [4600, 4700, 5000, 4600]"),
    ("q1-prompt", "markdown", [], {}, "## Exercise 1 (1 point)\nStore the sum in `total`."),
    ("q1-answer", "code", ["answer"], {}, "# BEGIN SOLUTION\ntotal = sum(figures)\n"
                                          "# STUB: total = ...  # your answer\n# END SOLUTION"),
    ("q1-check", "code", ["check"], {"check_id": "00-total", "points": 1},
     'check("00-total", total)'),
    ("q2-prompt", "markdown", [], {}, "## Exercise 2 (2 points)\nStore the largest in `largest`."),
    ("q2-answer", "code", ["answer"], {}, "# BEGIN SOLUTION\nlargest = max(figures)\n"
                                          "# STUB: largest = ...  # your answer\n# END SOLUTION"),
    ("q2-check", "code", ["check"], {"check_id": "00-largest", "points": 2},
     'check("00-largest", largest)'),
    ("q3-prompt", "markdown", [], {}, "## Exercise 3 (2 points, one per part)\n`ordered`: the "
                                      "figures sorted; `distinct`: how many different ones."),
    ("q3-answer", "code", ["answer"], {}, "# BEGIN SOLUTION\nordered = sorted(figures)\n"
                                          "distinct = len(set(figures))\n# STUB: ordered = ...\n"
                                          "# STUB: distinct = ...\n# END SOLUTION"),
    ("q3-check", "code", ["check"], {"check_id": "00-parts", "points": 2,
                                     "parts": {"00-sorted": 1, "00-distinct": 1}},
     'check("00-sorted", ordered)\ncheck("00-distinct", distinct)'),
    ("q4-prompt", "markdown", [], {}, "## Exercise 4 (1 point, read by your teacher)"),
    ("q4-answer", "markdown", ["answer-text"], {"check_id": "00-why", "points": 1},
     "Because the figures were taken at different times."),
    ("progress", "code", [], {}, 'show_progress("00_drill")'),
]


def write_drill_notebook(path: Path, cells: list[tuple]) -> None:
    """A solution notebook from (id, type, tags, metadata, source) rows, as DRILL holds them."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}}
    for cell_id, cell_type, cell_tags, meta, source in cells:
        cell = (nbformat.v4.new_code_cell if cell_type == "code" else
                nbformat.v4.new_markdown_cell)(source)
        cell["id"] = cell_id
        if cell_tags:
            cell.metadata["tags"] = cell_tags
        if meta:
            cell.metadata["balkan_course"] = meta
        nb.cells.append(cell)
    nbformat.write(nb, path)


def make_drill_course(folder: Path, opening_code: str = "") -> tuple[Path, Path]:
    """solutions/, exercises/ and answer_keys/ of the drill under folder (keys recorded by
    executing the solution, as `make exercises` does); returns (solutions, keys) folders.
    opening_code is added to the instructor's opening cell (to make it slow, say)."""
    global SOLUTION, EXERCISE
    from balkan_course.grading.build import build

    solutions, exercises, keys = folder / "solutions", folder / "exercises", folder / "keys"
    solutions.mkdir(parents=True)
    cells = [(i, t, g, m, src + opening_code if i == "setup" else src)
             for i, t, g, m, src in DRILL]
    write_drill_notebook(solutions / f"{NOTEBOOK}.ipynb", cells)
    build(solutions, exercises, keys)
    SOLUTION, EXERCISE = solutions / f"{NOTEBOOK}.ipynb", exercises / f"{NOTEBOOK}.ipynb"
    return solutions, keys


@dataclass
class Case:
    student: str
    expect: object            # NOTHING, FULL or a set of check ids that must pass
    status: str = ""          # must appear in the status
    notebook: str = NOTEBOOK  # the row's notebook column
    files: dict = field(default_factory=dict)  # relative path -> notebook, text or bytes
    make: object = None       # or a function(folder) that makes the student's entries
    partial: dict = field(default_factory=dict)  # check id -> points expected (part credit)


def solution():
    return nbformat.read(SOLUTION, as_version=4)


def exercise():
    return nbformat.read(EXERCISE, as_version=4)


def right_answers() -> dict[str, str]:
    """The solution's answer cells as a student who got everything right would write them."""
    return {cell["id"]: cell.source.replace("# BEGIN SOLUTION\n", "").replace(
        "# END SOLUTION", "") for cell in solution().cells if ANSWER in tags(cell)}


def completed(changes: dict[str, str] | None = None):
    nb = exercise()
    answers = {**right_answers(), **(changes or {})}
    for cell in nb.cells:
        if cell["id"] in answers:
            cell.source = answers[cell["id"]]
    return nb


def attack(code: str, cell_id: str = "q1-answer"):
    """The unanswered exercise with `code` in one answer cell."""
    nb = exercise()
    for cell in nb.cells:
        if cell["id"] == cell_id:
            cell.source = code
    return nb


def success_lines() -> list[str]:
    """The success lines every passing student sees (and the solutions store)."""
    return [line for c in solution().cells if CHECK in tags(c)
            for line in "".join(o.get("text", "") for o in c.outputs).strip().splitlines()]


def check_ids() -> list[str]:
    return [course_meta(c)["check_id"] for c in solution().cells if CHECK in tags(c)]


REPLAY = """
lines = {lines!r}
def check(check_id, answer, **options):
    print(next(line for line in lines if line.startswith("✅ " + check_id)))
for line in lines:
    print(line)
"""

READ_SOLUTIONS = """
import glob, json, pathlib
found = []
for pattern in {patterns!r}:
    found += glob.glob(pattern, recursive=True)
for path in found:
    try:
        nb = json.loads(pathlib.Path(path).read_text())
    except Exception:
        continue
    for cell in nb.get("cells", []):
        if "answer" in cell.get("metadata", {{}}).get("tags", []):
            try:
                exec("".join(cell["source"]), globals())
            except Exception:
                pass
print("solutions found:", len(found))
"""

# The strongest forger: an input transformer that sees the grader's request (its nonce and the
# names it asks for) and replaces it by a reply of its own making.
HIJACK = """
import json, re
from IPython.display import publish_display_data
MIME = "application/x-balkan-course-answer+json"
{forged}
def hijack(lines):
    code = "".join(lines)
    if "balkan_grader_request" not in code:
        return lines
    nonce = re.search(r"'NONCE': '([0-9a-f]+)'", code).group(1)
    names = re.findall(r"'([A-Za-z_][A-Za-z_0-9]*)'", re.search(r"'NAMES': (\\[.*?\\])",
                                                                    code).group(1))
    return ["publish_display_data(%r)\\n" % ({{MIME: forged(names, nonce)}},)]
get_ipython().input_transformers_post.append(hijack)
"""

FORGE_EMIT = HIJACK.format(forged="""
def forged(names, nonce):
    values = {name: {"ok": {"t": "str", "v": "correct, well done!"}} for name in names}
    return json.dumps({"nonce": nonce, "values": values})
""")

FORGE_NUMBERS = HIJACK.format(forged="""
def forged(names, nonce):
    guess = {"t": "list", "v": [{"t": "int", "v": str(n)} for n in range(4)]}
    values = {name: {"ok": guess if name == "ordered" else {"t": "int", "v": "18000"}}
              for name in names}
    return json.dumps({"nonce": nonce, "values": values})
""")

HUGE_REPLY = HIJACK.format(forged="""
def forged(names, nonce):
    return "[" * 200_000 + "]" * 200_000
""")

DEEP_REPLY = HIJACK.format(forged="""
def forged(names, nonce):
    text = '{"t": "str", "v": "x"}'
    for _ in range(5000):
        text = '{"t": "list", "v": [' + text + ']}'
    return '{"nonce": "' + nonce + '", "values": {' + ", ".join(
        '"%s": {"ok": %s}' % (name, text) for name in names) + "}}"
""")

FORGED_FRAME = HIJACK.format(forged="""
def forged(names, nonce):
    bad = {"t": "frame", "columns": {"t": "index", "names": [{"t": "none"}], "dtype": "object",
           "v": [{"t": "str", "v": "a"}]}, "index": {"t": "index", "names": [{"t": "none"}],
           "dtype": "int64", "v": [{"t": "int", "v": "0"}]}, "data": [{"dtype": "object",
           "values": [{"t": "eval", "v": "__import__('os').system('touch /tmp/pwned')"}]}]}
    return json.dumps({"nonce": nonce, "values": {n: {"ok": bad} for n in names}})
""")

WRONG_NONCE = HIJACK.format(forged="""
def forged(names, nonce):
    values = {name: {"ok": {"t": "int", "v": "18000"}} for name in names}
    return json.dumps({"nonce": "0" * 32, "values": values})
""")

FORGE_TRANSFORMER = """
lines = {lines!r}
def transform(cell_lines):
    return ["print(" + repr("\\n".join(lines)) + ")\\n"]
get_ipython().input_transformers_post.append(transform)
"""

FORGE_IMPORT = """
import builtins
real_import = builtins.__import__
class Fake:
    MIME = "application/x-balkan-course-answer+json"
    def emit(self, namespace, names, nonce):
        print({lines!r})
def fake_import(name, *args, **kwargs):
    if name.startswith("balkan_course.grading"):
        return Fake()
    return real_import(name, *args, **kwargs)
builtins.__import__ = fake_import
"""

LYING_OBJECT = """
class Liar:
    __module__ = "pandas.core.frame"
    def __eq__(self, other): return True
    def __hash__(self): return 0
    def to_dict(self, *a, **k): return {}
    def tolist(self): return []
total = largest = ordered = distinct = Liar()
"""

PATCH_PANDAS = """
import pandas
pandas.DataFrame.tolist = lambda self: ["✅ correct"]
pandas.Series.tolist = lambda self: ["✅ correct"]
pandas.DataFrame.items = lambda self: iter([])
total = largest = ordered = distinct = pandas.DataFrame({"a": [1]})
"""

PATCH_JSON = """
import json
json.dumps = lambda *a, **k: '{"nonce": "0", "values": {}}'
"""

SIGINT_PRINTER = """
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    print("✅ 00-total: correct, well done!", flush=True)
    time.sleep(0.001)
"""

BUSY_IGNORING = """
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
"""

KILL_WORKER = """
import os, signal
parent = os.getppid()
if parent > 1:  # (0 in the grader's sandbox: no parent to see)
    os.kill(parent, signal.SIGKILL)
"""

KILL_GROUP = """
import os, signal
os.killpg(0, signal.SIGKILL)
"""

MMAP_SHARED = """
import mmap, time
chunk, maps = b"x" * 2**24, []
for _ in range(20):
    block = mmap.mmap(-1, 2**28, flags=mmap.MAP_SHARED)
    for _ in range(16):
        block.write(chunk)
    maps.append(block)
    time.sleep(0.1)
"""

WRITE_RESULTS = """
import json, os, pathlib
forged = {{"student": "zz_forger", "notebook": "{notebook}", "submission_sha256": "x",
          "statuses": [], "checks": {{c: {{"points": 2, "awarded": 2, "passed": True,
          "shown": "", "ran": True}} for c in {checks!r}}}, "free_text": {{}}}}
for folder in [{out!r} + "/results/{student}", "results/{student}", "../results/{student}"]:
    try:
        pathlib.Path(folder).mkdir(parents=True, exist_ok=True)
        pathlib.Path(folder, "{notebook}.json").write_text(json.dumps(forged))
    except OSError as problem:
        print("cannot write", folder, problem)
"""

UNMOUNT = """
import ctypes, glob, subprocess
libc = ctypes.CDLL(None, use_errno=True)
for path in {paths!r}:
    libc.umount2(path.encode(), 2)
    subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                    "umount -l " + path + " ; cat " + path + "/*.ipynb > /tmp/copied.txt"])
""" + READ_SOLUTIONS.replace("{patterns!r}", "{patterns2!r}")

NETWORK = """
import socket
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    reached = True
except OSError:
    reached = False
print("network reached:", reached)
""" + REPLAY

BACKGROUND_PRINTER = """
import threading, time
lines = {lines!r}
def spam():
    while True:
        for line in lines:
            print(line, flush=True)
        time.sleep(0.01)
threading.Thread(target=spam, daemon=True).start()
"""

FORK_AND_PRINT = """
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time\\nwhile True: time.sleep(1)"])
print("\\n".join({lines!r}))
"""

STORE_VALUE_IN_BUILTINS = """
import builtins
builtins.total = builtins.largest = "✅ 00-total: correct, well done!"
"""

RECURSIVE_VALUE = """
total = []
total.append(total)
largest = {"a": None}
largest["a"] = largest
"""

INFINITE_LIST = """
class Endless(list):
    def __iter__(self):
        while True:
            yield 1
total = largest = ordered = Endless()
"""


def cases(out_dir: Path, solutions_dirs: list[Path], submissions_dir: Path) -> list[Case]:
    """Every kind in the class. out_dir, solutions_dirs and submissions_dir are the real paths
    of the grading run, so the attacks aim at the right places."""
    lines = success_lines()
    full_answers = completed()
    patterns = [f"{d}/**/*.ipynb" for d in solutions_dirs] + [
        f"{submissions_dir}/**/*.ipynb", "/tmp/**/*.ipynb", "../**/*.ipynb"]
    no_ids = json.loads(json.dumps(full_answers))
    for cell in no_ids["cells"]:
        cell.pop("id", None)
    no_ids["nbformat_minor"] = 4
    deleted_checks = completed()
    deleted_checks.cells = [c for c in deleted_checks.cells if CHECK not in tags(c)]
    retyped = completed()
    index = next(i for i, c in enumerate(retyped.cells) if c["id"] == "q1-answer")
    new_cell = nbformat.v4.new_code_cell(right_answers()["q1-answer"])
    retyped.cells[index] = new_cell  # a new id: the answer cell was deleted and retyped
    check_variable = completed({"q1-answer": right_answers()["q1-answer"]
                                + "\ncheck = figures.copy()  # my own list named check"})
    stored_outputs = exercise()
    expected = {c["id"]: c for c in solution().cells}
    for cell in stored_outputs.cells:
        if CHECK in tags(cell):
            cell.outputs = expected[cell["id"]].outputs
            cell.execution_count = expected[cell["id"]].execution_count
    surrogate = json.dumps(attack("x = '\ud800'\n" + REPLAY.format(lines=lines)))
    non_string = json.loads(json.dumps(attack("x = 1")))
    non_string["cells"][3]["source"] = ["total = sum(figures)\n", 7, None, {"a": 1}]
    changed_type = completed()
    index = next(i for i, c in enumerate(changed_type.cells) if c["id"] == "q1-answer")
    markdown = nbformat.v4.new_markdown_cell(changed_type.cells[index].source)
    markdown["id"] = "q1-answer"
    changed_type.cells[index] = markdown
    duplicated = completed()
    index = next(i for i, c in enumerate(duplicated.cells) if c["id"] == "q2-answer")
    duplicated.cells.insert(index + 1, nbformat.from_dict(
        {**dict(duplicated.cells[index]), "source": "largest = 'overwritten'"}))
    error_in_answer = completed({"q2-answer": "largest = figures['year']"})
    partial = completed({"q2-answer": "largest = min(figures)"})
    one_part = completed({"q3-answer": "ordered = sorted(figures)\ndistinct = len(figures)"})
    slow_cells = exercise()
    for cell in slow_cells.cells:
        if ANSWER in tags(cell):
            cell.source = "import time\ntime.sleep(3.5)"

    def symlink_to(target):
        def make(folder: Path):
            folder.mkdir()
            os.symlink(target, folder / f"{NOTEBOOK}.ipynb")
        return make

    def fifo(folder: Path):
        folder.mkdir()
        os.mkfifo(folder / f"{NOTEBOOK}.ipynb")

    def folder_link(folder: Path):
        os.symlink(SOLUTION.parent, folder)

    return [
        # ---- honest, for comparison
        Case("a_honest", FULL, "ok", files={f"{NOTEBOOK}.ipynb": full_answers}),
        Case("a_untouched", NOTHING, "ok", files={f"{NOTEBOOK}.ipynb": exercise()}),
        # ---- printed success lines, receipts, stored outputs
        Case("h01_replays_success_lines", NOTHING,
             files={f"{NOTEBOOK}.ipynb": attack(REPLAY.format(lines=lines))}),
        Case("h02_pastes_stored_outputs", NOTHING, files={f"{NOTEBOOK}.ipynb": stored_outputs}),
        Case("h03_background_thread_prints_successes", NOTHING,
             files={f"{NOTEBOOK}.ipynb": attack(BACKGROUND_PRINTER.format(lines=lines))}),
        Case("h04_input_transformer_rewrites_cells", NOTHING,
             files={f"{NOTEBOOK}.ipynb": attack(FORGE_TRANSFORMER.format(lines=lines))}),
        Case("h05_deleted_checks_prints_successes", NOTHING, "deleted cells restored",
             files={f"{NOTEBOOK}.ipynb": _without_checks(attack(REPLAY.format(lines=lines)))}),
        # ---- forging the answer channel
        Case("h06_forges_emit", NOTHING, files={f"{NOTEBOOK}.ipynb": attack(FORGE_EMIT)}),
        Case("h07_fake_import_hook", NOTHING,
             files={f"{NOTEBOOK}.ipynb": attack(FORGE_IMPORT.format(lines=lines))}),
        Case("h08_huge_reply", NOTHING, files={f"{NOTEBOOK}.ipynb": attack(HUGE_REPLY)}),
        Case("h09_deeply_nested_reply", NOTHING, files={f"{NOTEBOOK}.ipynb": attack(DEEP_REPLY)}),
        Case("h10_forged_structure_with_code", NOTHING,
             files={f"{NOTEBOOK}.ipynb": attack(FORGED_FRAME)}),
        Case("h11_lying_object", NOTHING, files={f"{NOTEBOOK}.ipynb": attack(LYING_OBJECT)}),
        Case("h12_patches_pandas", NOTHING, files={f"{NOTEBOOK}.ipynb": attack(PATCH_PANDAS)}),
        Case("h13_patches_json", NOTHING, files={f"{NOTEBOOK}.ipynb": attack(PATCH_JSON)}),
        Case("h14_answer_in_builtins", NOTHING,
             files={f"{NOTEBOOK}.ipynb": attack(STORE_VALUE_IN_BUILTINS)}),
        Case("h15_self_referencing_values", NOTHING,
             files={f"{NOTEBOOK}.ipynb": attack(RECURSIVE_VALUE)}),
        Case("h16_endless_list", NOTHING, files={f"{NOTEBOOK}.ipynb": attack(INFINITE_LIST)}),
        # ---- reading what it should not see
        Case("h17_reads_solutions", NOTHING, files={f"{NOTEBOOK}.ipynb": attack(
            READ_SOLUTIONS.format(patterns=patterns))}),
        Case("h18_unmounts_hidden_folders", NOTHING, files={f"{NOTEBOOK}.ipynb": attack(
            UNMOUNT.format(paths=[str(d) for d in solutions_dirs],
                           patterns2=["/tmp/copied.txt", *patterns]))}),
        Case("h19_writes_forged_results", NOTHING, files={f"{NOTEBOOK}.ipynb": attack(
            WRITE_RESULTS.format(checks=check_ids(), out=str(out_dir), notebook=NOTEBOOK,
                                 student="h19_writes_forged_results"))}),
        Case("h20_uses_the_network", NOTHING,
             files={f"{NOTEBOOK}.ipynb": attack(NETWORK.format(lines=lines))}),
        # ---- links and odd files
        Case("h21_symlink_to_solution", NOTHING, "symbolic link", make=symlink_to(SOLUTION)),
        Case("h22_symlink_to_dev_zero", NOTHING, "symbolic link",
             make=symlink_to("/dev/zero")),
        Case("h23_folder_is_a_symlink", NOTHING, "symbolic link", notebook="(folder)",
             make=folder_link),
        Case("h24_fifo_as_notebook", NOTHING, "not a regular file", make=fifo),
        Case("h25_file_too_large", NOTHING, "larger than 20 MB",
             files={f"{NOTEBOOK}.ipynb": b" " * (21 * 2**20)}),
        # ---- broken JSON
        Case("h26_deep_json", NOTHING, "nested too deeply",
             files={f"{NOTEBOOK}.ipynb": '{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}"}),
        Case("h27_non_string_source", NOTHING, "malformed cell",
             files={f"{NOTEBOOK}.ipynb": json.dumps(non_string)}),
        Case("h28_lone_surrogate", NOTHING, "not valid Unicode",
             files={f"{NOTEBOOK}.ipynb": surrogate}),
        Case("h29_invalid_json", NOTHING, "not valid JSON",
             files={f"{NOTEBOOK}.ipynb": '{"cells": [{"cell_type": "code"'}),
        Case("h30_no_cells", NOTHING, "no cells", files={f"{NOTEBOOK}.ipynb": json.dumps(
            {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})}),
        Case("h31_cells_not_a_list", NOTHING, "no list of cells",
             files={f"{NOTEBOOK}.ipynb": json.dumps({"cells": {"a": 1}})}),
        # ---- time, memory, processes
        Case("h32_ignores_sigint_and_prints", NOTHING, "time limit hit in cell q1-answer",
             files={f"{NOTEBOOK}.ipynb": attack(SIGINT_PRINTER)}),
        Case("h33_ignores_sigint_busy", NOTHING, "the kernel did not stop and was ended",
             files={f"{NOTEBOOK}.ipynb": attack(BUSY_IGNORING)}),
        Case("h34_kills_its_worker", NOTHING, "", files={f"{NOTEBOOK}.ipynb": attack(
            KILL_WORKER)}),
        Case("h35_kills_its_process_group", NOTHING, "",
             files={f"{NOTEBOOK}.ipynb": attack(KILL_GROUP)}),
        Case("h36_every_cell_just_under_the_limit", NOTHING, "time limit for the whole notebook",
             files={f"{NOTEBOOK}.ipynb": slow_cells}),
        Case("h37_shared_mmap", NOTHING, "memory limit hit in cell q1-answer",
             files={f"{NOTEBOOK}.ipynb": attack(MMAP_SHARED)}),
        Case("h38_exit", NOTHING, "kernel died in cell q1-answer",
             files={f"{NOTEBOOK}.ipynb": attack("exit()")}),
        Case("h39_os_exit_after_printing", NOTHING, "kernel died in cell q1-answer",
             files={f"{NOTEBOOK}.ipynb": attack(f"print('\\n'.join({lines!r}))\nimport os\n"
                                                "os._exit(0)")}),
        Case("h40_forks_and_prints", NOTHING,
             files={f"{NOTEBOOK}.ipynb": attack(FORK_AND_PRINT.format(lines=lines))}),
        Case("h41_forged_reply_with_guessed_numbers", NOTHING,
             files={f"{NOTEBOOK}.ipynb": attack(FORGE_NUMBERS)}),
        Case("h42_forged_reply_with_another_nonce", NOTHING,
             files={f"{NOTEBOOK}.ipynb": attack(WRONG_NONCE)}),
        Case("h43_no_notebook_in_the_folder", NOTHING, "no notebook", notebook="(none)",
             files={"answers.txt": "I did it all in my head."}),
        # ---- awkward but honest packaging: every point, and a status
        Case("p01_nested_folder", FULL, f"graded the file work/final/{NOTEBOOK}.ipynb",
             files={f"work/final/{NOTEBOOK}.ipynb": full_answers}),
        Case(".p02_dot_folder", FULL, "starts with a dot",
             files={f"{NOTEBOOK}.ipynb": full_answers}),
        Case("p03_copy_name", FULL, f"graded the file {NOTEBOOK}-Copy1.ipynb",
             files={f"{NOTEBOOK}-Copy1.ipynb": full_answers}),
        Case("p04_download_name", FULL, f"graded the file {NOTEBOOK} (1).ipynb",
             files={f"{NOTEBOOK} (1).ipynb": full_answers}),
        Case("p05_no_cell_ids", FULL, "matched by position and content",
             files={f"{NOTEBOOK}.ipynb": json.dumps(no_ids)}),
        Case("p06_deleted_checks", FULL, "deleted cells restored from the instructor's copy: "
             "q1-check", files={f"{NOTEBOOK}.ipynb": deleted_checks}),
        Case("p07_retyped_answer_cell", FULL, "answer cells missing",
             files={f"{NOTEBOOK}.ipynb": retyped}),
        Case("p08_variable_named_check", FULL, "ok", files={f"{NOTEBOOK}.ipynb": check_variable}),
        Case("p09_two_copies", FULL, "other files for this exercise not graded",
             files={f"{NOTEBOOK}.ipynb": full_answers,
                    f"{NOTEBOOK}-Copy1.ipynb": exercise()}),
        Case("p10_stray_notebook", NOTHING, "no exercise matches", notebook="notes.ipynb",
             files={"notes.ipynb": full_answers}),
        # ---- partly right
        Case("r01_changed_type", set(POINTS) - {"00-total"}, "cell type changed",
             files={f"{NOTEBOOK}.ipynb": changed_type}),
        Case("r02_duplicate_ids", set(POINTS) - {"00-largest"}, "duplicate cell ids",
             files={f"{NOTEBOOK}.ipynb": duplicated}),
        Case("r03_error_in_answer", set(POINTS) - {"00-largest"}, "ok",
             files={f"{NOTEBOOK}.ipynb": error_in_answer}),
        Case("r04_one_wrong", set(POINTS) - {"00-largest"}, "ok",
             files={f"{NOTEBOOK}.ipynb": partial}),
        Case("r05_one_part_of_two", {"00-total", "00-largest"}, "ok", partial={"00-parts": 1},
             files={f"{NOTEBOOK}.ipynb": one_part}),
    ]


def _without_checks(nb):
    nb.cells = [c for c in nb.cells if CHECK not in tags(c)]
    return nb


def write_class(submissions_dir: Path, class_cases: list[Case]) -> None:
    submissions_dir.mkdir(parents=True, exist_ok=True)
    for case in class_cases:
        folder = submissions_dir / case.student
        if case.make is not None:
            case.make(folder)
            continue
        for relative, content in case.files.items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            elif isinstance(content, str):
                path.write_text(content, encoding="utf-8", errors="surrogatepass")
            else:
                # json, not nbformat.write: nbformat would quietly repair a duplicated id.
                path.write_text(json.dumps(content, indent=1), encoding="utf-8")
