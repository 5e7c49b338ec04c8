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

from typing import Dict, List, Optional

import numpy as np

from ..model import Month
from ..units import HOURS_PER_MONTH
from ..result import total
from .cashflow import as_column, running_sum
from .costing import Context
from .plan import _building_usd_per_it_w, _default, _peak, _reference

TOLERANCE_USD = 1e-3   # balances within a tenth of a cent of zero count as zero


def year_levels(values: Dict[str, float], growth, years: List[int]):
    """Value for each month's year.

    Years given are taken as given; years between two given years are interpolated linearly;
    years after the last given grow by ``growth`` a year; years before the first given are 0.
    """
    if not values:
        return np.zeros(len(years))
    given = sorted((int(k), v) for k, v in values.items())
    distinct = sorted(set(years))
    per_year = []
    for y in distinct:
        before = [(k, v) for k, v in given if k <= y]
        after = [(k, v) for k, v in given if k >= y]
        if not before:
            per_year.append(0.0 * given[0][1])
        elif not after:
            k, v = before[-1]
            per_year.append(v * (1.0 + growth) ** (y - k))
        else:
            (k0, v0), (k1, v1) = before[-1], after[0]
            per_year.append(v0 if k1 == k0 else v0 + (v1 - v0) * (y - k0) / (k1 - k0))
    table = np.stack(np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in per_year]),
                     axis=-1)
    return table[..., [distinct.index(y) for y in years]]


def serving_accelerators(users, tokens_per_user_per_day, active_params, peak_flop_per_s,
                         utilisation):
    """Accelerators to serve users: users x tokens/day x 2 N / 86400 / (peak x utilisation). [count]

    Inference costs ~2 FLOP per active parameter per token (Kaplan et al. 2020).
    """
    flop_per_s = users * tokens_per_user_per_day * 2.0 * active_params / 86400.0
    return flop_per_s / (peak_flop_per_s * utilisation)


def add_all(series):
    """Sum of monthly series: the month-only ones first, then per-sample ones added in place."""
    parts = sorted((np.asarray(v, dtype=float) for v in series), key=np.ndim)
    small = [p for p in parts if p.ndim <= 1]
    big = [p for p in parts if p.ndim > 1]
    acc = sum(small[1:], small[0]) if small else 0.0
    if not big:
        return acc
    out = big[0] + acc                      # one new array, then accumulate into it
    for p in big[1:]:
        out += p
    return out


def balance(cash, sources, uses):
    """Cash balance at the end of each month. [USD]"""
    bal = running_sum(np.subtract(sources, uses), inplace=True)
    bal += as_column(cash)
    return bal


def first_below_zero(bal):
    """Index of the first month with a negative balance, or -1. Works on sample axes too."""
    neg = bal < -TOLERANCE_USD
    idx = np.argmax(neg, axis=-1)
    return np.where(neg.any(axis=-1), idx, -1)


