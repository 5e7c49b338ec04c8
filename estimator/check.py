"""Expectations, baselines and diffs: what CI compares.

* :func:`evaluate` checks a scenario's ``expect:`` block against its result.
* :func:`snapshot` and :func:`compare` save every scalar figure and report what moved
  since; a *headline* figure moving past its tolerance fails the check.
* :func:`diff` compares two results: which inputs changed and which figures they moved.

Everything here computes; rendering lives in :mod:`estimator.report.check`.
"""
from __future__ import annotations

import json
import math
import os
from typing import Dict, List, NamedTuple, Optional

from . import units
from .errors import ConfigError, InputError, Problem, UnitError, did_you_mean
from .result import SCHEMA_VERSION, Result, to_plain

EXPECT_KEYS = ("min", "max", "between", "approx", "rel", "abs", "equals")


class Outcome(NamedTuple):
    name: str
    expected: str
    actual: str
    passed: bool
    where: str


class Move(NamedTuple):
    name: str
    unit: str
    old: object
    new: object
    change: Optional[float]          # new - old, for numbers
    relative: Optional[float]        # (new - old) / |old|; inf when old is 0
    tolerance: Optional[float]
    headline: bool
    failed: bool
    status: str                      # 'moved', 'changed', 'new', 'removed'


# --------------------------------------------------------------------------- expectations

def _show(value, unit: str) -> str:
    return units.show_value(value, unit, none="None")


def _number(raw, value, unit: str, path) -> float:
    try:
        if unit in units.DIMENSIONS:
            return units.parse(value, unit)
        return units.parse(value, "amount")
    except UnitError as e:
        raise ConfigError(Problem(e.message, raw.mark, path, expected=e.expected, found=e.found))


def evaluate(result: Result, expectations) -> List[Outcome]:
    """Check each expectation against the result. Bad expectations raise ConfigError (exit 2)."""
    outcomes, problems = [], []
    for name, raw in (expectations or {}).items():
        path = ("expect", name)
        if name not in result.figures:
            problems.append(Problem(f"no figure named '{name}'", raw.mark, path,
                                    hint=did_you_mean(name, result.figures)))
            continue
        fig = result.figures[name]
        if fig.series:
            problems.append(Problem(f"'{name}' is a monthly series; expect a total or a single "
                                    "figure instead", raw.mark, path))
            continue
        try:
            outcomes.append(_evaluate_one(name, raw, fig, path))
        except ConfigError as e:
            problems.extend(e.problems)
    if problems:
        raise ConfigError(problems)
    return outcomes


def _evaluate_one(name: str, raw, fig, path) -> Outcome:
    actual = to_plain(fig.value)
    spec = raw.value
    where = str(raw.mark)
    if not isinstance(spec, dict):
        spec = {"equals": spec}
    unknown = [k for k in spec if k not in EXPECT_KEYS]
    if unknown:
        raise ConfigError(Problem(f"unknown expectation '{unknown[0]}'", raw.mark, path,
                                  expected="one of: " + ", ".join(EXPECT_KEYS),
                                  hint=did_you_mean(unknown[0], EXPECT_KEYS)))
    if "equals" in spec and (isinstance(actual, (bool, str)) or actual is None):
        want = spec["equals"]
        return Outcome(name, _show(want, fig.unit), _show(actual, fig.unit),
                       want == actual or str(want) == str(actual), where)
    if not isinstance(actual, (int, float)):
        raise ConfigError(Problem(f"'{name}' is {_show(actual, fig.unit)}; only numbers take "
                                  "bounds", raw.mark, path))
    checks, text = [], []
    if "equals" in spec:
        want = _number(raw, spec["equals"], fig.unit, path)
        checks.append(math.isclose(actual, want, rel_tol=1e-9, abs_tol=1e-9))
        text.append(f"= {_show(want, fig.unit)}")
    if "between" in spec:
        pair = spec["between"]
        if not isinstance(pair, list) or len(pair) != 2:
            raise ConfigError(Problem("'between' takes two values: [low, high]", raw.mark, path))
        lo, hi = (_number(raw, v, fig.unit, path) for v in pair)
        checks.append(lo <= actual <= hi)
        text.append(f"between {_show(lo, fig.unit)} and {_show(hi, fig.unit)}")
    if "min" in spec:
        lo = _number(raw, spec["min"], fig.unit, path)
        checks.append(actual >= lo)
        text.append(f">= {_show(lo, fig.unit)}")
    if "max" in spec:
        hi = _number(raw, spec["max"], fig.unit, path)
        checks.append(actual <= hi)
        text.append(f"<= {_show(hi, fig.unit)}")
    if "approx" in spec:
        want = _number(raw, spec["approx"], fig.unit, path)
        rel = units.parse(spec["rel"], "fraction") if "rel" in spec else 0.0
        ab = _number(raw, spec["abs"], fig.unit, path) if "abs" in spec else 0.0
        if "rel" not in spec and "abs" not in spec:
            rel = 0.01
        checks.append(math.isclose(actual, want, rel_tol=rel, abs_tol=ab))
        tol = ([f"±{rel * 100:.3g}%"] if rel else []) + ([f"±{_show(ab, fig.unit)}"] if ab else [])
        text.append(f"≈ {_show(want, fig.unit)} ({', '.join(tol) or 'exact'})")
    elif "rel" in spec or "abs" in spec:
        raise ConfigError(Problem("'rel' and 'abs' go with 'approx'", raw.mark, path))
    if not checks:
        raise ConfigError(Problem("an expectation needs min, max, between, approx or equals",
                                  raw.mark, path))
    return Outcome(name, ", ".join(text), _show(actual, fig.unit), all(checks), where)


