"""Check the course's design conventions (issue 20) and write the tables that show them.

Usage: .venv/bin/python scripts/course_design.py [--write] [--problems]
       without options: print how many problems each check finds;
       --problems: also list them;
       --write: rewrite the generated parts of the docs: the teacher's guide between
       `<!-- section-needs:start/end -->` and `<!-- progression:start/end -->`, and the whole of
       docs/reference_card.md.

Each check is a function of a `Course` (lessons, solutions, extension lists) that returns a list
of problems, one line each; tests/test_course_design.py runs every check on small made-up
notebooks (what it must catch, what it must accept) and on the real course.

The conventions (docs: the issue-20 brief; `meta` is a cell's `metadata.balkan_course`):
- A lesson is a notebook in notebooks/; lessons are ordered by file name and numbered by their
  leading digits (`04`, `04a`, `04b` are all lesson 4; exercise set NN may use lessons <= NN and
  the primer `00a_python_primer`). Its core is every `## ` section that is neither listed as an
  extension in scripts/lesson_times.py's LESSONS nor a readings section (after class), as
  lesson_times decides; a `### ` heading belongs to the `## ` section it sits in.
- A task of an exercise set is a prompt cell and the cells after it up to the next prompt; a
  prompt is a markdown cell whose id ends in `-prompt` or that holds a `## `/`### ` heading, and
  it is a task only when a graded cell (tagged `answer`, `answer-text` or `check`) follows it
  (so `progress-prompt` and the capstone's `sources-prompt` are not tasks; its `brief-intro`
  is, for parts 1 and 2).
- Section needs: each task's prompt has `meta.needs_sections`, a non-empty list of
  `"<lesson stem>#<heading cell id>"`, each a heading in a core of lesson <= the set.
- Predict moments: >= 3 core cells with `meta.activity` "predict" or "try" per lesson, each
  matched by its own later core cell with `meta.activity` "reveal".
- IR question: the cell after `lesson-plan` is markdown, id `ir-question`, and asks a question;
  exactly one lesson's has `meta.headline` true, and it names Ukraine.
- Idioms: every function or method called (by name: `x.merge(...)` and `pd.merge(...)` are both
  `merge()`), attribute read (`.iloc`, `.dt`), operator `|`, `&`, `~`, `lambda` and keyword
  argument (`sort_values(ascending=)`) of a solution's answer cells must appear in a code cell
  of the primer or of a core of a lesson <= the set. Names the notebook defines itself are not
  idioms; `print()` is assumed known (the primer's stated starting point: a student who can read
  a cell that prints). Inline code in prose does not count as shown.
- Tips (`*Tip:*` paragraphs in a task) of sets 04 on name no code (no backticked call, method,
  attribute or expression).
- Open task: each set's last task has the prompt `open-prompt`, a code cell tagged `answer`
  with no check, and an `answer-text` cell with `meta` check_id "NN-open", 3 points and a
  rubric of 3 criteria.
- Interaction: >= 3 graded tasks with `meta.interaction` "widget" or "selection", in >= 3 sets.
- Stretch: a task's prompt has `meta.stretch` true exactly when its heading says "(stretch)".
- Read only: a code cell has `meta.read_only` true exactly when its first line is
  `# Read, don't write: <why>`.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import lesson_times  # noqa: E402 - a script, not a package

PRIMER = "00a_python_primer"
GUIDE = ROOT / "docs" / "teachers_guide.md"
CARD = ROOT / "docs" / "reference_card.md"
BEGIN, END, STUB = "# BEGIN SOLUTION", "# END SOLUTION", "# STUB:"  # as grading/build.py
GRADED_TAGS = ("answer", "answer-text", "check")
INSTRUCTOR_TAGS = ("answer-text", "rubric")
ACTIVITIES = ("predict", "try", "reveal")
INTERACTIONS = ("widget", "selection")
MIN_PREDICTS, MIN_INTERACTIONS, MIN_INTERACTION_SETS = 3, 3, 3
FIRST_SET_WITHOUT_CODE_TIPS = 4
OPEN_POINTS, OPEN_CRITERIA = 3, 3
# What a beginner is assumed to know before the primer (its opening cell prints a value).
ASSUMED = frozenset({"print()"})
READ_ONLY_LINE = re.compile(r"^# Read, don['’]t write: \S")
READ_ONLY_START = re.compile(r"^# Read, don['’]t write", re.I)
TIP = re.compile(r"^\s*\*{1,2}Tips?\b", re.I)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
CODE_LIKE = re.compile(r"[()\[\]=]|^\.|\w\.\w|^[<>!=]=?$|^[&|~]$")
HEADING_LINE = re.compile(r"^(#{2,3}) +(.+)$", re.M)
# Receivers shown in the card with their module's alias (`alt.Chart()`, not `.Chart()`).
MODULE_ALIASES = ("alt", "pd", "np", "math", "widgets", "html", "re")
# Calls whose keyword names are the student's own (new columns, fields), not the library's.
FREE_KEYWORDS = frozenset({"assign", "transform_calculate", "dict", "format"})
# Attributes that are idioms; others (`row.mission`, `picker.value`) are the data's own names.
ATTRIBUTES = frozenset({"loc", "iloc", "at", "iat", "dt", "str", "year", "month", "day", "days",
                        "columns", "index", "values", "shape", "empty", "T", "NA", "nan",
                        "datum", "pi"})


# ---------------------------------------------------------------------------------------------
# Reading notebooks


def text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def meta(cell: dict) -> dict:
    return dict(cell.get("metadata", {}).get("balkan_course", {}) or {})


def tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []) or [])


def number(stem: str) -> int:
    """The lesson or set number a file name starts with (`04b_x` -> 4)."""
    found = re.match(r"\d+", stem)
    return int(found.group()) if found else 10**6


def set_code(stem: str) -> str:
    return stem.split("_")[0]


@dataclass
class Course:
    """The notebooks the checks read: lessons (the primer included) and exercise solutions by
    file stem, and each registered lesson's extension section ids (lesson_times.LESSONS)."""

    lessons: dict[str, dict]
    solutions: dict[str, dict]
    extensions: dict[str, list[str]] = field(default_factory=dict)

    def lesson_order(self) -> list[str]:
        """By file name, the primer (homework before lesson 00) first."""
        return sorted(self.lessons, key=lambda stem: (stem != PRIMER, stem))

    def solution_order(self) -> list[str]:
        return sorted(self.solutions)


def load_notebooks(folder: Path) -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob("*.ipynb"))}


def load_course(root: Path = ROOT) -> Course:
    # A practice master (the primer's: solutions/00a) is read as its lesson, in notebooks/.
    solutions = {stem: nb for stem, nb in load_notebooks(root / "solutions").items()
                 if not nb.get("metadata", {}).get("balkan_course", {}).get("practice")}
    return Course(load_notebooks(root / "notebooks"), solutions,
                  {name: list(spec[1]) for name, spec in lesson_times.LESSONS.items()})


def heading(cell: dict) -> tuple[int, str] | None:
    """(level, title) of a markdown cell that starts with a `## ` or `### ` heading."""
    if cell["cell_type"] != "markdown":
        return None
    found = re.match(r"(#{2,3}) +(.+)", text(cell))
    return (len(found.group(1)), found.group(2).strip()) if found else None


