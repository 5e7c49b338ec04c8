"""The terms of one training run that do not depend on how the plan is rolled up.

Each function records its figures through the recorder and returns named values, so the
rollup (:mod:`.runs`, :mod:`.plan`) calls it in a line or two:

* :func:`speed` -- MFU and goodput: given, marked as already including goodput, or implied by
  a run given as accelerator-hours or accelerators x length;
* :func:`implied_mfu` -- the MFU over wall-clock time that a run's final hours imply;
* :func:`power_terms` -- PUE, average draw and electricity of a rented or planned run: its own,
  a named site profile's (catalog ``sites.yaml``) or the defaults;
* :func:`rent_price` -- given, or the catalog's in a tier (on-demand, 1-year, 3-year; a missing
  committed tier is the on-demand price less the sourced default discount);
* :func:`acquired_rented` / :func:`acquired_fleet` and :func:`value_at_start` -- Epoch AI's
  amortization: the hardware's value when acquired, depreciated to the run's start [1];
* :func:`power_definitions` -- chip and server power, next to the rollup's IT and facility power;
* :func:`constant_dollars` -- costs restated in a base year's dollars.

References
----------
.. [1] B. Cottier et al., "The rising costs of training frontier AI models",
   arXiv:2405.21015, 2024; github.com/epoch-research/training-cost-trends: value at
   acquisition depreciated by 0.14 orders of magnitude a year to the start of training;
   GPUs acquired at least 90 days after release.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

from . import money, power, training as tr
from .context import Context
from .inputs import source_of
from .ledger import Expr, Val

SITES_FILE = "configs/catalog/sites.yaml"


def decimal_year(month) -> float:
    """A month as a decimal year (2024-07 -> 2024.5)."""
    return month.year + (month.month - 1) / 12


def accelerator_of(ctx: Context, spec) -> Optional[str]:
    """The accelerator a rented or fleet run uses (None for a planned run)."""
    if spec.rent is not None:
        return spec.rent.accelerator
    if spec.on is not None:
        return ctx.fleets[spec.on].accelerator
    return None


def fixed_accelerators(ctx: Context, run) -> Optional[Val]:
    """A run's accelerator count when it is fixed before sizing: rented or on a fleet."""
    spec, p = run.spec, run.prefix
    if spec.rent is not None and spec.rent.accelerators is not None:
        return ctx.inputs.given(f"{p}.accelerators", spec.rent, "accelerators", "count")
    if spec.on is not None and spec.accelerators is not None:
        return ctx.inputs.given(f"{p}.accelerators", spec, "accelerators", "count")
    if spec.on is not None:
        fleet = ctx.fleets[spec.on]
        return ctx.rec.record(f"{p}.accelerators", fleet.accelerators.value, "count",
                              "all of the fleet's accelerators", [fleet.accelerators])
    return None


def speed(ctx: Context, run, final_compute: Val) -> Tuple[Val, Val]:
    """MFU and goodput of a run. A run given as ``gpu_hours`` or ``length`` has the MFU its
    hours imply and goodput 1 (published hours include time lost); an MFU marked
    ``mfu_includes_goodput`` has goodput 1."""
    inputs, rec, spec, ip = ctx.inputs, ctx.rec, run.spec, run.given
    if spec.gpu_hours is None and spec.length is None:
        mfu = inputs.pick(f"{ip}.mfu", spec, "mfu", "mfu", "fraction")
        if spec.mfu_includes_goodput:
            return mfu, rec.input(f"{ip}.goodput", 1.0, "fraction", "1: the MFU given already "
                                  f"includes goodput ({source_of(spec, 'mfu_includes_goodput')})")
        return mfu, inputs.pick(f"{ip}.goodput", spec, "goodput", "goodput", "fraction")
    if spec.gpu_hours is not None:
        hours = inputs.given(f"{ip}.final_gpu_hours", spec, "gpu_hours", "gpu_hours")
    else:
        length = inputs.given(f"{ip}.length_hours", spec, "length", "duration")
        hours = rec.derive(f"{ip}.final_gpu_hours", tr.accelerator_hours_over,
                           fixed_accelerators(ctx, run), length, unit="gpu_hours")
    peak = inputs.peak(accelerator_of(ctx, spec), spec.precision)
    mfu = rec.derive(f"{ip}.mfu", tr.implied_mfu, final_compute, hours, peak, unit="fraction",
                     text="implied by the run's published hours: " + tr.implied_mfu.formula)
    given = "gpu_hours" if spec.gpu_hours is not None else "length"
    goodput = rec.input(f"{ip}.goodput", 1.0, "fraction", f"{source_of(spec, given)}: goodput 1, "
                        "the run's published hours include time lost to failures (already in "
                        "the implied MFU)")
    return mfu, goodput


