"""Monthly series: schedules, depreciation and book value.

Series have the horizon's months on their last axis. Amounts may carry leading
(Monte Carlo sample) axes; schedules and lives are plain integers or floats.

References
----------
.. [1] Cottier et al. 2024 (Epoch AI), arXiv:2405.21015: hardware value decays
   0.14 orders of magnitude per year.
"""
from __future__ import annotations

from typing import Dict, List

import numpy as np

TOLERANCE_USD = 1e-3   # balances within a tenth of a cent of zero count as zero


def as_column(x):
    """A per-sample scalar as a column, to combine with monthly series (months last)."""
    return np.asarray(x, dtype=float)[..., None]


def running_sum(x, inplace: bool = False):
    """Cumulative sum over months (the last axis).

    Same result as ``np.cumsum(x, axis=-1)``, added in the same order; with sample axes it
    adds month by month across all samples at once, several times faster than numpy's
    row-by-row cumsum over short rows. ``inplace`` reuses ``x`` (a float array it owns).
    """
    x = np.asarray(x, dtype=float)
    if x.ndim < 2:
        return np.cumsum(x, axis=-1)
    out = x if inplace else np.array(x, copy=True)
    for t in range(1, out.shape[-1]):
        out[..., t] += out[..., t - 1]
    return out


def spread(amount, start: int, months: int, n: int):
    """Spread ``amount`` evenly over ``months`` months from month ``start`` (0 = horizon start).

    Months outside ``[0, n)`` are dropped; see :func:`outside_share` for how much.
    """
    t = np.arange(n)
    mask = ((t >= start) & (t < start + months)).astype(float)
    return as_column(amount) * mask / months


def spread_row(start: int, months: int, n: int):
    """The monthly weights of :func:`spread`: 1/months over the schedule, 0 elsewhere."""
    t = np.arange(n)
    return ((t >= start) & (t < start + months)).astype(float) / months


def weighted_rows(terms, n: int):
    """Sum of amount x row over ``terms`` [(amount, row), ...].

    Amounts may carry sample axes; rows are monthly weights. Elementwise products and sums
    only (no BLAS), so the result is the same on every machine. Each row is touched only over
    its nonzero span; with sampled amounts, rows that are constant over their span (schedules
    and service lives) are added as steps and integrated with one cumulative sum, which is
    exact up to rounding (about 1e-16 of the largest amount).
    """
    if not terms:
        return np.zeros(n)
    shape = np.broadcast_shapes(*[np.shape(a) for a, _ in terms])
    out = None
    steps = np.zeros(shape + (n + 1,)) if shape else None
    stepped = False
    for amount, row in terms:
        nz = np.flatnonzero(row)
        if nz.size == 0:
            continue
        lo, hi = nz[0], nz[-1] + 1
        a = np.asarray(amount, dtype=float)
        if steps is not None and np.all(row[lo:hi] == row[lo]):
            steps[..., lo] += a * row[lo]
            steps[..., hi] -= a * row[lo]
            stepped = True
        else:
            if out is None:
                out = np.zeros(shape + (n,))
            out[..., lo:hi] += a[..., None] * row[lo:hi]
    if not stepped:
        return out if out is not None else np.zeros(shape + (n,))
    integrated = running_sum(steps[..., :n], inplace=True)
    if out is None:
        return integrated
    out += integrated
    return out


def outside_share(start: int, months: int, n: int) -> float:
    """Share of a spread schedule that falls outside the horizon. [1]"""
    inside = max(0, min(start + months, n) - max(start, 0))
    return 1.0 - inside / months


def ramp(start: int, months: int, n: int):
    """Share of a delivery in service each month: rises by 1/months a month from ``start``."""
    t = np.arange(n)
    return np.clip((t - start + 1) / months, 0.0, 1.0)


def step(start: int, n: int):
    """1 from month ``start`` on, 0 before."""
    return (np.arange(n) >= start).astype(float)


def straight_line(additions, life_months):
    """Straight-line depreciation of monthly additions over a life in months. [USD/month]

    Each month's addition depreciates evenly over the ``life_months`` months that
    start with it, so over a full life it depreciates exactly its own amount.
    """
    add = np.asarray(additions, dtype=float)
    life = max(int(round(life_months)), 1)
    cum = running_sum(add)
    lagged = np.zeros_like(cum)
    if life < add.shape[-1]:
        lagged[..., life:] = cum[..., :-life]
    return (cum - lagged) / life


