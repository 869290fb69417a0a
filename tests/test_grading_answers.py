"""answers.py: an answer's value travels out of the kernel as tagged JSON and comes back as the
same answer for the checks; anything a forger could send that the encoder would not write is
refused. (No kernel here: encode and decode are called directly.)"""

from __future__ import annotations

import datetime as dt
import json

import altair as alt
import numpy as np
import pandas as pd
import pytest

from balkan_course.grading import answers, checks


def roundtrip(value):
    text = json.dumps(answers._encode(value), allow_nan=False)
    return answers.decode(json.loads(text))


FRAME = pd.DataFrame({
    "mission": ["kfor", "eufor", "kfor"],
    "troops": [4600, 1100, 5000],
    "share": [0.5, np.nan, 0.25],
    "as_of": pd.to_datetime(["2025-03-10", "2024-01-01", None]),
    "count": pd.array([1, None, 3], dtype="Int64"),
    "kind": pd.Categorical(["a", "b", "a"]),
})

VALUES = {
    "frame": FRAME,
    "frame with a named index": FRAME.set_index("mission"),
    "grouped frame (multi-index)": FRAME.groupby(["mission", "kind"], observed=True)["troops"]
    .sum().to_frame(),
    "series": FRAME["troops"],
    "value_counts": FRAME["mission"].value_counts(),
    "int": 13, "numpy int": np.int64(13), "float": 13.04, "nan": float("nan"),
    "text": "Prishtinë/Priština", "bool": True, "none": None, "ellipsis": ...,
    "date": dt.date(2025, 3, 10), "timestamp": pd.Timestamp("2023-09-24 10:00"),
    "timedelta": pd.Timedelta(days=365), "period": pd.Period("2025-03", freq="M"),
    "list": [1, "a", None], "tuple": (1, 2), "set": {"b", "a"},
    "dict": {"kfor": 4600, "eufor": 1100}, "array": np.array([1.5, 2.5]),
    "index": pd.Index(["a", "b"], name="x"),
    "chart": alt.Chart(FRAME).mark_bar().encode(x="count():Q", y=alt.Y("mission:N", sort="-x"),
                                                tooltip=["mission:N"]).properties(title="T"),
}


def canonical_or_refusal(value, options):
    """What the checks make of a value (or the kind of answer they cannot read)."""
    try:
        return checks.canonical(value, options)
    except Exception as refused:  # e.g. a Timedelta, which the checks do not read
        return f"{type(refused).__name__}: {refused}"


@pytest.mark.parametrize("name", VALUES)
def test_a_value_comes_back_as_the_same_answer(name):
    value = VALUES[name]
    back = roundtrip(value)
    if value is Ellipsis:
        assert back is Ellipsis
        return
    for options in ({}, {"ignore_row_order": True}, {"index_matters": True}):
        assert canonical_or_refusal(back, options) == canonical_or_refusal(value, options), name
    if isinstance(value, (pd.DataFrame, pd.Series)):
        assert list(back.index.names) == list(value.index.names)
        assert [str(t) for t in np.atleast_1d(back.dtypes)] == \
            [str(t) for t in np.atleast_1d(value.dtypes)]


def test_an_unknown_object_comes_back_as_an_object_the_checks_cannot_accept():
    class Thing:
        pass

    back = roundtrip(Thing())
    assert isinstance(back, answers.Unsupported) and type(back).__name__ == "Thing"
    key = checks.make_key("x-test", 3)
    assert checks.judge("x-test", back, key)[0] is False


FORGED = {
    "unknown tag": {"t": "eval", "v": "__import__('os')"},
    "not an object": ["t", "int"],
    "int that is not a number": {"t": "int", "v": "1e9"},
    "int of the wrong type": {"t": "int", "v": 3},
    "bool of the wrong type": {"t": "bool", "v": "yes"},
    "float too long": {"t": "float", "v": "1" * 100},
    "frame of unequal columns": {
        "t": "frame", "columns": {"t": "index", "names": [{"t": "none"}], "dtype": "object",
                                  "v": [{"t": "str", "v": "a"}]},
        "index": {"t": "index", "names": [{"t": "none"}], "dtype": "int64",
                  "v": [{"t": "int", "v": "0"}]},
        "data": [{"dtype": "int64", "values": []}]},
    "series with a short index": {
        "t": "series", "name": {"t": "none"}, "dtype": "int64",
        "index": {"t": "index", "names": [{"t": "none"}], "dtype": "int64", "v": []},
        "values": [{"t": "int", "v": "1"}]},
    "dict key that is a list": {"t": "dict", "items": [[{"t": "list", "v": []},
                                                       {"t": "int", "v": "1"}]]},
    "chart with a non-finite number": {"t": "chart", "spec": {"mark": "bar", "x": float("inf")}},
    "date that is not a date": {"t": "date", "v": "yesterday"},
}


@pytest.mark.parametrize("name", FORGED)
def test_a_forged_structure_is_refused(name):
    with pytest.raises((answers.Refused, ValueError)):
        answers.decode(FORGED[name])


def test_nesting_and_size_are_capped():
    deep = {"t": "str", "v": "x"}
    for _ in range(answers.MAX_DEPTH * 3 + 2):
        deep = {"t": "list", "v": [deep]}
    with pytest.raises(answers.Refused, match="not an encoded value"):
        answers.decode(deep)
    wide = {"t": "list", "v": [{"t": "none"}] * (answers.MAX_ITEMS + 1)}
    with pytest.raises(answers.Refused, match="too large"):
        answers.decode(wide)


def test_a_reply_must_answer_this_request():
    good = json.dumps({"nonce": "n1", "values": {"x": {"ok": {"t": "int", "v": "1"}}}})
    assert answers.parse_reply(good, "n1", ["x"]) == {"x": {"ok": {"t": "int", "v": "1"}}}
    for text, nonce, names in ((good, "n2", ["x"]), (good, "n1", ["y"]),
                               ("[" * 100_000 + "]" * 100_000, "n1", ["x"]),
                               (json.dumps({"nonce": "n1", "values": {"x": {"ok": 1, "a": 2}}}),
                                "n1", ["x"]),
                               ("x" * (answers.MAX_PAYLOAD + 1), "n1", ["x"])):
        with pytest.raises(answers.Refused):
            answers.parse_reply(text, nonce, names)


def test_the_request_runs_in_a_namespace_of_its_own(capsys, monkeypatch):
    published = []
    monkeypatch.setattr("IPython.display.publish_display_data", published.append)
    user = {"total": 18900, "frame": FRAME}
    code = answers.request_code(["total", "frame", "missing"], "abc")
    exec(code, {"get_ipython": lambda: type("Shell", (), {"user_ns": user})()})
    assert set(user) == {"total", "frame"}, "the request left names behind"
    reply = answers.parse_reply(published[0][answers.MIME], "abc", ["total", "frame", "missing"])
    assert answers.decode(reply["total"]["ok"]) == 18900
    assert "NameError" in reply["missing"]["error"]
