"""Field specifications: the scenario schema as data.

Model classes (:mod:`estimator.model`) are frozen records whose fields carry a
:class:`Spec` in their metadata. :mod:`estimator.config.schema` walks those specs to
validate YAML nodes into objects and to write the JSON Schema; nothing else needs to
know how a field is checked.
"""
from __future__ import annotations

from typing import Any, Optional, Tuple

from . import units
from .record import Field, MISSING


class Spec:
    """How one field is read. ``kind`` is one of:

    ``qty`` (a quantity of ``dim``), ``text``, ``choice`` (one of ``choices``),
    ``bool``, ``month``, ``model`` (a nested model class ``cls``), ``map`` (names to
    ``item``), ``list`` (of ``item``), ``names`` (one name or a list of names),
    ``raw`` (kept as plain data with its location, checked elsewhere).
    """

    __slots__ = ("kind", "doc", "dim", "bare", "min", "max", "gt", "choices", "cls", "item",
                 "required", "ref", "sourced", "uncertain", "quantum", "modes",
                 "required_in")

    def __init__(self, kind: str, doc: str = "", *, dim: Optional[str] = None,
                 bare: Optional[str] = None, min: Optional[float] = None,
                 max: Optional[float] = None, gt: Optional[float] = None,
                 choices: Tuple[str, ...] = (), cls: Any = None, item: Optional["Spec"] = None,
                 required: bool = False, ref: Optional[str] = None, sourced: bool = True,
                 uncertain: bool = True, quantum: float = 0.0, modes: Tuple[str, ...] = (),
                 required_in: Tuple[str, ...] = ()):
        self.kind, self.doc, self.dim, self.bare = kind, doc, dim, bare
        self.min, self.max, self.gt = min, max, gt          # gt: strictly greater than
        self.choices, self.cls, self.item = choices, cls, item
        self.required = required
        self.ref = ref              # what a name refers to: 'datacenter', 'fleet', 'server', ...
        self.sourced = sourced      # a quantity may be written {value:, source:, as_of:}
        self.uncertain = uncertain  # a quantity may be a distribution {low:, high:} ...
        self.quantum = quantum      # > 0: it sets a schedule; uncertain values are whole
        #                             multiples of it, one value per engine pass
        # the modes of its model (see :class:`Modes`) in which the field has an effect; written
        # in any other mode it is an error. Empty: every mode.
        self.modes = tuple(modes)
        self.required_in = tuple(required_in)   # modes in which it must be given

    def describe(self) -> str:
        """What is expected, in words (used in error messages)."""
        if self.kind == "qty":
            d = units.DIMENSIONS[self.dim]
            bare = self.bare or d.base
            return f"{d.name} such as {d.examples} (a bare number means {bare})" + self._range()
        if self.kind == "text":
            return "text"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "month":
            return "a month written YYYY-MM, such as 2025-04"
        if self.kind == "model":
            return f"a mapping ({self.cls.__name__.lower()})"
        if self.kind == "map":
            return "a mapping of names to " + (self.item.describe() if self.item else "values")
        if self.kind == "list":
            return "a list of " + (self.item.describe() if self.item else "values")
        if self.kind == "names":
            return "a name or a list of names"
        return "a value"

    def _range(self) -> str:
        parts = []
        if self.gt is not None:
            parts.append(f"> {self._fmt(self.gt)}")
        if self.min is not None:
            parts.append(f">= {self._fmt(self.min)}")
        if self.max is not None:
            parts.append(f"<= {self._fmt(self.max)}")
        return (", " + " and ".join(parts)) if parts else ""

    def _fmt(self, v: float) -> str:
        if self.dim in ("fraction",) and v in (0, 1):
            return str(v)
        return units.format_quantity(v, self.dim) if self.dim not in ("amount", "count") else f"{v:g}"


class Modes:
    """How a model class is used: which mode an object is in, decided from its values.

    ``of`` maps the built values (attribute -> value) to a mode name; ``where`` says each mode
    in words ("on a site with mode 'build'"); ``switch`` says how to get into it ("set 'mode:
    lease'"). Fields declare ``modes=`` (where they have an effect) and ``required_in=``; the
    loader refuses a field written in a mode where it does nothing.

    ``inner`` does the same for keys of a nested mapping (``{"build": {"months": ("build",)}}``:
    a lease starts at ``build.start`` and has no build months). Keys listed in ``harmless``
    (``"build.months"``) are reported as a warning in the report instead: the value is
    ignored, nothing else is wrong.
    """

    __slots__ = ("of", "where", "switch", "inner", "harmless")

    def __init__(self, of, where: dict, switch: dict, inner: Optional[dict] = None,
                 harmless: Tuple[str, ...] = ()):
        self.of, self.where, self.switch = of, where, switch
        self.inner, self.harmless = inner or {}, tuple(harmless)


def _f(spec: Spec, default=MISSING) -> Field:
    if spec.required:
        return Field(spec=spec)
    if isinstance(default, (list, dict)):
        raise TypeError("use a tuple or None for container defaults")
    return Field(default, spec=spec)


def qty(dim: str, doc: str = "", *, default=None, required=False, min=None, max=None, gt=None,
        bare=None, fixed=False, schedule: float = 0.0, modes=(), required_in=()):
    """A quantity field; ``fixed`` ones take no distribution. ``schedule`` (a quantum, e.g.
    one month in hours) marks a value that sets a schedule, a life or a time window: it may
    be uncertain, its draws rounded to whole quanta (see engine.uncertainty.evaluate).
    ``modes``/``required_in``: where it has an effect and where it is required (see Modes)."""
    return _f(Spec("qty", doc, dim=dim, min=min, max=max, gt=gt, bare=bare, required=required,
                   uncertain=not fixed, quantum=schedule, modes=modes, required_in=required_in),
              default)


def text(doc: str = "", *, default=None, required=False, ref=None, modes=()):
    return _f(Spec("text", doc, required=required, ref=ref, modes=modes), default)


def choice(choices, doc: str = "", *, default=None, required=False, modes=()):
    return _f(Spec("choice", doc, choices=tuple(choices), required=required, modes=modes), default)


def flag(doc: str = "", *, default=None):
    """A true/false field."""
    return _f(Spec("bool", doc), default)


def month(doc: str = "", *, default=None, required=False, uncertain=False):
    """A calendar month; ``uncertain`` ones may be {low: 2026-07, high: 2027-01} (whole months)."""
    return _f(Spec("month", doc, required=required, quantum=1.0 if uncertain else 0.0),
              default)


def model(cls, doc: str = "", *, required=False):
    return _f(Spec("model", doc, cls=cls, required=required), None)


def mapping(item: Spec, doc: str = "", *, ref=None):
    return _f(Spec("map", doc, item=item, ref=ref), None)


def listing(item: Spec, doc: str = "", *, required=False):
    return _f(Spec("list", doc, item=item, required=required), ())


def names(doc: str = ""):
    return _f(Spec("names", doc), ())


def item_model(cls) -> Spec:
    return Spec("model", cls=cls)


def item_qty(dim: str, **kw) -> Spec:
    return Spec("qty", dim=dim, **kw)
