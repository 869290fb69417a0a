"""Write each lesson's printable handout (PDF): its question, its reference card, its exercises.

Usage: .venv/bin/python scripts/make_handouts.py [LESSON ...] [--out DIR] [--chromium PATH]
       (default: every lesson in notebooks/ but the primer, into build/handouts/;
       `make handouts` installs Playwright and Chromium first, as `make test-browser` does)

A handout is A4, with the lesson's name and page numbers in the footer:
- first, the lesson's title and question (as the slides choose it: scripts/make_slides.py) and
  the reference card's rows for the idioms this lesson's core introduces (the rows of
  docs/reference_card.md under this lesson, computed by scripts/course_design.py);
- then, from a new page, the prompts of the lesson's exercise set (exercises/<lesson>.ipynb):
  each task's markdown cells and the examples or data cells it shows, without the answer
  cells and the checks. A lesson without a set (04a) says so.
The HTML is made here (Markdown through markdown-it-py) and printed to PDF by Chromium through
Playwright's `page.pdf()`. Nothing is fetched: the page is set from a string, and every request
the page would make outside data: URLs is aborted.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import course_design  # noqa: E402 - scripts, not a package
import make_slides  # noqa: E402

INSTRUCTOR_TAGS = set(course_design.INSTRUCTOR_TAGS)  # answer boxes and rubrics stay out
GRADED_CODE = {"answer", "check"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]
STYLE = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt;
       line-height: 1.35; color: #111; }
h1 { font-size: 17pt; margin: 0 0 4pt 0; }
h2 { font-size: 12.5pt; margin: 12pt 0 4pt 0; }
h3 { font-size: 11pt; margin: 10pt 0 3pt 0; }
.kind { color: #444; margin: 0 0 8pt 0; }
.question { border-left: 3pt solid #1f5f9a; padding: 2pt 0 2pt 8pt; font-size: 11pt; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { border: 0.5pt solid #888; padding: 2pt 4pt; vertical-align: top; text-align: left; }
th { background: #eee; }
tr { break-inside: avoid; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.92em; }
pre { white-space: pre-wrap; font-size: 8.5pt; background: #f4f4f4; padding: 4pt; }
.exercises { break-before: page; }
.task { border-top: 0.5pt solid #bbb; margin-top: 8pt; }
"""
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#444">'
          '<span class="title"></span> · page <span class="pageNumber"></span> of '
          '<span class="totalPages"></span></div>')


def card_rows(course: course_design.Course) -> dict[str, list[tuple[dict, list[dict]]]]:
    """Lesson -> the reference card's rows for the idioms that lesson's core shows first."""
    rows: dict[str, list[tuple[dict, list[dict]]]] = {}
    for entry, keywords in course_design.card_rows(course_design.card_entries(course)):
        if entry["where"] == "core":
            rows.setdefault(entry["stem"], []).append((entry, keywords))
    return rows


def card_table(rows: list[tuple[dict, list[dict]]]) -> str:
    if not rows:
        return "<p>This lesson introduces no new function or method.</p>"
    lines = ["<table>", "<thead><tr><th>Idiom</th><th>Meaning</th><th>Keyword arguments</th>"
             "</tr></thead>", "<tbody>"]
    for entry, keywords in rows:
        words = make_slides.MARKDOWN.renderInline(course_design.keywords_text(keywords))
        words = make_slides.LINK.sub(r"\1", words)
        lines.append(f"<tr><td><code>{html.escape(entry['shown'])}</code></td>"
                     f"<td>{html.escape(course_design.meaning(entry['idiom']))}</td>"
                     f"<td>{words}</td></tr>")
    return "\n".join(lines + ["</tbody>", "</table>"])