def exponential(additions, decay_oom_per_year):
    """Value decay: book value falls by ``10**(-decay/12)`` each month [1]. [USD/month]"""
    add = np.asarray(additions, dtype=float)
    keep = 10.0 ** (-np.asarray(decay_oom_per_year, dtype=float) / 12.0)
    keep = np.asarray(keep)[..., None] if np.ndim(keep) else keep
    dep = np.zeros_like(add)
    book = np.zeros(add.shape[:-1])
    for t in range(add.shape[-1]):
        book = book + add[..., t]
        d = book * (1.0 - (keep[..., 0] if np.ndim(keep) else keep))
        dep[..., t] = d
        book = book - d
    return dep


def book_value(additions, depreciation):
    """Gross additions so far less depreciation so far, each month. [USD]"""
    return running_sum(additions) - running_sum(depreciation)


def year_levels(values: Dict[str, float], growth, years: List[int]):
    """Value for each month's year.

    Years given are taken as given; years between two given years are interpolated linearly;
    years after the last given grow by ``growth`` a year; years before the first given are 0.
    """
    if not values:
        return np.zeros(len(years))
    given = sorted((int(k), v) for k, v in values.items())
    distinct = sorted(set(years))
    per_year = []
    for y in distinct:
        before = [(k, v) for k, v in given if k <= y]
        after = [(k, v) for k, v in given if k >= y]
        if not before:
            per_year.append(0.0 * given[0][1])
        elif not after:
            k, v = before[-1]
            per_year.append(v * (1.0 + growth) ** (y - k))
        else:
            (k0, v0), (k1, v1) = before[-1], after[0]
            per_year.append(v0 if k1 == k0 else v0 + (v1 - v0) * (y - k0) / (k1 - k0))
    table = np.stack(np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in per_year]),
                     axis=-1)
    return table[..., [distinct.index(y) for y in years]]


def add_all(series):
    """Sum of monthly series: the month-only ones first, then per-sample ones added in place."""
    parts = sorted((np.asarray(v, dtype=float) for v in series), key=np.ndim)
    small = [p for p in parts if p.ndim <= 1]
    big = [p for p in parts if p.ndim > 1]
    acc = sum(small[1:], small[0]) if small else 0.0
    if not big:
        return acc
    out = big[0] + acc                      # one new array, then accumulate into it
    for p in big[1:]:
        out += p
    return out


def balance(cash, sources, uses):
    """Cash balance at the end of each month. [USD]"""
    bal = running_sum(np.subtract(sources, uses), inplace=True)
    cash = as_column(cash)
    if np.ndim(cash) > np.ndim(bal):        # only the cash is uncertain: a new (samples, months)
        return bal + cash
    bal += cash
    return bal


