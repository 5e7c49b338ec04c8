"""Load a scenario: read files, resolve ``extends:``, apply ``--set`` overrides, validate.

``extends:`` names one file or a list of files, relative to the file that names
them; each is merged underneath (mappings merge key by key, the including file
wins; lists and scalars are replaced). An included file must be a regular
``.yaml``/``.yml`` file; includes nest at most :data:`MAX_INCLUDE_DEPTH` deep and a
cycle is an error.
"""
from __future__ import annotations

import os
import re
from types import MappingProxyType
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ..catalog import load_catalog
from ..errors import ConfigError, Mark, Problem, did_you_mean
from ..model import Scenario, run_key
from ..record import replace
from .finance import check_finance
from .refs import MAX_NAME, NAME, check_name, check_ref as _ref, check_years
from .schema import DIST_KEYS, Collector, build_model
from .yamlsafe import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, MAX_TEXT, Node, load_node, parse_yaml

MAX_INCLUDE_DEPTH = 8
MAX_INCLUDED_FILES = 32
#: the most items of each list a scenario may hold (keeps every command's work bounded)
MAX_ITEMS = {"datacenters": 500, "fleets": 500, "training": 500, "raises": 1000, "debt": 1000,
             "equity": 1000, "contracts": 1000, "entities": 100}
FUNDING_LISTS = ("raises", "debt", "equity")
MAX_DISTRIBUTIONS = 200


def display_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return path
    return rel if not rel.startswith("..") else os.path.normpath(path)


def _within(real: str, folder: str) -> bool:
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def shipped_folder() -> str:
    """The shipped scenarios' folder: part of the installed tool, so any scenario may extend
    them (``extends: openai-40b``) and messages may quote them."""
    from .. import scenarios
    return os.path.realpath(scenarios.folder())


class _Reading:
    """What one load may still read: files, bytes and values, shared by every included file.

    ``copy_of``: ``root`` is a copy of that folder (a git revision written out by ``diff
    --rev``), so a relative ``extends:`` that leaves the copy is read where it leads from
    the real folder, never from around the copy."""

    def __init__(self, root: str, allowed: Sequence[str] = (), copy_of: Optional[str] = None):
        self.files = 0
        self.bytes = MAX_FILE_BYTES
        self.nodes = MAX_NODES
        self.text = MAX_TEXT
        self.root = root
        self.copy_of = copy_of
        if any(not str(a).strip() for a in allowed):   # realpath('') is the current folder
            raise ConfigError(Problem(
                "an empty folder name (a stray separator in "
                "ESTIMATOR_ALLOW_EXTENDS?) would allow the current folder", Mark("--allow-extends"),
                hint="name each folder; leave the option and the variable out to allow none"))
        self.allowed = [os.path.realpath(a) for a in allowed] + [shipped_folder()]

    def inside(self, real: str) -> bool:
        return any(_within(real, d) for d in [self.root] + self.allowed)


def extends_path(target: str, including: str, copy: Optional[Tuple[str, str]] = None) -> str:
    """The file ``extends: target`` names in the file ``including``: an absolute path as it
    is; a relative one from the including file's folder; failing a file there, a shipped
    scenario of that name (``openai-40b`` or ``openai-40b.yaml``). ``copy``: (copy, real)
    folders, for a revision's copy of the repository (see :class:`_Reading`)."""
    if os.path.isabs(target):
        return target
    full = os.path.join(os.path.dirname(including), target)
    if copy is not None:
        inner = os.path.relpath(os.path.normpath(full), copy[0])
        if inner == os.pardir or inner.startswith(os.pardir + os.sep):
            full = os.path.normpath(os.path.join(copy[1], inner))
    if not os.path.lexists(full):
        from .. import scenarios
        return scenarios.path_of(target) or full
    return full


def project_root(path: str) -> str:
    """The folder ``extends:`` may reach: the scenario's git work tree, else its own folder."""
    folder = os.path.dirname(os.path.realpath(path))
    d = folder
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return folder
        d = parent


def read_tree(path: str, _stack: Tuple[str, ...] = (), _reading: Optional[_Reading] = None,
              allowed: Sequence[str] = (), root: Optional[str] = None,
              copy_of: Optional[str] = None) -> Tuple[Node, List[str]]:
    """Read ``path`` and everything it extends, merged into one node tree.

    ``extends:`` reaches only regular YAML files inside the project (the git work tree of
    ``path``, or its folder) or inside a folder of ``allowed``; files, bytes and values read
    are budgeted across the whole tree, not per file.
    """
    reading = _reading if _reading is not None else \
        _Reading(os.path.realpath(root) if root else project_root(path), allowed, copy_of)
    real = os.path.realpath(path)
    name = display_path(path)
    reading.files += 1
    if reading.files > MAX_INCLUDED_FILES:
        raise ConfigError(Problem(f"more than {MAX_INCLUDED_FILES} files included", Mark(name)))
    node = load_node(path, name, reading.bytes, reading.nodes, reading.text)
    reading.bytes -= os.path.getsize(path)
    reading.nodes -= node.size
    reading.text -= node.chars
    if node.kind != "map":
        raise ConfigError(Problem("a scenario must be a mapping of keys such as 'scenario:', "
                                  "'horizon:', 'fleets:'", node.mark, found=node.describe()))
    files = [name]
    ext = node.value.pop("extends", None)
    node.keymarks.pop("extends", None)
    if ext is None:
        return node, files
    targets = extends_targets(ext)
    base: Optional[Node] = None
    copy = (reading.root, reading.copy_of) if reading.copy_of else None
    for target, mark in targets:
        full = extends_path(target, path, copy)
        if not full.endswith((".yaml", ".yml")):
            raise ConfigError(Problem(
                f"extends: '{target}' is not a .yaml or .yml file, nor a shipped scenario's "
                "name", mark, ("extends",), hint=_extends_hint(target, path)))
        if os.path.realpath(full) in _stack + (real,):
            chain = " -> ".join([display_path(p) for p in _stack + (real,)] + [display_path(full)])
            raise ConfigError(Problem(f"extends: include cycle: {chain}", mark, ("extends",)))
        if len(_stack) + 1 >= MAX_INCLUDE_DEPTH:
            raise ConfigError(Problem(f"extends: includes nest more than {MAX_INCLUDE_DEPTH} deep",
                                      mark, ("extends",)))
        if not os.path.exists(full):
            raise ConfigError(Problem(f"extends: file not found: {display_path(full)}", mark,
                                      ("extends",), hint=_extends_hint(target, path)))
        if os.path.isfile(full) and not reading.inside(os.path.realpath(full)):
            raise ConfigError(Problem(
                f"extends: '{target}' is outside the project folder {reading.root}", mark,
                ("extends",), hint="scenario files may include only files of their own project; "
                "allow another folder with --allow-extends DIR (ESTIMATOR_ALLOW_EXTENDS)"))
        try:
            sub, subfiles = read_tree(full, _stack + (real,), reading)
        except ConfigError as e:
            raise _at_include(e, display_path(full), target, mark) from None
        files.extend(subfiles)
        base = sub if base is None else merge(base, sub)
    return merge(base, node), files


