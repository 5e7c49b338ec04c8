"""The capacity plan: runs the tool sizes, the hardware and buildings they add, and when it is paid.

A planned run finishes within ``max_days`` in a named ``accelerator`` or in the generation
projected for its year (price-performance and energy-efficiency trends). It reuses the
accelerators earlier runs bought while they are within their useful life (a
:class:`Cohort` each) and buys the rest new. New hardware is paid over the quarter before
the run, new buildings over the build time before it; energy over the run's months;
maintenance, insurance and property tax while the capacity is in its life.
"""
from __future__ import annotations

from typing import Dict, List, NamedTuple

import numpy as np

from ..errors import ConfigError, Problem
from ..units import HOURS_PER_MONTH, HOURS_PER_YEAR
from . import cashflow, datacenter as dc, runterms, training as tr
from .context import Context
from .ledger import Expr, Val, formula
from .runs import Run, record_costs, sizing

HARDWARE_LEAD_MONTHS = 3   # planned hardware is paid for over the quarter before its run (assumption)


class Generation(NamedTuple):
    """The accelerator a planned run is sized in: peak, IT power and value per accelerator."""

    key: str
    peak: Val            # at the run's precision [FLOP/s]
    it_w: Val            # [W]
    value: Val           # cluster cost of one accelerator [USD]
    ratio: float         # its peak over the reference accelerator's (1 when not projected)


class Cohort(NamedTuple):
    """Accelerators bought for one planned run, in service from its start until retired."""

    key: str
    start: int
    retire: int
    accelerators: Val    # the run's new accelerators
    peak: Dict[str, float]
    it_w: Val
    value: Val


class Plan:
    """The planned runs' cohorts and the money they move, gathered as (amount, weights) terms."""

    def __init__(self, months: int):
        self.months = months
        self.cohorts: List[Cohort] = []
        self.built_it = 0.0                   # IT power the plan has built so far [W]
        self.capex: List[tuple] = []
        self.energy_usd: List[tuple] = []
        self.operations: List[tuple] = []
        self.rental: List[tuple] = []
        self.hardware_in_service: List[tuple] = []
        self.buildings_in_service: List[tuple] = []
        self.capex_by_year: Dict[str, object] = {}
        self.outside: List[str] = []
        self.runs: List[Run] = []
        self.rates: List[Val] = []            # yearly running costs on its capex
        self.rented: List[Run] = []           # planned runs acquired 'rented'

    def alive(self, month: int) -> List[Cohort]:
        """Cohorts in service in a month (bought before it, not yet retired)."""
        return [cohort for cohort in self.cohorts if cohort.start <= month < cohort.retire]

    def add_run(self, ctx: Context, run: Run) -> None:
        """Size a planned run, record its figures, and add its money to the plan."""
        plan_run(ctx, self, run)
        self.runs.append(run)


@formula("sum over cohorts of accelerators x peak at the run's precision")
def _cohort_flop_per_s(cohorts, precision):
    return sum((cohort.accelerators.value * cohort.peak.get(precision, 0.0)
                for cohort in cohorts), 0.0)


