"""Training runs: GPU-hours, days, power and cost of each run, three ways side by side.

A run is one of three kinds:

* ``on: FLEET`` -- it uses a fleet the scenario already costs (owned or rented);
* ``rent: {...}`` -- it rents accelerators by the hour;
* neither -- it is sized by the capacity plan (:mod:`.plan`) to finish within ``max_days``.

Every run is costed *amortized* (Epoch AI's method: the hardware's value decay over the
run, plus energy), *rental* (accelerator-hours x price) and *build* (the capex of the
capacity the run needs or adds, plus energy).
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from ..model import run_key
from . import cashflow, datacenter as dc, fleet as fl, runterms, training as tr
from .context import Context
from .ledger import Expr, Val


class Run:
    """One training run: its spec, its names, and the named values the rollup derives."""

    def __init__(self, spec, index: int, start: int):
        self.spec = spec
        self.index = index
        self.key = run_key(spec.name)
        self.prefix = f"training.{self.key}"            # its figures
        self.given = f"inputs.training.{self.key}"      # its inputs
        self.start = start                              # offset of its first month
        self.kind = ""                                  # 'fleet', 'rent' or 'plan'
        self.compute: Val = None                        # with experiments [FLOP]
        self.final_compute: Val = None                  # the final run's [FLOP]
        self.experiments: Val = None                    # total / final compute
        self.mfu: Val = None
        self.goodput: Val = None
        self.max_days: Optional[Val] = None
        self.fits: Val = None                           # days <= max_days
        self.staff: Optional[Val] = None
        self.accelerators: Val = None
        self.gpu_hours: Val = None
        self.days: Val = None
        self.it_power: Val = None
        self.energy_wh: Val = None
        self.energy_usd: Val = None
        self.facility_power: Val = None
        self.costs: dict = {}                           # amortized, rental, build
        self.capex: Optional[Val] = None                # planned runs: what they add
        self.capex_parts: Tuple[Val, ...] = ()          # hardware, buildings

    @property
    def months(self) -> int:
        """Calendar months the run spans."""
        return tr.run_months(self.days.value)

    @property
    def end(self) -> int:
        """Offset of its last month."""
        return self.start + self.months - 1

    def throughput(self) -> Tuple[Val, Val, Val]:
        """What its accelerator-hours follow from: compute, MFU, goodput."""
        return self.compute, self.mfu, self.goodput


def estimate_runs(ctx: Context, plan) -> None:
    """Every run of the scenario, in order of start; planned runs join ``plan``."""
    scenario = ctx.scenario
    order = sorted(range(len(scenario.training)),
                   key=lambda i: (scenario.training[i].start or scenario.horizon.start))
    for i in order:
        spec = scenario.training[i]
        run = Run(spec, i, ctx.offset(spec.start) if spec.start is not None else 0)
        _basis(ctx, run)
        if spec.on is not None:
            run.kind = "fleet"
            _fleet_run(ctx, run)
        elif spec.rent is not None:
            run.kind = "rent"
            _rented_run(ctx, run, plan)
        else:
            run.kind = "plan"
            plan.add_run(ctx, run)
        ctx.rec.result.tables.setdefault("training", []).append(
            {"run": spec.name, "key": run.key, "kind": run.kind,
             "start": str(spec.start) if spec.start is not None else str(scenario.horizon.start)})
        run.fits = _fits(ctx, run)
        ctx.runs.append(run)
    if ctx.runs:
        ctx.rec.record("training.on_time",
                       tr.on_time([(r.fits.value, r.start, r.days.value) for r in ctx.runs],
                                  ctx.months - 1), "flag",
                       f"every run within its max_days and ending by the horizon's last month "
                       f"({scenario.horizon.end})",
                       [v for r in ctx.runs for v in (r.fits, r.days)])


def _basis(ctx: Context, run: Run) -> None:
    """Compute (given, or 6ND), experiments, MFU, goodput, max_days and staff of a run."""
    rec, inputs, spec, p, ip = ctx.rec, ctx.inputs, run.spec, run.prefix, run.given
    if spec.compute is not None:
        compute = inputs.given(f"{p}.compute_flop", spec, "compute", "compute")
    else:
        attr = "active_params" if spec.active_params is not None else "params"
        params = inputs.given(f"{ip}.{attr}", spec, attr, "amount")
        tokens = inputs.given(f"{ip}.tokens", spec, "tokens", "amount")
        compute = rec.derive(f"{p}.compute_flop", tr.compute_flop, params, tokens, unit="compute",
                             text=f"6 x {attr.replace('_', ' ')} x tokens (Kaplan et al. 2020)")
    experiments = inputs.given(f"{ip}.experiments", spec, "experiments", "amount")
    run.compute = rec.derive(f"{p}.total_compute_flop", tr.total_compute_flop, compute,
                             experiments, unit="compute")
    run.final_compute, run.experiments = compute, experiments
    run.mfu, run.goodput = runterms.speed(ctx, run, compute)
    run.max_days = (inputs.given(f"{ip}.max_days", spec, "max_days", "amount")
                    if spec.max_days is not None else None)
    run.staff = (inputs.given(f"{p}.staff_usd", spec, "staff", "money")
                 if spec.staff is not None else None)


def _fits(ctx: Context, run: Run) -> Val:
    """Whether the run's days are within its max_days (per sample when days are)."""
    if run.kind != "plan":
        runterms.implied_mfu(ctx, run, run.final_compute, run.experiments)
    spec, days = run.spec, run.days.value
    if spec.max_days is not None and np.ndim(days) == 0 and days > spec.max_days * (1 + 1e-9):
        ctx.rec.warn(f"run '{spec.name}' needs {days:.0f} days; max_days is {spec.max_days:g}")
    fits = np.asarray(days) <= (spec.max_days or np.inf) * (1 + 1e-9)
    return ctx.rec.record(f"{run.prefix}.fits", bool(fits) if np.ndim(fits) == 0 else fits,
                          "flag", "days <= max_days", [run.days, run.max_days])


