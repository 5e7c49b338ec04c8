"""Validate located YAML nodes into model objects, and write the JSON Schema, from the specs.

Every problem found is collected (up to :attr:`ConfigError.MAX_PROBLEMS`) with its
``file:line:col``, key path, what was expected, what was found and a did-you-mean.
"""
from __future__ import annotations

import re

from functools import lru_cache
from types import MappingProxyType
import math
from typing import Dict, List, Optional, Tuple

from .. import units
from ..errors import ConfigError, Mark, Problem, did_you_mean, UnitError
from ..model import Month, YAML_KEY
from ..record import fields as record_fields
from ..spec import Spec
from .yamlsafe import Node

INVALID = object()
SOURCE_KEYS = ("value", "source", "as_of", "note")
DIST_KEYS = ("low", "high", "mode", "p10", "p90", "mean", "sd", "choices", "base")


@lru_cache(maxsize=None)
def model_fields(cls) -> Dict[str, Tuple[str, Spec]]:
    """YAML key -> (attribute, spec) for a model class."""
    out = {}
    for f in record_fields(cls):
        spec = f.spec
        if spec is not None:
            out[YAML_KEY.get(f.name, f.name)] = (f.name, spec)
    return out


class Collector:
    """Collects problems; raises them all at once."""

    def __init__(self, allow_distributions: bool = True):
        self.problems: List[Problem] = []
        self.warnings: List[str] = []      # harmless: the value is ignored (see Modes)
        self.allow_distributions = allow_distributions

    def add(self, message: str, mark: Optional[Mark], path, **kw) -> None:
        self.problems.append(Problem(message, mark, tuple(path), **kw))

    def raise_if_any(self) -> None:
        if self.problems:
            cap = ConfigError.MAX_PROBLEMS
            ordered = sorted(self.problems, key=lambda p: (
                p.mark.file if p.mark else "", p.mark.line if p.mark else 0,
                p.mark.col if p.mark else 0))
            raise ConfigError(ordered[:cap], truncated=max(0, len(ordered) - cap))


def build_model(cls, node: Node, path: tuple, out: Collector):
    """Build one model object from a mapping node, or return INVALID after recording problems."""
    if node.kind != "map":
        out.add(f"expected a mapping ({cls.__name__.lower()})", node.mark, path,
                expected="a mapping of keys: " + ", ".join(model_fields(cls)), found=node.describe())
        return INVALID
    before = len(out.problems)
    fields = model_fields(cls)
    values, sources = {}, {}
    marks = {"": node.mark}   # "" is the mapping itself
    for key, child in node.value.items():
        if key not in fields:
            out.add(f"unknown key '{key}'", node.keymarks.get(key, node.mark), path + (key,),
                    expected="one of: " + ", ".join(fields), hint=did_you_mean(key, fields))
            continue
        attr, spec = fields[key]
        value = build_value(spec, child, path + (key,), out, sources, attr)
        marks[attr] = child.mark
        if value is not INVALID:
            values[attr] = value
    for key, (attr, spec) in fields.items():
        if spec.required and key not in node.value:
            out.add(f"missing required key '{key}'", node.mark, path,
                    expected=f"'{key}': {spec.describe()}" + (f" — {spec.doc}" if spec.doc else ""))
    if len(out.problems) == before and getattr(cls, "MODES", None) is not None:
        check_modes(cls, node, values, path, out)
    if len(out.problems) > before:
        return INVALID
    return cls(marks=MappingProxyType(marks), sources=MappingProxyType(sources), **values)


def _by_wildcard(child: Node) -> bool:
    """A value an 'uncertainty:' wildcard (``datacenters.*.construction``) put on every item:
    where the field does nothing, the pattern simply does not apply, which is no mistake."""
    key = getattr(child, "key", None)
    return key is not None and "*" in str(key)


