"""Reading a notebook cell the same way everywhere: its tags, its course metadata, its source;
and whether a solution notebook is practice (the primer: self-checked, never graded)."""

from __future__ import annotations


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def course_meta(cell) -> dict:
    return dict(cell.get("metadata", {}).get("balkan_course", {}))


def source_of(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


# A solution whose notebook metadata says {"balkan_course": {"practice": true}} is practice:
# its checks have keys (the student's self-check needs them, and the key file says
# "practice": true), but nothing in it is released in versions, graded or counted.
PRACTICE = "practice"


def is_practice(nb) -> bool:
    return bool(nb.get("metadata", {}).get("balkan_course", {}).get(PRACTICE))
