"""Training runs and AGI-scale plans: wires runs to :mod:`.training` and records figures.

A run is one of three kinds:

* ``on: FLEET`` -- it uses an owned fleet the scenario already costs;
* ``rent: {...}`` -- it rents accelerators by the hour;
* neither -- the tool sizes the capacity it needs to finish within ``max_days``,
  in a named ``accelerator`` or in the generation projected for the run's year.
  These runs form a capacity plan: a run reuses capacity bought for earlier runs
  while that capacity is within its useful life, and new capacity comes in that
  year's generation. Their capex and energy join the monthly cash flows.

Every run is costed three ways, side by side: *amortized* (Epoch AI's method:
the hardware's value decay over the run, plus energy), *rental* (accelerator-hours
x price) and *build* (the capex of the capacity the run needs or adds, plus energy).
"""
from __future__ import annotations

from typing import List

import numpy as np

from ..errors import ConfigError, Problem
from ..model import run_key
from ..units import HOURS_PER_MONTH
from . import cashflow, datacenter as dc, training as tr
from .costing import Context

HARDWARE_LEAD_MONTHS = 3   # planned hardware is paid for over the quarter before its run (assumption)


def _default(ctx: Context, name: str, key: str, unit: str):
    return ctx.pick(name, None, key, key, unit)


def _reference(ctx: Context, key: str):
    """Specs of the accelerator a run is sized in, and the figure names that hold them."""
    cat, L = ctx.catalog, ctx.ledger
    acc = cat.accelerators[key]
    servers = [s for s in cat.servers.values() if s.accelerator == key]
    p = f"inputs.accelerators.{key}"
    if f"{p}.it_w" in L.result.figures:
        return acc, p
    nps = _default(ctx, "inputs.defaults.network_power_share", "network_power_share", "fraction")
    share = _default(ctx, "inputs.defaults.network_share", "network_share", "fraction")
    storage = _default(ctx, "inputs.defaults.storage_per_accelerator_usd", "storage_per_accelerator",
                       "money")
    if servers:
        s = servers[0]
        sid = next(k for k, v in cat.servers.items() if v is s)
        sp = ctx.catalog_input(f"{p}.server_price_usd", s, "server", sid, "price", "money")
        sw = ctx.catalog_input(f"{p}.server_power_w", s, "server", sid, "power", "power")
        per = ctx.catalog_input(f"{p}.per_server", s, "server", sid, "accelerators", "count")
        L.add(f"{p}.it_w", sw / per * (1 + nps), "power",
              "server power / accelerators per server x (1 + network and storage power share)",
              [f"{p}.server_power_w", f"{p}.per_server", "inputs.defaults.network_power_share"])
        L.add(f"{p}.value_usd", sp / per / (1 - share) + storage, "money",
              "server price / accelerators per server / (1 - network share) + storage: the "
              "cluster cost of one accelerator",
              [f"{p}.server_price_usd", f"{p}.per_server", "inputs.defaults.network_share",
               "inputs.defaults.storage_per_accelerator_usd"])
    else:
        tdp = ctx.catalog_input(f"{p}.tdp_w", acc, "accelerator", key, "tdp", "power")
        ratio = _default(ctx, "inputs.defaults.chip_to_server_power", "chip_to_server_power",
                         "amount")
        price = ctx.catalog_input(f"{p}.price_usd", acc, "accelerator", key, "price", "money")
        factor = _default(ctx, "inputs.defaults.server_factor", "server_factor", "amount")
        L.add(f"{p}.it_w", tdp * ratio * (1 + nps), "power",
              "TDP x chip-to-server power ratio x (1 + network and storage power share)",
              [f"{p}.tdp_w", "inputs.defaults.chip_to_server_power",
               "inputs.defaults.network_power_share"])
        L.add(f"{p}.value_usd", price * factor / (1 - share) + storage, "money",
              "price x server factor / (1 - network share) + storage (Epoch AI's method)",
              [f"{p}.price_usd", "inputs.defaults.server_factor", "inputs.defaults.network_share",
               "inputs.defaults.storage_per_accelerator_usd"])
    return acc, p


def _peak(ctx: Context, key: str, precision: str, run, path) -> str:
    acc = ctx.catalog.accelerators[key]
    name = f"inputs.accelerators.{key}.peak_{precision}_flop_per_s"
    if precision not in acc.peak:
        raise ConfigError(Problem(f"{acc.name} has no published {precision} peak", run.marks.get(
            "precision", run.marks[""]), path, expected="one of: " + ", ".join(acc.peak)))
    if name not in ctx.ledger.result.figures:
        ctx.ledger.input(name, acc.peak[precision], "throughput",
                         f"catalog accelerator '{key}': {acc.source} ({acc.as_of})")
    return name


