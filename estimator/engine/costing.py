"""The costing rollup: sites and fleets into capex, opex, power, depreciation and monthly cash.

This module wires the model to the pure functions in :mod:`.fleet`,
:mod:`.datacenter` and :mod:`.cashflow`, recording every figure in a
:class:`~estimator.result.Ledger` with its formula, inputs and sources.
"""
from __future__ import annotations

from typing import Dict, List

import numpy as np

from ..errors import CapacityError, Problem
from ..result import Ledger, total
from ..units import HOURS_PER_MONTH, format_quantity
from . import cashflow, datacenter as dc, fleet as fl
from .cashflow import as_column


def source_of(obj, attr: str) -> str:
    """Where a scenario value was written, with the source it cites if any."""
    mark = obj.marks.get(attr) or obj.marks.get("")
    text = str(mark) if mark else "scenario"
    cited = obj.sources.get(attr)
    return f"{text} ({cited})" if cited else text


class Context:
    """What every part of the estimate needs: the scenario, the catalog, the ledger, the timeline."""

    def __init__(self, scenario, catalog, ledger: Ledger, n: int, start: int, detail: bool = True):
        self.scenario = scenario
        self.catalog = catalog
        self.ledger = ledger
        self.n = n                  # months in the horizon
        self.start = start          # month index of the horizon's first month
        self.detail = detail        # False: skip figures that only describe (Monte Carlo)
        self.sites: Dict[str, dict] = {}
        self.fleets: Dict[str, dict] = {}

    def month(self, m) -> int:
        """Month offset from the horizon's start."""
        return m.index - self.start

    def pick(self, name: str, obj, attr: str, default: str, unit: str):
        """A scenario value if given, else the sourced default; recorded as an input figure."""
        v = getattr(obj, attr, None) if obj is not None else None
        if v is not None:
            return self.ledger.input(name, v, unit, source_of(obj, attr))
        value, src = self.catalog.default(default)
        return self.ledger.input(name, value, unit, f"default '{default}' "
                                 f"(configs/catalog/defaults.yaml): {src}")

    def given(self, name: str, obj, attr: str, unit: str):
        return self.ledger.input(name, getattr(obj, attr), unit, source_of(obj, attr))

    def catalog_input(self, name: str, entry, kind: str, key: str, attr: str, unit: str):
        src = f"catalog {kind} '{key}': {entry.source} ({entry.as_of})"
        cited = entry.sources.get(attr)
        if cited:
            src = f"catalog {kind} '{key}' {attr}: {cited}"
        return self.ledger.input(name, getattr(entry, attr), unit, src)


def estimate_costs(ctx: Context) -> None:
    _sites(ctx)
    _fleets(ctx)
    _check_capacity(ctx)
    _series(ctx)


# --------------------------------------------------------------------------- sites

