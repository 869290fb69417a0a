"""Slides and handouts (`make slides`, `make handouts`) for two lessons, checked in Chromium.

- The slides (scripts/make_slides.py) are opened as a teacher opens them from a USB stick: from
  their file:// address, in a browser context that aborts and records every request that is not
  a local file or a data: URL. The first slide must show the lesson's question; the right-arrow
  key must move to the second slide, whose chart picture must be drawn; the third shows the
  discussion prompt. reveal.js must be the version the Makefile pins, and no page may name an
  http(s) address in a src or href.
- The handouts (scripts/make_handouts.py) are printed by the session's Chromium, through the
  guarded context of conftest.py, and read back with pypdf: at least two pages, the title and
  the question on the first, an exercise prompt's heading on a later one.
"""

from __future__ import annotations

import html
import json
import re
import sys
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import make_handouts  # noqa: E402 - the scripts under test live in scripts/
import make_slides  # noqa: E402

LESSONS = ["01_sources_and_evidence", "04_peacekeeping_forces"]
REMOTE_ATTRIBUTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*https?://""", re.I)
LOCAL = ("file:", "data:", "about:", "blob:")


def plain(markup: str) -> str:
    """Text without tags, entities, ligatures or line breaks: what a reader sees, compared."""
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))
    return " ".join(unicodedata.normalize("NFKC", text).split())


def makefile_reveal_version() -> str:
    found = re.search(r"^REVEAL_VERSION := (\S+)$",
                      (REPO / "Makefile").read_text(encoding="utf-8"), re.M)
    assert found, "the Makefile pins no REVEAL_VERSION"
    return found.group(1)


@pytest.fixture(scope="module")
def slides(tmp_path_factory):
    """The two lessons' decks, written as `make slides` writes them."""
    package = make_slides.REVEAL_PACKAGE
    assert (package / "package.json").is_file(), (
        f"reveal.js not found in {package}: run `make test-browser` (it installs it)")
    out = tmp_path_factory.mktemp("slides")
    assert make_slides.main([*LESSONS, "--out", str(out)]) == 0
    decks = {deck.stem: deck for deck in make_slides.read_decks(make_slides.lessons(LESSONS))}
    return out, decks


@pytest.fixture(scope="module")
def file_context(browser):
    """A browser context for file:// pages: anything else but data: URLs is aborted, recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    outside: list[str] = []

    def guard(route):
        if route.request.url.startswith(LOCAL):
            route.fallback()
        else:
            outside.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    context.outside = outside
    yield context
    context.close()


def test_the_pages_name_no_internet_address_and_carry_the_pinned_reveal(slides):
    out, _ = slides
    pages = sorted(out.glob("*.html"))
    assert [p.stem for p in pages] == sorted([*LESSONS, "index"])
    for page in pages:
        assert not REMOTE_ATTRIBUTE.search(page.read_text(encoding="utf-8")), page.name
    manifest = json.loads((make_slides.REVEAL_PACKAGE / "package.json").read_text())
    assert manifest["version"] == makefile_reveal_version()
    assert (out / "reveal" / "reveal.js").read_bytes() == (
        make_slides.REVEAL_PACKAGE / "dist" / "reveal.js").read_bytes()


@pytest.mark.parametrize("stem", LESSONS)
def test_a_deck_opens_offline_and_advances(stem, slides, file_context):
    out, decks = slides
    deck = decks[stem]
    before = len(file_context.outside)
    page = file_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto((out / f"{stem}.html").as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
        assert page.evaluate("Reveal.VERSION") == makefile_reveal_version()
        assert page.evaluate("Reveal.getIndices().h") == 0
        assert page.evaluate("Reveal.getTotalSlides()") == 3
        first = plain(page.inner_text("section.present"))
        assert plain(deck.question.html) in first
        assert plain(deck.title) in first

        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => Reveal.getIndices().h === 1", timeout=10_000)
        image = page.locator("section.present img.chart")
        page.wait_for_function(
            "() => { const i = document.querySelector('section.present img.chart');"
            " return i && i.complete && i.naturalWidth > 0; }", timeout=10_000)
        assert image.get_attribute("alt") == deck.chart.description
        box = image.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, box

        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => Reveal.getIndices().h === 2", timeout=10_000)
        assert plain(deck.discussion.html)[:80] in plain(page.inner_text("section.present"))
    finally:
        page.close()
    assert not errors, errors
    assert file_context.outside[before:] == [], "requests outside the deck's folder"


def test_each_handout_has_its_pages_and_text(tmp_path, browser_context, blocked_requests):
    try:
        from pypdf import PdfReader
    except ImportError:
        pytest.fail("pypdf is not installed: run `make test-browser` (requirements-browser.txt)")
    blocked_before = len(blocked_requests)
    lessons = make_slides.lessons(LESSONS)
    written = make_handouts.write_handouts(browser_context, lessons, tmp_path)
    assert blocked_requests[blocked_before:] == [], "requests outside loopback"
    assert [p.name for p in written] == [f"{stem}.pdf" for stem in LESSONS]
    for lesson, pdf in zip(lessons, written, strict=True):
        notebook = json.loads(lesson.read_text(encoding="utf-8"))
        pages = [plain(page.extract_text()) for page in PdfReader(pdf).pages]
        assert len(pages) >= 2, f"{pdf.name}: {len(pages)} page(s)"
        assert plain(make_slides.lesson_heading(notebook)) in pages[0], pdf.name
        assert plain(make_slides.question(notebook).html) in pages[0], pdf.name
        _, tasks = make_handouts.exercise_prompts(REPO / "exercises" / lesson.name)
        first_heading = re.search(r"^## +(.+)$", tasks[0], re.M).group(1)
        later = " ".join(pages[1:])
        assert plain(first_heading) in later, f"{pdf.name}: no {first_heading!r} after page 1"
        assert plain(first_heading) not in pages[0], "the exercises start on a new page"