def check_modes(cls, node: Node, values: dict, path: tuple, out: Collector) -> None:
    """One rule for every model: a key that has no effect in the object's mode is an error (a
    warning where :class:`~estimator.spec.Modes` lists it as harmless), and a key its mode
    needs is required. Which fields apply where is declared on the fields (``modes=``,
    ``required_in=``) and on the class (:class:`~estimator.spec.Modes`)."""
    modes = cls.MODES
    mode = modes.of(values)
    written = [(key, spec.modes, node.keymarks.get(key, node.mark), path + (key,))
               for key, (attr, spec) in model_fields(cls).items() if key in node.value
               and not _by_wildcard(node.value[key])]
    for outer, keys in modes.inner.items():
        child = node.value.get(outer)
        if child is not None and child.kind == "map":
            written += [(f"{outer}.{k}", applies, child.keymarks.get(k, child.mark),
                         path + (outer, k)) for k, applies in keys.items() if k in child.value]
    for key, applies, mark, where_path in written:
        if not applies or mode in applies:
            continue
        message = f"'{key}' has no effect {modes.where[mode]}"
        if key in modes.harmless:
            out.warnings.append(f"{mark}: {message}; it is ignored")
            continue
        where = " or ".join(modes.where[m] for m in applies)
        out.add(message, mark, where_path, expected=f"'{key}' only {where}",
                hint=f"remove '{key}', or " + " or ".join(modes.switch[m] for m in applies))
    for key, (attr, spec) in model_fields(cls).items():
        if mode in spec.required_in and key not in node.value:
            doc = f" — {spec.doc}" if spec.doc else ""
            out.add(f"missing required key '{key}' {modes.where[mode]}", node.mark, path,
                    expected=f"'{key}': {spec.describe()}{doc}")


def build_value(spec: Spec, node: Node, path: tuple, out: Collector, sources=None, attr=None):
    kind = spec.kind
    if kind == "qty":
        return _quantity(spec, node, path, out, sources, attr)
    if kind == "model":
        return build_model(spec.cls, node, path, out)
    if kind == "map":
        if node.kind != "map":
            out.add("expected a mapping", node.mark, path, expected=spec.describe(),
                    found=node.describe())
            return INVALID
        result, ok = {}, True
        for key, child in node.value.items():
            v = build_value(spec.item, child, path + (key,), out)
            if v is INVALID:
                ok = False
            result[key] = v
        return MappingProxyType(result) if ok else INVALID
    if kind == "list":
        if node.kind != "seq":
            out.add("expected a list", node.mark, path, expected=spec.describe(),
                    found=node.describe())
            return INVALID
        items = [build_value(spec.item, child, path + (i,), out) for i, child in enumerate(node.value)]
        return INVALID if any(v is INVALID for v in items) else tuple(items)
    if kind == "raw":
        from ..model import Raw
        return Raw(node.plain(), node.mark)
    if kind == "names" and node.kind == "seq":
        if all(c.kind == "scalar" and isinstance(c.value, str) for c in node.value):
            return tuple(c.value for c in node.value)
        out.add("expected a list of names", node.mark, path, expected=spec.describe(),
                found=node.describe())
        return INVALID
    if kind == "month" and node.kind == "map" and any(k in node.value for k in DIST_KEYS):
        if not spec.quantum:
            out.add("this date cannot be uncertain (schedule starts, run starts and raise "
                    "dates can)", node.mark, path, expected=spec.describe())
            return INVALID
        return _month_distribution(spec, node, path, out)
    # scalars from here on
    if node.kind != "scalar":
        out.add(f"expected {spec.describe()}", node.mark, path, expected=spec.describe(),
                found=node.describe())
        return INVALID
    v = node.value
    if getattr(v, "factor", None) is not None:      # a relative --set (*0.8, +10%) of a non-number
        out.add(f"a relative value ({v.text}) scales a quantity; this is {spec.describe()}",
                node.mark, path, expected=spec.describe(),
                hint="give the value itself, as the scenario would write it")
        return INVALID
    if kind == "text":
        if isinstance(v, bool) or v is None or isinstance(v, float):
            out.add("expected text", node.mark, path, expected="text", found=node.describe())
            return INVALID
        return str(v)
    if kind == "names":
        if isinstance(v, str):
            return (v,)
        out.add("expected a name", node.mark, path, expected=spec.describe(), found=node.describe())
        return INVALID
    if kind == "choice":
        if v in spec.choices:
            return v
        out.add(f"'{v}' is not allowed here", node.mark, path, expected=spec.describe(),
                found=node.describe(), hint=did_you_mean(str(v), spec.choices))
        return INVALID
    if kind == "bool":
        if isinstance(v, bool):
            return v
        out.add("expected true or false", node.mark, path, expected="true or false",
                found=node.describe())
        return INVALID
    if kind == "month":
        try:
            if not isinstance(v, str):
                raise ValueError("not a month written YYYY-MM")
            return Month.parse(v)
        except ValueError as e:
            out.add(f"not a valid month: {e}", node.mark, path, expected=spec.describe(),
                    found=node.describe())
            return INVALID
    raise AssertionError(f"unknown spec kind {kind}")  # pragma: no cover