def implied_mfu(ctx: Context, run, final_compute: Val, experiments: Val) -> Val:
    """The final run's accelerator-hours and the MFU over wall-clock time they imply."""
    rec, p = ctx.rec, run.prefix
    final = rec.derive(f"{p}.final_gpu_hours", tr.final_gpu_hours, run.gpu_hours, experiments,
                       unit="gpu_hours")
    peak = ctx.inputs.peak(accelerator_of(ctx, run.spec), run.spec.precision)
    return rec.derive(f"{p}.implied_mfu", tr.implied_mfu, final_compute, final, peak,
                      unit="fraction")


def power_terms(ctx: Context, run) -> Tuple[Val, Val, Val]:
    """PUE, utilisation and electricity price of a rented or planned run: the run's own, its
    site profile's, else the defaults."""
    spec, rec = run.spec, ctx.rec
    prof = ctx.catalog.sites.get(spec.site) if spec.site is not None else None
    out = []
    for attr, unit in (("pue", "amount"), ("utilisation", "fraction"),
                       ("electricity", "energy_price")):
        name = f"{run.given}.{attr}"
        if getattr(spec, attr) is not None:
            out.append(ctx.inputs.given(name, spec, attr, unit))
        elif prof is not None and getattr(prof, attr) is not None:
            cited = prof.sources.get(attr) or f"{prof.source} ({prof.as_of})"
            out.append(rec.input(name, getattr(prof, attr), unit,
                                 f"catalog site profile '{spec.site}' ({SITES_FILE}): {cited}"))
        else:
            out.append(ctx.inputs.default(name, attr, unit))
    return out[0], out[1], out[2]


_TIER_ATTR = {"on_demand": "rent", "1y": "rent_1y", "3y": "rent_3y"}
_TIER_DISCOUNT = {"1y": "commit_discount_1y", "3y": "commit_discount_3y"}


def rent_price(ctx: Context, rent, acc_key: str, name: str) -> Val:
    """A rented run's price per accelerator-hour: given, else the catalog's in its tier."""
    inputs = ctx.inputs
    if rent.price is not None:
        return inputs.given(name, rent, "price", "gpu_hour_price")
    acc, attr = ctx.catalog.accelerators[acc_key], _TIER_ATTR[rent.tier]
    if getattr(acc, attr) is not None:
        return inputs.catalog_value(name, acc, "accelerator", acc_key, attr, "gpu_hour_price")
    key = _TIER_DISCOUNT[rent.tier]
    return ctx.rec.derive(name, tr.committed_price, inputs.rent_price(acc_key),
                          inputs.common(key, "fraction"), unit="gpu_hour_price",
                          text=f"on-demand price x (1 - default {rent.tier} committed-use "
                               f"discount): the catalog has no {rent.tier} price for '{acc_key}'")


def acquired_rented(ctx: Context, run, acc_key: str) -> Val:
    """When a rented run's hardware was acquired: given, or release + the default lag [1]."""
    spec, rec = run.spec, ctx.rec
    if spec.acquired is not None:
        return rec.input(f"{run.given}.acquired_year", decimal_year(spec.acquired), "amount",
                         f"{source_of(spec, 'acquired')}: acquired {spec.acquired}")
    acc = ctx.catalog.accelerators[acc_key]
    name = f"inputs.accelerators.{acc_key}.released_year"
    if acc.released is not None:
        released = rec.input(name, decimal_year(acc.released), "amount",
                             f"catalog accelerator '{acc_key}' released {acc.released}: "
                             f"{acc.source} ({acc.as_of})")
    else:
        released = rec.input(name, acc.year + 0.5, "amount", f"catalog accelerator '{acc_key}' "
                             f"year {acc.year}, taken at mid-year ({acc.source})")
    lag = ctx.inputs.common("acquisition_lag", "duration", "_hours")
    return rec.derive(f"{run.given}.acquired_year", tr.acquired_year, released, lag,
                      unit="amount")


def acquired_fleet(ctx: Context, run, fleet) -> Val:
    """When a fleet run's hardware was acquired: the fleet's first delivery month."""
    month = ctx.month_name(fleet.delivery[0])
    where = source_of(fleet.spec, "delivery") if fleet.spec.delivery is not None else (
        f"its site's completion ({source_of(fleet.site.spec, 'build')})")
    year, mon = (int(x) for x in month.split("-"))
    return ctx.rec.input(f"{run.given}.acquired_year", year + (mon - 1) / 12, "amount",
                         f"fleet '{fleet.name}' delivery starts {month} ({where})")


