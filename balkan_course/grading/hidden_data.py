"""Hidden test data and reruns: does an answer's code follow the question's rule?

A check may ask (`rerun=[tables]`) that a right answer be computed again on a changed copy of
the tables it uses: rows in another order, large figures scaled, a test copy of every row, and
the author's own test rows (`hidden_rows`, with_test_rows). Code that typed the answer in, or
filtered on something the question does not name, gives another answer there, and fails.

Two halves: run_answer_cells runs the cells (in the student's kernel: sent there whole by the
grader, rerun_source, or called by the self-check), and hidden_data_failure judges the value
they gave against the key's hash of the solution's answer on the same hidden data. The last
section finds, in a live kernel's history, which cells to run again (the self-check and the
recording of keys use it; the grader knows the notebook's structure instead).
"""

from __future__ import annotations

import ast
import contextlib
import io
import sys
import warnings

from balkan_course.grading.budget import TooLarge, judging_budget, too_large_message
from balkan_course.grading.canonical import _receipt_canon, canonical, coerce, kind_of
from balkan_course.grading.keys import _key_hash

# ---------------------------------------------------------------- hidden test data


RERUN_HINT = ("right for this table, but your code does not follow the rule the question "
              "states: on a changed copy of the table (rows in another order, other figures, "
              "more rows) it gives another answer. Check each step against the question: "
              "filter on the columns it names, sort by the column it names, round as it asks, "
              "and take numbers from the table instead of typing them in")
DECOY = " (test row)"
SCALE = 1.37
STEP = 0.01


def coded_columns(table: str) -> set[str]:
    """The columns whose values come from a fixed list (an `enum` in data/datapackage.json):
    test rows keep their values valid, so that `date_basis != "printed"` stays as right as
    `date_basis == "inferred"`, as on any table that passes validation."""
    try:
        from balkan_course.data import _resource
        fields = _resource(table)["schema"]["fields"]
    except Exception:  # noqa: BLE001 - a table the package does not describe: no codes known
        return set()
    return {f["name"] for f in fields if "enum" in f.get("constraints", {})}


def perturbed(frame, keep: set[str] = frozenset()):
    """Hidden test data: a copy of a table with its rows reversed, every row's numbers and
    dates moved by an amount of its own (so no typed number, no ratio of two figures and no
    order of rows survives), and a test copy of every row whose every text is changed
    (except the coded columns in `keep`), so that it matches no filter on an id or name the
    question names exactly but does match a filter on a number or a part of a text.

    Row i of the reversed table (i = 0, 1, ...): large numbers (above 100: troops, euros, not
    codes or counts) times SCALE + STEP * i (rounded as finely as the column is), numbers
    with decimals (coordinates) plus STEP * (i + 1), dates one day later (every row alike:
    rows of the same report keep the same date, and a date typed in shows). One common factor
    would leave every percentage and every ratio unchanged; a factor per row changes them
    all."""
    pandas = sys.modules["pandas"]
    types = pandas.api.types
    out = frame.iloc[::-1].copy()
    factors = [SCALE + STEP * i for i in range(len(out))]
    shifts = [STEP * (i + 1) for i in range(len(out))]
    for column in out.columns:
        values = out[column]
        if types.is_bool_dtype(values):
            continue
        if types.is_numeric_dtype(values) and values.abs().max() > 100:
            scaled = values * factors
            if ((values % 1).fillna(0) == 0).all():  # whole troops stay whole, round sums round
                step = 1
                while step < 1_000_000 and ((values % (step * 10)).fillna(0) == 0).all():
                    step *= 10
                scaled = (scaled / step).round() * step
                if types.is_integer_dtype(values):
                    scaled = scaled.astype(values.dtype)
            out[column] = scaled
        elif types.is_float_dtype(values) and ((values % 1).fillna(0) != 0).any():
            out[column] = values + shifts
        elif types.is_datetime64_any_dtype(values):
            out[column] = values + pandas.Timedelta(days=1)
    decoys = out.copy()
    for column in decoys.columns:
        if column in keep:
            continue
        if types.is_string_dtype(decoys[column]) or types.is_object_dtype(decoys[column]):
            text = decoys[column].astype("string")
            decoys[column] = text.where(text.isna(), text + DECOY)
    if types.is_integer_dtype(frame.index) and len(frame):
        start = int(max(frame.index)) + 1
        labels = range(start, start + len(decoys))
    else:
        labels = [f"test_row_{i}" for i in range(len(decoys))]
    decoys.index = pandas.Index(labels, name=frame.index.name)
    return pandas.concat([out, decoys])


