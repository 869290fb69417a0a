"""Write each lesson's slides (reveal.js, offline): its question, its key chart, its discussion.

Usage: .venv/bin/python scripts/make_slides.py [LESSON ...] [--out DIR] [--reveal DIR] [--strict]
       (default: every lesson in notebooks/ but the primer, into build/slides/; `make slides`
       installs the pinned reveal.js into .venv/npm first and runs this)

Three slides per lesson, taken from the lesson notebook itself, never from a second copy:
1. the question: the markdown cell of id `ir-question`, under the lesson's title;
2. the key chart: the stored picture of the code cell whose `metadata.balkan_course.slide` is
   "key-chart" (its text summary's `Description:` is the picture's alternative text);
3. the discussion prompt: the markdown cell whose `metadata.balkan_course.slide` is "discussion",
   else the lesson's questions in docs/teachers_guide.md (`**NN · Title**` lists under
   "Discussion questions"), where the course keeps them (one copy, read here).
A lesson without these falls back, and the script says so: the question to the first paragraph
of the goals cell; the chart to the first code cell of the core (lesson_times' cut) whose stored
output holds a picture or a chart specification; the discussion to its Summary cell. `--strict`
makes any fallback an error.

Every page loads reveal.js from build/slides/reveal/ by a relative path (copied from the npm
package that `make slides` installs, pinned, into .venv/npm) and holds its chart as a data:
URL, so a deck opens from a USB stick with no network. Links in the lesson's text are kept as
plain text: a slide has nothing to link to, and no page names an http(s) address.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import course_design  # noqa: E402 - scripts, not a package
import lesson_times  # noqa: E402

REVEAL_PACKAGE = ROOT / ".venv" / "npm" / "node_modules" / "reveal.js"
# What a deck needs from the package (its dist/ folder also holds plugins the decks do not use).
REVEAL_FILES = {
    "dist/reveal.js": "reveal.js",
    "dist/reveal.css": "reveal.css",
    "dist/reset.css": "reset.css",
    "dist/theme/white.css": "theme/white.css",
    "LICENSE": "LICENSE",
}
SLIDE_KEY = "slide"  # metadata.balkan_course.slide
KEY_CHART, DISCUSSION = "key-chart", "discussion"
QUESTION_ID = "ir-question"
GUIDE = ROOT / "docs" / "teachers_guide.md"
SPEC_KEY = "balkan_course"  # balkan_course.charts.SPEC_METADATA_KEY: the stored Vega-Lite spec
GUIDE_LESSON = re.compile(r"^\*\*(\w+) · [^*\n]+\*\*[ \t]*$", re.M)
LINK = re.compile(r"<a\b[^>]*>(.*?)</a>", re.S)
IMAGE = re.compile(r"<img\b[^>]*>", re.S)
ALT = re.compile(r'\balt="([^"]*)"')
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*https?://|url\(\s*["']?\s*https?://""", re.I)

MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")


# ---------------------------------------------------------------------------------------------
# Reading a lesson


def render(markdown: str) -> str:
    """Markdown as HTML, links kept as their text and pictures as their alternative text."""
    rendered = MARKDOWN.render(markdown)
    rendered = LINK.sub(r"\1", rendered)
    return IMAGE.sub(alternative_text, rendered)


def alternative_text(tag: re.Match) -> str:
    found = ALT.search(tag.group())
    return found.group(1) if found else ""


def without_headings(markdown: str) -> str:
    return "\n".join(line for line in markdown.splitlines()
                     if not re.match(r"#{1,6} ", line)).strip()


def paragraphs(markdown: str) -> list[str]:
    return [part.strip() for part in re.split(r"\n\s*\n", markdown) if part.strip()]


def lesson_code(stem: str) -> str:
    return course_design.set_code(stem)


def lesson_heading(notebook: dict) -> str:
    """The title cell's heading: `04 · Peacekeeping forces: KFOR and EUFOR Althea`."""
    first = course_design.text(notebook["cells"][0]).strip().split("\n")[0]
    return first.lstrip("#").strip()


def core(notebook: dict, stem: str) -> list[dict]:
    """The cells of the lesson's core, as lesson_times and course_design cut it."""
    spec = lesson_times.LESSONS.get(stem)
    extensions = {stem: list(spec[1])} if spec else {}
    return course_design.core_cells(course_design.Course({stem: notebook}, {}, extensions), stem)


