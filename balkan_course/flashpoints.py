"""Places and flashpoints on a map of the Western Balkans (lesson 06).

The events table says what happened; the places table says where, with the Albanian and
Serbian names of places in Kosovo, coordinates and how precise they are (`geo_precision`:
1 the place itself, 2 a nearby stand-in point, 3 the centre of a region or country, our own
estimate). The boundary file comes from `balkan_course.maps` (Natural Earth; see
data/maps/README.md for its origin and point of view).

- `both_names`: "Zveçan / Zvečan", or one name where both languages agree.
- `incidents_with_places`: events joined to their places, with names, year, date in words,
  precision and the articles that report them.
- `filter_incidents`: keep a period and some event types.
- `summarise_by_place`: one row per place (several events can share a point).
- `flashpoint_map`: countries, places and incidents, for the region or zoomed on the north.
- `show_flashpoints`: the widget's result, a map or a message when nothing matches.
- `shared_boundary` and `distance_to_line_km`: the Kosovo-Serbia boundary line from the
  boundary file, and how far a point is from it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import altair as alt
import numpy as np
import pandas as pd

from balkan_course.charts import source_lines
from balkan_course.data import date_label
from balkan_course.maps import (
    EARTH_RADIUS_KM,
    OBJECT_NAME,
    boundaries_chart_data,
    decode_arcs,
    load_boundaries,
)

REGION_COUNTRIES = ("Albania", "Bosnia and Herzegovina", "Croatia", "Kosovo", "Montenegro",
                    "North Macedonia", "Serbia")
PRECISION_LABELS = {
    1: "exact place",
    2: "nearby stand-in point",
    3: "centre of a region or country (estimate)",
}
PRECISION_ORDER = list(PRECISION_LABELS.values())
# Filled marker for an exact place, hollow markers for approximate ones.
PRECISION_FILL = ["#D55E00", "#FFFFFF", "#FFFFFF"]
PRECISION_SHAPE = ["circle", "circle", "square"]
INCIDENT_COLOUR = "#D55E00"  # Okabe-Ito vermilion

# Where to write each country's name on the regional map: points picked by eye inside each
# country (not centroids, not data).
COUNTRY_LABELS = pd.DataFrame(
    [("Albania", 41.05, 20.05), ("Bosnia and Herzegovina", 44.05, 17.35),
     ("Croatia", 45.75, 16.2), ("Kosovo", 42.25, 20.95), ("Montenegro", 42.55, 19.25),
     ("North Macedonia", 41.5, 21.75), ("Serbia", 44.25, 21.0)],
    columns=["country", "latitude", "longitude"],
)

# Shorter map labels where the table's names are long (tooltips keep the full names).
SHORT_MAP_LABELS = {"gazivoda_dam": "Ujmani / Gazivode dam"}
# Label position (alignment, dx, dy in pixels) where the default, right of the dot, collides.
LABEL_POSITIONS = {"north_mitrovica": ("left", 8, 10), "zubin_potok": ("left", 8, 10),
                   "gazivoda_dam": ("right", -8, -8)}
DEFAULT_LABEL_POSITION = ("left", 8, -7)
# Country names on the zoomed map, placed by eye.
NORTH_LABELS = pd.DataFrame([("Kosovo", 42.78, 20.5), ("Serbia", 43.28, 20.98)],
                            columns=["country", "latitude", "longitude"])

# The zoomed map of northern Kosovo: west, south, east, north edges in degrees.
NORTH_BOX = (20.35, 42.72, 21.2, 43.32)


def both_names(name_sq, name_sr, name_en=None) -> str:
    """'Albanian / Serbian' name, one name if they agree, the English one if neither is given."""
    names = [n for n in (name_sq, name_sr) if isinstance(n, str) and n.strip()]
    if not names:
        return name_en if isinstance(name_en, str) else ""
    if len(names) == 2 and names[0] == names[1]:
        return names[0]
    return " / ".join(names)


def display_names(places: pd.DataFrame) -> list[str]:
    """Names to show for each place: both local names in Kosovo, the English name elsewhere.

    Outside Kosovo the table gives at most one local name (e.g. Beograd for Belgrade), and
    Bosnia and Herzegovina has three official languages, so the English name is the neutral
    choice there.
    """
    return [both_names(sq, sr, en) if country == "Kosovo" else en
            for sq, sr, en, country in zip(places["name_sq"], places["name_sr"],
                                           places["name_en"], places["country"], strict=True)]


def _reported_by(event_sources: pd.DataFrame | None) -> pd.Series:
    if event_sources is None:
        return pd.Series(dtype="str", name="sources")
    return (event_sources.sort_values(["event_id", "source_id"])
            .groupby("event_id")["source_id"].agg("; ".join).rename("sources"))


def incidents_with_places(events: pd.DataFrame, places: pd.DataFrame,
                          event_sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """Events that have a place in the Western Balkans, with the place's names and coordinates.

    Adds `names` (Albanian / Serbian), `year` (of the start date; for an event known only as
    "by" a date, the year of that latest possible date), `when` (the date in words),
    `date_is_latest_possible`, `precision_label` and, if `event_sources` is given, `sources`.
    """
    place_columns = ["place_id", "name_en", "name_sq", "name_sr", "country", "place_type",
                     "latitude", "longitude", "geo_precision"]
    located = events.drop(columns=["country"]).merge(places[place_columns], on="place_id",
                                                     how="inner")
    located = located.loc[located["country"].isin(REGION_COUNTRIES)].copy()
    located["names"] = display_names(located)
    located["date_is_latest_possible"] = located["date_start"].isna()
    located["year"] = located["date_start"].fillna(located["date_end"]).dt.year.astype("Int64")
    located["when"] = [date_label(s, e, p) for s, e, p in zip(
        located["date_start"], located["date_end"], located["date_precision"], strict=True)]
    located["precision_label"] = located["geo_precision"].map(PRECISION_LABELS)
    located = located.merge(_reported_by(event_sources), left_on="event_id", right_index=True,
                            how="left")
    if event_sources is None:
        located["sources"] = ""
    columns = ["event_id", "title", "event_type", "year", "when", "date_is_latest_possible",
               "place_id", "names", "name_en", "name_sq", "name_sr", "country", "latitude",
               "longitude", "geo_precision", "precision_label", "sources"]
    order = located.assign(_date=located["date_start"].fillna(located["date_end"]))
    order = order.sort_values(["_date", "event_id"], ignore_index=True)
    return order[columns]


def event_type_options(incidents: pd.DataFrame) -> list[str]:
    """The event types present, alphabetically (for the widget)."""
    return sorted(incidents["event_type"].dropna().unique())


def filter_incidents(incidents: pd.DataFrame, years: tuple[int, int] | None = None,
                     types: Iterable[str] | None = None) -> pd.DataFrame:
    """Incidents whose year lies in `years` (first, last; both included) and whose type is in
    `types`. None means no restriction; an empty list of types keeps nothing."""
    keep = pd.Series(True, index=incidents.index)
    if years is not None:
        first, last = sorted(int(y) for y in years)
        keep &= incidents["year"].between(first, last).fillna(False).astype(bool)
    if types is not None:
        keep &= incidents["event_type"].isin(list(types))
    return incidents.loc[keep].reset_index(drop=True)


def summarise_by_place(incidents: pd.DataFrame, max_listed: int = 4) -> pd.DataFrame:
    """One row per place: how many incidents, what and when (oldest first), and the sources.

    Several events share a point (e.g. the centre of Kosovo), so a map draws one marker per
    place and lists the events in its tooltip (at most `max_listed`, then "and N more").
    """
    rows = []
    for place_id, group in incidents.groupby("place_id", sort=True):
        first = group.iloc[0]
        items = [f"{title} ({when})" for title, when in zip(group["title"], group["when"],
                                                              strict=True)]
        if len(items) > max_listed:
            items = items[:max_listed] + [f"and {len(items) - max_listed} more"]
        sources = sorted({s for text in group["sources"].fillna("") for s in text.split("; ")
                          if s})
        rows.append({
            "place_id": place_id, "names": first["names"], "name_en": first["name_en"],
            "latitude": first["latitude"], "longitude": first["longitude"],
            "geo_precision": int(first["geo_precision"]),
            "precision_label": first["precision_label"], "events": len(group),
            "what_and_when": "; ".join(items),
            "types": ", ".join(sorted(group["event_type"].unique())),
            "sources": "; ".join(sources),
        })
    columns = ["place_id", "names", "name_en", "latitude", "longitude", "geo_precision",
               "precision_label", "events", "what_and_when", "types", "sources"]
    return pd.DataFrame(rows, columns=columns)


def places_on_map(places: pd.DataFrame) -> pd.DataFrame:
    """Named places in the region (towns, villages, crossings, infrastructure), with both names.

    Country and region centres are left out: they are estimates, not places to label.
    Stand-in points (geo_precision 2) are left out too: the Iber-Lepenc/Ibar-Lepenac canal's
    point is the Ujmani/Gazivode dam, which has its own row.
    """
    keep = (places["country"].isin(REGION_COUNTRIES)
            & ~places["place_type"].isin(["country", "region"])
            & places["geo_precision"].eq(1))
    shown = places.loc[keep].copy()
    shown["names"] = display_names(shown)
    shown["label"] = [SHORT_MAP_LABELS.get(pid, names) for pid, names in
                      zip(shown["place_id"], shown["names"], strict=True)]
    shown["precision_label"] = shown["geo_precision"].map(PRECISION_LABELS)
    # Where the label sits: right of the dot, or elsewhere where two places are close.
    positions = [LABEL_POSITIONS.get(pid, DEFAULT_LABEL_POSITION) for pid in shown["place_id"]]
    shown["label_align"] = [align for align, _, _ in positions]
    shown["label_dx"] = [dx for _, dx, _ in positions]
    shown["label_dy"] = [dy for _, _, dy in positions]
    shown["capital_or_town"] = shown["place_type"].isin(["capital", "town"])
    columns = ["place_id", "name_en", "names", "label", "country", "place_type", "latitude",
               "longitude", "geo_precision", "precision_label", "label_align", "label_dx",
               "label_dy", "capital_or_town"]
    return shown[columns].reset_index(drop=True)


def _box_feature(box: tuple[float, float, float, float]) -> dict:
    west, south, east, north = box
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Feature", "properties": {},
            "geometry": {"type": "Polygon", "coordinates": [ring[::-1]]}}


def _in_box(frame: pd.DataFrame, box) -> pd.DataFrame:
    west, south, east, north = box
    inside = frame["longitude"].between(west, east) & frame["latitude"].between(south, north)
    return frame.loc[inside]


def flashpoint_map(incidents: pd.DataFrame, places: pd.DataFrame | None = None,
                   zoom: str = "region", title: str | None = None) -> alt.LayerChart:
    """Countries (grey), named places (black dots) and incidents (one marker per place).

    Incident markers: size = number of events at that place; filled = exact place, hollow
    circle = nearby stand-in point, hollow square = centre of a region or country. Tooltips
    give both names, what happened and when, the location's precision and the sources.
    `zoom` is "region" (the seven countries) or "north" (northern Kosovo, with the
    Kosovo-Serbia boundary drawn as a dashed line).
    """
    if zoom not in ("region", "north"):
        raise ValueError("zoom must be 'region' or 'north'.")
    by_place = summarise_by_place(incidents)
    named = places_on_map(places) if places is not None else None
    if zoom == "north":
        projection = alt.Projection(type="mercator", fit=_box_feature(NORTH_BOX))
        by_place = _in_box(by_place, NORTH_BOX)
        named = _in_box(named, NORTH_BOX) if named is not None else None
        size = {"width": 460, "height": 420}
        default_title = "Northern Kosovo: where did the incidents happen?"
    else:
        projection = alt.Projection(type="mercator")
        size = {"width": 460, "height": 460}
        default_title = "Western Balkans: where did the events of the articles happen?"

    # The countries' grey fill and outline come from the course theme (setup_charts).
    countries = alt.Chart(boundaries_chart_data()).mark_geoshape(clip=True).encode(
        tooltip=[alt.Tooltip("properties.name:N", title="Country")])
    layers = [countries]

    labels = NORTH_LABELS if zoom == "north" else COUNTRY_LABELS
    layers.append(alt.Chart(labels).mark_text(
        fontSize=12 if zoom == "north" else 11, fontStyle="italic", color="#555555"
    ).encode(longitude="longitude:Q", latitude="latitude:Q", text="country:N"))
    if zoom == "north":
        line = shared_boundary("Kosovo", "Serbia")
        layers.append(alt.Chart(line).mark_line(
            color="#000000", strokeDash=[6, 3], strokeWidth=2, clip=True
        ).encode(longitude="longitude:Q", latitude="latitude:Q", detail="arc:N", order="step:Q"))

    if named is not None and not named.empty:
        place_base = alt.Chart(named).encode(
            longitude="longitude:Q", latitude="latitude:Q",
            tooltip=[alt.Tooltip("names:N", title="Name (Albanian / Serbian)"),
                     alt.Tooltip("name_en:N", title="English"),
                     alt.Tooltip("place_type:N", title="Kind of place"),
                     alt.Tooltip("precision_label:N", title="Location")],
        )
        layers.append(place_base.mark_circle(size=22, color="#000000", opacity=0.8))
        # Regional map: label the capitals and towns only (the north has its own map).
        labelled = named if zoom == "north" else named.loc[named["capital_or_town"]]
        for (align, dx, dy), group in labelled.groupby(["label_align", "label_dx", "label_dy"],
                                                       sort=True):
            layers.append(alt.Chart(group).mark_text(
                align=align, dx=int(dx), dy=int(dy), fontSize=10.5
            ).encode(longitude="longitude:Q", latitude="latitude:Q", text="label:N"))

    if not by_place.empty:
        layers.append(alt.Chart(by_place).mark_point(
            stroke=INCIDENT_COLOUR, strokeWidth=2.2, opacity=1, fillOpacity=0.85
        ).encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            size=alt.Size("events:Q", title="Events at this point",
                          scale=alt.Scale(domain=[1, max(8, int(by_place["events"].max()))],
                                          range=[90, 600]),
                          legend=alt.Legend(values=[1, 2, 4, 8], symbolFillColor="#FFFFFF",
                                            symbolStrokeColor=INCIDENT_COLOUR)),
            shape=alt.Shape("precision_label:N", title="Location of the marker",
                            scale=alt.Scale(domain=PRECISION_ORDER, range=PRECISION_SHAPE)),
            fill=alt.Fill("precision_label:N", title="Location of the marker",
                          scale=alt.Scale(domain=PRECISION_ORDER, range=PRECISION_FILL)),
            tooltip=[
                alt.Tooltip("names:N", title="Place (Albanian / Serbian)"),
                alt.Tooltip("name_en:N", title="English"),
                alt.Tooltip("events:Q", title="Events"),
                alt.Tooltip("what_and_when:N", title="What and when"),
                alt.Tooltip("precision_label:N", title="Location"),
                alt.Tooltip("sources:N", title="Sources"),
            ],
        ))

    cited = [s for joined in by_place["sources"].dropna() for s in joined.split("; ") if s]
    subtitle = ["Boundaries: Natural Earth (public domain), simplified."]
    if cited:
        subtitle.extend(source_lines(cited))
    area = "northern Kosovo" if zoom == "north" else "the Western Balkans"
    return alt.layer(*layers).project(**projection.to_dict()).properties(
        title=alt.Title(title or default_title, subtitle=subtitle),
        description=(
            f"Map of {area} with country boundaries and named places; "
            f"{int(by_place['events'].sum())} events are marked at {len(by_place)} places, "
            "the marker's size showing how many events happened there and its shape how "
            "exactly the place is known."
        ),
        **size,
    )


def show_flashpoints(incidents: pd.DataFrame, years: tuple[int, int] | None,
                     types: Iterable[str] | None, places: pd.DataFrame | None = None,
                     zoom: str = "region") -> alt.LayerChart | str:
    """The widget's result: the map of the matching incidents, or a message if none match."""
    if types is not None and not list(types):
        return "Choose at least one event type to see incidents on the map."
    chosen = filter_incidents(incidents, years, types)
    if chosen.empty:
        period = f"{years[0]}–{years[1]}" if years is not None else "any year"
        kinds = ", ".join(types) if types is not None else "any type"
        return (f"No incident in the data matches ({kinds}; {period}). "
                "Widen the period or add event types.")
    first, last = (years if years is not None else (chosen["year"].min(), chosen["year"].max()))
    return flashpoint_map(chosen, places, zoom=zoom,
                          title=f"Incidents {first}–{last}: {len(chosen)} events at "
                                f"{chosen['place_id'].nunique()} places")