def estimate_funding(ctx: Context) -> None:
    s, L = ctx.scenario, ctx.ledger
    fnd = s.funding
    if fnd is None:
        return
    n, f = ctx.n, L.result.figures
    months = [Month.from_index(ctx.start + t) for t in range(n)]
    years = [m.year for m in months]

    # ---- uses
    uses: Dict[str, object] = {"infrastructure": f["monthly.cash_out_usd"].value}
    for key in ("capex", "energy", "operations", "rental"):
        name = f"monthly.training.{key}_usd"
        uses[f"training_{key}"] = f[name].value if name in f else np.zeros(n)
    ops = fnd.operations
    for key in ("payroll", "other"):
        monthly = {y: v / 12.0 for y, v in (getattr(ops, key) or {}).items()} if ops else {}
        levels = year_levels(monthly, ops.growth, years) if ops else np.zeros(n)
        uses[key] = L.add(f"monthly.funding.{key}_usd", levels, "money",
                          f"{key} of each year / 12 (years between those given interpolated, "
                          "later years grown by operations.growth)", [], series=True)
    uses["inference"] = _inference(ctx, ops, years) if ops and ops.inference else np.zeros(n)
    debt_in, debt_out = _debt(ctx, fnd)
    uses["debt_service"] = debt_out

    # ---- sources that do not depend on flags
    cash = ctx.given("inputs.funding.cash_usd", fnd, "cash", "money")
    revenue = L.add("monthly.funding.revenue_usd",
                    year_levels({y: v / 12.0 for y, v in (fnd.revenue or {}).items()},
                                fnd.revenue_growth, years), "money",
                    "revenue of each year / 12 (years between those given interpolated, later "
                    "years grown by revenue_growth)", [], series=True)
    use_names = {"infrastructure": "monthly.cash_out_usd",
                 "training_capex": "monthly.training.capex_usd",
                 "training_energy": "monthly.training.energy_usd",
                 "training_operations": "monthly.training.operations_usd",
                 "training_rental": "monthly.training.rental_usd",
                 "payroll": "monthly.funding.payroll_usd", "other": "monthly.funding.other_usd",
                 "inference": "monthly.funding.inference_usd",
                 "debt_service": "monthly.funding.debt_service_usd"}
    uses_total = L.add("monthly.funding.uses_usd", add_all(uses.values()),
                       "money", "sum of every use of money each month",
                       [v for v in use_names.values() if v in f], series=True)
    window = _window(ctx)
    L.add("funding.window_end", str(months[window]), "month",
          "end of the plan's last run (or the horizon's end when there are no runs)",
          [f"training.{row['key']}.days" for row in L.result.tables.get("training", [])])

    use_sums = []
    for key, series in uses.items():
        if use_names[key] in f:
            use_sums.append(L.add(f"funding.uses.{key}_usd",
                                  np.sum(np.asarray(series)[..., : window + 1], axis=-1),
                                  "money", f"{key.replace('_', ' ')} through the window",
                                  [use_names[key], "funding.window_end"]))
    flags = dict(fnd.flags or {})
    raises = _raises(ctx, fnd, flags, record=True)
    source_sums = [cash]
    for key, name in (("raises", "monthly.funding.raises_usd"),
                      ("loans", "monthly.funding.debt_in_usd"),
                      ("revenue", "monthly.funding.revenue_usd")):
        source_sums.append(L.add(f"funding.sources.{key}_usd",
                                 np.sum(f[name].value[..., : window + 1], axis=-1), "money",
                                 f"{key} through the window", [name, "funding.window_end"]))
    sources = L.add("monthly.funding.sources_usd", add_all([raises, debt_in, revenue]), "money",
                    "raises + loans + revenue each month",
                    ["monthly.funding.raises_usd", "monthly.funding.debt_in_usd",
                     "monthly.funding.revenue_usd"], series=True)
    bal = balance(cash, sources, uses_total)
    verdict = _verdict(bal, window, total(source_sums), total(use_sums))
    _record_verdict(ctx, verdict, "funding", months)
    L.add("monthly.funding.balance_usd", verdict["balance"], "money",
          "cash + cumulative (sources - uses)",
          ["inputs.funding.cash_usd", "monthly.funding.sources_usd", "monthly.funding.uses_usd"],
          series=True)
    _cash_positive_year(ctx, revenue, uses_total, months, fnd)
    # each condition's other branch, side by side
    for flag, value in flags.items():
        flipped = dict(flags, **{flag: not value})
        delta = _raises(ctx, fnd, flipped) - raises          # only the raises differ
        # the branch only needs the months of the window
        w = window + 1
        other = _verdict(bal[..., :w] + np.cumsum(delta, axis=-1)[:w], window, None,
                         verdict["uses"])
        for branch, v in ((value, verdict), (not value, other)):
            _record_verdict(ctx, v, f"funding.branches.{flag}.{str(branch).lower()}", months,
                            brief=True)
        L.result.tables.setdefault("branches", []).append({"flag": flag, "value": value})
    _could_buy(ctx)


