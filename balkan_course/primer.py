"""Self-checks for the Python primer (notebooks/00a_python_primer.ipynb).

The primer is a lesson, not an exercise set: nothing in it is graded, so its checks need no
answer keys (the exercise sets' `check()` judges against keys recorded from solutions/). Each
primer exercise compares the answer with the value the primer's own small data gives, and a
wrong answer gets one line of advice that does not give the answer away.

    self_check("p1-gap", gap)   # prints "✅ p1-gap: correct" or "❌ p1-gap: not yet: ..."
"""

from __future__ import annotations

from collections.abc import Callable

# The primer's data, as the primer writes it out (from troop_figures: the strength figures of
# KFOR and EUFOR Althea, and the number of contributing nations where the Asllani brief gives it).
REPORTED_KFOR = [5000, 4600, 4700, 4600]


def _values(answer) -> list | None:
    """The `value` column of a table, sorted (the primer's filters keep rows in any order)."""
    try:
        return sorted(answer["value"].tolist())
    except (KeyError, TypeError, AttributeError, IndexError):
        return None


def _per_nation_problem(function) -> str | None:
    if not callable(function):
        return "define a function with def, then hand over its name (without brackets)"
    try:
        results = [function(4700, 29), function(1100, 23)]
    except TypeError:
        return "the function takes two inputs: the troops, then the nations"
    if None in results:
        return "the function must give its result back with return"
    if results != [162, 48]:
        return "divide the troops by the nations, then round to a whole number with round(...)"
    return None


# exercise -> (is the answer right?, [(does the answer show this mistake?, advice), ...], advice)
RULES: dict[str, tuple[Callable, list[tuple[Callable, str]], str]] = {
    "p1-gap": (lambda a: a == 400, [
        (lambda a: a == -400, "subtract the smallest figure from the largest, not the reverse"),
        (lambda a: isinstance(a, str), "a number, please: no quotes around it"),
    ], "use max(...) and min(...) of reported_kfor, or the two figures themselves"),
    "p2-lookup": (lambda a: a == 1100, [
        (lambda a: isinstance(a, str), "look the value up in the dictionary; do not type it as "
                                       "text"),
        (lambda a: a == 4600, "that is KFOR's figure: use the key of EUFOR Althea"),
    ], "look the value up with its key in square brackets: strength[\"...\"]"),
    "p3-above": (lambda a: list(a) == [5000, 4700], [
        (lambda a: 4600 in list(a), "keep only the figures strictly above 4,600: an if with >, "
                                    "not >="),
        (lambda a: list(a) == [4700, 5000], "keep the figures in the order of reported_kfor"),
    ], "keep the figures of reported_kfor that are more than 4600, in their order"),
    "p5-count": (lambda a: a == 4, [
        (lambda a: a == 7, "count only the True values of the mask: .sum(), not len(...)"),
        (lambda a: a == 3, "that counts EUFOR Althea's rows: compare mission with \"KFOR\""),
    ], "make the mask figures[\"mission\"] == \"KFOR\", then count its True values"),
    "p6-and": (lambda a: _values(a) == [4600, 4600, 4700], [
        (lambda a: _values(a) == [4600, 4600, 4700, 5000], "also keep only the year 2025: join "
                                                           "the second condition with &"),
        (lambda a: _values(a) is None, "keep rows of the table: figures[mask]"),
    ], "two conditions, each in brackets, joined with &"),
    "p7-or": (lambda a: _values(a) == [1000, 1100, 1100, 5000], [
        (lambda a: _values(a) == [], "& keeps rows where both are True; here either will do: |"),
        (lambda a: _values(a) is None, "keep rows of the table: figures[mask]"),
    ], "either condition: join them with |, each in its own brackets"),
    "p8-not": (lambda a: _values(a) == [1100, 4600], [
        (lambda a: _values(a) == [1000, 1100, 4600, 4700, 5000],
         "~ turns the whole isin mask round: put it in front, ~figures[...].isin([...])"),
        (lambda a: _values(a) is None, "keep rows of the table: figures[mask]"),
    ], "isin(...) finds the hedged rows; ~ keeps the others"),
    "p9-missing": (lambda a: a == 5, [
        (lambda a: a == 2, "that counts the figures that have a number of nations: use isna()"),
        (lambda a: a == 7, "count only the missing values: .isna().sum()"),
    ], "isna() marks the missing values; .sum() counts them"),
    "p10-lambda": (lambda a: _thousands(a) == [1.0, 1.1, 1.1, 4.6, 4.6, 4.7, 5.0], [
        (lambda a: _thousands(a) is None, "add a column named thousands with assign(...)"),
        (lambda a: _thousands(a) == [1000000.0, 1100000.0, 1100000.0, 4600000.0, 4600000.0,
                                     4700000.0, 5000000.0], "divide by 1000, do not multiply"),
    ], "the lambda gets the table: thousands=lambda table: table[\"value\"] / 1000"),
    "p11-chain": (lambda a: list(a) == [1100, 1100, 1000], [
        (lambda a: list(a) == [1000, 1100, 1100], "largest first: ascending=False"),
        (lambda a: len(list(a)) != 3, "keep only EUFOR Althea's rows before sorting"),
    ], "filter, then sort_values(..., ascending=False), then take [\"value\"].tolist()"),
}


def _thousands(answer) -> list | None:
    try:
        return sorted(round(float(x), 6) for x in answer["thousands"].tolist())
    except (KeyError, TypeError, AttributeError, ValueError, IndexError):
        return None


def self_check(exercise: str, answer) -> None:
    """Print whether `answer` is right for a primer exercise, with one line of advice if not."""
    print(verdict(exercise, answer))


def verdict(exercise: str, answer) -> str:
    """The line self_check prints: ✅ or ❌ with the exercise's name and, if wrong, advice."""
    if answer is Ellipsis:
        return f"❌ {exercise}: not answered yet: replace the ... with your code"
    if exercise == "p4-function":
        problem = _per_nation_problem(answer)
    elif exercise in RULES:
        right, mistakes, advice = RULES[exercise]
        problem = None
        try:
            if not right(answer):
                problem = next((hint for seen, hint in mistakes if _safe(seen, answer)), advice)
        except (TypeError, ValueError, AttributeError, KeyError):
            problem = advice
    else:
        raise KeyError(f"no primer exercise {exercise!r}")
    if problem:
        return f"❌ {exercise}: not yet: {problem}"
    return f"✅ {exercise}: correct"


def _safe(test: Callable, answer) -> bool:
    try:
        return bool(test(answer))
    except (TypeError, ValueError, AttributeError, KeyError):
        return False
