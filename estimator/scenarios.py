"""The shipped scenarios, by name: ``stargate-500b`` means ``configs/scenarios/stargate-500b.yaml``.

Everywhere a scenario file is taken, an existing file wins; otherwise a name (with or
without ``.yaml``) resolves to the shipped scenario of that name, so they are reachable
after ``pip install`` as well as in a checkout.
"""
from __future__ import annotations

import os
from typing import List, NamedTuple, Optional

DEFAULT = "openai-40b"


class Shipped(NamedTuple):
    """One shipped scenario: its name, file, title and one-line description."""

    name: str
    path: str
    title: str
    description: str


def folder() -> str:
    """The folder of the shipped scenarios (in a checkout or inside the installed package)."""
    from .catalog import configs_dir
    return str(configs_dir() / "scenarios")


def names() -> List[str]:
    """Names of the shipped scenarios, sorted."""
    try:
        files = os.listdir(folder())
    except OSError:
        return []
    return sorted(f[:-5] for f in files if f.endswith(".yaml"))


def path_of(name: str) -> Optional[str]:
    """The file of a shipped scenario, or None when there is none of that name."""
    stem = name[:-5] if name.endswith(".yaml") else name
    if os.sep in stem or "/" in stem or stem not in names():
        return None
    return os.path.join(folder(), stem + ".yaml")


def resolve(arg: Optional[str]) -> str:
    """A scenario argument as a file path: an existing file as given, else a shipped name.

    ``None`` is the default scenario. Anything else is returned unchanged, so reading it
    reports "file not found" at that path (with the shipped names as a hint, see
    :func:`hint`).
    """
    if arg is None:
        return os.path.join(folder(), DEFAULT + ".yaml")
    if os.path.exists(arg):
        return arg
    return path_of(arg) or arg


def hint(arg: str) -> Optional[str]:
    """A did-you-mean among the shipped names, for an argument that is neither file nor name."""
    from .errors import did_you_mean
    stem = os.path.basename(arg)
    stem = stem[:-5] if stem.endswith(".yaml") else stem
    close = did_you_mean(stem, names())
    return close or "shipped scenarios: " + ", ".join(names())


def shipped() -> List[Shipped]:
    """Every shipped scenario with its title and one-line description."""
    from .config.yamlsafe import load_node
    out = []
    for name in names():
        path = os.path.join(folder(), name + ".yaml")
        node = load_node(path)
        title = _scalar(node, "scenario") or name
        out.append(Shipped(name, path, title, _scalar(node, "description") or title))
    return out


def _scalar(node, key: str) -> Optional[str]:
    child = node.value.get(key) if node.kind == "map" else None
    return str(child.value) if child is not None and child.kind == "scalar" else None