def _sites(ctx: Context) -> None:
    s, L = ctx.scenario, ctx.ledger
    for name, site in (s.datacenters or {}).items():
        p = f"inputs.datacenters.{name}"
        it = ctx.given(f"{p}.it_capacity_w", site, "it_capacity", "power")
        pue = ctx.pick(f"{p}.pue", site, "pue", "pue", "amount")
        info = {"site": site, "it": it, "pue": pue, "lines": {}, "fleets": []}
        build = site.build
        start = ctx.month(build.start) if build else 0
        if site.mode == "build":
            months = build.months if build else int(ctx.catalog.defaults.build_months)
            info["ready"] = start + months
            info["build"] = (start, months)
            rate = ctx.pick(f"{p}.construction_usd_per_w", site, "construction", "construction",
                            "usd_per_w")
            c = L.add(f"capex.datacenters.{name}.construction_usd",
                      dc.construction_capex_usd(it, rate), "money",
                      "IT capacity x construction cost per watt of IT",
                      [f"{p}.it_capacity_w", f"{p}.construction_usd_per_w"])
            if site.land is not None:
                land = ctx.given(f"capex.datacenters.{name}.land_usd", site, "land", "money")
            else:
                lrate = ctx.pick(f"{p}.land_usd_per_w", None, "land", "land", "usd_per_w")
                land = L.add(f"capex.datacenters.{name}.land_usd", dc.land_capex_usd(it, lrate),
                             "money", "IT capacity x land cost per watt of IT",
                             [f"{p}.it_capacity_w", f"{p}.land_usd_per_w"])
            key = "grid_connection" if site.power_source == "grid" else "onsite_generation"
            prate = ctx.pick(f"{p}.{key}_usd_per_w", site, key, key, "usd_per_w")
            pw = L.add(f"capex.datacenters.{name}.power_usd", dc.power_capex_usd(it, pue, prate),
                       "money", f"IT capacity x PUE x {key.replace('_', ' ')} cost per watt",
                       [f"{p}.it_capacity_w", f"{p}.pue", f"{p}.{key}_usd_per_w"])
            info["lines"] = {"construction": c, "land": land, "power": pw}
            size = ctx.pick(f"{p}.building_size_w", site, "building_size", "building_size", "power")
            L.add(f"datacenters.{name}.buildings", dc.buildings_needed(it, size), "count",
                  "IT capacity / IT capacity of one building, rounded up",
                  [f"{p}.it_capacity_w", f"{p}.building_size_w"])
        else:
            info["ready"] = start
            info["colocation"] = ctx.pick(f"{p}.colocation_usd_per_w_month", site, "colocation",
                                          "colocation", "usd_per_w_month")
        for attr in ("electricity", "utilisation", "maintenance", "insurance", "property_tax"):
            unit = "energy_price" if attr == "electricity" else "fraction"
            info[attr] = ctx.pick(f"{p}.{attr}", site, attr, attr, unit)
        staff = site.staff
        if staff is not None and staff.headcount is not None:
            info["headcount"] = ctx.given(f"{p}.staff_headcount", staff, "headcount", "count")
            info["headcount_inputs"] = [f"{p}.staff_headcount"]
        else:
            per_mw = ctx.pick(f"{p}.staff_per_mw", staff, "per_mw", "staff_per_mw", "amount")
            info["headcount"] = L.add(f"datacenters.{name}.staff", per_mw * it / 1e6, "amount",
                                      "staff per MW x IT capacity in MW",
                                      [f"{p}.staff_per_mw", f"{p}.it_capacity_w"])
            info["headcount_inputs"] = [f"datacenters.{name}.staff"]
        info["staff_cost"] = ctx.pick(f"{p}.staff_cost_usd_per_year", staff, "cost_per_head",
                                      "staff_cost", "usd_per_year")
        ctx.sites[name] = info


# --------------------------------------------------------------------------- fleets