def generation(ctx: Context, run: Run) -> Generation:
    """Peak, IT power and value of the accelerator the run is sized in, projected to its year."""
    spec, scenario, rec = run.spec, ctx.scenario, ctx.rec
    if spec.accelerator is not None:
        key = spec.accelerator
    else:
        key = ctx.inputs.reference_key()
    ref = ctx.inputs.reference(key)
    peak = ctx.inputs.peak(key, spec.precision)
    if spec.accelerator is not None:
        return Generation(key, peak, ref.it_w, ref.value_usd, 1.0)
    when = spec.start or scenario.horizon.start
    years = when.year + (when.month - 1) / 12 - (ref.spec.year + 0.5)
    pp = ctx.inputs.pick("inputs.trends.price_performance_doubling_hours", scenario.trends,
                         "price_performance_doubling", "price_performance_doubling", "duration")
    ee = ctx.inputs.pick("inputs.trends.energy_efficiency_doubling_hours", scenario.trends,
                         "energy_efficiency_doubling", "energy_efficiency_doubling", "duration")
    g = f"{run.prefix}.generation"
    new_peak = rec.derive(
        f"{g}.peak_flop_per_s", _projected_peak(years), peak, pp, unit="throughput",
        text=f"{key} peak x 2^(years since {key} / price-performance doubling time): same "
             f"price, more FLOP/s ({years:+.1f} years)")
    it_w = rec.derive(f"{g}.it_w_per_accelerator", _projected_it_w(years), ref.it_w, pp, ee,
                      unit="power")
    value = rec.record(f"{g}.value_usd", ref.value_usd.value, "money",
                       "cluster value per accelerator, constant across generations",
                       [ref.value_usd])
    return Generation(key, new_peak, it_w, value, new_peak.value / peak.value)


def _projected_peak(years: float):
    def peak(reference_peak, pp_hours):
        return tr.projected(reference_peak, years, pp_hours / HOURS_PER_YEAR)
    return peak


def _projected_it_w(years: float):
    @formula("IT power per accelerator x 2^(years / price-performance doubling - years / "
             "energy-efficiency doubling)")
    def it_w(reference_it_w, pp_hours, ee_hours):
        pp_y, ee_y = pp_hours / HOURS_PER_YEAR, ee_hours / HOURS_PER_YEAR
        return reference_it_w * 2.0 ** (years / pp_y - years / ee_y)
    return it_w


def plan_run(ctx: Context, plan: Plan, run: Run) -> None:
    """A planned run: size it, its power and energy, the capex it adds, its three costs."""
    gen = generation(ctx, run)
    used = _size(ctx, plan, run, gen)
    it_total = ctx.rec.record(f"{run.prefix}.it_power_w",
                              sum((cohort.accelerators.value * cohort.it_w.value
                                   for cohort in used), 0.0),
                              "power", "sum over cohorts of accelerators x IT power per "
                              "accelerator", [run.accelerators] + [cohort.it_w for cohort in used])
    run.it_power = it_total
    _planned_energy(ctx, run, it_total, gen)
    capex = _planned_capex(ctx, plan, run, gen)
    _planned_costs(ctx, run, gen, used, capex)
    _planned_cash(ctx, plan, run, capex)


def separate_experiments(ctx: Context) -> bool:
    """Whether experiments are accelerator-hours outside the final run (the default) rather
    than a bigger cluster for the final run (``plan: {experiments: cluster}``)."""
    choices = ctx.scenario.plan
    return (choices.experiments if choices is not None else "gpu_hours") == "gpu_hours"


