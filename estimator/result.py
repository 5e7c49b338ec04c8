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
    name: str
    value: object                 # float | bool | str | np.ndarray
    unit: str                     # a dimension of estimator.units, or 'flag', 'text', 'month'
    formula: str = ""
    inputs: Tuple[str, ...] = ()
    sources: Tuple[str, ...] = ()
    series: bool = False          # a monthly series (last axis = months)
    headline: bool = False        # checked by baselines by default


class Result:
    """The figures of one estimate, by name, with the months of its series."""

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
            raise UnknownFigure(f"no figure named '{name}'" + (f"; {hint}" if hint else "")
                                + " (list them with --format json)") from None

    def value(self, name: str):
        return self[name].value

    def __iter__(self) -> Iterator[Figure]:
        return iter(self.figures.values())

    def under(self, prefix: str) -> List[Figure]:
        return [f for n, f in self.figures.items() if n.startswith(prefix)]


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