def _sizing(ctx: Context, p: str, acc_key: str) -> None:
    """Servers and buildings a run's accelerators and IT power need (sizing figures)."""
    L, f, cat = ctx.ledger, ctx.ledger.result.figures, ctx.catalog
    holders = [(k, s) for k, s in cat.servers.items() if s.accelerator == acc_key]
    if holders:
        sid, server = holders[0]
        per = f"inputs.accelerators.{acc_key}.per_server"
        if per not in f:
            ctx.catalog_input(per, server, "server", sid, "accelerators", "count")
        L.add(f"{p}.servers", np.ceil(f[f"{p}.accelerators"].value / f[per].value - 1e-9),
              "count", f"accelerators / accelerators per {sid} server, rounded up",
              [f"{p}.accelerators", per])
    size = _default(ctx, "inputs.defaults.building_size_w", "building_size", "power")
    L.add(f"{p}.buildings", np.ceil(f[f"{p}.it_power_w"].value / size - 1e-9), "count",
          "IT power / IT capacity of one building, rounded up",
          [f"{p}.it_power_w", "inputs.defaults.building_size_w"])


def _rent_price(ctx: Context, key: str):
    acc = ctx.catalog.accelerators[key]
    if acc.rent is None:
        return None
    name = f"inputs.accelerators.{key}.rent_usd_per_hour"
    if name not in ctx.ledger.result.figures:
        ctx.catalog_input(name, acc, "accelerator", key, "rent", "gpu_hour_price")
    return name


def estimate_training(ctx: Context) -> None:
    s = ctx.scenario
    if not s.training:
        return
    # monthly series are gathered as (amount, monthly weights) terms and summed once at the end
    plan = {"cohorts": [], "built_it": 0.0, "capex": [], "energy_usd": [],
            "operations": [], "rental": [], "hardware_in_service": [],
            "buildings_in_service": [], "capex_by_year": {},
            "outside": []}
    decay = _default(ctx, "inputs.defaults.decay", "decay", "amount")
    keys: List[str] = []
    order = sorted(range(len(s.training)), key=lambda i: (s.training[i].start or s.horizon.start))
    for i in order:
        r = s.training[i]
        key = run_key(r.name)
        keys.append(key)
        _run(ctx, r, i, key, plan, decay)
    _plan_totals(ctx, keys, plan)


def _run(ctx: Context, r, index: int, key: str, plan: dict, decay) -> None:
    L, s = ctx.ledger, ctx.scenario
    p, ip = f"training.{key}", f"inputs.training.{key}"
    path = ("training", index)
    if r.compute is not None:
        c = ctx.given(f"{p}.compute_flop", r, "compute", "compute")
    else:
        attr = "active_params" if r.active_params is not None else "params"
        nparams = ctx.given(f"{ip}.{attr}", r, attr, "amount")
        tokens = ctx.given(f"{ip}.tokens", r, "tokens", "amount")
        c = L.add(f"{p}.compute_flop", tr.compute_flop(nparams, tokens), "compute",
                  f"6 x {attr.replace('_', ' ')} x tokens (Kaplan et al. 2020)",
                  [f"{ip}.{attr}", f"{ip}.tokens"])
    exp = ctx.given(f"{ip}.experiments", r, "experiments", "amount")
    ct = L.add(f"{p}.total_compute_flop", c * exp, "compute",
               "final-run compute x experiments multiplier", [f"{p}.compute_flop",
                                                               f"{ip}.experiments"])
    mfu = ctx.pick(f"{ip}.mfu", r, "mfu", "mfu", "fraction")
    goodput = ctx.pick(f"{ip}.goodput", r, "goodput", "goodput", "fraction")
    start = ctx.month(r.start) if r.start is not None else 0
    common = [f"{p}.total_compute_flop", f"{ip}.mfu", f"{ip}.goodput"]
    if r.max_days is not None:
        ctx.given(f"{ip}.max_days", r, "max_days", "amount")
    if r.on is not None:
        kind = "fleet"
        _fleet_run(ctx, r, key, p, ip, ct, mfu, goodput, decay, common, path)
    elif r.rent is not None:
        kind = "rent"
        _rented_run(ctx, r, key, p, ip, ct, mfu, goodput, decay, common, start, path, plan)
    else:
        kind = "plan"
        _planned_run(ctx, r, key, p, ip, ct, mfu, goodput, decay, common, start, path, plan)
    ctx.ledger.result.tables.setdefault("training", []).append(
        {"run": r.name, "key": key, "kind": kind,
         "start": str(r.start) if r.start is not None else str(s.horizon.start)})
    if r.staff is not None:
        ctx.given(f"{p}.staff_usd", r, "staff", "money")
    days = L.result.figures[f"{p}.days"].value
    if r.max_days is not None and np.ndim(days) == 0 and days > r.max_days * (1 + 1e-9):
        L.warn(f"run '{r.name}' needs {days:.0f} days; max_days is {r.max_days:g}")
    L.add(f"{p}.fits", bool(np.all(days <= (r.max_days or np.inf) * (1 + 1e-9))), "flag",
          "days <= max_days", [f"{p}.days"] + ([f"{ip}.max_days"] if r.max_days else []))


