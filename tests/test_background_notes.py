"""Background the articles do not give is always marked as such (issue 14, item 6).

The course adds general knowledge (UN Security Council Resolution 1244, UNMIK, the Brussels
Agreement...) in block quotes that start with "**Background (not from the five articles):**".
These tests find every mention of such a topic in the lessons, the solutions, the teacher's guide
and the codebook, and fail when one stands outside a marked note; the data tables are checked
the same way by balkan_course.validation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from balkan_course.validation import BACKGROUND_MARKER, BACKGROUND_TERMS

ROOT = Path(__file__).resolve().parent.parent
NOTE_START = f"> **{BACKGROUND_MARKER}**"
# The teacher's guide lists where the notes are; that index names the topics without being one.
INDEX = re.compile(r"<!-- background-index:start -->.*?<!-- background-index:end -->", re.S)


def markdown_blocks(markdown: str) -> list[str]:
    """Paragraphs and block quotes: a block quote is one run of lines starting with '>'."""
    blocks, current, quoting = [], [], False
    for line in markdown.splitlines():
        is_quote = line.lstrip().startswith(">")
        if not line.strip() or (current and is_quote != quoting):
            if current:
                blocks.append("\n".join(current))
            current = [] if not line.strip() else [line]
            quoting = is_quote
            continue
        if not current:
            quoting = is_quote
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def unmarked_mentions(markdown: str) -> list[tuple[str, str]]:
    """(term, first words of the block) for each background term outside a marked note."""
    found = []
    for block in markdown_blocks(INDEX.sub("", markdown)):
        if block.lstrip().startswith(NOTE_START):
            continue
        for term in BACKGROUND_TERMS:
            if term in block:
                found.append((term, block.strip()[:70]))
    return found


def marked_notes(markdown: str) -> list[str]:
    return [b for b in markdown_blocks(markdown) if b.lstrip().startswith(NOTE_START)]


def notebook_markdown(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def course_texts() -> dict[str, str]:
    notebooks = [*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "solutions").glob("*.ipynb")]
    texts = {str(p.relative_to(ROOT)): notebook_markdown(p) for p in sorted(notebooks)}
    for doc in ("docs/teachers_guide.md", "data/README.md", "README.md"):
        texts[doc] = (ROOT / doc).read_text(encoding="utf-8")
    return texts


def test_the_check_catches_an_unmarked_note_and_accepts_a_marked_one():
    plain = "KFOR's mandate comes from Resolution 1244, as UNMIK's did."
    assert [term for term, _ in unmarked_mentions(plain)] == ["1244", "UNMIK"]
    marked = f"{NOTE_START} KFOR's mandate comes from Resolution 1244.\n> UNMIK ran Kosovo."
    assert unmarked_mentions(marked) == []
    # a plain paragraph straight after a marked note is not covered by it
    assert unmarked_mentions(marked + "\nThe Brussels Agreement of 2013 ...") == [
        ("Brussels Agreement", "The Brussels Agreement of 2013 ...")]
    # nor is a quote that does not start with the marker
    assert unmarked_mentions("> Background: UNMIK ran Kosovo.")[0][0] == "UNMIK"


@pytest.mark.parametrize("name", sorted(course_texts()))
def test_background_topics_appear_only_in_marked_notes(name):
    assert unmarked_mentions(course_texts()[name]) == []


# Topic -> (lesson, words a note on it must contain): the background issue 14 asks for.
REQUIRED_NOTES = {
    "UN Security Council Resolution 1244 and UNMIK, 1999-2008": (
        "02_timeline", ["1244", "UNMIK", "2008"]),
    "KFOR's mandate and the basis of Belgrade's position": (
        "02_timeline", ["KFOR", "Belgrade's position"]),
    "the Federal Republic of Yugoslavia in 1999": (
        "02_timeline", ["Federal Republic of Yugoslavia"]),
    "naming of the 1999 campaign on both sides": (
        "02_timeline", ["intervention", "bombing", "bombardovanje", "agresija"]),
    "the 2013 Brussels Agreement and the Association": (
        "02_timeline", ["Brussels Agreement", "2013", "Serb-majority Municipalities"]),
    "REL is RFE/RL's Albanian-language service": (
        "01_sources_and_evidence", ["Radio Evropa e Lirë", "Albanian-language"]),
    "the corpus's lean and what Belgrade or Banja Luka outlets would add": (
        "01_sources_and_evidence", ["lean", "Belgrade outlet", "Banja\nLuka outlet"]),
    "the third responder": ("04_peacekeeping_forces", ["EULEX", "third"]),
}


@pytest.mark.parametrize("topic", sorted(REQUIRED_NOTES))
def test_required_background_is_taught_in_a_marked_note(topic):
    lesson, words = REQUIRED_NOTES[topic]
    assert taught_in_a_marked_note(lesson, words), (topic, lesson)


def taught_in_a_marked_note(lesson: str, words: list[str]) -> bool:
    """Whether one marked note of the lesson holds all the words (line breaks count as spaces)."""
    notes = marked_notes(notebook_markdown(ROOT / "notebooks" / f"{lesson}.ipynb"))
    flat = [note.replace("\n> ", " ").replace("\n>", " ") for note in notes]
    wanted = [word.replace("\n", " ") for word in words]
    return any(all(word in note for word in wanted) for note in flat)


# --------------------------------------------------- lesson 04a: mandates and the EU track
# Issue 21: a lesson that is background almost throughout. Its notes must carry the documents
# they rest on (number or name, and date), its own topics must stay inside marked notes, and its
# readings must be cited in full, each with a question tied to the data.

LESSON_04A = "04a_mandates_and_the_eu_track"
LESSON_04A_NOTES = {  # topic -> words one marked note must hold: the documents and their dates
    "KFOR's basis": [
        "Kumanovo", "9 June 1999", "Resolution 1244", "10 June 1999", "Chapter VII",
        "unless the Council decides otherwise"],
    "EUFOR Althea's basis: Dayton Annex 1A, Resolution 1575 and the yearly renewal": [
        "21 November 1995", "14 December 1995", "Annex 1A", "Resolution 1575 of 22 November 2004",
        "legal successor", "renewed every November"],
    "Berlin Plus and NATO's DSACEUR as operation commander": [
        "Berlin Plus", "March 2003", "DSACEUR"],
    "what would happen without a renewal": [
        "Chapter VII authorisation would lapse", "invitation", "contested"],
    "peacekeeping by consent versus peace enforcement and deterrence": [
        "consent of the parties", "peace enforcement", "deterrence presence",
        "Virginia Page Fortna", "Princeton University Press, 2008"],
    "conditionality: the Copenhagen criteria and Serbia's chapter 35": [
        "Copenhagen criteria", "June 1993", "chapter 35"],
    "where Serbia, Kosovo and Bosnia and Herzegovina stand on the EU path": [
        "January 2014", "December 2022", "March 2024", "not yet a candidate"],
    "the dialogue: technical agreements, then Brussels 2013, then Brussels and Ohrid 2023": [
        "technical agreements", "2011", "February 2012",
        "First Agreement of Principles Governing the Normalisation of Relations",
        "19 April 2013", "Agreement on the Path to Normalisation", "27 February 2023", "Ohrid",
        "18 March 2023", "signed by neither"],
    "local voices in Bosnia and Herzegovina and in Kosovo, each in its own terms": [
        "SNSD", "Milorad Dodik", "SDA", "HDZ BiH", "Vetëvendosje", "Albin Kurti", "Srpska lista"],
}
# Topics only lesson 04a teaches; elsewhere in the course they are not checked.
LESSON_04A_TERMS = ["Kumanovo", "1575", "Annex 1A", "Chapter VII", "Berlin Plus", "DSACEUR",
                    "Copenhagen", "chapter 35", "Ohrid", "Path to Normalisation", "SNSD", "SDA",
                    "HDZ BiH", "Vetëvendosje", "Srpska lista", "Fortna", "Schimmelfennig"]
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# A reading: "> N. author or body, title (date or publisher, year) ... *question?*"
READING = re.compile(r"^> ?(\d)\. (.+?)(?=^> ?\d\. |\Z)", re.M | re.S)


def lesson_04a_mentions(markdown: str) -> list[tuple[str, str]]:
    """(term, first words of the block) for each of lesson 04a's topics outside a marked note."""
    found = []
    for block in markdown_blocks(markdown):
        if block.lstrip().startswith(NOTE_START):
            continue
        found += [(term, block.strip()[:70]) for term in LESSON_04A_TERMS if term in block]
    return found


