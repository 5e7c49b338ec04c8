"""A bounded, located YAML reader.

PyYAML's parser produces events; this module composes them into :class:`Node`
trees itself, so it can refuse what a scenario file never needs and what a
hostile file uses: object-building tags, merge keys, duplicate keys, alias
expansion past a budget, nesting past a depth, files past a size, devices,
several documents. Every node keeps the line and column it came from.

No YAML tag ever builds an object: scalars are resolved to str, int, float,
bool or None by the rules below (a strict subset of YAML 1.2's core schema,
so ``no``/``on`` stay strings and ``2025-04`` stays a month string).
"""
from __future__ import annotations

import math
import os
import re
import stat
from typing import Dict, List, Optional, Union

import yaml

from ..errors import ConfigError, Mark, Problem
from ..fileio import note_input

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000           # after alias expansion
#: characters of text after alias expansion: a file's own text is at most MAX_FILE_BYTES; an
#: alias may repeat some of it, not make a 1 MB name into a 100 MB report
MAX_TEXT = 2 * MAX_FILE_BYTES

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {None, "!", _STD + "str", _STD + "int", _STD + "float", _STD + "bool",
                 _STD + "null", _STD + "map", _STD + "seq"}

#: longer integers are refused (Python reads at most 4,300 digits; no quantity needs 400)
MAX_NUMBER_DIGITS = 400
_INT = re.compile(r"^[-+]?[0-9][0-9_]*$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"),
            ".nan": float("nan")}
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}

Scalar = Union[str, int, float, bool, None]


class Node:
    """A located YAML value: ``kind`` is 'map', 'seq' or 'scalar'."""

    __slots__ = ("kind", "value", "mark", "keymarks", "size", "chars", "key")

    def __init__(self, kind: str, value, mark: Mark, keymarks: Optional[Dict[str, Mark]] = None):
        self.kind = kind
        self.value = value            # dict[str, Node] | list[Node] | scalar
        self.mark = mark
        self.keymarks = keymarks or {}
        self.size = 1
        self.chars = len(value) if kind == "scalar" and isinstance(value, str) else 0
        self.key = None               # ties distributions of one 'uncertainty:' entry together

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Node({self.kind}, {self.value!r}, {self.mark})"

    def plain(self):
        """The plain Python value (dicts, lists, scalars)."""
        if self.kind == "map":
            return {k: v.plain() for k, v in self.value.items()}
        if self.kind == "seq":
            return [v.plain() for v in self.value]
        return self.value

    def describe(self) -> str:
        if self.kind == "map":
            return "a mapping"
        if self.kind == "seq":
            return "a list"
        v = self.value
        if v is None:
            return "nothing (null)"
        if isinstance(v, bool):
            return f"{str(v).lower()} (a boolean)"
        if isinstance(v, str):
            return repr(v if len(v) <= 60 else v[:57] + "...")
        return repr(v)


def resolve_scalar(text: str, style: Optional[str], tag: Optional[str]) -> Scalar:
    if tag == _STD + "str" or style not in (None, ""):
        return text
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT.match(text):
        return int(text.replace("_", ""))
    if _FLOAT.match(text) and any(c in text for c in ".eE"):
        x = float(text.replace("_", ""))
        if x in (0.0, math.inf) and re.search("[1-9]", re.split("[eE]", text)[0]):
            return text     # 1e-999 or 1e999: kept as written, so the reader of the value
        return x            # says what is wrong with it (never a silent 0)
    if text in _SPECIAL or text.lower() in _SPECIAL:
        return _SPECIAL[text.lower()]
    return text


def _mark(name: str, m) -> Mark:
    return Mark(name, m.line + 1, m.column + 1)


