"""The course's design conventions (issue 20), checked by scripts/course_design.py.

Each check returns a list of problems. The unit tests run it on small made-up notebooks, both
what it must catch and what it must accept; one test per check runs it on the real course. Over the
real course every check must find nothing.
The generated tables (teacher's guide) and the reference card must match the notebooks now.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import course_design as cd  # noqa: E402 - a script, not a package

# ---------------------------------------------------------------------------------------------
# Small notebooks


def md(cell_id: str, source: str, tags=(), **course) -> dict:
    metadata = {"balkan_course": course} if course else {}
    if tags:
        metadata["tags"] = list(tags)
    return {"cell_type": "markdown", "id": cell_id, "metadata": metadata, "source": [source]}


def code(cell_id: str, source: str, tags=(), **course) -> dict:
    cell = md(cell_id, source, tags, **course)
    return {**cell, "cell_type": "code", "outputs": [], "execution_count": None}


def lesson(*cells: dict, title: str = "# 01 · A lesson\n\nGoals: ...") -> dict:
    return {"cells": [md("title", title), md("lesson-plan", "**Time.** ..."), *cells]}


def answer(cell_id: str, solution: str) -> dict:
    return code(cell_id, f"# BEGIN SOLUTION\n{solution}\n# STUB: result = ...\n# END SOLUTION",
                tags=["answer"])


def check(cell_id: str, check_id: str) -> dict:
    return code(cell_id, f'check("{check_id}", result)', tags=["check"],
                check_id=check_id, points=1)


def task(number: int, heading: str = "a task", solution: str = "result = 1",
         **prompt_meta) -> list[dict]:
    return [md(f"q{number}-prompt", f"## Exercise {number}: {heading}\n\nDo it.", **prompt_meta),
            answer(f"q{number}-answer", solution), check(f"q{number}-check", f"xx-{number}")]


def exercise_set(*cells: dict) -> dict:
    return {"cells": [md("intro", "# Exercises"), *cells,
                      md("progress-prompt", "## Your progress\n\nRun the cell."),
                      code("progress", 'show_progress("xx")')]}


LESSON_01 = lesson(
    md("core-part", "## Core part"),
    md("core-detail", "### A detail"),
    code("core-code", "table.loc[table['x'] > 1] | other"),
    md("ext-part", "## Extension part"),
    md("ext-detail", "### An extension detail"),
    code("ext-code", "table.iloc[0]"),
    md("readings", "## Readings"),
)
PRIMER = lesson(md("lists-why", "## 2. Lists"), code("lists", "len([1, 2])"),
                title="# 00a · Python primer")


def course(solutions: dict | None = None, **lessons: dict) -> cd.Course:
    found = {"00a_python_primer": PRIMER, "01_one": LESSON_01, **lessons}
    extensions = {"01_one": ["ext-part"]}
    extensions.update({stem: [] for stem in lessons})
    return cd.Course(found, solutions or {}, extensions)


def needing(*needs: str, stem: str = "01_x") -> cd.Course:
    return course({stem: exercise_set(*task(1, needs_sections=list(needs)))})


# ---------------------------------------------------------------------------------------------
# Tasks and sections


def test_tasks_are_prompts_followed_by_graded_cells():
    solution = exercise_set(
        *task(1),
        md("q2-prompt", "Some context first.\n\n## Exercise 2: written\n\nSay why."),
        md("q2-answer", "A model answer.", tags=["answer-text"], check_id="x", points=2),
        md("q2-rubric", "**Rubric.**", tags=["rubric"], check_id="x"),
        md("sources-prompt", "### Part 6: the sources"), code("sources", "source_list()"),
    )
    found = cd.tasks(solution)
    assert [t["id"] for t in found] == ["q1-prompt", "q2-prompt"]
    assert found[1]["heading"] == "Exercise 2: written"
    assert [c["id"] for c in found[0]["cells"]] == ["q1-answer", "q1-check"]


def test_headings_know_core_extension_and_after_class():
    found = cd.headings_of(course(), "01_one")
    assert {key: value["status"] for key, value in found.items()} == {
        "core-part": "core", "core-detail": "core", "ext-part": "extension",
        "ext-detail": "extension", "readings": "after-class"}


def test_section_needs_accepts_core_sections_of_this_or_earlier_lessons_and_the_primer():
    assert cd.section_need_problems(needing("01_one#core-part", "01_one#core-detail",
                                            "00a_python_primer#lists-why")) == []
    # a split lesson (01b) belongs to set 01; set 02 may use lesson 01
    assert cd.section_need_problems(course(
        {"01_x": exercise_set(*task(1, needs_sections=["01b_more#more"]))},
        **{"01b_more": lesson(md("more", "## More"))})) == []
    assert cd.section_need_problems(needing("01_one#core-part", stem="02_x")) == []


@pytest.mark.parametrize("need, expected", [
    ("01_one#ext-part", "is in an extension section"),
    ("01_one#ext-detail", "is in an extension section"),
    ("01_one#readings", "is in an after-class section"),
    ("01_one#core-code", "no `##`/`###` heading with that id"),
    ("01_one#nowhere", "no `##`/`###` heading with that id"),
    ("09_nothing#core-part", "names no lesson#heading"),
    ("core-part", "names no lesson#heading"),
])
def test_section_needs_rejects_what_a_class_skipping_extensions_has_not_seen(need, expected):
    problems = cd.section_need_problems(needing(need))
    assert len(problems) == 1 and expected in problems[0], problems


def test_section_needs_rejects_a_later_lesson_a_missing_list_and_an_unknown_core():
    later = course({"00_x": exercise_set(*task(1, needs_sections=["01_one#core-part"]))})
    assert cd.section_need_problems(later) == [
        "00 q1-prompt: '01_one#core-part' is in a later lesson"]
    assert cd.section_need_problems(course({"01_x": exercise_set(*task(1))})) == [
        "01 q1-prompt: no needs_sections"]
    assert cd.section_need_problems(needing()) == ["01 q1-prompt: no needs_sections"]
    unknown = course({"01_x": exercise_set(*task(1, needs_sections=["01_one#core-part"]))})
    unknown.lessons["01c_new"] = lesson(md("new", "## New"))
    assert cd.section_need_problems(unknown) == [
        "01c_new: not in lesson_times.LESSONS, so its core is unknown"]


def test_section_needs_table_says_where_each_section_is():
    table = cd.section_needs_table(needing("01_one#core-part", "01_one#ext-part"))
    assert "| 01 | Exercise 1: a task | 01: Core part | yes |" in table
    assert "| 01 | Exercise 1: a task | 01: Extension part | no (extension) |" in table
    assert "not declared yet" in cd.section_needs_table(course({"01_x": exercise_set(*task(1))}))


# ---------------------------------------------------------------------------------------------
# Predict moments and the IR question


def predicting(*activities: str, in_extension: str = "") -> cd.Course:
    cells = [md(f"a{i}", "Predict...", activity=kind) for i, kind in enumerate(activities)]
    extension = [md("ext", "## Extension"),
                 *[md(f"e{i}", "...", activity=kind) for i, kind in enumerate(in_extension)]]
    found = course(**{"02_two": lesson(md("part", "## Part"), *cells, *extension)})
    found.extensions["02_two"] = ["ext"]
    found.lessons.pop("01_one")
    return found


def test_predict_accepts_three_moments_each_revealed_later():
    assert cd.predict_problems(predicting("predict", "reveal", "try", "reveal", "predict",
                                          "reveal")) == []
    assert cd.predict_problems(predicting("predict", "try", "predict", "reveal", "reveal",
                                          "reveal")) == []


def test_predict_rejects_too_few_unrevealed_and_unknown_moments():
    assert cd.predict_problems(predicting("predict", "reveal", "try", "reveal")) == [
        "02_two: 2 predict/try moments in the core, not 3 or more"]
    assert cd.predict_problems(predicting("predict", "predict", "predict", "reveal",
                                          "reveal")) == [
        "02_two a2: no reveal after it in the core"]
    assert cd.predict_problems(predicting("reveal", "predict", "predict", "predict", "reveal",
                                          "reveal")) == [
        "02_two a3: no reveal after it in the core"]
    assert cd.predict_problems(predicting("predict", "reveal", "try", "reveal", "guess",
                                          "predict", "reveal")) == [
        "02_two a4: activity 'guess' is not one of ('predict', 'try', 'reveal')"]


def test_predict_moments_in_an_extension_do_not_count():
    problems = cd.predict_problems(predicting("predict", "reveal",
                                              in_extension=("predict", "reveal")))
    assert problems == ["02_two: 1 predict/try moments in the core, not 3 or more"]


def with_questions(*questions: dict | None) -> cd.Course:
    lessons = {}
    for number, question in enumerate(questions):
        cells = [question] if question else []
        lessons[f"0{number}_l"] = lesson(*cells, md("part", "## Part"))
    found = cd.Course({"00a_python_primer": PRIMER, **lessons}, {},
                      {stem: [] for stem in lessons})
    return found


ASK = "**The question.** Can two missions keep the peace?"
HEADLINE = "**The question.** If Europe's attention moves to Ukraine, what happens to KFOR?"


def test_ir_question_accepts_one_per_lesson_and_one_headline():
    assert cd.ir_question_problems(with_questions(
        md("ir-question", ASK), md("ir-question", HEADLINE, headline=True))) == []


def test_ir_question_rejects_missing_misplaced_unasked_and_headline_errors():
    assert cd.ir_question_problems(with_questions(
        md("ir-question", HEADLINE, headline=True), None)) == [
        "01_l: the cell after lesson-plan is not the markdown cell `ir-question`"]
    assert cd.ir_question_problems(with_questions(
        md("ir-question", "A statement.", headline=True), md("ir-question", ASK))) == [
        "00_l: ir-question asks no question", "00_l: the headline question does not name Ukraine"]
    assert cd.ir_question_problems(with_questions(md("ir-question", ASK))) == [
        "0 lessons carry the headline question (none), not exactly one"]
    assert cd.ir_question_problems(with_questions(
        md("ir-question", HEADLINE, headline=True), md("ir-question", HEADLINE, headline=True))) \
        == ["2 lessons carry the headline question (00_l, 01_l), not exactly one"]
    moved = with_questions(md("ir-question", HEADLINE, headline=True))
    moved.lessons["00_l"]["cells"].insert(2, md("other", "Something first."))
    assert cd.ir_question_problems(moved)[0].startswith("00_l: the cell after lesson-plan")


# ---------------------------------------------------------------------------------------------
# Idioms


def idioms(source: str) -> set[str]:
    tree = cd.parse(source)
    return set(cd.idioms_in(tree, cd.defined_names(tree)))


def test_idioms_are_calls_attributes_operators_and_keywords():
    found = idioms('kept = table[(table["a"] == 1) | ~table["b"].isna()]\n'
                   'kept.sort_values("a", ascending=False).iloc[0]\n'
                   'alt.Chart(kept).mark_bar().encode(x="a:Q")\n'
                   'both = (x > 1) & (y > 2)\n'
                   'names = sorted(kept, key=lambda row: row[0])')
    assert found == {"|", "~", "&", "lambda", "isna()", "sort_values()",
                     "sort_values(ascending=)", ".iloc", "Chart()", "mark_bar()", "encode()",
                     "encode(x=)", "sorted()", "sorted(key=)"}


def test_idioms_leave_out_print_own_names_data_attributes_and_new_column_names():
    found = idioms("def share(part, whole):\n    return part / whole\n"
                   "print(share(1, 2))\nrow.mission\n"
                   "table.assign(new_column=1).transform_calculate(troops='1')")
    assert found == {"assign()", "transform_calculate()"}


def test_solution_code_strips_the_markers_as_the_build_does():
    source = "given = 1\n# BEGIN SOLUTION\nx = f()\n# STUB: x = ...\n# END SOLUTION\nx"
    assert cd.solution_code(source) == "given = 1\nx = f()\nx"
    assert cd.region_code(source) == "x = f()"


def solved(solution: str, stem: str = "01_x", **lessons: dict) -> cd.Course:
    return course({stem: exercise_set(*task(1, solution=solution))}, **lessons)


def test_idiom_check_accepts_what_the_primer_or_an_earlier_core_shows():
    assert cd.idiom_problems(solved("result = len(table.loc[(table['x'] > 1) | other])")) == []
    assert cd.idiom_problems(solved("result = table.iloc[0]", stem="02_x",
                                    **{"02_two": lesson(code("c", "t.iloc[1]"))})) == []


def test_idiom_check_rejects_extension_only_later_and_unseen_idioms():
    assert cd.idiom_problems(solved("result = table.iloc[0]")) == [
        "01 q1-answer: `.iloc` is only in an extension of 01_one"]
    assert cd.idiom_problems(solved("result = table.where(table > 0)", **{
        "02_two": lesson(code("c", "t.where(t > 1)"))})) == [
        "01 q1-answer: `.where()` is first shown in the core of 02_two"]
    assert cd.idiom_problems(solved("result = t.sort_values('x', ascending=False)")) == [
        "01 q1-answer: `.sort_values()` is in no lesson",
        "01 q1-answer: `.sort_values(ascending=)` is in no lesson"]
    assert cd.idiom_problems(solved("result = (")) == ["01 q1-answer: does not parse"]


# ---------------------------------------------------------------------------------------------
# Tips, hints and steps


def tipped(stem: str, tip: str) -> cd.Course:
    prompt = md("q1-prompt", f"## Exercise 1: count\n\n*Recap.* `value_counts()` counts.\n\n{tip}")
    return course({stem: exercise_set(prompt, answer("q1-answer", "result = 1"),
                                      check("q1-check", "04-x"))},
                  **{"00_l": lesson(code("c", "t['a'].value_counts()"))})


@pytest.mark.parametrize("tip", [
    "*Tip:* `table.loc[condition, [columns]]` picks rows and columns.",
    "*Tip:* use `value_counts` on the column.",
    "*Tip:* `round(x, 1)` keeps one decimal.",
    "**Tip.** `.item()` gives one number.",
])
def test_tips_from_set_04_on_may_not_show_code(tip):
    assert len(cd.tip_problems(tipped("04_x", tip))) == 1
    assert cd.tip_problems(tipped("03_x", tip)) == []  # earlier sets may still give code


def test_tips_that_name_the_idea_or_a_column_and_recaps_with_code_are_accepted():
    assert cd.tip_problems(tipped("05_x", "*Tip:* count per group, then keep the largest "
                                          "`amount`.")) == []


def test_hints_count_tips_and_declared_wrong_answers():
    wrong = code("q1-wrong", 'wrong_answers("x", {"hint one": a, "hint two": b})',
                 tags=["wrong-answers"])
    prompt = md("q1-prompt", "## Exercise 1: x\n\n*Tip:* count per group.")
    solution = exercise_set(prompt, answer("q1-answer", "a = t.merge(u)\nresult = a['x'].sum()"),
                            wrong, check("q1-check", "x"))
    found = cd.tasks(solution)[0]
    assert cd.declared_hints(found) == 2 and len(cd.task_tips(found)) == 1
    assert cd.task_steps(found) == (2, 3)  # two statements: a call; an index and a call


def test_progression_rows_count_each_set():
    solution = exercise_set(*task(1, heading="hard (stretch)", stretch=True),
                            *task(2, interaction="widget"),
                            md("open-prompt", "## Open task"), answer("open-answer", "x = 1"))
    row = cd.progression_rows(course({"04_x": solution}))[0]
    assert row["tasks"] == 3 and row["stretch"] == 1 and row["interaction"] == 1
    assert row["open"] is True and row["steps"] == [1, 1, 1]
    assert "| 04 | 3 (0) | 1.0 (1–1) |" in cd.progression_table(course({"04_x": solution}))


# ---------------------------------------------------------------------------------------------
# Open task, interaction, stretch, read-only cells


RUBRIC = ["1 point: the chart answers the question", "1 point: built from the tables",
          "1 point: two or three sentences justify the choice"]


def open_task(check_id="04-open", points=3, rubric=RUBRIC, checked=False) -> list[dict]:
    cells = [md("open-prompt", "## Open task: choose, build, justify"),
             answer("open-answer", "chart = alt.Chart(t)"),
             md("open-text", "A justification.", tags=["answer-text"], check_id=check_id,
                points=points, rubric=rubric)]
    return cells + ([check("open-check", check_id)] if checked else [])


def test_open_task_accepts_a_set_ending_with_one():
    assert cd.open_task_problems(course({"04_x": exercise_set(*task(1), *open_task())})) == []


@pytest.mark.parametrize("cells, expected", [
    (task(1), "04: the set does not end with an open task"),
    (open_task() + task(1), "04: the set does not end with an open task"),
    (task(1) + open_task(checked=True), "needs an `answer` code cell and no check"),
    (task(1) + open_task(check_id="04-free"), "check_id is '04-free', not '04-open'"),
    (task(1) + open_task(points=2), "2 points, not 3"),
    (task(1) + open_task(rubric=RUBRIC[:2]), "the rubric needs 3 criteria"),
    (task(1) + open_task(rubric=None), "the rubric needs 3 criteria"),
])
def test_open_task_rejects_what_breaks_the_convention(cells, expected):
    problems = cd.open_task_problems(course({"04_x": exercise_set(*cells)}))
    assert len(problems) == 1 and expected in problems[0], problems


def interacting(*kinds_per_set: tuple[str, ...], graded: bool = True) -> cd.Course:
    solutions = {}
    for number, kinds in enumerate(kinds_per_set):
        cells = []
        for position, kind in enumerate(kinds, start=1):
            made = task(position, interaction=kind)
            cells += made if graded else made[:2]
        solutions[f"0{number}_x"] = exercise_set(*cells)
    return course(solutions)


def test_interaction_accepts_three_questions_in_three_sets():
    assert cd.interaction_problems(interacting(("widget",), ("selection",), ("widget",))) == []


def test_interaction_rejects_too_few_questions_sets_bad_kinds_and_ungraded_ones():
    assert cd.interaction_problems(interacting(("widget", "selection"), ("widget",))) == [
        "3 interaction questions in 2 sets, not 3 in 3 or more"]
    assert cd.interaction_problems(interacting(("widget",), ("widget",))) == [
        "2 interaction questions in 2 sets, not 3 in 3 or more"]
    problems = cd.interaction_problems(interacting(("widget",), ("slider",), ("widget",)))
    assert problems[0].startswith("01 q1-prompt: interaction 'slider' is not one of")
    assert cd.interaction_problems(interacting(("widget",), ("widget",), ("widget",),
                                               graded=False))[0].endswith(
        "an interaction question without a check")


def test_stretch_needs_the_mark_and_the_heading_together():
    assert cd.stretch_problems(course({"04_x": exercise_set(
        *task(1, heading="a harder one (stretch)", stretch=True), *task(2))})) == []
    assert cd.stretch_problems(course({"04_x": exercise_set(*task(1, stretch=True))})) == [
        "04 q1-prompt: stretch, but its heading does not say \"(stretch)\""]
    assert cd.stretch_problems(course({"04_x": exercise_set(
        *task(1, heading="a harder one (Stretch)"))})) == [
        "04 q1-prompt: its heading says \"(stretch)\" but the metadata does not"]


def test_read_only_cells_start_with_the_read_dont_write_line_and_only_they():
    def problems(*cells):
        return cd.read_only_problems(course(**{"02_two": lesson(*cells)}))

    assert problems(code("style", "# Read, don't write: chart styling\nalt.themes",
                         read_only=True), code("plain", "x = 1")) == []
    assert problems(code("style", "alt.themes", read_only=True)) == [
        "notebooks/02_two style: read_only, but its first line is not "
        "`# Read, don't write: <why>`"]
    assert problems(code("style", "# Read, don't write\nalt.themes", read_only=True)) != []
    assert problems(code("style", "# Read, don't write: plumbing\nx = 1")) == [
        "notebooks/02_two style: says \"Read, don't write\" without metadata read_only"]


# ---------------------------------------------------------------------------------------------
# The reference card


def test_meanings_cover_calls_keywords_by_name_and_report_unknown_ones():
    assert cd.meaning("merge()") == cd.MEANINGS[".merge()"]
    assert cd.meaning("merge(how=)") == cd.MEANINGS["merge(how=)"]
    assert cd.meaning("Color(title=)") == cd.KEYWORD_MEANINGS["title"]
    assert cd.meaning("frobnicate()") == cd.meaning("frobnicate(zork=)") == "—"
    unknown = course(**{"02_two": lesson(code("c", "t.frobnicate(zork=1)"))})
    assert cd.meaning_problems(unknown) == ["idiom `.frobnicate()` has no meaning on the card",
                                            "idiom `.frobnicate(zork=)` has no meaning on the card"]


def test_the_card_lists_each_idiom_under_the_first_core_that_shows_it():
    card = cd.reference_card(course())
    primer = card.index("## 00a · Python primer")
    lesson_01 = card.index("## 01 · A lesson")
    assert primer < card.index("| `len()` |") < lesson_01 < card.index("| `.loc` |")
    assert "| `.iloc` | lesson 01, extension |" in card  # shown only in an extension


# ---------------------------------------------------------------------------------------------
# The real course


@pytest.fixture(scope="module")
def real() -> cd.Course:
    return cd.load_course()


def test_the_script_has_help():
    with pytest.raises(SystemExit) as stopped:
        cd.main(["--help"])
    assert stopped.value.code == 0


def test_teachers_guide_shows_the_current_tables(real):
    guide = (REPO / "docs" / "teachers_guide.md").read_text(encoding="utf-8")
    for marker, table in (("section-needs", cd.section_needs_table),
                          ("progression", cd.progression_table)):
        block = guide.split(f"<!-- {marker}:start -->\n")[1].split(f"<!-- {marker}:end -->")[0]
        assert block.strip() == table(real), "run `python scripts/course_design.py --write`"


def test_reference_card_is_current_and_linked_from_the_readme(real):
    card = (REPO / "docs" / "reference_card.md").read_text(encoding="utf-8")
    assert card == cd.reference_card(real), "run `python scripts/course_design.py --write`"
    assert "docs/reference_card.md" in (REPO / "README.md").read_text(encoding="utf-8")


def test_real_course_tasks_are_found(real):
    counts = {stem[:2]: len(cd.tasks(nb)) for stem, nb in real.solutions.items()}
    assert all(count >= 5 for count in counts.values()), counts


def test_real_exercises_need_only_core_sections(real):
    assert cd.section_need_problems(real) == []


def test_real_lessons_have_three_predict_moments_in_each_core(real):
    assert cd.predict_problems(real) == []


def test_real_lessons_open_with_their_ir_question(real):
    assert cd.ir_question_problems(real) == []


def test_real_exercises_use_only_idioms_shown_before(real):
    assert cd.idiom_problems(real) == []


def test_real_tips_from_set_04_name_no_code(real):
    assert cd.tip_problems(real) == []


def test_real_sets_end_with_an_open_task(real):
    assert cd.open_task_problems(real) == []


def test_real_interaction_is_assessed(real):
    assert cd.interaction_problems(real) == []


def test_real_stretch_items_are_marked(real):
    assert cd.stretch_problems(real) == []


def test_real_read_only_cells_say_so(real):
    assert cd.read_only_problems(real) == []


def test_real_card_gives_every_idiom_a_meaning(real):
    assert cd.meaning_problems(real) == []
