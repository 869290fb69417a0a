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
    notes = marked_notes(notebook_markdown(ROOT / "notebooks" / f"{lesson}.ipynb"))
    flat = [note.replace("\n> ", " ").replace("\n>", " ") for note in notes]
    wanted = [word.replace("\n", " ") for word in words]
    assert any(all(word in note for word in wanted) for note in flat), (topic, lesson)