def _fleets(ctx: Context) -> None:
    s, L, cat = ctx.scenario, ctx.ledger, ctx.catalog
    for name, f in (s.fleets or {}).items():
        p = f"inputs.fleets.{name}"
        if f.rent is not None:
            _rented_fleet(ctx, name, f)
            continue
        server = cat.servers[f.server]
        per = ctx.catalog_input(f"{p}.accelerators_per_server", server, "server", f.server,
                                "accelerators", "count")
        if f.accelerators is not None:
            n_acc = ctx.given(f"fleets.{name}.accelerators", f, "accelerators", "count")
        elif f.servers is not None:
            ns = ctx.given(f"{p}.servers", f, "servers", "count")
            n_acc = L.add(f"fleets.{name}.accelerators", ns * per, "count",
                          "servers x accelerators per server",
                          [f"{p}.servers", f"{p}.accelerators_per_server"])
        else:
            nr = ctx.given(f"{p}.racks", f, "racks", "count")
            pr = ctx.catalog_input(f"{p}.servers_per_rack", server, "server", f.server,
                                   "per_rack", "count")
            n_acc = L.add(f"fleets.{name}.accelerators", nr * pr * per, "count",
                          "racks x servers per rack x accelerators per server",
                          [f"{p}.racks", f"{p}.servers_per_rack", f"{p}.accelerators_per_server"])
        servers = L.add(f"fleets.{name}.servers", fl.servers_needed(n_acc, per), "count",
                        "accelerators / accelerators per server, rounded up",
                        [f"fleets.{name}.accelerators", f"{p}.accelerators_per_server"])
        pr = ctx.catalog_input(f"{p}.servers_per_rack", server, "server", f.server, "per_rack",
                               "count")
        L.add(f"fleets.{name}.racks", fl.racks_needed(servers, pr), "count",
              "servers / servers per rack, rounded up",
              [f"fleets.{name}.servers", f"{p}.servers_per_rack"])
        # prices
        if f.server_price is not None:
            sprice = ctx.given(f"{p}.server_price_usd", f, "server_price", "money")
        else:
            sprice = ctx.catalog_input(f"{p}.server_price_usd", server, "server", f.server,
                                       "price", "money")
        if f.accelerator_price is not None:
            aprice = ctx.given(f"{p}.accelerator_price_usd", f, "accelerator_price", "money")
        else:
            # Epoch AI's method: a server costs ~1.64x its accelerators, so the accelerators'
            # part of a quoted server price is price / (accelerators x factor)
            factor = ctx.pick(f"{p}.server_factor", None, "server_factor", "server_factor",
                              "amount")
            aprice = L.add(f"{p}.accelerator_price_usd", sprice / per / factor, "money",
                           "server price / accelerators per server / server factor "
                           "(Epoch AI: a server costs ~1.64x its accelerators)",
                           [f"{p}.server_price_usd", f"{p}.accelerators_per_server",
                            f"{p}.server_factor"])
        share = ctx.pick(f"{p}.network_share", f, "network_share", "network_share", "fraction")
        storage = ctx.pick(f"{p}.storage_per_accelerator_usd", f, "storage_per_accelerator",
                           "storage_per_accelerator", "money")
        q = f"capex.fleets.{name}"
        a_usd = L.add(f"{q}.accelerators_usd", fl.accelerators_capex_usd(n_acc, aprice), "money",
                      "accelerators x price of one accelerator",
                      [f"fleets.{name}.accelerators", f"{p}.accelerator_price_usd"])
        s_usd = L.add(f"{q}.servers_usd",
                      fl.server_rest_capex_usd(servers, sprice, per, aprice), "money",
                      "servers x (server price - accelerators per server x accelerator price)",
                      [f"fleets.{name}.servers", f"{p}.server_price_usd",
                       f"{p}.accelerators_per_server", f"{p}.accelerator_price_usd"])
        n_usd = L.add(f"{q}.network_usd", fl.network_capex_usd(a_usd + s_usd, share), "money",
                      "(accelerators + servers) x network share / (1 - network share)",
                      [f"{q}.accelerators_usd", f"{q}.servers_usd", f"{p}.network_share"])
        st_usd = L.add(f"{q}.storage_usd", fl.storage_capex_usd(n_acc, storage), "money",
                       "accelerators x storage per accelerator",
                       [f"fleets.{name}.accelerators", f"{p}.storage_per_accelerator_usd"])
        lines = {"accelerators": a_usd, "servers": s_usd, "network": n_usd, "storage": st_usd}
        L.add(f"{q}.total_usd", total(lines.values()), "money", "sum of the fleet's capex lines",
              [f"{q}.{k}_usd" for k in lines])
        # power
        spower = ctx.catalog_input(f"{p}.server_power_w", server, "server", f.server, "power",
                                   "power")
        nps, src = cat.default("network_power_share")
        L.input(f"{p}.network_power_share", nps, "fraction",
                f"default 'network_power_share' (configs/catalog/defaults.yaml): {src}")
        it = L.add(f"power.fleets.{name}.it_w", fl.it_power_w(servers, spower, nps), "power",
                   "servers x server power x (1 + network and storage power share)",
                   [f"fleets.{name}.servers", f"{p}.server_power_w", f"{p}.network_power_share"])
        site = ctx.sites[f.site]
        fac = L.add(f"power.fleets.{name}.facility_w", fl.facility_power_w(it, site["pue"]), "power",
                    "IT power x PUE of its site",
                    [f"power.fleets.{name}.it_w", f"inputs.datacenters.{f.site}.pue"])
        L.add(f"power.fleets.{name}.per_accelerator_w", fac / np.maximum(n_acc, 1), "power",
              "facility power / accelerators (all-in: server, CPU, network, cooling share)",
              [f"power.fleets.{name}.facility_w", f"fleets.{name}.accelerators"])
        util = ctx.pick(f"{p}.utilisation", f, "utilisation", "utilisation", "fraction") \
            if f.utilisation is not None else site["utilisation"]
        if f.delivery is not None:
            d_start, d_months = ctx.month(f.delivery.start), f.delivery.months
        else:
            d_start, d_months = site["ready"], 1
        if d_start < site["ready"]:
            ctx.ledger.warn(f"fleet '{name}' starts arriving in "
                            f"{_month_name(ctx, d_start)}, before site '{f.site}' is ready in "
                            f"{_month_name(ctx, site['ready'])}")
        site["fleets"].append(name)
        ctx.fleets[name] = {"fleet": f, "owned": True, "accelerators": n_acc, "lines": lines,
                            "it": it, "site": f.site, "delivery": (d_start, d_months),
                            "util": util, "accelerator": server.accelerator,
                            "util_name": (f"{p}.utilisation" if f.utilisation is not None
                                          else f"inputs.datacenters.{f.site}.utilisation")}


