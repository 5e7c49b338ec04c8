"""The catalog: accelerators, server types and sourced defaults, from ``configs/catalog/*.yaml``.

Every entry must carry ``source:`` and ``as_of:``; every default is written
``{value: ..., source: ..., as_of: ...}``. The catalog is read with the same
bounded loader and validated with the same specs as scenarios.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping, Optional

from .config.schema import Collector, INVALID, build_model
from .config.yamlsafe import load_node
from .errors import ConfigError, Mark, Problem, did_you_mean
from .model import Accelerator, Model, PRECISIONS, Server  # noqa: F401 (re-exported)
from .record import fields
from .spec import item_model, item_qty, mapping, qty, text, model as submodel


class Defaults(Model):
    """Values used when a scenario leaves them out (see configs/catalog/defaults.yaml)."""

    construction: float = qty("usd_per_w", required=True, min=0)
    pue: float = qty("amount", required=True, min=1)
    electricity: float = qty("energy_price", required=True, min=0)
    utilisation: float = qty("fraction", required=True, min=0, max=1)
    land: float = qty("usd_per_w", required=True, min=0)
    grid_connection: float = qty("usd_per_w", required=True, min=0)
    onsite_generation: float = qty("usd_per_w", required=True, min=0)
    colocation: float = qty("usd_per_w_month", required=True, min=0)
    maintenance: float = qty("fraction", required=True, min=0)
    insurance: float = qty("fraction", required=True, min=0)
    property_tax: float = qty("fraction", required=True, min=0)
    wue: float = qty("water_per_energy", required=True, min=0)
    water_price: float = qty("water_price", required=True, min=0)
    staff_per_mw: float = qty("amount", required=True, min=0)
    staff_cost: float = qty("usd_per_year", required=True, min=0)
    build_months: int = qty("count", required=True, min=1)
    building_size: float = qty("power", required=True, gt=0)
    server_factor: float = qty("amount", required=True, min=1)
    network_share: float = qty("fraction", required=True, min=0, max=0.9)
    storage_per_accelerator: float = qty("money", required=True, min=0)
    network_power_share: float = qty("fraction", required=True, min=0, max=1)
    chip_to_server_power: float = qty("amount", required=True, min=1)
    life_accelerators: float = qty("duration", required=True, gt=0, bare="years")
    life_network: float = qty("duration", required=True, gt=0, bare="years")
    life_buildings: float = qty("duration", required=True, gt=0, bare="years")
    life_power_plant: float = qty("duration", required=True, gt=0, bare="years")
    decay: float = qty("amount", required=True, gt=0)
    mfu: float = qty("fraction", required=True, gt=0, max=1)
    goodput: float = qty("fraction", required=True, gt=0, max=1)
    inference_utilisation: float = qty("fraction", required=True, gt=0, max=1)
    price_performance_doubling: float = qty("duration", required=True, gt=0, bare="years")
    energy_efficiency_doubling: float = qty("duration", required=True, gt=0, bare="years")
    discount_rate: float = qty("fraction", required=True, gt=-1, max=1)
    acquisition_lag: float = qty("duration", required=True, min=0, bare="years")
    commit_discount_1y: float = qty("fraction", required=True, min=0, max=0.95)
    commit_discount_3y: float = qty("fraction", required=True, min=0, max=0.95)
    cost_of_capital: float = qty("fraction", required=True, min=0, max=1)
    sold_utilisation: float = qty("fraction", required=True, gt=0, max=1)
    plan_max_days: float = qty("amount", required=True, gt=0)
    plan_reuse: float = qty("fraction", required=True, min=0, max=1)


class CpiSeries(Model):
    """A consumer price index by year, to restate money in one base year's dollars."""

    name: str = text("what the index is", required=True)
    index: Mapping[str, float] = mapping(item_qty("amount", gt=0), "index value by year")
    projection: float = qty("fraction", "yearly inflation after the last year given",
                            required=True, min=-0.5, max=1)
    source: str = text("where the index comes from", required=True)
    as_of: str = text("date of the source", required=True)


class SiteProfile(Model):
    """Power terms of a kind of site, for runs on capacity the scenario does not model."""

    name: str = text("what kind of site", required=True)
    pue: float = qty("amount", "power usage effectiveness", required=True, min=1, max=3)
    utilisation: Optional[float] = qty("fraction", "average draw as a share of peak power",
                                       min=0, max=1)
    electricity: Optional[float] = qty("energy_price", "price of electricity", min=0)
    source: str = text("where the profile comes from", required=True)
    as_of: str = text("date of the source", required=True)


class _AcceleratorFile(Model):
    reference: str = text("accelerator that projected generations start from", required=True,
                          ref="accelerator")
    accelerators: Mapping[str, Accelerator] = mapping(item_model(Accelerator))