# --------------------------------------------------------------------------- baselines

def snapshot(result: Result) -> dict:
    """Every scalar figure (not the monthly series) with its unit, as a baseline."""
    figures = {}
    for fig in result:
        if fig.series:
            continue
        entry = {"value": to_plain(fig.value), "unit": fig.unit}
        if fig.headline:
            entry["headline"] = True
        figures[fig.name] = entry
    return {"schema_version": SCHEMA_VERSION, "scenario": result.title, "figures": figures}


def read_baseline(path: str, file: Optional[str] = None) -> Optional[dict]:
    """The snapshot at ``path``, or None when there is none. A snapshot written for another
    scenario (``file`` differs from the one it records) is an error, never a silent match."""
    if not os.path.exists(path):
        return None
    data = read_snapshot(path, "baseline", "'estimator check --update-baseline'")
    owner = data.get("file")
    if file is not None and owner is not None and owner != file:
        raise InputError(f"{path}: this baseline belongs to {owner}, not {file}; two scenarios "
                         "cannot share a baseline file")
    return data


def read_snapshot(path: str, what: str = "saved report",
                  writer: str = "'estimator report --format json'") -> dict:
    """A JSON file with a ``figures`` mapping: a baseline, or a saved JSON report.

    Read as any input is: a regular file within the output limit (never a device, a pipe or
    a folder), nested at most as deep as a scenario, and every number finite and within
    ±1e200 (the tool writes null, never NaN or Infinity): a snapshot that could make every
    comparison with it false is refused, never passed.
    """
    from .budget import MAX_OUTPUT_BYTES
    from .config.yamlsafe import MAX_DEPTH, read_bytes
    try:
        raw = read_bytes(path, path, MAX_OUTPUT_BYTES)
    except ConfigError as e:
        raise InputError(f"{path}: not a readable {what} ({e.problems[0].message})") from None
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant,
                          parse_float=_finite_float, parse_int=_finite_int)
        _depth(data, MAX_DEPTH)
    except (ValueError, RecursionError) as e:
        why = "nested too deeply" if isinstance(e, RecursionError) else str(e)
        raise InputError(f"{path}: not a readable {what} ({why})") from None
    if not isinstance(data, dict) or not isinstance(data.get("figures"), dict) or not all(
            isinstance(v, dict) and "value" in v for v in data["figures"].values()):
        raise InputError(f"{path}: not a {what} written by {writer}")
    return data


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number the tool writes (it writes null)")


def _finite_float(text: str) -> float:
    x = float(text)
    if not -units.MAX_MAGNITUDE <= x <= units.MAX_MAGNITUDE:
        raise ValueError(f"{text[:40]} is past ±{units.MAX_MAGNITUDE:g}")
    return x


def _finite_int(text: str):
    if len(text) > 400:
        raise ValueError(f"a number with {len(text):,} digits")
    return _finite_float(text) if abs(int(text)) > units.MAX_MAGNITUDE else int(text)


def _depth(data, limit: int) -> None:
    """ValueError when ``data`` nests deeper than ``limit`` (a snapshot is 3 levels deep)."""
    level, frontier = 0, [data]
    while frontier:
        level += 1
        if level > limit:
            raise ValueError(f"nested more than {limit} levels deep")
        frontier = [v for x in frontier if isinstance(x, (dict, list))
                    for v in (x.values() if isinstance(x, dict) else x)
                    if isinstance(v, (dict, list))]


#: a relative change smaller than this is float noise, not a move
EPSILON = 1e-9


def same(a: float, b: float) -> bool:
    """Equal up to float noise: a relative difference of at most :data:`EPSILON`."""
    return a == b or math.isclose(a, b, rel_tol=EPSILON, abs_tol=EPSILON)


