"""The catalog: accelerators, server types and sourced defaults, from ``configs/catalog/*.yaml``.

Every entry must carry ``source:`` and ``as_of:``; every default is written
``{value: ..., source: ..., as_of: ...}``. The catalog is read with the same
bounded loader and validated with the same specs as scenarios.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional

from .config.schema import Collector, INVALID, build_model
from .config.yamlsafe import load_node
from .errors import ConfigError, Mark, Problem, did_you_mean
from .model import Model
from .record import fields
from .spec import item_model, item_qty, mapping, qty, text, model as submodel


class Accelerator(Model):
    name: str = text("marketing name", required=True)
    vendor: str = text("maker", required=True)
    year: int = qty("count", "year of volume availability", required=True, min=2000, max=2100)
    peak: Mapping[str, float] = mapping(item_qty("throughput", gt=0), "dense peak by precision")
    memory: float = qty("bytes", "HBM capacity", required=True, gt=0)
    bandwidth: float = qty("bandwidth", "HBM bandwidth", required=True, gt=0)
    tdp: float = qty("power", "thermal design power", required=True, gt=0)
    price: Optional[float] = qty("money", "indicative price of one accelerator", min=0)
    rent: Optional[float] = qty("gpu_hour_price", "indicative on-demand rental price", min=0)
    source: str = text("where the specs come from", required=True)
    as_of: str = text("date of the source", required=True)


class Server(Model):
    name: str = text("marketing name", required=True)
    accelerator: str = text("accelerator it holds", required=True, ref="accelerator")
    accelerators: int = qty("count", "accelerators per server", required=True, min=1)
    price: float = qty("money", "price of the whole server including accelerators", required=True,
                       min=0)
    power: float = qty("power", "maximum power of the whole server", required=True, gt=0)
    per_rack: int = qty("count", "servers per rack", required=True, min=1)
    source: str = text("where the specs come from", required=True)
    as_of: str = text("date of the source", required=True)


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


class _AcceleratorFile(Model):
    reference: str = text("accelerator that projected generations start from", required=True,
                          ref="accelerator")
    accelerators: Mapping[str, Accelerator] = mapping(item_model(Accelerator))


class _ServerFile(Model):
    servers: Mapping[str, Server] = mapping(item_model(Server))


class _DefaultsFile(Model):
    defaults: Defaults = submodel(Defaults, required=True)


class Catalog:
    """Accelerators, server types and defaults, as loaded from configs/catalog/."""

    def __init__(self, accelerators: Mapping[str, Accelerator], servers: Mapping[str, Server],
                 defaults: "Defaults", directory: str, reference: str):
        self.accelerators = accelerators
        self.servers = servers
        self.defaults = defaults
        self.directory = directory
        self.reference = reference

    def default(self, name: str):
        """(value, source) of a default."""
        return getattr(self.defaults, name), self.defaults.sources.get(name, "")


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
    out = Collector(allow_distributions=False)
    parts = {}
    for key, cls, fname in (("accelerators", _AcceleratorFile, "accelerators.yaml"),
                            ("servers", _ServerFile, "servers.yaml"),
                            ("defaults", _DefaultsFile, "defaults.yaml")):
        path = base / fname
        node = load_node(str(path), _display(path))
        obj = build_model(cls, node, (), out)
        parts[key] = None if obj is INVALID else getattr(obj, key)
        if key == "accelerators" and obj is not INVALID:
            parts["reference"] = obj.reference
        if key == "defaults" and obj is not INVALID:
            _check_default_sources(node, out)
    out.raise_if_any()
    accs, servers = parts["accelerators"] or {}, parts["servers"] or {}
    for sid, s in servers.items():
        if s.accelerator not in accs:
            out.add(f"unknown accelerator '{s.accelerator}'", s.marks.get("accelerator"),
                    ("servers", sid, "accelerator"), hint=did_you_mean(s.accelerator, accs))
    if parts["reference"] not in accs:
        out.add(f"unknown accelerator '{parts['reference']}'", None, ("reference",))
    out.raise_if_any()
    return Catalog(accelerators=accs, servers=servers, defaults=parts["defaults"],
                   directory=str(base), reference=parts["reference"])


CATALOG_FILES = {"accelerators": _AcceleratorFile, "servers": _ServerFile,
                 "defaults": _DefaultsFile}


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
