"""Reading a notebook cell the same way everywhere: its tags, its course metadata, its source."""

from __future__ import annotations


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def course_meta(cell) -> dict:
    return dict(cell.get("metadata", {}).get("balkan_course", {}))


def source_of(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source
