"""The grader gives the verdicts the self-check gives (issue 23): a sample of the answer corpus
judged twice, in process as tests/test_answer_corpus.py judges it, and by the real grader
(`grade.grade`, kernels, worker processes, the real solutions and keys).

Per exercise set: two right and two wrong answers, of different checks, among them a check that
reruns the answer on hidden test data (and, where the corpus has one, a wrong answer that only
that rerun catches). Each sampled answer is pasted in place of the solution block of its answer
cell (the lines the exercise gives stay, as a student keeps them) in a copy of the exercise
notebook whose other answers are the solution's, as in the namespace the self-check rebuilds;
one student folder per answer; one grading run for all of them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from answer_corpus import SOLUTIONS, corpus_modules
from test_answer_corpus import STEMS as ALL_STEMS
from test_answer_corpus import judged

from balkan_course.grading import checks
from balkan_course.grading import grade as grading
from balkan_course.grading.build import ANSWER, CHECK, course_meta, tags
from balkan_course.grading.cells import is_practice

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
PER_ROLE = 2
SOLUTION_BLOCK = re.compile(r"# BEGIN SOLUTION\n.*?# END SOLUTION\n?", re.DOTALL)
# The graded sets: the primer's practice is never graded (tests/test_primer.py).
STEMS = [stem for stem in ALL_STEMS
         if not is_practice(nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4))]


def _questions(stem: str) -> dict[str, tuple[str, str, dict]]:
    """corpus check id (a part's id for a question in parts) -> (the answer cell's id, the
    question's check id in the grader's results, the check cell's metadata)."""
    found, answer_id = {}, None
    for cell in nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4).cells:
        if ANSWER in tags(cell):
            answer_id = cell["id"]
        elif CHECK in tags(cell):
            meta = course_meta(cell)
            for part in meta.get("parts") or {meta["check_id"]: meta["points"]}:
                found[part] = (answer_id, meta["check_id"], meta)
    return found


def _reruns(check_id: str) -> bool:
    return bool(checks.load_keys()[check_id].get("facts", {}).get("rerun"))


def _pick(records: list[dict], first: dict | None) -> list[dict]:
    """`first` (if any), then answers of other checks than those already picked, rerun checks
    first, in corpus order: PER_ROLE records of distinct checks."""
    chosen = [first] if first else []
    for record in sorted(records, key=lambda r: not _reruns(r["check_id"])):
        if len(chosen) == PER_ROLE:
            break
        if record["check_id"] not in {c["check_id"] for c in chosen}:
            chosen.append(record)
    return chosen


def sample(stem: str, corpus: dict) -> list[dict]:
    """The sampled self-check records of one set (role, check_id, code, passed)."""
    records = judged(stem, corpus)
    right = [r for r in records if r["role"] == "right"]
    wrong = [r for r in records if r["role"] == "wrong"]
    # A wrong answer right on the visible table that the hidden rows catch: the hardest
    # verdict to carry from the self-check to the grader.
    by_rerun = next((r for r in wrong if r["passed"] is False
                     and checks.RERUN_HINT in r["message"]), None)
    # A right answer to the set's last check (a chart in most sets: its value travels out of
    # the kernel as a specification), then one to a rerun check.
    return _pick(right, right[-1]) + _pick(wrong, by_rerun)


def _student(stem: str, record: dict, index: int) -> str:
    check = re.sub(r"[^a-z0-9]+", "-", record["check_id"].lower())
    return f"s{stem[:2]}_{check}_{record['role']}{index}"


def _solution_answers(stem: str) -> dict[str, str]:
    """answer cell id -> the solution's answer, as a student who got it right writes it."""
    return {cell["id"]: cell.source.replace("# BEGIN SOLUTION\n", "").replace(
        "# END SOLUTION", "") for cell in nbformat.read(
            SOLUTIONS / f"{stem}.ipynb", as_version=4).cells if ANSWER in tags(cell)}