class Monthly:
    """A monthly series summed from terms, cheaply when amounts are per-sample.

    Month-only parts (scalar amounts) are added as full rows, exactly as written, so a
    deterministic estimate is unchanged to the last bit. A per-sample amount on a fixed
    schedule (a spread, a step, a single month, a delivery ramp) is kept as a few entries
    of a difference of some order and integrated once, when the value is asked for: each
    term costs O(samples), the whole series O(samples x months), instead of
    O(samples x months) per term. Integration is exact up to rounding (about 1e-16 of the
    largest amount per month). A month-only row times a per-sample factor (an energy row x
    an uncertain price) is kept as the pair, rows of one factor summed, and multiplied out
    once, when the value is asked for.
    """

    __slots__ = ("n", "rows", "dense", "terms", "outer")

    def __init__(self, n: int):
        self.n = n
        self.rows = np.zeros(n)         # sum of month-only rows, in the order added
        self.dense = None               # per-sample series added whole
        self.terms = []                 # (order, lo, hi, per-sample value): see value()
        self.outer = {}                 # id(factor) -> (per-sample factor, month-only row)

    def add(self, series) -> "Monthly":
        """Add a whole series (months last; sample axes first when it has them)."""
        s = np.asarray(series, dtype=float)
        if s.ndim <= 1:
            self.rows = self.rows + s
        elif self.dense is None:
            self.dense = np.array(s, dtype=float)
        else:
            if s.shape != self.dense.shape:
                self.dense = self.dense + s
            else:
                self.dense += s
        return self

    def _term(self, order: int, lo: int, hi: int, value) -> None:
        lo, hi = max(lo, 0), min(hi, self.n)
        if lo < hi or (hi >= self.n and lo < self.n):
            self.terms.append((order, lo, hi, np.asarray(value, dtype=float)))

    def spread(self, amount, start: int, months: int) -> "Monthly":
        """``amount`` spread evenly over ``months`` months from ``start`` (see :func:`spread`)."""
        if np.ndim(amount) == 0:
            return self.add(spread(amount, start, months, self.n))
        self._term(1, start, start + months, np.asarray(amount, dtype=float) / months)
        return self

    def step(self, amount, start: int) -> "Monthly":
        """``amount`` each month from ``start`` on (see :func:`step`)."""
        if np.ndim(amount) == 0:
            return self.add(as_column(amount) * step(start, self.n))
        self._term(1, start, self.n, amount)
        return self

    def point(self, amount, month: int) -> "Monthly":
        """``amount`` in one month."""
        if np.ndim(amount) == 0:
            return self.add(as_column(amount) * (np.arange(self.n) == month).astype(float))
        self._term(1, month, month + 1, amount)
        return self

    def ramp(self, amount, start: int, months: int) -> "Monthly":
        """``amount`` x the share delivered so far (see :func:`ramp`)."""
        if np.ndim(amount) == 0 or start < 0:
            return self.add(as_column(amount) * ramp(start, months, self.n))
        self._term(2, start, start + months, np.asarray(amount, dtype=float) / months)
        return self

    def cumulative(self) -> "Monthly":
        """The running sum of this series over months."""
        out = Monthly(self.n)
        out.rows = np.cumsum(self.rows, axis=-1)
        out.dense = None if self.dense is None else running_sum(self.dense)
        out.terms = [(k + 1, lo, hi, v) for k, lo, hi, v in self.terms]
        out.outer = {key: (g, np.cumsum(row)) for key, (g, row) in self.outer.items()}
        return out

    def times(self, fn) -> "Monthly":
        """Every part mapped through ``fn``: ``fn(x, whole)`` is ``x`` times factors (per
        sample or not), the factors as columns when ``whole``."""
        out = Monthly(self.n)
        factor = np.asarray(fn(1.0, False), dtype=float)
        if factor.ndim == 0:
            out.add(fn(self.rows, True))
        elif self.rows.any():
            out._outer(factor, self.rows)
        if self.dense is not None:
            out.add(fn(self.dense, True))
        out.terms = [(k, lo, hi, fn(v, False)) for k, lo, hi, v in self.terms]
        for g, row in self.outer.values():
            out._outer(g * factor, row)
        return out

    def _outer(self, factor, row) -> None:
        key = id(factor)
        if key in self.outer:
            self.outer[key] = (factor, self.outer[key][1] + row)
        else:
            self.outer[key] = (factor, row)

    def merge(self, other: "Monthly") -> "Monthly":
        self.add(other.rows)
        if other.dense is not None:
            self.add(other.dense)
        self.terms.extend(other.terms)
        for g, row in other.outer.values():
            self._outer(g, row)
        return self

    def value(self):
        """The series: (months,) when every part is month-only, else (samples..., months)."""
        out = self.rows
        if self.terms:
            shape = np.broadcast_shapes(*[np.shape(v) for _, _, _, v in self.terms])
            top = max(k for k, *_ in self.terms)
            # months first while scattering and integrating: each term touches contiguous
            # memory, and each month is one vectorized add across samples
            diffs = {k: np.zeros((self.n + 1,) + shape) for k in range(1, top + 1)}
            for k, lo, hi, v in self.terms:
                d = diffs[k]
                d[lo] += v
                d[hi] -= v
            x = diffs[top][: self.n]
            for k in range(top, 0, -1):
                for t in range(1, self.n):          # month by month, across all samples
                    x[t] += x[t - 1]
                if k > 1:
                    x += diffs[k - 1][: self.n]
            out = np.ascontiguousarray(np.moveaxis(x, 0, -1))
            out += self.rows
        if self.dense is not None:
            out = self.dense + out
        for g, row in self.outer.values():
            part = g[..., None] * row
            if out is not self.rows and out.shape == part.shape:
                out += part                 # an array made here: add in place
            else:
                out = part + out
        return out
