"""Uncertain inputs: distributions where a number goes, and walking the model to sample them.

A quantity may be written as a distribution instead of a number:

==============================  ==========================================  ============
written                         distribution                                base value
==============================  ==========================================  ============
``{low: a, high: b}``           uniform on [a, b]                           (a + b) / 2
``{low: a, mode: m, high: b}``  triangular                                  m
``{p10: a, p90: b}``            lognormal with those 10th/90th percentiles  sqrt(a b)
``{mean: m, sd: s}``            normal                                      m
``{choices: [a, b, c]}``        one of the values, equally likely           a
==============================  ==========================================  ============

``base:`` sets the value the deterministic report uses. Samples are clipped to the
field's valid range (an MFU never exceeds 1, a price never drops below 0).
"""
from __future__ import annotations

import math
from types import MappingProxyType
from typing import Callable, List, Optional, Sequence

import numpy as np

from .record import Record, replace

_Z90 = 1.2815515655446004   # standard normal quantile at 0.9
#: standard normal quantiles a report asks for, known without importing ``statistics``
_KNOWN_Z = {0.1: -1.2815515655446008, 0.5: 0.0,
            0.9: 1.2815515655446008}   # statistics.NormalDist().inv_cdf, as computed


def _standard_normal_ppf(u) -> np.ndarray:
    """Standard normal quantiles at shares ``u`` (P10/P50/P90 from a table, others computed)."""
    u = np.asarray(u, dtype=float)
    flat = u.ravel().tolist()
    if all(v in _KNOWN_Z for v in flat):
        return np.array([_KNOWN_Z[v] for v in flat]).reshape(u.shape)
    from statistics import NormalDist
    inv = NormalDist().inv_cdf
    return np.array([inv(min(max(v, 1e-15), 1 - 1e-15)) for v in flat]).reshape(u.shape)


class Dist:
    """One uncertain input. ``key`` ties draws together (one wildcard entry, many fields).

    A draw is first *raw* (a value of the written distribution), then applied to the field:
    clipped to its valid range, or, for a ``scale`` input (``{scale: {p10: 0.8, p90: 1.3}}``),
    the field's base value times the raw factor. Inputs sharing a key share raw draws, so
    one price index moves every price it scales together.
    """

    __slots__ = ("kind", "params", "base", "key", "mark", "lo", "hi", "integer", "dim", "unset",
                 "scale", "quantum")

    def __init__(self, kind: str, params: dict, base: Optional[float], *, key=None, mark=None,
                 lo: float = -math.inf, hi: float = math.inf, integer: bool = False,
                 dim: str = "amount", unset: bool = False, scale: bool = False,
                 quantum: float = 0.0):
        self.kind, self.params, self.key, self.mark, self.dim = kind, params, key, mark, dim
        self.lo, self.hi, self.integer, self.scale = lo, hi, integer, scale
        #: > 0 for inputs that set a schedule: values are whole multiples of it (months, days)
        #: and the engine takes one value per pass (see engine.uncertainty.evaluate)
        self.quantum = quantum
        self.base = (math.nan if scale else self.central()) if base is None else base
        #: an 'uncertainty:' entry on a field the scenario leaves out: its base is the value
        #: the engine would use (the catalog's or the default), set by the loader
        self.unset = unset

    def rebased(self, base: float) -> "Dist":
        return Dist(self.kind, self.params, base, key=self.key, mark=self.mark, lo=self.lo,
                    hi=self.hi, integer=self.integer, dim=self.dim, scale=self.scale,
                    quantum=self.quantum)

    @property
    def discrete(self) -> bool:
        return self.quantum > 0

    def field_value(self, x):
        """What the model holds for one value: a Month for a date, else the number."""
        if self.dim == "month":
            from .model import Month
            return Month.from_index(int(round(float(x))))
        if isinstance(x, np.ndarray) and x.ndim == 0:
            x = x.item()
        if self.quantum and self.integer and np.ndim(x) == 0:
            return int(round(x))            # a count that sets a schedule (months of a build)
        return float(x) if isinstance(x, (int, float)) and not self.integer else x

    @property
    def base_value(self):
        return self.field_value(self.base)

    def __repr__(self) -> str:
        return f"Dist({'scale ' if self.scale else ''}{self.kind}, {self.params}, base={self.base})"

    def __eq__(self, other):
        return isinstance(other, Dist) and (self.kind, self.params, self.base, self.scale) == (
            other.kind, other.params, other.base, other.scale)

    def central(self) -> float:
        p = self.params
        if self.kind == "uniform":
            return (p["low"] + p["high"]) / 2
        if self.kind == "triangular":
            return p["mode"]
        if self.kind == "lognormal":
            return math.sqrt(p["p10"] * p["p90"])
        if self.kind == "normal":
            return p["mean"]
        return p["choices"][0]

    def _lognormal(self):
        p = self.params
        mu = (math.log(p["p10"]) + math.log(p["p90"])) / 2
        sigma = (math.log(p["p90"]) - math.log(p["p10"])) / (2 * _Z90)
        return mu, sigma

    @property
    def raw_base(self) -> float:
        """The raw draw that gives the base value: 1 for a scale factor."""
        return 1.0 if self.scale else self.base

    def apply(self, raw):
        """The field's value for raw draws: clipped to its range (base x factor for a scale)."""
        if self.scale:
            return self._clip(self.base * np.maximum(raw, 0.0))
        return self._clip(raw)

    def raw_sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        p = self.params
        if self.kind == "uniform":
            return rng.uniform(p["low"], p["high"], n)
        if self.kind == "triangular":
            return rng.triangular(p["low"], p["mode"], p["high"], n) if p["low"] < p["high"] \
                else np.full(n, p["low"])
        if self.kind == "lognormal":
            mu, sigma = self._lognormal()
            return rng.lognormal(mu, sigma, n)
        if self.kind == "normal":
            return rng.normal(p["mean"], p["sd"], n)
        return rng.choice(np.asarray(p["choices"], dtype=float), n)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.apply(self.raw_sample(rng, n))

    def raw_ppf(self, u) -> np.ndarray:
        """The written distribution's inverse CDF at shares ``u`` in (0, 1), vectorized."""
        u = np.asarray(u, dtype=float)
        p = self.params
        if self.kind == "uniform":
            return p["low"] + u * (p["high"] - p["low"])
        if self.kind == "triangular":
            a, c, b = p["low"], p["mode"], p["high"]
            if b == a:
                return np.full_like(u, a)
            return np.where(u < (c - a) / (b - a), a + np.sqrt(u * (b - a) * (c - a)),
                            b - np.sqrt((1 - u) * (b - a) * (b - c)))
        if self.kind in ("lognormal", "normal"):
            z = _standard_normal_ppf(u)
            if self.kind == "lognormal":
                mu, sigma = self._lognormal()
                return np.exp(mu + sigma * z)
            return p["mean"] + p["sd"] * z if p["sd"] > 0 else np.full_like(u, p["mean"])
        c = np.sort(np.asarray(p["choices"], dtype=float))
        return c[np.minimum((u * len(c)).astype(int), len(c) - 1)]

    def ppf(self, u) -> np.ndarray:
        """The field's value at shares ``u`` of the distribution (inverse CDF), vectorized."""
        return self.apply(self.raw_ppf(u))

    def quantile(self, q: float) -> float:
        """The value below which a share ``q`` of the distribution lies."""
        return float(self.ppf(np.asarray([q]))[0])

    def _clip(self, x):
        x = np.clip(x, self.lo, self.hi)
        if self.quantum > 0:
            return np.round(x / self.quantum) * self.quantum
        return np.round(x) if self.integer else x