# --------------------------------------------------------------------------- costs

def with_staff(run: Run, fn, *args, text: Optional[str] = None):
    """Arguments and formula words of a cost that adds the run's staff, when it has any."""
    words = text if text is not None else fn.formula
    if run.staff is None:
        return args, words
    return args + (run.staff,), words + " + staff"


def record_costs(ctx: Context, run: Run, value: Val, build: Expr, rental=None,
                 build_text: str = "") -> Optional[Val]:
    """Amortized, rental (when a price is known) and build cost of a run.

    ``rental`` is (price, discount or None); ``build`` the capex the run needs or adds.
    Returns the rental cost, if there is one.
    """
    rec, p = ctx.rec, run.prefix
    decay = ctx.inputs.common("decay", "amount")
    args, text = with_staff(run, tr.amortized_usd, run.gpu_hours, value, decay, run.energy_usd)
    run.costs["amortized"] = rec.derive(f"{p}.cost.amortized_usd", tr.amortized_usd, *args,
                                        unit="money", text=text)
    rented = None
    if rental is not None:
        price, discount = rental
        args, text = with_staff(run, tr.rental_cost_usd, run.gpu_hours, price,
                                discount if discount is not None else 0.0)
        rented = run.costs["rental"] = rec.derive(f"{p}.cost.rental_usd", tr.rental_cost_usd,
                                                  *args, unit="money", text=text)
    args, text = with_staff(run, tr.build_cost_usd, build, run.energy_usd, text=build_text)
    run.costs["build"] = rec.derive(f"{p}.cost.build_usd", tr.build_cost_usd, *args,
                                    unit="money", text=text)
    return rented


def record_energy(ctx: Context, run: Run, it_w: Val, utilisation: Val, pue: Val,
                  price: Val) -> None:
    """Energy of a run at its accelerators' IT power, and what it costs."""
    energy = run.energy_wh = ctx.rec.derive(f"{run.prefix}.energy_wh", tr.energy_wh, run.gpu_hours, it_w,
                            utilisation, pue, unit="energy")
    run.energy_usd = ctx.rec.derive(f"{run.prefix}.energy_usd", dc.electricity_usd, energy,
                                    price, unit="money")


# --------------------------------------------------------------------------- on a fleet

def _fleet_run(ctx: Context, run: Run) -> None:
    rec, spec, p = ctx.rec, run.spec, run.prefix
    fleet = ctx.fleets[spec.on]
    peak = ctx.inputs.peak(fleet.accelerator, spec.precision)
    if spec.accelerators is not None:
        run.accelerators = ctx.inputs.given(f"{p}.accelerators", spec, "accelerators", "count")
    else:
        run.accelerators = rec.record(f"{p}.accelerators", fleet.accelerators.value, "count",
                                      "all of the fleet's accelerators", [fleet.accelerators])
    run.gpu_hours = rec.derive(f"{p}.gpu_hours", tr.gpu_hours, run.compute, peak, run.mfu,
                               run.goodput, unit="gpu_hours")
    run.days = rec.derive(f"{p}.days", tr.wall_clock_days, run.gpu_hours, run.accelerators,
                          unit="amount")
    if fleet.owned and run.start < fleet.delivered:
        rec.warn(f"run '{spec.name}' starts before fleet '{spec.on}' is fully delivered"
                 + ("" if spec.start is not None else
                    " (it has no 'start:', so it starts with the horizon; give it one)"))
    if fleet.owned:
        pue = _owned_fleet_run(ctx, run, fleet)
    else:
        pue, _ = rent_like(ctx, run, fleet.accelerator, fleet=fleet)
    run.facility_power = rec.derive(f"{p}.facility_power_w", tr.facility_power_w, run.it_power,
                                    pue, unit="power")