def value_at_start(ctx: Context, run, value: Val, acquired: Val) -> Val:
    """Value per accelerator at the run's start, from its value when acquired [1]."""
    rec, p = ctx.rec, run.prefix
    start = run.spec.start or ctx.scenario.horizon.start
    years = rec.derive(f"{p}.years_since_acquisition", tr.years_since, acquired,
                       decimal_year(start), unit="amount",
                       text=f"the run's start ({start}) - acquisition, in years")
    return rec.derive(f"{p}.value_at_start_usd", tr.value_at_start, value, years,
                      ctx.inputs.common("decay", "amount"), unit="money")


def server_w_per_accelerator(ctx: Context, acc_key: str, server_id: Optional[str] = None) -> Val:
    """Server power per accelerator: a server type's datasheet power (``server_id``, else the
    first holding it), else TDP x the accelerator's own or the default chip-to-server ratio."""
    inputs, cat = ctx.inputs, ctx.catalog
    acc, p = cat.accelerators[acc_key], f"inputs.accelerators.{acc_key}"
    holders = ([(server_id, cat.servers[server_id])] if server_id is not None
               else cat.servers_of(acc_key))
    if holders:
        sid, server = holders[0]
        q = f"inputs.servers.{sid}"
        return ctx.rec.derive(f"{q}.server_w_per_accelerator",
                              power.server_w_per_accelerator_of_server,
                              inputs.catalog_value(f"{q}.power_w", server, "server", sid,
                                                   "power", "power"),
                              inputs.catalog_value(f"{q}.accelerators", server, "server", sid,
                                                   "accelerators", "count"), unit="power")
    return ctx.rec.derive(f"{p}.server_w_per_accelerator", power.server_w_per_accelerator,
                          inputs.catalog_value(f"{p}.tdp_w", acc, "accelerator", acc_key, "tdp",
                                               "power"),
                          inputs.chip_to_server(acc_key), unit="power")


def power_definitions(ctx: Context, run, acc_key: str, scale: Optional[Expr] = None,
                      server_id: Optional[str] = None) -> None:
    """Chip and server power of a run next to its IT and facility power. ``scale`` carries a
    projected generation's power per accelerator relative to ``acc_key``'s."""
    rec, p, acc = ctx.rec, run.prefix, ctx.catalog.accelerators[acc_key]
    tdp = ctx.inputs.catalog_value(f"inputs.accelerators.{acc_key}.tdp_w", acc, "accelerator",
                                   acc_key, "tdp", "power")
    per = server_w_per_accelerator(ctx, acc_key, server_id)
    if scale is not None:
        tdp = Expr(tdp.value * scale.value, (tdp,) + tuple(scale.inputs))
        per = Expr(per.value * scale.value, (per,) + tuple(scale.inputs))
    words = " (projected generation)" if scale is not None else ""
    rec.derive(f"{p}.chip_power_w", power.chip_w, run.accelerators, tdp, unit="power",
               text=power.chip_w.formula + words)
    rec.derive(f"{p}.server_power_w", power.server_w, run.accelerators, per, unit="power",
               text=power.server_w.formula + words)


def constant_dollars(ctx: Context, costs: List[Tuple[Val, int]]) -> List[Val]:
    """Each cost (paid in a year) restated in the scenario's base-year dollars, as a figure
    ``..._usd_<base year>`` (``money: base_year``; none without it)."""
    s, rec, cpi = ctx.scenario, ctx.rec, ctx.catalog.cpi
    if s.money is None:
        return []
    base, out = int(s.money.base_year), []
    for cost, year in costs:
        try:
            factor = money.deflator(cpi.index, cpi.projection, int(year), base)
        except ValueError as e:
            rec.warn(f"{cost.name}: not restated in {base} dollars: {e}")
            continue
        past = f"; after {max(cpi.index)}, {cpi.projection:.0%} a year" \
            if str(year) not in cpi.index else ""
        f = rec.input(f"inputs.money.deflator_{year}_to_{base}", factor, "amount",
                      f"catalog price index (configs/catalog/cpi.yaml) {cpi.name}: "
                      f"CPI({base}) / CPI({year}); {cpi.source} ({cpi.as_of}){past}")
        out.append(rec.record(f"{cost.name[:-len('_usd')]}_usd_{base}", cost.value * factor,
                              "money", f"in {base} dollars: paid in {year} x CPI({base}) / "
                              f"CPI({year})", [cost, f]))
    return out

