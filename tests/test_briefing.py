"""Lesson 08's briefing checks: citations, length, and charts and tables from the data."""

from __future__ import annotations

import re
import time
from pathlib import Path

import altair as alt
import nbformat
import pandas as pd
import pytest

from balkan_course import load_table
from balkan_course.briefing import (
    WORDS_MAX,
    WORDS_MIN,
    briefing_report,
    chart_checklist,
    chart_uses_tables,
    citation_counts,
    citation_verdict,
    citations,
    cited_claims,
    cited_sources,
    frame_from_tables,
    length_verdict,
    source_list,
    table_checklist,
    unknown_citations,
    word_count,
)

TEXT = ("KFOR had around 4,600 troops [kap_rutte_2025_03_10], the brief says approximately "
        "4,700 [brief_2025_04_02;\n rel_focus_2025_04] and Reaction roughly 5,000 "
        "[reaction_2023]. Again [kap_rutte_2025_03_10], a typo [brief_2025_4_02] and [sic].")


@pytest.fixture(scope="module")
def sources():
    return load_table("sources")


@pytest.fixture(scope="module")
def strength():
    figures = load_table("troop_figures")
    return figures[figures["measure"] == "strength"]


def words(n: int) -> str:
    return " ".join(["word"] * n)


# ---------------------------------------------------------------- citations


def test_citations_are_found_in_order_across_line_breaks():
    assert citations(TEXT) == ["kap_rutte_2025_03_10", "brief_2025_04_02", "rel_focus_2025_04",
                               "reaction_2023", "kap_rutte_2025_03_10", "brief_2025_4_02"]


def test_known_and_unknown_sources(sources):
    assert cited_sources(TEXT, sources) == ["kap_rutte_2025_03_10", "brief_2025_04_02",
                                            "rel_focus_2025_04", "reaction_2023"]
    assert unknown_citations(TEXT, sources) == ["brief_2025_4_02"]
    assert cited_sources(None, sources) == [] and citations("") == []


def test_citation_counts_include_uncited_sources(sources):
    counts = citation_counts(TEXT, sources).set_index("source_id")["citations"]
    assert counts.to_dict() == {"kap_rutte_2025_03_10": 2, "brief_2025_04_02": 1,
                                "rel_focus_2025_04": 1, "reaction_2023": 1, "iria_2023": 0}


def test_source_list_follows_the_citations_and_marks_inferred_dates(sources):
    listed = source_list(TEXT, sources)
    assert listed["source_id"].tolist() == ["kap_rutte_2025_03_10", "brief_2025_04_02",
                                            "rel_focus_2025_04", "reaction_2023"]
    published = listed.set_index("source_id")["published"]
    assert published["kap_rutte_2025_03_10"] == "10 March 2025"
    assert published["brief_2025_04_02"] == "2 April 2025"
    assert published["reaction_2023"].endswith("(date inferred)")
    assert listed.set_index("source_id").loc["brief_2025_04_02", "author"] == "Mejreme Asllani"


def test_a_claim_id_cites_the_article_of_its_claim(sources):
    text = ("Dodik's rhetoric has outside backing, the brief says [c003_dodik_backed]; Rutte "
            "promised no vacuum [c001_rutte_not_1992; iria_2023] and [c001_rutte_not_1992].")
    assert cited_claims(text) == ["c003_dodik_backed", "c001_rutte_not_1992"]
    assert cited_sources(text, sources) == ["brief_2025_04_02", "kap_rutte_2025_03_10",
                                            "iria_2023"]
    assert unknown_citations(text, sources) == []
    assert citation_verdict(text, sources) == "enough sources"
    counts = citation_counts(text, sources).set_index("source_id")["citations"]
    assert counts["kap_rutte_2025_03_10"] == 2 and counts["brief_2025_04_02"] == 1
    assert source_list(text, sources)["source_id"].tolist() == [
        "brief_2025_04_02", "kap_rutte_2025_03_10", "iria_2023"]