def _cast_like(value, column):
    """A value an author typed (a date as text, say) in the dtype of the column it joins."""
    pandas = sys.modules["pandas"]
    if pandas.api.types.is_datetime64_any_dtype(column):
        return pandas.Series(pandas.to_datetime([value])).astype(column.dtype).iloc[0]
    return pandas.Series([value]).astype(column.dtype).iloc[0]


def with_test_rows(frame, rows: list[dict]):
    """Hidden test data made by hand: each row names its id (the table's first column). A row
    whose id is in the table changes those fields of it; a new id adds a row, its other fields
    copied from the table's first row. So an author writes the boundary case the real data
    lacks (an event that ends in 1998, a ministry row from another article) in a line."""
    if not rows:
        return frame
    pandas = sys.modules["pandas"]
    out = frame.copy()
    id_column = out.columns[0]
    for number, row in enumerate(rows):
        unknown = sorted(set(row) - set(out.columns))
        if unknown or id_column not in row:
            raise ValueError(f"test row {number}: needs the id column {id_column!r} and only "
                             f"the table's columns (unknown: {unknown})")
        same = out[id_column] == row[id_column]
        if same.any():
            for column, value in row.items():
                out.loc[same, column] = _cast_like(value, out[column])
            continue
        added = out.iloc[[0]].copy()
        for column, value in row.items():
            added[column] = _cast_like(value, out[column])
        if pandas.api.types.is_integer_dtype(out.index):
            added.index = pandas.Index([int(out.index.max()) + 1], name=out.index.name)
        else:
            added.index = pandas.Index([f"test_row_added_{number}"], name=out.index.name)
        out = pandas.concat([out, added])
    return out