def _quantity(spec: Spec, node: Node, path, out: Collector, sources, attr):
    if node.kind == "map" and spec.sourced and any(k in node.value for k in ("value", "source")) \
            and not any(k in node.value for k in DIST_KEYS + ("scale",)):
        extra = [k for k in node.value if k not in SOURCE_KEYS]
        if extra or "value" not in node.value:
            key = extra[0] if extra else "value"
            out.add(f"unknown key '{key}' in a sourced value" if extra else
                    "a sourced value needs 'value:'", node.keymarks.get(key, node.mark),
                    path + (key,), expected="value, source, as_of, note",
                    hint=did_you_mean(key, SOURCE_KEYS + DIST_KEYS) if extra else None)
            return INVALID
        if not _citation_ok(node, path, out):
            return INVALID
        _cite(node, sources, attr)
        node = node.value["value"]
        path = path + ("value",)
    if node.kind == "map" and any(k in node.value for k in DIST_KEYS + ("scale",)):
        if not _citation_ok(node, path, out):
            return INVALID
        _cite(node, sources, attr)
        return _distribution(spec, node, path, out)
    return _scalar_quantity(spec, node, path, out)


_AS_OF = re.compile(r"(19|20|21)[0-9]{2}(-(0[1-9]|1[0-2]))?")


def _citation_ok(node: Node, path, out: Collector) -> bool:
    """A cited value says where it comes from: 'source:' is text that is not empty and
    'as_of:' a year or a month (2025, 2025-03), never a month 13 or nothing at all."""
    ok = True
    src, as_of = node.value.get("source"), node.value.get("as_of")
    if src is not None and (src.kind != "scalar" or not str(src.value or "").strip()):
        out.add("an empty source: say where the value comes from, or write the value alone",
                src.mark, path + ("source",), found=src.describe())
        ok = False
    if as_of is not None and (as_of.kind != "scalar" or isinstance(as_of.value, bool)
                              or not _AS_OF.fullmatch(str(as_of.value))):
        out.add("'as_of' is the year or month of the source", as_of.mark, path + ("as_of",),
                expected="a year or a month such as 2025 or 2025-03", found=as_of.describe())
        ok = False
    return ok


def _cite(node: Node, sources, attr) -> None:
    src = node.value.get("source")
    if sources is not None and attr is not None and src is not None:
        as_of = node.value.get("as_of")
        sources[attr] = f"{src.plain()}" + (f" (as of {as_of.plain()})" if as_of else "")