def _extends_hint(target: str, including: str) -> Optional[str]:
    """A did-you-mean among the YAML files beside the target and the shipped scenarios."""
    from .. import scenarios
    folder = os.path.join(os.path.dirname(including), os.path.dirname(target))
    try:
        beside = [f for f in os.listdir(folder) if f.endswith((".yaml", ".yml"))]
    except OSError:
        beside = []
    name = os.path.basename(target)
    stem = name[:-5] if name.endswith(".yaml") else name
    return did_you_mean(name, beside) or did_you_mean(stem, scenarios.names())


def _at_include(e: ConfigError, name: str, target: str, mark: Mark) -> ConfigError:
    """A file that cannot be read as a whole (a folder, a device, too large, not UTF-8 at its
    start) is reported at the 'extends:' line that names it, where the fix is."""
    problems = [Problem(f"extends: '{target}': {p.message}", mark, ("extends",), hint=p.hint)
                if p.mark is not None and p.mark.file == name and not p.mark.line else p
                for p in e.problems]
    return ConfigError(problems, truncated=e.truncated)


def extends_targets(ext: Node) -> List[Tuple[str, Mark]]:
    items = ext.value if ext.kind == "seq" else [ext]
    if not items:
        raise ConfigError(Problem("extends: an empty list; give a file name or leave 'extends' "
                                  "out", ext.mark, ("extends",)))
    out = []
    for item in items:
        if item.kind != "scalar" or not isinstance(item.value, str) or not item.value:
            raise ConfigError(Problem("extends: expected a file name or a list of file names",
                                      item.mark, ("extends",), found=item.describe()))
        if any(ord(c) < 32 or ord(c) == 127 for c in item.value):
            raise ConfigError(Problem("extends: a file name cannot hold control characters",
                                      item.mark, ("extends",), found=item.describe()))
        out.append((item.value, item.mark))
    return out


def merge(base: Node, top: Node) -> Node:
    """Deep-merge two mapping nodes; ``top`` wins. Returns a new node."""
    if base.kind != "map" or top.kind != "map":
        return top
    value = dict(base.value)
    keymarks = dict(base.keymarks)
    for key, child in top.value.items():
        value[key] = merge(value[key], child) if key in value else child
        keymarks[key] = top.keymarks.get(key, child.mark)
    merged = Node("map", value, top.mark, keymarks)
    return merged


_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+|\*|\+|[^\[\]]+)\]")
_INDEX = re.compile(r"[0-9]{1,9}")
#: a path names at most this many keys and items (the YAML nesting limit)
MAX_PATH_PARTS = MAX_DEPTH


class ByName(str):
    """A list item named in a path: ``funding.raises[softbank-second]`` (its ``name:``)."""


APPEND = "+"    # ``--set 'funding.raises[+]={...}'`` appends an item


def item_index(seq: Node, part, where: str, mark: Mark) -> int:
    """The position a path segment names in a list: a number, or an item's ``name``."""
    if isinstance(part, ByName):
        names, found = [], []
        for i, item in enumerate(seq.value):
            name = item.value.get("name") if item.kind == "map" else None
            if name is not None and name.kind == "scalar":
                names.append(str(name.value))
                if str(name.value) == part:
                    found.append(i)
        if len(found) > 1:      # the first would be changed, the others not, without a word
            raise ConfigError(Problem(f"{where}: {len(found)} list items are named '{part}' "
                                      f"(items {', '.join(map(str, found))})", mark,
                                      hint="name the item by its position, or rename them"))
        if found:
            return found[0]
        hint = did_you_mean(str(part), names)
        raise ConfigError(Problem(f"{where}: no list item named '{part}'", mark,
                                  expected="one of: " + (", ".join(names) or "(no named items)"),
                                  hint=hint))
    if not isinstance(part, int) or not 0 <= part < len(seq.value):
        raise ConfigError(Problem(f"{where}: no list item {part} (the list has "
                                  f"{len(seq.value)})", mark))
    return part


