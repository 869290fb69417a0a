"""Who is who: actor profiles, name variants and co-mentions (lesson 03).

The functions take the course's tables as DataFrames (load them with
`balkan_course.load_table`) and return plain DataFrames or text, so that a notebook can
show them, a widget can call them, and a test can check them.

- `name_lookup` maps every spelling in `actors.name` and `actors.name_variants` to one id.
- `actor_options` lists the actors that speak in a claim or take part in an event.
- `actor_profile` gathers one actor's details, claims, mentions and events.
- `profile_view` turns that profile into HTML for a widget (or a friendly message).
- `co_mentions` counts how often two actors appear in the same claim or event.
"""

from __future__ import annotations

from html import escape
from itertools import combinations

import pandas as pd

from balkan_course.data import date_label

VOICE_ORDER = ["official", "analyst", "journalist", "other"]


def name_lookup(actors: pd.DataFrame) -> pd.DataFrame:
    """One row per spelling: the standard name, its surname and every listed variant.

    Columns: spelling, actor_id, name, kind ('standard', 'surname' or 'variant').
    Surnames are added for people only, so that 'Rutte' and 'Rute' both find Mark Rutte.
    """
    rows = []
    for actor in actors.itertuples(index=False):
        rows.append((actor.name, actor.actor_id, actor.name, "standard"))
        if actor.actor_type == "person" and " " in actor.name:
            rows.append((actor.name.split()[-1], actor.actor_id, actor.name, "surname"))
        if isinstance(actor.name_variants, str):
            for variant in actor.name_variants.split("; "):
                rows.append((variant.strip(), actor.actor_id, actor.name, "variant"))
    lookup = pd.DataFrame(rows, columns=["spelling", "actor_id", "name", "kind"])
    return lookup.drop_duplicates(subset=["spelling", "actor_id"]).reset_index(drop=True)


def actor_options(
    actors: pd.DataFrame, claims: pd.DataFrame, event_actors: pd.DataFrame
) -> list[tuple[str, str]]:
    """(label, actor_id) pairs for a Dropdown: actors who speak in a claim or take part in an event.

    The label shows the name and how many claims and events the actor has, sorted by name.
    """
    n_claims = claims["speaker_id"].value_counts()
    n_events = event_actors.groupby("actor_id")["event_id"].nunique()
    ids = sorted(set(n_claims.index) | set(n_events.index))
    names = actors.set_index("actor_id")["name"]
    options = []
    for actor_id in ids:
        if actor_id not in names.index:
            continue
        c, e = int(n_claims.get(actor_id, 0)), int(n_events.get(actor_id, 0))
        options.append((f"{names[actor_id]} ({c} claims, {e} events)", actor_id))
    return sorted(options, key=lambda option: option[0].casefold())