def read_text(path: str, display: Optional[str] = None, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a scenario file as UTF-8 text, refusing anything that is not a small regular file.

    ``max_bytes`` is what is left of the budget shared by a file and everything it includes.
    """
    name = display or path
    data = read_bytes(path, name, MAX_FILE_BYTES, max_bytes)
    return decode(data, name, max_bytes)


def read_bytes(path: str, name: str, limit: int, left: Optional[int] = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (``left``: what a shared budget
    still allows); never a folder, device, pipe or socket, and never more than is allowed read,
    even from a file that grows while it is read. The one bounded reader of every input file
    (scenarios, catalogs, the project file, saved reports and baselines)."""
    left = limit if left is None else left
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ConfigError(Problem("file not found", Mark(name)))
    except OSError as e:
        raise ConfigError(Problem(f"cannot read: {e.strerror}", Mark(name)))
    if stat.S_ISDIR(st.st_mode):
        raise ConfigError(Problem("is a directory, not a YAML file" if limit == MAX_FILE_BYTES
                                  else "is a directory, not a file", Mark(name)))
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(Problem("not a regular file (a device, pipe or socket)", Mark(name)))
    if st.st_size > limit:
        raise ConfigError(Problem(
            f"file is too large ({st.st_size:,} bytes; the limit is {limit:,})", Mark(name)))
    if st.st_size > left:
        raise ConfigError(Problem(
            f"the files included add up to more than {limit:,} bytes (this one has "
            f"{st.st_size:,}; {max(left, 0):,} were left)", Mark(name)))
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as e:
        raise ConfigError(Problem(f"cannot read: {e.strerror}", Mark(name)))
    note_input(path)
    if len(data) > limit:
        raise ConfigError(Problem(f"file is too large (more than {limit:,} bytes)", Mark(name)))
    return data


def decode(data: bytes, name: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """File contents as UTF-8 text, within the size limit; errors located at line and column."""
    if len(data) > min(max_bytes, MAX_FILE_BYTES):
        raise ConfigError(Problem(f"too large ({len(data):,} bytes; {max(max_bytes, 0):,} "
                                  f"of the limit of {MAX_FILE_BYTES:,} were left)", Mark(name)))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise ConfigError(Problem(
            f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})", Mark(name, line, col)))


def parse_yaml(text: str, name: str, max_nodes: int = MAX_NODES,
               max_text: int = MAX_TEXT) -> Node:
    """Compose one YAML document into a :class:`Node` tree, within the limits above.

    ``max_nodes`` and ``max_text`` are what is left of the budgets shared by a file and
    everything it includes.
    """
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    problems: List[Problem] = []
    anchors: Dict[str, Node] = {}
    stack: List[list] = []      # frames: [node, pending_key, pending_keymark]
    root: Optional[Node] = None
    documents = 0
    total = chars = 0

    def fail(msg: str, m, **kw):
        problems.append(Problem(msg, _mark(name, m) if m is not None else Mark(name), **kw))
        raise ConfigError(problems)

    def attach(node: Node, ev, alias: bool = False):
        nonlocal root, total, chars
        # each value once: a scalar or a finished container adds itself (its children were
        # counted as they came), an alias adds everything it expands to
        total += node.size if alias else 1
        chars += node.chars if alias or node.kind == "scalar" else 0
        if chars > max_text:
            fail(f"too much text: aliases repeat names and values past {MAX_TEXT:,} characters"
                 if max_text == MAX_TEXT else f"too much text: the files included add up to "
                 f"more than {MAX_TEXT:,} characters", ev.start_mark)
        if total > max_nodes:
            fail(f"too many values: aliases and nesting expand past {MAX_NODES:,} "
                 "(an alias bomb?)" if max_nodes == MAX_NODES else
                 f"too many values: the files included add up to more than {MAX_NODES:,}",
                 ev.start_mark)
        if not stack:
            root = node
            return
        frame = stack[-1]
        parent = frame[0]
        parent.size += node.size
        parent.chars += node.chars
        if parent.kind == "seq":
            parent.value.append(node)
            return
        if frame[1] is None:
            # this node is a key
            if node.kind != "scalar":
                fail("a mapping key must be plain text, not a list or mapping", ev.start_mark)
            key = node.value
            if key is None:     # '~:', 'null:' or ': x' would become a name 'null'
                fail("a mapping key is empty (null); write a name", ev.start_mark)
            key = str(key).lower() if isinstance(key, bool) else str(key)
            if key == "<<":
                fail("merge keys (<<) are not supported; use 'extends:' to share settings",
                     ev.start_mark)
            frame[1], frame[2] = key, node.mark
        else:
            key, keymark = frame[1], frame[2]
            if key in parent.value:
                first = parent.keymarks[key]
                problems.append(Problem(
                    f"duplicate key '{key}' (first at line {first.line}); YAML would silently "
                    "keep only the last", keymark))
            parent.value[key] = node
            parent.keymarks[key] = keymark
            frame[1] = frame[2] = None

    try:
        events = yaml.parse(text, Loader=loader_cls)
        for ev in events:
            if isinstance(ev, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    fail("more than one YAML document in the file ('---'); a scenario is one "
                         "document", ev.start_mark)
                continue
            if isinstance(ev, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
                continue
            tag = getattr(ev, "tag", None)
            if tag not in _ALLOWED_TAGS:
                fail(f"the tag '{tag}' is not allowed: scenario files hold plain data only",
                     ev.start_mark)
            if isinstance(ev, yaml.AliasEvent):
                target = anchors.get(ev.anchor)
                if target is None:
                    fail(f"unknown alias '*{ev.anchor}'", ev.start_mark)
                if any(frame[0] is target for frame in stack):
                    fail(f"the alias '*{ev.anchor}' refers to a value that contains it", ev.start_mark)
                attach(target, ev, alias=True)
                continue
            if isinstance(ev, yaml.ScalarEvent):
                if len(ev.value) > MAX_NUMBER_DIGITS and _INT.match(ev.value) and \
                        ev.style in (None, ""):
                    fail(f"a number with {len(ev.value):,} digits: at most {MAX_NUMBER_DIGITS} "
                         "digits can be read (write 1e300, not the digits)", ev.start_mark)
                node = Node("scalar", resolve_scalar(ev.value, ev.style, tag), _mark(name, ev.start_mark))
                if ev.anchor:
                    anchors[ev.anchor] = node
                attach(node, ev)
                continue
            if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(stack) >= MAX_DEPTH:
                    fail(f"nested more than {MAX_DEPTH} levels deep", ev.start_mark)
                kind = "map" if isinstance(ev, yaml.MappingStartEvent) else "seq"
                node = Node(kind, {} if kind == "map" else [], _mark(name, ev.start_mark))
                if ev.anchor:
                    anchors[ev.anchor] = node
                stack.append([node, None, None, ev])
                continue
            if isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frame = stack.pop()
                attach(frame[0], frame[3])
                continue
    except yaml.reader.ReaderError as e:      # a character YAML does not allow, by position
        problems.append(_character_problem(e, text, name))
        raise ConfigError(problems)
    except yaml.YAMLError as e:
        m = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        context = getattr(e, "context", None)
        msg = f"not valid YAML: {problem}" + (f" ({context})" if context else "")
        hint = None
        if m is not None and "\t" in (text.splitlines()[m.line:m.line + 1] or [""])[0]:
            hint = "indent with spaces: YAML does not allow tabs for indentation"
        problems.append(Problem(msg, _mark(name, m) if m is not None else Mark(name), hint=hint))
        raise ConfigError(problems)
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise ConfigError(Problem("nested too deeply", Mark(name)))
    if problems:
        raise ConfigError(problems)
    if root is None or (root.kind == "scalar" and root.value is None):
        raise ConfigError(Problem("the file is empty: a scenario is a mapping of keys such as "
                                  "'scenario:', 'horizon:', 'fleets:'", Mark(name, 1, 1)))
    return root


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _character_problem(e, text: str, name: str) -> Problem:
    """The reader's refusal of a character (NUL, ESC, DEL, a C1 control), at its line and
    column, the character shown as an escape, never printed."""
    pos = max(0, min(int(getattr(e, "position", 0) or 0), len(text)))
    breaks = [m.end() for m in _LINE_BREAK.finditer(text, 0, pos)]   # as YAML counts lines
    line = len(breaks) + 1
    col = pos - (breaks[-1] if breaks else 0) + 1
    char = e.character if isinstance(e.character, str) else chr(e.character or 0)
    code = ord(char) if len(char) == 1 else 0
    return Problem(f"not valid YAML: the character U+{code:04X} is not allowed (YAML allows no "
                   "control characters other than tab and line breaks)", Mark(name, line, col),
                   hint=f"write it as an escape inside double quotes (\"\\u{code:04x}\") if "
                   "it is meant, or remove it")


def load_node(path: str, display: Optional[str] = None, max_bytes: int = MAX_FILE_BYTES,
              max_nodes: int = MAX_NODES, max_text: int = MAX_TEXT) -> Node:
    """Read and compose a YAML file into a located :class:`Node` tree."""
    name = display or path
    return parse_yaml(read_text(path, name, max_bytes), name, max_nodes, max_text)