def test_a_misspelt_claim_id_is_an_unknown_citation(sources):
    text = "[c003_dodik_backd] [iria_2023] [reaction_2023] [brief_2025_04_02]"
    assert unknown_citations(text, sources) == ["c003_dodik_backd"]
    assert cited_claims(text) == []
    assert citation_verdict(text, sources) == "unknown source id"
    report = briefing_report(None, None, text, sources).set_index("part")
    assert report.loc["citations", "status"] == "to fix"
    assert "c003_dodik_backd" in report.loc["citations", "detail"]


def test_citation_verdicts(sources):
    assert citation_verdict(TEXT, sources) == "unknown source id"
    assert citation_verdict("[iria_2023] [reaction_2023] [brief_2025_04_02]",
                            sources) == "enough sources"
    assert citation_verdict("[iria_2023] and [reaction_2023] [iria_2023]", sources) == \
        "two sources"
    assert citation_verdict("no citations at all", sources) == "no citations"
    assert citation_verdict("", sources) == "no citations"


# ---------------------------------------------------------------- length


def test_word_count_skips_citations_and_keeps_numbers_whole():
    assert word_count("KFOR has 4,600 troops [kap_rutte_2025_03_10] in Prishtinë/Priština.") == 6
    assert word_count("  ") == 0 and word_count(None) == 0
    assert word_count("a - b") == 2


@pytest.mark.parametrize(("n", "verdict"), [(0, "empty"), (200, "too short"),
                                            (799, "too short"), (800, "within range"),
                                            (1500, "within range"), (1501, "too long")])
def test_length_verdict_follows_the_capstones_800_to_1500_words(n, verdict):
    assert (WORDS_MIN, WORDS_MAX) == (800, 1500)
    assert length_verdict(words(n)) == verdict


def test_a_shorter_range_can_still_be_asked_for():
    assert length_verdict(words(150), low=120, high=200) == "within range"
    assert length_verdict(words(150)) == "too short"


# ---------------------------------------------------------------- charts and tables


def test_tables_drawn_from_the_data_pass(strength):
    assert frame_from_tables(strength)[0]
    derived = strength.groupby("mission_id", as_index=False).agg(figures=("value", "size"))
    assert frame_from_tables(derived)[0]
    assert frame_from_tables(load_table("claims")["theme"].value_counts())[0]


@pytest.mark.parametrize(("frame", "words_in_reason"), [
    (pd.DataFrame({"x": [1, 2], "y": [3, 4]}), "none of its columns"),
    (pd.DataFrame({"mission_id": ["kfor"], "value": [9999]}), "'value'"),
    (pd.DataFrame({"source_id": ["bbc_2025"]}), "'source_id'"),
    (pd.DataFrame({"value": [4600]}), "label column"),
    (pd.DataFrame({"source_id": []}), "no rows"),
    ("not a table", "not a table"),
])
def test_made_up_tables_fail_with_a_reason(frame, words_in_reason):
    ok, why = frame_from_tables(frame)
    assert not ok and words_in_reason in why


def test_chart_checklist(strength):
    good = alt.Chart(strength).mark_point().encode(
        x="as_of_date:T", y="value:Q", tooltip=["source_id:N"]).properties(title="Sizes")
    assert chart_checklist(good) == {"is_altair_chart": True, "has_title": True,
                                     "has_tooltip": True, "data_from_tables": True}
    assert chart_uses_tables(good)
    made_up = alt.Chart(pd.DataFrame({"mission": ["KFOR"], "troops": [4700]})).mark_bar()
    assert chart_checklist(made_up) == {"is_altair_chart": True, "has_title": False,
                                        "has_tooltip": False, "data_from_tables": False}
    assert not any(chart_checklist(strength).values())
    assert not any(chart_checklist(None).values())


def test_layered_chart_needs_every_layer_from_the_tables(strength):
    real = alt.Chart(strength).mark_point().encode(x="as_of_date:T", y="value:Q")
    fake = alt.Chart(pd.DataFrame({"value": [123456]})).mark_rule().encode(y="value:Q")
    assert chart_uses_tables(alt.layer(real, real.mark_line()))
    assert not chart_uses_tables(alt.layer(real, fake))


