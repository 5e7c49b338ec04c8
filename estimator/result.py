"""Results: a tree of named figures, each knowing its formula, inputs and sources.

Names are dotted (``capex.accelerators_usd``, ``monthly.cash_out_usd``) and the
suffix says the unit (``_usd``, ``_w``, ``_wh``, ``_flop``, ``_hours``). A figure's
value is a float, or a numpy array: a monthly series has the horizon's months on
its last axis; Monte Carlo samples, when present, come first.
"""
from __future__ import annotations

from typing import Dict, Iterator, List, NamedTuple, Tuple

import numpy as np

from .errors import UnknownFigure, did_you_mean

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

        Needs pandas: ``pip install 'estimator[frame]'``.
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("Result.to_frame() needs pandas: pip install 'estimator[frame]' "
                              "(or use Result.to_records())") from None
        frame = pd.DataFrame.from_records(self.to_records(series))
        return frame.set_index(["name", "month"] if series else "name")


class Ledger:
    """Records figures as the engine derives them. The engine's only side effect."""

    def __init__(self, result: Result):
        self.result = result

    def input(self, name: str, value, unit: str, source: str, *, series: bool = False,
              headline: bool = False):
        """A value taken from the scenario, the catalog or the defaults."""
        self.result.figures[name] = Figure(name, value, unit, "input", (), (source,) if source else (),
                                           series, headline)
        return value

    def add(self, name: str, value, unit: str, formula: str, inputs=(), *, series: bool = False,
            headline: bool = False):
        self.result.figures[name] = Figure(name, value, unit, formula, tuple(inputs), (), series,
                                           headline)
        return value

    def warn(self, text: str) -> None:
        self.result.warnings.append(text)


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


def total(values) -> float:
    """Sum of line items, in order, so totals equal their lines exactly."""
    acc = 0.0
    for v in values:
        acc = acc + v
    return acc
