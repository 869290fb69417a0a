"""scripts/make_slides.py: what goes on each lesson's three slides, and that no page needs the
network. Small made-up notebooks, with the slide metadata and without it (each fallback, and
--strict refusing them); the real lessons and teacher's guide are read once, without a browser
(browser_tests/test_slides_and_handouts.py opens the decks and prints the handouts)."""

from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import make_slides  # noqa: E402 - a script, not a package

# A 1x1 PNG, as a notebook stores a chart's picture.
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)).decode("ascii")
GUIDE = """# Teacher's guide
<!-- lesson-goals:start -->
## The lessons at a glance
## Discussion questions

**04 · Peacekeeping forces**
- Which figure would you print, and what must travel with it?
- What does the head count leave out?

**05 · Money and capabilities**
- Less credible, or only one-sided?
<!-- lesson-goals:end -->
## Planning a term
"""
REMOTE_ATTRIBUTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*https?://""", re.I)


def md(cell_id: str, source: str, slide: str | None = None) -> dict:
    metadata = {"balkan_course": {"slide": slide}} if slide else {}
    return {"cell_type": "markdown", "id": cell_id, "metadata": metadata, "source": source}


def chart(cell_id: str, description: str, slide: str | None = None, png: bool = True,
          spec: dict | None = None) -> dict:
    data = {"text/plain": f"<Altair chart>\nDescription: {description}\n"}
    if png:
        data["image/png"] = PNG
    metadata = {"balkan_course": {"vega_lite": json.dumps(spec)}} if spec else {}
    return {"cell_type": "code", "id": cell_id, "execution_count": 1, "source": "chart",
            "metadata": {"balkan_course": {"slide": slide}} if slide else {},
            "outputs": [{"output_type": "execute_result", "execution_count": 1, "data": data,
                         "metadata": metadata}]}


def code(cell_id: str) -> dict:
    return {"cell_type": "code", "id": cell_id, "execution_count": 1, "metadata": {},
            "source": "x = 1", "outputs": []}


def lesson(marked: bool) -> list[dict]:
    """Lesson 04's shape: `surge-why` is one of its extension sections (lesson_times.LESSONS)."""
    cells = [
        md("title", "# 04 · Peacekeeping forces: a test\n\nTwo forces keep watch over the "
                    "region.\n\nA second paragraph.\n\n**Learning goals**\n\n* read a chart"),
        md("lesson-plan", "**Time.** The core: about 30 minutes."),
        md("setup-why", "## Setting up\n\nThe tables."),
        code("setup"),
        md("surge-why", "## The 2023 reinforcement\n\nAn extension section."),
        chart("surge-chart", "A chart in the extension"),
        md("strength-why", "## Reported strength\n\n### Chart: KFOR since 1999"),
        chart("first-core-chart", "The first chart of the core"),
        md("compare-why", "## The two missions\n\nWhich is larger?"),
        chart("compare-chart", "Both missions side by side", "key-chart" if marked else None),
        md("summary", "## Summary\n\n* Figures travel with their source.\n\n## What next\n\n"
                      "* The exercises."),
        md("readings", "## Readings\n\n1. A book. *Question:* why?"),
    ]
    if marked:
        cells.insert(2, md("ir-question", "## The question\n\n**How many soldiers keep the "
                                          "peace, and who says so?**"))
        cells.insert(-2, md("talk", "## Talk about it\n\nWould you print 4,600 or 5,000?",
                            "discussion"))
    return cells


def write(folder: Path, stem: str, cells: list[dict]) -> Path:
    path = folder / f"{stem}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def deck(tmp_path: Path, cells: list[dict], stem: str = "04_peacekeeping_forces",
         guide: str = GUIDE) -> make_slides.Deck:
    # The made-up lesson's own plan: `surge-why` is its extension (whatever the real 04's is).
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(make_slides.lesson_times.LESSONS, stem, ("", ["surge-why"], []))
        return make_slides.read_deck(write(tmp_path, stem, cells),
                                     make_slides.guide_discussions(guide))