def placed_cells(notebook: dict, extension_ids: list[str]) -> list[tuple[dict, str, str]]:
    """Each cell with where it sits: "core", "extension" or "after-class" (lesson_times' cut at
    `## ` headings), and the id of its `## ` section."""
    placed, status, section = [], "core", None
    for position, cell in enumerate(notebook["cells"]):
        if position == 0:
            section = cell.get("id")
        if cell["cell_type"] == "markdown" and text(cell).startswith("## "):
            section = cell.get("id")
            status = ("extension" if section in extension_ids
                      else "after-class" if lesson_times.is_readings(section) else "core")
        placed.append((cell, status, section))
    return placed


def core_cells(course: Course, stem: str) -> list[dict]:
    return [cell for cell, status, _ in placed_cells(course.lessons[stem],
                                                     course.extensions.get(stem, []))
            if status == "core"]


def headings_of(course: Course, stem: str) -> dict[str, dict]:
    """Heading cell id -> {title, status} for every `## ` and `### ` heading of a lesson."""
    found = {}
    for cell, status, _ in placed_cells(course.lessons[stem], course.extensions.get(stem, [])):
        if (head := heading(cell)) and cell.get("id"):
            found[cell["id"]] = {"title": head[1], "status": status}
    return found


def unregistered(course: Course) -> list[str]:
    """Lessons (not the primer) that lesson_times.LESSONS does not list: their core is unknown."""
    return [stem for stem in course.lesson_order()
            if stem != PRIMER and stem not in course.extensions]


def tasks(solution: dict) -> list[dict]:
    """The graded tasks of an exercise set, in order: prompt cell, heading, the task's cells."""
    found, current = [], None
    for cell in solution["cells"][1:]:
        is_prompt = (cell["cell_type"] == "markdown"
                     and not set(tags(cell)) & set(INSTRUCTOR_TAGS)
                     and (str(cell.get("id", "")).endswith("-prompt")
                          or HEADING_LINE.search(text(cell))))
        if is_prompt:
            current = {"prompt": cell, "cells": []}
            found.append(current)
        elif current is not None:
            current["cells"].append(cell)
    graded = [t for t in found if any(set(tags(c)) & set(GRADED_TAGS) for c in t["cells"])]
    for task in graded:
        headings = HEADING_LINE.findall(text(task["prompt"]))
        task["heading"] = headings[-1][1].strip() if headings else task["prompt"].get("id", "")
        task["id"] = task["prompt"].get("id", "")
    return graded


def tagged(task: dict, tag: str) -> list[dict]:
    return [cell for cell in task["cells"] if tag in tags(cell)]


# ---------------------------------------------------------------------------------------------
# Section needs


def section_need_problems(course: Course) -> list[str]:
    problems = [f"{stem}: not in lesson_times.LESSONS, so its core is unknown"
                for stem in unregistered(course)]
    headings = {stem: headings_of(course, stem) for stem in course.lessons}
    for stem in course.solution_order():
        for task in tasks(course.solutions[stem]):
            where = f"{set_code(stem)} {task['id']}"
            needs = meta(task["prompt"]).get("needs_sections")
            if not isinstance(needs, list) or not needs:
                problems.append(f"{where}: no needs_sections")
                continue
            for need in needs:
                lesson, _, heading_id = str(need).partition("#")
                if lesson not in course.lessons or not heading_id:
                    problems.append(f"{where}: {need!r} names no lesson#heading")
                elif heading_id not in headings[lesson]:
                    problems.append(f"{where}: {need!r}: no `##`/`###` heading with that id")
                elif number(lesson) > number(stem):
                    problems.append(f"{where}: {need!r} is in a later lesson")
                elif lesson != PRIMER and lesson not in course.extensions:
                    problems.append(f"{where}: {need!r}: lesson not registered, core unknown")
                elif headings[lesson][heading_id]["status"] != "core":
                    problems.append(f"{where}: {need!r} is in an "
                                    f"{headings[lesson][heading_id]['status']} section")
    return problems


def section_needs_table(course: Course) -> str:
    """The teacher's guide's table: each task, the sections it needs, their lesson and place."""
    rows = ["| Set | Task | Needs (lesson: section) | In the core? |", "|---|---|---|---|"]
    headings = {stem: headings_of(course, stem) for stem in course.lessons}
    for stem in course.solution_order():
        for task in tasks(course.solutions[stem]):
            needs = meta(task["prompt"]).get("needs_sections") or []
            label = task["heading"].replace("|", "/")
            if not needs:
                rows.append(f"| {set_code(stem)} | {label} | not declared yet | — |")
            for need in needs:
                lesson, _, heading_id = str(need).partition("#")
                found = headings.get(lesson, {}).get(heading_id)
                title = found["title"] if found else f"`{heading_id}` (no such heading)"
                place = {"core": "yes", None: "—"}.get(found and found["status"],
                                                      f"no ({found and found['status']})")
                rows.append(f"| {set_code(stem)} | {label} | {set_code(lesson)}: "
                            f"{title.replace('|', '/')} | {place} |")
    return "\n".join(rows)


# ---------------------------------------------------------------------------------------------
# Predict moments and the IR question


def predict_problems(course: Course) -> list[str]:
    problems = [f"{stem}: not in lesson_times.LESSONS, so its core is unknown"
                for stem in unregistered(course)]
    for stem in course.lesson_order():
        if stem == PRIMER:
            continue
        activities = [(cell.get("id"), meta(cell).get("activity")) for cell in
                      core_cells(course, stem) if meta(cell).get("activity") is not None]
        problems += [f"{stem} {cell_id}: activity {kind!r} is not one of {ACTIVITIES}"
                     for cell_id, kind in activities if kind not in ACTIVITIES]
        predicts = [(i, cell_id) for i, (cell_id, kind) in enumerate(activities)
                    if kind in ("predict", "try")]
        reveals = [i for i, (_, kind) in enumerate(activities) if kind == "reveal"]
        if len(predicts) < MIN_PREDICTS:
            problems.append(f"{stem}: {len(predicts)} predict/try moments in the core, "
                            f"not {MIN_PREDICTS} or more")
        for position, cell_id in predicts:  # each needs its own reveal after it
            later = [i for i in reveals if i > position]
            if later:
                reveals.remove(later[0])
            else:
                problems.append(f"{stem} {cell_id}: no reveal after it in the core")
    return problems


def ir_question_problems(course: Course) -> list[str]:
    problems, headlines = [], []
    for stem in course.lesson_order():
        if stem == PRIMER:
            continue
        cells = course.lessons[stem]["cells"]
        ids = [cell.get("id") for cell in cells]
        if "lesson-plan" not in ids:
            problems.append(f"{stem}: no lesson-plan cell")
            continue
        after = ids.index("lesson-plan") + 1
        cell = cells[after] if after < len(cells) else None
        if cell is None or cell.get("id") != "ir-question" or cell["cell_type"] != "markdown":
            problems.append(f"{stem}: the cell after lesson-plan is not the markdown cell "
                            "`ir-question`")
            continue
        if "?" not in text(cell):
            problems.append(f"{stem}: ir-question asks no question")
        if meta(cell).get("headline") is True:
            headlines.append(stem)
            if "ukraine" not in text(cell).lower():
                problems.append(f"{stem}: the headline question does not name Ukraine")
    if len(headlines) != 1:
        problems.append(f"{len(headlines)} lessons carry the headline question "
                        f"({', '.join(headlines) or 'none'}), not exactly one")
    return problems