def _size(ctx: Context, plan: Plan, run: Run, gen: Generation) -> List[Cohort]:
    """New accelerators beyond what earlier cohorts still provide; days and accelerator-hours."""
    rec, p, spec, choices = ctx.rec, run.prefix, run.spec, ctx.scenario.plan
    if run.max_days is None:
        run.max_days = ctx.inputs.pick(f"{run.given}.max_days", choices, "max_days",
                                       "plan_max_days", "amount")
    sized = run.final_compute if separate_experiments(ctx) else run.compute
    need = rec.derive(f"{p}.required_flop_per_s", tr.required_flop_per_s, sized,
                      run.max_days, run.mfu, run.goodput, unit="throughput",
                      text=tr.required_flop_per_s.formula.replace(
                          "total", "final-run" if sized is run.final_compute else "total"))
    life = ctx.inputs.pick("inputs.depreciation.accelerators_hours", ctx.scenario.depreciation,
                           "accelerators", "life_accelerators", "duration")
    life_months = int(round(float(np.mean(life.value)) / HOURS_PER_MONTH))
    reuse = ctx.inputs.pick("inputs.plan.reuse", choices, "reuse", "plan_reuse", "fraction")
    alive = [cohort._replace(accelerators=Expr(cohort.accelerators.value * reuse.value,
                                          (cohort.accelerators, reuse)))
             for cohort in plan.alive(run.start)]
    existing = _cohort_flop_per_s(alive, spec.precision)
    reused = rec.record(f"{p}.reused_accelerators",
                        sum((cohort.accelerators.value for cohort in alive), 0.0), "count",
                        "accelerators bought for earlier runs, still within their useful life, "
                        "x the share a run takes over (plan reuse)",
                        [cohort.accelerators for cohort in alive] + [reuse])
    new = rec.record(f"{p}.new_accelerators",
                     np.ceil(np.maximum(need.value - existing, 0.0) / gen.peak.value - 1e-9),
                     "count", "(required FLOP/s - FLOP/s of reused capacity) / peak of this "
                     "generation, rounded up", [need, gen.peak, reused])
    acc = ctx.catalog.accelerators[gen.key]
    cohort = Cohort(run.key, run.start, run.start + life_months, new,
                    {k: v * gen.ratio for k, v in acc.peak.items()}, gen.it_w, gen.value)
    plan.cohorts.append(cohort)
    used = alive + [cohort]
    flop_per_s = Expr(existing + new.value * gen.peak.value, (reused, new, gen.peak))
    run.accelerators = rec.record(f"{p}.accelerators",
                                  sum((cohort.accelerators.value for cohort in used), 0.0), "count",
                                  "reused + new accelerators", [reused, new])
    run.days = rec.derive(f"{p}.days", tr.days_at_throughput, sized, flop_per_s, run.mfu,
                          run.goodput, unit="amount")
    _hours(ctx, run)
    return used


def _hours(ctx: Context, run: Run) -> None:
    """Accelerator-hours: the final run's, and the experiments' on the same capacity."""
    rec, p = ctx.rec, run.prefix
    if not separate_experiments(ctx):
        run.gpu_hours = rec.derive(f"{p}.gpu_hours", tr.accelerator_hours, run.accelerators,
                                   run.days, unit="gpu_hours")
        return
    final = rec.derive(f"{p}.final_gpu_hours", tr.accelerator_hours, run.accelerators,
                       run.days, unit="gpu_hours")
    extra = rec.derive(f"{p}.experiments_gpu_hours", tr.experiments_gpu_hours, final,
                       run.experiments, unit="gpu_hours")
    run.gpu_hours = rec.total(f"{p}.gpu_hours", [final, extra], "gpu_hours",
                              "final-run + experiments accelerator-hours")


def _planned_energy(ctx: Context, run: Run, it_total: Val, gen: Generation) -> None:
    """Power by definition and energy of a planned run, at its own, its site profile's or the
    default PUE, utilisation and price."""
    rec, p = ctx.rec, run.prefix
    pue, util, price = runterms.power_terms(ctx, run)
    sizing(ctx, run, gen.key)
    ref_it = ctx.inputs.reference(gen.key).it_w
    scale = None if gen.it_w is ref_it else Expr(gen.it_w.value / ref_it.value, (gen.it_w, ref_it))
    runterms.power_definitions(ctx, run, gen.key, scale=scale)
    run.facility_power = rec.derive(f"{p}.facility_power_w", tr.facility_power_w, it_total, pue, unit="power")
    hours = Expr(run.gpu_hours.value / np.maximum(run.accelerators.value, 1e-300),
                 (run.gpu_hours, run.accelerators))
    energy = run.energy_wh = rec.derive(f"{p}.energy_wh", dc.energy_wh, it_total, util, pue, hours,
                        unit="energy", text="IT power x utilisation x PUE x hours its capacity "
                                            "works (final run and experiments)")
    run.energy_usd = rec.derive(f"{p}.energy_usd", dc.electricity_usd, energy, price,
                                unit="money")