def parse_path(path_text: str, where) -> List:
    """``training[0].mfu`` / ``training.0.mfu`` / ``training[*].mfu`` -> ['training', 0, 'mfu'].

    ``where`` is the :class:`Mark` of the path (or a label for one). Indexes are ASCII digits;
    a path has at most :data:`MAX_PATH_PARTS` parts.
    """
    mark = where if isinstance(where, Mark) else Mark(where)
    expected = "a dotted path such as funding.cash or training[0].mfu"
    if path_text.count(".") + path_text.count("[") >= MAX_PATH_PARTS:
        raise ConfigError(Problem(f"the path has more than {MAX_PATH_PARTS} parts", mark,
                                  expected=expected, found=f"{len(path_text):,} characters"))
    parts: List = []
    for raw in path_text.split("."):
        if _INDEX.fullmatch(raw):
            parts.append(int(raw))
            continue
        pos = 0
        for m in _SEGMENT.finditer(raw):
            if m.start() != pos:
                break
            inner = m.group(2)
            parts.append(m.group(1) if m.group(1) is not None else
                         inner if inner in ("*", APPEND) else
                         int(inner) if _INDEX.fullmatch(inner) else ByName(inner))
            pos = m.end()
        if pos != len(raw) or not raw:
            shown = path_text if len(path_text) <= 80 else path_text[:77] + "..."
            raise ConfigError(Problem(f"cannot read the path {shown!r}", mark, expected=expected))
    return parts


class Relative:
    """A ``--set`` value relative to the one it replaces: ``*0.8`` (times 0.8), ``+10%``
    (10% more). The original is read with its field's unit when the scenario is validated."""

    __slots__ = ("factor", "text", "original", "base")

    def __init__(self, factor: float, text: str, original: Node):
        self.factor, self.text, self.original = factor, text, original
        self.base: Optional[float] = None   # the value the engine used, where none is written

    def __repr__(self) -> str:
        of = f"{self.base:g}" if self.base is not None else self.original.describe()
        return f"{self.text} of {of}"       # the value the engine used, where none is written


class UnwrittenRelative(ConfigError):
    """A relative ``--set`` of a value the scenario does not write (a default or a catalog
    value): :func:`estimator.api.load` resolves it against the value the engine uses."""

    def __init__(self, problem: Problem, where: str, parts: Sequence):
        super().__init__(problem)
        self.where, self.parts = where, list(parts)


_RELATIVE = re.compile(r"^\s*(?:\*\s*(?P<times>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)(?P<pct>%)?"
                       r"|\+\s*(?P<more>\d+(?:\.\d*)?)\s*%)\s*$", re.ASCII)


def relative_factor(text: str) -> Optional[float]:
    """``*0.8`` -> 0.8, ``*80%`` -> 0.8, ``+10%`` -> 1.1; None when not a relative value."""
    m = _RELATIVE.match(text)
    if not m:
        return None
    if m.group("more") is not None:
        return 1.0 + float(m.group("more")) / 100.0
    return float(m.group("times")) / (100.0 if m.group("pct") else 1.0)


def parse_override(text: str) -> Tuple[List, Node]:
    """``funding.cash=$1B`` -> (['funding', 'cash'], node). Values are read as YAML scalars/flow;
    ``*0.8`` and ``+10%`` are relative to the value they replace (see :class:`Relative`)."""
    if "=" not in text:
        raise ConfigError(Problem(f"--set expects PATH=VALUE, got '{text}'", Mark("--set")))
    path_text, value_text = text.split("=", 1)
    path_text = path_text.strip()
    label = f"--set {path_text if len(path_text) <= 80 else path_text[:77] + '...'}"
    parts = parse_path(path_text, label)
    if "*" in parts:
        raise ConfigError(Problem("--set: '[*]' is for 'uncertainty:' paths", Mark(label)))
    if parts[0] == "extends":
        raise ConfigError(Problem("--set cannot change 'extends': the files a scenario extends "
                                  "are read before --set applies", Mark(label),
                                  hint="edit 'extends:' in the file, or write a file that "
                                  "extends the ones you want"))
    factor = relative_factor(value_text)
    if factor is None and value_text.strip().startswith("*"):
        raise ConfigError(Problem(f"cannot read the relative value {value_text.strip()[:40]!r}",
                                  Mark(label), expected="*FACTOR (*0.8, *80%) or +N% (+10%), "
                                  "with the digits 0-9"))
    if factor is not None:
        return parts, Node("scalar", Relative(factor, value_text.strip(), Node("scalar", None,
                                                                                Mark(label))),
                           Mark(label))
    node = parse_yaml(value_text if value_text.strip() else "''", label)
    _relabel(node, Mark(label))
    return parts, node


def _relabel(node: Node, mark: Mark) -> None:
    node.mark = mark
    if node.kind == "map":
        node.keymarks = {k: mark for k in node.keymarks}
        for child in node.value.values():
            _relabel(child, mark)
    elif node.kind == "seq":
        for child in node.value:
            _relabel(child, mark)


def apply_override(root: Node, parts: Sequence, value: Node,
                   resolved: Optional[dict] = None) -> None:
    label = value.mark
    node = root
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(str(p) for p in parts[: i + 1])
        if node.kind == "seq":
            if part == APPEND:
                node.value.append(value if last else Node("map", {}, label))
                node = node.value[-1]
                continue
            index = item_index(node, part, f"--set: {where}", label)
            if last:
                node.value[index] = value
            else:
                node = node.value[index]
            continue
        if node.kind != "map":
            raise ConfigError(Problem(f"--set: {where}: cannot set inside {node.describe()}", label))
        if part == APPEND or isinstance(part, ByName):
            raise ConfigError(Problem(f"--set: {where}: '{parts[i - 1] if i else ''}' is not a "
                                      f"list here", label))
        key = str(part)
        if last and isinstance(value.value, Relative):
            value.value.original = _relative_base(node.value.get(key), where, value,
                                                  resolved or {}, parts)
        if last:
            node.value[key] = value
            node.keymarks[key] = label
        else:
            if key not in node.value:
                appending = parts[i + 1] == APPEND
                node.value[key] = Node("seq" if appending else "map", [] if appending else {},
                                       label)
                node.keymarks[key] = label
            node = node.value[key]