def readings(markdown: str) -> list[str]:
    """The numbered readings of a readings note, each flattened to one line."""
    return [" ".join(line.lstrip("> ").strip() for line in item.splitlines())
            for _, item in READING.findall(markdown)]


def reading_problems(reading: str) -> list[str]:
    problems = []
    if not re.search(r"\b(19|20)\d\d\b", reading):
        problems.append("no year")
    if not re.search(rf"Resolution \d{{4}}|University Press|Journal|\d+\(\d+\)|{MONTHS}", reading):
        problems.append("no document number, publisher or journal")
    if not re.search(r"\.\s+\*Question:\*[^*]+\?\s*$", reading):  # after the citation
        problems.append("no closing question")
    return problems


def lesson_04a_cells() -> list[dict]:
    path = ROOT / "notebooks" / f"{LESSON_04A}.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_the_04a_checks_catch_an_unmarked_topic_and_an_incomplete_reading():
    assert lesson_04a_mentions("EUFOR rests on Resolution 1575 and Berlin Plus.") == [
        ("1575", "EUFOR rests on Resolution 1575 and Berlin Plus."),
        ("Berlin Plus", "EUFOR rests on Resolution 1575 and Berlin Plus.")]
    assert lesson_04a_mentions(f"{NOTE_START} EUFOR rests on Resolution 1575.") == []
    good = "UN Security Council, **Resolution 1575** (22 November 2004). *Question:* Which claims?"
    assert reading_problems(good) == []
    assert reading_problems("Fortna, *Does Peacekeeping Work?*") == [
        "no year", "no document number, publisher or journal", "no closing question"]
    assert readings(f"{NOTE_START} two readings.\n>\n> 1. {good}\n> 2. Another,\n>    (2008).") \
        == [good, "Another, (2008)."]


