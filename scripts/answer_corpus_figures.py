"""Print the answer corpus figures: per exercise set, correct answers accepted and wrong answers
rejected by the checks, and the sentence README.md quotes (tests/test_answer_corpus.py checks it).

    .venv/bin/python scripts/answer_corpus_figures.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from answer_corpus import corpus_modules, figures, readme_sentence  # noqa: E402
from test_answer_corpus import judged  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    corpus = corpus_modules()
    counts = figures(judged, corpus)
    print(f"{'set':32} {'accepted':>12} {'rejected':>12}")
    for stem, c in counts.items():
        accepted, rejected = f"{c['accepted']} of {c['right']}", f"{c['rejected']} of {c['wrong']}"
        print(f"{stem:32} {accepted:>12} {rejected:>12}")
    print(readme_sentence(counts))


if __name__ == "__main__":
    main()
