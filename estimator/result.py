"""Results: a tree of named figures, each knowing its formula, inputs and sources.

Names are dotted (``capex.accelerators_usd``, ``monthly.cash_out_usd``) and the
suffix says the unit (``_usd``, ``_w``, ``_wh``, ``_flop``, ``_hours``). A figure's
value is a float, or a numpy array: a monthly series has the horizon's months on
its last axis; Monte Carlo samples, when present, come first.
"""
from __future__ import annotations

from typing import Dict, Iterator, List, NamedTuple, Tuple

import numpy as np

from .errors import NameClash, NumericError, UnknownFigure, did_you_mean
from .units import MAX_MAGNITUDE

SCHEMA_VERSION = 1


class Figure(NamedTuple):
    """One named figure of a result.

    ``value`` is a float (in the base unit its name's suffix says: ``_usd`` USD, ``_w``
    watts, ``_wh`` watt-hours, ``_flop`` FLOP, ``_hours`` hours), a bool (``unit == 'flag'``),
    a str (``'text'``, ``'month'``), or a numpy array: a monthly series (``series``) has the
    horizon's months on its last axis. ``formula`` says how it was computed from ``inputs``
    (other figures' names); an input figure (``formula == 'input'``) cites its ``sources``.
    ``headline`` figures are the ones baselines check by default.
    """

    name: str
    value: object                 # float | bool | str | np.ndarray
    unit: str                     # a dimension of estimator.units, or 'flag', 'text', 'month'
    formula: str = ""
    inputs: Tuple[str, ...] = ()
    sources: Tuple[str, ...] = ()
    series: bool = False          # a monthly series (last axis = months)
    headline: bool = False        # checked by baselines by default


class Result:
    """The figures of one estimate, by name, with the months of its series.

    ``title`` and ``files`` say which scenario; ``months`` are the horizon's months
    (``'2025-01'``...), the last axis of every series; ``warnings`` are things the reader
    should know (a fleet arriving before its site is ready). ``name in result`` tests for a
    figure, ``result[name]`` gives the :class:`Figure`, iterating gives every figure.
    """

    def __init__(self, title: str, files: Tuple[str, ...], months: List[str]):
        self.title = title
        self.files = files
        self.months = months
        self.figures: Dict[str, Figure] = {}
        self.warnings: List[str] = []
        self.tables: Dict[str, List[dict]] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.figures

    def __getitem__(self, name: str) -> Figure:
        try:
            return self.figures[name]
        except KeyError:
            hint = did_you_mean(name, self.figures)
            raise UnknownFigure(f"no figure named '{name}'" + (f"; {hint}" if hint else ""),
                                name) from None

    def value(self, name: str):
        """The value of the figure ``name``: a float in its base unit (``capex.total_usd`` in
        USD), a bool, a str, or a numpy array for a monthly series.

        Raises :class:`~estimator.errors.UnknownFigure` (with a did-you-mean) for a name the
        result does not have.
        """
        return self[name].value

    def __iter__(self) -> Iterator[Figure]:
        return iter(self.figures.values())

    def under(self, prefix: str) -> List[Figure]:
        """Every figure whose name starts with ``prefix`` (``"capex."``, ``"training.gpt-5."``),
        in the order the engine recorded them."""
        return [f for n, f in self.figures.items() if n.startswith(prefix)]

    def to_records(self, series: bool = False) -> List[dict]:
        """One plain dict per figure: name, value, unit, formula, headline, sources.

        Series are left out unless ``series=True``, which gives one record per figure and
        month (with a ``month`` key) instead. Values are Python floats, bools and strs.
        """
        out = []
        for fig in self:
            base = {"name": fig.name, "unit": fig.unit, "formula": fig.formula,
                    "headline": fig.headline, "sources": "; ".join(fig.sources)}
            value = to_plain(fig.value)
            if not fig.series:
                out.append({**base, "month": None, "value": value})
            elif series and value and not isinstance(value[0], list):
                out.extend({**base, "month": m, "value": v} for m, v in zip(self.months, value))
        if not series:
            for r in out:
                del r["month"]
        return out

    def to_frame(self, series: bool = False):
        """The figures as a pandas DataFrame indexed by name (by name and month with
        ``series=True``); columns value, unit, formula, headline, sources.

        Needs pandas: ``pip install pandas`` (the ``frame`` extra of ai-compute-estimator).
        """
        try:
            import pandas as pd
        except ImportError:
            from .errors import install_hint
            raise ImportError(f"Result.to_frame() needs pandas: {install_hint('pandas', 'frame')}"
                              "; or use Result.to_records()") from None
        frame = pd.DataFrame.from_records(self.to_records(series))
        return frame.set_index(["name", "month"] if series else "name")




