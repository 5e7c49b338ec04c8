"""Named values and the recorder that keeps every figure's inputs honest.

A :class:`Val` is a value together with the name of the figure that holds it. The rollup
passes ``Val`` objects to :meth:`Recorder.derive`, which calls a pure function on their
values and records the figure with the function's formula text and, as its inputs, the
names of exactly the values that were passed. Inputs are never listed by hand, so they
cannot drift from the arithmetic; nothing is read back from the ledger by name.

Formula texts live next to the pure functions (:func:`formula`).
"""
from __future__ import annotations

from typing import Callable, Iterable, NamedTuple, Optional

from ..result import Figure, Ledger, guard, total


class Val(NamedTuple):
    """A value and the name of the figure that records it."""

    name: str
    value: object


class Expr(NamedTuple):
    """An intermediate value not recorded as a figure, with the named values it came from."""

    value: object
    inputs: tuple


def formula(text: str) -> Callable:
    """Attach the words of a pure function's formula (what ``explain`` shows) to it."""

    def attach(fn):
        fn.formula = text
        return fn

    return attach


def names(args: Iterable) -> list:
    """Figure names of the named values among ``args`` (in order, each once)."""
    out: dict = {}
    for a in args:
        kind = type(a)
        if kind is Val:
            out[a[0]] = None
        elif kind is Expr:
            for n in names(a[1]):
                out[n] = None
    return list(out)


_NAMED = (Val, Expr)
_new = _figure = tuple.__new__   # builds a record without NamedTuple's keywords (hot path)


def value(x):
    """The plain value of a named value (other values pass through)."""
    return x.value if type(x) in _NAMED else x


class Recorder:
    """Records figures derived from named values; the engine's only side effect."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.result = ledger.result
        self.figures = ledger.result.figures

    def input(self, name: str, value_, unit: str, source: str, *, series: bool = False) -> Val:
        """A value taken from the scenario, the catalog or the defaults."""
        return _new(Val, (name, self.ledger.input(name, value_, unit, source, series=series)))

    def derive(self, name: str, fn: Callable, *args, unit: str, text: Optional[str] = None,
               also: Iterable = (), series: bool = False, headline: bool = False) -> Val:
        """``fn(*values of args)``, recorded with ``fn``'s formula and the args as inputs.

        ``text`` replaces the function's formula where the words depend on the case (a
        generation's year, a line's name); ``also`` names values the result depends on
        that are not arguments (a window that bounds a sum).
        """
        result = fn(*[a.value if type(a) in _NAMED else a for a in args])
        return self.record(name, result, unit, text if text is not None else fn.formula,
                           args + tuple(also) if also else args, series=series,
                           headline=headline)

    @staticmethod
    def compute(fn: Callable, *args) -> Expr:
        """``fn(*values of args)`` as an intermediate that remembers its inputs."""
        return Expr(fn(*[value(a) for a in args]), args)

    def total(self, name: str, parts: Iterable[Val], unit: str, text: str, *,
              series: bool = False, headline: bool = False) -> Val:
        """The sum of named parts, in order (totals equal their lines exactly)."""
        parts = list(parts)
        return self.record(name, total(p.value for p in parts), unit, text, parts,
                           series=series, headline=headline)

    def record(self, name: str, value_, unit: str, text: str, inputs: Iterable, *,
               series: bool = False, headline: bool = False) -> Val:
        """A figure whose value was computed by the caller from ``inputs`` (named values).

        A figure that nothing in the scenario contributes to (a sum over no fleets, a
        line no site pays) is recorded as what it is: a fact of the scenario file.
        """
        used = names(inputs)
        if not used:
            where = self.result.files[0] if self.result.files else "scenario"
            self.ledger.input(name, value_, unit, f"{where}: nothing in the scenario "
                              f"contributes ({text})", series=series, headline=headline)
            return _new(Val, (name, value_))
        self.figures[name] = guard(self.result, _figure(Figure, (name, value_, unit, text,
                                                                 tuple(used), (), series,
                                                                 headline)))
        return _new(Val, (name, value_))

    def warn(self, text: str) -> None:
        self.ledger.warn(text)