def _window(ctx: Context) -> int:
    L, n = ctx.ledger, ctx.n
    rows = L.result.tables.get("training", [])
    if not rows:
        return n - 1
    ends = []
    for row in rows:
        start = Month.parse(row["start"]).index - ctx.start
        days = float(np.max(L.result.figures[f"training.{row['key']}.days"].value))
        ends.append(start + max(int(np.ceil(days * 24 / HOURS_PER_MONTH)), 1) - 1)
    end = max(ends)
    if end > n - 1:
        L.warn("the plan's last run ends after the horizon; the verdict stops at the horizon's end")
    return min(max(end, 0), n - 1)


def _raises(ctx: Context, fnd, flags: Dict[str, bool], record: bool = False):
    L, n = ctx.ledger, ctx.n
    series = np.zeros(n)
    total = 0.0
    inputs = []
    for i, r in enumerate(fnd.raises):
        amount = r.amount
        if r.if_ is not None and not flags.get(r.if_, False):
            amount = r.else_ if r.else_ is not None else 0.0
        t = ctx.month(r.date)
        if 0 <= t < n:
            series = series + np.asarray(amount, dtype=float)[..., None] * (np.arange(n) == t)
        elif record:
            L.warn(f"raise '{r.name}' ({r.date}) falls outside the horizon and is left out")
        total = total + amount
        if record:
            name = f"inputs.funding.raises.{i}.amount_usd"
            L.input(name, amount, "money", _raise_source(r, flags))
            inputs.append(name)
    if record:
        L.add("funding.raises_usd", total, "money", "sum of the raises as the flags stand", inputs)
        L.add("monthly.funding.raises_usd", series, "money", "each raise in its month", inputs,
              series=True)
    return series


def _raise_source(r, flags) -> str:
    from .costing import source_of
    src = source_of(r, "amount")
    if r.if_ is not None:
        state = flags.get(r.if_, False)
        other = ("nothing" if r.else_ is None else
                 f"{r.else_:,.0f} USD" if np.ndim(r.else_) == 0 else "a sampled amount")
        src += (f"; '{r.name}' arrives in full only if {r.if_} is true (it is "
                f"{str(state).lower()}), else {other}")
    return src


def _debt(ctx: Context, fnd):
    L, n = ctx.ledger, ctx.n
    din, dout = np.zeros(n), np.zeros(n)
    t = np.arange(n)
    for i, d in enumerate(fnd.debt):
        start = ctx.month(d.date)
        term = max(int(round(d.term / HOURS_PER_MONTH)), 1)
        principal = np.asarray(d.principal, dtype=float)[..., None]
        rate = np.asarray(d.rate, dtype=float)[..., None]
        din = din + principal * (t == start)
        live = (t > start) & (t <= start + term)
        dout = dout + principal * rate / 12.0 * live + principal * (t == start + term)
    L.add("monthly.funding.debt_in_usd", din, "money", "loan principal in its month",
          [], series=True)
    L.add("monthly.funding.debt_service_usd", dout, "money",
          "interest (principal x rate / 12) each month of the term, principal repaid at its end",
          [], series=True)
    return din, dout