def test_table_checklist(strength):
    table = strength[["mission_id", "value", "source_id"]]
    assert all(table_checklist(table).values())
    assert table_checklist(table.drop(columns="source_id"))["has_source_id_column"] is False
    assert table_checklist(load_table("claims"))["fits_on_a_page"] is False
    assert table_checklist(table.iloc[:0])["fits_on_a_page"] is False
    assert not any(table_checklist([1, 2, 3]).values())


# ---------------------------------------------------------------- the report


def test_report_on_a_complete_briefing(strength, sources):
    chart = alt.Chart(strength).mark_point().encode(
        x="as_of_date:T", y="value:Q", tooltip=["wording:N"]).properties(title="Sizes")
    text = words(900) + " [kap_rutte_2025_03_10] [brief_2025_04_02] [reaction_2023]"
    report = briefing_report(chart, strength[["mission_id", "value", "source_id"]], text,
                             sources)
    assert report["part"].tolist() == ["chart", "table", "assessment", "sources"]
    assert (report["status"] == "ok").all()
    assert report.loc[2, "detail"] == "900 words (aim: 800-1,500)"


def test_report_on_an_empty_draft_says_what_is_missing(sources):
    report = briefing_report(None, None, "", sources).set_index("part")
    assert (report["status"] == "missing").all()
    assert report.loc["assessment", "detail"] == "no text yet: write 800-1,500 words"
    assert "cite at least 3" in report.loc["sources", "detail"]


def test_report_flags_unknown_sources_and_short_text(sources):
    report = briefing_report(None, None, words(60) + " [bbc_2025_03_01] [iria_2023]",
                             sources).set_index("part")
    assert report.loc["citations", "status"] == "to fix"
    assert "bbc_2025_03_01" in report.loc["citations", "detail"]
    assert report.loc["assessment", "detail"].startswith("60 words: too short")
    assert report.loc["sources", "status"] == "to fix"


def test_unanswered_exercises_pass_through_to_the_check(sources):
    for function in (chart_checklist, table_checklist, length_verdict, citation_verdict):
        assert function(...) is Ellipsis
    report = briefing_report(..., ..., ..., sources)
    assert (report["status"] == "missing").all()


def test_a_chart_of_rows_with_a_missing_date_still_comes_from_the_tables():
    """Altair writes NaT as "" in a chart's data: that is a missing value, not invented text."""
    claims = load_table("claims")
    undated = claims[claims["date"].isna()]
    assert not undated.empty, "the test needs a claim without a date"
    chart = alt.Chart(pd.concat([undated, claims.head(3)])).mark_bar().encode(
        x="count():Q", y="theme:N", tooltip=["theme:N"]).properties(title="Themes")
    assert chart_checklist(chart)["data_from_tables"] is True


# ---------------------------------------------------------------- the capstone paper (set 08)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "teacher" / "capstone_examples.md"
SOLUTION = ROOT / "solutions" / "08_capstone_briefing.ipynb"
LEVELS = {4: "Excellent", 3: "Good", 2: "Developing", 1: "Beginning"}


def example(level: str) -> str:
    text = EXAMPLES.read_text(encoding="utf-8")
    return text.split(f"<!-- example:{level}:start -->")[1].split(
        f"<!-- example:{level}:end -->")[0]


@pytest.fixture(scope="module")
def solution():
    return {cell.id: cell for cell in nbformat.read(SOLUTION, as_version=4).cells}


@pytest.mark.parametrize("level", ["strong", "adequate"])
def test_the_strong_and_adequate_example_papers_pass_the_automatic_checks(level, sources):
    text = example(level)
    assert length_verdict(text) == "within range"
    assert citation_verdict(text, sources) == "enough sources"
    assert unknown_citations(text, sources) == []
    assert cited_claims(text), "the examples show citations of claim ids too"
    assert (briefing_report(None, None, text, sources).set_index("part").loc[
        ["assessment", "sources"], "status"] == "ok").all()


