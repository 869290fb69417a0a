"""Write the term plans of docs/term_plans.md from the lessons and exercise sets present.

    PYTHONPATH=. .venv/bin/python scripts/term_plans.py            # print the tables
    PYTHONPATH=. .venv/bin/python scripts/term_plans.py --write    # rewrite them in the doc
    PYTHONPATH=. .venv/bin/python scripts/term_plans.py --check    # exit 1 if the doc differs

Nothing in the tables is typed by hand: the lessons are the notebooks in `notebooks/` (title
from each notebook's first heading, minutes from `scripts/lesson_times.py`), the exercise sets
are the notebooks in `solutions/` (points from the `balkan_course.points` metadata of the cells
tagged `check` and `answer-text`). The weeks come from a small rule (`plan_weeks`), so that a
new or split lesson lands somewhere sensible without editing the text:

- lessons keep their order; the primer and other lettered lessons of the first number (00a)
  share week 1 with lesson 00;
- in the 10-week plan a lettered lesson (04a, 05b) shares its week with its numbered lesson; in
  the 15-week plan it gets its own week;
- the capstone lesson (the lesson whose file name says `capstone`) comes after all the others,
  followed by the plan's closing weeks; a notebook numbered after the capstone (a reference
  notebook, such as a page of common errors) takes no week of its own and is set in week 2;
- the other lessons share the weeks left, in order: if there are more weeks than lessons, the
  longest lessons (whole lesson, by the time rule) get a second week for their extension and
  their set; if there are fewer, neighbouring lessons share a week;
- memo 1 follows the last lesson numbered 04 (the missions and their mandates), memo 2 the last
  lesson before the capstone: due the week after in the 10-week plan, after a writing workshop
  week in the 15-week plan;
- each exercise set is released in its lesson's (first) week and due the week after the
  lesson's last week; the capstone's set is due in the last week.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import lesson_times  # noqa: E402  (a sibling script, not a package)

DOC = ROOT / "docs" / "term_plans.md"
NUMBER = re.compile(r"^(\d+)([a-z]*)$")
CAPSTONE_WORD = "capstone"
MEMO_ONE_AFTER = "04"  # memo 1 is on the missions: it follows the last lesson numbered 04
CLASS_SIZE = 30

# Weights (per cent of the final grade); a teacher may change them: the tables follow.
WEIGHTS = {
    "Exercise sets (formative, counted: the mean of the sets' percentages, lowest set dropped)": 30,
    "Memo 1 (summative)": 15,
    "Memo 2 (summative)": 15,
    "Capstone briefing (summative: its set's checked and written points, with the rubric)": 30,
    "Participation (discussions, the six-capitals role-play, peer feedback on drafts)": 10,
}

# The teacher's time. Estimates (not measured): said so wherever they are printed.
SETUP_MINUTES = {
    "read the teacher's guide and this page; adapt the weights and policies": 60,
    "install the course (Anaconda or `make lab`) and open every lesson once": 60,
    "write the roster; make the per-student release (`make release`)": 30,
}
LMS_ASSIGNMENT_MINUTES = 5  # one LMS assignment per set, per memo and for the capstone
PER_SET_MINUTES = {"release (upload the set or the students' folders)": 10,
                   "import the LMS download, read the import report": 10,
                   "start the grading, read the class summary": 15,
                   "export the gradebook file, import it, publish the feedback pages": 15}
MINUTES_PER_ANSWER = 1.0  # reading one written answer and choosing its level...
MINUTES_PER_ANSWER_POINT = 1.0  # ... plus a minute per point the answer is worth
MEMO_MINUTES = 15  # one memo of 400-600 words with the rubric, comments included

# Machine time, MEASURED by benchmarks/bench_class.py (30 students per set, 2 workers) on
# 2026-12-06: x86_64, 2 CPUs shared with other users (load average 3.5 at the start, 10-14
# during the run), 24 GB, Python 3.11. Seconds for the whole class, one
# `python -m balkan_course.grading` run per set. A set not listed shows "not measured yet".
MEASURED_SECONDS = {
    "00_start_here": 23.8,
    "01_sources_and_evidence": 24.2,
    "02_timeline": 26.3,
    "03_who_is_who": 31.9,
    "04_peacekeeping_forces": 39.6,
    "05_money_and_capabilities": 63.5,
    "06_places_and_flashpoints": 81.8,
    "07_narratives_and_forecasts": 65.1,
    "08_capstone_briefing": 59.4,
}


@dataclass
class Lesson:
    stem: str
    number: str
    title: str
    core: float
    whole: float

    @property
    def base(self) -> str:
        return NUMBER.match(self.number)[1]

    @property
    def lettered(self) -> bool:
        return bool(NUMBER.match(self.number)[2])


@dataclass
class ExerciseSet:
    stem: str
    number: str
    title: str
    checks: list[int]  # points of each checked question
    written: list[int]  # points of each written answer

    @property
    def auto_points(self) -> int:
        return sum(self.checks)

    @property
    def written_points(self) -> int:
        return sum(self.written)


@dataclass
class Week:
    number: int
    lessons: list[str] = field(default_factory=list)  # lesson numbers, "07 (continued)"
    activity: str = ""
    released: list[str] = field(default_factory=list)  # set stems
    due: list[str] = field(default_factory=list)  # set stems, "Memo 1", "Capstone"
    reference: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanSpec:
    weeks: int
    lettered_own_week: bool
    memo_workshops: bool
    closing: tuple[str, ...]  # the weeks after the capstone lesson


PLANS = {
    10: PlanSpec(10, lettered_own_week=False, memo_workshops=False,
                 closing=("Capstone due; two-minute briefings to the class, questions from a "
                          "'minister' and a 'newsroom'",)),
    15: PlanSpec(15, lettered_own_week=True, memo_workshops=True,
                 closing=("Capstone workshop: drafts exchanged in pairs and marked against the "
                          "rubric; `briefing_report` run on each draft",
                          "Capstone due; briefings to the class, a closing discussion on what "
                          "the five articles cannot tell")),
}


# --- reading the notebooks ------------------------------------------------------------------


def read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def first_heading(notebook: dict) -> str:
    for cell in notebook["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and text.startswith("#"):
            title = text.split("\n")[0].lstrip("#").strip()
            return title.split(" · ", 1)[-1]  # "00 · Start here" -> "Start here"
    return ""


def lesson_minutes(stem: str, notebook: dict) -> tuple[float, float]:
    """(core, whole lesson) minutes by the time rule of scripts/lesson_times.py. A lesson the
    rule does not list yet (a new or split lesson, the primer) has no extension: all core."""
    if stem in lesson_times.LESSONS:
        times = lesson_times.estimate_from(notebook, stem)
        return times["core"], times["total"]
    parts = [s for s in lesson_times.sections(notebook) if not s["after_class"]]
    whole = sum(lesson_times.minutes(s) for s in parts)
    return whole, whole


def sort_key(number: str) -> tuple[int, str]:
    digits, letters = NUMBER.match(number).groups()
    return int(digits), letters


def read_lessons(root: Path = ROOT) -> list[Lesson]:
    found = []
    for path in (root / "notebooks").glob("*.ipynb"):
        number = path.stem.split("_")[0]
        if not NUMBER.match(number):
            continue
        notebook = read_notebook(path)
        core, whole = lesson_minutes(path.stem, notebook)
        found.append(Lesson(path.stem, number, first_heading(notebook), core, whole))
    return sorted(found, key=lambda lesson: sort_key(lesson.number))


def course_meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("balkan_course", {})


def read_sets(root: Path = ROOT) -> list[ExerciseSet]:
    found = []
    for path in sorted((root / "solutions").glob("*.ipynb")):
        notebook = read_notebook(path)
        if notebook.get("metadata", {}).get("balkan_course", {}).get("practice"):
            continue  # the primer's master: a lesson (read_lessons), not a set with points
        checks, written = [], []
        for cell in notebook["cells"]:
            tags = cell.get("metadata", {}).get("tags", [])
            if "check" in tags:
                checks.append(course_meta(cell)["points"])
            elif "answer-text" in tags:
                written.append(course_meta(cell)["points"])
        title = first_heading(notebook).split(": ", 1)[-1]
        found.append(ExerciseSet(path.stem, path.stem.split("_")[0], title, checks, written))
    return found


# --- the rule -------------------------------------------------------------------------------


def capstone_of(lessons: list[Lesson]) -> Lesson:
    named = [lesson for lesson in lessons if CAPSTONE_WORD in lesson.stem]
    return named[0] if named else lessons[-1]


def units_of(lessons: list[Lesson], spec: PlanSpec) -> list[list[Lesson]]:
    """The lessons before the capstone, grouped into what one week teaches at least."""
    capstone = capstone_of(lessons)
    before = [lesson for lesson in lessons if sort_key(lesson.number) < sort_key(capstone.number)]
    first = before[0].base if before else None
    units: list[list[Lesson]] = []
    for lesson in before:
        joins = lesson.lettered and units and units[-1][0].base == lesson.base and (
            lesson.base == first or not spec.lettered_own_week)
        if joins:
            units[-1].append(lesson)
        else:
            units.append([lesson])
    return units


def lesson_weeks(units: list[list[Lesson]], count: int) -> list[list[tuple[list[Lesson], bool]]]:
    """`count` weeks, each a list of (unit, continued?): one unit a week; spare weeks go to
    the longest units as a second week; too few weeks, and neighbouring units share one."""
    if len(units) <= count:
        longest = sorted(range(len(units)), key=lambda i: -sum(x.whole for x in units[i]))
        extra = [0] * len(units)
        for k in range(count - len(units)):  # more spare weeks than units: round again
            extra[longest[k % len(units)]] += 1
        weeks = []
        for i, unit in enumerate(units):
            weeks.append([(unit, False)])
            weeks += [[(unit, True)]] * extra[i]
        return weeks
    weeks = [[] for _ in range(count)]
    for i, unit in enumerate(units):
        weeks[i * count // len(units)].append((unit, False))
    return weeks


def plan_weeks(lessons: list[Lesson], sets: list[ExerciseSet], spec: PlanSpec) -> list[Week]:
    capstone = capstone_of(lessons)
    reference = [lesson for lesson in lessons
                 if sort_key(lesson.number) > sort_key(capstone.number)]
    units = units_of(lessons, spec)
    workshops = 2 if spec.memo_workshops else 0
    teaching = lesson_weeks(units, spec.weeks - 1 - len(spec.closing) - workshops)
    memo_one = max((i for i, week in enumerate(teaching)
                    for unit, _ in week if any(x.base == MEMO_ONE_AFTER for x in unit)),
                   default=len(teaching) // 2)
    memo_two = len(teaching) - 1
    weeks: list[Week] = []
    memo_due: dict[str, int] = {}
    for i, contents in enumerate(teaching):
        week = Week(len(weeks) + 1)
        for unit, continued in contents:
            week.lessons += [x.number + (" (continued)" if continued else "") for x in unit]
        weeks.append(week)
        for memo, anchor in (("Memo 1", memo_one), ("Memo 2", memo_two)):
            if i == anchor:
                if spec.memo_workshops:
                    weeks.append(Week(len(weeks) + 1, activity=f"{memo} workshop: plan and "
                                      "draft in class, a partner reads it against the rubric"))
                    memo_due[memo] = len(weeks)
                else:
                    memo_due[memo] = len(weeks) + 1
    weeks.append(Week(len(weeks) + 1, lessons=[capstone.number]))
    for text in spec.closing:
        weeks.append(Week(len(weeks) + 1, activity=text))
    assert len(weeks) == spec.weeks, (len(weeks), spec)
    for memo, number in memo_due.items():
        weeks[number - 1].due.append(memo)
    weeks[-1].due.append("Capstone")
    if reference and len(weeks) > 1:
        weeks[1].reference += [x.number for x in reference]
    place_sets(weeks, lessons, sets, capstone)
    return weeks


def lesson_of(exercise_set: ExerciseSet, lessons: list[Lesson]) -> Lesson | None:
    """The lesson with the set's file name, else the last lesson with its number."""
    same = [x for x in lessons if x.stem == exercise_set.stem]
    if same:
        return same[0]
    base = NUMBER.match(exercise_set.number)
    numbered = [x for x in lessons if base and x.base == base[1]]
    return numbered[-1] if numbered else None