def _target_names(target, names: set[str]) -> None:
    """The names an assignment target binds: x, (x, y), [x, *rest], nested (a, (b, c));
    an attribute or an item (obj.x, d["x"]) binds no name."""
    if isinstance(target, ast.Name):
        names.add(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _target_names(element, names)
    elif isinstance(target, ast.Starred):
        _target_names(target.value, names)


def _assigned_names(source: str) -> set[str]:
    """The names a cell binds in the notebook's namespace, statement by statement: `=` (with
    unpacking, starred and chained targets), annotated with a value, augmented, `:=` (in a
    comprehension too), for and with targets, match captures, import and import-as, def and
    class, and names a function of the cell declares global; a `del` at the top of the cell
    unbinds (one inside a branch may not run). Names bound inside a function or class body are
    not the notebook's. Names a cell binds only at run time
    (`globals()["x"] = ...`, `exec`, `from m import *`) cannot be seen: the self-check then
    says it cannot find the answer's cell, and the grader, which reruns the answer cells by
    the notebook's structure, needs no names at all."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()

    def visit(node) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for part in (*node.decorator_list, *getattr(node, "bases", []),
                         *getattr(node, "keywords", [])):
                visit(part)
            names.add(node.name)
            names.update(name for inner in ast.walk(node) if isinstance(inner, ast.Global)
                         for name in inner.names)
            return
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.Assign):
            visit(node.value)
            for target in node.targets:
                _target_names(target, names)
            return
        if isinstance(node, ast.AnnAssign):
            if node.value is not None:  # `x: int` alone binds nothing
                visit(node.value)
                _target_names(node.target, names)
            return
        if isinstance(node, (ast.AugAssign, ast.NamedExpr)):
            visit(node.value)
            _target_names(node.target, names)
            return
        if isinstance(node, (ast.For, ast.AsyncFor)):
            _target_names(node.target, names)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            _target_names(node.optional_vars, names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names
                         if alias.name != "*")
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in tree.body:
        if isinstance(statement, ast.Delete):  # only a `del` the cell always runs unbinds
            gone: set[str] = set()
            for target in statement.targets:
                _target_names(target, gone)
            names.difference_update(gone)
        else:
            visit(statement)
    return names


# The name of the code a rerun runs: `check` called from inside it does not rerun again.
RERUN_FILENAME = "<answer on hidden test data>"


def run_answer_cells(sources: list[str], name: str, namespace: dict, tables: list[str],
                     rows: dict | None = None, setup: list[str] = ()) -> tuple[object, str | None]:
    """Run an answer's cells again, in order, on hidden test data: in a copy of the namespace,
    with the named tables replaced by their perturbed copies plus the author's test rows for
    them, and without `name`, so that its value can only come from the cells. First the
    notebook's set-up statements (`setup`, from the key: what the instructor's cells derive
    from the tables, such as a join or a coded copy) run again there, so that every table made
    from a replaced one changes with it. A cell that raises stops there and the next one runs,
    as in the notebook. Returns (the new value of `name`, None), or (None, why there is none:
    a cell raised, or none assigned `name`).

    The grader sends this function's source, with the functions it calls, to the kernel with
    each rerun (answers.rerun_request_code), where it runs in a namespace made for that
    request: reassigning names in the notebook or in this module changes nothing there."""
    scope = dict(namespace)
    scope.pop(name, None)
    for table in tables:
        if kind_of(scope.get(table)) != "table":
            return None, f"found no table named {table}"
        scope[table] = with_test_rows(perturbed(scope[table], coded_columns(table)),
                                      (rows or {}).get(table, []))
    capture = contextlib.nullcontext()
    if "IPython" in sys.modules:
        from IPython.utils.capture import capture_output
        capture = capture_output()
    first_error = None
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), capture:
        warnings.simplefilter("ignore")
        for statement in setup:
            try:
                exec(compile(statement, RERUN_FILENAME, "exec"), scope)  # noqa: S102
            except Exception:  # noqa: BLE001 - the instructor's code; the answer is judged
                pass
        for source in sources:
            try:
                exec(compile(source, RERUN_FILENAME, "exec"), scope)  # noqa: S102
            except Exception as problem:  # noqa: BLE001 - judged below, as the notebook would
                first_error = first_error or f"{type(problem).__name__}: {str(problem)[:160]}"
    if name in scope:
        return scope[name], None
    if first_error:
        return None, f"raised {first_error}"
    return None, f"did not assign {name}"


def setup_statements(cells: list[str], tables: list[str]) -> list[str]:
    """What a rerun runs again of the instructor's set-up cells (in record mode, from the
    cells run before the answer): each top-level statement that reads a replaced table, or a
    name such a statement bound (a join, a coded copy, a table made from those), in order.
    A statement that binds a replaced table is left out (it would load the real one again),
    and so are those that read none of them (imports, other tables: already there)."""
    changed = set(tables)
    found = []
    for source in cells:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        lines = source.splitlines()
        for node in tree.body:
            code = ast.unparse(node)
            bound = _assigned_names(code)
            if isinstance(node, ast.Expr) or bound & set(tables) or not (
                    read_names(code) & changed):
                continue
            changed |= bound
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            found.append("\n".join(lines[first - 1:node.end_lineno]))
    return found


def read_names(source: str) -> set[str]:
    """The names a piece of code reads (loads), wherever it reads them."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def rerun_answer(source: str, name: str, namespace: dict, tables: list[str],
                 rows: dict | None = None):
    """run_answer_cells for one cell: the new value of `name`, or Ellipsis when there is none."""
    value, why = run_answer_cells([source], name, namespace, tables, rows)
    return Ellipsis if why is not None else value


# The functions run_answer_cells needs in the kernel, sent with each rerun request.
RERUN_FUNCTIONS = ("_type_name", "_is_array", "kind_of", "coded_columns", "perturbed",
                   "_cast_like", "with_test_rows", "run_answer_cells")


def rerun_source() -> str:
    """run_answer_cells and what it calls, as one piece of code with its imports and
    constants: the kernel half of a rerun (answers.rerun_request_code)."""
    import inspect

    from balkan_course.grading import canonical as reading  # kind_of and what it calls

    module = sys.modules[__name__]
    homes = [module if hasattr(module, name) else reading for name in RERUN_FUNCTIONS]
    parts = ["import contextlib, datetime as _dt, io, numbers, sys, warnings",
             f"DECOY = {DECOY!r}", f"SCALE = {SCALE!r}", f"STEP = {STEP!r}",
             f"RERUN_FILENAME = {RERUN_FILENAME!r}",
             *(inspect.getsource(getattr(home, name))
               for home, name in zip(homes, RERUN_FUNCTIONS, strict=True))]
    return "\n".join(parts)


def _rerun_hash(check_id: str, value, kind: str, options: dict) -> str | None:
    try:
        canon = canonical(coerce(value, kind), options)
    except TooLarge:
        raise
    except Exception:  # noqa: BLE001
        return None
    return _key_hash(check_id, {"rerun": _receipt_canon(canon), "order": canon.get("order")})


RERUN_NO_VALUE = ("right for this table, but on a changed copy of the table (rows in another "
                  "order, other figures, more rows) your answer cell {why}, so it cannot be "
                  "checked: compute {name} in the answer cell from the table the question "
                  "names, in a way that works on any version of that table")