# ------------------------------------------------------------------ boundaries and distances


def _arc_indexes(geometry: dict) -> set[int]:
    """The arcs a country's outline uses (~i, a reversed arc, counts as arc i)."""
    found: set[int] = set()

    def walk(node):
        if isinstance(node, int):
            found.add(node if node >= 0 else ~node)
        else:
            for item in node:
                walk(item)

    walk(geometry["arcs"])
    return found


def shared_boundary(country_a: str = "Kosovo", country_b: str = "Serbia") -> pd.DataFrame:
    """The line two countries of the boundary file share, as points in drawing order.

    Columns: arc (which piece of line), step (order along it), longitude, latitude.
    Empty if the two countries do not touch.
    """
    topology = load_boundaries()
    geometries = {geometry["properties"]["name"]: geometry
                  for geometry in topology["objects"][OBJECT_NAME]["geometries"]}
    for name in (country_a, country_b):
        if name not in geometries:
            raise ValueError(f"No country named {name!r} in the boundary file; "
                             f"known: {', '.join(sorted(geometries))}.")
    shared = sorted(_arc_indexes(geometries[country_a]) & _arc_indexes(geometries[country_b]))
    arcs = decode_arcs(topology)
    rows = [(index, step, lon, lat)
            for index in shared for step, (lon, lat) in enumerate(arcs[index])]
    return pd.DataFrame(rows, columns=["arc", "step", "longitude", "latitude"])