def _scalar_quantity(spec: Spec, node: Node, path, out: Collector, check_range: bool = True):
    if node.kind != "scalar":
        out.add(f"expected {units.DIMENSIONS[spec.dim].name}", node.mark, path,
                expected=spec.describe() + (" or a distribution such as {low: a, high: b}"
                                            if spec.uncertain else ""), found=node.describe())
        return INVALID
    try:
        rel = getattr(node.value, "factor", None)
        if rel is not None:   # a relative --set: the original value, read in this unit, scaled
            base = node.value.base
            x = (base if base is not None else
                 units.parse(node.value.original.value, spec.dim, bare=spec.bare)) * rel
            if units.DIMENSIONS[spec.dim].integer:
                if abs(x - round(x)) > 1e-9 * max(abs(x), 1.0):     # never a silent rounding
                    raise UnitError(f"not a whole number: {node.value!r} gives {x:,.6g}",
                                    found=repr(node.value))
                x = int(round(x))
        else:
            x = units.parse(node.value, spec.dim, bare=spec.bare)
    except UnitError as e:
        out.add(e.message, node.mark, path, expected=spec.describe(), found=e.found)
        return INVALID
    if not check_range:
        return x
    bad = None
    if spec.gt is not None and not x > spec.gt:
        bad = "must be more than"
    elif spec.min is not None and x < spec.min:
        bad = "is below the minimum of"
    elif spec.max is not None and x > spec.max:
        bad = "is above the maximum of"
    if bad:
        limit = spec.gt if bad == "must be more than" else (spec.min if "minimum" in bad else spec.max)
        out.add(f"out of range: {node.describe()} {bad} {spec._fmt(limit)}", node.mark, path,
                expected=spec.describe(), found=node.describe())
        return INVALID
    return x


_DIST_FORMS = {
    frozenset({"low", "high"}): "uniform", frozenset({"low", "mode", "high"}): "triangular",
    frozenset({"p10", "p90"}): "lognormal", frozenset({"mean", "sd"}): "normal",
    frozenset({"choices"}): "choice",
}
_DIST_HELP = ("{low: a, high: b} (uniform), {low: a, mode: m, high: b} (triangular), "
              "{p10: a, p90: b} (lognormal), {mean: m, sd: s} (normal), {choices: [a, b, ...]}; "
              "optional base: (the deterministic value), source:, as_of:")


def _params(node: Node, keys, path, out: Collector, value_of) -> dict:
    """A distribution's written parameters, each read by ``value_of(key, node, path)``."""
    params = {}
    for k in keys:
        child = node.value[k]
        if k != "choices":
            params[k] = value_of(k, child, path + (k,))
        elif child.kind != "seq" or not child.value:
            out.add("'choices' takes a non-empty list", child.mark, path + (k,))
        else:
            params[k] = tuple(value_of(k, c, path + (k, i)) for i, c in enumerate(child.value))
    return params


def _distribution(spec: Spec, node: Node, path, out: Collector):
    from ..distributions import Dist
    if not spec.uncertain:
        out.add("this value cannot be uncertain: it sets a schedule, a life or a time window",
                node.mark, path, expected=spec.describe())
        return INVALID
    if not out.allow_distributions:
        out.add("distributions are not allowed here", node.mark, path, expected=spec.describe())
        return INVALID
    if "scale" in node.value:
        return _scale_distribution(spec, node, path, out)
    keys = [k for k in node.value if k not in ("base", "source", "as_of", "note")]
    unknown = [k for k in keys if k not in DIST_KEYS]
    kind = _DIST_FORMS.get(frozenset(keys))
    if unknown or kind is None:
        k = unknown[0] if unknown else None
        out.add(f"unknown key '{k}' in a distribution" if k else
                "not a distribution: " + ", ".join(sorted(keys)), node.keymarks.get(k, node.mark),
                path + ((k,) if k else ()), expected=_DIST_HELP,
                hint=did_you_mean(k, DIST_KEYS) if k else None)
        return INVALID
    before = len(out.problems)
    # spreads may reach past the field's range (samples are clipped); centres and choices may not
    params = _params(node, keys, path, out, lambda k, child, where: _scalar_quantity(
        spec, child, where, out, check_range=k in ("mode", "mean", "choices")))
    base = None
    if "base" in node.value:
        base = _scalar_quantity(spec, node.value["base"], path + ("base",), out)
    if len(out.problems) > before:
        return INVALID
    p = params
    why = None
    if kind in ("uniform", "triangular") and not p["low"] <= p["high"]:
        why = "low must not exceed high"
    elif kind == "triangular" and not p["low"] <= p["mode"] <= p["high"]:
        why = "mode must lie between low and high"
    elif kind == "lognormal" and not 0 < p["p10"] < p["p90"]:
        why = "a lognormal needs 0 < p10 < p90"
    elif kind == "normal" and p["sd"] < 0:
        why = "sd must not be negative"
    if why:
        out.add(f"not a valid distribution: {why}", node.mark, path, expected=_DIST_HELP)
        return INVALID
    if spec.gt is not None:     # samples stay strictly above a 'more than' bound
        lo = spec.gt + max(abs(spec.gt) * 1e-9, 1e-12)
    else:
        lo = spec.min if spec.min is not None else -math.inf
    hi = spec.max if spec.max is not None else math.inf
    key = getattr(node, "key", None)
    return Dist(kind, params, base, key=key, mark=node.mark, lo=lo, hi=hi,
                integer=units.DIMENSIONS[spec.dim].integer, dim=spec.dim,
                unset=base is None and key is not None, quantum=spec.quantum)