def test_the_weak_example_paper_fails_them(sources):
    text = example("weak")
    assert length_verdict(text) == "too short"
    assert citation_verdict(text, sources) == "unknown source id"
    assert unknown_citations(text, sources) == ["bbc_2025_03_01"]
    report = briefing_report(None, None, text, sources).set_index("part")
    assert (report.loc[["assessment", "citations", "sources"], "status"] == "to fix").all()


def test_the_examples_scores_add_up_to_their_stated_totals():
    text = EXAMPLES.read_text(encoding="utf-8")
    for level, total in (("strong", 22), ("adequate", 15), ("weak", 7)):
        scored = text.split(f"<!-- example:{level}:end -->")[1].split("<!-- example:")[0]
        assert f"**How it scores ({total} of 24).**" in scored
        rows = re.findall(r"^\| [^|]+ \| ([1-4]) \| ", scored, re.M)
        assert len(rows) == 6 and sum(map(int, rows)) == total, (level, rows)


def test_the_strong_example_is_the_solutions_model_paper(solution):
    strong = " ".join(example("strong").split())
    model = solution["assessment-answer"].source.split('"""')[1]
    assert " ".join(model.split()) == strong
    assert " ".join(solution["final-answer"].source.split()) == strong


def test_the_rubric_has_six_criteria_at_four_levels_worth_24_points(solution):
    info = solution["final-answer"].metadata["balkan_course"]
    rubric = info["rubric"]
    assert info["points"] == 24 == sum(max(lv["points"] for lv in c["levels"]) for c in rubric)
    assert [c["criterion"] for c in rubric] == [
        "Question and audience", "Evidence and citation",
        "Handling disagreement between sources", "Estimative language and uncertainty",
        "Even-handedness and local perspectives", "Structure and clarity"]
    for criterion in rubric:
        assert [(lv["points"], lv["label"]) for lv in criterion["levels"]] == list(LEVELS.items())
        assert all(20 <= len(lv["description"]) <= 400 for lv in criterion["levels"])


def test_the_rubric_cell_and_the_teachers_guide_show_every_level(solution):
    rubric = solution["final-answer"].metadata["balkan_course"]["rubric"]
    shown = solution["final-rubric"].source
    guide = (ROOT / "docs" / "teachers_guide.md").read_text(encoding="utf-8")
    guide = guide.split("### The capstone rubric")[1]
    for place in (shown, guide):
        assert "| Criterion | 4 · Excellent | 3 · Good | 2 · Developing | 1 · Beginning |" in place
        for criterion in rubric:
            row = next(line for line in place.splitlines()
                       if line.startswith(f"| **{criterion['criterion']}** |"))
            assert [cell.strip() for cell in row.split("|")[2:-1]] == [
                lv["description"] for lv in criterion["levels"]]


def test_the_checks_stay_fast_on_a_1500_word_paper(sources):
    tokens = " ".join([example("strong")] * 2).split()
    # the longest paper the rule accepts: 1,500 words, citations not counted
    paper = next(text for n in range(1500, len(tokens))
                 if word_count(text := " ".join(tokens[:n])) == WORDS_MAX)
    assert length_verdict(paper) == "within range" and len(cited_claims(paper)) > 10
    briefing_report(None, None, paper, sources)  # warm-up: the tables are loaded once
    start = time.perf_counter()
    for _ in range(10):
        briefing_report(None, None, paper, sources)
        length_verdict(paper), citation_verdict(paper, sources), source_list(paper, sources)
    assert (time.perf_counter() - start) / 10 < 0.25


def test_a_hostile_text_of_brackets_is_read_in_linear_time(sources):
    hostile = "[" * 200_000 + "a" * 200_000 + "[c001_rutte_not_1992" * 5_000
    start = time.perf_counter()
    assert citations(hostile) == []
    assert length_verdict(hostile) == "too short"
    assert time.perf_counter() - start < 2