@pytest.fixture
def reveal_package(tmp_path: Path) -> Path:
    """A stand-in for the npm package: the files a deck needs and its package.json."""
    package = tmp_path / "node_modules" / "reveal.js"
    for source in make_slides.REVEAL_FILES:
        (package / source).parent.mkdir(parents=True, exist_ok=True)
        (package / source).write_text(f"/* {source} */", encoding="utf-8")
    (package / "package.json").write_text('{"version": "9.9.9"}', encoding="utf-8")
    return package


# ---------------------------------------------------------------------------------------------
# What goes on the slides


def test_with_the_metadata_every_slide_comes_from_its_marked_cell(tmp_path):
    found = deck(tmp_path, lesson(marked=True))
    assert found.title == "04 · Peacekeeping forces: a test"
    assert found.question.source == "cell ir-question"
    assert "How many soldiers keep the peace" in found.question.html
    assert "The question" not in found.question.html  # the cell's heading is the slide's own
    assert found.chart.cell_id == "compare-chart"  # marked, though not the first chart
    assert found.chart.description == "Both missions side by side"
    assert found.chart.heading == "The two missions"
    assert "4,600 or 5,000" in found.discussion.html
    assert "head count" not in found.discussion.html  # the guide is not used when marked
    assert found.fallbacks() == []


def test_without_the_metadata_each_part_falls_back_and_says_so(tmp_path):
    found = deck(tmp_path, lesson(marked=False))
    assert "Two forces keep watch" in found.question.html
    assert "second paragraph" not in found.question.html  # the first paragraph only
    # The first chart of the core: the one in the extension section `surge-why` is skipped.
    assert found.chart.cell_id == "first-core-chart"
    assert found.chart.heading == "Chart: KFOR since 1999"
    assert "head count leave out" in found.discussion.html
    assert found.discussion.source.startswith("docs/teachers_guide.md")
    reasons = " ".join(found.fallbacks())
    assert "ir-question" in reasons and "key-chart" in reasons
    assert len(found.fallbacks()) == 2  # the guide is the discussion's own home


def test_without_guide_questions_the_discussion_is_the_summary_only(tmp_path):
    found = deck(tmp_path, lesson(marked=False), guide="no lesson-goals block here")
    assert "Figures travel with their source" in found.discussion.html
    assert "The exercises" not in found.discussion.html  # "## What next" is cut off
    assert "Summary cell" in found.discussion.fallback


def test_a_marked_cell_without_a_chart_is_reported_and_the_fallback_used(tmp_path):
    cells = lesson(marked=False)
    cells[cells.index(next(c for c in cells if c["id"] == "setup"))] = {
        **code("setup"), "metadata": {"balkan_course": {"slide": "key-chart"}}}
    found = deck(tmp_path, cells)
    assert found.chart.cell_id == "first-core-chart"
    assert any("setup is marked but stores no chart" in line for line in found.fallbacks())


def test_a_chart_stored_only_as_a_specification_is_drawn(tmp_path):
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "description": "Two bars", "data": {"values": [{"a": "x", "b": 1}]},
            "mark": "bar", "encoding": {"x": {"field": "a", "type": "nominal"},
                                        "y": {"field": "b", "type": "quantitative"}}}
    cells = lesson(marked=True)
    index = next(i for i, c in enumerate(cells) if c["id"] == "compare-chart")
    cells[index] = chart("compare-chart", "Two bars", "key-chart", png=False, spec=spec)
    found = deck(tmp_path, cells)
    assert base64.b64decode(found.chart.png).startswith(b"\x89PNG")


def test_the_guide_parser_reads_every_lesson_of_the_real_guide():
    guide = make_slides.guide_discussions(make_slides.GUIDE.read_text(encoding="utf-8"))
    codes = {make_slides.lesson_code(p.stem) for p in make_slides.lessons([])}
    assert codes <= set(guide), codes - set(guide)
    assert all(text.lstrip().startswith("- ") for text in guide.values())
    assert make_slides.guide_discussions(GUIDE) == {
        "04": "- Which figure would you print, and what must travel with it?\n"
              "- What does the head count leave out?",
        "05": "- Less credible, or only one-sided?"}


