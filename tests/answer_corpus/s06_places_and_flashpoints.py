# ruff: noqa: E501  (answers are code as a student types it, one string per answer)
"""Answers to exercise set 06 (places and flashpoints)."""

from .charts import add_descriptions

L_COLS = '["event_id", "name_sq", "name_sr", "latitude", "longitude", "place_type"]'
P_COLS = '["place_id", "name_sq", "name_sr"]'
EXACT = 'places[(places["country"] == "Kosovo") & (places["geo_precision"] == 1)]'
W = 'w = places.set_index("place_id")\n'

CORPUS = {
    "06-located": {
        "right": [
            f'located = events.merge(places, on="place_id")[{L_COLS}]',
            f'located = events.merge(places, on="place_id", how="inner", validate="many_to_one")'
            f'[{L_COLS}].sort_values("event_id")',
            f'located = places.merge(events, on="place_id")[{L_COLS}]',
            f'located = events.dropna(subset=["place_id"]).merge(places.drop(columns="country"), '
            f'on="place_id", how="left")[{L_COLS}]',
        ],
        "wrong": [
            f'located = events.merge(places, on="place_id", how="left")[{L_COLS}]',
            'located = events.merge(places, on="place_id")[["event_id", "name_en", "name_sr", '
            '"latitude", "longitude", "place_type"]]',
            'located = events.merge(places, on="place_id")[["event_id", "name_sq", "name_sr", '
            '"longitude", "latitude", "place_type"]]',
            f'located = events.merge(places, on="place_id", how="outer")[{L_COLS}]',
            f'located = events.merge(places, on="place_id", how="right")[{L_COLS}]',
        ],
    },
    "06-kosovo-places": {
        "right": [
            f'chosen_places = places.loc[(places["country"] == "Kosovo") & (places["geo_precision"] '
            f'== 1), {P_COLS}]',
            f'chosen_places = {EXACT}[{P_COLS}]',
            f'chosen_places = places.query("country == \'Kosovo\' and geo_precision == 1")[{P_COLS}]'
            '.reset_index(drop=True)',
            f'k = places[places["country"] == "Kosovo"]\nchosen_places = k[k["geo_precision"].eq(1)]'
            f'.loc[:, {P_COLS}]',
        ],
        "wrong": [
            f'chosen_places = places.loc[places["country"] == "Kosovo", {P_COLS}]',
            f'chosen_places = places.loc[places["geo_precision"] == 1, {P_COLS}]',
            f'chosen_places = {EXACT}[{P_COLS}].sort_values("place_id", ascending=False)',
            f'chosen_places = {EXACT}[["place_id", "name_en", "name_sr"]]',
            f'chosen_places = places.loc[(places["country"] == "Kosovo") & (places["geo_precision"] '
            f'<= 2), {P_COLS}]',
        ],
    },
    "06-banjska-pristina": {
        "right": [
            W + 'distance_km = round(haversine_km(w.loc["banjska", "latitude"], '
            'w.loc["banjska", "longitude"], w.loc["pristina", "latitude"], w.loc["pristina", '
            '"longitude"]), 1)',
            W + 'distance_km = round(haversine_km(w.loc["pristina", "latitude"], '
            'w.loc["pristina", "longitude"], w.loc["banjska", "latitude"], w.loc["banjska", '
            '"longitude"]), 1)',
            'b = places[places["place_id"] == "banjska"].iloc[0]\np = places[places["place_id"] '
            '== "pristina"].iloc[0]\ndistance_km = float(round(haversine_km(b.latitude, '
            'b.longitude, p.latitude, p.longitude), 1))',
            W + 'import numpy as np\ndistance_km = np.round(haversine_km(*w.loc["banjska",'
            ' ["latitude", "longitude"]], *w.loc["pristina", ["latitude", "longitude"]]), 1)',
        ],
        "wrong": [
            # typed in: right on today's data, not computed from the table
            'distance_km = 45.9',
            W + 'distance_km = round(haversine_km(w.loc["banjska", "longitude"], '
            'w.loc["banjska", "latitude"], w.loc["pristina", "longitude"], w.loc["pristina", '
            '"latitude"]), 1)',
            W + 'import math\ndistance_km = round(111.2 * math.hypot(w.loc["banjska", '
            '"latitude"] - w.loc["pristina", "latitude"], w.loc["banjska", "longitude"] - '
            'w.loc["pristina", "longitude"]), 1)',
            W + 'distance_km = haversine_km(w.loc["banjska", "latitude"], '
            'w.loc["banjska", "longitude"], w.loc["pristina", "latitude"], w.loc["pristina", '
            '"longitude"])',
            W + 'distance_km = round(haversine_km(w.loc["banjska", "latitude"], '
            'w.loc["banjska", "longitude"], w.loc["pristina", "latitude"], w.loc["pristina", '
            '"longitude"]) * 1000, 1)',
            W + 'distance_km = round(haversine_km(w.loc["banjska", "latitude"], '
            'w.loc["banjska", "longitude"], w.loc["north_mitrovica", "latitude"], '
            'w.loc["north_mitrovica", "longitude"]), 1)',
        ],
    },
    "06-from-pristina": {
        "right": [
            f'exact = {EXACT}\nwhere = places.set_index("place_id")\n'
            'others = exact.loc[exact["place_id"] != "pristina"]\ndistances = others.assign('
            'km=haversine_km(where.loc["pristina", "latitude"], where.loc["pristina", "longitude"], '
            'others["latitude"], others["longitude"]).round(1)).sort_values("km")[["place_id", "km"]]',
            f'exact = {EXACT}\npr = exact.loc[exact["place_id"] == "pristina"].iloc[0]\n'
            'others = exact.loc[exact["place_id"] != "pristina"]\ndistances = others.assign('
            'km=haversine_km(pr["latitude"], pr["longitude"], others["latitude"], '
            'others["longitude"]).round(1)).sort_values("km")[["place_id", "km"]]',
            f'exact = {EXACT}\nlat, lon = exact.set_index("place_id").loc["pristina", '
            '["latitude", "longitude"]]\nd = exact.assign(km=haversine_km(lat, lon, '
            'exact["latitude"], exact["longitude"]).round(1))\ndistances = d[d["place_id"] '
            '!= "pristina"].sort_values("km", ignore_index=True)[["place_id", "km"]]',
            f'import pandas as pd\nexact = {EXACT}\npr = exact[exact["place_id"] == "pristina"]'
            '.iloc[0]\nrows = [(r.place_id, round(haversine_km(pr.latitude, pr.longitude, r.latitude, '
            'r.longitude), 1)) for r in exact.itertuples() if r.place_id != "pristina"]\n'
            'distances = pd.DataFrame(rows, columns=["place_id", "km"]).sort_values("km", '
            'kind="stable")',
            f'import pandas as pd\nexact = {EXACT}\npr = exact[exact["place_id"] == "pristina"]'
            '.iloc[0]\no = exact[exact["place_id"] != "pristina"]\ndistances = pd.DataFrame({'
            '"place_id": o["place_id"], "km": haversine_km(o["latitude"], o["longitude"], '
            'pr["latitude"], pr["longitude"]).round(1)}).nsmallest(50, "km")',
        ],
        "wrong": [
            f'exact = {EXACT}\npr = exact[exact["place_id"] == "pristina"].iloc[0]\n'
            'distances = exact.assign(km=haversine_km(pr["latitude"], pr["longitude"], '
            'exact["latitude"], exact["longitude"]).round(1)).sort_values("km")[["place_id", '
            '"km"]]',
            f'exact = {EXACT}\npr = exact[exact["place_id"] == "pristina"].iloc[0]\n'
            'o = exact[exact["place_id"] != "pristina"]\ndistances = o.assign(km='
            'haversine_km(pr["latitude"], pr["longitude"], o["latitude"], o["longitude"])'
            '.round(1)).sort_values("km", ascending=False)[["place_id", "km"]]',
            f'exact = {EXACT}\npr = exact[exact["place_id"] == "pristina"].iloc[0]\n'
            'o = exact[exact["place_id"] != "pristina"]\ndistances = o.assign(km='
            'haversine_km(pr["latitude"], pr["longitude"], o["latitude"], o["longitude"])'
            '.round(1))[["place_id", "km"]]',
            'pr = places[places["place_id"] == "pristina"].iloc[0]\n'
            'o = places[(places["country"] == "Kosovo") & (places["place_id"] != "pristina")]\n'
            'distances = o.assign(km=haversine_km(pr["latitude"], pr["longitude"], '
            'o["latitude"], o["longitude"]).round(1)).sort_values("km")[["place_id", "km"]]',
            f'exact = {EXACT}\npr = exact[exact["place_id"] == "pristina"].iloc[0]\n'
            'o = exact[exact["place_id"] != "pristina"]\ndistances = o.assign(km='
            'haversine_km(pr["longitude"], pr["latitude"], o["longitude"], o["latitude"])'
            '.round(1)).sort_values("km")[["place_id", "km"]]',
        ],
    },
    "06-per-precision": {
        "right": [
            'event_counts = events.merge(places, on="place_id")["geo_precision"].value_counts()',
            'event_counts = events.merge(places, on="place_id").groupby("geo_precision").size()',
            'event_counts = events["place_id"].map(places.set_index("place_id")['
            '"geo_precision"]).dropna().astype(int).value_counts().to_dict()',
            'event_counts = places.merge(events, on="place_id").groupby("geo_precision")'
            '["event_id"].count().sort_index(ascending=False)',
        ],
        "wrong": [
            'event_counts = places["geo_precision"].value_counts()',
            'event_counts = events.merge(places, on="place_id")["place_type"].value_counts()',
            'event_counts = events.merge(places, on="place_id", how="left")["geo_precision"]'
            '.value_counts(dropna=False)',
            'event_counts = events.merge(places, on="place_id")["geo_precision"]'
            '.value_counts(normalize=True)',
        ],
    },
    "06-points-map": {
        "right": [
            'points = alt.Chart(located).mark_circle().encode(longitude="longitude:Q", latitude="latitude:Q", '
            'tooltip=["name_sq:N", "name_sr:N", "place_type:N"]).properties(title="Where the events are", '
            'description="Map of the places of the events, one circle per event.")',
            'points = alt.Chart(located).mark_circle(size=80, color="#D55E00").encode('
            'longitude="longitude:Q", latitude="latitude:Q", tooltip=["name_sq:N", '
            '"name_sr:N", "place_type:N"]).properties(title="Where the events of the articles are placed")',
            'points = alt.Chart(located).mark_circle().encode(longitude="longitude", '
            'latitude="latitude", tooltip=["name_sq", "name_sr", "place_type", "event_id"]).properties('
            'title="Event places")',
            'points = alt.Chart(located).mark_circle(opacity=0.7).encode(longitude='
            'alt.Longitude("longitude:Q"), latitude=alt.Latitude("latitude:Q"), tooltip=['
            'alt.Tooltip("name_sq:N", title="Albanian"), alt.Tooltip("name_sr:N", '
            'title="Serbian"), "place_type"], color=alt.value("black")).properties(title="Where did the '
            'events take place?")',
            'points = alt.Chart(events.merge(places, on="place_id")).mark_circle().encode('
            'longitude="longitude:Q", latitude="latitude:Q", tooltip=["name_sq:N", '
            '"name_sr:N", "place_type:N"]).properties(title="Events on a map")',
        ],
        "wrong": [
            'points = alt.Chart(located).mark_circle().encode(x="longitude:Q", y="latitude:Q", '
            'tooltip=["name_sq:N", "name_sr:N"]).properties(title="Events")',
            'points = alt.Chart(located).mark_circle().encode(longitude="latitude:Q", '
            'latitude="longitude:Q", tooltip=["name_sq:N", "name_sr:N"]).properties('
            'title="Events")',
            'points = alt.Chart(located).mark_circle().encode(longitude="longitude:Q", '
            'latitude="latitude:Q").properties(title="Events")',
            'points = alt.Chart(located).mark_circle().encode(longitude="longitude:Q", '
            'latitude="latitude:Q", tooltip=["name_sq:N", "name_sr:N", "place_type:N"])',
            'points = alt.Chart(located).mark_circle().encode(longitude="longitude:Q", '
            'latitude="latitude:Q", tooltip=["name_sq:N", "name_sr:N"]).properties('
            'title="Events")',
            'points = alt.Chart(places).mark_circle().encode(longitude="longitude:Q", '
            'latitude="latitude:Q", tooltip=["name_sq:N", "name_sr:N"]).properties('
            'title="Events")',
        ],
    },
}

# A right chart without a description is wrong; every right chart answer carries one.
add_descriptions(CORPUS, {
    "06-points-map": ("points", "A map with one circle per event at its place."),
})
