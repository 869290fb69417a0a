"""How many of the course's auto-graded questions have per-student versions: per set and in all.

    .venv/bin/python scripts/variant_figures.py

Recounts from the solutions (variants.count_variants: every version's answers computed in this
process, no kernel): a question's versions are the default plus the student versions whose
answers differ from each other's and from the default's, and which the public solution's code,
copied into that version, does not answer. Written answers are not counted (they are read by
the teacher and have no versions). Prints a table and the README's sentence.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from balkan_course.grading.cells import is_practice  # noqa: E402
from balkan_course.grading.variants import count_variants  # noqa: E402

GOAL_VERSIONS = 4


def figures(solutions: Path = ROOT / "solutions") -> dict[str, dict[str, dict]]:
    """notebook stem -> question -> {declared, versions, non_trivial}, of the graded sets (the
    primer's practice is never released in versions)."""
    notebooks = {path.stem: nbformat.read(path, as_version=4)
                 for path in sorted(solutions.glob("*.ipynb"))}
    return {stem: count_variants(nb) for stem, nb in notebooks.items() if not is_practice(nb)}


def readme_sentence(counts: dict[str, dict[str, dict]]) -> str:
    questions = [q for per_set in counts.values() for q in per_set.values()]
    enough = sum(q["versions"] >= GOAL_VERSIONS for q in questions)
    varied = sum(q["versions"] > 1 for q in questions)
    return (f"Per-student variants: {enough} of the {len(questions)} auto-graded questions have "
            f"at least {GOAL_VERSIONS} versions ({100 * enough / len(questions):.0f} %; "
            f"{varied} have at least 2), counted by `scripts/variant_figures.py`.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    counts = figures()
    print(f"{'set':32} questions  >=2 versions  >={GOAL_VERSIONS} versions")
    for stem, per_set in counts.items():
        versions = [q["versions"] for q in per_set.values()]
        print(f"{stem:32} {len(versions):9}  {sum(v >= 2 for v in versions):12}  "
              f"{sum(v >= GOAL_VERSIONS for v in versions):12}")
    print()
    print(readme_sentence(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