def hidden_data_failure(check_id: str, key: dict, value, why: str | None) -> str | None:
    """The failing message of a check whose answer, run again on hidden test data, gave
    `value` (or no value, and `why`); None when it gives the solution's answer there too.
    A rerun that gives no value fails: only a check with no hidden test keeps its verdict."""
    rerun = key.get("facts", {}).get("rerun")
    if not rerun:
        return None
    if why is not None:
        return f"❌ {check_id}: not yet: " + RERUN_NO_VALUE.format(why=str(why)[:240],
                                                                  name=rerun["name"])
    with judging_budget():
        try:
            same = _rerun_hash(check_id, value, key["facts"]["kind"],
                               key.get("options", {})) == rerun["hash"]
        except TooLarge as problem:
            return too_large_message(check_id, f"on hidden test data: {problem}")
    return None if same else f"❌ {check_id}: not yet: {RERUN_HINT}"


def rerun_judge(check_id: str, source: str, namespace: dict, key: dict,
                earlier: dict[str, str] | None = None) -> bool | None:
    """Does the answer's code give the solution's answer on hidden test data too? None when the
    check has no hidden test; False when it gives another answer, raises there, or does not
    assign the answer's name. `earlier`: the cells that made the earlier answers the key's
    rerun derives again (`derived`), by name."""
    rerun = key.get("facts", {}).get("rerun")
    if not rerun:
        return None
    cells = [earlier[name] for name in rerun.get("derived", []) if name in (earlier or {})]
    value, why = run_answer_cells([*cells, source], rerun["name"], namespace, rerun["tables"],
                                  rerun.get("rows"), rerun.get("setup", []))
    return hidden_data_failure(check_id, key, value, why) is None


# ---------------------------------------------------------------- the kernel's history


def _ipython():
    module = sys.modules.get("IPython")
    return module.get_ipython() if module is not None else None


def _history() -> list[str]:
    """The cells run so far in this kernel, the running one last, as IPython runs them."""
    shell = _ipython()
    cells = []
    for source in list(getattr(shell, "user_ns", {}).get("In", [])) if shell else []:
        try:
            cells.append(shell.transform_cell(source))
        except Exception:  # noqa: BLE001 - a cell IPython cannot read binds nothing
            cells.append("")
    return cells


def _answer_cell(name: str) -> str | None:
    """The source (as IPython runs it) of the last cell run that assigns `name`, the running
    cell included, when running in IPython (a kernel); else None. Cells are told apart by
    what their code does (_assigned_names), never by their text: a comment is no code."""
    return next((code for code in reversed(_history()) if name in _assigned_names(code)), None)


def _calls_check(code: str) -> bool:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    return any(isinstance(node, ast.Call) and "check" in (getattr(node.func, "id", None),
                                                         getattr(node.func, "attr", None))
               for node in ast.walk(tree))


def _rerun_attempts(name: str, tables: list[str], cells: list[str]) -> list[list[str]]:
    """The cells the self-check runs again on hidden data, in the order it tries them: the
    last cell that assigns `name` (as the key was recorded), then, should that give no value
    (it uses a helper of an earlier cell, say), every cell run since the previous check cell,
    except those that load the tables (set-up code would replace the hidden data). `cells`:
    the history, the running cell last."""
    last = next((code for code in reversed(cells) if name in _assigned_names(code)), None)
    if last is None:
        return []
    earlier, current = cells[:-1], cells[-1:]
    start = max((i + 1 for i, code in enumerate(earlier) if _calls_check(code)), default=0)
    since = [code for code in earlier[start:] + [c for c in current if name in
                                                 _assigned_names(c)]
             if not _assigned_names(code) & set(tables)]
    found = [[last]]
    if since != [last] and any(name in _assigned_names(code) for code in since):
        found.append(since)
    return found


def _in_rerun() -> bool:
    """Is this check called by an answer cell that a rerun is running again?"""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == RERUN_FILENAME:
            return True
        frame = frame.f_back
    return False


def _checked_name() -> str | None:
    """The variable the running check cell passes: check("id", name)."""
    shell = _ipython()
    history = list(getattr(shell, "user_ns", {}).get("In", [])) if shell else []
    if not history:
        return None
    try:
        tree = ast.parse(shell.transform_cell(history[-1]))
    except Exception:  # noqa: BLE001
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check"
                and len(node.args) > 1 and isinstance(node.args[1], ast.Name)):
            return node.args[1].id
    return None