_MONTH_FORMS = {frozenset({"low", "high"}): "uniform",
                frozenset({"low", "mode", "high"}): "triangular",
                frozenset({"choices"}): "choice", frozenset({"mean", "sd"}): "normal"}


def _month_distribution(spec: Spec, node: Node, path, out: Collector):
    """An uncertain date: {low: 2026-07, high: 2027-01}, {low:, mode:, high:}, {choices: [...]}
    or {mean: 2026-09, sd: 2} (sd in months); drawn in whole months."""
    from ..distributions import Dist
    keys = [k for k in node.value if k not in ("base", "source", "as_of", "note")]
    kind = _MONTH_FORMS.get(frozenset(keys))
    if kind is None:
        bad = next((k for k in keys if k not in DIST_KEYS), None)
        out.add(f"unknown key '{bad}' in a distribution of months" if bad else
                "not a distribution of months: " + ", ".join(sorted(keys)),
                node.keymarks.get(bad, node.mark), path + ((bad,) if bad else ()),
                expected="{low: 2026-07, high: 2027-01}, {low:, mode:, high:}, "
                         "{choices: [2026-07, 2026-10]} or {mean: 2026-09, sd: 2} (months)",
                hint=did_you_mean(bad, DIST_KEYS) if bad else None)
        return INVALID

    def month_of(child, where):
        m = build_value(Spec("month"), child, where, out)
        return INVALID if m is INVALID else float(m.index)
    before = len(out.problems)
    params = _params(node, keys, path, out, lambda k, child, where: _scalar_quantity(
        Spec("qty", dim="amount", min=0), child, where, out) if k == "sd"
        else month_of(child, where))
    base = month_of(node.value["base"], path + ("base",)) if "base" in node.value else None
    if len(out.problems) > before:
        return INVALID
    p = params
    if kind in ("uniform", "triangular") and not p["low"] <= p["high"]:
        out.add("not a valid distribution: low must not be after high", node.mark, path)
        return INVALID
    if kind == "triangular" and not p["low"] <= p["mode"] <= p["high"]:
        out.add("not a valid distribution: mode must lie between low and high", node.mark, path)
        return INVALID
    key = getattr(node, "key", None)
    return Dist(kind, params, base, key=key, mark=node.mark, lo=1900 * 12, hi=2200 * 12 + 11,
                integer=True, dim="month", unset=base is None and key is not None, quantum=1.0)


def distribution(spec: Spec, node: Node, path, out: Collector):
    """A distribution read against a field's spec (the loader's catalog entries use it)."""
    return _distribution(spec, node, path, out)


FACTOR = Spec("qty", "a factor that multiplies the field's value", dim="amount", min=0)
_SCALE_HELP = ("{scale: {p10: 0.8, p90: 1.3}}: the field's value times a factor drawn from that "
               "distribution (optional base:, factor: NAME to share the draw)")


