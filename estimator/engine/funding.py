"""The funding verdict: sources against uses, month by month, over the horizon.

Sources: starting cash, equity raises (a tranche may depend on a named flag, with what
arrives instead when the flag is false), loans, revenue. Uses: the fleets' and
datacenters' capex and opex, the training plan (planned capex, energy, operations,
rentals), payroll, serving users and other operating costs, debt service.

The verdict covers the months through the end of the plan's last run (the whole
horizon when there are no runs): covered when the cash balance never drops below
zero in that window.
"""
from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional

import numpy as np

from ..model import Month
from ..units import HOURS_PER_MONTH
from . import training as tr
from .cashflow import TOLERANCE_USD, add_all, as_column, balance, first_below_zero, year_levels
from .context import Context
from .inputs import source_of
from .ledger import Val, value as plain

# a run the money could buy is costed over this many days: the length of today's frontier
# runs (Epoch AI, "Can AI scaling continue through 2030?", 2024: ~100-150 days; assumption)
COULD_BUY_RUN_DAYS = 150

USES = ("infrastructure", "training_capex", "training_energy", "training_operations",
        "training_rental", "payroll", "other", "inference", "debt_service")


class Verdict(NamedTuple):
    """Covered, the low point, the gap month, sources and uses through the window.

    Month positions (the low point's, the first gap, the last month covered) are found for
    a single scenario only; over Monte Carlo samples a month has no single value.
    """

    balance: object
    covered: object
    low: object
    low_month: Optional[object]
    shortfall: object
    gap: Optional[object]
    sources: object
    uses: object
    ratio: object
    lasts: Optional[object]


def verdict(bal, window: int, sources, uses) -> Verdict:
    inside = bal[..., : window + 1]
    low = np.min(inside, axis=-1)
    covered = low >= -TOLERANCE_USD
    if np.ndim(bal) == 1:
        low_idx, gap = np.argmin(inside, axis=-1), first_below_zero(inside)
        lasts = np.where(gap < 0, window, gap - 1)
    else:
        low_idx = gap = lasts = None
    ratio = None if sources is None else \
        np.where(uses > 0, sources / np.where(uses > 0, uses, 1.0), np.inf)
    return Verdict(bal, covered, low, low_idx, np.maximum(-low, 0.0), gap, sources, uses, ratio,
                   lasts)


class Books:
    """The funding figures each step hands to the next, by name of what they are."""

    def __init__(self, months: List[Month]):
        self.months = months
        self.years = [m.year for m in months]
        self.uses: Dict[str, Val] = {}
        self.window: Val = None
        self.window_end = 0
        self.cash: Val = None
        self.raises: Val = None
        self.debt_in: Val = None
        self.revenue: Val = None


def estimate_funding(ctx: Context) -> None:
    fnd = ctx.scenario.funding
    if fnd is None:
        return
    rec = ctx.rec
    books = Books([Month.from_index(ctx.start + t) for t in range(ctx.months)])
    _uses(ctx, fnd, books)
    books.cash = ctx.inputs.given("inputs.funding.cash_usd", fnd, "cash", "money")
    books.revenue = _by_year(ctx, books, fnd, "revenue", "revenue_growth")
    present = [v for v in books.uses.values() if isinstance(v, Val)]
    uses_total = rec.record("monthly.funding.uses_usd",
                            add_all([plain(v) for v in books.uses.values()]), "money",
                            "sum of every use of money each month", present, series=True)
    _window(ctx, books)
    use_sums = [_through_window(ctx, books, f"funding.uses.{key}_usd", v,
                                f"{key.replace('_', ' ')} through the window")
                for key, v in books.uses.items() if isinstance(v, Val)]
    flags = dict(fnd.flags or {})
    raises = _raises(ctx, fnd, flags, books)
    source_sums = [books.cash] + [
        _through_window(ctx, books, f"funding.sources.{key}_usd", v, f"{key} through the window")
        for key, v in (("raises", raises), ("loans", books.debt_in), ("revenue", books.revenue))]
    sources = rec.record("monthly.funding.sources_usd",
                         add_all([raises.value, books.debt_in.value, books.revenue.value]),
                         "money", "raises + loans + revenue each month",
                         [raises, books.debt_in, books.revenue], series=True)
    bal = balance(books.cash.value, sources.value, uses_total.value)
    base = verdict(bal, books.window_end, _sum(source_sums), _sum(use_sums))
    balance_val = Val("monthly.funding.balance_usd", bal)
    record_verdict(ctx, base, "funding", books, (source_sums, use_sums, balance_val))
    rec.record("monthly.funding.balance_usd", bal, "money", "cash + cumulative (sources - uses)",
               [books.cash, sources, uses_total], series=True)
    _cash_positive_year(ctx, books, uses_total, fnd)
    _branches(ctx, fnd, books, base, balance_val)
    _could_buy(ctx, books)