def _relative_base(old: Optional[Node], where: str, value: Node, resolved: dict,
                   parts: Sequence = ()) -> Node:
    """The scalar a relative ``--set`` scales: the value written in the scenario, or (``resolved``)
    the value the engine uses where the scenario writes none."""
    rel = value.value
    if old is not None and old.kind == "map" and "value" in old.value and "source" in old.value:
        old = old.value["value"]
    if old is None and where in resolved:
        rel.base, used = resolved[where]
        value.mark = Mark(f"--set {where}={rel.text} (of {used})")
        return Node("scalar", None, value.mark)
    if old is None or old.kind != "scalar" or old.value is None:
        what = "is not set in the scenario" if old is None else f"is {old.describe()}"
        problem = Problem(f"a relative value ({rel.text}) scales the value written in the "
                          f"scenario, and {where} {what}", value.mark,
                          hint=f"give an absolute value, e.g. --set {where}=...")
        raise UnwrittenRelative(problem, where, parts) if old is None else ConfigError(problem)
    return old


#: how many keys and items the 'uncertainty:' paths may visit in all while being expanded
MAX_UNCERTAINTY_VISITS = 100_000


def apply_uncertainty(root: Node) -> List[tuple]:
    """Attach each 'uncertainty:' entry's distribution at its path, keeping the base value.

    Entries on ``catalog.*`` paths are returned as (parts, node, mark, pattern) for
    :func:`catalog_uncertainty`. ``factor: NAME`` in entries makes them share one draw (they
    must then write the same distribution). Budgeted as the paths are expanded, before their
    copies are made: at most :data:`MAX_DISTRIBUTIONS` entries and values named, and
    :data:`MAX_UNCERTAINTY_VISITS` keys and items visited by the wildcards; no wildcard
    reaches into the 'uncertainty:' block itself.
    """
    block = root.value.get("uncertainty")
    if block is None or block.kind != "map":
        return []
    if len(block.value) > MAX_DISTRIBUTIONS:
        raise ConfigError(Problem(f"{len(block.value):,} uncertainty entries: the limit is "
                                  f"{MAX_DISTRIBUTIONS} uncertain values", block.mark,
                                  ("uncertainty",)))
    del root.value["uncertainty"]
    try:
        return _apply_uncertainty(root, block)
    finally:
        root.value["uncertainty"] = block


def _apply_uncertainty(root: Node, block: Node) -> List[tuple]:
    on_catalog: List[tuple] = []
    factors: Dict[str, tuple] = {}
    budget = {"targets": 0, "visits": 0}
    for pattern, dist in block.value.items():
        mark = block.keymarks.get(pattern, block.mark)
        if dist.kind != "map":
            raise ConfigError(Problem("an uncertainty entry is a distribution such as "
                                      "{low: a, high: b}", dist.mark, ("uncertainty", pattern),
                                      found=dist.describe()))
        key = pattern
        value = dict(dist.value)
        if "factor" in value:
            name = value.pop("factor")
            if name.kind != "scalar" or not NAME.fullmatch(str(name.value)) or \
                    len(str(name.value)) > MAX_NAME:
                raise ConfigError(Problem("'factor' names a shared draw: a name such as "
                                          "hardware_price (letters, digits, '-' and '_', at most "
                                          f"{MAX_NAME})", name.mark, ("uncertainty", pattern,
                                                                      "factor"),
                                          found=name.describe()))
            key = f"factor {name.value}"
            written = {k: v.plain() if v.kind == "scalar" else _plain(v)
                       for k, v in value.items() if k not in ("base", "source", "as_of", "note")}
            if key in factors and factors[key][0] != written:
                raise ConfigError(Problem(
                    f"factor '{name.value}' is written two ways: entries that share a factor "
                    "share one draw, so they need the same distribution", name.mark,
                    ("uncertainty", pattern, "factor"),
                    hint=f"the first is at {factors[key][1]}"))
            factors.setdefault(key, (written, name.mark))
        parts = parse_path(pattern, mark)
        if parts[0] == "catalog":
            on_catalog.append((parts, Node("map", value, dist.mark, dict(dist.keymarks)), mark,
                               key))
            continue
        targets = _expand(root, parts, [], mark, pattern, budget)
        for parent, k in targets:
            original = parent.value[k] if (parent.kind == "map" and k in parent.value) or \
                (parent.kind == "seq") else None
            if original is not None and original.kind == "map" and \
                    any(d in original.value for d in DIST_KEYS + ("scale",)):
                # one value, two distributions: the entry would replace the one written there
                raise ConfigError(Problem(
                    f"uncertainty: {pattern} names a value that is already a distribution (at "
                    f"{original.mark}); write its distribution in one place", mark,
                    ("uncertainty", pattern)))
            entry = dict(value)
            if original is not None and original.kind == "scalar" and "base" not in entry:
                entry["base"] = original
            node = Node("map", entry, dist.mark, dict(dist.keymarks))
            node.key = key
            parent.value[k] = node
            if parent.kind == "map":
                parent.keymarks.setdefault(k, mark)
    return on_catalog


