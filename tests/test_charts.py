"""The shared chart set-up: stored pictures stay light, summaries change when a chart does."""

import struct
import zlib

import altair as alt
import pandas as pd
import pytest

from balkan_course.charts import (
    MAX_PNG_PIXELS,
    PNG_SCALE,
    chart_png,
    describe_spec,
    enable_offline_chart_widget,
    interaction_summary,
    png_scale,
    recompress_png,
    sourced_title,
    sources_note,
)


def png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def bar_chart(width: int, height: int) -> dict:
    data = pd.DataFrame({"mission": ["KFOR", "EUFOR"], "troops": [4700, 1100]})
    chart = alt.Chart(data, title="Reported strength").mark_bar().encode(x="troops", y="mission")
    return chart.properties(width=width, height=height).to_dict()


def test_small_charts_keep_the_full_scale():
    assert png_scale(400, 300) == PNG_SCALE


def test_big_charts_are_drawn_smaller_not_cropped():
    scale = png_scale(1000, 800)
    assert scale < PNG_SCALE
    assert 1000 * 800 * scale**2 <= MAX_PNG_PIXELS * 1.0001


def test_chart_png_caps_the_pixels_of_a_big_chart():
    width, height = png_size(chart_png(bar_chart(1200, 900)))
    assert width * height <= MAX_PNG_PIXELS * 1.05
    assert width > height  # the aspect ratio survives


def test_chart_png_draws_a_small_chart_at_png_scale():
    width, _ = png_size(chart_png(bar_chart(300, 100)))
    assert width > 300 * PNG_SCALE * 0.9


def test_summary_names_mark_and_title_and_changes_with_the_spec():
    first, second = describe_spec(bar_chart(300, 100)), describe_spec(bar_chart(301, 100))
    assert first.startswith("<Altair bar chart 'Reported strength', spec ")
    assert first != second