def marked(notebook: dict, kind: str) -> list[dict]:
    return [cell for cell in notebook["cells"]
            if course_design.meta(cell).get(SLIDE_KEY) == kind]


@dataclass
class Part:
    """One slide's content: its HTML, where it came from, whether that was a fallback."""

    markdown: str
    source: str
    fallback: str = ""  # why the fallback was needed; empty when the metadata gave it

    @property
    def html(self) -> str:
        return render(self.markdown)


@dataclass
class Chart:
    cell_id: str
    png: str  # base64
    description: str
    heading: str
    fallback: str = ""


@dataclass
class Deck:
    stem: str
    title: str
    question: Part
    chart: Chart | None
    discussion: Part | None
    problems: list[str] = field(default_factory=list)

    def fallbacks(self) -> list[str]:
        parts = [("question", self.question), ("key chart", self.chart),
                 ("discussion", self.discussion)]
        found = [f"{name}: {part.fallback}" for name, part in parts if part and part.fallback]
        found += [f"{name}: none found" for name, part in parts if part is None]
        return found + self.problems


def goals_cell(notebook: dict) -> dict:
    """The cell that states the lesson's goals (the title cell in every lesson today)."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown" and "learning goals" in course_design.text(cell).lower():
            return cell
    return notebook["cells"][0]


def question(notebook: dict) -> Part:
    for cell in notebook["cells"]:
        if cell.get("id") == QUESTION_ID and cell["cell_type"] == "markdown":
            return Part(without_headings(course_design.text(cell)), f"cell {QUESTION_ID}")
    goals = goals_cell(notebook)
    first = paragraphs(without_headings(course_design.text(goals)))
    return Part(first[0] if first else "", f"cell {goals.get('id') or 0}, first paragraph",
                f"no `{QUESTION_ID}` cell; the first paragraph of the goals cell")


def chart_output(cell: dict) -> dict | None:
    """The first output of a code cell that holds a picture or a Vega-Lite specification."""
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data or output.get("metadata", {}).get(SPEC_KEY, {}).get("vega_lite"):
            return output
    return None


def description(output: dict) -> str:
    """The chart's description: its text summary's `Description:` line, else its spec's."""
    plain = output.get("data", {}).get("text/plain", "")
    plain = "".join(plain) if isinstance(plain, list) else plain
    found = re.search(r"^Description: (.+)$", plain, re.M)
    if found:
        return found.group(1).strip()
    spec = output.get("metadata", {}).get(SPEC_KEY, {}).get("vega_lite")
    return (json.loads(spec).get("description") if spec else None) or "A chart from the lesson."


def png_of(output: dict) -> str:
    png = output.get("data", {}).get("image/png")
    if png:
        return "".join(png).replace("\n", "") if isinstance(png, list) else png.replace("\n", "")
    from balkan_course.charts import chart_png  # only a spec stored: draw it, offline

    spec = json.loads(output["metadata"][SPEC_KEY]["vega_lite"])
    return base64.b64encode(chart_png(spec)).decode("ascii")


def heading_before(notebook: dict, cell: dict) -> str:
    """The nearest `##`/`###` heading above a cell (what the chart answers)."""
    found = ""
    for other in notebook["cells"]:
        if other is cell:
            break
        if other["cell_type"] == "markdown":
            for line in course_design.text(other).splitlines():
                if re.match(r"#{2,3} ", line):
                    found = line.lstrip("#").strip()
    return found


def key_chart(notebook: dict, stem: str) -> tuple[Chart | None, list[str]]:
    problems = []
    for cell in marked(notebook, KEY_CHART):
        output = chart_output(cell) if cell["cell_type"] == "code" else None
        if output:
            return Chart(cell.get("id", ""), png_of(output), description(output),
                         heading_before(notebook, cell)), problems
        problems.append(f"key chart: cell {cell.get('id')} is marked but stores no chart")
    for cell in core(notebook, stem):
        output = chart_output(cell) if cell["cell_type"] == "code" else None
        if output:
            return Chart(cell.get("id", ""), png_of(output), description(output),
                         heading_before(notebook, cell),
                         "no cell marked key-chart; the first chart of the core"), problems
    return None, problems