def _plain(node: Node):
    if node.kind == "map":
        return {k: _plain(v) for k, v in node.value.items()}
    if node.kind == "seq":
        return [_plain(v) for v in node.value]
    return node.plain()


#: catalog values that set a schedule or a life: fixed, like the scenario's own
FIXED_DEFAULTS = ("build_months", "life_accelerators", "life_network", "life_buildings",
                  "life_power_plant")
CATALOG_FIELDS = {"servers": ("price", "power"), "accelerators": ("price", "rent", "tdp", "peak")}


def catalog_uncertainty(entries: List[tuple], catalog, out: Collector) -> Dict[str, object]:
    """Distributions on catalog entries and defaults, by path: {'servers.ID.price': Dist}.

    ``catalog.servers.*.price``, ``catalog.accelerators.ID.peak.fp8``,
    ``catalog.defaults.construction``: the base of each is the catalog's value; a wildcard
    shares one draw over every entry it names (with ``scale:``, one index for all of them).
    """
    found: Dict[str, object] = {}
    for parts, node, mark, key in entries:
        where = ("uncertainty", key)
        kind = parts[1] if len(parts) > 1 else None
        if kind == "defaults" and len(parts) == 3:
            names = [n for n in catalog.defaults._fields if catalog.defaults._fields[n].spec]
            targets = names if parts[2] == "*" else [parts[2]]
            for name in targets:
                if name not in names:
                    out.add(f"no default named '{name}'", mark, where,
                            hint=did_you_mean(str(name), names))
                    continue
                if name in FIXED_DEFAULTS:
                    if parts[2] != "*":
                        out.add("this value cannot be uncertain: it sets a schedule or a life",
                                mark, where)
                    continue
                spec = catalog.defaults._fields[name].spec
                _attach(found, f"defaults.{name}", spec, node, key, getattr(catalog.defaults,
                                                                             name), where, out)
            continue
        if kind in CATALOG_FIELDS and len(parts) in (4, 5):
            table = getattr(catalog, kind)
            ids = list(table) if parts[2] == "*" else [parts[2]]
            attr = parts[3]
            if attr not in CATALOG_FIELDS[kind] or (attr == "peak") != (len(parts) == 5):
                out.add(f"cannot make '{'.'.join(map(str, parts[3:]))}' of the {kind} "
                        "uncertain", mark, where,
                        expected="one of: " + ", ".join(
                            a if a != "peak" else "peak.PRECISION" for a in CATALOG_FIELDS[kind]))
                continue
            for eid in ids:
                entry = table.get(eid)
                if entry is None:
                    out.add(f"no {kind[:-1]} '{eid}' in the catalog", mark, where,
                            hint=did_you_mean(str(eid), table))
                    continue
                spec = type(entry)._fields[attr].spec
                if attr == "peak":
                    precs = list(entry.peak) if parts[4] == "*" else [parts[4]]
                    for prec in precs:
                        if prec not in entry.peak:
                            if parts[4] != "*":
                                out.add(f"{eid} has no {prec} peak", mark, where,
                                        expected="one of: " + ", ".join(entry.peak))
                            continue
                        _attach(found, f"{kind}.{eid}.peak.{prec}", spec.item, node, key,
                                entry.peak[prec], where, out)
                    continue
                value = getattr(entry, attr)
                if value is None:
                    if parts[2] != "*":
                        out.add(f"the catalog gives '{eid}' no {attr}", mark, where)
                    continue
                _attach(found, f"{kind}.{eid}.{attr}", spec, node, key, value, where, out)
            continue
        out.add("a catalog path is catalog.servers.ID.price|power, catalog.accelerators.ID."
                "price|rent|tdp|peak.PRECISION or catalog.defaults.NAME ('*' for every one)",
                mark, where)
    return found


def _attach(found: dict, name: str, spec, node: Node, key, value, where, out: Collector) -> None:
    from .schema import INVALID, distribution
    n = Node("map", dict(node.value), node.mark, dict(node.keymarks))
    n.key = key
    d = distribution(spec, n, where, out)
    if d is not INVALID:     # the catalog's value is the base unless the entry gives one
        found[name] = d if "base" in node.value else d.rebased(float(value))


def _expand(node: Node, parts: List, done: List, mark: Mark, pattern: str, budget: dict):
    """(parent, key) pairs a path pattern names, within ``budget``; nothing is changed yet."""
    head, rest = parts[0], parts[1:]
    where = ".".join(str(p) for p in done + [head])
    if node.kind == "seq":
        if head == "*":
            keys = range(len(node.value))
        elif head == APPEND:
            raise ConfigError(Problem(f"uncertainty: {where}: '[+]' appends with --set; an "
                                      "uncertainty names items that exist", mark,
                                      ("uncertainty", pattern)))
        else:
            keys = [item_index(node, head, f"uncertainty: {where}", mark)]
    elif node.kind == "map":
        keys = list(node.value) if head == "*" else [str(head)]
    else:
        raise ConfigError(Problem(f"uncertainty: {where}: cannot reach inside "
                                  f"{node.describe()}", mark, ("uncertainty", pattern)))
    out = []
    for k in keys:
        budget["visits"] += 1
        if budget["visits"] > MAX_UNCERTAINTY_VISITS:
            raise ConfigError(Problem(
                f"uncertainty: the paths visit more than {MAX_UNCERTAINTY_VISITS:,} keys and "
                "items while expanding their wildcards; name fewer values", mark,
                ("uncertainty", pattern)))
        if not rest:
            budget["targets"] += 1
            if budget["targets"] > MAX_DISTRIBUTIONS:
                raise ConfigError(Problem(
                    f"uncertainty: the paths name more than {MAX_DISTRIBUTIONS} values: the "
                    f"limit is {MAX_DISTRIBUTIONS} uncertain values", mark,
                    ("uncertainty", pattern)))
            out.append((node, k))
            continue
        if node.kind == "map" and k not in node.value:
            # a key that is not written yet (a default being made uncertain): its map is made
            # now, as the path goes through it; only maps, and only on the way to a target
            node.value[k] = Node("map", {}, mark)
            node.keymarks[k] = mark
        out.extend(_expand(node.value[k], rest, done + [k], mark, pattern, budget))
    return out