#: figures that are undefined or unbounded by definition, and what they may then hold: a
#: ratio over nothing is +inf (nothing to cover: sources / 0 uses; nothing burnt: runway) or
#: NaN (no revenue growth: burn multiple). Their finite values still pass the guard. The
#: rollup may pass ``unbounded=True`` for others.
UNDEFINED_BY_DEFINITION = {".coverage_ratio": "+inf", ".runway_months": "+inf",
                           ".burn_multiple": "nan"}


def _allowed(name: str, value, unbounded: bool) -> bool:
    """A non-finite ``value`` that ``name`` may hold by definition."""
    kind = "any" if unbounded else next(
        (k for suffix, k in UNDEFINED_BY_DEFINITION.items() if name.endswith(suffix)), None)
    if kind is None:
        return False
    arr = np.asarray(value, dtype=float)
    finite = arr[np.isfinite(arr)]
    if finite.size and float(np.abs(finite).max()) > MAX_MAGNITUDE:
        return False
    if kind == "+inf":
        return not (np.isnan(arr).any() or np.isneginf(arr).any())
    if kind == "nan":
        return not np.isinf(arr).any()
    return True


def is_finite(value) -> bool:
    """True when ``value`` (a number or an array of them) is finite and within MAX_MAGNITUDE."""
    if isinstance(value, (bool, str, np.bool_)) or value is None:
        return True
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "fc" or value.size == 0:
            return value.dtype.kind != "O" or all(is_finite(v) for v in value.flat)
        # one reduction, no temporary array: a NaN or an inf anywhere makes the extremes so
        lo, hi = float(value.min()), float(value.max())
        return -MAX_MAGNITUDE <= lo and hi <= MAX_MAGNITUDE
    if isinstance(value, (float, np.floating)):
        return -MAX_MAGNITUDE <= float(value) <= MAX_MAGNITUDE
    if isinstance(value, (int, np.integer)):
        return -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE
    return True


class Ledger:
    """Records figures as the engine derives them. The engine's only side effect.

    Every figure passes one guard as it is recorded: a value that is not finite or past
    :data:`MAX_MAGNITUDE` is an input error (:class:`~estimator.errors.NumericError`) naming the
    figure and the scenario, catalog or default inputs it was computed from.
    """

    def __init__(self, result: Result):
        self.result = result

    def input(self, name: str, value, unit: str, source: str, *, series: bool = False,
              headline: bool = False):
        """A value taken from the scenario, the catalog or the defaults."""
        fig = Figure(name, value, unit, "input", (), (source,) if source else (), series, headline)
        self.result.figures[name] = guard(self.result, fig)
        return value

    def add(self, name: str, value, unit: str, formula: str, inputs=(), *, series: bool = False,
            headline: bool = False, unbounded: bool = False):
        fig = Figure(name, value, unit, formula, tuple(inputs), (), series, headline)
        self.result.figures[name] = guard(self.result, fig, unbounded)
        return value

    def warn(self, text: str) -> None:
        self.result.warnings.append(text)


#: the longest figure name: names from the input are at most 100 characters (config.refs)
MAX_FIGURE_NAME = 400


def guard(result: Result, fig: Figure, unbounded: bool = False) -> Figure:
    """``fig``, if its value may be recorded; else the input error that names its inputs.

    The one numeric guard: every path that records a figure (``Ledger.input``/``add``, the
    engine's recorder) passes through it.
    """
    if not is_finite(fig.value) and not _allowed(fig.name, fig.value, unbounded):
        raise numeric_error(result, fig)
    if len(fig.name) > MAX_FIGURE_NAME:     # a name from the input the loader let through
        raise NameClash(f"a figure name of {len(fig.name):,} characters ({fig.name[:60]}...): "
                        "a name in the scenario or its catalog is too long")
    old = result.figures.get(fig.name)
    if old is not None and not _same_figure(old, fig):
        # two items whose names come out the same once made into figure names (an equity
        # tranche 'a.b' and one 'a b'): the first figure would be replaced without a word
        raise NameClash(f"two parts of the scenario record the figure {fig.name}; "
                        "give them names that differ in letters or digits")
    return fig


def _same_figure(a: Figure, b: Figure) -> bool:
    """The same figure recorded again (a catalog value each fleet that uses it records)."""
    if (a.unit, a.formula, a.inputs, a.sources, a.series) != (b.unit, b.formula, b.inputs,
                                                                b.sources, b.series):
        return False
    if a.value is b.value:
        return True
    try:
        return bool(np.array_equal(a.value, b.value, equal_nan=True))
    except TypeError:
        return a.value == b.value


