"""balkan_course.actors: profiles, name variants and co-mentions behave as lesson 03 says."""

import pytest

from balkan_course import load_table
from balkan_course.actors import (
    actor_options,
    actor_profile,
    co_mention_matrix,
    co_mentions,
    name_lookup,
    profile_view,
    short_name,
)


@pytest.fixture(scope="module")
def tables():
    names = ["actors", "claims", "events", "event_actors", "claim_mentions"]
    return {name: load_table(name) for name in names}


def profile_args(tables):
    return (tables["actors"], tables["claims"], tables["events"], tables["event_actors"],
            tables["claim_mentions"])


def test_name_lookup_maps_every_variant_in_the_texts_to_one_id(tables):
    lookup = name_lookup(tables["actors"]).set_index("spelling")["actor_id"]
    assert not lookup.index.duplicated().any(), "a spelling must point to one actor only"
    expected = {"Rutte": "mark_rutte", "Rute": "mark_rutte", "Less": "tim_less",
                "Les": "tim_less", "Karčić": "hikmet_karcic", "Karačić": "hikmet_karcic",
                "Healy": "john_healey", "Vucic": "aleksandar_vucic",
                "Republika Sprska": "republika_srpska"}
    assert {spelling: lookup[spelling] for spelling in expected} == expected


def test_actor_options_list_speakers_and_participants_only(tables):
    options = actor_options(tables["actors"], tables["claims"], tables["event_actors"])
    ids = [actor_id for _, actor_id in options]
    active = set(tables["claims"]["speaker_id"]) | set(tables["event_actors"]["actor_id"])
    assert set(ids) == active & set(tables["actors"]["actor_id"])
    labels = dict((actor_id, label) for label, actor_id in options)
    assert labels["mark_rutte"] == "Mark Rutte (10 claims, 2 events)"
    assert [label.casefold() for label, _ in options] == sorted(
        label.casefold() for label, _ in options)


def test_rutte_profile_matches_the_articles(tables):
    profile = actor_profile("mark_rutte", *profile_args(tables))
    assert profile["who"].loc[0, "voice"] == "official"
    assert profile["who"].loc[0, "affiliation"].startswith("North Atlantic Treaty Organization")
    # Quoted in sources 000, 001 and 003; his two visits of 10 and 11 March 2025.
    assert set(profile["claims"]["source_id"]) == {
        "rel_focus_2025_04", "kap_rutte_2025_03_10", "brief_2025_04_02"}
    assert set(profile["events"]["event_id"]) == {
        "rutte_visit_bih_2025_03_10", "rutte_visit_kosovo_2025_03_11"}
    assert list(profile["events"]["when"]) == ["10 Mar 2025", "11 Mar 2025"]
    assert len(profile["mentioned_in"]) > 0
    assert "Mark Rutte" not in set(profile["mentioned_in"]["speaker"])


def test_kurti_speaks_in_2023_and_2025(tables):
    profile = actor_profile("albin_kurti", *profile_args(tables))
    assert set(profile["claims"]["source_id"]) == {"iria_2023", "rel_focus_2025_04",
                                                   "brief_2025_04_02"}
    assert profile["claims"]["when"].iloc[0] == "by 31 Dec 2023"  # oldest first (said on or before)


def test_unknown_actor_raises_a_clear_error(tables):
    with pytest.raises(KeyError, match="No actor with id 'nobody'"):
        actor_profile("nobody", *profile_args(tables))


@pytest.mark.parametrize("selection, words", [
    (None, "Pick an actor"),
    ("", "Pick an actor"),
    ("nobody", "no actor with the id"),
    ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
])
def test_profile_view_explains_an_empty_or_odd_selection(tables, selection, words):
    html = profile_view(selection, *profile_args(tables))
    assert words in html and "<table" not in html


def test_profile_view_shows_roles_claims_and_events(tables):
    html = profile_view("tim_less", *profile_args(tables))
    assert "Tim Less" in html and "voice: analyst" in html and "Les; Professor Les" in html
    assert "Claims made: 8" in html and "rel_focus_2025_04" in html
    serbia = profile_view("serbia", *profile_args(tables))
    assert "Claims made: none in the data" in serbia and "Events:" in serbia


def test_co_mentions_counts_unordered_pairs(tables):
    pairs = co_mentions(tables["claim_mentions"], tables["event_actors"])
    assert (pairs["actor_a"] < pairs["actor_b"]).all(), "pairs are unordered and never self-pairs"
    assert not pairs.duplicated(["actor_a", "actor_b"]).any()
    top = pairs.iloc[0]
    assert (top["actor_a"], top["actor_b"], top["claims"], top["events"], top["total"]) == (
        "kosovo", "serbia", 12, 3, 15)
    assert (pairs["total"] == pairs["claims"] + pairs["events"]).all()
    assert pairs["total"].is_monotonic_decreasing


def test_co_mentions_leave_out_photographers_unless_asked(tables):
    pairs = co_mentions(tables["claim_mentions"], tables["event_actors"])
    assert "valdrin_xhemaj" not in set(pairs["actor_a"]) | set(pairs["actor_b"])
    everyone = co_mentions(tables["claim_mentions"], tables["event_actors"], exclude_roles=())
    assert "valdrin_xhemaj" in set(everyone["actor_a"]) | set(everyone["actor_b"])


def test_co_mentions_can_count_the_speaker(tables):
    def rutte_nato(pairs):
        row = pairs[(pairs["actor_a"] == "mark_rutte") & (pairs["actor_b"] == "nato")]
        return int(row["claims"].iloc[0])

    without = co_mentions(tables["claim_mentions"], tables["event_actors"])
    with_speaker = co_mentions(tables["claim_mentions"], tables["event_actors"],
                               claims=tables["claims"])
    assert rutte_nato(with_speaker) > rutte_nato(without)


def test_co_mention_matrix_is_symmetric_and_filled(tables):
    pairs = co_mentions(tables["claim_mentions"], tables["event_actors"])
    ids = ["kosovo", "serbia", "ukraine"]
    matrix = co_mention_matrix(pairs, ids).set_index(["actor_a", "actor_b"])["total"]
    assert len(matrix) == 6  # 3 x 3 without the diagonal
    assert matrix["kosovo", "serbia"] == matrix["serbia", "kosovo"] == 15
    assert matrix["serbia", "ukraine"] == 0


@pytest.mark.parametrize("name, short", [
    ("Kosovo Force (KFOR)", "KFOR"),
    ("North Atlantic Treaty Organization (NATO)", "NATO"),
    ("Europe (European states as a whole)", "Europe"),
    ("Serbia", "Serbia"),
])
def test_short_name(name, short):
    assert short_name(name) == short
