"""`estimator catalog`: what the catalog holds, with sources."""
from __future__ import annotations

import json

from rich import box
from rich.console import Group
from rich.table import Table

from ..record import fields
from ..units import format_quantity


def tables(cat) -> Group:
    a = Table(title="Accelerators (dense peak)", box=box.SIMPLE_HEAD, title_justify="left",
              title_style="bold")
    for col in ("id", "BF16", "FP8", "FP4", "HBM", "TDP", "price", "source"):
        a.add_column(col, overflow="fold")
    for key, acc in cat.accelerators.items():
        peak = {p: format_quantity(v, "throughput") for p, v in acc.peak.items()}
        a.add_row(key, peak.get("bf16", "–"), peak.get("fp8", "–"), peak.get("fp4", "–"),
                  format_quantity(acc.memory, "bytes"), format_quantity(acc.tdp, "power"),
                  format_quantity(acc.price, "money") if acc.price is not None else "–",
                  f"{acc.source} ({acc.as_of})")
    s = Table(title="Server types", box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
    for col in ("id", "accelerator", "per server", "price", "power", "per rack", "source"):
        s.add_column(col, overflow="fold")
    for key, srv in cat.servers.items():
        s.add_row(key, srv.accelerator, str(srv.accelerators), format_quantity(srv.price, "money"),
                  format_quantity(srv.power, "power"), str(srv.per_rack),
                  f"{srv.source} ({srv.as_of})")
    d = Table(title="Defaults", box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
    for col in ("name", "value", "source"):
        d.add_column(col, overflow="fold")
    for f in fields(cat.defaults):
        spec = f.spec
        if spec is None:
            continue
        d.add_row(f.name, format_quantity(getattr(cat.defaults, f.name), spec.dim),
                  cat.defaults.sources.get(f.name, ""))
    return Group(a, s, d)


def as_dict(cat) -> dict:
    def entry(obj):
        out = {}
        for f in fields(obj):
            if f.spec is None:
                continue
            v = getattr(obj, f.name)
            out[f.name] = dict(v) if hasattr(v, "items") else v
        if obj.sources:
            out["sources"] = dict(obj.sources)
        return out
    return {"accelerators": {k: entry(v) for k, v in cat.accelerators.items()},
            "servers": {k: entry(v) for k, v in cat.servers.items()},
            "defaults": entry(cat.defaults)}


def render_json(cat) -> str:
    return json.dumps(as_dict(cat), indent=2) + "\n"
