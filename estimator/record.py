"""Frozen records with keyword construction, for the model and the catalog.

A light stand-in for ``@dataclass(frozen=True, kw_only=True)``: fields are declared as
class attributes holding a :class:`Field`, collected once per class without generating
code, which keeps ``estimator`` quick to start (dataclasses compile an ``__init__`` per
class; twenty model classes cost ~20 ms of every command).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, Optional

MISSING = object()


class Field:
    """One declared field: its default (or factory) and its spec (how YAML is read into it)."""

    __slots__ = ("name", "default", "factory", "spec", "compare", "show")

    def __init__(self, default: Any = MISSING, *, spec=None, factory: Optional[Callable] = None,
                 compare: bool = True, show: bool = True):
        self.name = ""
        self.default = default
        self.factory = factory
        self.spec = spec
        self.compare = compare
        self.show = show

    @property
    def required(self) -> bool:
        return self.default is MISSING and self.factory is None


class Record:
    """Base class: fields from class attributes, keyword-only ``__init__``, immutable."""

    _fields: Dict[str, Field] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        fields = dict(cls._fields)
        for name, value in list(vars(cls).items()):
            if isinstance(value, Field):
                value.name = name
                fields.pop(name, None)
                fields[name] = value
                delattr(cls, name)
        cls._fields = fields

    def __init__(self, **values):
        for name, f in self._fields.items():
            if name in values:
                v = values.pop(name)
            elif f.default is not MISSING:
                v = f.default
            elif f.factory is not None:
                v = f.factory()
            else:
                raise TypeError(f"{type(self).__name__}: missing field '{name}'")
            object.__setattr__(self, name, v)
        if values:
            raise TypeError(f"{type(self).__name__}: unknown field(s) {', '.join(values)}")

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n, f in self._fields.items()
                   if f.compare)

    __hash__ = None  # holds mappings: not hashable, like a frozen dataclass of them

    def __repr__(self) -> str:
        parts = ", ".join(f"{n}={getattr(self, n)!r}" for n, f in self._fields.items() if f.show)
        return f"{type(self).__name__}({parts})"


def fields(obj_or_cls) -> Iterator[Field]:
    """The declared fields of a record class or instance, in declaration order."""
    cls = obj_or_cls if isinstance(obj_or_cls, type) else type(obj_or_cls)
    return iter(cls._fields.values())


def replace(obj: Record, **changes) -> Record:
    """A copy of ``obj`` with some fields changed."""
    values = {n: getattr(obj, n) for n in obj._fields}
    values.update(changes)
    return type(obj)(**values)