def exercise_prompts(exercise: Path) -> tuple[str, list[str]]:
    """The set's heading and each task's markdown (prompt and the markdown cells after it)."""
    notebook = json.loads(exercise.read_text(encoding="utf-8"))
    intro = course_design.text(notebook["cells"][0])
    heading = intro.strip().split("\n")[0].lstrip("#").strip()
    tasks = []
    for task in course_design.tasks(notebook):
        parts = [course_design.text(task["prompt"])]
        for cell in task["cells"]:
            if set(course_design.tags(cell)) & (INSTRUCTOR_TAGS | GRADED_CODE):
                continue  # the answer boxes and the checks are for the notebook, not paper
            if cell["cell_type"] == "markdown":
                parts.append(course_design.text(cell))
            elif cell["cell_type"] == "code":  # an example or the data a task starts from
                parts.append(f"```python\n{course_design.text(cell).strip()}\n```")
        tasks.append("\n\n".join(parts))
    return heading, tasks


def handout_html(lesson: Path, rows: list[tuple[dict, list[dict]]], root: Path = ROOT) -> str:
    """The handout as one HTML page; `rows` are its reference card rows (card_rows)."""
    notebook = json.loads(lesson.read_text(encoding="utf-8"))
    title = html.escape(make_slides.lesson_heading(notebook))
    question = make_slides.question(notebook)
    parts = [f"<h1>{title}</h1>",
             '<p class="kind">Handout: the question, the new Python, the exercises</p>',
             "<h2>The question</h2>", f'<div class="question">{question.html}</div>',
             "<h2>New in this lesson (reference card)</h2>",
             card_table(rows)]
    exercise = root / "exercises" / lesson.name
    if exercise.is_file():
        heading, tasks = exercise_prompts(exercise)
        parts.append(f'<section class="exercises"><h2>{html.escape(heading)}</h2>')
        parts += [f'<div class="task">{make_slides.render(task)}</div>' for task in tasks]
        parts.append("</section>")
    else:
        parts.append('<section class="exercises"><h2>Exercises</h2><p>This lesson has no '
                     "exercise set; see the teacher's guide for its activity.</p></section>")
    body = "\n".join(parts)
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n"
            "</body>\n</html>\n")


def offline_context(browser):
    """A browser context in which any request but a data: URL is aborted."""
    context = browser.new_context()

    def guard(route):
        if route.request.url.startswith(("data:", "about:")):
            route.fallback()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    return context


def write_pdf(context, page_html: str, target: Path) -> Path:
    """Print one handout to PDF with a browser context (Playwright, Chromium)."""
    remote = make_slides.remote_references(page_html)
    if remote:
        raise ValueError(f"{target.name} refers to the internet: {remote}")
    target.parent.mkdir(parents=True, exist_ok=True)
    page = context.new_page()
    try:
        page.set_content(page_html, wait_until="load")
        page.pdf(path=str(target), format="A4", print_background=True,
                 display_header_footer=True, header_template="<div></div>",
                 footer_template=FOOTER, prefer_css_page_size=True)
    finally:
        page.close()
    return target


def write_handouts(context, lessons: list[Path], out: Path, root: Path = ROOT) -> list[Path]:
    rows = card_rows(course_design.load_course(root))
    return [write_pdf(context, handout_html(lesson, rows.get(lesson.stem, []), root),
                      out / f"{lesson.stem}.pdf") for lesson in lessons]


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="What a handout holds is in this script's docstring.")
    parser.add_argument("lessons", nargs="*",
                        help="lesson notebooks, stems or codes (04a); default: all but the primer")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "handouts",
                        help="where the PDFs go (default build/handouts)")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                        help="Chromium executable (default /usr/bin/chromium; env CHROMIUM)")
    options = parser.parse_args(arguments)
    lessons = make_slides.lessons(options.lessons)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("Playwright is not installed: run `make handouts` (it installs "
              "requirements-browser.txt)", file=sys.stderr)
        return 2
    if not os.access(options.chromium, os.X_OK):
        print(f"Chromium not found at {options.chromium}: run scripts/ensure_chromium.sh",
              file=sys.stderr)
        return 2
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=options.chromium, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            written = write_handouts(offline_context(browser), lessons, options.out)
        finally:
            browser.close()
    for target in written:
        print(f"{target} ({target.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
