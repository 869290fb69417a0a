"""The grader's reports: grades.csv, feedback per student, written answers per question,
class summary (table and chart). Pure functions of the collected results and the solutions."""

from __future__ import annotations

import re
from pathlib import Path

from balkan_course.grading import safe_csv
from balkan_course.grading.build import (
    CHECK,
    RUBRIC,
    course_meta,
    free_text_of,
    source_of,
    tags,
)
from balkan_course.grading.versions import variant_notebook

NO_ANSWER = "_(no answer)_"


def checks_of(nb) -> dict[str, dict]:
    return {course_meta(c)["check_id"]: {"cell_id": c["id"], "points": course_meta(c)["points"]}
            for c in nb.cells if CHECK in tags(c)}


def status_of(result: dict) -> str:
    return "; ".join(result.get("statuses", [])) or "ok"


def write_reports(results: list[dict], out_dir: Path, instructors: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    graded = sorted({r["notebook"] for r in results if r["notebook"] in instructors})
    auto = {nb: checks_of(instructors[nb]) for nb in graded}
    by_hand = {nb: free_text_of(instructors[nb]) for nb in graded}
    write_grades_csv(results, out_dir / "grades.csv", auto, by_hand)
    write_feedback(results, out_dir / "feedback", auto, by_hand)
    write_free_text(results, out_dir / "free_text", instructors, by_hand)
    write_class_summary(results, out_dir, auto)


def write_grades_csv(results, path: Path, auto: dict, by_hand: dict) -> None:
    auto_ids = [check_id for nb in auto for check_id in auto[nb]]
    hand_ids = [check_id for nb in by_hand for check_id in by_hand[nb]]
    header = ["student", "notebook", *auto_ids, *[f"{c} (by hand)" for c in hand_ids],
              "total", "max", "percent", "status"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = safe_csv.writer(handle)  # a student's file name can be a formula
        writer.writerow(header)
        for result in sorted(results, key=lambda r: (r["student"], r["notebook"])):
            if result["notebook"] not in auto:  # a file that is not an exercise: a row anyway
                writer.writerow([result["student"], result["notebook"],
                                 *["" for _ in auto_ids], *["" for _ in hand_ids],
                                 "", "", "", status_of(result)])
                continue
            checks = auto[result["notebook"]]
            awarded = {c: result["checks"].get(c, {}).get("awarded", 0) for c in checks}
            total, maximum = sum(awarded.values()), sum(i["points"] for i in checks.values())
            writer.writerow([
                result["student"], result["notebook"],
                *[_number(awarded[c]) if c in checks else "" for c in auto_ids],
                *["" for _ in hand_ids],  # for the teacher to fill in
                _number(total), _number(maximum),
                f"{100 * total / maximum:.1f}" if maximum else "", status_of(result)])


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def points_text(value) -> str:
    """"1 point", "2 points", "0.5 points"."""
    return f"{_number(value)} point" + ("" if float(value) == 1 else "s")


def write_feedback(results, folder: Path, auto: dict, by_hand: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    students = sorted({r["student"] for r in results})
    for student in students:
        lines = [f"# Feedback for {student}", ""]
        for result in sorted((r for r in results if r["student"] == student),
                             key=lambda r: r["notebook"]):
            if result["notebook"] not in auto:
                lines += [f"## {result['notebook']}: not graded", "",
                          f"Note: {status_of(result)}.", ""]
                continue
            checks = auto[result["notebook"]]
            total = sum(result["checks"].get(c, {}).get("awarded", 0) for c in checks)
            maximum = sum(info["points"] for info in checks.values())
            lines += [f"## {result['notebook']}: {_number(total)} of {_number(maximum)} points "
                      "(checked automatically)", ""]
            if status_of(result) != "ok":
                lines += [f"Note: {status_of(result)}.", ""]
            for check_id, info in checks.items():
                lines.extend(_check_feedback(check_id, info, result["checks"].get(check_id, {})))
            for check_id, info in by_hand[result["notebook"]].items():
                lines.append(f"- ✍️ {check_id}: your written answer is read by your teacher "
                             f"({points_text(info['points'])})")
            lines.append("")
        (folder / f"{student}.md").write_text("\n".join(lines), encoding="utf-8")


def _check_feedback(check_id: str, info: dict, got: dict) -> list[str]:
    """One line per question (and one per part of a multi-part question): points, and for a
    miss the judge's hint, or the student's own error when their answer cell failed."""
    points, awarded = info["points"], got.get("awarded", 0)
    if got.get("passed"):
        return [f"- ✅ {check_id}: {_number(points)} of {_number(points)}"]
    shown = [line for line in got.get("shown", "").splitlines() if line.strip()]
    reasons = []
    for line in shown:
        reason = line.split(":", 1)[1].strip() if line[:1] in "✅❌" and ":" in line else line
        part = line[2:].split(":", 1)[0].strip() if line[:1] in "✅❌" else ""
        reasons.append((part, line[:1] == "✅", reason))
    errors = got.get("your_errors", [])
    if not shown:
        why = "not run (see the note above)" if not got.get("ran") else \
            "the check could not run (did an earlier cell fail?)"
        if errors:
            why = f"your cell raised an error: {errors[0]}"
        return [f"- ❌ {check_id}: 0 of {_number(points)}: {why[:300]}"]
    first = next((r for r in reasons if not r[1]), reasons[0])[2]
    if errors and ("not answered" in first or "not defined" in first):
        first = f"your cell raised an error: {errors[0]}"
    elif errors:
        first += f" (your cell raised an error: {errors[0]})"
    lines = [f"- ❌ {check_id}: {_number(awarded)} of {_number(points)}: {first[:300]}"]
    if len(got.get("parts") or {}) > 1:
        hints = {part: reason for part, _, reason in reasons}
        for part_id, part_info in got["parts"].items():
            mark = "✅" if part_info.get("passed") else "❌"
            lines.append(f"  - {mark} {part_id} ({points_text(part_info['points'])})"
                         + ("" if part_info.get("passed") else
                            f": {hints.get(part_id, 'not run')[:200]}"))
    return lines


def write_free_text(results, folder: Path, instructors: dict, by_hand: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for notebook, questions in by_hand.items():
        # The default's prompt, templates filled in; a student's own version is on the desk.
        cells = variant_notebook(instructors[notebook], 0).cells
        for check_id, info in questions.items():
            position = next(i for i, c in enumerate(cells) if c["id"] == info["cell_id"])
            prompt = next((source_of(c) for c in reversed(cells[:position])
                           if c.cell_type == "markdown" and not tags(c)), "")
            rubric = [source_of(c) for c in cells if RUBRIC in tags(c)
                      and course_meta(c).get("check_id") == check_id]
            lines = [f"# {notebook}: {check_id} ({_number(info['points'])} points, by hand)",
                     "", "## Question", "", prompt, "", "## Rubric", "",
                     *(rubric or ["(none)"]), "", "## Answers", ""]
            for result in sorted((r for r in results if r["notebook"] == notebook),
                                 key=lambda r: r["student"]):
                answer = result.get("free_text", {}).get(check_id, {}).get("answer", "")
                version = (f" (notebook version {result['variant']}: their own prompt is on "
                           "the marking desk)" if result.get("variant") else "")
                lines += [f"### {result['student']}{version}", "",
                          verbatim(answer) if answer.strip() else NO_ANSWER, ""]
            (folder / f"{notebook}__{check_id}.md").write_text("\n".join(lines),
                                                               encoding="utf-8")


def verbatim(text: str) -> str:
    """A student's text as a fenced block, shown as typed: no heading, HTML, image or link in
    it is rendered, so none can pass for the next student's answer (the fence is longer than
    any run of backticks in the text, which therefore cannot close it)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text.rstrip("\n")
    return f"{fence}text\n{body}\n{fence}"


def write_class_summary(results, out_dir: Path, auto: dict) -> None:
    rows = []
    for notebook, checks in auto.items():
        mine = [r for r in results if r["notebook"] == notebook and not r.get("refused")]
        for check_id, info in checks.items():
            passed = sum(1 for r in mine if r["checks"].get(check_id, {}).get("passed"))
            rows.append({"notebook": notebook, "check_id": check_id, "points": info["points"],
                         "submissions": len(mine), "passed": passed,
                         "success_rate": round(passed / len(mine), 3) if mine else 0.0})
    columns = list(rows[0]) if rows else ["check_id"]
    with (out_dir / "class_summary.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = safe_csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([row[c] for c in columns] for row in rows)
    write_summary_chart(rows, out_dir / "class_summary.png")


def summary_chart_spec(rows: list[dict]) -> dict:
    """The Vega-Lite spec Altair would write for this bar chart (built directly: importing
    Altair costs the grader ~2 s, and the spec is all vl-convert needs)."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": "Share of submissions passing each check",
        "data": {"values": rows},
        "mark": {"type": "bar", "color": "#0072B2"},
        "encoding": {
            "y": {"field": "check_id", "type": "nominal", "sort": None, "title": "check"},
            "x": {"field": "success_rate", "type": "quantitative", "title": "passed",
                  "axis": {"format": "%"}, "scale": {"domain": [0, 1]}},
            "tooltip": [{"field": "check_id"}, {"field": "passed"}, {"field": "submissions"}],
        },
        "width": 400,
    }


def write_summary_chart(rows: list[dict], path: Path) -> None:
    import vl_convert

    path.write_bytes(vl_convert.vegalite_to_png(summary_chart_spec(rows), scale=2))