def _costs(ctx: Context, p: str, gpu_hours, value_name: str, decay, energy_cost, build_capex,
           rent_price_name, discount_name, build_formula: str, build_inputs, staff=None):
    L = ctx.ledger
    f = L.result.figures
    hw = tr.amortized_hardware_usd(gpu_hours, f[value_name].value, decay)
    extra = [f"{p}.staff_usd"] if staff is not None else []
    add_staff = staff if staff is not None else 0.0
    L.add(f"{p}.cost.amortized_usd", hw + energy_cost + add_staff, "money",
          "accelerator-hours x cluster value per accelerator x decay x ln(10) / 8766 h + energy"
          " cost (Epoch AI's method)" + (" + staff" if staff is not None else ""),
          [f"{p}.gpu_hours", value_name, "inputs.defaults.decay", f"{p}.energy_usd"] + extra)
    if rent_price_name is not None:
        disc = f[discount_name].value if discount_name else 0.0
        L.add(f"{p}.cost.rental_usd", tr.rental_usd(gpu_hours, f[rent_price_name].value, disc)
              + add_staff, "money", "accelerator-hours x rental price x (1 - discount)"
              + (" + staff" if staff is not None else ""),
              [f"{p}.gpu_hours", rent_price_name] + ([discount_name] if discount_name else [])
              + extra)
    L.add(f"{p}.cost.build_usd", build_capex + energy_cost + add_staff, "money", build_formula
          + (" + staff" if staff is not None else ""), list(build_inputs) + [f"{p}.energy_usd"]
          + extra)


def _energy(ctx: Context, p: str, gpu_hours, it_w_name: str, it_w, util_name: str, pue_name: str,
            price_name: str):
    L, f = ctx.ledger, ctx.ledger.result.figures
    e = L.add(f"{p}.energy_wh", tr.energy_wh(gpu_hours, it_w, f[util_name].value, f[pue_name].value),
              "energy", "accelerator-hours x IT power per accelerator x utilisation x PUE",
              [f"{p}.gpu_hours", it_w_name, util_name, pue_name])
    return L.add(f"{p}.energy_usd", dc.electricity_usd(e, f[price_name].value), "money",
                 "energy x electricity price", [f"{p}.energy_wh", price_name])