def place_sets(weeks: list[Week], lessons: list[Lesson], sets: list[ExerciseSet],
               capstone: Lesson) -> None:
    def weeks_teaching(number: str) -> list[int]:
        return [w.number for w in weeks
                if any(item.split(" ")[0] == number for item in w.lessons)]

    for exercise_set in sets:
        lesson = lesson_of(exercise_set, lessons)
        taught = weeks_teaching(lesson.number) if lesson else []
        released = taught[0] if taught else 1
        weeks[released - 1].released.append(exercise_set.stem)
        if lesson is not capstone:  # the capstone's set is the capstone, due last
            due = min((taught[-1] if taught else released) + 1, len(weeks))
            weeks[due - 1].due.insert(0, exercise_set.stem)


# --- the tables -----------------------------------------------------------------------------


def set_label(exercise_set: ExerciseSet, capstone: bool = False) -> str:
    written = (f" + {len(exercise_set.written)} written, {exercise_set.written_points} pt"
               if exercise_set.written else "")
    label = f"set {exercise_set.number} ({exercise_set.auto_points} pt checked{written})"
    return f"the capstone, {label}: summative" if capstone else label


def lessons_table(lessons: list[Lesson], sets: list[ExerciseSet]) -> str:
    rows = ["| Lesson | Title | Core (min) | Whole lesson (min) | Exercise set |",
            "|---|---|---:|---:|---|"]
    for lesson in lessons:
        own = [s.number for s in sets if lesson_of(s, lessons) is lesson]
        link = f"[{lesson.number}](../notebooks/{lesson.stem}.ipynb)"
        rows.append(f"| {link} | {lesson.title} | {lesson.core:.0f} | {lesson.whole:.0f} | "
                    f"{', '.join(own) or '—'} |")
    return "\n".join(rows)