def _rented_fleet(ctx: Context, name: str, f) -> None:
    cat = ctx.catalog
    p = f"inputs.fleets.{name}"
    acc_id = f.accelerator or cat.servers[f.server].accelerator
    n_acc = ctx.given(f"fleets.{name}.accelerators", f, "accelerators", "count")
    price = ctx.given(f"{p}.rent_price_usd_per_hour", f.rent, "price", "gpu_hour_price")
    disc = ctx.given(f"{p}.rent_discount", f.rent, "discount", "fraction")
    if f.delivery is not None:
        d = (ctx.month(f.delivery.start), f.delivery.months)
    else:
        d = (0, 1)
    ctx.fleets[name] = {"fleet": f, "owned": False, "accelerators": n_acc, "price": price,
                        "discount": disc, "delivery": d, "accelerator": acc_id, "lines": {}}


def _month_name(ctx: Context, offset: int) -> str:
    from ..model import Month
    return str(Month.from_index(ctx.start + offset))


def _check_capacity(ctx: Context) -> None:
    problems: List[Problem] = []
    for name, site in ctx.sites.items():
        if not site["fleets"]:
            continue
        need = total(ctx.fleets[f]["it"] for f in site["fleets"])
        if np.ndim(need) or np.ndim(site["it"]):
            continue  # sampled inputs: checked on the deterministic scenario
        if need > site["it"] * (1 + 1e-9):
            over = need - site["it"]
            problems.append(Problem(
                f"fleets at datacenter '{name}' ({', '.join(site['fleets'])}) need "
                f"{format_quantity(need, 'power')} of IT power; its it_capacity is "
                f"{format_quantity(site['it'], 'power')}: {format_quantity(over, 'power')} over",
                site["site"].marks.get("it_capacity"), ("datacenters", name, "it_capacity"),
                hint="raise it_capacity, move a fleet to another site, or shrink the fleet"))
    if problems:
        raise CapacityError(problems)


# --------------------------------------------------------------------------- monthly series

CLASSES = ("accelerators", "network", "buildings", "power_plant")
_CLASS_OF = {"accelerators": "accelerators", "servers": "accelerators", "network": "network",
             "storage": "network", "construction": "buildings", "power": "power_plant"}


