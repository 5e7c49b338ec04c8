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
    for col in ("id", "vendor", "BF16", "FP8", "FP4", "HBM", "TDP", "server (or power factor)",
                "price", "rent $/GPU-h on-demand / 1y / 3y", "source"):
        a.add_column(col, overflow="fold")
    for key, acc in cat.accelerators.items():
        peak = {p: format_quantity(v, "throughput") for p, v in acc.peak.items()}
        holders = [sid for sid, _ in cat.servers_of(key)]
        server = ", ".join(holders) if holders else f"x{acc.chip_to_server:g} TDP"
        a.add_row(key, acc.vendor, peak.get("bf16", "–"), peak.get("fp8", "–"),
                  peak.get("fp4", "–"), format_quantity(acc.memory, "bytes"),
                  format_quantity(acc.tdp, "power"), server, _money(acc.price),
                  " / ".join(_rate(getattr(acc, k)) for k in ("rent", "rent_1y", "rent_3y")),
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
    parts = [a, s, d]
    if cat.sites:
        p = Table(title="Site profiles (for rented and planned runs: site: NAME)",
                  box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
        for col in ("id", "name", "PUE", "electricity", "source"):
            p.add_column(col, overflow="fold")
        for key, prof in cat.sites.items():
            p.add_row(key, prof.name, f"{prof.pue:g}",
                      format_quantity(prof.electricity, "energy_price")
                      if prof.electricity is not None else "default",
                      "; ".join(prof.sources.values()) or f"{prof.source} ({prof.as_of})")
        parts.append(p)
    if cat.cpi is not None:
        years = sorted(cat.cpi.index)
        c = Table(title=f"Price index for constant dollars: {cat.cpi.name}", box=box.SIMPLE_HEAD,
                  title_justify="left", title_style="bold")
        for y in years:
            c.add_column(y)
        c.add_row(*(f"{cat.cpi.index[y]:g}" for y in years))
        parts += [c, f"source: {cat.cpi.source} ({cat.cpi.as_of}); after {years[-1]}: "
                     f"{cat.cpi.projection:.0%} a year ({cat.cpi.sources.get('projection', '')})"]
    return Group(*parts)


def _money(v) -> str:
    return format_quantity(v, "money") if v is not None else "–"


def _rate(v) -> str:
    return f"{v:.2f}" if v is not None else "–"


def as_dict(cat) -> dict:
    def entry(obj):
        out = {}
        for f in fields(obj):
            if f.spec is None:
                continue
            v = getattr(obj, f.name)
            out[f.name] = dict(v) if hasattr(v, "items") else v if v is None or isinstance(
                v, (int, float, str)) else str(v)
        if obj.sources:
            out["sources"] = dict(obj.sources)
        return out
    return {"accelerators": {k: entry(v) for k, v in cat.accelerators.items()},
            "servers": {k: entry(v) for k, v in cat.servers.items()},
            "defaults": entry(cat.defaults),
            "sites": {k: entry(v) for k, v in cat.sites.items()},
            "cpi": entry(cat.cpi) if cat.cpi is not None else None}


def render_json(cat) -> str:
    return json.dumps(as_dict(cat), indent=2) + "\n"