def test_the_offline_widget_bundle_is_built_once_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(alt.JupyterChart, "_is_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "_esm", alt.JupyterChart._esm)
    cache = tmp_path / "cache" / "bundle.js"
    enable_offline_chart_widget(cache)
    built = alt.JupyterChart._esm
    assert alt.JupyterChart._is_offline and cache.read_text(encoding="utf-8") == built
    assert "cdn.jsdelivr" not in built and len(built) > 100_000  # the libraries are inside

    cache.write_text("// cached bundle", encoding="utf-8")
    monkeypatch.setattr(alt.JupyterChart, "_is_offline", False)
    enable_offline_chart_widget(cache)
    assert alt.JupyterChart._esm == "// cached bundle"


def test_an_empty_cache_file_is_rebuilt_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setattr(alt.JupyterChart, "_is_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "_esm", alt.JupyterChart._esm)
    cache = tmp_path / "bundle.js"
    cache.write_text("", encoding="utf-8")
    enable_offline_chart_widget(cache)
    assert len(cache.read_text(encoding="utf-8")) > 100_000


def pixel_rows(png: bytes) -> bytes:
    """The decompressed image data of a PNG (all IDAT chunks)."""
    position, data = 8, b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        if png[position + 4:position + 8] == b"IDAT":
            data += png[position + 8:position + 8 + length]
        position += 12 + length
    return zlib.decompress(data)


def test_recompressed_png_has_the_same_pixels_and_is_smaller():
    import vl_convert as vlc

    original = vlc.vegalite_to_png(bar_chart(600, 400), scale=1.5)
    smaller = recompress_png(original)
    assert smaller.startswith(b"\x89PNG\r\n\x1a\n") and smaller.endswith(b"IEND\xaeB`\x82")
    assert png_size(smaller) == png_size(original)
    assert pixel_rows(smaller) == pixel_rows(original)
    assert len(smaller) < len(original) / 2


def test_sources_note_names_each_article_once_in_words():
    note = sources_note(["kap_rutte_2025_03_10", "iria_2023", "kap_rutte_2025_03_10"])
    assert note == "Sources: Kosova Alfa Press/REL (10 Mar 2025); IRIA (Sep–Dec 2023)"
    assert sources_note(["iria_2023"]) == "Source: IRIA (Sep–Dec 2023)"


def test_sources_note_refuses_unknown_or_missing_sources():
    with pytest.raises(KeyError, match="bbc_2025"):
        sources_note(["iria_2023", "bbc_2025"])
    with pytest.raises(ValueError, match="at least one source"):
        sources_note([])


def test_sourced_title_wraps_a_long_list_of_sources():
    ids = ["reaction_2023", "kap_rutte_2025_03_10", "rel_focus_2025_04", "brief_2025_04_02"]
    title = sourced_title("KFOR's strength", ids, width=90).to_dict()
    assert title["text"] == "KFOR's strength"
    assert len(title["subtitle"]) == 2
    assert all(len(line) <= 90 for line in title["subtitle"])
    assert " ".join(title["subtitle"]) == sources_note(ids)


def test_summary_carries_the_description_and_the_subtitle():
    data = pd.DataFrame({"mission": ["KFOR", "EUFOR"], "troops": [4700, 1100]})
    spec = alt.Chart(data).mark_bar().encode(x="troops", y="mission").properties(
        title=sourced_title("Strength", ["iria_2023"]), description="Two bars: KFOR, EUFOR."
    ).to_dict()
    lines = describe_spec(spec).split("\n")
    assert lines[0].startswith("<Altair bar chart 'Strength', spec ")
    assert lines[1:] == [
        "Description: Two bars: KFOR, EUFOR.",
        "Subtitle: Source: IRIA (Sep–Dec 2023)",
    ]


# ------------------------------------------------------------ interaction_summary

STRENGTH = pd.DataFrame({"mission": ["KFOR", "EUFOR Althea"], "value": [4600, 1100]})


def radio_filtered_bars(as_selection: bool) -> alt.Chart:
    radio = alt.binding_radio(options=["KFOR", "EUFOR Althea"])
    base = alt.Chart(STRENGTH).mark_bar().encode(x="value:Q", y="mission:N")
    if as_selection:
        pick = alt.selection_point(fields=["mission"], bind=radio, value="KFOR")
        return base.add_params(pick).transform_filter(pick)
    pick = alt.param(value="KFOR", bind=radio)
    return base.add_params(pick).transform_filter(alt.datum.mission == pick)


def test_summary_is_the_same_for_a_parameter_and_a_selection_bound_to_radio_buttons():
    expected = {"mark": "bar", "inputs": "radio", "changes": "filter"}
    assert interaction_summary(radio_filtered_bars(as_selection=False)) == expected
    assert interaction_summary(radio_filtered_bars(as_selection=True)) == expected


def test_summary_sees_a_legend_selection_used_for_opacity():
    pick = alt.selection_point(fields=["mission"], bind="legend")
    chart = alt.Chart(STRENGTH).mark_bar().encode(
        x="value:Q", y="mission:N", color="mission:N",
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2)),
    ).add_params(pick)
    assert interaction_summary(chart) == {"mark": "bar", "inputs": "legend",
                                          "changes": "opacity"}


def test_summary_tells_apart_unbound_unused_and_missing_parameters():
    bars = alt.Chart(STRENGTH).mark_bar().encode(x="value:Q", y="mission:N")
    assert interaction_summary(bars) == {"mark": "bar", "inputs": "none", "changes": "nothing"}
    unused = bars.add_params(alt.param(value=1, bind=alt.binding_range(min=0, max=2)))
    assert interaction_summary(unused) == {"mark": "bar", "inputs": "range",
                                           "changes": "nothing"}
    clicked = alt.selection_point(fields=["mission"])
    chart = bars.add_params(clicked).encode(
        color=alt.condition(clicked, alt.value("black"), alt.value("grey")))
    assert interaction_summary(chart) == {"mark": "bar", "inputs": "click", "changes": "color"}


def test_summary_of_a_layered_slider_chart_and_of_non_charts():
    leaving = alt.param(name="leaving", value=600, bind=alt.binding_range(min=0, max=2000))
    base = alt.Chart(STRENGTH).transform_calculate(left="datum.value - leaving")
    chart = (base.mark_bar().encode(x="left:Q", y="mission:N")
             + base.mark_text().encode(x="left:Q", y="mission:N", text="left:Q")
             ).add_params(leaving)
    assert interaction_summary(chart) == {"mark": "layer", "inputs": "range",
                                          "changes": "calculate"}
    assert interaction_summary(...) is ...
    assert interaction_summary(STRENGTH) is STRENGTH
