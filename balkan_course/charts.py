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
from pathlib import Path

import altair as alt
import vl_convert as vlc

RENDERER = "balkan_course"
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
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(title)
    label = f" '{title}'" if title else ""
    return f"<Altair {kind}{label}, spec {spec_fingerprint(spec)}>"


def png_scale(width: float, height: float) -> float:
    """The scale for a chart of width x height pixels: PNG_SCALE unless that is too many pixels."""
    if width <= 0 or height <= 0:
        return PNG_SCALE
    return min(PNG_SCALE, (MAX_PNG_PIXELS / (width * height)) ** 0.5)


def chart_png(spec: dict) -> bytes:
    """Draw a Vega-Lite spec as PNG bytes, offline; the size is known only once drawn as SVG."""
    svg = vlc.vegalite_to_svg(spec)
    root = re.search(r"<svg[^>]*>", svg).group(0)
    size = [re.search(rf'{name}="([0-9.]+)"', root) for name in ("width", "height")]
    width, height = (float(m.group(1)) if m else 0.0 for m in size)
    return vlc.svg_to_png(svg, scale=png_scale(width, height))


def _bundle(spec: dict, **metadata) -> dict:
    from altair.vegalite.v6.display import jupyter_renderer

    widget_bundle = jupyter_renderer(spec, offline=True, **metadata)
    # The widget's _repr_mimebundle_ gives (data, metadata); keep the data.
    bundle = dict(widget_bundle[0] if isinstance(widget_bundle, tuple) else widget_bundle)
    png = chart_png(spec)
    bundle["image/png"] = base64.b64encode(png).decode("ascii")
    bundle["text/plain"] = describe_spec(spec)
    return bundle


def _theme() -> dict:
    return {
        "config": {
            "range": {"category": COLOURBLIND_SAFE},
            "title": {"fontSize": 15, "anchor": "start"},
            "axis": {"labelFontSize": 12, "titleFontSize": 13},
            "legend": {"labelFontSize": 12, "titleFontSize": 13},
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
    """Make every Altair chart render offline, with a picture for GitHub, in safe colours."""
    enable_offline_chart_widget()
    alt.renderers.register(RENDERER, _bundle)
    alt.renderers.enable(RENDERER)
    alt.theme.register(THEME, enable=True)(_theme)
    # The lessons' tables are small; the limit guards against a student's accidental join.
    alt.data_transformers.disable_max_rows()


def save_png(chart: alt.TopLevelMixin, path) -> None:
    """Write a chart as a PNG file, offline (used for the README's pictures)."""
    path.write_bytes(vlc.vegalite_to_png(chart.to_dict(), scale=2))