def _inference(ctx: Context, ops, years):
    L, f = ctx.ledger, ctx.ledger.result.figures
    inf = ops.inference
    p = "inputs.funding.inference"
    users = L.add("monthly.funding.users", year_levels(inf.users or {}, inf.users_growth, years),
                  "amount", "users of each year (years after the last given grow by "
                  "users_growth)", [], series=True)
    tok = ctx.given(f"{p}.tokens_per_user_per_day", inf, "tokens_per_user_per_day", "amount")
    act = ctx.given(f"{p}.active_params", inf, "active_params", "amount")
    util = ctx.pick(f"{p}.utilisation", inf, "utilisation", "inference_utilisation", "fraction")
    peak_name = _peak(ctx, inf.accelerator, inf.precision, inf, ("funding", "operations",
                                                                  "inference"))
    # per-sample factors first, then one pass over the months
    per_user = serving_accelerators(1.0, tok, act, f[peak_name].value, util)
    if ctx.detail:
        L.add("monthly.funding.serving_accelerators", users * as_column(per_user), "count",
              "users x tokens per user per day x 2 x active parameters / 86400 / (peak x "
              "utilisation)", ["monthly.funding.users", f"{p}.tokens_per_user_per_day",
                               f"{p}.active_params", peak_name, f"{p}.utilisation"], series=True)
    if inf.price is not None:
        price = ctx.given(f"{p}.price_usd_per_hour", inf, "price", "gpu_hour_price")
        price_name = f"{p}.price_usd_per_hour"
    else:
        acc_entry = ctx.catalog.accelerators[inf.accelerator]
        price_name = f"inputs.accelerators.{inf.accelerator}.rent_usd_per_hour"
        price = ctx.catalog_input(price_name, acc_entry, "accelerator", inf.accelerator, "rent",
                                  "gpu_hour_price") if acc_entry.rent is not None else None
        if price is None:
            from ..errors import ConfigError, Problem
            raise ConfigError(Problem(f"no rental price for '{inf.accelerator}' in the catalog; "
                                      "give operations.inference.price", inf.marks[""],
                                      ("funding", "operations", "inference", "price")))
    return L.add("monthly.funding.inference_usd", users * as_column(per_user * HOURS_PER_MONTH * price),
                 "money",
                 "serving accelerators x hours in the month x price per accelerator-hour",
                 ["monthly.funding.serving_accelerators", price_name], series=True)


def _verdict(bal, window: int, src, use) -> dict:
    """Covered, the low point, the gap month, sources and uses through the window.

    Month positions (the low point's, the first gap) are found for a single scenario only;
    over Monte Carlo samples a month has no single value and is skipped.
    """
    inside = bal[..., : window + 1]
    low = np.min(inside, axis=-1)
    covered = low >= -TOLERANCE_USD
    if np.ndim(bal) == 1:
        low_idx, gap = np.argmin(inside, axis=-1), first_below_zero(inside)
        lasts = np.where(gap < 0, window, gap - 1)
    else:
        low_idx = gap = lasts = None
    return {"balance": bal, "covered": covered, "min": low, "min_idx": low_idx,
            "shortfall": np.maximum(-low, 0.0), "gap": gap, "sources": src, "uses": use,
            "ratio": None if src is None else
            np.where(use > 0, src / np.where(use > 0, use, 1.0), np.inf), "lasts": lasts}


def _month_or_none(idx, months) -> Optional[str]:
    if np.ndim(idx):
        return None
    i = int(idx)
    return str(months[i]) if 0 <= i < len(months) else None


def _record_verdict(ctx: Context, v: dict, prefix: str, months, brief: bool = False) -> None:
    L = ctx.ledger
    base = ["monthly.funding.balance_usd", "funding.window_end"]
    L.add(f"{prefix}.covered", v["covered"] if np.ndim(v["covered"]) else bool(v["covered"]),
          "flag", "the cash balance never drops below zero through the window", base,
          headline=not brief)
    L.add(f"{prefix}.shortfall_usd", v["shortfall"], "money",
          "the most the balance drops below zero in the window (0 when covered)", base,
          headline=not brief)
    L.add(f"{prefix}.gap_month", None if v["gap"] is None else _month_or_none(v["gap"], months),
          "month",
          "first month the balance is below zero", base, headline=not brief)
    L.add(f"{prefix}.min_balance_usd", v["min"], "money", "lowest month-end balance in the window",
          base)
    if brief:
        return
    L.add(f"{prefix}.min_balance_month", None if v["min_idx"] is None else
          _month_or_none(v["min_idx"], months), "month",
          "month of the lowest balance", base)
    L.add(f"{prefix}.lasts_until", None if v["lasts"] is None else
          _month_or_none(v["lasts"], months), "month",
          "last month with a balance at or above zero before the first gap", base)
    L.add(f"{prefix}.sources_usd", v["sources"], "money",
          "cash + raises + loans + revenue through the window",
          ["inputs.funding.cash_usd"] + [f"funding.sources.{k}_usd" for k in
                                         ("raises", "loans", "revenue")], headline=True)
    L.add(f"{prefix}.uses_usd", v["uses"], "money", "sum of the uses through the window",
          [n for n in L.result.figures if n.startswith("funding.uses.")], headline=True)
    L.add(f"{prefix}.coverage_ratio", v["ratio"], "amount", "sources / uses through the window",
          [f"{prefix}.sources_usd", f"{prefix}.uses_usd"], headline=True)


