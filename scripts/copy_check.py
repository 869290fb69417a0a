"""Check that the course repeats no run of words from the article texts.

The course may carry the articles' facts and figures, cited, but not their sentences: the
publishers hold the rights to the texts. This check reads the article texts in a folder (plain
.txt files, one per article; `article_texts/` by default, which git ignores so that they are never
committed) and every text file of the course (notebooks' cells and their text outputs included),
and prints each run of 9 or more consecutive words that stands in one of the articles, with the
file, the line (or the notebook cell) and the number of words. Article titles, as recorded in
data/sources.csv, may be cited in full and never count.

Exit status: 0 when no run is found, 1 when at least one is, 2 when the folder holds no text.

    python3 scripts/copy_check.py                        # article_texts/ beside data/
    python3 scripts/copy_check.py --sources ../texts     # another folder
    python3 scripts/copy_check.py --words 8              # stricter

Only the standard library is used, so the check runs before the course's environment is set up.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = "article_texts"
DEFAULT_WORDS = 9
# Files whose text could carry a copied sentence; pictures and data packs cannot.
TEXT_SUFFIXES = {".md", ".csv", ".json", ".py", ".txt", ".yml", ".yaml", ".ipynb", ".toml",
                 ".html", ".cfg", ".in", ".sh"}
# Letters of English, Albanian and Serbian/Bosnian/Croatian, digits and the apostrophe: "4,600"
# becomes two words ("4", "600"), as "4.600" does, so the two spellings of a figure match.
WORD = re.compile(r"[0-9a-zà-ž']+", re.IGNORECASE)


def words_with_lines(text: str) -> list[tuple[str, int]]:
    """The words of `text`, lower-cased, each with the 1-based line it stands on."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    found, line, last = [], 1, 0
    for match in WORD.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        found.append((match.group().lower().strip("'"), line))
    return [(word, line) for word, line in found if word]


def article_runs(folder: Path, length: int, titles: list[str]) -> dict[tuple, str]:
    """Every run of `length` words in the article texts, mapped to the article's file name."""
    runs: dict[tuple, str] = {}
    for path in sorted(folder.glob("*.txt")):
        if path.name.lower() == "readme.txt":
            continue
        words = [word for word, _ in words_with_lines(path.read_text(encoding="utf-8"))]
        for start in range(len(words) - length + 1):
            runs.setdefault(tuple(words[start:start + length]), path.name)
    for title in titles:  # a title may be cited in full
        words = [word for word, _ in words_with_lines(title)]
        for start in range(len(words) - length + 1):
            runs.pop(tuple(words[start:start + length]), None)
    return runs


def recorded_titles(root: Path) -> list[str]:
    """The titles in data/sources.csv (empty when the table is missing)."""
    try:
        with open(root / "data" / "sources.csv", newline="", encoding="utf-8") as handle:
            return [record.get("title", "") for record in csv.DictReader(handle)]
    except OSError:
        return []


def course_files(root: Path, skip: Path) -> list[Path]:
    """The course's text files: what git tracks or would track, else every file under root."""
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "--cached", "--others", "--exclude-standard"],
            capture_output=True, text=True, check=True).stdout.splitlines()
        paths = [root / name for name in listed if name]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout, or no git
        paths = [path for path in root.rglob("*") if path.is_file()]
    skip = skip.resolve()
    kept = []
    for path in sorted(paths):
        resolved = path.resolve()
        if (path.suffix.lower() in TEXT_SUFFIXES and path.is_file()
                and skip not in resolved.parents and ".venv" not in path.parts):
            kept.append(path)
    return kept


def segments(path: Path) -> Iterator[tuple[str, str]]:
    """(where, text) pieces of a file: the whole file, or each cell of a notebook and its output."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix.lower() != ".ipynb":
        yield "", text
        return
    try:
        cells = json.loads(text).get("cells", [])
    except ValueError:
        yield "", text
        return
    for number, cell in enumerate(cells):
        yield f"cell {number}", _joined(cell.get("source", ""))
        for output in cell.get("outputs", []):
            pieces = [_joined(output.get("text", ""))]
            pieces += [_joined(value) for mime, value in (output.get("data") or {}).items()
                       if mime.startswith("text/")]
            yield f"cell {number} output", "\n".join(pieces)


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def repeated_runs(text: str, runs: dict[tuple, str], length: int) -> Iterator[tuple]:
    """(first line, words, article) for each longest stretch of `text` found in an article."""
    words = words_with_lines(text)
    plain = [word for word, _ in words]
    start = 0
    while start <= len(plain) - length:
        article = runs.get(tuple(plain[start:start + length]))
        if article is None:
            start += 1
            continue
        end = start + length  # grow while the next window is still in an article
        while end < len(plain) and tuple(plain[end - length + 1:end + 1]) in runs:
            end += 1
        yield words[start][1], plain[start:end], article
        start = end


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="List every run of words the course repeats from the article texts "
                    "(exit status 1 if there is any).")
    parser.add_argument("--sources", type=Path, default=None, metavar="DIR",
                        help=f"folder holding the article texts as .txt files (default: "
                             f"{DEFAULT_SOURCES}/ in the course folder; git ignores it)")
    parser.add_argument("--words", type=int, default=DEFAULT_WORDS, metavar="N",
                        help=f"shortest run that counts (default {DEFAULT_WORDS})")
    parser.add_argument("--root", type=Path, default=ROOT, metavar="DIR",
                        help="the course folder to check (default: the one holding this script)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    sources = args.sources if args.sources is not None else root / DEFAULT_SOURCES
    if args.words < 2:
        parser.error("--words must be 2 or more")
    texts = sorted(sources.glob("*.txt")) if sources.is_dir() else []
    if not texts:
        print(f"copy check: no article texts (*.txt) in {sources}; put the texts there, or name "
              "their folder with --sources", file=sys.stderr)
        return 2
    runs = article_runs(sources, args.words, recorded_titles(root))
    count = 0
    for path in course_files(root, skip=sources):
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        for where, text in segments(path):
            for line, words, article in repeated_runs(text, runs, args.words):
                place = f"{where}, line {line}" if where else f"line {line}"
                print(f"{name} ({place}): {len(words)} words from {article}: "
                      f"'{' '.join(words)}'")
                count += 1
    print(f"copy check: {count} run(s) of {args.words} or more words repeated from "
          f"{len(texts)} article text(s)")
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main())