def load(path: Optional[str] = None, overrides: Iterable[str] = (), catalog=None,
         resolved: Optional[dict] = None, *, allow_extends: Sequence[str] = (),
         root: Optional[str] = None, copy_of: Optional[str] = None) -> Scenario:
    """Read, merge, override and validate a scenario file into a :class:`Scenario`.

    ``path`` is a file, or the name of a shipped scenario (``"stargate-500b"``, see
    :func:`estimator.scenarios.names`); None is the default scenario. ``overrides`` are
    ``PATH=VALUE`` strings like the command line's ``--set``. ``resolved`` maps the paths of
    relative overrides that the scenario does not write to (value, what it is): see
    :func:`estimator.api.load`, which fills it from the engine. ``root``: the project folder
    ``extends:`` may reach (default: the git work tree holding ``path``, else its folder);
    ``allow_extends``: folders outside it that it may also reach, whose values messages never
    quote; ``copy_of``: ``root`` is a copy of that folder (a git revision's files), so a
    relative ``extends:`` leaving it resolves from the real folder.

    Raises
    ------
    ConfigError
        With every problem found, each located at ``file:line:col``.
    """
    from .. import scenarios

    given, path = path, scenarios.resolve(path)
    if given is not None and not os.path.lexists(path):
        raise ConfigError(Problem("file not found (and no shipped scenario has that name)",
                                  Mark(given), hint=scenarios.hint(given)))
    for name, values in (("overrides", overrides), ("allow_extends", allow_extends)):
        if isinstance(values, (str, bytes)):      # never read as its characters ('/' and all)
            raise TypeError(f"{name} is a list of strings, not one string: [{values!r}]")
    top = os.path.realpath(root) if root else project_root(path)
    root, files = read_tree(path, allowed=allow_extends, root=top, copy_of=copy_of)
    for text in overrides:
        parts, value = parse_override(text)
        apply_override(root, parts, value, resolved)
    on_catalog = apply_uncertainty(root)
    out = Collector()
    try:
        scenario = build_model(Scenario, root, (), out)
        out.raise_if_any()
        catalog = scenario_catalog(scenario, catalog or load_catalog(), out)
        check_references(scenario, catalog, out)
        out.raise_if_any()
        if on_catalog:
            values = catalog_uncertainty(on_catalog, catalog, out)
            out.raise_if_any()
            scenario = replace(scenario, catalog=MappingProxyType(values))
    except ConfigError as e:
        raise _unquoted(e, top, files) from None
    from ..distributions import collect
    found = collect(scenario)
    if len(found) > MAX_DISTRIBUTIONS:
        raise ConfigError(Problem(f"{len(found)} uncertain values: the limit is "
                                  f"{MAX_DISTRIBUTIONS}", found[MAX_DISTRIBUTIONS][1].mark))
    if found:
        from .bases import rebase
        scenario = rebase(scenario, catalog)
        for path, d in collect(scenario):
            if d.scale and d.base != d.base:        # NaN: nothing to scale
                raise ConfigError(Problem(
                    f"{path}: a 'scale:' distribution multiplies the field's value, and this "
                    "field has none (not in the scenario, the catalog or the defaults)", d.mark,
                    hint="give the field a value, or 'base:' in the entry"))
    return replace(scenario, files=tuple(files), uncertain=bool(found), notes=tuple(out.warnings))


def scenario_catalog(scenario: Scenario, catalog, out: Optional[Collector] = None):
    """The catalog with the scenario's own accelerators and server types (checked into ``out``)."""
    merged = catalog.with_entries(scenario.accelerators, scenario.servers)
    if out is not None and (scenario.accelerators or scenario.servers):
        from ..catalog import check_hardware
        check_hardware(scenario.accelerators or {}, scenario.servers or {}, out, (),
                       known_accs=merged.accelerators, all_servers=merged.servers)
    return merged


def _unquoted(e: ConfigError, root: str, files: Sequence[str]) -> ConfigError:
    """``e`` without the values of files outside the project (opened by --allow-extends).

    Messages quote a value only from the project's own files, so a scenario cannot make the
    tool print what another file on the machine holds.
    """
    mine = (root, shipped_folder())
    outside = {f for f in files[1:]
               if not any(_within(os.path.realpath(f), d) for d in mine)}
    if not outside or not any(p.mark is not None and p.mark.file in outside for p in e.problems):
        return e
    hidden = ("a problem in a file outside the project (not shown: only the project's own "
              "files are quoted)")
    problems = [Problem(hidden, p.mark) if p.mark is not None and p.mark.file in outside else p
                for p in e.problems]
    return type(e)(problems, truncated=e.truncated)


