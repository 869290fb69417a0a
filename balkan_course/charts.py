"""One place for the chart set-up every notebook uses.

Why a custom renderer: Altair's default renderer fetches its JavaScript from a CDN (blank
charts on a school network that blocks it), and JupyterLab 4.6 cannot show Altair 6's
mimetype output. `setup_charts()` makes every chart display as one bundle holding
- a live, interactive chart (Altair's JupyterChart widget, with the JavaScript shipped by
  vl-convert, so nothing is downloaded): JupyterLab, Notebook 7 and VS Code show this;
- a PNG picture of the same chart, drawn offline by vl-convert: GitHub and nbviewer show
  this, as does any reader that cannot run widgets;
- a one-line text summary with a fingerprint of the chart's specification, so that
  `pytest --nbval` notices when a chart changes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

import altair as alt
import vl_convert as vlc

RENDERER = "balkan_course"
# No "..." menu of export actions on the live charts: its <summary> has no accessible name
# (axe-core: summary-name, serious), and its "Open in Vega Editor" needs the internet.
# Pass it to a JupyterChart made by hand too: alt.JupyterChart(chart, embed_options=...).
EMBED_OPTIONS = {"actions": False}
THEME = "balkan_course"

# Okabe-Ito: eight colours that stay distinct for the common kinds of colour blindness.
COLOURBLIND_SAFE = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermilion
    "#F0E442",  # yellow
    "#000000",  # black
]

# A label expression for axes and legends that shows codebook values as words
# ("more_than" -> "more than", "reallocation_to_ukraine" -> "reallocation to ukraine").
READABLE_LABELS = "replace(datum.label, /_/g, ' ')"

# Pictures for GitHub: 1.5x keeps text crisp; big charts are drawn smaller so that no stored
# picture exceeds half a megapixel and a lesson notebook stays light to download.
PNG_SCALE = 1.5
MAX_PNG_PIXELS = 500_000


def spec_fingerprint(spec: dict) -> str:
    """A short, stable digest of a chart specification (same spec, same digest)."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def describe_spec(spec: dict) -> str:
    """A one-line, human-readable summary of a chart specification."""
    if "layer" in spec:
        kind = "layered chart"
    elif any(key in spec for key in ("hconcat", "vconcat", "concat")):
        kind = "compound chart"
    elif "facet" in spec or "repeat" in spec:
        kind = "faceted chart"
    else:
        mark = spec.get("mark", "?")
        kind = f"{mark.get('type', '?') if isinstance(mark, dict) else mark} chart"
    title = spec.get("title", "")
    subtitle = title.get("subtitle", "") if isinstance(title, dict) else ""
    title = _joined(title.get("text", "") if isinstance(title, dict) else title)
    label = f" '{title}'" if title else ""
    lines = [f"<Altair {kind}{label}, spec {spec_fingerprint(spec)}>"]
    # What a screen reader announces, and the sources named on the chart: in the text
    # output too, so that nbval notices when either changes and a reader of the file sees them.
    if spec.get("description"):
        lines.append(f"Description: {spec['description']}")
    if subtitle:
        lines.append(f"Subtitle: {_joined(subtitle)}")
    return "\n".join(lines)


def _joined(text) -> str:
    return " ".join(text) if isinstance(text, list) else str(text)


def png_scale(width: float, height: float) -> float:
    """The scale for a chart of width x height pixels: PNG_SCALE unless that is too many pixels."""
    if width <= 0 or height <= 0:
        return PNG_SCALE
    return min(PNG_SCALE, (MAX_PNG_PIXELS / (width * height)) ** 0.5)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def recompress_png(png: bytes) -> bytes:
    """The same picture, pixel for pixel, with its image data deflated at zlib's best level.

    vl-convert writes PNGs with fast, light compression; recompressing the pixel data makes a
    chart's picture about five times smaller, which keeps every lesson notebook well under 1 MB.
    """
    position, head, pixels, tail = 8, [], [], []
    while position < len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        kind = png[position + 4:position + 8]
        body = png[position + 8:position + 8 + length]
        if kind == b"IDAT":
            pixels.append(body)
        elif kind not in (b"IEND",):
            (tail if pixels else head).append(_png_chunk(kind, body))
        position += 12 + length
    data = zlib.compress(zlib.decompress(b"".join(pixels)), 9)
    return b"".join([png[:8], *head, _png_chunk(b"IDAT", data), *tail, _png_chunk(b"IEND", b"")])


