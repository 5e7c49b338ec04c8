"""The base value of an 'uncertainty:' entry on a field the scenario leaves out.

``uncertainty: {fleets.pod.server_price: {p10: $250k, p90: $350k}}`` on a fleet whose
price comes from the catalog keeps the deterministic report on the catalog's price: the
distribution says how uncertain that price is, not what it is. :func:`rebase` sets each
such distribution's base to the value the engine uses when the field is absent (the
catalog entry, a sourced default, or the field's own default); the table below follows
the engine's ``pick`` calls, and a test checks every row against the engine.
"""
from __future__ import annotations

from types import MappingProxyType

from ..record import Record, replace

#: (model class, field) -> default name in configs/catalog/defaults.yaml
DEFAULT_OF = {
    ("Datacenter", k): k for k in ("pue", "construction", "grid_connection",
                                   "onsite_generation", "colocation", "electricity",
                                   "utilisation", "maintenance", "insurance", "property_tax",
                                   "building_size")
}
DEFAULT_OF.update({
    ("Staff", "per_mw"): "staff_per_mw", ("Staff", "cost_per_head"): "staff_cost",
    ("Fleet", "network_share"): "network_share",
    ("Fleet", "storage_per_accelerator"): "storage_per_accelerator",
    ("Run", "mfu"): "mfu", ("Run", "goodput"): "goodput",
    ("Inference", "utilisation"): "inference_utilisation",
    ("Trends", "price_performance_doubling"): "price_performance_doubling",
    ("Trends", "energy_efficiency_doubling"): "energy_efficiency_doubling",
    ("Depreciation", "decay"): "decay",
})


def _value(x):
    from ..distributions import Dist
    return x.base if isinstance(x, Dist) else x


def base_of(record, attr: str, scenario, catalog, site=None):
    """What the engine uses for ``record.attr`` when it is left out; None if nothing."""
    cls = type(record).__name__
    key = DEFAULT_OF.get((cls, attr))
    if key is not None:
        return catalog.default(key)[0]
    if cls == "Datacenter" and attr == "land":
        return _value(record.it_capacity) * catalog.default("land")[0]
    if cls == "Fleet" and record.server is not None and record.server in catalog.servers:
        server = catalog.servers[record.server]
        price = _value(record.server_price) if record.server_price is not None else server.price
        if attr == "server_price":
            return server.price
        if attr == "accelerator_price":
            return price / server.accelerators / catalog.default("server_factor")[0]
    if cls == "Fleet" and attr == "utilisation" and site is not None:
        return (_value(site.utilisation) if site.utilisation is not None
                else catalog.default("utilisation")[0])
    if cls == "Run" and attr == "start":           # a run without a start starts with the horizon
        return float(scenario.horizon.start.index)
    if cls == "Inference" and attr == "price":
        acc = catalog.accelerators.get(record.accelerator)
        return acc.rent if acc is not None else None
    field = type(record)._fields.get(attr) if isinstance(record, Record) else None
    default = getattr(field, "default", None)
    return default if isinstance(default, (int, float)) and not isinstance(default, bool) \
        else None


def rebase(scenario, catalog):
    """The scenario with every unset uncertain field's base set to what the engine uses."""
    from ..distributions import Dist
    sites = scenario.datacenters or {}

    def walk(obj):
        if isinstance(obj, Record):
            changes = {}
            for name in obj._fields:
                v = getattr(obj, name)
                if isinstance(v, Dist) and v.unset:
                    site = sites.get(obj.site) if type(obj).__name__ == "Fleet" and \
                        obj.site else None
                    base = base_of(obj, name, scenario, catalog, site)
                    if base is None:
                        from ..errors import ConfigError, Problem
                        raise ConfigError(Problem(
                            f"uncertainty: '{name}' is not written here and has no catalog "
                            "value or default to keep as the report's value", v.mark,
                            hint="write the field's value, or give 'base:' in the entry"))
                    changes[name] = v.rebased(float(base))
                else:
                    new = walk(v)
                    if new is not v:
                        changes[name] = new
            return replace(obj, **changes) if changes else obj
        if isinstance(obj, tuple):
            items = [walk(x) for x in obj]
            return tuple(items) if any(a is not b for a, b in zip(items, obj)) else obj
        if isinstance(obj, MappingProxyType):
            items = {k: walk(v) for k, v in obj.items()}
            return MappingProxyType(items) if any(items[k] is not obj[k] for k in obj) else obj
        return obj
    return walk(scenario)
