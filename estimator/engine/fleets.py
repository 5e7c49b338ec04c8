"""Fleets: accelerators into servers and racks, capex lines and power; or accelerators rented.

Each fleet of the scenario becomes a :class:`Fleet` holding named values; training
runs on a fleet and the monthly series read them from there.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np

from ..errors import CapacityError, ConfigError, Problem
from ..result import total
from ..units import format_quantity
from . import fleet as fl, owners
from .context import Context
from .sites import size_leases
from .inputs import source_of
from .ledger import Val


class Fleet:
    """One fleet, owned (on a site, with capex) or rented (by the accelerator-hour)."""

    def __init__(self, name: str, spec, owned: bool):
        self.name = name
        self.spec = spec                          # the scenario's Fleet
        self.owned = owned
        self.prefix = f"inputs.fleets.{name}"
        self.accelerator = ""                     # catalog id of its accelerator
        self.accelerators: Val = None
        self.delivery: Tuple[int, int] = (0, 1)   # (start offset, months)
        # owned
        self.site = None                          # the Site that hosts it
        self.capex: Dict[str, Val] = {}           # accelerators, servers, network, storage
        self.capex_total: Optional[Val] = None
        self.it_w: Optional[Val] = None
        self.facility_w: Optional[Val] = None
        self.utilisation: Optional[Val] = None
        # rented
        self.price: Optional[Val] = None
        self.discount: Optional[Val] = None
        # set by the monthly series
        self.online = None                        # share delivered, each month
        self.energy_wh = None                     # facility energy, each month
        self.it_energy_wh = None                  # IT energy, each month

    @property
    def delivered(self) -> int:
        """Offset of the month its last accelerators arrive."""
        return self.delivery[0] + self.delivery[1] - 1


def build_fleets(ctx: Context) -> None:
    """Record every fleet; keep them as :class:`Fleet` in ``ctx``; check site capacity."""
    for name, spec in (ctx.scenario.fleets or {}).items():
        if spec.rent is not None or spec.acquire not in (None, "owned"):
            fleet = _rented(ctx, name, spec)
        else:
            fleet = _owned(ctx, name, spec)
        ctx.fleets[name] = fleet
    for site in size_leases(ctx):   # leases sized to their fleets: unit costs once sized
        for fleet in site.fleets if ctx.detail else ():
            owners.record(ctx, fleet)
    _check_capacity(ctx)


def _owned(ctx: Context, name: str, spec) -> Fleet:
    fleet = Fleet(name, spec, owned=True)
    server = ctx.catalog.servers[spec.server]
    fleet.accelerator = server.accelerator
    per = ctx.inputs.catalog_value(f"{fleet.prefix}.accelerators_per_server", server, "server",
                                   spec.server, "accelerators", "count")
    servers = _counts(ctx, fleet, server, per)
    _capex(ctx, fleet, server, per, servers)
    _power(ctx, fleet, server, servers)
    site = fleet.site = ctx.sites[spec.site]
    fleet.utilisation = (ctx.inputs.given(f"{fleet.prefix}.utilisation", spec, "utilisation",
                                          "fraction")
                         if spec.utilisation is not None else site.utilisation)
    if spec.delivery is not None:
        fleet.delivery = (ctx.offset(spec.delivery.start), spec.delivery.months)
    else:
        fleet.delivery = (site.ready, 1)
    if fleet.delivery[0] < site.ready:
        ctx.rec.warn(f"fleet '{name}' starts arriving in {ctx.month_name(fleet.delivery[0])}, "
                     f"before site '{spec.site}' is ready in {ctx.month_name(site.ready)}")
    site.fleets.append(fleet)
    if ctx.detail and site.it is not None:
        owners.record(ctx, fleet)
    return fleet


def _counts(ctx: Context, fleet: Fleet, server, per: Val) -> Val:
    """Accelerators (given, or from servers or racks), servers and racks."""
    rec, spec, p, q = ctx.rec, fleet.spec, fleet.prefix, f"fleets.{fleet.name}"
    if spec.accelerators is not None:
        fleet.accelerators = ctx.inputs.given(f"{q}.accelerators", spec, "accelerators", "count")
    elif spec.servers is not None:
        count = ctx.inputs.given(f"{p}.servers", spec, "servers", "count")
        fleet.accelerators = rec.derive(f"{q}.accelerators", fl.accelerators_in_servers, count,
                                        per, unit="count")
    else:
        racks = ctx.inputs.given(f"{p}.racks", spec, "racks", "count")
        per_rack = ctx.inputs.catalog_value(f"{p}.servers_per_rack", server, "server",
                                            spec.server, "per_rack", "count")
        fleet.accelerators = rec.derive(f"{q}.accelerators", fl.accelerators_in_racks, racks,
                                        per_rack, per, unit="count")
    servers = rec.derive(f"{q}.servers", fl.servers_needed, fleet.accelerators, per, unit="count")
    per_rack = ctx.inputs.catalog_value(f"{p}.servers_per_rack", server, "server", spec.server,
                                        "per_rack", "count")
    rec.derive(f"{q}.racks", fl.racks_needed, servers, per_rack, unit="count")
    return servers


def _prices(ctx: Context, fleet: Fleet, server, per: Val) -> Tuple[Val, Val]:
    """Server price and accelerator price: given, or the catalog's (Epoch AI's split)."""
    spec, p = fleet.spec, fleet.prefix
    if spec.server_price is not None:
        server_price = ctx.inputs.given(f"{p}.server_price_usd", spec, "server_price", "money")
    elif spec.accelerator_price is not None:   # the rest of the server keeps its catalog price
        listed = ctx.inputs.catalog_value(f"{p}.catalog_server_price_usd", server, "server",
                                          spec.server, "price", "money")
        factor = ctx.inputs.default(f"{p}.server_factor", "server_factor", "amount")
        acc_price = ctx.inputs.given(f"{p}.accelerator_price_usd", spec, "accelerator_price",
                                     "money")
        listed_acc = ctx.rec.compute(fl.accelerator_price_from_server_usd, listed, per, factor)
        return ctx.rec.derive(f"{p}.server_price_usd", fl.server_price_usd, listed, per,
                              listed_acc, acc_price, unit="money"), acc_price
    else:
        server_price = ctx.inputs.catalog_value(f"{p}.server_price_usd", server, "server",
                                                spec.server, "price", "money")
    if spec.accelerator_price is not None:
        acc_price = ctx.inputs.given(f"{p}.accelerator_price_usd", spec, "accelerator_price",
                                     "money")
    else:
        factor = ctx.inputs.default(f"{p}.server_factor", "server_factor", "amount")
        acc_price = ctx.rec.derive(f"{p}.accelerator_price_usd",
                                   fl.accelerator_price_from_server_usd, server_price, per,
                                   factor, unit="money")
    return server_price, acc_price


def _capex(ctx: Context, fleet: Fleet, server, per: Val, servers: Val) -> None:
    rec, spec, p, q = ctx.rec, fleet.spec, fleet.prefix, f"capex.fleets.{fleet.name}"
    server_price, acc_price = _prices(ctx, fleet, server, per)
    share = ctx.inputs.pick(f"{p}.network_share", spec, "network_share", "network_share",
                            "fraction")
    storage = ctx.inputs.pick(f"{p}.storage_per_accelerator_usd", spec, "storage_per_accelerator",
                              "storage_per_accelerator", "money")
    acc = rec.derive(f"{q}.accelerators_usd", fl.accelerators_capex_usd, fleet.accelerators,
                     acc_price, unit="money")
    rest = rec.derive(f"{q}.servers_usd", fl.server_rest_capex_usd, servers, server_price, per,
                      acc_price, unit="money")
    network = rec.record(f"{q}.network_usd", fl.network_capex_usd(acc.value + rest.value,
                                                                   share.value),
                         "money", fl.network_capex_usd.formula, [acc, rest, share])
    stor = rec.derive(f"{q}.storage_usd", fl.storage_capex_usd, fleet.accelerators, storage,
                      unit="money")
    fleet.capex = {"accelerators": acc, "servers": rest, "network": network, "storage": stor}
    fleet.capex_total = rec.total(f"{q}.total_usd", fleet.capex.values(), "money",
                                  "sum of the fleet's capex lines")


def _power(ctx: Context, fleet: Fleet, server, servers: Val) -> None:
    rec, spec, p, q = ctx.rec, fleet.spec, fleet.prefix, f"power.fleets.{fleet.name}"
    server_w = ctx.inputs.catalog_value(f"{p}.server_power_w", server, "server", spec.server,
                                        "power", "power")
    share = ctx.inputs.default(f"{p}.network_power_share", "network_power_share", "fraction")
    fleet.it_w = rec.derive(f"{q}.it_w", fl.it_power_w, servers, server_w, share, unit="power")
    pue = ctx.sites[spec.site].pue
    fleet.facility_w = rec.derive(f"{q}.facility_w", fl.facility_power_w, fleet.it_w, pue,
                                  unit="power")
    rec.derive(f"{q}.per_accelerator_w", fl.per_accelerator_w, fleet.facility_w,
               fleet.accelerators, unit="power")


def _rented(ctx: Context, name: str, spec) -> Fleet:
    fleet = Fleet(name, spec, owned=False)
    fleet.accelerator = spec.accelerator or ctx.catalog.servers[spec.server].accelerator
    fleet.accelerators = ctx.inputs.given(f"fleets.{name}.accelerators", spec, "accelerators",
                                          "count")
    p = fleet.prefix
    if spec.rent is not None:
        fleet.price = ctx.inputs.given(f"{p}.rent_price_usd_per_hour", spec.rent, "price",
                                       "gpu_hour_price")
        fleet.discount = ctx.inputs.given(f"{p}.rent_discount", spec.rent, "discount", "fraction")
    elif spec.acquire == "rented":          # on demand at the catalog's price
        fleet.price = ctx.inputs.rent_price(fleet.accelerator)
        if fleet.price is None:
            raise ConfigError(Problem(
                f"fleet '{name}' is acquired 'rented' but the catalog has no rental price for "
                f"'{fleet.accelerator}'", spec.marks.get("acquire"), ("fleets", name, "acquire"),
                hint="write it as 'rent: {price: ...}'"))
        fleet.discount = ctx.rec.input(f"{p}.rent_discount", 0.0, "fraction",
                                       source_of(spec, "acquire") + ": on demand, no discount")
    else:                                   # on a contract: its payments are the cost
        fleet.price = ctx.rec.input(f"{p}.rent_price_usd_per_hour", 0.0, "gpu_hour_price",
                                    source_of(spec, "acquire") + f": paid under contract "
                                    f"'{spec.acquire}'")
        fleet.discount = ctx.rec.input(f"{p}.rent_discount", 0.0, "fraction",
                                       source_of(spec, "acquire"))
    if spec.delivery is not None:
        fleet.delivery = (ctx.offset(spec.delivery.start), spec.delivery.months)
    return fleet


def _check_capacity(ctx: Context) -> None:
    """The fleets at a site must fit its IT capacity (checked on the deterministic scenario)."""
    problems: List[Problem] = []
    for name, site in ctx.sites.items():
        if not site.fleets or site.it is None:   # None: a lease sized to its fleets
            continue
        need = total(fleet.it_w.value for fleet in site.fleets)
        if np.ndim(need) or np.ndim(site.it.value):
            continue  # sampled inputs: checked on the deterministic scenario
        if need > site.it.value * (1 + 1e-9):
            over = need - site.it.value
            problems.append(Problem(
                f"fleets at datacenter '{name}' "
                f"({', '.join(fleet.name for fleet in site.fleets)}) need "
                f"{format_quantity(need, 'power')} of IT power; its it_capacity is "
                f"{format_quantity(site.it.value, 'power')}: {format_quantity(over, 'power')} over",
                site.spec.marks.get("it_capacity"), ("datacenters", name, "it_capacity"),
                hint="raise it_capacity, move a fleet to another site, or shrink the fleet"))
    if problems:
        raise CapacityError(problems)