def _planned_capex(ctx: Context, plan: Plan, run: Run, gen: Generation) -> Val:
    """Hardware the run buys new, and buildings for the IT power beyond what the plan built."""
    rec, p = ctx.rec, run.prefix
    per_w = ctx.inputs.buildings_usd_per_w()
    alive_it = sum((cohort.accelerators.value * cohort.it_w.value
                    for cohort in plan.alive(run.start)), 0.0)
    new_it = np.maximum(alive_it - plan.built_it, 0.0)
    plan.built_it = plan.built_it + new_it
    new = plan.cohorts[-1].accelerators
    hardware = rec.record(f"{p}.capex.hardware_usd", new.value * gen.value.value, "money",
                          "new accelerators x cluster value per accelerator", [new, gen.value])
    buildings = rec.record(f"{p}.capex.buildings_usd", new_it * per_w.value, "money",
                           "IT power beyond what the plan has built x buildings per W of IT",
                           [new, gen.it_w, per_w])
    run.capex = rec.total(f"{p}.capex_usd", [hardware, buildings], "money",
                          "hardware + buildings the run adds")
    run.capex_parts = (hardware, buildings)
    return run.capex


def _planned_costs(ctx: Context, run: Run, gen: Generation, used: List[Cohort],
                   capex: Val) -> None:
    """Amortized at the cohorts' value, build at the capex it adds, rental in its generation."""
    rec, p = ctx.rec, run.prefix
    rec.record(f"{p}.value_per_accelerator_usd",
               sum((cohort.accelerators.value * cohort.value.value for cohort in used), 0.0)
               / np.maximum(run.accelerators.value, 1e-300), "money",
               "average cluster value per accelerator over the cohorts it uses, when bought",
               [run.accelerators] + [cohort.accelerators for cohort in used]
               + [cohort.value for cohort in used])
    value = _value_at_start(ctx, run, used)
    price = ctx.inputs.rent_price(gen.key)
    if price is not None:
        # rented in the generation of its year: same price per accelerator-hour (assumption)
        hours = rec.derive(f"{p}.rental_gpu_hours", tr.gpu_hours, run.compute, gen.peak,
                           run.mfu, run.goodput, unit="gpu_hours",
                           text="total compute / (peak of this generation x MFU x 3600) / goodput")
    record_costs(ctx, run, value, capex,
                 build_text="capex of the hardware and buildings the run adds + energy")
    if price is not None:
        args = (hours, price, 0.0) + ((run.staff,) if run.staff is not None else ())
        run.costs["rental"] = rec.derive(
            f"{p}.cost.rental_usd", tr.rental_cost_usd, *args, unit="money",
            text="accelerator-hours in this generation x rental price (price per hour held "
                 "constant across generations)" + (" + staff" if run.staff is not None else ""))


def _value_at_start(ctx: Context, run: Run, used: List[Cohort]) -> Val:
    """Each cohort's value when bought (the quarter before its first run), depreciated to this
    run's start (Epoch AI), averaged over the accelerators the run uses."""
    decay = ctx.inputs.common("decay", "amount")
    at_start = sum((cohort.accelerators.value * tr.value_at_start(
        cohort.value.value, (run.start - cohort.start + HARDWARE_LEAD_MONTHS) / 12.0, decay.value)
        for cohort in used), 0.0)
    return ctx.rec.record(
        f"{run.prefix}.value_at_start_usd", at_start / np.maximum(run.accelerators.value, 1e-300),
        "money", "average over its cohorts of value when bought x 10^(-decay x years from "
        f"purchase ({HARDWARE_LEAD_MONTHS} months before each cohort's first run) to this "
        "run's start)", [run.accelerators, decay] + [cohort.accelerators for cohort in used]
        + [cohort.value for cohort in used])