def _fleet_run(ctx, r, key, p, ip, ct, mfu, goodput, decay, common, path):
    L, f = ctx.ledger, ctx.ledger.result.figures
    fleet = ctx.fleets[r.on]
    acc_key = fleet["accelerator"]
    peak_name = _peak(ctx, acc_key, r.precision, r, path)
    if r.accelerators is not None:
        n_acc = ctx.given(f"{p}.accelerators", r, "accelerators", "count")
    else:
        n_acc = L.add(f"{p}.accelerators", fleet["accelerators"], "count",
                      "all of the fleet's accelerators", [f"fleets.{r.on}.accelerators"])
    if np.ndim(n_acc) == 0 and np.ndim(fleet["accelerators"]) == 0 and n_acc > fleet["accelerators"]:
        raise ConfigError(Problem(f"run '{r.name}' asks for {n_acc:,} accelerators; fleet "
                                  f"'{r.on}' has {fleet['accelerators']:,}",
                                  r.marks.get("accelerators"), path + ("accelerators",)))
    gh = L.add(f"{p}.gpu_hours", tr.gpu_hours(ct, f[peak_name].value, mfu, goodput), "gpu_hours",
               "total compute / (peak x MFU x 3600) / goodput", common + [peak_name])
    L.add(f"{p}.days", tr.wall_clock_days(gh, n_acc), "amount", "accelerator-hours / "
          "accelerators / 24", [f"{p}.gpu_hours", f"{p}.accelerators"])
    if r.start is not None and fleet["owned"]:
        d0 = fleet["delivery"][0] + fleet["delivery"][1] - 1
        if ctx.month(r.start) < d0:
            L.warn(f"run '{r.name}' starts before fleet '{r.on}' is fully delivered")
    if fleet["owned"]:
        site = fleet["site"]
        it_name = f"power.fleets.{r.on}.it_w"
        per = L.add(f"{p}.it_w_per_accelerator", f[it_name].value / fleet["accelerators"], "power",
                    "fleet IT power / fleet accelerators", [it_name, f"fleets.{r.on}.accelerators"])
        L.add(f"{p}.it_power_w", per * n_acc, "power", "IT power per accelerator x accelerators",
              [f"{p}.it_w_per_accelerator", f"{p}.accelerators"])
        energy_cost = _energy(ctx, p, gh, f"{p}.it_w_per_accelerator", per, fleet["util_name"],
                              f"inputs.datacenters.{site}.pue", f"inputs.datacenters.{site}.electricity")
        L.add(f"{p}.value_per_accelerator_usd",
                      f[f"capex.fleets.{r.on}.total_usd"].value / fleet["accelerators"], "money",
                      "fleet capex / fleet accelerators",
                      [f"capex.fleets.{r.on}.total_usd", f"fleets.{r.on}.accelerators"])
        site_info = ctx.sites[site]
        site_capex = sum(site_info["lines"].values()) if site_info["lines"] else 0.0
        share = n_acc / fleet["accelerators"]
        build = (f[f"capex.fleets.{r.on}.total_usd"].value + site_capex
                 * f[it_name].value / site_info["it"]) * share
        build_inputs = [f"capex.fleets.{r.on}.total_usd", it_name,
                        f"inputs.datacenters.{site}.it_capacity_w"]
        if site_info["lines"]:
            build_inputs.append(f"capex.datacenters.{site}.total_usd")
        _costs(ctx, p, gh, f"{p}.value_per_accelerator_usd", decay, energy_cost, build,
               _rent_price(ctx, acc_key), None,
               "capex of the accelerators it uses, with their share of the site, + energy",
               build_inputs, r.staff)
    else:
        _rent_like(ctx, r, p, gh, acc_key, n_acc, decay, fleet_rent=r.on)
    L.add(f"{p}.facility_power_w", f[f"{p}.it_power_w"].value * f[_pue_name(ctx, r)].value, "power",
          "IT power x PUE", [f"{p}.it_power_w", _pue_name(ctx, r)])


def _pue_name(ctx: Context, r) -> str:
    if r.on is not None and ctx.fleets[r.on]["owned"]:
        return f"inputs.datacenters.{ctx.fleets[r.on]['site']}.pue"
    return "inputs.defaults.pue"


def _rent_like(ctx, r, p, gh, acc_key, n_acc, decay, fleet_rent=None):
    """Energy and costs of a run on rented accelerators (a `rent:` run or a rented fleet)."""
    L, f = ctx.ledger, ctx.ledger.result.figures
    acc, ref = _reference(ctx, acc_key)
    L.add(f"{p}.it_power_w", f[f"{ref}.it_w"].value * n_acc, "power",
          "IT power per accelerator x accelerators", [f"{ref}.it_w", f"{p}.accelerators"])
    for name, key, unit in (("utilisation", "utilisation", "fraction"), ("pue", "pue", "amount"),
                            ("electricity", "electricity", "energy_price")):
        _default(ctx, f"inputs.defaults.{name}", key, unit)
    energy_cost = _energy(ctx, p, gh, f"{ref}.it_w", f[f"{ref}.it_w"].value,
                          "inputs.defaults.utilisation", "inputs.defaults.pue",
                          "inputs.defaults.electricity")
    if fleet_rent is not None:
        price_name = f"inputs.fleets.{fleet_rent}.rent_price_usd_per_hour"
        disc_name = f"inputs.fleets.{fleet_rent}.rent_discount"
    else:
        ip = "inputs." + p
        price_name, disc_name = f"{ip}.rent_price_usd_per_hour", f"{ip}.rent_discount"
        ctx.given(price_name, r.rent, "price", "gpu_hour_price")
        ctx.given(disc_name, r.rent, "discount", "fraction")
    bld = _building_usd_per_it_w(ctx)
    build = n_acc * (f[f"{ref}.value_usd"].value + f[f"{ref}.it_w"].value * bld)
    _costs(ctx, p, gh, f"{ref}.value_usd", decay, energy_cost, build, price_name, disc_name,
           "accelerators x (cluster value per accelerator + IT power x buildings per W) + energy",
           [f"{p}.accelerators", f"{ref}.value_usd", f"{ref}.it_w",
            "inputs.defaults.buildings_usd_per_w"], r.staff)


