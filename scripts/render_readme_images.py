"""Copy the README's chart pictures out of the lessons' stored outputs.

Each picture is the PNG that balkan_course.charts drew offline (vl-convert) when the lesson was
executed, so the README shows the real chart, never a drawing made by hand. Re-run after
re-executing a lesson: `make readme-images`. tests/test_readme.py fails when they differ.
"""

import argparse
import base64
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# README picture -> (lesson notebook, id of the cell whose chart it shows)
README_IMAGES = {
    "docs/images/reported_strength.png": ("notebooks/00_start_here.ipynb", "strength-chart"),
}


def stored_png(notebook: Path, cell_id: str) -> bytes:
    """The PNG output stored in one cell of a notebook."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell.get("id") == cell_id:
            for output in cell.get("outputs", []):
                png = output.get("data", {}).get("image/png")
                if png:
                    return base64.b64decode("".join(png) if isinstance(png, list) else png)
            raise ValueError(f"{notebook}: cell {cell_id!r} has no stored PNG (execute it first)")
    raise ValueError(f"{notebook}: no cell with id {cell_id!r}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    for image, (notebook, cell_id) in README_IMAGES.items():
        target = ROOT / image
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(stored_png(ROOT / notebook, cell_id))
        print(f"{image} <- {notebook} cell {cell_id}")


if __name__ == "__main__":
    main()