CASH_POSITIVE = ("first full year from which every full year's revenue covers that year's uses "
                 "(to the horizon's end)")


def _cash_positive_year(ctx: Context, revenue, uses, months, fnd) -> None:
    if not fnd.revenue:
        return
    found = None
    if np.ndim(revenue) <= 1 and np.ndim(uses) <= 1:   # over samples no single year is named
        positive = []
        for y in sorted({m.year for m in months}):
            idx = [i for i, m in enumerate(months) if m.year == y]
            if len(idx) == 12:
                positive.append((y, float(np.sum(revenue[idx] - uses[idx])) >= 0))
        for k, (y, _) in enumerate(positive):
            if all(ok for _, ok in positive[k:]):
                found = str(y)
                break
    ctx.ledger.add("funding.cash_positive_year", found, "text", CASH_POSITIVE,
                   ["monthly.funding.revenue_usd", "monthly.funding.uses_usd"])


def _could_buy(ctx: Context) -> None:
    """What the money raised (cash, raises, loans) buys in the reference generation."""
    L, f, cat = ctx.ledger, ctx.ledger.result.figures, ctx.catalog
    key = (ctx.scenario.trends.reference if ctx.scenario.trends and ctx.scenario.trends.reference
           else cat.reference)
    acc, ref = _reference(ctx, key)
    bld = _building_usd_per_it_w(ctx)
    money = L.add("funding.money_raised_usd",
                  f["inputs.funding.cash_usd"].value + f["funding.raises_usd"].value
                  + np.sum(f["monthly.funding.debt_in_usd"].value, axis=-1), "money",
                  "cash + raises + loans", ["inputs.funding.cash_usd", "funding.raises_usd",
                                            "monthly.funding.debt_in_usd"])
    per = f[f"{ref}.value_usd"].value + f[f"{ref}.it_w"].value * bld
    n_acc = L.add("funding.could_buy.accelerators", np.floor(money / per), "count",
                  f"money raised / ({key} cluster value + its share of buildings), rounded down",
                  ["funding.money_raised_usd", f"{ref}.value_usd", f"{ref}.it_w",
                   "inputs.defaults.buildings_usd_per_w"], headline=True)
    pue = _default(ctx, "inputs.defaults.pue", "pue", "amount")
    L.add("funding.could_buy.facility_w", n_acc * f[f"{ref}.it_w"].value * pue, "power",
          "those accelerators' IT power x PUE", ["funding.could_buy.accelerators",
                                                  f"{ref}.it_w", "inputs.defaults.pue"])
    precision = "fp8" if "fp8" in acc.peak else "bf16"
    peak_name = f"inputs.accelerators.{key}.peak_{precision}_flop_per_s"
    if peak_name not in f:
        L.input(peak_name, acc.peak[precision], "throughput",
                f"catalog accelerator '{key}': {acc.source} ({acc.as_of})")
    mfu = _default(ctx, "inputs.defaults.mfu", "mfu", "fraction")
    goodput = _default(ctx, "inputs.defaults.goodput", "goodput", "fraction")
    L.add("funding.could_buy.compute_flop", n_acc * f[peak_name].value * mfu * goodput
          * 150 * 86400.0, "compute",
          f"those accelerators x {precision} peak x MFU x goodput over a 150-day run",
          ["funding.could_buy.accelerators", peak_name, "inputs.defaults.mfu",
           "inputs.defaults.goodput"])
