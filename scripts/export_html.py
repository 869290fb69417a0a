"""Export the lessons as standalone HTML pages whose charts are live, with no kernel and offline.

Usage: .venv/bin/python scripts/export_html.py [NOTEBOOK ...] [--out DIR]
       (default: every lesson in notebooks/, into build/html/; `make html` runs this)

GitHub shows a committed notebook's stored PNG pictures: no JavaScript runs there. A page made
by this script draws each chart from the Vega-Lite specification that `setup_charts()` stores in
the chart output's metadata, so tooltips, selections and controls bound to the chart (sliders,
drop-downs, legend clicks: Altair parameters) respond in any browser, with no Python running.
The JavaScript (Vega, Vega-Lite, vega-embed) comes from vl-convert and is written into each page:
nothing is fetched from a CDN. A chart stored without a specification keeps its PNG.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import re
from pathlib import Path

import nbformat
import vl_convert as vlc
from nbconvert import HTMLExporter

from balkan_course.grading.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
SPEC_KEY = "balkan_course"  # balkan_course.charts.SPEC_METADATA_KEY
DRAW_CHARTS = """
document.querySelectorAll('.balkan-chart').forEach((element) => {
  const spec = JSON.parse(element.nextElementSibling.textContent);
  vegaEmbed(element, spec, {actions: false, renderer: 'svg'}).catch((error) => {
    element.textContent = 'This chart could not be drawn: ' + error;
  });
});
"""

# nbconvert's "lab" template greys its prompts to a contrast of 2.2:1 and colours some code
# (numbers, comments, operators...) and tracebacks below the 4.5:1 that WCAG AA asks of text;
# its links differ from the text by colour only. The same hues, darkened to at least 4.5:1 on
# their background, and underlined links (checked by browser_tests/test_exported_html.py with
# axe-core).
ACCESSIBLE_STYLE = """
<style>
:root {
  --jp-cell-prompt-not-active-opacity: 1;
  --jp-cell-prompt-not-active-font-color: #616161;
  --jp-cell-inprompt-font-color: #1f5f9a;
  --jp-cell-outprompt-font-color: #9a4329;
  --jp-mirror-editor-atom-color: #4545c0;
  --jp-mirror-editor-number-color: #007000;
  --jp-mirror-editor-variable-3-color: #006b4a;
  --jp-mirror-editor-operator-color: #8a14d6;
  --jp-mirror-editor-meta-color: #8a14d6;
  --jp-mirror-editor-comment-color: #356b6b;
  --jp-mirror-editor-bracket-color: #66664d;
  --jp-mirror-editor-quote-color: #007000;
  --jp-mirror-editor-error-color: #c00000;
  --jp-mirror-editor-hr-color: #6e6e6e;
}
.jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited { text-decoration: underline; }
/* A traceback's colours, on the error output's pink as on white. */
.jp-RenderedText pre .ansi-red-fg,
.jp-RenderedText pre .ansi-red-intense-fg { color: #9c1f25; }
.jp-RenderedText pre .ansi-green-fg,
.jp-RenderedText pre .ansi-green-intense-fg { color: #00662a; }
.jp-RenderedText pre .ansi-yellow-fg,
.jp-RenderedText pre .ansi-yellow-intense-fg { color: #7d5a00; }
.jp-RenderedText pre .ansi-blue-fg,
.jp-RenderedText pre .ansi-blue-intense-fg { color: #0060c0; }
.jp-RenderedText pre .ansi-magenta-fg,
.jp-RenderedText pre .ansi-magenta-intense-fg { color: #a03196; }
.jp-RenderedText pre .ansi-cyan-fg,
.jp-RenderedText pre .ansi-cyan-intense-fg { color: #1b7171; }
.jp-RenderedText pre .ansi-white-fg,
.jp-RenderedText pre .ansi-white-intense-fg { color: #666666; }
</style>
"""

# nbconvert's template loads require.js and MathJax from a CDN; the lessons need neither.
REMOTE_SCRIPT = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>\s*')


# An ANSI escape sequence (colour, bold...), as IPython writes into a traceback's lines.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def with_plain_tracebacks(notebook):
    """The notebook with its error outputs' tracebacks stripped of ANSI colour codes.

    nbconvert turns those codes into `ansi-*` classes (bold, intense colours on the error
    output's pink) that fall below the contrast WCAG asks of text; lesson 09 shows its errors on
    purpose, and a plain traceback reads the same.
    """
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [ANSI_ESCAPE.sub("", line)
                                       for line in output.get("traceback", [])]
    return notebook


def bundle_url(javascript: str) -> str:
    """The JavaScript bundle as a data: URL, so that the page stays one file.

    Pasted inside a <script> element the bundle breaks the page: it holds text such as "<!--"
    and "<script" in strings, which change how an HTML parser finds the element's end.
    """
    encoded = base64.b64encode(javascript.encode("utf-8")).decode("ascii")
    return f"data:text/javascript;base64,{encoded}"


def stored_spec(output: dict) -> str | None:
    """The chart's Vega-Lite specification (JSON text) kept in the output's metadata, if any."""
    return output.get("metadata", {}).get(SPEC_KEY, {}).get("vega_lite")


def live_chart_html(spec_text: str, description: str) -> str:
    """A placeholder that the page's script fills with the live chart, and its specification."""
    # "</" inside a script element would end it early: JSON allows "<\/" instead.
    safe = spec_text.replace("</", "<\\/")
    label = html.escape(description, quote=True)
    return (f'<div class="balkan-chart" role="figure" aria-label="{label}"></div>'
            f'<script type="application/json">{safe}</script>')


def with_live_charts(notebook) -> tuple[object, int]:
    """The notebook with every chart that has a stored specification turned into live HTML."""
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            spec_text = stored_spec(output)
            if not spec_text:
                continue
            spec = json.loads(spec_text)
            output["data"] = {
                "text/html": live_chart_html(spec_text, spec.get("description", "A chart")),
                "text/plain": output["data"].get("text/plain", ""),
            }
            count += 1
    return notebook, count


def export(path: Path, out_dir: Path, script: str) -> tuple[Path, int]:
    """Write out_dir/<name>.html for one notebook; return its path and the number of live charts."""
    notebook, count = with_live_charts(with_plain_tracebacks(nbformat.read(path, as_version=4)))
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    page = REMOTE_SCRIPT.sub("", body)
    page = page.replace("</head>", f'{ACCESSIBLE_STYLE}<script src="{script}"></script>\n</head>',
                        1)
    page = page.replace("</body>", f"<script>{DRAW_CHARTS}</script>\n</body>", 1)
    target = out_dir / f"{path.stem}.html"
    target.write_text(page, encoding="utf-8")
    return target, count


def main(arguments: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "html")
    args = parser.parse_args(arguments)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    args.out.mkdir(parents=True, exist_ok=True)
    script = bundle_url(vlc.javascript_bundle())  # Vega, Vega-Lite and vega-embed, offline
    with Progress("html", total=len(paths)) as progress:  # on stderr; results on stdout
        for path in paths:
            progress.start(path.name)
            target, count = export(path, args.out, script)
            size = target.stat().st_size / 1024
            print(f"{target}: {count} live charts, {size:.0f} KB")
            progress.done(path.name)


if __name__ == "__main__":
    main()