def sets_table(sets: list[ExerciseSet]) -> str:
    rows = ["| Set | Title | Checked questions | Checked points | Written answers "
            "| Written points | Total points |", "|---|---|---:|---:|---:|---:|---:|"]
    for s in sets:
        rows.append(f"| [{s.number}](../exercises/{s.stem}.ipynb) | {s.title} | {len(s.checks)} "
                    f"| {s.auto_points} | {len(s.written)} | {s.written_points} "
                    f"| {s.auto_points + s.written_points} |")
    rows.append(f"| all | | {sum(len(s.checks) for s in sets)} "
                f"| {sum(s.auto_points for s in sets)} | {sum(len(s.written) for s in sets)} "
                f"| {sum(s.written_points for s in sets)} "
                f"| {sum(s.auto_points + s.written_points for s in sets)} |")
    return "\n".join(rows)


def plan_table(lessons: list[Lesson], sets: list[ExerciseSet], spec: PlanSpec) -> str:
    by_number = {x.number: x for x in lessons}
    by_stem = {s.stem: s for s in sets}
    capstone = capstone_of(lessons).stem
    rows = ["| Week | In class (core minutes by the time rule) | Released (formative) "
            "| Due |", "|---:|---|---|---|"]
    for week in plan_weeks(lessons, sets, spec):
        taught = []
        for item in week.lessons:
            number, _, continued = item.partition(" ")
            lesson = by_number[number]
            if continued:
                taught.append(f"{number} continued: its extension sections and set {number} "
                              "in class")
            else:
                taught.append(f"{number} {lesson.title} ({lesson.core:.0f})")
        if week.reference:
            taught.append("reference from now on: " + ", ".join(
                f"{n} {by_number[n].title}" for n in week.reference))
        in_class = "; ".join(filter(None, [week.activity, *taught]))
        released = "; ".join(set_label(by_stem[s], s == capstone)
                             for s in week.released) or "—"
        due = "; ".join(f"set {by_stem[d].number}" if d in by_stem else f"**{d}**"
                        for d in week.due) or "—"
        rows.append(f"| {week.number} | {in_class} | {released} | {due} |")
    return "\n".join(rows)


