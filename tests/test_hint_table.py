"""docs/hints.md lists every hint of the course and stays in step with the keys; no hint names
an internal or looks like a traceback."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import hint_table  # noqa: E402

INTERNALS = re.compile(r"\(values\)|\(index\)|Array\b|NoneType|dtype|Traceback|0x[0-9a-f]{6}")


def test_hint_table_is_current():
    assert hint_table.HINTS_MD.read_text(encoding="utf-8") == hint_table.markdown(), (
        "docs/hints.md is stale: run `.venv/bin/python scripts/hint_table.py`")


def test_no_recorded_hint_names_internals():
    bad = [(check_id, hint) for _, check_id, hint in hint_table.rows() if INTERNALS.search(hint)]
    assert not bad, bad


def test_every_check_has_at_least_one_specific_hint():
    with_hints = {check_id for _, check_id, _ in hint_table.rows()}
    files = [__import__("json").loads(path.read_text())
             for path in hint_table.KEYS_DIR.glob("*.json")]
    keys = {check_id for data in files if not data.get("practice")  # the primer: not listed
            for check_id in data["order"]}
    assert keys <= with_hints, sorted(keys - with_hints)