# --------------------------------------------------------------------------- walking the model

def collect(obj, path: str = "") -> List[tuple]:
    """Every (path, Dist) inside a model object, in a stable order.

    One walk with the path kept as a stack of parts, joined only where a Dist is found (a
    model at the size limits has ~90,000 parts and a few hundred distributions).
    """
    found: List[tuple] = []
    parts: List[str] = [path] if path else []

    def walk(o) -> None:
        if isinstance(o, Dist):
            found.append(("".join(parts), o))
            return
        if isinstance(o, Record):
            children = ((("." if parts else "") + name, getattr(o, name)) for name in o._fields)
        elif isinstance(o, (tuple, list)):
            children = ((f"[{i}]", item) for i, item in enumerate(o))
        elif isinstance(o, (MappingProxyType, dict)):
            children = ((f".{k}", v) for k, v in o.items())
        else:
            return
        for part, child in children:
            parts.append(part)
            walk(child)
            parts.pop()
    walk(obj)
    return found


def holders(obj) -> set:
    """Ids of every part of the model that holds a Dist (to skip the rest when substituting)."""
    out: set = set()

    def walk(o) -> bool:
        if isinstance(o, Dist):
            return True
        if isinstance(o, Record):
            parts = [getattr(o, name) for name in o._fields]
        elif isinstance(o, (tuple, list)):
            parts = list(o)
        elif isinstance(o, (MappingProxyType, dict)):
            parts = list(o.values())
        else:
            return False
        found = False
        for p in parts:
            found = walk(p) or found
        if found:
            out.add(id(o))
        return found
    walk(obj)
    return out


def substitute(obj, value_of: Callable[[Dist], object], within: Optional[set] = None):
    """A copy of the model with every Dist replaced by ``value_of(dist)``; unchanged parts shared.

    ``within``: the :func:`holders` of ``obj``, when known: parts outside it are shared as
    they are without being walked.
    """
    if isinstance(obj, Dist):
        return value_of(obj)
    if within is not None and id(obj) not in within:
        return obj
    if isinstance(obj, Record):
        changes = {}
        for name in obj._fields:
            old = getattr(obj, name)
            new = substitute(old, value_of, within)
            if new is not old:
                changes[name] = new
        return replace(obj, **changes) if changes else obj
    if isinstance(obj, tuple):
        items = [substitute(x, value_of, within) for x in obj]
        return tuple(items) if any(a is not b for a, b in zip(items, obj)) else obj
    if isinstance(obj, MappingProxyType):
        items = {k: substitute(v, value_of, within) for k, v in obj.items()}
        return MappingProxyType(items) if any(items[k] is not obj[k] for k in obj) else obj
    return obj


def draw_raw(dists: Sequence[Dist], seed: int, n_total: int, chunk: int):
    """Yield, chunk by chunk, (n, {key: raw draws}); a key is ``d.key``, or ``id(d)`` if None.

    Each distinct key draws from its own stream (spawned from ``seed``), so the samples do
    not depend on the chunk size.
    """
    keys, order = {}, []
    for d in dists:
        k = d.key if d.key is not None else id(d)
        if k not in keys:
            keys[k] = len(order)
            order.append(d)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(order))]
    done = 0
    while done < n_total:
        n = min(chunk, n_total - done)
        yield n, {k: order[i].raw_sample(streams[i], n) for k, i in keys.items()}
        done += n


def draw(dists: Sequence[Dist], seed: int, n_total: int, chunk: int):
    """Yield, chunk by chunk, {id(dist): values} for every Dist; dists sharing a key share draws."""
    for n, raw in draw_raw(dists, seed, n_total, chunk):
        yield n, {id(d): d.apply(raw[d.key if d.key is not None else id(d)]) for d in dists}