@pytest.mark.parametrize("topic", sorted(LESSON_04A_NOTES))
def test_lesson_04a_teaches_its_background_with_the_documents_it_rests_on(topic):
    assert taught_in_a_marked_note(LESSON_04A, LESSON_04A_NOTES[topic]), topic


def test_a_note_missing_one_citation_is_not_enough():
    kfor = LESSON_04A_NOTES["KFOR's basis"]
    assert not taught_in_a_marked_note(LESSON_04A, [*kfor, "11 June 1999"])
    assert not taught_in_a_marked_note("04_peacekeeping_forces", kfor)


def test_lesson_04a_keeps_its_topics_in_marked_notes():
    # The plan cell is left out: its key words are links to glossary entries, which say
    # themselves that they are background.
    markdown = "\n\n".join("".join(c["source"]) for c in lesson_04a_cells()
                           if c["cell_type"] == "markdown" and c["id"] != "lesson-plan")
    assert lesson_04a_mentions(markdown) == []


def test_lesson_04a_readings_are_cited_in_full_with_a_question_each():
    cell = next(c for c in lesson_04a_cells() if c["id"] == "readings-list")
    source = "".join(cell["source"])
    note = next(note for note in marked_notes(source) if "1." in note)
    found = readings(note)
    assert 2 <= len(found) <= 4, found
    assert {reading: reading_problems(reading) for reading in found} == \
        {reading: [] for reading in found}