def _planned_cash(ctx: Context, plan: Plan, run: Run, capex: Val) -> None:
    """When the plan pays: hardware before the run, buildings over the build time before it.

    A run acquired under a contract (``acquire: <contract>``) is paid by the contract; one
    acquired ``rented`` pays its rental bill over its months instead of capex.
    """
    n, hardware, buildings = ctx.months, run.capex_parts[0].value, run.capex_parts[1].value
    how = run.spec.acquire
    if how not in (None, "owned"):
        if how == "rented":
            if "rental" not in run.costs:
                raise ConfigError(Problem(
                    f"run '{run.spec.name}' is acquired 'rented' but the catalog has no rental "
                    f"price for its accelerator", run.spec.marks.get("acquire"),
                    ("training", run.index, "acquire"),
                    hint="name an 'accelerator' with a rental price, or rent it with 'rent:'"))
            plan.rental.append((run.costs["rental"].value,
                                cashflow.spread_row(run.start, run.months, n)))
            plan.rented.append(run)
        return
    build_months = int(ctx.catalog.defaults.build_months)
    hw_start, b_start = run.start - HARDWARE_LEAD_MONTHS, run.start - build_months
    plan.capex += [(hardware, cashflow.spread_row(hw_start, HARDWARE_LEAD_MONTHS, n)),
                   (buildings, cashflow.spread_row(b_start, build_months, n))]
    if min(hw_start, b_start) < 0 and np.any(np.asarray(hardware + buildings) > 0):
        plan.outside.append(f"run '{run.spec.name}' (capex before the horizon)")
    year0 = ctx.scenario.horizon.start
    for offset, amount, months in ((hw_start, hardware, HARDWARE_LEAD_MONTHS),
                                   (b_start, buildings, build_months)):
        for m in range(months):
            year = str(year0.plus(offset + m).year)
            plan.capex_by_year[year] = plan.capex_by_year.get(year, 0.0) + amount / months
    plan.energy_usd.append((run.energy_usd.value,
                            cashflow.spread_row(run.start, run.months, n)))
    # operating the planned capacity while it is in its useful life
    rates = [ctx.inputs.common(k, "fraction") for k in ("maintenance", "insurance", "property_tax")]
    plan.rates = rates
    life = plan.cohorts[-1].retire - run.start
    live = cashflow.step(run.start, n) - cashflow.step(run.start + life, n)
    plan.operations.append((dc.rate_usd_per_month(capex.value, sum(rate.value for rate in rates)),
                            live))
    plan.hardware_in_service.append((hardware, run.start))
    plan.buildings_in_service.append((buildings, run.start))


def estimate_plan_totals(ctx: Context, plan: Plan) -> None:
    """Totals over all runs, the planned capex by year, and the plan's monthly series."""
    rec, runs = ctx.rec, ctx.runs
    _sum_over(ctx, "total_compute_flop", [run.compute for run in runs], "compute",
              "sum over runs of total compute", headline=True)
    _sum_over(ctx, "gpu_hours", [run.gpu_hours for run in runs], "gpu_hours",
              "sum over runs of accelerator-hours")
    _sum_over(ctx, "energy_wh", [run.energy_wh for run in runs], "energy",
              "sum over runs of facility energy", headline=True)
    for kind in ("amortized", "build", "rental"):
        costs = [run.costs.get(kind) for run in runs]
        if None not in costs:
            _sum_over(ctx, f"cost.{kind}_usd", costs, "money", f"sum over runs of {kind} cost",
                      headline=True)
    paid = [run for run in plan.runs if run.spec.acquire in (None, "owned")]
    capex = _sum_over(ctx, "capex_usd", [run.capex for run in paid], "money",
                      "sum over planned runs of the capex they add", headline=True)
    _constant_dollars(ctx, runs)
    peaks = [run.facility_power for run in runs]
    rec.record("training.peak_facility_w",
               np.max(np.stack(np.broadcast_arrays(*[v.value for v in peaks])), axis=0),
               "power", "largest facility power of any run", peaks, headline=True)
    for year in sorted(plan.capex_by_year):
        rec.record(f"training.capex.{year}_usd", plan.capex_by_year[year], "money",
                   f"planned capex paid in {year}", [run.capex for run in paid])
    _plan_series(ctx, plan, capex)