# ---------------------------------------------------------------------------------------------
# Idioms


def solution_code(source: str) -> str:
    """An answer cell's code without the markers (grading/build.py's BEGIN/END/STUB lines)."""
    return "\n".join(line for line in source.splitlines()
                     if line.strip() not in (BEGIN, END) and not line.strip().startswith(STUB))


def region_code(source: str) -> str:
    """Only what the student writes: the lines between BEGIN and END SOLUTION."""
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            inside = False
        elif inside and not line.strip().startswith(STUB):
            lines.append(line)
    return textwrap.dedent("\n".join(lines))


def parse(source: str) -> ast.Module:
    """Parse a cell, leaving out IPython's `%magic` and `!shell` lines."""
    kept = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    return ast.parse("\n".join(kept))


def defined_names(tree: ast.AST) -> set[str]:
    """Names a notebook makes itself (functions, assigned names): calling them is no idiom."""
    names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    names |= {node.id for node in ast.walk(tree)
              if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    names |= {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
    return names


def idioms_in(tree: ast.AST, own: set[str] = frozenset()) -> dict[str, str]:
    """Idiom -> how the card shows it, for one parsed cell."""
    found: dict[str, str] = {}
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called.add(id(node.func))
            if isinstance(node.func, ast.Attribute):
                name = node.func.attr
                owner = node.func.value
                shown = (f"{owner.id}.{name}()" if isinstance(owner, ast.Name)
                         and owner.id in MODULE_ALIASES else f".{name}()")
            elif isinstance(node.func, ast.Name):
                if node.func.id in own:
                    continue
                name = shown = node.func.id
                shown = f"{name}()"
            else:
                continue
            found.setdefault(f"{name}()", shown)
            for keyword in node.keywords:
                if keyword.arg and name not in FREE_KEYWORDS:
                    found.setdefault(f"{name}({keyword.arg}=)",
                                     f"{shown[:-1]}{keyword.arg}=)")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitOr, ast.BitAnd)):
            found.setdefault("|" if isinstance(node.op, ast.BitOr) else "&",
                             "|" if isinstance(node.op, ast.BitOr) else "&")
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.BitOr, ast.BitAnd)):
            found.setdefault("|" if isinstance(node.op, ast.BitOr) else "&",
                             "|" if isinstance(node.op, ast.BitOr) else "&")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            found.setdefault("~", "~")
        elif isinstance(node, ast.Lambda):
            found.setdefault("lambda", "lambda")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in called \
                and isinstance(node.ctx, ast.Load) and node.attr in ATTRIBUTES:
            owner = node.value
            shown = (f"{owner.id}.{node.attr}" if isinstance(owner, ast.Name)
                     and owner.id in MODULE_ALIASES else f".{node.attr}")
            found.setdefault(f".{node.attr}", shown)
    for known in ASSUMED:
        found.pop(known, None)
    return found


def student_code(source: str) -> str:
    """What a student writes in an answer cell: the solution's region when the cell marks one
    (the instructor's lines around it are read, not written), else the whole cell."""
    return region_code(source) if BEGIN in source else solution_code(source)


def notebook_idioms(notebook: dict, cells: list[dict], code=solution_code) -> dict[str, str]:
    """The idioms of some code cells of a notebook (names the notebook defines left out); code
    picks the part of each wanted cell that counts."""
    trees = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            try:
                trees.append((cell, parse(solution_code(text(cell)))))
            except SyntaxError:
                continue
    own = set().union(*(defined_names(tree) for _, tree in trees)) if trees else set()
    found: dict[str, str] = {}
    wanted = {id(cell) for cell in cells}
    for cell, tree in trees:
        if id(cell) in wanted:
            if code is not solution_code:
                tree = parse(code(text(cell)))
            for idiom, shown in idioms_in(tree, own).items():
                found.setdefault(idiom, shown)
    return found


def lesson_idioms(course: Course, stem: str, part: str = "core") -> dict[str, str]:
    """The idioms a lesson's code cells show in its core (part="core") or anywhere ("all")."""
    notebook = course.lessons[stem]
    cells = [cell for cell, status, _ in placed_cells(notebook, course.extensions.get(stem, []))
             if cell["cell_type"] == "code" and (part == "all" or status == "core")]
    return notebook_idioms(notebook, cells)


def first_shown(course: Course) -> dict[str, str]:
    """Idiom -> the first lesson (by file name) whose core or primer code shows it."""
    found: dict[str, str] = {}
    for stem in course.lesson_order():
        for idiom in lesson_idioms(course, stem):
            found.setdefault(idiom, stem)
    return found


def answer_idioms(solution: dict) -> list[tuple[str, dict[str, str] | None]]:
    """(answer cell id, its idioms or None when it does not parse) for each answer cell."""
    answers = [cell for cell in solution["cells"] if "answer" in tags(cell)
               and cell["cell_type"] == "code"]
    found = []
    for cell in answers:
        try:
            parse(solution_code(text(cell)))
        except SyntaxError:
            found.append((cell.get("id"), None))
            continue
        found.append((cell.get("id"), notebook_idioms(solution, [cell], code=student_code)))
    return found


def idiom_problems(course: Course) -> list[str]:
    problems = []
    first = first_shown(course)
    anywhere = {}
    for stem in course.lesson_order():
        for idiom in lesson_idioms(course, stem, "all"):
            anywhere.setdefault(idiom, stem)
    for stem in course.solution_order():
        for cell_id, idioms in answer_idioms(course.solutions[stem]):
            if idioms is None:
                problems.append(f"{set_code(stem)} {cell_id}: does not parse")
                continue
            for idiom, shown in sorted(idioms.items()):
                lesson = first.get(idiom)
                if lesson is not None and number(lesson) <= number(stem):
                    continue
                where = (f"first shown in the core of {lesson}" if lesson
                         else f"only in an extension of {anywhere[idiom]}" if idiom in anywhere
                         else "in no lesson")
                problems.append(f"{set_code(stem)} {cell_id}: `{shown}` is {where}")
    return problems


# ---------------------------------------------------------------------------------------------
# Tips, hints, steps: the progression