def chart_png(spec: dict) -> bytes:
    """Draw a Vega-Lite spec as PNG bytes, offline; the size is known only once drawn as SVG."""
    svg = vlc.vegalite_to_svg(spec)
    root = re.search(r"<svg[^>]*>", svg).group(0)
    size = [re.search(rf'{name}="([0-9.]+)"', root) for name in ("width", "height")]
    width, height = (float(m.group(1)) if m else 0.0 for m in size)
    return recompress_png(vlc.svg_to_png(svg, scale=png_scale(width, height)))


# Where a stored chart output keeps its Vega-Lite specification (output metadata): the HTML
# export (scripts/export_html.py) draws live, interactive charts from it without a kernel.
SPEC_METADATA_KEY = "balkan_course"


# Set by the grader for its kernels (runner.kernel_environment): their outputs are thrown
# away, so a chart is shown as its text summary only, without drawing a picture or a widget
# (about half a second per chart). A chart's specification is still built and validated.
TEXT_ONLY_ENV = "BALKAN_COURSE_CHARTS_AS_TEXT"


def _bundle(spec: dict, **metadata) -> tuple[dict, dict]:
    from altair.vegalite.v6.display import jupyter_renderer

    if os.environ.get(TEXT_ONLY_ENV):
        return {"text/plain": describe_spec(spec)}, {}

    widget_bundle = jupyter_renderer(spec, offline=True, **metadata)
    # The widget's _repr_mimebundle_ gives (data, metadata); keep the data.
    bundle = dict(widget_bundle[0] if isinstance(widget_bundle, tuple) else widget_bundle)
    png = chart_png(spec)
    bundle["image/png"] = base64.b64encode(png).decode("ascii")
    bundle["text/plain"] = describe_spec(spec)
    # Compact text, not a nested object: a few lines in the file instead of hundreds.
    spec_text = json.dumps(spec, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return bundle, {SPEC_METADATA_KEY: {"vega_lite": spec_text}}


def _theme() -> dict:
    """The course's chart style, so that a lesson's chart cell shows only what the chart means.

    Each setting is here because some lesson chart needed it; a chart cell that passes one of
    these again is flagged by tests/test_chart_styling.py.
    """
    return {
        "config": {
            "range": {"category": COLOURBLIND_SAFE},
            "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12,
                      "subtitleColor": "#444444", "subtitlePadding": 4},
            # Labels a little larger than Vega-Lite's 10 px: read on a projector too.
            "axis": {"labelFontSize": 12, "titleFontSize": 13},
            # Long article titles and event names: the default 180 px cuts them.
            "axisY": {"labelLimit": 360},
            # Categories and years read level; labels that would overlap (36 years on one
            # axis) are thinned out to every second or fourth one.
            "axisXDiscrete": {"labelAngle": 0, "labelOverlap": "parity"},
            # "Apr 2024", never a bare "April": each date label says its year.
            "axisTemporal": {"format": {"year": "%Y", "quarter": "%b %Y", "month": "%b %Y",
                                        "week": "%d %b %Y", "date": "%d %b %Y",
                                        "hours": "%d %b %Y"}},
            # Below the plot, one entry a line (a colour scale stays a level bar): a legend
            # beside long labels would make the chart wider than the notebook's output area.
            "legend": {"labelFontSize": 12, "titleFontSize": 13, "orient": "bottom",
                       "columns": 1, "labelLimit": 400},
            # Facet panels' names as big as axis labels (the default 10 px is hard to read).
            "header": {"labelFontSize": 12, "titleFontSize": 13},
            # A facet's row names read level, above each panel, from its left edge.
            "headerRow": {"labelAngle": 0, "labelAlign": "left", "labelOrient": "top",
                          "labelAnchor": "start"},
            # A date window drawn as a rule stays visible under its dot.
            "rule": {"strokeWidth": 3},
            # A map's country shapes are a light grey background, so the data on them stands out.
            "geoshape": {"fill": "#E8E8E8", "stroke": "#8C8C8C", "strokeWidth": 0.8},
            # Gaps between bars, so that each row's bar stands apart.
            "scale": {"barBandPaddingInner": 0.3},
            "view": {"continuousWidth": 480, "continuousHeight": 300},
        }
    }