def test_every_real_lesson_gets_three_slides():
    decks = make_slides.read_decks(make_slides.lessons([]))
    assert len(decks) >= 10 and "00a_python_primer" not in {d.stem for d in decks}
    for found in decks:
        assert found.question.markdown.strip(), found.stem
        assert found.chart and base64.b64decode(found.chart.png)[:4] == b"\x89PNG", found.stem
        assert found.discussion and found.discussion.markdown.strip(), found.stem
    # Every lesson marks its question and key chart itself: `make slides` runs --strict.
    assert make_slides.report(decks) == []


# ---------------------------------------------------------------------------------------------
# Pages, --strict and the network


def test_pages_load_reveal_by_relative_path_and_name_no_internet_address(tmp_path,
                                                                       reveal_package):
    cells = lesson(marked=True)
    cells[2]["source"] += ("\n\nSee [the mission](https://example.org/kfor), "
                           "<https://example.org/raw> and ![a photo](http://example.org/a.png).")
    out = tmp_path / "slides"
    assert make_slides.main([str(write(tmp_path / "nb", "04_peacekeeping_forces", cells)),
                             "--out", str(out), "--reveal", str(reveal_package),
                             "--guide", str(tmp_path / "none.md")]) == 0
    page = (out / "04_peacekeeping_forces.html").read_text(encoding="utf-8")
    assert '<script src="reveal/reveal.js">' in page
    assert f'src="data:image/png;base64,{PNG}"' in page
    assert "the mission" in page and "a photo" in page  # links and pictures kept as text
    for written in out.glob("*.html"):
        text = written.read_text(encoding="utf-8")
        assert not REMOTE_ATTRIBUTE.search(text), written.name
    assert (out / "reveal" / "reveal.js").read_text() == "/* dist/reveal.js */"
    assert (out / "reveal" / "theme" / "white.css").is_file()
    assert 'href="04_peacekeeping_forces.html"' in (out / "index.html").read_text()


def test_a_page_that_would_load_from_the_internet_is_refused(tmp_path):
    found = deck(tmp_path, lesson(marked=True))
    found.discussion.markdown += '\n\n<iframe src="https://example.org/video"></iframe>'
    with pytest.raises(ValueError, match="refers to the internet"):
        make_slides.write_decks([found], tmp_path / "out")
    assert not (tmp_path / "out" / "04_peacekeeping_forces.html").exists()
    assert make_slides.remote_references("<style>a { background: url('http://x/y.png') }")
    assert not make_slides.remote_references('<img src="data:image/png;base64,AAAA">')


def test_strict_refuses_fallbacks_and_accepts_marked_lessons(tmp_path, reveal_package, capsys):
    marked = write(tmp_path / "nb", "04_peacekeeping_forces", lesson(marked=True))
    unmarked = write(tmp_path / "nb", "05_money_and_capabilities", lesson(marked=False))
    common = ["--reveal", str(reveal_package), "--guide", str(tmp_path / "none.md"), "--strict"]
    assert make_slides.main([str(marked), str(unmarked), "--out", str(tmp_path / "a"),
                             *common]) == 1
    assert "05_money_and_capabilities" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()  # nothing written
    assert make_slides.main([str(marked), "--out", str(tmp_path / "b"), *common]) == 0
    assert (tmp_path / "b" / "04_peacekeeping_forces.html").is_file()


def test_without_reveal_the_script_says_how_to_get_it(tmp_path):
    lesson_path = write(tmp_path / "nb", "04_peacekeeping_forces", lesson(marked=True))
    with pytest.raises(SystemExit, match="make slides"):
        make_slides.main([str(lesson_path), "--out", str(tmp_path / "out"),
                          "--reveal", str(tmp_path / "missing")])


def test_lessons_are_found_by_code_or_stem():
    assert [p.stem for p in make_slides.lessons(["04a", "04_peacekeeping_forces"])] == [
        "04a_mandates_and_the_eu_track", "04_peacekeeping_forces"]
    with pytest.raises(SystemExit):
        make_slides.lessons(["99"])