def paragraphs(source: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", source) if p.strip()]


def task_tips(task: dict) -> list[str]:
    cells = [task["prompt"], *task["cells"]]
    return [p for cell in cells if cell["cell_type"] == "markdown"
            and not set(tags(cell)) & set(INSTRUCTOR_TAGS)
            for p in paragraphs(text(cell)) if TIP.match(p)]


def shows_code(paragraph: str, names: set[str] = frozenset()) -> bool:
    """Whether a backticked span of the paragraph is code: a call, an attribute, an index, an
    operator, an assignment, or the bare name of a method the course uses."""
    return any(CODE_LIKE.search(span.strip()) or span.strip() in names
               for span in CODE_SPAN.findall(paragraph))


def method_names(course: Course) -> set[str]:
    """Bare names of the functions and methods the course's code calls (`value_counts`)."""
    names = set()
    for stem in course.lesson_order():
        names |= {idiom[:-2] for idiom in lesson_idioms(course, stem, "all")
                  if idiom.endswith("()")}
    return names


def tip_problems(course: Course) -> list[str]:
    names, problems = method_names(course), []
    for stem in course.solution_order():
        if number(stem) < FIRST_SET_WITHOUT_CODE_TIPS:
            continue
        for task in tasks(course.solutions[stem]):
            problems += [f"{set_code(stem)} {task['id']}: a tip shows code: "
                         f"{' '.join(tip.split())[:80]}"
                         for tip in task_tips(task) if shows_code(tip, names)]
    return problems


def declared_hints(task: dict) -> int:
    """Hints declared by `wrong_answers(check_id, {hint: answer, ...})` in the task."""
    count = 0
    for cell in tagged(task, "wrong-answers"):
        try:
            tree = parse(text(cell))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "wrong_answers":
                second = node.args[1] if len(node.args) > 1 else None
                count += len(second.keys) if isinstance(second, ast.Dict) else 1
    return count


OPERATIONS = (ast.Call, ast.Subscript, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp)


def task_steps(task: dict) -> tuple[int, int]:
    """(statements, operations) the student writes, inside the BEGIN/END SOLUTION regions; an
    operation is a call, an index (`[...]`) or an operator, so a chain counts each link."""
    statements = operations = 0
    for cell in tagged(task, "answer"):
        try:
            tree = parse(region_code(text(cell)))
        except SyntaxError:
            continue
        statements += sum(isinstance(node, ast.stmt) for node in ast.walk(tree))
        operations += sum(isinstance(node, OPERATIONS) for node in ast.walk(tree))
    return statements, operations


def spread(values: list[int]) -> str:
    if not values:
        return "—"
    mean = sum(values) / len(values)
    return f"{mean:.1f} ({min(values)}–{max(values)})"


def progression_rows(course: Course) -> list[dict]:
    names, rows = method_names(course), []
    for stem in course.solution_order():
        found = tasks(course.solutions[stem])
        code_tasks = [t for t in found if tagged(t, "answer")]
        tips = [tip for t in found for tip in task_tips(t)]
        rows.append({
            "set": set_code(stem), "tasks": len(found),
            "written": sum(1 for t in found
                           if tagged(t, "answer-text") and not tagged(t, "answer")),
            "steps": [task_steps(t)[0] for t in code_tasks],
            "operations": [task_steps(t)[1] for t in code_tasks],
            "hints": [len(task_tips(t)) + declared_hints(t) for t in code_tasks],
            "code_tips": sum(shows_code(tip, names) for tip in tips),
            "stretch": sum(meta(t["prompt"]).get("stretch") is True for t in found),
            "open": bool(found) and found[-1]["id"] == "open-prompt",
            "interaction": sum(meta(t["prompt"]).get("interaction") in INTERACTIONS
                               for t in found),
        })
    return rows


def progression_table(course: Course) -> str:
    lines = ["| Set | Tasks (written) | Statements per code task | Operations per code task "
             "| Hints per code task | Tips showing code | Stretch | Open task | Interaction |",
             "|---|---:|---|---|---|---:|---:|---|---:|"]
    for row in progression_rows(course):
        lines.append(f"| {row['set']} | {row['tasks']} ({row['written']}) | "
                     f"{spread(row['steps'])} | {spread(row['operations'])} | "
                     f"{spread(row['hints'])} | {row['code_tips']} | "
                     f"{row['stretch']} | {'yes' if row['open'] else 'no'} | "
                     f"{row['interaction']} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Open tasks, interaction, stretch, read-only cells


def open_task_problems(course: Course) -> list[str]:
    problems = []
    for stem in course.solution_order():
        found, code = tasks(course.solutions[stem]), set_code(stem)
        if not found or found[-1]["id"] != "open-prompt":
            problems.append(f"{code}: the set does not end with an open task (`open-prompt`)")
            continue
        task = found[-1]
        if not tagged(task, "answer") or tagged(task, "check"):
            problems.append(f"{code} open-prompt: needs an `answer` code cell and no check")
        texts = tagged(task, "answer-text")
        if len(texts) != 1:
            problems.append(f"{code} open-prompt: needs one `answer-text` cell")
            continue
        info = meta(texts[0])
        if info.get("check_id") != f"{code}-open":
            problems.append(f"{code} open-prompt: check_id is {info.get('check_id')!r}, "
                            f"not {code + '-open'!r}")
        if info.get("points") != OPEN_POINTS:
            problems.append(f"{code} open-prompt: {info.get('points')!r} points, "
                            f"not {OPEN_POINTS}")
        rubric = info.get("rubric")
        if not isinstance(rubric, list) or len(rubric) != OPEN_CRITERIA \
                or not all(str(item).strip() for item in rubric):
            problems.append(f"{code} open-prompt: the rubric needs {OPEN_CRITERIA} criteria")
    return problems


def interaction_problems(course: Course) -> list[str]:
    problems, sets, count = [], set(), 0
    for stem in course.solution_order():
        for task in tasks(course.solutions[stem]):
            kind = meta(task["prompt"]).get("interaction")
            if kind is None:
                continue
            if kind not in INTERACTIONS:
                problems.append(f"{set_code(stem)} {task['id']}: interaction {kind!r} is not "
                                f"one of {INTERACTIONS}")
                continue
            if not (tagged(task, "check") or tagged(task, "answer-text")):
                problems.append(f"{set_code(stem)} {task['id']}: an interaction question "
                                "without a check")
                continue
            count, sets = count + 1, sets | {stem}
    if count < MIN_INTERACTIONS or len(sets) < MIN_INTERACTION_SETS:
        problems.append(f"{count} interaction questions in {len(sets)} sets, not "
                        f"{MIN_INTERACTIONS} in {MIN_INTERACTION_SETS} or more")
    return problems


def stretch_problems(course: Course) -> list[str]:
    problems = []
    for stem in course.solution_order():
        for task in tasks(course.solutions[stem]):
            marked = meta(task["prompt"]).get("stretch") is True
            said = "(stretch)" in task["heading"].lower()
            if marked and not said:
                problems.append(f"{set_code(stem)} {task['id']}: stretch, but its heading "
                                "does not say \"(stretch)\"")
            elif said and not marked:
                problems.append(f"{set_code(stem)} {task['id']}: its heading says "
                                "\"(stretch)\" but the metadata does not")
    return problems


def read_only_problems(course: Course) -> list[str]:
    problems = []
    for folder, notebooks in (("notebooks", course.lessons), ("solutions", course.solutions)):
        for stem, notebook in sorted(notebooks.items()):
            for cell in notebook["cells"]:
                if cell["cell_type"] != "code":
                    continue
                first = text(cell).split("\n")[0]
                marked = meta(cell).get("read_only") is True
                if marked and not READ_ONLY_LINE.match(first):
                    problems.append(f"{folder}/{stem} {cell.get('id')}: read_only, but its "
                                    "first line is not `# Read, don't write: <why>`")
                elif READ_ONLY_START.match(first) and not marked:
                    problems.append(f"{folder}/{stem} {cell.get('id')}: says \"Read, don't "
                                    "write\" without metadata read_only")
    return problems


# ---------------------------------------------------------------------------------------------
# The reference card

MEANINGS = {
    # Python
    "|": "or, row by row: keep a row when either condition holds (each in parentheses)",
    "&": "and, row by row: keep a row when both conditions hold (each in parentheses)",
    "~": "not, row by row: turn True into False and back",
    "lambda": "a function written in one line, without a name",
    "len()": "how many items (or rows) there are",
    "round()": "round a number to so many decimals",
    "round(ndigits=)": "how many decimals to keep",
    "max()": "the largest value", "min()": "the smallest value",
    "sum()": "add the values up (True counts as 1)",
    "sorted()": "a sorted copy of a list", "sorted(key=)": "what to sort the items by",
    "sorted(reverse=)": "largest first",
    "list()": "turn something into a list", "dict()": "turn pairs into a dictionary",
    "set()": "the distinct values, without order", "tuple()": "turn something into a tuple",
    "int()": "a whole number", "float()": "a decimal number", "str()": "turn a value into text",
    "zip()": "walk through two lists side by side, in pairs",
    "zip(strict=)": "stop with an error when the lists differ in length",
    "range()": "the whole numbers from a start up to (not including) an end",
    "enumerate()": "number the items of a list as you go through them",
    "isinstance()": "whether a value is of a kind (a number, a text...)",
    "abs()": "a number without its sign",
    "display()": "show a table, chart or widget from inside a cell",
    ".items()": "the (key, value) pairs of a dictionary",
    ".keys()": "the keys of a dictionary", ".values()": "the values of a dictionary",
    ".get()": "look a key up, with a fallback when it is missing",
    ".append()": "add an item at the end of a list",
    ".upper()": "the text in capitals", ".lower()": "the text in small letters",
    ".strip()": "the text without spaces at its ends",
    ".split()": "cut a text into a list of words (or at a separator)",
    ".join()": "glue a list of texts together with a separator",
    ".format()": "put values into a text template",
    ".startswith()": "whether a text begins with another",
    "math.radians()": "degrees to radians (for trigonometry)",
    "radians()": "degrees to radians (for trigonometry)",
    "sin()": "the sine of an angle in radians", "cos()": "the cosine of an angle in radians",
    "asin()": "the angle whose sine is a number", "sqrt()": "the square root",
    "log10()": "the base-10 logarithm: how many powers of ten",
    "escape()": "make text safe to show inside a web page",
    # pandas: tables and columns
    "DataFrame()": "build a table from columns (a dictionary of lists)",
    "Series()": "build a single column of values",
    "read_csv()": "read a table from a CSV file",
    ".loc": "pick rows (by a condition or a label) and columns (by name)",
    ".iloc": "pick rows and columns by their position, counting from 0",
    ".columns": "the names of a table's columns",
    ".index": "a table's row labels",
    ".values": "a column's plain values, without labels",
    ".dt": "date tools for a column of dates (`.dt.year`, `.dt.days`)",
    ".str": "text tools for a column of texts (`.str.contains`, `.str.replace`)",
    ".year": "the year of a date", ".month": "the month of a date",
    ".days": "a time span in whole days",
    ".shape": "(rows, columns) of a table",
    ".empty": "whether a table has no rows",
    ".head()": "the first rows of a table (five unless you say)",
    ".tail()": "the last rows of a table",
    ".copy()": "a copy you can change without changing the original",
    ".sort_values()": "sort the rows by one or more columns",
    "sort_values(ascending=)": "False sorts from the largest down; a list sets it per column",
    "sort_values(by=)": "the column(s) to sort by",
    "sort_values(key=)": "sort by a function of the column instead of the column itself",
    ".sort_index()": "sort the rows by their labels",
    ".reset_index()": "turn the row labels back into an ordinary column",
    "reset_index(drop=)": "throw the old row labels away instead",
    "reset_index(name=)": "name the column that a Series' values become",
    ".set_index()": "use a column as the row labels",
    ".rename()": "give columns (or labels) new names",
    "rename(columns=)": "a dictionary {old name: new name}",
    ".drop()": "leave out columns or rows", "drop(columns=)": "the columns to leave out",
    ".assign()": "add a column computed from the others (a copy of the table)",
    ".merge()": "join two tables on matching values of a key column",
    "merge(on=)": "the key column both tables share",
    "merge(how=)": "which rows to keep: \"left\" keeps every row of the first table",
    "merge(left_on=)": "the key column in the first table",
    "merge(right_on=)": "the key column in the second table",
    "merge(validate=)": "stop with an error if the join is not of the kind expected",
    "merge(suffixes=)": "how to tell apart columns both tables have",
    "concat()": "stack tables on top of each other",
    ".groupby()": "split the rows into groups by a column, to summarise each group",
    "groupby(as_index=)": "keep the group as a column, not as row labels",
    "groupby(dropna=)": "whether rows with a missing group value are dropped",
    ".size()": "the number of rows in each group",
    ".count()": "the number of values that are not missing",
    ".value_counts()": "how often each value occurs, most frequent first",
    "value_counts(normalize=)": "shares instead of counts",
    "value_counts(dropna=)": "whether missing values are counted too",
    ".nunique()": "how many distinct values", ".unique()": "the distinct values",
    ".agg()": "several summaries at once (e.g. [\"min\", \"max\"])",
    ".mean()": "the average", ".median()": "the middle value",
    ".sum()": "add the values up (True counts as 1)",
    ".max()": "the largest value", ".min()": "the smallest value",
    ".idxmax()": "the label of the largest value",
    ".cumsum()": "running total",
    ".diff()": "the change from the previous row",
    ".pct_change()": "the change from the previous row, as a share",
    ".round()": "round the numbers to so many decimals",
    ".abs()": "the numbers without their sign",
    ".isin()": "whether each value is one of a list",
    ".between()": "whether each value lies between two bounds (both included)",
    ".isna()": "True where a value is missing (NaN)",
    ".notna()": "True where a value is present",
    ".dropna()": "leave out the rows with missing values",
    "dropna(subset=)": "look for missing values only in these columns",
    ".fillna()": "put a value where values are missing",
    ".astype()": "change the kind of the values (text, whole number...)",
    ".where()": "keep values where a condition holds, put another value elsewhere",
    ".replace()": "swap values for others (a dictionary {old: new})",
    ".map()": "look each value up in a dictionary (or pass it through a function)",
    ".apply()": "call a function on each value or row",
    ".item()": "the single value of a one-value selection",
    ".tolist()": "the values as a Python list",
    ".to_dict()": "the values as a dictionary {label: value}",
    ".explode()": "one row per item of a list in a cell",
    ".nlargest()": "the rows with the largest values",
    ".nsmallest()": "the rows with the smallest values",
    ".duplicated()": "True for a row that repeats an earlier one",
    ".drop_duplicates()": "keep each distinct row once",
    ".itertuples()": "go through the rows one by one, as tuples",
    ".contains()": "whether each text contains a word or pattern",
    ".extract()": "take the part of each text that a pattern matches",
    ".to_numeric()": "turn text into numbers", "to_numeric()": "turn text into numbers",
    "to_datetime()": "turn text into dates", "Timestamp()": "one moment in time (a date)",
    "DateOffset()": "a calendar step (months, years) to add to a date",
    "DateOffset(months=)": "how many months the step is",
    "crosstab()": "count each pair of values of two columns, as a table",
    "pivot_table()": "summarise a value per row group and column group",
    ".NA": "a missing value", ".nan": "a missing value (not a number)",
    # Altair
    "Chart()": "start a chart from a table",
    ".mark_bar()": "draw bars", ".mark_point()": "draw points", ".mark_line()": "draw lines",
    ".mark_circle()": "draw filled circles", ".mark_rule()": "draw straight lines (rules)",
    ".mark_text()": "write text on the chart",
    ".mark_text(x=)": "where the text sits across the chart (a position or a field)",
    ".mark_text(limit=)": "the widest text, in pixels, before it is cut with an ellipsis",
    ".mark_tick()": "draw short ticks",
    ".mark_point(aria=)": "False: screen readers skip the marks and read the chart's description",
    ".mark_bar(aria=)": "False: screen readers skip the bars and read the chart's description",
    ".mark_area()": "draw a filled area", ".mark_rect()": "draw rectangles (a heat map)",
    ".mark_geoshape()": "draw shapes from map data",
    ".encode()": "say which column goes on which channel (x, y, colour, tooltip...)",
    "encode(x=)": "the column on the horizontal axis",
    "encode(y=)": "the column on the vertical axis",
    "encode(x2=)": "where a bar or rule ends on the x axis",
    "encode(color=)": "the column that sets the colour",
    "encode(shape=)": "the column that sets the point's shape",
    "encode(size=)": "the column that sets the size",
    "encode(opacity=)": "the column (or condition) that sets how see-through a mark is",
    "encode(tooltip=)": "the columns shown when the pointer rests on a mark",
    "encode(yOffset=)": "put the bars of one row side by side instead of stacked",
    "encode(text=)": "the column a text mark writes",
    "encode(row=)": "one small chart per value, in rows",
    "encode(order=)": "the order of stacked pieces",
    "encode(longitude=)": "the column of longitudes (map)",
    "encode(latitude=)": "the column of latitudes (map)",
    "X()": "the x channel with options (title, scale, sort)",
    "Y()": "the y channel with options (title, scale, sort)",
    "Color()": "the colour channel with options (legend, scale)",
    "Tooltip()": "one tooltip field with options (title, format)",
    "Scale()": "how values map to positions or colours", "Scale(type=)": "\"log\" for a log scale",
    "Scale(domain=)": "the values the scale covers",
    "Axis()": "how an axis looks (labels, format)", "Legend()": "how a legend looks",
    "X(title=)": "the axis title", "Y(title=)": "the axis title",
    "X(sort=)": "the order of the values along the axis",
    "Y(sort=)": "the order of the values along the axis",
    "X(scale=)": "the axis scale (e.g. log)", "Y(scale=)": "the axis scale",
    ".properties()": "chart settings: title, description, width, height",
    "properties(title=)": "the chart's title: the question it answers",
    "properties(description=)": "what a screen reader says instead of the picture",
    "properties(width=)": "the chart's width", "properties(height=)": "the chart's height",
    "param()": "a value the reader can change (with a control bound to it)",
    "param(bind=)": "the control (buttons, list, slider) that changes the value",
    "binding_radio()": "a row of radio buttons",
    "binding_select()": "a drop-down list",
    "binding_range()": "a slider",
    "selection_point()": "a selection made by clicking (a point or a legend entry)",
    "selection_point(fields=)": "the column the click selects by",
    "selection_point(bind=)": "make the legend clickable (bind=\"legend\")",
    "selection_interval()": "a selection made by dragging a box (brushing)",
    ".add_params()": "attach a parameter or selection to the chart",
    ".transform_filter()": "keep only the rows that a parameter or condition allows",
    ".transform_calculate()": "compute a new field inside the chart",
    "condition()": "one value where a selection holds, another elsewhere",
    "value()": "a fixed value for a channel (one colour for all)",
    ".datum": "the current row, inside a chart's expression",
    "layer()": "draw charts on top of each other",
    "hconcat()": "put charts side by side", "vconcat()": "put charts one above the other",
    ".interactive()": "let the reader zoom and pan",
    "JupyterChart()": "a chart a notebook can talk to (read its selections)",
    # ipywidgets
    "Dropdown()": "a drop-down list control", "SelectMultiple()": "a list to pick several",
    "BoundedIntText()": "a box for a whole number within limits",
    "Output()": "an area a widget's callback writes into",
    "VBox()": "stack widgets one above the other", "HBox()": "put widgets side by side",
    ".observe()": "call a function whenever a widget's value changes",
    "interact()": "make controls for a function's inputs",
    # more pandas
    "DataFrame(columns=)": "the column names, in order",
    "Series(name=)": "the column's name",
    "set_option()": "change how pandas shows tables (how many rows, how wide)",
    "normalize()": "a date at midnight, without its time",
    "Timedelta()": "a length of time (days) to add to or subtract from a date",
    "update()": "change a dictionary's entries from another one",
    "fromkeys()": "a dictionary with these keys, all with one value",
    "equals()": "whether two tables hold exactly the same values",
    "eq()": "True where the values equal another value (like ==)",
    "unstack()": "turn the inner row labels into columns",
    "droplevel()": "drop one level of two-level labels",
    "to_frame()": "turn a column (Series) into a one-column table",
    "rename_axis()": "name the row labels",
    "last()": "the last value of each group",
    "pivot_table(values=)": "the column to summarise",
    "date_range()": "a run of dates, one per day, month or year",
    "date_range(freq=)": "the step between the dates (\"MS\": each month's first day)",
    "to_html()": "a table as HTML, for a web page or a widget",
    "concat(keys=)": "label each stacked table",
    "concat(ignore_index=)": "number the rows afresh",
    "itertuples(index=)": "leave the row label out of each tuple",
    "itertuples(name=)": "None gives plain tuples",
    "merge(indicator=)": "add a column saying whether a row matched",
    "sort_values(ignore_index=)": "number the sorted rows afresh",
    "drop(index=)": "the row labels to leave out",
    "sum(axis=)": "1 adds across each row instead of down each column",
    "replace(regex=)": "treat the text to replace as a pattern",
    "unstack(fill_value=)": "the value for the pairs that do not occur",
    ".T": "the table turned on its side (rows become columns)",
    "combinations()": "every pair (or group) of items from a list, each once",
    "isclose()": "whether two decimal numbers are equal up to rounding",
    "hypot()": "the length of the diagonal: square root of x² + y²",
    ".pi": "the number π (3.14159...)",
    "Markdown()": "show formatted text from code",
    # more Altair
    "Shape()": "the shape channel with options (legend, scale)",
    "Size()": "the size channel with options", "Fill()": "the fill colour channel with options",
    "Text()": "the text channel with options (format)", "Order()": "the order of stacked pieces",
    "YOffset()": "the y-offset channel with options (bars side by side)",
    "Row()": "one small chart per value, in rows (with options)",
    "Header()": "how the labels of small charts look",
    "Title()": "a chart title with a subtitle", "Step()": "a width per bar or band",
    "encode(fill=)": "the column that sets the fill colour",
    "encode(y2=)": "where a bar or rule ends on the y axis",
    "facet()": "split a chart into small charts, one per value",
    "project()": "how a map is drawn flat (the projection)",
    "enable_offline()": "draw charts without the internet",
    "layer(data=)": "the table all layers share",
    "X(stack=)": "whether bars are stacked end to end",
    "Scale(zero=)": "whether the axis must start at zero",
    "Scale(scheme=)": "a named colour scheme", "Scale(range=)": "the colours (or sizes) to use",
    "Scale(padding=)": "space at the ends of the axis",
    "binding_range(min=)": "the slider's smallest value",
    "binding_range(max=)": "the slider's largest value",
    "binding_range(step=)": "how far one step moves the slider",
    # more widgets
    "Label()": "a text label next to a control",
    "HTML()": "show HTML (a web page's text) in the notebook",
    "Layout()": "a widget's size and spacing", "ToggleButtons()": "a row of buttons, one on",
    "Textarea()": "a box for several lines of text",
    "Textarea(continuous_update=)": "False: react only when the student leaves the box",
    "observe(names=)": "which property to watch (\"value\")",
}
# A keyword argument's meaning when its call has none of its own (`alt.Color(title=)`).
KEYWORD_MEANINGS = {
    "title": "the title shown", "legend": "how the legend looks (None hides it)",
    "scale": "how values map to positions, colours or sizes", "sort": "the order of the values",
    "format": "how numbers or dates are written (\",\" groups thousands)",
    "axis": "how the axis looks (labels, format)", "options": "the choices offered",
    "value": "the starting value", "description": "the label shown before the control",
    "layout": "the control's size", "style": "the control's look (e.g. label width)",
    "name": "the name shown next to the control", "rows": "how many rows the list shows",
    "min": "the smallest value allowed", "max": "the largest value allowed",
    "step": "how much one step changes the value", "size": "how big the marks are",
    "opacity": "how see-through the marks are (0 to 1)",
    "fillOpacity": "how see-through the fill is",
    "color": "one colour for every mark", "fill": "the fill colour",
    "stroke": "the outline colour", "strokeWidth": "the outline's thickness",
    "strokeDash": "a dashed line (dash and gap lengths)", "filled": "filled or hollow marks",
    "shape": "the marks' shape", "width": "the width", "height": "the height",
    "align": "where text sits against its point", "dx": "move text right (pixels)",
    "dy": "move text down (pixels)", "fontSize": "the text's size",
    "orient": "where the legend sits", "direction": "horizontal or vertical legend",
    "labelLimit": "how long a label may be before it is cut",
    "labelAngle": "the labels' angle", "labelExpr": "rewrite each label with an expression",
    "labelAlign": "how labels line up", "labelOrient": "which side labels sit on",
    "labelAnchor": "where labels start", "tickCount": "about how many ticks",
    "tickMinStep": "the smallest step between ticks", "values": "the values listed",
    "symbolFillColor": "the legend symbols' fill",
    "symbolStrokeColor": "the legend symbols' outline",
    "subtitle": "a second line under the title (e.g. the sources)",
    "header": "how the labels look",
    "embed_options": "how the chart is drawn (the course's options)",
    "index": "the column(s) that become row labels",
    "columns": "the column(s) that become columns",
    "aggfunc": "how to summarise (\"count\", \"sum\")",
    "fill_value": "the value for empty combinations", "margins": "add totals",
    "margins_name": "the totals' label", "row": "one small chart per value, in rows",
    "type": "the kind (of scale, projection...)", "days": "a number of days",
}


# The course's tables of names and colours: they have no docstring of their own.
CONSTANT_MEANINGS = {
    "EMBED_OPTIONS": "options for a chart drawn by hand: no export menu (it needs the internet)",
    "MISSION_NAMES": "each mission id with its readable name",
    "READABLE_LABELS": "each code with the words a chart shows instead",
    "SHORT_NAMES": "each article's short label, the one used everywhere",
    "SHORT_LABELS": "short labels for the sums of money",
    "DRAWN_PRECISIONS": "the date precisions the timeline draws",
    "MAIN_THEMES": "the themes the timeline shows by name",
    "OTHER_THEMES": "the themes the timeline groups as \"other\"",
    "PRECISION_COLOURS": "a colour for each date precision",
    "PRECISION_FILL": "a fill for each location precision",
    "PRECISION_ORDER": "the location precisions, most exact first",
    "PRECISION_SHAPE": "a shape for each location precision",
    "THEME_COLOURS": "a colour for each theme",
    "THEME_NAMES": "each theme's name as a reader writes it, by its code",
    "INCIDENT_COLOUR": "the colour of incidents on the map",
    "UNITS": "each unit of money with how many euros it holds",
    "ASSUMPTIONS": "the scenario explorer's assumptions and the settings each can take",
    "ICD203_SCALE": "each estimative word with its probability range (ICD 203)",
    "RELATIONS": "how a claim relates to a scenario setting (supports, opposes, warns)",
    "SCENARIO_RULES": "which claims support, oppose or warn about each scenario setting",
    "STANCE_COLOURS": "a colour for each stance",
    "STANCE_ORDER": "the stances in the order charts show them",
    "THREADS": "the four threads of argument and their claims",
    "SECTIONS": "the parts of the capstone briefing, in order",
}


def helper_meanings(course: Course) -> dict[str, tuple[str, str, str]]:
    """Course helper -> (module, first lesson importing it, meaning from its docstring)."""
    found: dict[str, tuple[str, str, str]] = {}
    for stem in course.lesson_order():
        core = {id(cell) for cell in core_cells(course, stem)}
        for cell in course.lessons[stem]["cells"]:
            if cell["cell_type"] != "code":
                continue
            try:
                tree = parse(text(cell))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                        "balkan_course"):
                    for alias in node.names:
                        where = stem if id(cell) in core else f"{stem} (extension)"
                        if alias.name not in found or (
                                found[alias.name][1].endswith("(extension)")
                                and id(cell) in core):
                            found[alias.name] = (node.module, where,
                                                 docstring_line(node.module, alias.name))
    return found


def docstring_line(module: str, name: str) -> str:
    """The first sentence of a helper's docstring, or "—" when it has none."""
    try:
        value = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return "—"
    doc = getattr(value, "__doc__", None)
    if not callable(value) or not doc:
        return CONSTANT_MEANINGS.get(name, "—")
    first = " ".join(doc.strip().split("\n\n")[0].split())
    return first.split(". ")[0].rstrip(".") if first else "—"


KEYWORD = re.compile(r"^(\w+)\((\w+)=\)$")


def card_entries(course: Course) -> list[dict]:
    """Every idiom a student meets: where a core (or the primer) first shows it, or else where
    they first meet it (an extension, an exercise). The helpers and their keywords are left
    to the helpers' own table."""
    entries: dict[str, dict] = {}
    for stem in course.lesson_order():
        for part in ("core", "all"):
            for idiom, shown in lesson_idioms(course, stem, part).items():
                entries.setdefault(idiom, {"idiom": idiom, "shown": shown, "stem": stem,
                                           "where": "core" if part == "core" else "extension"})
    for stem in course.solution_order():
        for _, idioms in answer_idioms(course.solutions[stem]):
            for idiom, shown in (idioms or {}).items():
                entries.setdefault(idiom, {"idiom": idiom, "shown": shown, "stem": stem,
                                           "where": "exercise"})
    helpers = set(helper_meanings(course))
    return [entry for entry in entries.values()
            if entry["idiom"].split("(")[0] not in helpers]


def idiom_key(written: str) -> str:
    """A MEANINGS key as an idiom: `.merge()` and `pd.merge()` are `merge()`, `.loc` stays."""
    if "(" not in written:
        return written
    return re.sub(rf"^(?:(?:{'|'.join(MODULE_ALIASES)})\.|\.)", "", written)


def meaning(idiom: str) -> str:
    meanings = {idiom_key(key): value for key, value in MEANINGS.items()}
    keyword = KEYWORD.match(idiom)
    if idiom not in meanings and keyword:
        name = keyword.group(2)
        return KEYWORD_MEANINGS.get(name, "—")
    return meanings.get(idiom, "—")


def meaning_problems(course: Course) -> list[str]:
    """Idioms and helpers on the card without a meaning."""
    problems = [f"idiom `{e['shown']}` has no meaning on the card"
                for e in card_entries(course) if meaning(e["idiom"]) == "—"]
    problems += [f"helper `{name}` ({module}) has no docstring for the card"
                 for name, (module, _, line) in helper_meanings(course).items() if line == "—"]
    return problems


def lesson_title(course: Course, stem: str) -> str:
    first = text(course.lessons[stem]["cells"][0]).split("\n")[0].lstrip("# ").strip()
    return first.split(":")[0]


def card_rows(entries: list[dict]) -> list[tuple[dict, list[dict]]]:
    """Entries with the keyword arguments met at the same place nested under their call."""
    calls = {(e["idiom"], e["stem"], e["where"]): (e, []) for e in entries
             if not KEYWORD.match(e["idiom"])}
    rows = dict(calls)
    for entry in entries:
        found = KEYWORD.match(entry["idiom"])
        if not found:
            continue
        owner = calls.get((f"{found.group(1)}()", entry["stem"], entry["where"]))
        if owner:
            owner[1].append(entry)
        else:
            rows[(entry["idiom"], entry["stem"], entry["where"])] = (entry, [])
    return sorted(rows.values(), key=lambda row: (row[0]["stem"], row[0]["shown"].lower()))


def keywords_text(keywords: list[dict]) -> str:
    parts = []
    for entry in sorted(keywords, key=lambda e: e["idiom"].lower()):
        name = KEYWORD.match(entry["idiom"]).group(2)
        known = meaning(entry["idiom"])
        parts.append(f"`{name}=`" + ("" if known == "—" else f" {known}"))
    return "; ".join(parts)


def reference_card(course: Course) -> str:
    rows = card_rows(card_entries(course))
    lines = [
        "# Reference card: the Python, pandas and Altair of the course",
        "",
        "<!-- Generated by `python scripts/course_design.py --write` from the notebooks; do not "
        "edit by hand. -->",
        "",
        "Every function, method, attribute, operator and keyword argument a student meets, "
        "under the lesson whose **core** (or the [primer](../notebooks/00a_python_primer.ipynb)) "
        "first shows it in a code cell, with a one-line meaning (— where the card has none "
        "yet). `.name()` is a method, called after a dot; `alt.name()` a function of a library; "
        "keyword arguments (`how=`) are listed with their call. The course's own helpers, "
        "imported from `balkan_course`, come last. Print it, or keep it open next to the "
        "lessons.",
        "",
    ]
    for stem in course.lesson_order():
        shown = [row for row in rows if row[0]["stem"] == stem and row[0]["where"] == "core"]
        if not shown:
            continue
        lines += [f"## {lesson_title(course, stem)}", "",
                  "| Idiom | Meaning | Keyword arguments |", "|---|---|---|"]
        lines += [f"| `{entry['shown']}` | {escape(meaning(entry['idiom']))} | "
                  f"{escape(keywords_text(keywords))} |" for entry, keywords in shown]
        lines.append("")
    others = [row for row in rows if row[0]["where"] != "core"]
    if others:
        lines += ["## Met outside a core", "",
                  "Shown only in an extension, or written in an exercise's model answer but "
                  "shown in no lesson's code: `scripts/course_design.py` lists an exercise that "
                  "needs one of these as a problem.", "",
                  "| Idiom | Where first met | Meaning | Keyword arguments |",
                  "|---|---|---|---|"]
        for entry, keywords in others:
            where = (f"lesson {set_code(entry['stem'])}, extension"
                     if entry["where"] == "extension" else f"exercises {set_code(entry['stem'])}")
            lines.append(f"| `{entry['shown']}` | {where} | "
                         f"{escape(meaning(entry['idiom']))} | "
                         f"{escape(keywords_text(keywords))} |")
        lines.append("")
    lines += ["## The course's helpers", "",
              "Functions and tables of the course's own package, `balkan_course`: they exist "
              "only in this course. The meaning is the first line of the helper's own "
              "documentation (`help(name)` in a cell shows the rest).", "",
              "| Helper | Imported from | First imported in | Meaning |", "|---|---|---|---|"]
    for name, (module, where, line) in sorted(helper_meanings(course).items(),
                                               key=lambda item: (item[1][1], item[0].lower())):
        lesson = set_code(where) + (", extension" if where.endswith("(extension)") else "")
        lines.append(f"| `{name}` | `{module}` | {lesson} | {escape(line)} |")
    return "\n".join(lines) + "\n"


def escape(cell: str) -> str:
    return cell.replace("|", "\\|")


# ---------------------------------------------------------------------------------------------

CHECKS = {
    "section needs": section_need_problems,
    "predict moments": predict_problems,
    "IR question": ir_question_problems,
    "idioms": idiom_problems,
    "tips without code": tip_problems,
    "open tasks": open_task_problems,
    "interaction": interaction_problems,
    "stretch": stretch_problems,
    "read-only cells": read_only_problems,
    "card meanings": meaning_problems,
}


def write_docs(course: Course) -> None:
    lesson_times.replace_block("section-needs", section_needs_table(course))
    lesson_times.replace_block("progression", progression_table(course))
    CARD.write_text(reference_card(course), encoding="utf-8")


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="The conventions are in this script's docstring.")
    parser.add_argument("--write", action="store_true",
                        help="rewrite the teacher's guide's generated tables and "
                             "docs/reference_card.md")
    parser.add_argument("--problems", action="store_true", help="list every problem found")
    options = parser.parse_args(arguments)
    course = load_course()
    if options.write:
        write_docs(course)
    for name, check in CHECKS.items():
        problems = check(course)
        print(f"{name}: {len(problems)} problem(s)")
        if options.problems:
            for problem in problems:
                print(f"  - {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