def actor_profile(
    actor_id: str,
    actors: pd.DataFrame,
    claims: pd.DataFrame,
    events: pd.DataFrame,
    event_actors: pd.DataFrame,
    claim_mentions: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Everything the tables say about one actor, as a dict of DataFrames.

    - 'who': one row (name, type, role, affiliation, voice, country, variants, description)
    - 'claims': claims the actor made (when, source_id, stance, paraphrase), oldest first
    - 'mentioned_in': claims by others that mention the actor (needs claim_mentions)
    - 'events': events the actor took part in (when, title, role_in_event), oldest first

    Raises KeyError with a clear message for an unknown actor_id.
    """
    if actor_id not in set(actors["actor_id"]):
        raise KeyError(f"No actor with id {actor_id!r} in the actors table.")
    names = actors.set_index("actor_id")["name"]

    who = actors.loc[actors["actor_id"] == actor_id].copy()
    who["affiliation"] = who["affiliation_id"].map(names)
    who = who[["actor_id", "name", "actor_type", "role", "affiliation", "voice", "country",
               "name_variants", "description"]].reset_index(drop=True)

    def claim_table(rows: pd.DataFrame, with_speaker: bool) -> pd.DataFrame:
        rows = rows.sort_values(["date_end", "claim_id"]).copy()
        rows["when"] = [date_label(s, e, p) for s, e, p in
                        zip(rows["date"], rows["date_end"], rows["date_precision"], strict=True)]
        columns = ["when", "source_id", "stance", "paraphrase", "claim_id"]
        if with_speaker:
            rows["speaker"] = rows["speaker_id"].map(names)
            columns.insert(1, "speaker")
        return rows[columns].reset_index(drop=True)

    spoken = claim_table(claims.loc[claims["speaker_id"] == actor_id], with_speaker=False)
    if claim_mentions is not None:
        about = claim_mentions.loc[claim_mentions["actor_id"] == actor_id, "claim_id"]
        mentioned = claim_table(claims.loc[claims["claim_id"].isin(about)], with_speaker=True)
    else:
        mentioned = claim_table(claims.iloc[0:0], with_speaker=True)

    roles = event_actors.loc[event_actors["actor_id"] == actor_id, ["event_id", "role_in_event"]]
    took_part = events.merge(roles, on="event_id").sort_values(["date_end", "event_id"])
    took_part["when"] = [date_label(s, e, p) for s, e, p in zip(
        took_part["date_start"], took_part["date_end"], took_part["date_precision"], strict=True)]
    took_part = took_part[["when", "title", "role_in_event", "event_id"]].reset_index(drop=True)

    return {"who": who, "claims": spoken, "mentioned_in": mentioned, "events": took_part}


def _table_html(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, escape=True, border=0, na_rep="")


def profile_view(
    actor_id: str | None,
    actors: pd.DataFrame,
    claims: pd.DataFrame,
    events: pd.DataFrame,
    event_actors: pd.DataFrame,
    claim_mentions: pd.DataFrame | None = None,
    max_rows: int = 12,
) -> str:
    """An HTML profile of one actor for a widget, or a one-line message if there is none."""
    if actor_id is None or str(actor_id).strip() == "":
        return "<p>Pick an actor from the list to see their profile.</p>"
    try:
        profile = actor_profile(actor_id, actors, claims, events, event_actors, claim_mentions)
    except KeyError:
        return (f"<p>There is no actor with the id <code>{escape(str(actor_id))}</code> in the "
                "actors table. Pick one from the list.</p>")
    who = profile["who"].iloc[0]
    details = [f"<b>{escape(who['name'])}</b> ({escape(who['actor_type'])}, voice: "
               f"{escape(who['voice'])})"]
    for label, column in [("Role", "role"), ("Belongs to", "affiliation"),
                          ("Other spellings in the texts", "name_variants")]:
        if pd.notna(who[column]):
            details.append(f"{label}: {escape(str(who[column]))}")
    parts = ["<p>" + "<br>".join(details) + "</p>"]

    sections = [
        ("claims", "Claims made", ["when", "source_id", "stance", "paraphrase"]),
        ("mentioned_in", "Mentioned in claims by others", ["when", "speaker", "source_id",
                                                            "paraphrase"]),
        ("events", "Events", ["when", "title", "role_in_event"]),
    ]
    for key, heading, columns in sections:
        if key == "mentioned_in" and claim_mentions is None:
            continue
        table = profile[key]
        if table.empty:
            parts.append(f"<p><i>{heading}: none in the data.</i></p>")
            continue
        note = f" (first {max_rows} of {len(table)})" if len(table) > max_rows else ""
        parts.append(f"<p><b>{heading}: {len(table)}</b>{note}</p>")
        parts.append(_table_html(table[columns].head(max_rows)))
    return "\n".join(parts)


def co_mentions(
    claim_mentions: pd.DataFrame,
    event_actors: pd.DataFrame,
    claims: pd.DataFrame | None = None,
    exclude_roles: tuple[str, ...] = ("photographer",),
) -> pd.DataFrame:
    """Count the pairs of actors that appear together in a claim or an event.

    A claim's actors are those in claim_mentions, plus its speaker when `claims` is given.
    An event's actors are those in event_actors, leaving out `exclude_roles` (photographers are
    credited for a picture, not part of the event). Each pair is counted once per claim or event,
    without direction (actor_a sorts before actor_b).

    Columns: actor_a, actor_b, claims, events, total; sorted by total (largest first), then ids.
    """
    claim_groups = claim_mentions[["claim_id", "actor_id"]].rename(columns={"claim_id": "item"})
    if claims is not None:
        speakers = claims[["claim_id", "speaker_id"]].rename(
            columns={"claim_id": "item", "speaker_id": "actor_id"})
        claim_groups = pd.concat([claim_groups, speakers], ignore_index=True)
    kept = event_actors.loc[~event_actors["role_in_event"].isin(exclude_roles)]
    event_groups = kept[["event_id", "actor_id"]].rename(columns={"event_id": "item"})

    counts: dict[tuple[str, str], dict[str, int]] = {}
    for kind, groups in (("claims", claim_groups), ("events", event_groups)):
        for _, members in groups.groupby("item")["actor_id"]:
            for pair in combinations(sorted(set(members)), 2):
                counts.setdefault(pair, {"claims": 0, "events": 0})[kind] += 1

    pairs = pd.DataFrame(
        [(a, b, n["claims"], n["events"]) for (a, b), n in counts.items()],
        columns=["actor_a", "actor_b", "claims", "events"],
    )
    pairs = pairs.astype({"actor_a": "str", "actor_b": "str", "claims": "int64",
                          "events": "int64"})
    pairs["total"] = pairs["claims"] + pairs["events"]
    return pairs.sort_values(["total", "actor_a", "actor_b"], ascending=[False, True, True],
                             ignore_index=True)


def co_mention_matrix(pairs: pd.DataFrame, actor_ids: list[str]) -> pd.DataFrame:
    """A long, symmetric table of pair counts among `actor_ids`, ready for a heatmap.

    Every ordered pair (row actor, column actor) of different actors appears once, with 0 where
    the two never appear together. Columns: actor_a, actor_b, claims, events, total.
    """
    both_ways = pd.concat([
        pairs,
        pairs.rename(columns={"actor_a": "actor_b", "actor_b": "actor_a"}),
    ], ignore_index=True)
    grid = pd.MultiIndex.from_product([actor_ids, actor_ids], names=["actor_a", "actor_b"])
    matrix = (both_ways.set_index(["actor_a", "actor_b"])[["claims", "events", "total"]]
              .reindex(grid, fill_value=0).reset_index())
    return matrix.loc[matrix["actor_a"] != matrix["actor_b"]].reset_index(drop=True)


def short_name(name: str) -> str:
    """A short label for charts: 'Kosovo Force (KFOR)' -> 'KFOR', 'Europe (...)' -> 'Europe'.

    An acronym in brackets replaces the name; any other bracketed note is dropped.
    """
    if "(" not in name:
        return name
    before, _, inside = name.partition("(")
    inside = inside.split(")")[0].strip()
    if inside and " " not in inside and len(inside) <= 6 and any(c.isupper() for c in inside):
        return inside
    return before.strip()