def _sum(vals: List[Val]):
    acc = 0.0
    for v in vals:
        acc = acc + v.value
    return acc


def _through_window(ctx: Context, books: Books, name: str, series: Val, text: str) -> Val:
    return ctx.rec.record(name, np.sum(np.asarray(series.value)[..., : books.window_end + 1],
                                       axis=-1), "money", text, [series, books.window])


# --------------------------------------------------------------------------- uses

def _uses(ctx: Context, fnd, books: Books) -> None:
    """Every use of money each month, in the order of :data:`USES`."""
    zeros = np.zeros(ctx.months)
    uses = books.uses
    uses["infrastructure"] = ctx.monthly["cash_out"]
    for key in ("capex", "energy", "operations", "rental"):
        uses[f"training_{key}"] = ctx.monthly.get(f"training_{key}", zeros)
    ops = fnd.operations
    for key in ("payroll", "other"):
        uses[key] = _by_year(ctx, books, ops, key, "growth", prefix="operations.")
    uses["inference"] = _inference(ctx, ops, books) if ops and ops.inference else zeros
    books.debt_in, uses["debt_service"] = _debt(ctx, fnd)


def _by_year(ctx: Context, books: Books, owner, key: str, growth_attr: str,
             prefix: str = "") -> Val:
    """A yearly amount (revenue, payroll, other) as a monthly series, each year's value / 12.

    Years between two given years are interpolated; later years grow by ``growth_attr``.
    """
    growth = getattr(owner, growth_attr) if owner is not None else 0.0
    name = f"monthly.funding.{key}_usd"
    given = (getattr(owner, key) or {}) if owner is not None else {}
    inputs = [ctx.rec.input(f"inputs.funding.{prefix}{key}.{year}_usd", v, "money",
                            source_of(owner, key)) for year, v in given.items()]
    if given:
        inputs.append(ctx.rec.input(f"inputs.funding.{prefix}{growth_attr}", growth, "fraction",
                                    source_of(owner, growth_attr)))
    levels = (year_levels({y: v / 12.0 for y, v in given.items()}, growth, books.years)
              if owner is not None else np.zeros(ctx.months))
    return ctx.rec.record(name, levels, "money",
                          f"{key} of each year / 12 (years between those given interpolated, "
                          f"later years grown by {prefix}{growth_attr})", inputs, series=True)


def _window(ctx: Context, books: Books) -> None:
    """The verdict's window: through the end of the plan's last run, or the whole horizon."""
    n = ctx.months
    if not ctx.runs:
        end = n - 1
    else:
        end = max(run.end for run in ctx.runs)
        if end > n - 1:
            ctx.rec.warn("the plan's last run ends after the horizon; the verdict stops at the "
                         "horizon's end")
        end = min(max(end, 0), n - 1)
    books.window_end = end
    books.window = ctx.rec.record(
        "funding.window_end", str(books.months[end]), "month",
        "end of the plan's last run (or the horizon's end when there are no runs)",
        [run.days for run in ctx.runs])


def _debt(ctx: Context, fnd):
    """Loans: principal in its month; interest each month of the term; principal at its end."""
    n, rec = ctx.months, ctx.rec
    din, dout = np.zeros(n), np.zeros(n)
    t = np.arange(n)
    inputs = []
    for i, d in enumerate(fnd.debt):
        start = ctx.offset(d.date)
        term = max(int(round(d.term / HOURS_PER_MONTH)), 1)
        p = f"inputs.funding.debt.{i}"
        inputs += [ctx.inputs.given(f"{p}.principal_usd", d, "principal", "money"),
                   ctx.inputs.given(f"{p}.rate", d, "rate", "fraction"),
                   ctx.inputs.given(f"{p}.term_hours", d, "term", "duration")]
        principal = np.asarray(d.principal, dtype=float)[..., None]
        rate = np.asarray(d.rate, dtype=float)[..., None]
        din = din + principal * (t == start)
        live = (t > start) & (t <= start + term)
        dout = dout + principal * rate / 12.0 * live + principal * (t == start + term)
    debt_in = rec.record("monthly.funding.debt_in_usd", din, "money",
                         "loan principal in its month", inputs, series=True)
    service = rec.record("monthly.funding.debt_service_usd", dout, "money",
                         "interest (principal x rate / 12) each month of the term, principal "
                         "repaid at its end", inputs, series=True)
    return debt_in, service


