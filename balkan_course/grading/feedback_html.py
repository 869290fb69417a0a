"""One HTML feedback page per student and notebook: feedback_html/<student>/<notebook>.html.

Each page shows the points per question; for a check that failed, the hint the student's own
check printed (or the error it stopped on) and the student's code from the answer cells that
lead up to that check; for a written answer, the answer, the teacher's points and comment
(from written_marks.csv) or "not marked yet". Pages are self-contained (inline CSS, no script,
nothing fetched), so they open offline and can be mailed or uploaded to an LMS as they are.
Everything the student wrote is escaped: a submission cannot put HTML or script in a page.
Pages hold no date or timing, so the same results always give the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
from pathlib import Path

from balkan_course.grading.build import ANSWER, ANSWER_TEXT, CHECK, course_meta, tags
from balkan_course.grading.report import points_text
from balkan_course.grading.written_marks import WrittenPrompts, written_result

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; }
.pass { color: #116329; } .fail { color: #a40e26; } .todo { color: #7a4b00; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; white-space: pre-wrap; }
.note { background: #fff8e1; padding: .5rem .75rem; border-left: 4px solid #e0a800; }
blockquote { border-left: 4px solid #ccc; margin: .5rem 0; padding: .1rem .75rem; }
"""


@functools.cache
def _markdown_renderer():
    try:
        import mistune  # installed with JupyterLab (nbconvert); pinned in requirements.txt
    except ImportError:
        return None

    class NothingFetched(mistune.HTMLRenderer):
        """Images in a student's Markdown are named, not loaded: a page fetches nothing (an
        image from a server would tell it when the page is opened)."""

        def image(self, text: str, url: str, title: str | None = None) -> str:
            return f"[image not shown: {text} ({html.escape(url)})]"

    return mistune.create_markdown(renderer=NothingFetched(escape=True))


def _markdown(text: str) -> str:
    """Markdown to HTML with every raw HTML tag escaped (student text is never trusted)."""
    render = _markdown_renderer()
    return render(text) if render else f"<pre>{html.escape(text)}</pre>"


def _n(value) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def answer_cells_before_checks(nb) -> dict[str, list[str]]:
    """check_id -> ids of the answer cells between the previous check (or answer) and it."""
    owned, pending = {}, []
    for cell in nb.cells:
        cell_tags = tags(cell)
        if ANSWER in cell_tags:
            pending.append(cell["id"])
        elif CHECK in cell_tags:
            owned[course_meta(cell)["check_id"]] = pending
            pending = []
        elif ANSWER_TEXT in cell_tags:
            pending = []
    return owned


def submitted_sources(path: Path | None, graded_sha256: str = "") -> dict[str, str] | None:
    """cell id -> source of the student's notebook as graded, or None when it cannot be read
    or is no longer the file that was graded (its SHA-256 differs from the result's)."""
    if path is None:
        return None
    try:
        raw = _read_regular_file(path)
        if graded_sha256 and hashlib.sha256(raw).hexdigest() != graded_sha256:
            return None
        data = json.loads(raw.decode("utf-8"))
        sources = {}
        for cell in data.get("cells", []):
            source = cell.get("source", "")
            if isinstance(cell.get("id"), str):
                sources.setdefault(cell["id"], "".join(source) if isinstance(source, list)
                                   else str(source))
        return sources
    except (OSError, ValueError, AttributeError, TypeError, RecursionError):
        return None  # (UnicodeDecodeError is a ValueError; RecursionError: JSON nested deep)


def _read_regular_file(path: Path, limit: int = 20 * 2**20) -> bytes:
    """The bytes of a regular file, never through a link, never more than the limit (a link
    to /dev/zero or a pipe in a student's folder must not hang or fill the memory)."""
    import os
    import stat

    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise OSError(f"{path} is not a regular file")
        with os.fdopen(handle, "rb", closefd=False) as stream:
            raw = stream.read(limit + 1)
    finally:
        os.close(handle)
    if len(raw) > limit:
        raise OSError(f"{path} is too large")
    return raw


def why_it_failed(check_id: str, got: dict) -> str:
    shown = got.get("shown", "")
    first = shown.splitlines()[0] if shown else ""
    if first.startswith(f"❌ {check_id}:"):
        return first.split(":", 1)[1].strip()
    if first.startswith("✅"):
        return "the check's output did not match the expected one"
    if got.get("ran"):
        return "the check could not run (did an earlier cell fail?)"
    return "not run (see the note above)"