def _building_usd_per_it_w(ctx: Context):
    """Construction + land + grid connection (sized by PUE) per watt of IT, from the defaults."""
    L, f = ctx.ledger, ctx.ledger.result.figures
    if "inputs.defaults.buildings_usd_per_w" not in f:
        c = _default(ctx, "inputs.defaults.construction_usd_per_w", "construction", "usd_per_w")
        land = _default(ctx, "inputs.defaults.land_usd_per_w", "land", "usd_per_w")
        grid = _default(ctx, "inputs.defaults.grid_connection_usd_per_w", "grid_connection",
                        "usd_per_w")
        pue = _default(ctx, "inputs.defaults.pue", "pue", "amount")
        L.add("inputs.defaults.buildings_usd_per_w", c + land + grid * pue, "usd_per_w",
              "construction + land + grid connection x PUE, per watt of IT",
              ["inputs.defaults.construction_usd_per_w", "inputs.defaults.land_usd_per_w",
               "inputs.defaults.grid_connection_usd_per_w", "inputs.defaults.pue"])
    return f["inputs.defaults.buildings_usd_per_w"].value


def _rented_run(ctx, r, key, p, ip, ct, mfu, goodput, decay, common, start, path, plan):
    L, f = ctx.ledger, ctx.ledger.result.figures
    acc_key = r.rent.accelerator
    peak_name = _peak(ctx, acc_key, r.precision, r, path)
    gh = L.add(f"{p}.gpu_hours", tr.gpu_hours(ct, f[peak_name].value, mfu, goodput), "gpu_hours",
               "total compute / (peak x MFU x 3600) / goodput", common + [peak_name])
    if r.rent.accelerators is not None:
        n_acc = ctx.given(f"{p}.accelerators", r.rent, "accelerators", "count")
    else:
        n_acc = L.add(f"{p}.accelerators", tr.accelerators_for_window(
            ct, f[peak_name].value, mfu, goodput, r.max_days), "count",
            "accelerators to finish within max_days, rounded up", common + [peak_name,
                                                                            f"{ip}.max_days"])
    days = L.add(f"{p}.days", tr.wall_clock_days(gh, n_acc), "amount",
                 "accelerator-hours / accelerators / 24", [f"{p}.gpu_hours", f"{p}.accelerators"])
    _rent_like(ctx, r, p, gh, acc_key, n_acc, decay)
    _sizing(ctx, p, acc_key)
    L.add(f"{p}.facility_power_w", f[f"{p}.it_power_w"].value * f["inputs.defaults.pue"].value,
          "power", "IT power x PUE", [f"{p}.it_power_w", "inputs.defaults.pue"])
    # the rental bill lands month by month over the run
    months = max(int(np.ceil(np.max(days) * 24 / HOURS_PER_MONTH)), 1)
    plan["rental"].append((f[f"{p}.cost.rental_usd"].value,
                           cashflow.spread_row(start, months, ctx.n)))
    if cashflow.outside_share(start, months, ctx.n) > 0:
        plan["outside"].append(f"run '{r.name}'")