def _relative(old, new) -> Optional[float]:
    if old == new:
        return 0.0
    if old == 0:
        return math.inf
    return (new - old) / abs(old)


def compare(old: dict, new: dict, tolerance: float,
            tolerances: Optional[Dict[str, float]] = None) -> List[Move]:
    """What moved between two snapshots, sorted by impact (largest relative change first)."""
    tolerances = tolerances or {}
    moves = []
    a, b = old.get("figures", {}), new.get("figures", {})
    for name in sorted(set(a) | set(b)):
        ea, eb = a.get(name), b.get(name)
        headline = bool((eb or ea).get("headline"))
        unit = (eb or ea).get("unit", "")
        tol = tolerances.get(name, tolerance)
        if ea is None:
            moves.append(Move(name, unit, None, eb["value"], None, None, tol, headline, False, "new"))
            continue
        if eb is None:
            moves.append(Move(name, unit, ea["value"], None, None, None, tol, headline, headline,
                              "removed"))
            continue
        va, vb = ea["value"], eb["value"]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (va, vb))
        if numeric:
            if same(va, vb):
                continue
            rel = _relative(va, vb)
            failed = headline and abs(rel) > tol
            moves.append(Move(name, unit, va, vb, vb - va, rel, tol, headline, failed, "moved"))
        elif va != vb:
            moves.append(Move(name, unit, va, vb, None, None, tol, headline, headline, "changed"))
    return sorted(moves, key=_impact)


_STATUS_ORDER = {"moved": 0, "changed": 1, "removed": 2, "new": 3}


def _impact(m: Move):
    """Failures first; then numbers by the size of their relative move; then the rest."""
    size = -abs(m.relative) if m.relative is not None else 0.0
    return (0 if m.failed else 1, _STATUS_ORDER[m.status], size, m.name)


# --------------------------------------------------------------------------- diffs

class Diff(NamedTuple):
    inputs: List[Move]
    figures: List[Move]


def diff(base: Result, head: Result) -> Diff:
    """Inputs that changed and figures that moved, from base to head, sorted by impact."""
    return diff_snapshots(snapshot(base), snapshot(head), input_names(base) | input_names(head))


def diff_snapshots(old: Optional[dict], new: Optional[dict], inputs=frozenset(),
                   headline_only: bool = False) -> Diff:
    """The same from two snapshots; a missing side (an added or removed scenario) compares
    against nothing. ``headline_only`` keeps the headline figures (for added and removed)."""
    empty = {"figures": {}}
    moves = [m._replace(failed=False)
             for m in compare(old or empty, new or empty, tolerance=math.inf)]
    if headline_only:
        moves = [m for m in moves if m.headline]
    return Diff([m for m in moves if m.name in inputs], [m for m in moves if m.name not in inputs])


def input_names(result: Result) -> set:
    return {f.name for f in result if f.formula == "input"}


def snapshot_of_report(data: dict) -> "tuple[dict, set]":
    """(snapshot, input names) of a saved JSON report or baseline, for `diff --compare-to`."""
    figures, inputs = {}, set()
    for name, entry in data["figures"].items():
        if entry.get("series"):
            continue
        figures[name] = {"value": entry["value"], "unit": entry.get("unit", "")}
        if entry.get("headline"):
            figures[name]["headline"] = True
        if entry.get("formula") == "input":
            inputs.add(name)
    return {"scenario": data.get("scenario", ""), "figures": figures}, inputs


# --------------------------------------------------------------------------- a check run

class Checked(NamedTuple):
    file: str                  # relative to the project root
    passed: bool
    baseline: str              # what happened with the baseline, in words
    outcomes: List[Outcome]
    moves: List[Move]
    error: Optional[str] = None  # why the scenario could not be checked (bad input)


def check_files(files, project, catalog, baseline_dir: Optional[str], tolerance: float,
                update: bool = False, overrides=(), *, allow_extends=()) -> List[Checked]:
    """Evaluate each scenario's expectations and, with ``baseline_dir``, compare it with its
    snapshot there (keyed by its path relative to the project root), or rewrite the snapshot.
    ``overrides`` and ``allow_extends`` mean what they mean to ``report``
    (:func:`estimator.api.load`). A scenario that does not load is recorded with its error
    and the others are still checked, so one broken file hides nothing else."""
    paths = {}
    if baseline_dir:
        for f in files:
            path = project.baseline_path(f, baseline_dir)
            if path in paths and paths[path] != os.path.realpath(f):
                raise InputError(f"{f} and {paths[path]} would share the baseline {path}; "
                                 "rename one of them")
            paths[path] = os.path.realpath(f)
    out = []
    how = {"overrides": overrides, "allow_extends": allow_extends, "update": update,
           "tolerance": tolerance, "pending": []}
    for f in files:
        rel = project.rel(f) if project.inside(f) else f
        try:
            out.append(_check_one(f, rel, project, catalog, baseline_dir, how))
        except InputError as e:
            out.append(Checked(rel, False, "not evaluated", [], [], str(e)))
    if not any(r.error is not None for r in out):
        _write_baselines(how["pending"])
    return out


