"""Checks shared by the loader's checks: references to names, and years as keys."""
from __future__ import annotations

import re
from typing import Optional

from ..errors import did_you_mean
from ..model import YAML_KEY
from .schema import Collector


#: names that become part of figure names: letters, digits, '-' and '_', at most MAX_NAME
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
MAX_NAME = 100


def check_name(out: Collector, name: str, mark, path: tuple, what: str = "name",
               free: bool = False) -> bool:
    """A name that becomes part of figure names (a site, fleet, entity, contract or flag; with
    ``free``, a run or a tranche, whose other characters become '-'): the one rule for all of
    them, so no name can forge a figure name or make every figure name a megabyte long."""
    if not free and not NAME.fullmatch(name):
        out.add(f"'{name}' is not a usable {what}", mark, path,
                expected="letters, digits, '-' and '_' (it becomes part of figure names)")
        return False
    if len(name) > MAX_NAME:
        out.add(f"a {what} of {len(name):,} characters: the limit is {MAX_NAME} (it becomes "
                "part of figure names)", mark, path)
        return False
    return True


def check_ref(out: Collector, obj, attr: str, path: tuple, name: Optional[str], known, what: str,
              catalog=None):
    """An unknown name gets a located error listing the known ones, with a did-you-mean."""
    if name is None or name in known:
        return
    expected = f"one of: {', '.join(sorted(known))}" if known else f"no {what}s are defined"
    hint = did_you_mean(name, known)
    if hint is None and catalog is not None and what == "server type":
        # a near-miss of an accelerator name: point at the servers that hold it
        close = did_you_mean(name, catalog.accelerators)
        acc = name if name in catalog.accelerators else (close.split("'")[1] if close else None)
        if acc:
            holders = [k for k, v in catalog.servers.items() if v.accelerator == acc]
            hint = (f"'{acc}' is an accelerator; server types that hold it: "
                    + (", ".join(holders) or "none"))
    out.add(f"unknown {what} '{name}'", obj.marks.get(attr, obj.marks.get("")),
            path + (YAML_KEY.get(attr, attr),), expected=expected, hint=hint)


def check_years(years, mark, path: tuple, out: Collector) -> None:
    """Keys of a by-year mapping are years."""
    for year in years or {}:
        if not re.fullmatch(r"(19|20|21)[0-9][0-9]", year):
            out.add(f"'{year}' is not a year", mark, path + (year,), expected="a year such as 2026")