def check_references(s: Scenario, catalog, out: Collector) -> None:
    """Checks that span fields: references, exclusive choices, orderings, sizes."""
    owners = [s.funding] + [e.funding for e in (s.entities or {}).values()]
    for key, limit in MAX_ITEMS.items():
        for owner in (owners if key in FUNDING_LISTS else [s]):
            items = getattr(owner, key, None) if owner is not None else None
            if items is not None and len(items) > limit:
                out.add(f"{len(items):,} {key}: the limit is {limit:,}", owner.marks.get(key),
                        (key,))
    if s.horizon.end < s.horizon.start:
        out.add(f"the horizon ends ({s.horizon.end}) before it starts ({s.horizon.start})",
                s.horizon.marks.get("end"), ("horizon", "end"))
    elif s.horizon.months > 1200:
        out.add(f"the horizon spans {s.horizon.months} months; the limit is 1200 (100 years)",
                s.horizon.marks.get("end"), ("horizon", "end"))
    sites = s.datacenters or {}
    fleets = s.fleets or {}
    for group, names in (("datacenters", sites), ("fleets", fleets)):
        for name in names:
            check_name(out, name, s.marks.get(group), (group, name))
    for name, site in sites.items():
        if site.it_capacity is None and not any(f.site == name and f.rent is None
                                                for f in fleets.values()):
            out.add(f"leased site '{name}' has no 'it_capacity' and no fleets to size it by",
                    site.marks.get(""), ("datacenters", name),
                    expected="'it_capacity' (a leased site defaults to what its fleets need)")
    if s.trends is not None:
        _ref(out, s.trends, "reference", ("trends",), s.trends.reference, catalog.accelerators,
             "accelerator")
    for name, f in fleets.items():
        path = ("fleets", name)
        counts = [k for k in ("accelerators", "servers", "racks") if getattr(f, k) is not None]
        if len(counts) != 1:
            out.add("give exactly one of 'accelerators', 'servers' or 'racks'"
                    + (f" (found {', '.join(counts)})" if counts else ""), f.marks[""], path)
        if f.acquire == "owned" and f.rent is not None:
            out.add("an owned fleet has no 'rent'; use acquire: rented to rent it",
                    f.marks.get("acquire"), path + ("acquire",))
        if f.acquire not in (None, "owned"):
            if f.accelerator is None and f.server is None:
                out.add(f"a fleet acquired as '{f.acquire}' needs 'accelerator' (or 'server')",
                        f.marks.get("acquire"), path)
        elif f.rent is None:
            if f.server is None:
                out.add("an owned fleet needs 'server' (a server type from the catalog); a rented "
                        "one needs 'rent' and 'accelerator'", f.marks[""], path)
            if f.site is None:
                out.add("an owned fleet needs 'site' (one of the datacenters)",
                        f.marks[""], path)
        else:
            if f.accelerator is None and f.server is None:
                out.add("a rented fleet needs 'accelerator' (or 'server')", f.marks.get("rent"), path)
            if f.servers is not None or f.racks is not None:
                out.add("a rented fleet counts 'accelerators'", f.marks.get("rent"), path)
        _ref(out, f, "server", path, f.server, catalog.servers, "server type", catalog)
        _ref(out, f, "accelerator", path, f.accelerator, catalog.accelerators, "accelerator")
        _ref(out, f, "site", path, f.site, sites, "datacenter")
    if s.money is not None and catalog.cpi is None:
        out.add("money: base_year needs the catalog's price index (cpi.yaml), which this catalog "
                "folder lacks", s.money.marks.get("base_year"), ("money", "base_year"))
    seen = {}
    for i, r in enumerate(s.training):
        path = ("training", i)
        check_name(out, r.name, r.marks.get("name"), path + ("name",), "run name", free=True)
        if run_key(r.name) in seen:
            other = seen[run_key(r.name)]
            out.add(f"two runs are named '{r.name}'" if other == r.name else
                    f"runs '{other}' and '{r.name}' would share the figure names "
                    f"training.{run_key(r.name)}.*", r.marks.get("name"), path + ("name",))
        seen[run_key(r.name)] = r.name
        if r.compute is None and (r.tokens is None or (r.params is None and r.active_params is None)):
            out.add("a run needs 'compute', or 'params' (or 'active_params') and 'tokens'",
                    r.marks.get("name"), path)
        if r.compute is not None and r.tokens is not None:
            out.add("give 'compute' or 'params' and 'tokens', not both", r.marks.get("tokens"), path)
        if r.on is not None and r.rent is not None:
            out.add("a run is either 'on' a fleet or 'rent's capacity, not both",
                    r.marks.get("rent"), path)
        if r.on is not None and r.acquire is not None:
            out.add(f"a run on a fleet is acquired as its fleet is: set 'acquire' on fleet "
                    f"'{r.on}'", r.marks.get("acquire"), path + ("acquire",))
        _ref(out, r, "on", path, r.on, fleets, "fleet")
        _ref(out, r, "accelerator", path, r.accelerator, catalog.accelerators, "accelerator")
        if r.rent is not None:
            _ref(out, r.rent, "accelerator", path + ("rent",), r.rent.accelerator,
                 catalog.accelerators, "accelerator")
        if r.on is None and r.rent is not None and r.max_days is None and \
                r.rent.accelerators is None:
            out.add("a rented run sized by the tool needs 'max_days' (its time window), or a fixed "
                    "number of 'accelerators'", r.marks[""], path)
        _check_run_size_and_power(r, s, catalog, out, path)
        acc = _run_accelerator(r, s, catalog)
        if acc is not None and r.precision not in acc.peak:
            out.add(f"{acc.name} has no published {r.precision} peak",
                    r.marks.get("precision") or r.marks.get("name"), path + ("precision",),
                    expected="one of: " + ", ".join(acc.peak))
    if s.funding is not None:
        check_funding(s.funding, ("funding",), catalog, out)
    for name, e in (s.entities or {}).items():
        check_funding(e.funding, ("entities", name, "funding"), catalog, out)
    check_finance(s, catalog, out)