def _inference(ctx: Context, ops, books: Books) -> Val:
    """Serving users: accelerators from users x tokens x 2N, rented at a price per hour."""
    rec, inf, p = ctx.rec, ops.inference, "inputs.funding.inference"
    users = _users(ctx, inf, books)
    tokens = ctx.inputs.given(f"{p}.tokens_per_user_per_day", inf, "tokens_per_user_per_day",
                              "amount")
    params = ctx.inputs.given(f"{p}.active_params", inf, "active_params", "amount")
    util = ctx.inputs.pick(f"{p}.utilisation", inf, "utilisation", "inference_utilisation",
                           "fraction")
    peak = ctx.inputs.peak(inf.accelerator, inf.precision)
    # per-sample factors first, then one pass over the months
    per_user = rec.compute(tr.serving_accelerators, 1.0, tokens, params, peak, util)
    serving = Val("monthly.funding.serving_accelerators", None)
    if ctx.detail:
        serving = rec.record(serving.name, users.value * as_column(per_user.value), "count",
                             tr.serving_accelerators.formula, [users, per_user], series=True)
    if inf.price is not None:
        price = ctx.inputs.given(f"{p}.price_usd_per_hour", inf, "price", "gpu_hour_price")
    else:
        price = ctx.inputs.rent_price(inf.accelerator)   # the loader checks there is one
    return rec.record("monthly.funding.inference_usd",
                      users.value * as_column(per_user.value * HOURS_PER_MONTH * price.value),
                      "money", "serving accelerators x hours in the month x price per "
                      "accelerator-hour", [serving if ctx.detail else per_user, users, price],
                      series=True)


def _users(ctx: Context, inf, books: Books) -> Val:
    inputs = [ctx.rec.input(f"inputs.funding.inference.users.{year}", v, "amount",
                            source_of(inf, "users")) for year, v in (inf.users or {}).items()]
    if inf.users:
        inputs.append(ctx.inputs.given("inputs.funding.inference.users_growth", inf,
                                       "users_growth", "fraction"))
    return ctx.rec.record("monthly.funding.users",
                          year_levels(inf.users or {}, inf.users_growth, books.years), "amount",
                          "users of each year (years after the last given grow by "
                          "users_growth)", inputs, series=True)


# --------------------------------------------------------------------------- sources

def raise_series(ctx: Context, fnd, flags: Dict[str, bool]):
    """Each raise in its month, as the flags stand; the amounts; those outside the horizon."""
    n = ctx.months
    series, amounts, outside = np.zeros(n), [], []
    for r in fnd.raises:
        amount = r.amount
        if r.if_ is not None and not flags.get(r.if_, False):
            amount = r.else_ if r.else_ is not None else 0.0
        t = ctx.offset(r.date)
        if 0 <= t < n:
            series = series + np.asarray(amount, dtype=float)[..., None] * (np.arange(n) == t)
        else:
            outside.append(r)
        amounts.append(amount)
    return series, amounts, outside


def _raises(ctx: Context, fnd, flags: Dict[str, bool], books: Books) -> Val:
    rec = ctx.rec
    series, amounts, outside = raise_series(ctx, fnd, flags)
    inputs = []
    for i, (r, amount) in enumerate(zip(fnd.raises, amounts)):
        if r in outside:
            rec.warn(f"raise '{r.name}' ({r.date}) falls outside the horizon and is left out")
        inputs.append(rec.input(f"inputs.funding.raises.{i}.amount_usd", amount, "money",
                                _raise_source(r, flags)))
    books.raises = rec.total("funding.raises_usd", inputs, "money",
                             "sum of the raises as the flags stand")
    return rec.record("monthly.funding.raises_usd", series, "money", "each raise in its month",
                      inputs, series=True)


def _raise_source(r, flags) -> str:
    src = source_of(r, "amount")
    if r.if_ is not None:
        state = flags.get(r.if_, False)
        other = ("nothing" if r.else_ is None else
                 f"{r.else_:,.0f} USD" if np.ndim(r.else_) == 0 else "a sampled amount")
        src += (f"; '{r.name}' arrives in full only if {r.if_} is true (it is "
                f"{str(state).lower()}), else {other}")
    return src


# --------------------------------------------------------------------------- the verdict

def _month_or_none(idx, months) -> Optional[str]:
    if idx is None or np.ndim(idx):
        return None
    i = int(idx)
    return str(months[i]) if 0 <= i < len(months) else None