class _ServerFile(Model):
    servers: Mapping[str, Server] = mapping(item_model(Server))


class _DefaultsFile(Model):
    defaults: Defaults = submodel(Defaults, required=True)


class _CpiFile(Model):
    cpi: CpiSeries = submodel(CpiSeries, required=True)


class _SitesFile(Model):
    sites: Mapping[str, SiteProfile] = mapping(item_model(SiteProfile))


class Catalog:
    """Accelerators, server types and defaults, as loaded from configs/catalog/."""

    def __init__(self, accelerators: Mapping[str, Accelerator], servers: Mapping[str, Server],
                 defaults: "Defaults", directory: str, reference: str,
                 cpi: Optional[CpiSeries] = None, sites: Optional[Mapping[str, SiteProfile]] = None):
        self.accelerators = accelerators
        self.servers = servers
        self.defaults = defaults
        self.directory = directory
        self.reference = reference
        self.cpi = cpi
        self.sites = dict(sites or {})

    def with_entries(self, accelerators=None, servers=None) -> "Catalog":
        """This catalog with accelerators and server types added or replaced (a scenario's own)."""
        if not accelerators and not servers:
            return self
        return Catalog({**self.accelerators, **dict(accelerators or {})},
                       {**self.servers, **dict(servers or {})}, self.defaults, self.directory,
                       self.reference, self.cpi, self.sites)

    def servers_of(self, accelerator: str):
        """(id, server) pairs of the server types that hold ``accelerator``, catalog order."""
        return [(k, s) for k, s in self.servers.items() if s.accelerator == accelerator]

    def default(self, name: str):
        """(value, source) of a default."""
        return getattr(self.defaults, name), self.defaults.sources.get(name, "")

    def with_values(self, values: Mapping[str, object]) -> "Catalog":
        """A copy with some values replaced, by path: 'servers.ID.price', 'defaults.pue',
        'accelerators.ID.peak.fp8' (numbers or per-sample arrays; see the loader's
        catalog_uncertainty)."""
        from types import MappingProxyType
        from .record import replace
        tables = {"accelerators": dict(self.accelerators), "servers": dict(self.servers)}
        defaults = {}
        for path, value in values.items():
            kind, _, rest = path.partition(".")
            if kind == "defaults":
                defaults[rest] = value
                continue
            eid, _, attr = rest.rpartition(".") if ".peak." not in rest else \
                (rest.split(".peak.")[0], None, rest)
            entry = tables[kind][eid]
            if ".peak." in path:
                prec = path.rsplit(".", 1)[1]
                tables[kind][eid] = replace(entry, peak=MappingProxyType(
                    dict(entry.peak, **{prec: value})))
            else:
                tables[kind][eid] = replace(entry, **{attr: value})
        return Catalog(MappingProxyType(tables["accelerators"]),
                       MappingProxyType(tables["servers"]),
                       replace(self.defaults, **defaults) if defaults else self.defaults,
                       self.directory, self.reference, self.cpi, self.sites)