def check_funding(fnd, where: tuple, catalog, out: Collector) -> None:
    """Checks inside one funding block (the scenario's own, or an entity's)."""
    flags = fnd.flags or {}
    for group in ("raises", "equity"):
        for i, r in enumerate(getattr(fnd, group)):
            path = where + (group, i)
            _ref(out, r, "if_", path, r.if_, flags, "flag")
            if r.else_ is not None and r.if_ is None:
                out.add("'else' needs an 'if' flag", r.marks.get("else_"), path + ("else",))
    ops = fnd.operations
    by_year = [("revenue", fnd, fnd.revenue), ("lease_income", fnd, fnd.lease_income)]
    if ops is not None:
        by_year += [("operations.payroll", ops, ops.payroll), ("operations.other", ops, ops.other)]
        if ops.inference is not None:
            by_year.append(("operations.inference.users", ops.inference, ops.inference.users))
            _check_inference(ops.inference, where + ("operations", "inference"), catalog, out)
    for key, obj, years in by_year:
        check_years(years, obj.marks.get(key.split(".")[-1]), where + tuple(key.split(".")), out)


def _check_inference(inf, path: tuple, catalog, out: Collector) -> None:
    """Serving needs an accelerator with the precision it runs at, and a price per hour."""
    _ref(out, inf, "accelerator", path, inf.accelerator, catalog.accelerators, "accelerator")
    acc = catalog.accelerators.get(inf.accelerator)
    if acc is None:
        return
    if inf.precision not in acc.peak:
        out.add(f"{acc.name} has no published {inf.precision} peak",
                inf.marks.get("precision") or inf.marks.get(""), path + ("precision",),
                expected="one of: " + ", ".join(acc.peak))
    if inf.price is None and acc.rent is None:
        out.add(f"no rental price for '{inf.accelerator}' in the catalog; give "
                "operations.inference.price", inf.marks.get(""), path + ("price",))


def _check_run_size_and_power(r, s: Scenario, catalog, out: Collector, path: tuple) -> None:
    """A run's length, MFU, power terms and rental price: what goes together and what excludes."""
    def at(attr):
        return r.marks.get(attr) or r.marks[""]
    planned = r.on is None and r.rent is None
    given = [k for k in ("gpu_hours", "length") if getattr(r, k) is not None]
    if len(given) == 2:
        out.add("give 'gpu_hours' or 'length', not both", at("length"), path + ("length",))
    if given and r.mfu is not None:
        out.add(f"'{given[0]}' and 'mfu' both fix the run's speed: give one (the tool reports the "
                "MFU that the run's hours imply)", at("mfu"), path + ("mfu",))
    if given and planned:
        out.add(f"'{given[0]}' needs the run's accelerators: run it 'on' a fleet or rent a fixed "
                "number of 'accelerators'", at(given[0]), path + (given[0],))
    if r.length is not None and r.rent is not None and r.rent.accelerators is None:
        out.add("'length' needs a fixed number of rented 'accelerators'", at("length"),
                path + ("rent",))
    if r.mfu_includes_goodput and r.goodput is not None:
        out.add("'mfu_includes_goodput' means goodput is already in the MFU: leave 'goodput' out",
                at("goodput"), path + ("goodput",))
    if r.mfu_includes_goodput and r.mfu is None:
        out.add("'mfu_includes_goodput' qualifies an 'mfu': give one", at("mfu_includes_goodput"),
                path + ("mfu_includes_goodput",))
    power = [k for k in ("site", "pue", "utilisation", "electricity") if getattr(r, k) is not None]
    if r.on is not None and power:
        out.add(f"a run 'on' a fleet uses its datacenter's power terms: set '{power[0]}' on the "
                f"datacenter", at(power[0]), path + (power[0],))
    if r.site is not None and r.site not in catalog.sites:
        out.add(f"unknown site profile '{r.site}'", at("site"), path + ("site",),
                expected="one of: " + (", ".join(catalog.sites) or "none (no sites.yaml)"),
                hint=did_you_mean(r.site, catalog.sites))
    if r.acquired is not None and r.rent is None:
        out.add("'acquired' is for rented runs: a fleet's hardware is acquired at its delivery, a "
                "planned run's just before it starts", at("acquired"), path + ("acquired",))
    if r.rent is not None and r.rent.price is None:
        acc = catalog.accelerators.get(r.rent.accelerator)
        if acc is not None and acc.rent is None and \
                getattr(acc, {"1y": "rent_1y", "3y": "rent_3y"}.get(r.rent.tier, "rent")) is None:
            out.add(f"the catalog has no rental price for '{r.rent.accelerator}': give "
                    "rent: {price: ...}", r.rent.marks[""], path + ("rent", "price"))
    if r.rent is not None and r.rent.price is not None and "tier" in r.rent.marks:
        out.add("'tier' picks a catalog price: with your own 'price', leave it out",
                r.rent.marks["tier"], path + ("rent", "tier"))


def _run_accelerator(r, s: Scenario, catalog):
    if r.rent is not None:
        return catalog.accelerators.get(r.rent.accelerator)
    if r.on is not None and s.fleets and r.on in s.fleets:
        f = s.fleets[r.on]
        if f.server in catalog.servers:
            return catalog.accelerators.get(catalog.servers[f.server].accelerator)
        return catalog.accelerators.get(f.accelerator)
    if r.accelerator is not None:
        return catalog.accelerators.get(r.accelerator)
    return None