def filled_in(stem: str, answer_id: str, code: str) -> str:
    """The answer cell as a student fills it in with `code`: the lines the exercise gives
    (`eufor = troop_figures.loc[...]` before, the chart's name after) are kept, as the
    self-check's namespace has them; `code` takes the solution's place."""
    source = next(cell.source for cell in nbformat.read(
        SOLUTIONS / f"{stem}.ipynb", as_version=4).cells if cell.get("id") == answer_id)
    filled, count = SOLUTION_BLOCK.subn(lambda _: code.rstrip("\n") + "\n", source)
    assert count == 1, f"{stem} {answer_id}: no single solution block"
    return filled


def submission(stem: str, answer_id: str, code: str):
    """The exercise with the solution's answers, `code` in cell `answer_id`."""
    nb = nbformat.read(EXERCISES / f"{stem}.ipynb", as_version=4)
    answers = {**_solution_answers(stem), answer_id: filled_in(stem, answer_id, code)}
    for cell in nb.cells:
        if cell.get("id") in answers:
            cell.source = answers[cell["id"]]
    return nb


@pytest.fixture(scope="module")
def both_verdicts(tmp_path_factory) -> list[dict]:
    """One record per sampled answer: stem, student, check ids, the self-check's verdict and
    the grader's result for the question."""
    corpus = corpus_modules()
    folder = tmp_path_factory.mktemp("verdicts")
    cases = []
    for stem in STEMS:
        questions = _questions(stem)
        for index, record in enumerate(sample(stem, corpus)):
            answer_id, question_id, meta = questions[record["check_id"]]
            student = _student(stem, record, index)
            (folder / "submissions" / student).mkdir(parents=True)
            nbformat.write(submission(stem, answer_id, record["code"]),
                           folder / "submissions" / student / f"{stem}.ipynb")
            cases.append({**record, "stem": stem, "student": student,
                          "question": question_id, "meta": meta})
    results = grading.grade(folder / "submissions", folder / "out", workers=2, preload=True)
    graded = {(r["student"], r["notebook"]): r for r in results}
    for case in cases:
        case["result"] = graded.get((case["student"], case["stem"]), {})
    return cases


def grader_verdict(case: dict) -> bool | str:
    """True for full points of the check (or its part), False for none; else what it got."""
    got = case["result"].get("checks", {}).get(case["question"])
    if got is None:
        return f"no result for {case['question']} (status {case['result'].get('status')!r})"
    if case["check_id"] != case["question"]:
        return got["parts"][case["check_id"]]["passed"]
    if got["awarded"] == got["points"]:
        return True
    return False if got["awarded"] == 0 else f"{got['awarded']} of {got['points']} points"


def test_the_sample_covers_every_set_both_roles_and_the_hidden_data_rerun():
    corpus = corpus_modules()
    for stem in STEMS:
        picked = sample(stem, corpus)
        roles = [r["role"] for r in picked]
        assert roles.count("right") == PER_ROLE and roles.count("wrong") == PER_ROLE, stem
        assert any(_reruns(r["check_id"]) for r in picked), f"{stem}: no rerun check sampled"
        # The self-check itself judges the sample as the corpus declares it.
        assert all(r["passed"] is (r["role"] == "right") for r in picked), (stem, picked)
    assert sum(any(checks.RERUN_HINT in r["message"] for r in sample(s, corpus))
               for s in STEMS) >= 1, "no wrong answer that only the hidden data catches"


def test_the_grader_gives_the_self_check_s_verdict_on_every_sampled_answer(both_verdicts):
    assert len(both_verdicts) == 2 * PER_ROLE * len(STEMS)
    problems = []
    for case in both_verdicts:
        expected, got = case["passed"], grader_verdict(case)
        if got is not expected:
            shown = case["result"].get("checks", {}).get(case["question"], {}).get("shown")
            problems.append(
                f"{case['stem']} {case['check_id']} ({case['role']} answer, student "
                f"{case['student']}): self-check {'passes' if expected else 'fails'} it, "
                f"grader gives {got!r}\n    answer: {case['code']!r}\n    grader said: "
                f"{json.dumps(shown, ensure_ascii=False)}")
    assert not problems, "\n".join(problems)