def page_html(result: dict, instructor, marks: dict, questions: dict,
              sources: dict[str, str] | None) -> str:
    student, notebook = result["student"], result["notebook"]
    esc = html.escape
    checks = {course_meta(c)["check_id"]: course_meta(c)["points"]
              for c in instructor.cells if CHECK in tags(c)}
    mine_written = {cid: q for (nb, cid), q in questions.items() if nb == notebook}
    auto = sum(result.get("checks", {}).get(c, {}).get("awarded", 0) for c in checks)
    auto_max = sum(checks.values())
    given = {cid: written_result(result, cid, marks) for cid in mine_written}
    written = sum(g["points"] or 0 for g in given.values())
    written_max = sum(q["points"] for q in mine_written.values())
    unmarked = sum(1 for g in given.values() if g["points"] is None)
    owners = answer_cells_before_checks(instructor)
    status = "; ".join(result.get("statuses", [])) or "ok"

    parts = [f"<h1>{esc(notebook)}: feedback for {esc(student)}</h1>",
             f"<p><strong>{_n(auto + written)} of {_n(auto_max + written_max)} points</strong>"
             f" ({_n(auto)} of {_n(auto_max)} from the automatic checks"
             + (f", {_n(written)} of {_n(written_max)} for written answers" if mine_written
                else "") + ")"
             + (f"; {unmarked} written answer(s) not marked yet" if unmarked else "") + ".</p>"]
    if status != "ok":
        parts.append(f'<p class="note">Note from the grader: {esc(status)}.</p>')
    parts.append("<table><tr><th>question</th><th>points</th><th>result</th></tr>")
    for check_id, points in checks.items():
        got = result.get("checks", {}).get(check_id, {})
        if got.get("passed"):
            cell = '<span class="pass">✅ correct</span>'
        else:
            cell = f'<span class="fail">❌ {esc(why_it_failed(check_id, got)[:300])}</span>'
        parts.append(f'<tr><td><a href="#{esc(check_id)}">{esc(check_id)}</a></td>'
                     f"<td>{_n(got.get('awarded', 0))} of {_n(points)}</td><td>{cell}</td></tr>")
    for check_id, question in mine_written.items():
        g = given[check_id]
        shown = "not marked yet" if g["points"] is None else f"{_n(g['points'])} of " \
            f"{_n(question['points'])}"
        parts.append(f'<tr><td><a href="#{esc(check_id)}">{esc(check_id)}</a></td>'
                     f'<td>{shown}</td><td>✍️ written answer, marked by your teacher</td></tr>')
    parts.append("</table>")

    for check_id, points in checks.items():
        got = result.get("checks", {}).get(check_id, {})
        if got.get("passed"):
            continue
        parts.append(f'<h2 id="{esc(check_id)}">{esc(check_id)}: 0 of {_n(points)}</h2>')
        parts.append(f"<p><strong>Hint:</strong> {esc(why_it_failed(check_id, got)[:600])}</p>")
        if got.get("shown"):
            parts.append("<p>What the check printed:</p>"
                         f"<pre>{esc(got['shown'][:4000])}</pre>")
        for cell_id in owners.get(check_id, []):
            if sources is None:
                parts.append("<p>(Your code is not shown: the notebook that was graded is no "
                             "longer in the submissions folder, or cannot be read.)</p>")
                break
            code = sources.get(cell_id)
            parts.append(f"<p>Your code (cell <code>{esc(cell_id)}</code>):</p>"
                         f"<pre>{esc(code[:20_000]) if code is not None else '(cell missing)'}"
                         "</pre>")
    for check_id, question in mine_written.items():
        g = given[check_id]
        parts.append(f'<h2 id="{esc(check_id)}">{esc(check_id)} (written, '
                     f"{points_text(question['points'])})</h2>")
        parts.append(f"<div>{_markdown(question['prompt'])}</div>")
        parts.append("<p>Your answer:</p><blockquote>"
                     + (_markdown(g["answer"]) if g["answer"] else "<p>(no answer)</p>")
                     + "</blockquote>")
        if g["points"] is None:
            parts.append('<p class="todo">Not marked yet.</p>')
        else:
            parts.append(f"<p><strong>Your teacher gave {_n(g['points'])} of "
                         f"{_n(question['points'])} points.</strong></p>")
            if g["comment"].strip():
                parts.append(f"<p>Comment:</p><blockquote>{_markdown(g['comment'])}"
                             "</blockquote>")
        if g["changed_since_marked"]:
            parts.append('<p class="note">Your answer changed after it was marked; your '
                         "teacher will look at it again.</p>")
    body = "\n".join(parts)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(notebook)}: {esc(student)}</title><style>{STYLE}</style></head>"
            f"<body>\n{body}\n</body></html>\n")


def write_feedback_pages(results: list[dict], folder: Path, instructors: dict, marks: dict,
                         submissions_dir: Path | None) -> list[Path]:
    prompts = WrittenPrompts(instructors)  # each student's own version of a written question
    written = []
    for result in sorted(results, key=lambda r: (r["student"], r["notebook"])):
        path = None
        if submissions_dir is not None:
            path = Path(submissions_dir) / result["student"] / f"{result['notebook']}.ipynb"
        questions = prompts.of_notebook(result["notebook"], int(result.get("variant") or 0))
        page = page_html(result, instructors[result["notebook"]], marks, questions,
                         submitted_sources(path, result.get("submission_sha256", "")))
        target = Path(folder) / result["student"] / f"{result['notebook']}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        # errors="replace": a lone surrogate in a submitted cell cannot stop the reports.
        target.write_text(page, encoding="utf-8", errors="replace")
        written.append(target)
    return written
