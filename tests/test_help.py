"""Every script and benchmark answers --help with its usage, and does nothing else.

A script that reads sys.argv by hand takes `--help` for an argument: bench_notebooks.py once
tried to run a notebook called --help. Each one uses argparse now; this runs `--help` on every
file of scripts/ and benchmarks/ that can be run, and checks the answer is a usage text.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Files imported by the scripts, not run themselves.
HELPERS = {"benchmarks/peak_memory.py"}
RUNNABLE = sorted(str(path.relative_to(ROOT)) for folder in ("scripts", "benchmarks")
                  for path in (ROOT / folder).glob("*.py")
                  if str(path.relative_to(ROOT)) not in HELPERS)


def help_text(script: Path) -> tuple[int, str]:
    """(exit status, what it printed) of `python SCRIPT --help`, run from the course folder."""
    done = subprocess.run([sys.executable, str(script), "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def answers_help(script: Path) -> bool:
    status, printed = help_text(script)
    return status == 0 and printed.startswith(f"usage: {script.name}")


def test_every_script_can_be_run_or_is_a_helper():
    for name in RUNNABLE:
        assert 'if __name__ == "__main__":' in (ROOT / name).read_text(encoding="utf-8"), name
    for name in HELPERS:
        assert "__main__" not in (ROOT / name).read_text(encoding="utf-8"), name


@pytest.mark.parametrize("name", RUNNABLE)
def test_each_script_answers_help_with_its_usage(name):
    status, printed = help_text(ROOT / name)
    assert status == 0 and printed.startswith(f"usage: {Path(name).name}"), printed[-2000:]
    assert "-h, --help" in printed


def test_a_script_reading_sys_argv_by_hand_fails_the_check(tmp_path):
    by_hand = tmp_path / "by_hand.py"
    by_hand.write_text('import sys\n\nif __name__ == "__main__":\n'
                       '    print("running on", sys.argv[1:])\n', encoding="utf-8")
    with_argparse = tmp_path / "with_argparse.py"
    with_argparse.write_text('import argparse\n\nif __name__ == "__main__":\n'
                             '    argparse.ArgumentParser().parse_args()\n'
                             '    print("running")\n', encoding="utf-8")
    assert not answers_help(by_hand)
    assert answers_help(with_argparse)