def _planned_run(ctx, r, key, p, ip, ct, mfu, goodput, decay, common, start, path, plan):
    L, f, s = ctx.ledger, ctx.ledger.result.figures, ctx.scenario
    cat = ctx.catalog
    if r.accelerator is not None:
        acc_key, projected = r.accelerator, False
    else:
        acc_key = (s.trends.reference if s.trends and s.trends.reference else cat.reference)
        projected = True
    acc, ref = _reference(ctx, acc_key)
    peak_name = _peak(ctx, acc_key, r.precision, r, path)
    peak, it_w, value = f[peak_name].value, f[f"{ref}.it_w"].value, f[f"{ref}.value_usd"].value
    year = (r.start or s.horizon.start).year + ((r.start or s.horizon.start).month - 1) / 12
    gen = f"{p}.generation"
    if projected:
        pp = ctx.pick("inputs.trends.price_performance_doubling_hours", s.trends,
                      "price_performance_doubling", "price_performance_doubling", "duration")
        ee = ctx.pick("inputs.trends.energy_efficiency_doubling_hours", s.trends,
                      "energy_efficiency_doubling", "energy_efficiency_doubling", "duration")
        dy = year - (acc.year + 0.5)
        pp_y, ee_y = pp / 8766.0, ee / 8766.0
        peak = L.add(f"{gen}.peak_flop_per_s", tr.projected(peak, dy, pp_y), "throughput",
                     f"{acc_key} peak x 2^(years since {acc_key} / price-performance doubling "
                     f"time): same price, more FLOP/s ({dy:+.1f} years)",
                     [peak_name, "inputs.trends.price_performance_doubling_hours"])
        it_w = L.add(f"{gen}.it_w_per_accelerator", it_w * 2.0 ** (dy / pp_y - dy / ee_y), "power",
                     "IT power per accelerator x 2^(years / price-performance doubling - years / "
                     "energy-efficiency doubling)",
                     [f"{ref}.it_w", "inputs.trends.price_performance_doubling_hours",
                      "inputs.trends.energy_efficiency_doubling_hours"])
        value = L.add(f"{gen}.value_usd", value, "money",
                      "cluster value per accelerator, constant across generations",
                      [f"{ref}.value_usd"])
        peak_ref, it_ref, value_ref = f"{gen}.peak_flop_per_s", f"{gen}.it_w_per_accelerator", \
            f"{gen}.value_usd"
    else:
        peak_ref, it_ref, value_ref = peak_name, f"{ref}.it_w", f"{ref}.value_usd"
    need = L.add(f"{p}.required_flop_per_s", ct / (r.max_days * 86400.0 * mfu * goodput),
                 "throughput", "total compute / (max_days x 86400 x MFU x goodput)",
                 common + [f"{ip}.max_days"])
    life = _default(ctx, "inputs.depreciation.accelerators_hours", "life_accelerators", "duration")
    life_m = int(round(float(np.mean(life)) / HOURS_PER_MONTH))
    alive = [c for c in plan["cohorts"] if c["start"] <= start < c["retire"]]
    ratio = peak / f[peak_name].value if projected else 1.0   # this generation vs its reference
    existing = sum((c["acc"] * c["peak"].get(r.precision, 0.0) for c in alive), 0.0)
    new = np.ceil(np.maximum(need - existing, 0.0) / peak - 1e-9)
    L.add(f"{p}.reused_accelerators", sum((c["acc"] for c in alive), 0.0), "count",
          "accelerators bought for earlier runs and still within their useful life",
          [f"training.{c['key']}.new_accelerators" for c in alive])
    L.add(f"{p}.new_accelerators", new, "count",
          "(required FLOP/s - FLOP/s of reused capacity) / peak of this generation, rounded up",
          [f"{p}.required_flop_per_s", peak_ref, f"{p}.reused_accelerators"])
    cohort = {"key": key, "start": start, "retire": start + life_m, "acc": new,
              "peak": {k: v * ratio for k, v in acc.peak.items()}, "it_w": it_w, "value": value}
    plan["cohorts"].append(cohort)
    used = alive + [cohort]
    total_peak = existing + new * peak
    n_acc = L.add(f"{p}.accelerators", sum((c["acc"] for c in used), 0.0), "count",
                  "reused + new accelerators", [f"{p}.reused_accelerators", f"{p}.new_accelerators"])
    days = L.add(f"{p}.days", ct / (total_peak * mfu * goodput) / 86400.0, "amount",
                 "total compute / (FLOP/s of all its accelerators x MFU x goodput) / 86400",
                 common + [f"{p}.accelerators", peak_ref])
    hours = days * 24.0
    gh = L.add(f"{p}.gpu_hours", n_acc * hours, "gpu_hours", "accelerators x days x 24",
               [f"{p}.accelerators", f"{p}.days"])
    it_total = sum((c["acc"] * c["it_w"] for c in used), 0.0)
    L.add(f"{p}.it_power_w", it_total, "power", "sum over cohorts of accelerators x IT power "
          "per accelerator", [f"{p}.accelerators", it_ref])
    pue = _default(ctx, "inputs.defaults.pue", "pue", "amount")
    util = _default(ctx, "inputs.defaults.utilisation", "utilisation", "fraction")
    price = _default(ctx, "inputs.defaults.electricity", "electricity", "energy_price")
    _sizing(ctx, p, acc_key)
    L.add(f"{p}.facility_power_w", it_total * pue, "power", "IT power x PUE",
          [f"{p}.it_power_w", "inputs.defaults.pue"])
    e = L.add(f"{p}.energy_wh", it_total * util * pue * hours, "energy",
              "IT power x utilisation x PUE x run hours",
              [f"{p}.it_power_w", "inputs.defaults.utilisation", "inputs.defaults.pue", f"{p}.days"])
    energy_cost = L.add(f"{p}.energy_usd", dc.electricity_usd(e, price), "money",
                        "energy x electricity price", [f"{p}.energy_wh", "inputs.defaults.electricity"])
    # buildings: only the IT capacity beyond what the plan has already built
    bld = _building_usd_per_it_w(ctx)
    alive_it = sum((c["acc"] * c["it_w"] for c in plan["cohorts"]
                    if c["start"] <= start < c["retire"]), 0.0)
    new_it = np.maximum(alive_it - plan["built_it"], 0.0)
    plan["built_it"] = plan["built_it"] + new_it
    hw_capex = L.add(f"{p}.capex.hardware_usd", new * value, "money",
                     "new accelerators x cluster value per accelerator",
                     [f"{p}.new_accelerators", value_ref])
    b_capex = L.add(f"{p}.capex.buildings_usd", new_it * bld, "money",
                    "IT power beyond what the plan has built x buildings per W of IT",
                    [f"{p}.new_accelerators", it_ref, "inputs.defaults.buildings_usd_per_w"])
    L.add(f"{p}.capex_usd", hw_capex + b_capex, "money", "hardware + buildings the run adds",
          [f"{p}.capex.hardware_usd", f"{p}.capex.buildings_usd"])
    # amortized: value decay of every accelerator it uses, at that cohort's value
    amort_value = sum((c["acc"] * c["value"] for c in used), 0.0) / np.maximum(n_acc, 1e-300)
    L.add(f"{p}.value_per_accelerator_usd", amort_value, "money",
          "average cluster value per accelerator over the cohorts it uses", [value_ref])
    rent_name = _rent_price(ctx, acc_key)
    if rent_name is not None:
        # rented in the generation of its year: same price per accelerator-hour (assumption)
        L.add(f"{p}.rental_gpu_hours", tr.gpu_hours(ct, peak, mfu, goodput), "gpu_hours",
              "total compute / (peak of this generation x MFU x 3600) / goodput",
              common + [peak_ref])
    _costs(ctx, p, gh, f"{p}.value_per_accelerator_usd", decay, energy_cost,
           hw_capex + b_capex, None, None,
           "capex of the hardware and buildings the run adds + energy",
           [f"{p}.capex_usd"], r.staff)
    if rent_name is not None:
        L.add(f"{p}.cost.rental_usd", tr.rental_usd(f[f"{p}.rental_gpu_hours"].value,
                                                     f[rent_name].value, 0.0)
              + (r.staff or 0.0), "money",
              "accelerator-hours in this generation x rental price (price per hour held "
              "constant across generations)", [f"{p}.rental_gpu_hours", rent_name])
    # cash: hardware in the quarter before the run, buildings over the build time before it
    bm = int(ctx.catalog.defaults.build_months)
    year0 = ctx.scenario.horizon.start
    hw_start, b_start = start - HARDWARE_LEAD_MONTHS, start - bm
    plan["capex"] += [(hw_capex, cashflow.spread_row(hw_start, HARDWARE_LEAD_MONTHS, ctx.n)),
                      (b_capex, cashflow.spread_row(b_start, bm, ctx.n))]
    if min(hw_start, b_start) < 0 and np.any(np.asarray(hw_capex + b_capex) > 0):
        plan["outside"].append(f"run '{r.name}' (capex before the horizon)")
    for off, amount, months in ((hw_start, hw_capex, HARDWARE_LEAD_MONTHS), (b_start, b_capex, bm)):
        for m in range(months):
            yr = str(year0.plus(off + m).year)
            plan["capex_by_year"][yr] = plan["capex_by_year"].get(yr, 0.0) + amount / months
    run_months = max(int(np.ceil(np.max(days) * 24 / HOURS_PER_MONTH)), 1)
    plan["energy_usd"].append((energy_cost, cashflow.spread_row(start, run_months, ctx.n)))
    # operating the planned capacity: maintenance, insurance, property tax on its capex while
    # it is in its useful life
    rates = sum(ctx.catalog.default(k)[0] for k in ("maintenance", "insurance", "property_tax"))
    live = cashflow.step(start, ctx.n) - cashflow.step(start + life_m, ctx.n)
    plan["operations"].append((dc.rate_usd_per_month(hw_capex + b_capex, rates), live))
    # in service from the run's start, for the plan's depreciation
    plan["hardware_in_service"].append((hw_capex, start))
    plan["buildings_in_service"].append((b_capex, start))


