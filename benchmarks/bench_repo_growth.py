"""Print how much a full re-execution of the notebooks would add to the repository's history.

Usage: .venv/bin/python benchmarks/bench_repo_growth.py [--run]
       without --run: measure what the working tree's notebooks changed against HEAD
       (run `make notebooks` or `make exercises` first);
       with --run: re-execute every lesson and solution (scripts/execute_notebooks.py) on a
       clean working tree, measure, then restore the committed notebooks.

For each notebook that differs from HEAD it prints the size of the new file and of the git
object a commit would add (the file deflated, as git stores a loose object: an upper bound,
since `git gc` may store it as a delta against the old version). Unchanged notebooks add
nothing: git stores identical content once. It also prints every stored notebook's size.
Figures, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("notebooks", "solutions")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout


def changed_notebooks() -> list[Path]:
    names = git("diff", "--name-only", "HEAD", "--", *FOLDERS).split()
    return [ROOT / name for name in names if name.endswith(".ipynb")]


def object_size(path: Path) -> int:
    """Bytes of the loose git object for the file's content (header + content, deflated)."""
    content = path.read_bytes()
    return len(zlib.compress(b"blob %d\0" % len(content) + content))


def main(arguments: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", action="store_true",
                        help="re-execute every lesson and solution first, then restore them")
    run = parser.parse_args(arguments).run
    if run:
        if git("status", "--porcelain", "--", *FOLDERS).strip():
            sys.exit("Commit or stash the notebooks first: --run restores them from HEAD.")
        subprocess.run([sys.executable, str(ROOT / "scripts" / "execute_notebooks.py")],
                       cwd=ROOT, check=True)
    all_notebooks = sorted(p for folder in FOLDERS for p in (ROOT / folder).glob("*.ipynb"))
    print("Stored notebook sizes:")
    for path in all_notebooks:
        print(f"  {path.relative_to(ROOT)}: {path.stat().st_size / 1024:.0f} KB")
    changed = changed_notebooks()
    total = sum(object_size(p) for p in changed)
    print(f"Notebooks that differ from HEAD after the re-execution: {len(changed)} "
          f"of {len(all_notebooks)}")
    for path in changed:
        print(f"  {path.relative_to(ROOT)}: new git object {object_size(path) / 1024:.0f} KB")
    print(f"Repository growth if committed: {total / 1024:.0f} KB (upper bound, before delta "
          "compression)")
    if run:
        git("checkout", "HEAD", "--", *FOLDERS)


if __name__ == "__main__":
    main(sys.argv[1:])