def guide_discussions(guide_text: str) -> dict[str, str]:
    """Lesson code -> its discussion questions (markdown list) in the teacher's guide."""
    block = guide_text.split("<!-- lesson-goals:start -->")[-1]
    block = block.split("<!-- lesson-goals:end -->")[0]
    section = block.split("## Discussion questions", 1)
    if len(section) < 2:
        return {}
    section = re.split(r"^## ", section[1], flags=re.M)[0]
    pieces = GUIDE_LESSON.split(section)  # text, code, body, code, body...
    pairs = zip(pieces[1::2], pieces[2::2], strict=True)
    return {code: body.strip() for code, body in pairs if body.strip()}


def summary_cell(notebook: dict) -> dict | None:
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown" and (
                cell.get("id") == "summary" or course_design.text(cell).startswith("## Summary")):
            return cell
    return None


def discussion(notebook: dict, stem: str, guide: dict[str, str]) -> Part | None:
    for cell in marked(notebook, DISCUSSION):
        if cell["cell_type"] == "markdown":
            return Part(without_headings(course_design.text(cell)), f"cell {cell.get('id')}")
    code = lesson_code(stem)
    if code in guide:
        # The guide is where the course keeps its discussion questions: not a fallback.
        return Part(guide[code], f"docs/teachers_guide.md, discussion questions {code}")
    cell = summary_cell(notebook)
    if cell:
        # The Summary section only: the cell may go on with "## What next".
        body = re.split(r"^## ", course_design.text(cell), flags=re.M)
        summary = next((part for part in body if part.startswith("Summary")), body[-1])
        return Part(without_headings("## " + summary), f"cell {cell.get('id')}",
                    "no cell marked discussion, none in the teacher's guide; the Summary cell")
    return None


def read_deck(path: Path, guide: dict[str, str]) -> Deck:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    chart, problems = key_chart(notebook, path.stem)
    return Deck(path.stem, lesson_heading(notebook), question(notebook), chart,
                discussion(notebook, path.stem, guide), problems)


# ---------------------------------------------------------------------------------------------
# Writing the slides

STYLE = """
<style>
.reveal { font-size: 30px; }
.reveal h1, .reveal h2 { text-transform: none; }
.reveal h1 { font-size: 1.6em; }
.reveal h2 { font-size: 1.2em; }
.reveal .question { font-size: 1.05em; text-align: left; }
.reveal .discussion { font-size: 0.8em; text-align: left; }
.reveal .discussion li { margin-bottom: 0.4em; }
.reveal img.chart { max-width: 100%; max-height: 520px; margin: 0; }
.reveal .source { font-size: 0.45em; color: #555; }
</style>
"""


def slide_page(deck: Deck) -> str:
    title = html.escape(deck.title)
    sections = [
        f'<section id="question" data-source="{html.escape(deck.question.source)}">\n'
        f"<h1>{title}</h1>\n<div class=\"question\">{deck.question.html}</div>\n</section>"
    ]
    if deck.chart:
        chart = deck.chart
        sections.append(
            f'<section id="key-chart" data-cell-id="{html.escape(chart.cell_id)}">\n'
            f"<h2>{html.escape(chart.heading or 'The key chart')}</h2>\n"
            f'<img class="chart" src="data:image/png;base64,{chart.png}" '
            f'alt="{html.escape(chart.description)}">\n'
            f'<p class="source">Lesson {html.escape(lesson_code(deck.stem))}, cell '
            f"<code>{html.escape(chart.cell_id)}</code></p>\n</section>")
    if deck.discussion:
        sections.append(
            f'<section id="discussion" data-source="{html.escape(deck.discussion.source)}">\n'
            f"<h2>Discuss</h2>\n<div class=\"discussion\">{deck.discussion.html}</div>\n"
            "</section>")
    slides = "\n".join(sections)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} (slides)</title>
<link rel="stylesheet" href="reveal/reset.css">
<link rel="stylesheet" href="reveal/reveal.css">
<link rel="stylesheet" href="reveal/theme/white.css">
{STYLE}
</head>
<body>
<div class="reveal"><div class="slides">
{slides}
</div></div>
<script src="reveal/reveal.js"></script>
<script>
Reveal.initialize({{hash: true, slideNumber: "c/t", transition: "none", controls: true,
  progress: true}});