def _plan_totals(ctx: Context, keys: List[str], plan: dict) -> None:
    L, f = ctx.ledger, ctx.ledger.result.figures

    def total_of(suffix, unit, formula, headline=False):
        names = [f"training.{k}.{suffix}" for k in keys if f"training.{k}.{suffix}" in f]
        if not names:
            return None
        acc = 0.0
        for nme in names:
            acc = acc + f[nme].value
        return L.add(f"training.{suffix}", acc, unit, formula, names, headline=headline)

    total_of("total_compute_flop", "compute", "sum over runs of total compute", headline=True)
    total_of("gpu_hours", "gpu_hours", "sum over runs of accelerator-hours")
    total_of("energy_wh", "energy", "sum over runs of facility energy", headline=True)
    total_of("cost.amortized_usd", "money", "sum over runs of amortized cost", headline=True)
    total_of("cost.build_usd", "money", "sum over runs of build cost", headline=True)
    if all(f"training.{k}.cost.rental_usd" in f for k in keys):
        total_of("cost.rental_usd", "money", "sum over runs of rental cost", headline=True)
    total_of("capex_usd", "money", "sum over planned runs of the capex they add", headline=True)
    peaks = [f[f"training.{k}.facility_power_w"].value for k in keys]
    L.add("training.peak_facility_w", np.max(np.stack(np.broadcast_arrays(*peaks)), axis=0),
          "power", "largest facility power of any run", [f"training.{k}.facility_power_w"
                                                         for k in keys], headline=True)
    for year in sorted(plan["capex_by_year"]):
        L.add(f"training.capex.{year}_usd", plan["capex_by_year"][year], "money",
              f"planned capex paid in {year}", [f"training.{k}.capex_usd" for k in keys
                                                if f"training.{k}.capex_usd" in f])
    L.add("monthly.training.capex_usd", cashflow.weighted_rows(plan["capex"], ctx.n), "money",
          f"planned hardware over the {HARDWARE_LEAD_MONTHS} months before each run, buildings "
          "over the build time before it", ["training.capex_usd"] if "training.capex_usd" in f
          else [], series=True)
    L.add("monthly.training.energy_usd", cashflow.weighted_rows(plan["energy_usd"], ctx.n), "money",
          "energy of planned runs, spread over their months",
          [f"training.{k}.energy_usd" for k in keys if f"training.{k}.capex_usd" in f], series=True)
    L.add("monthly.training.operations_usd", cashflow.weighted_rows(plan["operations"], ctx.n),
          "money",
          "planned capex x (maintenance + insurance + property tax) / 12 while in its useful life",
          ["training.capex_usd"] if "training.capex_usd" in f else [], series=True)
    if "training.capex_usd" in f and ctx.detail:
        _plan_depreciation(ctx, plan)
    L.add("monthly.training.rental_usd", cashflow.weighted_rows(plan["rental"], ctx.n), "money",
          "rental bills of rented runs, spread over their months",
          [f"training.{k}.cost.rental_usd" for k in keys if f"training.{k}.cost.rental_usd" in f],
          series=True)
    if plan["outside"]:
        L.warn("training spending outside the horizon is left out of the monthly series: "
               + ", ".join(plan["outside"]))