def weights_table() -> str:
    rows = ["| Part | Weight |", "|---|---:|"]
    rows += [f"| {part} | {weight} % |" for part, weight in WEIGHTS.items()]
    rows.append(f"| total | {sum(WEIGHTS.values())} % |")
    return "\n".join(rows)


def answer_minutes(points: int) -> float:
    return MINUTES_PER_ANSWER + MINUTES_PER_ANSWER_POINT * points


def hours_table(sets: list[ExerciseSet]) -> str:
    """The teacher's time per task: machine time measured, the rest estimated (labelled)."""
    per_set = sum(PER_SET_MINUTES.values())
    assignments = len(sets) + 2  # the sets, two memos (the capstone is set 08's assignment)
    setup = sum(SETUP_MINUTES.values()) + LMS_ASSIGNMENT_MINUTES * assignments
    rows = ["| Task | Machine: grading 30 students (measured) | Your hands-on time "
            "(estimate) | Marking written answers (estimate) | Your hours (estimate) |",
            "|---|---:|---:|---:|---:|",
            f"| Set-up, once: {'; '.join(SETUP_MINUTES)}; {assignments} LMS assignments × "
            f"{LMS_ASSIGNMENT_MINUTES} min | — | {setup} min | — | {setup / 60:.1f} |"]
    total = setup
    for s in sets:
        seconds = MEASURED_SECONDS.get(s.stem)
        machine = f"{seconds:.0f} s" if seconds is not None else "not measured yet"
        marking = CLASS_SIZE * sum(answer_minutes(p) for p in s.written)
        answers = " + ".join(f"{answer_minutes(p):.0f}" for p in s.written)
        detail = f"{marking:.0f} min ({CLASS_SIZE} × ({answers}) min)" if s.written else "—"
        total += per_set + marking
        rows.append(f"| Set {s.number}: release, import, grade, export | {machine} | "
                    f"{per_set} min | {detail} | {(per_set + marking) / 60:.1f} |")
    memos = 2 * CLASS_SIZE * MEMO_MINUTES
    total += memos
    rows.append(f"| Two memos | — | — | {memos} min (2 × {CLASS_SIZE} × {MEMO_MINUTES} min) | "
                f"{memos / 60:.1f} |")
    measured = [MEASURED_SECONDS[s.stem] for s in sets if s.stem in MEASURED_SECONDS]
    rows.append(f"| **Term** | {sum(measured) / 60:.0f} min ({len(measured)} of {len(sets)} "
                f"sets measured) | | | **{total / 60:.0f}** |")
    return "\n".join(rows)


