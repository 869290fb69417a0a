"""Write environment.yml (for Binder and conda users) from the pins in requirements.txt.

Binder builds environment.yml; `make` installs requirements.txt. Generating one from the other
keeps both on the same versions; tests/test_environment.py fails when they drift apart.
Run with `make environment` after changing requirements.txt.
"""

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_VERSION = "3.11"


def read_pins(requirements: Path) -> list[str]:
    """The `name==version` lines of a requirements file, comments and blanks dropped."""
    lines = requirements.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def render_environment(pins: list[str]) -> str:
    body = "\n".join(f"      - {pin}" for pin in pins)
    return (
        "# Made by scripts/write_environment_yml.py from requirements.txt: do not edit by hand.\n"
        "# Binder (repo2docker) and conda users build this; `make` uses requirements.txt.\n"
        "name: balkan-security-course\n"
        "channels:\n"
        "  - conda-forge\n"
        "dependencies:\n"
        f"  - python={PYTHON_VERSION}\n"
        "  - pip\n"
        "  - pip:\n"
        f"{body}\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    pins = read_pins(ROOT / "requirements.txt")
    (ROOT / "environment.yml").write_text(render_environment(pins), encoding="utf-8")
    print(f"environment.yml: python {PYTHON_VERSION} and {len(pins)} pinned pip packages")


if __name__ == "__main__":
    main()