def configs_dir() -> Path:
    """``configs/`` of a source checkout, or the copy installed inside the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "configs", here.parent / "configs"):
        if (candidate / "catalog").is_dir():
            return candidate
    raise ConfigError(Problem("the catalog folder configs/catalog was not found next to the "
                              "package; reinstall estimator", Mark(str(here))))


def load_catalog(directory: Optional[str] = None) -> Catalog:
    """Load and check the catalog. Raises :class:`ConfigError` listing every problem."""
    base = Path(directory) if directory else configs_dir() / "catalog"
    if not base.is_dir():
        raise ConfigError(Problem("the catalog folder " + ("does not exist" if not base.exists()
                                                            else "is not a folder"),
                                  Mark(str(directory)), hint="a catalog folder holds "
                                  "accelerators.yaml, servers.yaml and defaults.yaml"))
    out = Collector(allow_distributions=False)
    parts = {}
    for key, cls, fname in (("accelerators", _AcceleratorFile, "accelerators.yaml"),
                            ("servers", _ServerFile, "servers.yaml"),
                            ("defaults", _DefaultsFile, "defaults.yaml"),
                            ("cpi", _CpiFile, "cpi.yaml"),
                            ("sites", _SitesFile, "sites.yaml")):
        path = base / fname
        if key in OPTIONAL_FILES and not path.exists():
            parts[key] = None
            continue
        node = load_node(str(path), _display(path))
        obj = build_model(cls, node, (), out)
        parts[key] = None if obj is INVALID else getattr(obj, key)
        if key == "accelerators" and obj is not INVALID:
            parts["reference"] = obj.reference
        if key == "defaults" and obj is not INVALID:
            _check_default_sources(node, out)
    out.raise_if_any()
    accs, servers = parts["accelerators"] or {}, parts["servers"] or {}
    check_hardware(accs, servers, out, ())
    if parts["reference"] not in accs:
        out.add(f"unknown accelerator '{parts['reference']}'", None, ("reference",))
    if parts["cpi"] is not None:
        check_cpi(parts["cpi"], out)
    out.raise_if_any()
    return Catalog(accelerators=accs, servers=servers, defaults=parts["defaults"],
                   directory=str(base), reference=parts["reference"], cpi=parts["cpi"],
                   sites=parts["sites"])


def check_hardware(accs, servers, out, path: tuple, known_accs=None, all_servers=None) -> None:
    """Checks across entries: a server's accelerator exists; each accelerator's peaks are known
    precisions and it has a server type or a sourced ``chip_to_server`` power factor.

    ``known_accs`` (default ``accs``) are the accelerators a server may name and
    ``all_servers`` (default ``servers``) the server types that may hold an accelerator: a
    scenario's own entries are checked against the catalog they join. ``path`` prefixes the
    key paths.
    """
    from .config.refs import check_name
    for group, entries in (("accelerators", accs), ("servers", servers)):
        for eid, e in entries.items():      # ids become part of figure names
            check_name(out, eid, e.marks.get(""), path + (group, eid), "catalog id")
    known = accs if known_accs is None else known_accs
    for sid, s in servers.items():
        if s.accelerator not in known:
            out.add(f"unknown accelerator '{s.accelerator}'", s.marks.get("accelerator"),
                    path + ("servers", sid, "accelerator"), hint=did_you_mean(s.accelerator, known))
    held = {s.accelerator for s in (servers if all_servers is None else all_servers).values()}
    for aid, a in accs.items():
        for p in a.peak:
            if p not in PRECISIONS:
                out.add(f"unknown precision '{p}'", a.marks.get("peak"),
                        path + ("accelerators", aid, "peak", p),
                        expected="one of: " + ", ".join(PRECISIONS), hint=did_you_mean(p, PRECISIONS))
        if aid not in held and a.chip_to_server is None:
            out.add(f"accelerator '{aid}' has no server type and no 'chip_to_server' power factor",
                    a.marks.get(""), path + ("accelerators", aid),
                    expected="a server type holding it (servers.yaml) or chip_to_server: "
                             "{value: 1.8, source: ..., as_of: ...}",
                    hint="Epoch AI's default chip-to-server power ratio is 1.8 (training-cost-trends)")


def check_cpi(cpi: CpiSeries, out) -> None:
    """Years are four digits, consecutive and increasing."""
    years = []
    for y in cpi.index:
        if not re.fullmatch(r"(19|20|21)[0-9][0-9]", str(y)):
            out.add(f"'{y}' is not a year", cpi.marks.get("index"), ("cpi", "index", y),
                    expected="a year such as 2023")
        else:
            years.append(int(y))
    if years and sorted(years) != list(range(min(years), max(years) + 1)):
        out.add("the index needs every year from the first to the last, in order",
                cpi.marks.get("index"), ("cpi", "index"))


CATALOG_FILES = {"accelerators": _AcceleratorFile, "servers": _ServerFile,
                 "defaults": _DefaultsFile, "cpi": _CpiFile, "sites": _SitesFile}
#: catalog files a catalog folder may leave out (what needs them then says so)
OPTIONAL_FILES = ("cpi", "sites")


def is_catalog_file(node) -> bool:
    """Whether a YAML tree is one of the catalog's files (by its top-level key)."""
    return node.kind == "map" and any(k in node.value for k in CATALOG_FILES)


def validate_catalog_file(path: str) -> None:
    """Check one catalog file on its own (for `estimator validate configs/catalog/*.yaml`)."""
    node = load_node(path, _display(Path(path)))
    out = Collector(allow_distributions=False)
    key = next(k for k in CATALOG_FILES if k in node.value)
    build_model(CATALOG_FILES[key], node, (), out)   # entries require source: and as_of:
    if key == "defaults" and not out.problems:
        _check_default_sources(node, out)
    out.raise_if_any()


def _check_default_sources(node, out) -> None:
    """Every default is written {value:, source:, as_of:} (the model reads only the value)."""
    dnode = node.value["defaults"]
    for name in (f.name for f in fields(Defaults) if f.spec is not None):
        v = dnode.value.get(name)
        if v is not None and (v.kind != "map" or "source" not in v.value
                              or "as_of" not in v.value):
            out.add("a default needs {value:, source:, as_of:}", v.mark, ("defaults", name))


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)