def _constant_dollars(ctx: Context, runs: List[Run]) -> None:
    """Run costs and their totals in the base year's dollars (``money: base_year``)."""
    if ctx.scenario.money is None:
        return
    base = int(ctx.scenario.money.base_year)
    for kind in ("amortized", "rental", "build"):
        paid = [(run.costs[kind], (run.spec.start or ctx.scenario.horizon.start).year)
                for run in runs if kind in run.costs]
        restated = runterms.constant_dollars(ctx, paid)
        if restated and len(paid) == len(runs):
            _sum_over(ctx, f"cost.{kind}_usd_{base}", restated, "money",
                      f"sum over runs of {kind} cost in {base} dollars")


def _sum_over(ctx: Context, suffix: str, parts: List[Val], unit: str, text: str,
              headline: bool = False):
    parts = [v for v in parts if v is not None]
    if not parts:
        return None
    return ctx.rec.total(f"training.{suffix}", parts, unit, text, headline=headline)


def _plan_series(ctx: Context, plan: Plan, capex) -> None:
    rec, n = ctx.rec, ctx.months
    monthly = ctx.monthly
    monthly["training_capex"] = rec.record("monthly.training.capex_usd", cashflow.weighted_rows(plan.capex, n), "money",
               f"planned hardware over the {HARDWARE_LEAD_MONTHS} months before each run, "
               "buildings over the build time before it", [capex], series=True)
    monthly["training_energy"] = rec.record("monthly.training.energy_usd", cashflow.weighted_rows(plan.energy_usd, n), "money",
               "energy of planned runs, spread over their months",
               [run.energy_usd for run in plan.runs], series=True)
    monthly["training_operations"] = rec.record("monthly.training.operations_usd", cashflow.weighted_rows(plan.operations, n),
               "money",
               "planned capex x (maintenance + insurance + property tax) / 12 while in its "
               "useful life", [capex] + plan.rates, series=True)
    if capex is not None and ctx.detail:
        _plan_depreciation(ctx, plan, capex)
    monthly["training_rental"] = rec.record("monthly.training.rental_usd", cashflow.weighted_rows(plan.rental, n), "money",
               "rental bills of rented runs, spread over their months",
               [run.costs["rental"] for run in ctx.runs if run.kind == "rent"]
               + [run.costs["rental"] for run in plan.rented], series=True)
    if plan.outside:
        rec.warn("training spending outside the horizon is left out of the monthly series: "
                 + ", ".join(plan.outside))


def _plan_depreciation(ctx: Context, plan: Plan, capex: Val) -> None:
    """Straight-line depreciation of the capacity the plan buys, from each run's start."""
    rec, spec = ctx.rec, ctx.scenario.depreciation
    parts = []
    for additions, cls, life_key in ((plan.hardware_in_service, "accelerators",
                                      "life_accelerators"),
                                     (plan.buildings_in_service, "buildings", "life_buildings")):
        life = ctx.inputs.pick(f"inputs.depreciation.{cls}_hours", spec, cls, life_key,
                               "duration")
        months = max(int(round(float(np.mean(life.value)) / HOURS_PER_MONTH)), 1)
        # straight-line: each addition spread evenly over the life that starts with it
        dep = cashflow.weighted_rows([(amount, cashflow.spread_row(start, months, ctx.months))
                                      for amount, start in additions], ctx.months)
        parts.append(rec.record(f"monthly.training.depreciation.{cls}_usd", dep, "money",
                                f"planned {cls} capex from its run's start, straight-line over "
                                "its life", [capex, life], series=True))
    total_dep = rec.total("monthly.training.depreciation_usd", parts, "money",
                          "depreciation of planned hardware and buildings", series=True)
    rec.record("training.depreciation_usd", np.sum(total_dep.value, axis=-1), "money",
               "depreciation of planned capacity over the horizon", [total_dep])