def _series(ctx: Context) -> None:
    L, n, s = ctx.ledger, ctx.n, ctx.scenario
    zero = np.zeros(n)
    capex_lines = {k: zero for k in ("accelerators", "servers", "network", "storage",
                                     "construction", "land", "power")}
    in_service = {c: zero for c in CLASSES}
    opex = {k: zero for k in ("electricity", "maintenance", "staff", "insurance", "property_tax",
                              "colocation", "rental")}
    energy = zero
    outside = []
    site_base = {}
    for name, site in ctx.sites.items():
        base_in_service = zero
        if "build" in site:
            start, months = site["build"]
            share = cashflow.outside_share(start, months, n)
            if share > 0:
                outside.append(f"site '{name}' ({share:.0%} of its build)")
            ready = cashflow.step(site["ready"], n)
            for line, amount in site["lines"].items():
                # land is bought when the build starts; the rest is spent over the build
                sched = cashflow.spread(amount, start, 1 if line == "land" else months, n)
                capex_lines[line] = capex_lines[line] + sched
                if line in _CLASS_OF:
                    svc = np.asarray(amount, dtype=float)[..., None] * (
                        np.arange(n) == site["ready"]).astype(float)
                    in_service[_CLASS_OF[line]] = in_service[_CLASS_OF[line]] + svc
                    base_in_service = base_in_service + svc
            facility = site["lines"]["construction"] + site["lines"]["power"]
            opex["maintenance"] = opex["maintenance"] + as_column(dc.rate_usd_per_month(
                facility, site["maintenance"])) * ready
        else:
            ready = cashflow.step(site["ready"], n)
            opex["colocation"] = opex["colocation"] + as_column(dc.colocation_usd_per_month(
                site["it"], site["colocation"])) * ready
        opex["staff"] = opex["staff"] + as_column(dc.staff_usd_per_month(
            site["headcount"], site["staff_cost"])) * ready
        site_base[name] = base_in_service
    for name, f in ctx.fleets.items():
        start, months = f["delivery"]
        share = cashflow.outside_share(start, months, n)
        if share > 0:
            outside.append(f"fleet '{name}' ({share:.0%} of its delivery)")
        online = cashflow.ramp(start, months, n)
        if not f["owned"]:
            rent = as_column(f["accelerators"] * HOURS_PER_MONTH * f["price"] * (1 - f["discount"]))
            opex["rental"] = opex["rental"] + rent * online
            continue
        site = ctx.sites[f["site"]]
        for line, amount in f["lines"].items():
            sched = cashflow.spread(amount, start, months, n)
            capex_lines[line] = capex_lines[line] + sched
            in_service[_CLASS_OF[line]] = in_service[_CLASS_OF[line]] + sched
            site_base[f["site"]] = site_base[f["site"]] + sched
        e = dc.energy_wh(as_column(f["it"]) * online, as_column(f["util"]), as_column(site["pue"]))
        energy = energy + e
        opex["electricity"] = opex["electricity"] + dc.electricity_usd(e, as_column(site["electricity"]))
    for name, site in ctx.sites.items():
        base = np.cumsum(site_base[name], axis=-1)
        opex["insurance"] = opex["insurance"] + dc.rate_usd_per_month(base, as_column(site["insurance"]))
        opex["property_tax"] = opex["property_tax"] + dc.rate_usd_per_month(
            base, as_column(site["property_tax"]))
    if outside:
        L.warn("capex outside the horizon is left out of the monthly series: " + ", ".join(outside))

    # capex totals (whole schedule, inside the horizon or not)
    fleet_names = [k for k, f in ctx.fleets.items() if f["owned"]]
    for line in ("accelerators", "servers", "network", "storage"):
        L.add(f"capex.{line}_usd", total(ctx.fleets[k]["lines"][line] for k in fleet_names),
              "money", f"sum over fleets of their {line} capex",
              [f"capex.fleets.{k}.{line}_usd" for k in fleet_names])
    builds = [k for k, st in ctx.sites.items() if "build" in st]
    for line in ("construction", "land", "power"):
        L.add(f"capex.{line}_usd", total(ctx.sites[k]["lines"][line] for k in builds), "money",
              f"sum over datacenters of their {line} capex",
              [f"capex.datacenters.{k}.{line}_usd" for k in builds])
    for k in builds:
        lines = ctx.sites[k]["lines"]
        L.add(f"capex.datacenters.{k}.total_usd", total(lines.values()), "money",
              "sum of the datacenter's capex lines",
              [f"capex.datacenters.{k}.{ln}_usd" for ln in lines])
    cap_names = ["accelerators", "servers", "network", "storage", "construction", "land", "power"]
    L.add("capex.total_usd", total(L.result.figures[f"capex.{k}_usd"].value for k in cap_names),
          "money", "sum of the capex lines", [f"capex.{k}_usd" for k in cap_names], headline=True)
    owned = [ctx.fleets[k] for k in fleet_names]
    L.add("fleets.accelerators", total(f["accelerators"] for f in ctx.fleets.values()), "count",
          "sum of accelerators over fleets (owned and rented)",
          [f"fleets.{k}.accelerators" for k in ctx.fleets])
    L.add("power.it_w", total(f["it"] for f in owned), "power", "sum of the fleets' IT power",
          [f"power.fleets.{k}.it_w" for k in fleet_names], headline=True)
    L.add("power.facility_w", total(L.result.figures[f"power.fleets.{k}.facility_w"].value
                                    for k in fleet_names), "power",
          "sum of the fleets' facility power", [f"power.fleets.{k}.facility_w" for k in fleet_names],
          headline=True)
    L.add("power.site_capacity_w", total(st["it"] for st in ctx.sites.values()), "power",
          "sum of the datacenters' IT capacity",
          [f"inputs.datacenters.{k}.it_capacity_w" for k in ctx.sites])

    # monthly series
    for line, series in capex_lines.items():
        L.add(f"monthly.capex.{line}_usd", series, "money",
              f"{line} capex spread over its build or delivery months", [f"capex.{line}_usd"],
              series=True)
    capex_m = L.add("monthly.capex_usd", total(capex_lines.values()), "money",
                    "sum of the monthly capex lines",
                    [f"monthly.capex.{k}_usd" for k in capex_lines], series=True)
    opex_inputs = {
        "electricity": ["monthly.energy_wh"] + [f"inputs.datacenters.{k}.electricity"
                                                for k in ctx.sites],
        "maintenance": [f"inputs.datacenters.{k}.maintenance" for k in ctx.sites]
        + ["capex.construction_usd", "capex.power_usd"],
        "staff": [x for st in ctx.sites.values() for x in st["headcount_inputs"]]
        + [f"inputs.datacenters.{k}.staff_cost_usd_per_year" for k in ctx.sites],
        "insurance": [f"inputs.datacenters.{k}.insurance" for k in ctx.sites] + ["capex.total_usd"],
        "property_tax": [f"inputs.datacenters.{k}.property_tax" for k in ctx.sites]
        + ["capex.total_usd"],
        "colocation": [f"inputs.datacenters.{k}.colocation_usd_per_w_month" for k in ctx.sites
                       if "colocation" in ctx.sites[k]],
        "rental": [f"inputs.fleets.{k}.rent_price_usd_per_hour" for k, f in ctx.fleets.items()
                   if not f["owned"]],
    }
    formulas = {
        "electricity": "facility energy each month x electricity price",
        "maintenance": "facility capex (construction + power) x yearly maintenance rate / 12, "
                       "from the month the site is ready",
        "staff": "staff x loaded cost per person / 12, from the month the site is ready",
        "insurance": "capex in service x yearly insurance rate / 12",
        "property_tax": "capex in service x yearly property tax rate / 12",
        "colocation": "contracted IT capacity x colocation price per W-month, from the lease start",
        "rental": "rented accelerators online x hours per month x price x (1 - discount)",
    }
    L.add("monthly.energy_wh", energy, "energy",
          "fleets' IT power online x utilisation x PUE x hours in the month",
          [f"power.fleets.{k}.it_w" for k in fleet_names]
          + [f["util_name"] for f in owned]
          + [f"inputs.datacenters.{f['site']}.pue" for f in owned], series=True)
    L.add("energy.total_wh", np.sum(energy, axis=-1), "energy",
          "sum of monthly facility energy over the horizon", ["monthly.energy_wh"], headline=True)
    for line, series in opex.items():
        L.add(f"monthly.opex.{line}_usd", series, "money", formulas[line], opex_inputs[line],
              series=True)
        L.add(f"opex.{line}_usd", np.sum(series, axis=-1), "money",
              f"sum of monthly {line.replace('_', ' ')} over the horizon",
              [f"monthly.opex.{line}_usd"])
    opex_m = L.add("monthly.opex_usd", total(opex.values()), "money",
                   "sum of the monthly opex lines", [f"monthly.opex.{k}_usd" for k in opex],
                   series=True)
    L.add("opex.total_usd", total(L.result.figures[f"opex.{k}_usd"].value for k in opex), "money",
          "sum of the opex lines over the horizon", [f"opex.{k}_usd" for k in opex], headline=True)
    L.add("opex.annual_run_rate_usd", opex_m[..., -1] * 12, "money",
          "opex of the horizon's last month x 12", ["monthly.opex_usd"], headline=True)
    L.add("monthly.cash_out_usd", capex_m + opex_m, "money", "monthly capex + monthly opex",
          ["monthly.capex_usd", "monthly.opex_usd"], series=True)

    # depreciation
    d = s.depreciation
    method = d.method if d is not None else "straight_line"
    dep_total = zero
    for cls in CLASSES:
        if method == "straight_line":
            life = ctx.pick(f"inputs.depreciation.{cls}_hours", d, cls, f"life_{cls}", "duration")
            dep = cashflow.straight_line(in_service[cls], float(np.mean(life)) / HOURS_PER_MONTH)
            formula = f"{cls.replace('_', ' ')} capex in service, straight-line over its life"
            inputs = [f"inputs.depreciation.{cls}_hours"]
        else:
            decay = ctx.pick("inputs.depreciation.decay", d, "decay", "decay", "amount")
            dep = cashflow.exponential(in_service[cls], decay)
            formula = (f"{cls.replace('_', ' ')} book value x (1 - 10^(-decay/12)) each month "
                       "(Epoch AI's value decay)")
            inputs = ["inputs.depreciation.decay"]
        L.add(f"monthly.in_service.{cls}_usd", in_service[cls], "money",
              f"{cls.replace('_', ' ')} capex as it enters service", [], series=True)
        L.add(f"monthly.depreciation.{cls}_usd", dep, "money", formula,
              [f"monthly.in_service.{cls}_usd"] + inputs, series=True)
        L.add(f"depreciation.{cls}_usd", np.sum(dep, axis=-1), "money",
              f"sum of monthly {cls.replace('_', ' ')} depreciation over the horizon",
              [f"monthly.depreciation.{cls}_usd"])
        dep_total = dep_total + dep
    L.add("monthly.depreciation_usd", dep_total, "money", "sum of depreciation by asset class",
          [f"monthly.depreciation.{c}_usd" for c in CLASSES], series=True)
    L.add("depreciation.total_usd", total(L.result.figures[f"depreciation.{c}_usd"].value
                                          for c in CLASSES), "money",
          "sum of depreciation by asset class over the horizon",
          [f"depreciation.{c}_usd" for c in CLASSES])
    book = cashflow.book_value(total(in_service.values()), dep_total)
    L.add("monthly.book_value_usd", book, "money",
          "depreciable capex in service so far - depreciation so far (land excluded)",
          ["monthly.depreciation_usd"] + [f"monthly.in_service.{c}_usd" for c in CLASSES],
          series=True)
    L.add("book_value.end_usd", book[..., -1], "money", "book value at the horizon's last month",
          ["monthly.book_value_usd"])