def distance_to_line_km(lat: float, lon: float, line: pd.DataFrame) -> float:
    """Shortest distance in km from a point to a line given as points (e.g. `shared_boundary`).

    Each piece between two consecutive points is treated as straight on a local flat map
    centred on the point (x east, y north, in km), which is accurate to well under 1 % at the
    tens of kilometres this lesson deals with.
    """
    if line.empty:
        raise ValueError("The line has no points.")
    best = math.inf
    scale_x = math.radians(1) * EARTH_RADIUS_KM * math.cos(math.radians(lat))
    scale_y = math.radians(1) * EARTH_RADIUS_KM
    for _, piece in line.groupby("arc", sort=True):
        xs = ((piece["longitude"] - lon) * scale_x).to_numpy()
        ys = ((piece["latitude"] - lat) * scale_y).to_numpy()
        if len(xs) == 1:
            best = min(best, float(np.hypot(xs[0], ys[0])))
            continue
        x1, y1, x2, y2 = xs[:-1], ys[:-1], xs[1:], ys[1:]
        dx, dy = x2 - x1, y2 - y1
        length2 = dx**2 + dy**2
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(length2 > 0, -(x1 * dx + y1 * dy) / length2, 0.0)
        t = np.clip(t, 0.0, 1.0)
        best = min(best, float(np.min(np.hypot(x1 + t * dx, y1 + t * dy))))
    return best