def default_bundle_cache() -> Path:
    """Where the chart widget's JavaScript is kept between kernels (one file per version pair)."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "balkan_course" / f"jupyterchart-altair{alt.__version__}-vlc{vlc.__version__}.js"


def enable_offline_chart_widget(cache_file: Path | None = None) -> None:
    """Let Altair's chart widget load its JavaScript from vl-convert, never from a CDN.

    Building that bundle costs about 1.3 s, a fifth of a lesson's run time, and gives the same
    text for the same Altair and vl-convert versions: so it is written once to a cache file
    (atomically, so no kernel reads half a file) and read from there afterwards.
    """
    from altair import JupyterChart

    if JupyterChart._is_offline:
        return
    cache_file = cache_file or default_bundle_cache()
    try:
        cached = cache_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        cached = ""
    if cached.strip():
        JupyterChart._esm, JupyterChart._is_offline = cached, True
        return
    JupyterChart.enable_offline(True)
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        partial = cache_file.with_name(f"{cache_file.name}.{os.getpid()}")
        partial.write_text(JupyterChart._esm, encoding="utf-8")
        os.replace(partial, cache_file)
    except OSError:
        pass  # a read-only home: the bundle is simply built again next time


def setup_charts() -> None:
    """Make every Altair chart render offline, with a picture for GitHub, in the course's theme
    (safe colours, label widths, legends below the chart)."""
    if not os.environ.get(TEXT_ONLY_ENV):
        # Charts shown as text (the grader's and the variants' kernels) need no widget code.
        enable_offline_chart_widget()
    alt.renderers.register(RENDERER, _bundle)
    alt.renderers.enable(RENDERER, embed_options=EMBED_OPTIONS)
    alt.theme.register(THEME, enable=True)(_theme)
    # The lessons' tables are small; the limit guards against a student's accidental join.
    alt.data_transformers.disable_max_rows()


def sources_note(source_ids: Iterable[str]) -> str:
    """'Sources: Asllani brief (2 Apr 2025); IRIA (Sep–Dec 2023)', for a chart's subtitle.

    Each article is named once, in the order first met; an unknown id is an error, so a chart
    never names a source the `sources` table does not have.
    """
    from balkan_course.data import load_table, source_labels

    citations = source_labels(load_table("sources")).set_index("source_id")["citation"]
    chosen = list(dict.fromkeys(s for s in source_ids if isinstance(s, str)))
    unknown = [s for s in chosen if s not in citations.index]
    if unknown:
        raise KeyError(f"These source_id values are not in the sources table: {unknown}")
    if not chosen:
        raise ValueError("A chart needs at least one source to name.")
    word = "Source" if len(chosen) == 1 else "Sources"
    return f"{word}: " + "; ".join(citations[s] for s in chosen)


def source_lines(source_ids: Iterable[str], width: int = 90) -> list[str]:
    """`sources_note` broken after a source into lines of about `width` characters.

    A long list of sources on one line would make a chart wider than its plot.
    """
    lines: list[str] = []
    for part in sources_note(source_ids).split("; "):
        if lines and len(lines[-1]) + len(part) + 2 <= width:
            lines[-1] += "; " + part
        else:
            if lines:
                lines[-1] += ";"
            lines.append(part)
    return lines


def sourced_title(text: str, source_ids: Iterable[str], width: int = 90) -> alt.Title:
    """A chart title whose subtitle names the articles the plotted rows come from."""
    return alt.Title(text, subtitle=source_lines(source_ids, width))


def save_png(chart: alt.TopLevelMixin, path) -> None:
    """Write a chart as a PNG file, offline (used for the README's pictures)."""
    path.write_bytes(vlc.vegalite_to_png(chart.to_dict(), scale=2))


# ------------------------------------------------------------ interactive charts, for checks

def _params(spec) -> list[dict]:
    """Every parameter declared anywhere in a spec (top level, layers, concatenations)."""
    found = []
    if isinstance(spec, dict):
        found += [p for p in spec.get("params", []) if isinstance(p, dict)]
        for key, value in spec.items():
            if key != "params":
                found += _params(value)
    elif isinstance(spec, list):
        for value in spec:
            found += _params(value)
    return found


def _input_of(param: dict) -> str:
    """What the reader uses to change a parameter: an input kind, the legend, a click, a drag."""
    bind = param.get("bind")
    if isinstance(bind, dict):
        return bind.get("input", "input")
    if bind == "legend":
        return "legend"
    select = param.get("select")
    kind = select.get("type") if isinstance(select, dict) else select
    return {"point": "click", "interval": "drag"}.get(kind, "none")


def _uses(spec, names: set[str], place: str = "") -> set[str]:
    """Where the parameters are used: an encoding channel's name, 'filter' or 'calculate'."""
    found: set[str] = set()
    if isinstance(spec, dict):
        if spec.get("param") in names and place:
            found.add(place)
        for key, value in spec.items():
            if key == "params":
                continue
            if key in ("filter", "calculate"):
                text = value if isinstance(value, str) else json.dumps(value)
                if any(re.search(rf"\b{re.escape(n)}\b", text) for n in names):
                    found.add(key)
            elif key == "encoding" and isinstance(value, dict):
                for channel, definition in value.items():
                    found |= _uses(definition, names, channel)
            else:
                found |= _uses(value, names, place)
    elif isinstance(spec, list):
        for value in spec:
            found |= _uses(value, names, place)
    return found


_CONDITION_ONLY = ("param", "test", "empty")


def _static_channel(definition):
    """An encoding channel as it is drawn before any click: the field it shows, or None when
    it holds only values switched by a parameter (an opacity highlight, say)."""
    if not isinstance(definition, dict) or "condition" not in definition:
        return definition
    rest = {k: v for k, v in definition.items() if k != "condition"}
    if "field" in rest or "aggregate" in rest:
        return rest
    conditions = definition["condition"]
    for condition in conditions if isinstance(conditions, list) else [conditions]:
        if isinstance(condition, dict) and ("field" in condition or "aggregate" in condition):
            return {k: v for k, v in condition.items() if k not in _CONDITION_ONLY}
    return None


def without_interaction(chart):
    """The chart as drawn before any click: its parameters removed, and each channel that
    only a parameter switches (alt.condition between two values) removed too; a condition that
    switches a field keeps the field. A check can so judge a chart's drawing apart from its
    interaction (one point for the bars, one for the highlight). Anything that is not a chart
    is returned as it is, so that the check says what is wrong with it."""
    if not isinstance(chart, alt.Chart):
        return chart
    spec = chart.to_dict()
    spec.pop("params", None)
    encoding = {}
    for channel, definition in spec.get("encoding", {}).items():
        static = _static_channel(definition)
        if static is not None:
            encoding[channel] = static
    spec["encoding"] = encoding
    return alt.Chart.from_dict(spec)


def interaction_summary(chart):
    """What a check compares in an interactive chart, as plain text that hashes the same way.

    `{"mark": ..., "inputs": ..., "changes": ...}`: the mark ("layer" for layered charts), how
    the reader changes the chart's parameters (radio, select, range, checkbox, legend, click,
    drag; "none" without parameters) and what the parameters change (encoding channels such as
    opacity or color, "filter", "calculate"; "nothing" when declared but unused). Whether a
    parameter is written as `alt.param` or a selection, and its name, do not matter. Anything
    that is not a chart (an unanswered `...`, a table) is returned as it is, so that the check
    says what is wrong with it.
    """
    if not isinstance(chart, alt.TopLevelMixin):
        return chart
    spec = chart.to_dict()
    params = _params(spec)
    mark = spec.get("mark", "layer" if "layer" in spec else "compound")
    mark = mark.get("type") if isinstance(mark, dict) else mark
    inputs = sorted({_input_of(p) for p in params}) or ["none"]
    names = {p["name"] for p in params if "name" in p}
    changes = sorted(_uses(spec, names)) or ["nothing"]
    return {"mark": mark, "inputs": ", ".join(inputs), "changes": ", ".join(changes)}