</script>
</body>
</html>
"""


def index_page(decks: list[Deck]) -> str:
    rows = []
    for deck in decks:
        notes = "; ".join(deck.fallbacks()) or "from the lesson's metadata"
        rows.append(f'<li><a href="{deck.stem}.html">{html.escape(deck.title)}</a>'
                    f" <small>({html.escape(notes)})</small></li>")
    items = "\n".join(rows)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Slides: Peacekeeping under pressure</title>
<style>body {{ font-family: sans-serif; max-width: 50em; margin: 2em auto; line-height: 1.5; }}
small {{ color: #555; }}</style>
</head>
<body>
<h1>Slides, one deck per lesson</h1>
<p>Each deck has three slides: the lesson's question, its key chart and a discussion prompt.
Press the right arrow or space to move on, <kbd>F</kbd> for full screen, <kbd>Esc</kbd> for an
overview. Everything is in this folder: the decks open with no network.</p>
<ul>
{items}
</ul>
</body>
</html>
"""


def remote_references(page: str) -> list[str]:
    """Every src/href (or CSS url) in a page that points at the internet."""
    return [page[max(0, m.start() - 40):m.end() + 40] for m in REMOTE.finditer(page)]


def copy_reveal(package: Path, out: Path) -> str:
    """Copy the files a deck needs into out/reveal/; return the package's version."""
    manifest = package / "package.json"
    if not manifest.is_file():
        raise SystemExit(f"reveal.js not found in {package}: run `make slides` (it installs the "
                         "pinned version into .venv/npm), or pass --reveal DIR")
    for source, target in REVEAL_FILES.items():
        destination = out / "reveal" / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package / source, destination)
    return json.loads(manifest.read_text(encoding="utf-8"))["version"]


def write_decks(decks: list[Deck], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    pages = [(out / f"{deck.stem}.html", slide_page(deck)) for deck in decks]
    pages.append((out / "index.html", index_page(decks)))
    for target, page in pages:
        remote = remote_references(page)
        if remote:  # the promise is "no network": refuse to write a page that breaks it
            raise ValueError(f"{target.name} refers to the internet: {remote}")
        target.write_text(page, encoding="utf-8")
        written.append(target)
    return written


def lessons(names: list[str], root: Path = ROOT) -> list[Path]:
    """The lesson notebooks named (a path, a stem or a code such as 04a), or all but the primer."""
    folder = root / "notebooks"
    if not names:
        return [p for p in sorted(folder.glob("*.ipynb")) if p.stem != course_design.PRIMER]
    found = []
    for name in names:
        path = Path(name)
        if path.suffix == ".ipynb" and path.is_file():
            found.append(path)
            continue
        matches = sorted(folder.glob(f"{name}*.ipynb")) if name else []
        matches = [p for p in matches if p.stem == name or lesson_code(p.stem) == name]
        if len(matches) != 1:
            raise SystemExit(f"no single lesson named {name!r} in {folder}")
        found.append(matches[0])
    return found


def read_decks(paths: list[Path], guide_path: Path = GUIDE) -> list[Deck]:
    guide_text = guide_path.read_text(encoding="utf-8") if guide_path.is_file() else ""
    guide = guide_discussions(guide_text)
    return [read_deck(path, guide) for path in paths]


def report(decks: list[Deck]) -> list[str]:
    return [f"{deck.stem}: {'; '.join(deck.fallbacks())}" for deck in decks if deck.fallbacks()]


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="The rules are in this script's docstring.")
    parser.add_argument("lessons", nargs="*",
                        help="lesson notebooks, stems or codes (04a); default: all but the primer")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "slides",
                        help="where the decks go (default build/slides)")
    parser.add_argument("--reveal", type=Path, default=REVEAL_PACKAGE,
                        help="the reveal.js npm package (default .venv/npm/node_modules/reveal.js)")
    parser.add_argument("--guide", type=Path, default=GUIDE, help=argparse.SUPPRESS)
    parser.add_argument("--strict", action="store_true",
                        help="fail if a lesson lacks the ir-question cell or a slide mark")
    options = parser.parse_args(arguments)
    decks = read_decks(lessons(options.lessons), options.guide)
    fallbacks = report(decks)
    if options.strict and fallbacks:
        print("Lessons without their slide metadata (--strict):", *fallbacks, sep="\n  ",
              file=sys.stderr)
        return 1
    version = copy_reveal(options.reveal, options.out)
    for target in write_decks(decks, options.out):
        print(f"{target} ({target.stat().st_size / 1024:.0f} KB)")
    print(f"reveal.js {version} in {options.out / 'reveal'}")
    if fallbacks:
        print(f"{len(fallbacks)} of {len(decks)} lessons used a fallback:", *fallbacks,
              sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