def _owned_fleet_run(ctx: Context, run: Run, fleet) -> Val:
    """Power, energy and costs of a run on an owned fleet; returns its site's PUE."""
    rec, p, site = ctx.rec, run.prefix, fleet.site
    per = rec.derive(f"{p}.it_w_per_accelerator", fl.share_per_accelerator, fleet.it_w,
                     fleet.accelerators, unit="power", text="fleet IT power / fleet accelerators")
    run.it_power = rec.derive(f"{p}.it_power_w", tr.it_power_w, per, run.accelerators,
                              unit="power")
    record_energy(ctx, run, per, fleet.utilisation, site.pue, site.electricity)
    value = rec.derive(f"{p}.value_per_accelerator_usd", fl.share_per_accelerator,
                       fleet.capex_total, fleet.accelerators, unit="money",
                       text="fleet capex / fleet accelerators: its value when acquired")
    value = runterms.value_at_start(ctx, run, value, runterms.acquired_fleet(ctx, run, fleet))
    runterms.power_definitions(ctx, run, fleet.accelerator, server_id=fleet.spec.server)
    site_capex = list(site.capex.values())
    build = rec.compute(fl.run_share_capex_usd, fleet.capex_total,
                        Expr(sum(v.value for v in site_capex) if site_capex else 0.0,
                             tuple(site_capex)),
                        fleet.it_w, site.it, run.accelerators, fleet.accelerators)
    price = ctx.inputs.rent_price(fleet.accelerator)
    record_costs(ctx, run, value, build, rental=(price, None) if price is not None else None,
                 build_text="capex of the accelerators it uses, with their share of the site, "
                            "+ energy")
    return site.pue


# --------------------------------------------------------------------------- rented

def rent_like(ctx: Context, run: Run, acc_key: str, fleet=None) -> Tuple[Val, Val]:
    """Energy and costs of a run on rented accelerators (a `rent:` run or a rented fleet).

    Returns the PUE its facility power is counted at (the run's own, its site profile's,
    or the default; a rented fleet's is the default) and its rental cost.
    """
    rec, inputs = ctx.rec, ctx.inputs
    ref = inputs.reference(acc_key)
    run.it_power = rec.derive(f"{run.prefix}.it_power_w", tr.it_power_w, ref.it_w,
                              run.accelerators, unit="power")
    runterms.power_definitions(ctx, run, acc_key)
    if fleet is not None:
        pue, util, price = (inputs.common("pue", "amount"), inputs.common("utilisation", "fraction"),
                            inputs.common("electricity", "energy_price"))
    else:
        pue, util, price = runterms.power_terms(ctx, run)
    record_energy(ctx, run, ref.it_w, util, pue, price)
    if fleet is not None:
        rental = (fleet.price, fleet.discount)
    else:
        rental = (runterms.rent_price(ctx, run.spec.rent, acc_key,
                                      f"inputs.{run.prefix}.rent_price_usd_per_hour"),
                  inputs.given(f"inputs.{run.prefix}.rent_discount", run.spec.rent, "discount",
                               "fraction"))
    build = rec.compute(tr.cluster_build_usd, run.accelerators, ref.value_usd, ref.it_w,
                        inputs.buildings_usd_per_w())
    value = runterms.value_at_start(ctx, run, ref.value_usd,
                                    runterms.acquired_rented(ctx, run, acc_key))
    rented = record_costs(ctx, run, value, build, rental=rental,
                          build_text=tr.cluster_build_usd.formula + " + energy")
    return pue, rented


def _rented_run(ctx: Context, run: Run, plan) -> None:
    rec, spec, p = ctx.rec, run.spec, run.prefix
    acc_key = spec.rent.accelerator
    peak = ctx.inputs.peak(acc_key, spec.precision)
    run.gpu_hours = rec.derive(f"{p}.gpu_hours", tr.gpu_hours, run.compute, peak, run.mfu,
                               run.goodput, unit="gpu_hours")
    if spec.rent.accelerators is not None:
        run.accelerators = ctx.inputs.given(f"{p}.accelerators", spec.rent, "accelerators",
                                            "count")
    else:
        run.accelerators = rec.derive(f"{p}.accelerators", tr.accelerators_for_window,
                                      run.compute, peak, run.mfu, run.goodput, run.max_days,
                                      unit="count")
    run.days = rec.derive(f"{p}.days", tr.wall_clock_days, run.gpu_hours, run.accelerators,
                          unit="amount")
    pue, rental = rent_like(ctx, run, acc_key)
    sizing(ctx, run, acc_key)
    run.facility_power = rec.derive(f"{p}.facility_power_w", tr.facility_power_w, run.it_power,
                                    pue, unit="power")
    # the rental bill lands month by month over the run
    plan.rental.append((rental.value, cashflow.spread_row(run.start, run.months, ctx.months)))
    if cashflow.outside_share(run.start, run.months, ctx.months) > 0:
        plan.outside.append(f"run '{spec.name}'")


def sizing(ctx: Context, run: Run, acc_key: str) -> None:
    """Servers and buildings a run's accelerators and IT power need (sizing figures)."""
    holders = [k for k, s in ctx.catalog.servers.items() if s.accelerator == acc_key]
    if holders:
        ctx.rec.derive(f"{run.prefix}.servers", fl.whole_servers, run.accelerators,
                       ctx.inputs.per_server(acc_key), unit="count",
                       text=f"accelerators / accelerators per {holders[0]} server, rounded up")
    size = ctx.inputs.common("building_size", "power", "_w")
    ctx.rec.derive(f"{run.prefix}.buildings", dc.whole_buildings, run.it_power, size,
                   unit="count")