def _scale_distribution(spec: Spec, node: Node, path, out: Collector):
    """``{scale: DIST}``: the field's base value times a factor drawn from DIST."""
    from ..distributions import Dist
    extra = [k for k in node.value if k not in ("scale", "base", "source", "as_of", "note")]
    inner = node.value["scale"]
    if extra or inner.kind != "map" or not any(k in inner.value for k in DIST_KEYS):
        k = extra[0] if extra else "scale"
        out.add(f"unknown key '{k}' beside 'scale'" if extra else
                "'scale' takes the distribution of a factor", node.keymarks.get(k, node.mark),
                path + (k,), expected=_SCALE_HELP, found=None if extra else inner.describe())
        return INVALID
    factor = _distribution(FACTOR, inner, path + ("scale",), out)
    base = None
    if "base" in node.value:
        base = _scalar_quantity(spec, node.value["base"], path + ("base",), out)
    if factor is INVALID or base is INVALID:
        return INVALID
    if spec.gt is not None:
        lo = spec.gt + max(abs(spec.gt) * 1e-9, 1e-12)
    else:
        lo = spec.min if spec.min is not None else -math.inf
    return Dist(factor.kind, factor.params, base, key=getattr(node, "key", None), mark=node.mark,
                lo=lo, hi=spec.max if spec.max is not None else math.inf,
                integer=units.DIMENSIONS[spec.dim].integer, dim=spec.dim, unset=base is None,
                scale=True, quantum=spec.quantum)


# --------------------------------------------------------------------------- JSON Schema

_MONTH_PATTERN = r"^\d{4}-\d{1,2}$"


def json_schema(root_cls, title: str) -> dict:
    """The JSON Schema (draft 2020-12) of a model class, for editors and validators."""
    defs: Dict[str, dict] = {}

    def of_model(cls) -> dict:
        name = cls.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            props, required = {}, []
            modes = getattr(cls, "MODES", None)
            for key, (_attr, spec) in model_fields(cls).items():
                props[key] = of_spec(spec)
                if modes is not None and spec.modes:
                    only = " or ".join(modes.where[m] for m in spec.modes)
                    props[key]["description"] = (props[key].get("description", "")
                                                 + f" (only {only})").strip()
                if spec.required:
                    required.append(key)
            body = {"type": "object", "additionalProperties": False, "properties": props}
            if cls.__doc__:
                body["description"] = cls.__doc__.strip().splitlines()[0]
            if required:
                body["required"] = required
            defs[name] = body
        return {"$ref": f"#/$defs/{name}"}

    def of_spec(spec: Spec) -> dict:
        kind = spec.kind
        doc = {"description": spec.doc} if spec.doc else {}
        if kind == "qty":
            d = units.DIMENSIONS[spec.dim]
            number: dict = {"type": "integer" if d.integer else "number"}
            if spec.min is not None and spec.bare is None:
                number["minimum"] = spec.min
            if spec.gt is not None and spec.bare is None:
                number["exclusiveMinimum"] = spec.gt
            if spec.max is not None and spec.bare is None:
                number["maximum"] = spec.max
            plain = {"anyOf": [number, {"type": "string", "minLength": 1}]}
            sourced = {"type": "object", "additionalProperties": False, "required": ["value"],
                       "properties": {"value": plain, "source": {"type": "string"},
                                      "as_of": {"type": ["string", "integer"]},
                                      "note": {"type": "string"}}}
            text = f"{spec.doc}. " if spec.doc else ""
            return {"description": f"{text}{spec.describe()}", "anyOf": [number,
                    {"type": "string", "minLength": 1}, sourced]}
        if kind == "text":
            return {"type": "string", **doc}
        if kind == "choice":
            return {"enum": list(spec.choices), **doc}
        if kind == "bool":
            return {"type": "boolean", **doc}
        if kind == "month":
            return {"type": "string", "pattern": _MONTH_PATTERN, **doc}
        if kind == "model":
            return {**of_model(spec.cls), **doc}
        if kind == "map":
            return {"type": "object", "additionalProperties": of_spec(spec.item), **doc}
        if kind == "list":
            return {"type": "array", "items": of_spec(spec.item), **doc}
        if kind == "names":
            return {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                    **doc}
        return {**doc}

    top = of_model(root_cls)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title,
            **defs.pop(root_cls.__name__), "$defs": defs} if top else {}