def record_verdict(ctx: Context, v: Verdict, prefix: str, books: Books, parts,
                   also=()) -> None:
    """The verdict's figures under ``prefix``; ``parts`` = (source sums, use sums, balance).

    A branch (no source sums) records only whether it is covered, and by how much not.
    """
    rec = ctx.rec
    source_sums, use_sums, bal = parts
    base = [bal, books.window, *also]
    rec.record(f"{prefix}.covered", v.covered if np.ndim(v.covered) else bool(v.covered), "flag",
               "the cash balance never drops below zero through the window", base,
               headline=source_sums is not None)
    rec.record(f"{prefix}.shortfall_usd", v.shortfall, "money",
               "the most the balance drops below zero in the window (0 when covered)", base,
               headline=source_sums is not None)
    rec.record(f"{prefix}.gap_month", _month_or_none(v.gap, books.months), "month",
               "first month the balance is below zero", base, headline=source_sums is not None)
    rec.record(f"{prefix}.min_balance_usd", v.low, "money",
               "lowest month-end balance in the window", base)
    if source_sums is None:
        return
    rec.record(f"{prefix}.min_balance_month", _month_or_none(v.low_month, books.months), "month",
               "month of the lowest balance", base)
    rec.record(f"{prefix}.lasts_until", _month_or_none(v.lasts, books.months), "month",
               "last month with a balance at or above zero before the first gap", base)
    src = rec.record(f"{prefix}.sources_usd", v.sources, "money",
                     "cash + raises + loans + revenue through the window", source_sums,
                     headline=True)
    use = rec.record(f"{prefix}.uses_usd", v.uses, "money", "sum of the uses through the window",
                     use_sums, headline=True)
    rec.record(f"{prefix}.coverage_ratio", v.ratio, "amount", "sources / uses through the window",
               [src, use], headline=True)


def _branches(ctx: Context, fnd, books: Books, base: Verdict, bal: Val) -> None:
    """Each condition's other branch, side by side with the branch as the flags stand."""
    flags = dict(fnd.flags or {})
    if not flags:
        return
    raises, _, _ = raise_series(ctx, fnd, flags)
    w = books.window_end + 1
    for flag, value in flags.items():
        flipped = dict(flags, **{flag: not value})
        delta = raise_series(ctx, fnd, flipped)[0] - raises     # only the raises differ
        # the branch only needs the months of the window
        other = verdict(base.balance[..., :w] + np.cumsum(delta, axis=-1)[:w],
                        books.window_end, None, base.uses)
        flag_input = ctx.rec.input(f"inputs.funding.flags.{flag}", value, "flag",
                                   source_of(fnd, "flags"))
        for branch, v in ((value, base), (not value, other)):
            record_verdict(ctx, v, f"funding.branches.{flag}.{str(branch).lower()}", books,
                           (None, None, bal), also=(flag_input,))
        ctx.rec.result.tables.setdefault("branches", []).append({"flag": flag, "value": value})


CASH_POSITIVE = ("first full year from which every full year's revenue covers that year's uses "
                 "(to the horizon's end)")


def _cash_positive_year(ctx: Context, books: Books, uses: Val, fnd) -> None:
    if not fnd.revenue:
        return
    revenue, months, found = books.revenue.value, books.months, None
    if np.ndim(revenue) <= 1 and np.ndim(uses.value) <= 1:   # over samples no single year
        positive = []
        for y in sorted({m.year for m in months}):
            idx = [i for i, m in enumerate(months) if m.year == y]
            if len(idx) == 12:
                positive.append((y, float(np.sum(revenue[idx] - uses.value[idx])) >= 0))
        for k, (y, _) in enumerate(positive):
            if all(ok for _, ok in positive[k:]):
                found = str(y)
                break
    ctx.rec.record("funding.cash_positive_year", found, "text", CASH_POSITIVE,
                   [books.revenue, uses])


def _could_buy(ctx: Context, books: Books) -> None:
    """What the money raised (cash, raises, loans) buys in the reference generation."""
    rec, inputs, s = ctx.rec, ctx.inputs, ctx.scenario
    key = s.trends.reference if s.trends and s.trends.reference else ctx.catalog.reference
    ref = inputs.reference(key)
    per_w = inputs.buildings_usd_per_w()
    money = rec.record("funding.money_raised_usd",
                       books.cash.value + books.raises.value
                       + np.sum(books.debt_in.value, axis=-1), "money",
                       "cash + raises + loans", [books.cash, books.raises, books.debt_in])
    per = ref.value_usd.value + ref.it_w.value * per_w.value
    n_acc = rec.record("funding.could_buy.accelerators", np.floor(money.value / per), "count",
                       f"money raised / ({key} cluster value + its share of buildings), "
                       "rounded down", [money, ref.value_usd, ref.it_w, per_w], headline=True)
    pue = inputs.common("pue", "amount")
    rec.record("funding.could_buy.facility_w", n_acc.value * ref.it_w.value * pue.value, "power",
               "those accelerators' IT power x PUE", [n_acc, ref.it_w, pue])
    precision = "fp8" if "fp8" in ref.spec.peak else "bf16"
    peak = inputs.peak(key, precision)
    mfu = inputs.common("mfu", "fraction")
    goodput = inputs.common("goodput", "fraction")
    rec.record("funding.could_buy.compute_flop",
               n_acc.value * peak.value * mfu.value * goodput.value * COULD_BUY_RUN_DAYS * 86400.0,
               "compute", f"those accelerators x {precision} peak x MFU x goodput over a "
               f"{COULD_BUY_RUN_DAYS}-day run", [n_acc, peak, mfu, goodput])