def blocks(root: Path = ROOT) -> dict[str, str]:
    """Every generated block of docs/term_plans.md, by marker name."""
    lessons, sets = read_lessons(root), read_sets(root)
    return {"lessons": lessons_table(lessons, sets), "sets": sets_table(sets),
            "plan-10": plan_table(lessons, sets, PLANS[10]),
            "plan-15": plan_table(lessons, sets, PLANS[15]),
            "weights": weights_table(), "hours": hours_table(sets)}


def markers(name: str) -> tuple[str, str]:
    return f"<!-- term-plans:{name}:start -->", f"<!-- term-plans:{name}:end -->"


def block_in(text: str, name: str) -> str:
    """What the doc holds between a block's markers."""
    start, end = markers(name)
    return text.split(start, 1)[1].split(end, 1)[0].strip("\n")


def replace_blocks(text: str, content: dict[str, str]) -> str:
    for name, table in content.items():
        start, end = markers(name)
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = f"{before}{start}\n{table}\n{end}{after}"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true",
                        help="rewrite the tables between the markers of docs/term_plans.md")
    action.add_argument("--check", action="store_true",
                        help="exit 1 when docs/term_plans.md differs from the notebooks")
    args = parser.parse_args(argv)
    content = blocks()
    if args.write or args.check:
        text = DOC.read_text(encoding="utf-8")
    if args.write:
        DOC.write_text(replace_blocks(text, content), encoding="utf-8")
    elif args.check:
        stale = [name for name, table in content.items() if block_in(text, name) != table]
        if stale:
            print(f"docs/term_plans.md is out of date ({', '.join(stale)}): run "
                  "scripts/term_plans.py --write")
            return 1
        return 0
    for name, table in content.items():
        print(f"{name}:\n{table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