def _plan_depreciation(ctx: Context, plan: dict) -> None:
    """Straight-line depreciation of the capacity the plan buys, from each run's start."""
    L = ctx.ledger
    d = ctx.scenario.depreciation
    total_dep = 0.0
    for key, cls, life_key in (("hardware_in_service", "accelerators", "life_accelerators"),
                               ("buildings_in_service", "buildings", "life_buildings")):
        life = ctx.pick(f"inputs.depreciation.{cls}_hours", d, cls, life_key, "duration")
        months = max(int(round(float(np.mean(life)) / HOURS_PER_MONTH)), 1)
        # straight-line: each addition spread evenly over the life that starts with it
        dep = cashflow.weighted_rows([(amount, cashflow.spread_row(start, months, ctx.n))
                                      for amount, start in plan[key]], ctx.n)
        L.add(f"monthly.training.depreciation.{cls}_usd", dep, "money",
              f"planned {cls} capex from its run's start, straight-line over its life",
              ["training.capex_usd", f"inputs.depreciation.{cls}_hours"], series=True)
        total_dep = total_dep + dep
    L.add("monthly.training.depreciation_usd", total_dep, "money",
          "depreciation of planned hardware and buildings",
          [f"monthly.training.depreciation.{c}_usd" for c in ("accelerators", "buildings")],
          series=True)
    L.add("training.depreciation_usd", np.sum(total_dep, axis=-1), "money",
          "depreciation of planned capacity over the horizon", ["monthly.training.depreciation_usd"])