def numeric_error(result: Result, fig: Figure, limit: int = 6) -> NumericError:
    """The error for a figure that came out non-finite or out of range, naming its inputs.

    The inputs listed are the scenario, catalog and default values the figure was computed
    from, most extreme first (furthest from 1 in orders of magnitude).
    """
    bound = f"every figure must be finite and within ±{MAX_MAGNITUDE:g}"
    if fig.formula == "input":
        return NumericError(f"{fig.name} = {_show(fig.value)} is out of range ({bound})"
                            + (f"\n    source: {fig.sources[0]}" if fig.sources else ""))
    leaves: List[Figure] = []
    seen = set()
    stack = [fig]
    while stack and len(seen) < 10_000:
        f = stack.pop()
        if f.name in seen:
            continue
        seen.add(f.name)
        if f.formula == "input":
            leaves.append(f)
        stack.extend(result.figures[n] for n in reversed(f.inputs) if n in result.figures)
    # a 0 is listed first: a figure out of range with a 0 among its inputs had it divide
    leaves.sort(key=lambda f: (-_extremity(f.value, zero_first=True), f.name))
    lines = [f"{fig.name} comes out {_kind(fig.value)} ({bound}); it is computed from "
             "inputs that are out of range together"]
    if leaves:
        lines.append("    inputs, most extreme first:")
        for f in leaves[:limit]:
            where = f" ({f.sources[0]})" if f.sources else ""
            lines.append(f"      {f.name} = {_show(f.value)}{where}")
        if len(leaves) > limit:
            lines.append(f"      ... and {len(leaves) - limit} more")
    return NumericError("\n".join(lines))


def _extremity(value, zero_first: bool = False) -> float:
    """Orders of magnitude from 1 of the value's most extreme non-zero element; with
    ``zero_first``, a single value of 0 (the divisor behind an infinite or NaN figure) before
    any other (the engine floors divisors at 1e-300, so a 0 gives a figure past the range)."""
    if zero_first and np.ndim(value) == 0 and not isinstance(value, (bool, str)) \
            and value == 0:
        return np.inf
    try:
        arr = np.abs(np.asarray(value, dtype=float)).ravel()
    except (TypeError, ValueError):
        return 0.0
    arr = arr[(arr > 0) & np.isfinite(arr)]
    return float(np.abs(np.log10(arr)).max()) if arr.size else 0.0


def _kind(value) -> str:
    arr = np.asarray(value, dtype=float) if not isinstance(value, np.ndarray) else value
    try:
        if np.isnan(arr).any():
            return "not a number (NaN)"
        if np.isinf(arr).any():
            return "infinite"
    except TypeError:  # pragma: no cover - non-numeric arrays
        pass
    return f"past ±{MAX_MAGNITUDE:g}"


def _show(value) -> str:
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return "[]"
        flat = value.astype(float).ravel()
        return f"{float(flat.min()):g} to {float(flat.max()):g}" if value.size > 1 else \
            f"{float(flat[0]):g}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def chain(result: Result, name: str, depth: int = 0, seen=None) -> List[Tuple[int, Figure]]:
    """The figure and everything it was computed from, depth-first, each figure once."""
    seen = set() if seen is None else seen
    fig = result[name]
    out = [(depth, fig)]
    if name in seen:
        return out
    seen.add(name)
    for inp in fig.inputs:
        if inp in result.figures:
            out.extend(chain(result, inp, depth + 1, seen))
    return out


def to_plain(value):
    """JSON-ready value: arrays to lists, numpy scalars to Python."""
    if isinstance(value, np.ndarray):
        return [to_plain(v) for v in value.tolist()] if value.ndim else to_plain(value.item())
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    return value


def finite_plain(data):
    """``data`` with every value JSON can hold: numpy values to Python, NaN and ±inf to None."""
    if isinstance(data, dict):
        return {k: finite_plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite_plain(v) for v in data]
    if isinstance(data, np.ndarray):
        return finite_plain(data.tolist())
    if isinstance(data, (np.floating, np.integer, np.bool_)):
        data = data.item()
    if isinstance(data, float) and not np.isfinite(data):
        return None
    return data


def dumps(data, **kw) -> str:
    """The one JSON writer of every output: never NaN or Infinity (those become null).

    Characters that would act on a terminal showing the JSON (C1 controls, bidirectional
    overrides, zero-width characters) are written as ``\\uXXXX`` escapes: the same strings
    to a JSON reader, inert on a screen. (json escapes C0 controls such as ESC itself.)
    """
    import json
    import re
    kw.setdefault("indent", 2)
    try:                # the common case: nothing to replace, no second walk of the data
        text = json.dumps(data, allow_nan=False, **kw)
    except (ValueError, TypeError):
        text = json.dumps(finite_plain(data), allow_nan=False, **kw)
    return re.sub("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]",
                  lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n"


def total(values) -> float:
    """Sum of line items, in order, so totals equal their lines exactly."""
    acc = 0.0
    for v in values:
        acc = acc + v
    return acc
