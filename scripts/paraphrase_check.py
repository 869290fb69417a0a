"""List data rows whose wording stays too close to a sentence of the source articles.

source_overlap.py (in ../shared/tools) catches runs of 9+ identical words; a close paraphrase
(the article's sentence with a few words swapped) slips through it. This check compares each
long text cell of data/*.csv with every sentence of the articles by difflib's word-sequence
ratio, as the December 2026 fact-check did, and prints the cells at or above a threshold.
A figure to read, not a test: titles of articles are expected to match (ratio 1.00).

Usage: python3 scripts/paraphrase_check.py [--sources ../shared/sources] [--threshold 0.59]
"""

from __future__ import annotations

import argparse
import csv
import difflib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"[0-9a-zà-žčćšđž']+", re.IGNORECASE)
COLUMNS = ("paraphrase", "description", "statement", "note", "role", "date_note", "title")


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text.replace("’", "'"))]


def article_sentences(folder: Path) -> list[tuple[str, list[str]]]:
    sentences = []
    for path in sorted(folder.glob("*.txt")):
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", path.read_text(encoding="utf-8")):
            if len(words(sentence)) >= 6:
                sentences.append((path.name[:3], words(sentence)))
    return sentences


def closest(text: str, sentences) -> tuple[float, str]:
    """Best difflib ratio of `text` against any article sentence, and that article's number."""
    mine = words(text)
    best = (0.0, "")
    for article, theirs in sentences:
        ratio = difflib.SequenceMatcher(None, mine, theirs, autojunk=False).ratio()
        best = max(best, (ratio, article))
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sources", type=Path, default=ROOT.parent / "shared" / "sources")
    parser.add_argument("--threshold", type=float, default=0.59)
    args = parser.parse_args()
    sentences = article_sentences(args.sources)
    found = []
    for path in sorted((ROOT / "data").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            for number, record in enumerate(csv.DictReader(handle), start=2):
                for column in COLUMNS:
                    text = record.get(column) or ""
                    if len(words(text)) >= 8:
                        ratio, article = closest(text, sentences)
                        if ratio >= args.threshold:
                            found.append((ratio, path.name, number, column, article))
    for ratio, file, number, column, article in sorted(found, reverse=True):
        print(f"{ratio:.2f}  {file}, row {number}, column '{column}' (closest: article {article})")
    print(f"{len(found)} cell(s) at a ratio of {args.threshold} or more")


if __name__ == "__main__":
    main()
