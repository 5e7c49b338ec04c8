"""`estimator catalog`: what the catalog holds, with sources.

In a terminal, sources are numbered notes under each table, so ids and figures stay on one
line at 80 columns; Markdown and CSV keep them in a column.
"""
from __future__ import annotations


from ..record import fields
from ..result import dumps
from ..units import format_quantity
from .sheet import Cell, Sheet


def _q(v, dim):
    return Cell(format_quantity(v, dim), v) if v is not None else "–"


def _tflops(v):
    return Cell(f"{v / 1e12:,.0f}", v) if v is not None else "–"


def _rate(v):
    return Cell(f"{v:.2f}", v) if v is not None else "–"


def sheets(cat) -> list:
    """The catalog as sheets; the last column of each is its source."""
    perf, prices = [], []
    for key, acc in cat.accelerators.items():
        src = f"{acc.source} ({acc.as_of})"
        perf.append((key, acc.vendor, *(_tflops(acc.peak.get(p)) for p in ("bf16", "fp8", "fp4")),
                     _q(acc.memory, "bytes"), _q(acc.tdp, "power"), src))
        holders = [sid for sid, _ in cat.servers_of(key)]
        server = ", ".join(holders) if holders else f"x{acc.chip_to_server:g} TDP"
        prices.append((key, server, _q(acc.price, "money"),
                       *(_rate(getattr(acc, k)) for k in ("rent", "rent_1y", "rent_3y")), src))
    srv_rows = [(key, srv.accelerator, Cell(str(srv.accelerators), srv.accelerators),
                 _q(srv.price, "money"), _q(srv.power, "power"), Cell(str(srv.per_rack),
                                                                       srv.per_rack),
                 f"{srv.source} ({srv.as_of})") for key, srv in cat.servers.items()]
    def_rows = [(f.name, _q(getattr(cat.defaults, f.name), f.spec.dim),
                 cat.defaults.sources.get(f.name, "")) for f in fields(cat.defaults)
                if f.spec is not None]
    out = [Sheet("Accelerators (dense peak TFLOP/s)", ("id", "vendor", "BF16", "FP8", "FP4",
                                                       "HBM", "TDP", "source"), perf,
                 right=(2, 3, 4, 5, 6)),
           Sheet("Accelerators: prices (rent in $/GPU-hour)", ("id", "server (or power factor)",
                                                              "price", "rent", "1y", "3y",
                                                              "source"), prices,
                 right=(2, 3, 4, 5)),
           Sheet("Server types", ("id", "accelerator", "per server", "price", "power",
                                  "per rack", "source"), srv_rows, right=(2, 3, 4, 5)),
           Sheet("Defaults", ("name", "value", "source"), def_rows, right=(1,))]
    if cat.sites:
        out.append(Sheet("Site profiles (for rented and planned runs: site: NAME)",
                         ("id", "name", "PUE", "electricity", "source"),
                         [(key, prof.name, Cell(f"{prof.pue:g}", prof.pue),
                           _q(prof.electricity, "energy_price") if prof.electricity is not None
                           else "default",
                           "; ".join(prof.sources.values()) or f"{prof.source} ({prof.as_of})")
                          for key, prof in cat.sites.items()], right=(2, 3)))
    if cat.cpi is not None:
        years = sorted(cat.cpi.index)
        src = (f"{cat.cpi.source} ({cat.cpi.as_of}); after {years[-1]}: "
               f"{cat.cpi.projection:.0%} a year ({cat.cpi.sources.get('projection', '')})")
        out.append(Sheet(f"Price index for constant dollars: {cat.cpi.name}",
                         ("year", "index", "source"),
                         [(str(y), Cell(f"{cat.cpi.index[y]:g}", cat.cpi.index[y]), src)
                          for y in years], right=(1,)))
    return out


def _footnoted(s: Sheet) -> Sheet:
    """The last column (sources) as numbered notes under the table."""
    rows, notes = [], []
    for row in s.rows:
        src = row[-1]
        if src not in notes:
            notes.append(src)
        rows.append((*row[:-1], f"[{notes.index(src) + 1}]"))
    note = "\n".join(f"[{i}] {n}" for i, n in enumerate(notes, 1))
    return s._replace(header=s.header[:-1] + ("src",), rows=rows, note=note)


def render(cat, fmt: str = "table", label: str = ""):
    """The catalog as a table, Markdown or CSV; ``label`` says which catalog it is."""
    from .sheet import render as render_sheets
    found = sheets(cat)
    if fmt == "table":
        found = [_footnoted(s) for s in found]
    return render_sheets(found, fmt, f"catalog: {label}" if label and fmt != "csv" else "")


def tables(cat):
    """The terminal tables (kept for library callers)."""
    return render(cat, "table")


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
    return dumps(as_dict(cat))