def _write_baselines(pending) -> None:
    """Every snapshot of an update, written once all the scenarios loaded: a scenario with an
    input error leaves every baseline as it was, never some rewritten and some not."""
    from .fileio import check_targets, make_folder, write_atomic
    check_targets((path for path, _ in pending), folders_made=True)
    for path, text in pending:
        make_folder(os.path.dirname(path))
        write_atomic(path, text)


def check_tolerances(result: Result, scenario) -> None:
    """A scenario's ``tolerances:`` name headline figures of its result: a misspelt name, or a
    figure that never fails a check (not a headline), would be a tolerance with no effect."""
    problems = []
    mark = scenario.marks.get("tolerances")
    headline = sorted(n for n, fig in result.figures.items() if fig.headline)
    for name in scenario.tolerances or {}:
        path = ("tolerances", name)
        if name not in result.figures:
            problems.append(Problem(f"no figure named '{name}'", mark, path,
                                    hint=did_you_mean(name, headline) or
                                    did_you_mean(name, result.figures)))
        elif not result.figures[name].headline:
            problems.append(Problem(
                f"'{name}' is not a headline figure: only headline figures fail a check, so "
                "its tolerance would have no effect", mark, path,
                expected="a headline figure: " + ", ".join(headline[:8])
                + (", ..." if len(headline) > 8 else "")))
    if problems:
        raise ConfigError(problems)


def _check_one(f: str, rel: str, project, catalog, baseline_dir: Optional[str],
               how: dict) -> Checked:
    from .api import load
    from .engine import estimate
    from .result import dumps
    scn = load(f, how["overrides"], catalog=catalog, allow_extends=how["allow_extends"])
    result = estimate(scn, catalog)
    outcomes = evaluate(result, scn.expect)
    check_tolerances(result, scn)
    moves, note, ok = [], "", True
    if baseline_dir:
        path = project.baseline_path(f, baseline_dir)
        shown = os.path.relpath(path, project.root).replace(os.sep, "/") \
            if project.inside(path) else path
        snap = dict(snapshot(result), file=rel)
        if how["update"]:
            how["pending"].append((path, dumps(snap, sort_keys=True)))    # once all have loaded
            note = f"baseline written: {shown}"
        else:
            old = read_baseline(path, rel)
            if old is None:
                note, ok = f"no baseline at {shown}: run with --update-baseline", False
            else:
                moves = compare(old, snap, how["tolerance"], dict(scn.tolerances or {}))
                note = f"baseline {shown}: {len(moves)} figure(s) moved" + _past(moves)
    passed = ok and all(o.passed for o in outcomes) and not any(m.failed for m in moves)
    return Checked(rel, passed, note, outcomes, moves)


def _past(moves: List[Move]) -> str:
    """``; past the tolerance: capex.total_usd (+3.1% > 2%), ...`` for the headline figures
    that fail, so the one line a CI log shows says which and by how much."""
    failed = [m for m in moves if m.failed]
    if not failed:
        return ""

    def why(m: Move) -> str:
        if m.relative is None or math.isinf(m.relative):
            return f"{m.name} ({m.status})"
        return f"{m.name} {m.relative:+.1%} (tolerance {units.show_value(m.tolerance, 'fraction')})"
    shown = ", ".join(why(m) for m in failed[:5])
    more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
    return f"; past the tolerance: {shown}{more}"


def orphan_baselines(project, baseline_dir: str, scenarios) -> List[str]:
    """Snapshots under ``baseline_dir`` that belong to no scenario of the project (a scenario
    was removed or renamed): listed so they are deleted on purpose."""
    if not os.path.isdir(baseline_dir):
        return []
    wanted = {os.path.normpath(project.baseline_path(s, baseline_dir)) for s in scenarios}
    found = []
    for folder, dirs, names in os.walk(baseline_dir):
        dirs.sort()
        for n in sorted(names):
            p = os.path.normpath(os.path.join(folder, n))
            if n.endswith(".json") and p not in wanted:
                found.append(os.path.relpath(p, project.root).replace(os.sep, "/")
                             if project.inside(p) else p)
    return found
