"""The funding verdict: sources against uses, month by month, over the horizon.

Sources: starting cash, equity raises (a tranche may depend on a named flag, with what
arrives instead when the flag is false), loans, revenue. Uses: the fleets' and
datacenters' capex and opex, the training plan (planned capex, energy, operations,
rentals), payroll, serving users and other operating costs, debt service.

The verdict covers the months through the end of the plan's last run (the whole
horizon when there are no runs): covered when the cash balance never drops below
zero (or the cash buffer) in that window. Its formula is :func:`finance.verdict`, the one
every caller reads (the report, each branch of a condition, Monte Carlo, ``solve``).
"""
from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional

import numpy as np

from ..model import Month, run_key
from ..result import total
from ..units import HOURS_PER_MONTH, format_quantity
from . import commitments as cm, finance as fin, training as tr
from .cashflow import add_all, as_column, balance, year_levels
from .context import Context
from .inputs import source_of
from .ledger import Val, value as plain

# a run the money could buy is costed over this many days: the length of today's frontier
# runs (Epoch AI, "Can AI scaling continue through 2030?", 2024: ~100-150 days; assumption)
COULD_BUY_RUN_DAYS = 150

USES = ("infrastructure", "training_capex", "training_energy", "training_operations",
        "training_rental", "payroll", "other", "inference", "debt_service")


class Books:
    """One entity's funding figures each step hands to the next, by name of what they are.

    ``prefix`` names the entity's figures: ``funding`` for the scenario's own entity,
    ``entities.<name>.funding`` for a linked one (``monthly.<prefix>.*``,
    ``inputs.<prefix>.*``).
    """

    def __init__(self, months: List[Month], entity: str, prefix: str, main: bool):
        self.entity = entity
        self.prefix = prefix
        self.main = main
        self.months = months
        self.years = [m.year for m in months]
        self.uses: Dict[str, Val] = {}
        self.window: Val = None
        self.window_end = 0
        self.window_reason = ""
        self.cash: Val = None
        self.buffer: Optional[Val] = None   # the verdict's cash buffer, when one is kept
        self.raises: Val = None
        self.debt_in: Val = None
        self.revenue: Val = None


def estimate_funding(ctx: Context) -> None:
    """Every entity's verdict: the scenario's own first, then each linked entity."""
    blocks = cm.funding_blocks(ctx.scenario)
    if not blocks:
        return
    links = _links(ctx, blocks)
    for name, fnd in blocks.items():
        _entity(ctx, name, fnd, links)


class Links(NamedTuple):
    """Contract payments and the flows between entities."""

    payments: Dict[str, Val]        # by contract name, cash paid each month
    flows: list                     # finance.Flow between entities
    entities: tuple                 # entity names, the scenario's own first


def _links(ctx: Context, blocks) -> Links:
    rec, n, origin = ctx.rec, ctx.months, ctx.start
    payments = {}
    for contract in ctx.scenario.contracts:
        key = run_key(contract.name)
        flows = cm.contract_flows(contract, origin, n)
        given = [ctx.inputs.given(f"inputs.contracts.{key}.{attr}", contract, attr, unit)
                 for attr, unit in (("amount", "money"), ("minimum_take", "fraction"),
                                    ("escalator", "fraction"), ("ramp", "fraction"))
                 if getattr(contract, attr) is not None]
        if contract.schedule or contract.capacity is not None:
            given.append(rec.input(f"inputs.contracts.{key}.terms", 0.0, "amount",
                                   source_of(contract, "schedule" if contract.schedule
                                             else "capacity")))
        payments[contract.name] = rec.record(
            f"monthly.contracts.{key}.payments_usd", flows.payments, "money",
            "the contract's schedule (or capacity x price), escalated, at least its minimum "
            "take, less prepayment credits, plus the prepayment in its month", given, series=True)
        rec.derive(f"contracts.{key}.total_usd", _horizon_total, payments[contract.name],
                   unit="money",
                   text="sum of the contract's payments over the horizon")
    plain_payments = {k: v.value for k, v in payments.items()}
    flows = cm.party_flows(ctx.scenario, origin, n, plain_payments)
    links = cm.entity_links(ctx.scenario, flows)
    for flow in links:
        total_usd = np.sum(np.asarray(flow.amount, dtype=float), axis=-1)
        rec.result.tables.setdefault("flows", []).append(
            {"payer": flow.payer, "payee": flow.payee, "kind": flow.source,
             "total_usd": float(total_usd) if np.ndim(total_usd) == 0 else None})
    if len(blocks) > 1:
        rec.result.tables["entities"] = [{"name": name, "main": name == ctx.scenario.main_entity}
                                         for name in blocks]
    return Links(payments, links, tuple(blocks))


def _horizon_total(series):
    return np.sum(series, axis=-1)


def _entity(ctx: Context, name: str, fnd, links: Links) -> None:
    """One entity's sources, uses, balance and verdict."""
    rec = ctx.rec
    main = name == ctx.scenario.main_entity
    books = Books([Month.from_index(ctx.start + t) for t in range(ctx.months)], name,
                  "funding" if main else f"entities.{name}.funding", main)
    p = books.prefix
    _uses(ctx, fnd, books, links)
    books.cash = ctx.inputs.given(f"inputs.{p}.cash_usd", fnd, "cash", "money")
    books.revenue = _by_year(ctx, books, fnd, "revenue", "revenue_growth")
    present = [v for v in books.uses.values() if isinstance(v, Val)]
    uses_total = rec.record(f"monthly.{p}.uses_usd",
                            add_all([plain(v) for v in books.uses.values()]), "money",
                            "sum of every use of money each month", present, series=True)
    _window(ctx, books, fnd)
    use_sums = [_through_window(ctx, books, f"{p}.uses.{key}_usd", v,
                                f"{key.replace('_', ' ')} through the window")
                for key, v in books.uses.items() if isinstance(v, Val)]
    flags = dict(fnd.flags or {})
    raises = _raises(ctx, fnd, flags, books)
    named = [("raises", raises), ("debt", books.debt_in), ("revenue", books.revenue)] + \
        _money_sources(ctx, fnd, books, links, flags)
    source_sums = [books.cash] + [
        _through_window(ctx, books, f"{p}.sources.{key}_usd", v,
                        f"{key.replace('_', ' ')} through the window") for key, v in named]
    sources = rec.record(f"monthly.{p}.sources_usd", add_all([v.value for _, v in named]),
                         "money", "every source of money each month (equity, debt, revenue, "
                         "lease income, payments from linked entities)", [v for _, v in named],
                         series=True)
    bal = balance(books.cash.value, sources.value, uses_total.value)
    buffer = cm.buffer_for(fnd, _operating(books), ctx.months)
    if buffer is not None:                                      # cash kept in hand each month
        books.buffer = rec.input(f"monthly.{p}.buffer_usd", buffer, "money",
                                 source_of(fnd.verdict, "buffer"), series=True)
    base = fin.verdict(bal, books.window_end, buffer)
    balance_val = Val(f"monthly.{p}.balance_usd", bal)
    record_verdict(ctx, base, p, books, (source_sums, use_sums, balance_val))
    rec.record(balance_val.name, bal, "money", "cash + cumulative (sources - uses)",
               [books.cash, sources, uses_total], series=True)
    _cfo_figures(ctx, p, books, fnd, (dict(named), buffer, balance_val,
                                      (sources.value, uses_total.value), base))
    _cash_positive_year(ctx, books, uses_total, fnd)
    if ctx.detail:              # the other branches only describe (Monte Carlo keeps headlines)
        _branches(ctx, fnd, books, base, (balance_val, buffer, links))
    if main:
        _could_buy(ctx, books, dict(named).get("equity"))


def _through_window(ctx: Context, books: Books, name: str, series: Val, text: str) -> Val:
    return ctx.rec.record(name, fin.window_sum(series.value, books.window_end), "money", text,
                          [series, books.window])


# --------------------------------------------------------------------------- uses

def _uses(ctx: Context, fnd, books: Books, links: Links) -> None:
    """Every use of money each month: the fleets, sites and plan (the scenario's own entity),
    operations, serving, contracts with outside parties, debt service, money to entities."""
    zeros = np.zeros(ctx.months)
    uses = books.uses
    if books.main:
        uses["infrastructure"] = ctx.monthly["cash_out"]
        for key in ("capex", "energy", "operations", "rental"):
            uses[f"training_{key}"] = ctx.monthly.get(f"training_{key}", zeros)
    ops = fnd.operations
    for key in ("payroll", "other"):
        uses[key] = _by_year(ctx, books, ops, key, "growth", group="operations.")
    uses["inference"] = _inference(ctx, ops, books) if ops and ops.inference else zeros
    _contract_uses(ctx, books, links)
    books.debt_in, uses["debt_service"] = _debt(ctx, fnd, books, links.entities)
    _flow_series(ctx, books, uses, links, outgoing=True)


def _by_year(ctx: Context, books: Books, owner, key: str, growth_attr: str,
             group: str = "") -> Val:
    """A yearly amount (revenue, payroll, other) as a monthly series, each year's value / 12.

    Years between two given years are interpolated; later years grow by ``growth_attr``.
    """
    growth = getattr(owner, growth_attr) if owner is not None else 0.0
    p = books.prefix
    name = f"monthly.{p}.{key}_usd"
    given = (getattr(owner, key) or {}) if owner is not None else {}
    inputs = [ctx.rec.input(f"inputs.{p}.{group}{key}.{year}_usd", v, "money",
                            source_of(owner, key)) for year, v in given.items()]
    if given:
        inputs.append(ctx.rec.input(f"inputs.{p}.{group}{growth_attr}", growth, "fraction",
                                    source_of(owner, growth_attr)))
    levels = (year_levels({y: v / 12.0 for y, v in given.items()}, growth, books.years)
              if owner is not None else np.zeros(ctx.months))
    return ctx.rec.record(name, levels, "money",
                          f"{key} of each year / 12 (years between those given interpolated, "
                          f"later years grown by {group}{growth_attr})", inputs, series=True)


def _window(ctx: Context, books: Books, fnd) -> None:
    """The verdict's window: through the last run (default), the horizon, or all commitments."""
    n = ctx.months
    kind = fnd.verdict.window if fnd.verdict is not None else "last_run"
    last_run = max(run.end for run in ctx.runs) if ctx.runs else None
    end, why, cut = fin.window_end(kind, n, last_run,
                                   cm.commitments_ends(ctx.scenario, ctx.start))
    if cut:
        ctx.rec.warn(f"the verdict's window ({why.split(',')[0]}) ends after the horizon; "
                     "it stops at the horizon's end")
    books.window_end, books.window_reason = end, why
    books.window = ctx.rec.record(
        f"{books.prefix}.window_end", str(books.months[end]), "month",
        f"{why} (funding.verdict.window: {kind})", [run.days for run in ctx.runs] or
        [ctx.inputs.given(f"inputs.{books.prefix}.verdict_window", fnd.verdict, "window", "text")
         if fnd.verdict is not None else None])


def _debt(ctx: Context, fnd, books: Books, lenders=()):
    """Loans from outside lenders: draws in, interest and principal out (bullet or amortising)."""
    n, rec = ctx.months, ctx.rec
    din, dout, inputs = np.zeros(n), np.zeros(n), []
    for i, d in enumerate(fnd.debt):
        if d.lender in lenders:
            continue                        # a loan from a linked entity is a flow between them
        p = f"inputs.{books.prefix}.debt.{i}"
        inputs += [ctx.inputs.given(f"{p}.{attr}", d, attr, unit) for attr, unit in
                   (("principal", "money"), ("rate", "fraction"), ("term", "duration"))
                   if getattr(d, attr) is not None]
        if d.draws:
            inputs.append(rec.input(f"{p}.draws", 0.0, "amount", source_of(d, "draws")))
        loan = cm.loan_flows(d, ctx.start, n)
        din = din + loan.draws
        dout = dout + loan.service
    debt_in = rec.record(f"monthly.{books.prefix}.debt_in_usd", din, "money",
                         "loan draws in their months", inputs, series=True)
    service = rec.record(f"monthly.{books.prefix}.debt_service_usd", dout, "money",
                         "interest (rate / 12 of the balance) each payment, principal at the "
                         "end (bullet) or in level payments after the grace period (amortising)",
                         inputs, series=True)
    return debt_in, service


def _contract_uses(ctx: Context, books: Books, links: Links) -> None:
    """Payments under contracts with parties outside the scenario."""
    main = ctx.scenario.main_entity
    mine = [links.payments[contract.name] for contract in ctx.scenario.contracts
            if (contract.payer or main) == books.entity and contract.payee is None]
    if mine:
        books.uses["contracts"] = ctx.rec.total(f"monthly.{books.prefix}.contracts_usd", mine,
                                                "money", "payments under contracts with "
                                                "outside parties", series=True)


#: what money from a linked entity is booked as, where it differs from the entity's own kind:
#: a loan from a linked entity is kept apart from the entity's own debt
INCOMING = {"debt": "loans_from_entities"}
#: ...and what it pays a linked entity under a contract apart from contracts with outsiders
OUTGOING = {"contracts": "contracts_to_entities"}


def _collect_flows(ctx: Context, books: Books, links: Links, outgoing: bool) -> dict:
    """Money to (or from) linked entities by what it is booked as: key -> [series, inputs, who]."""
    main = ctx.scenario.main_entity
    found: dict = {}
    for flow in links.flows:
        if (flow.payer if outgoing else flow.payee) != books.entity:
            continue
        key = OUTGOING.get(flow.use, flow.use) if outgoing else \
            INCOMING.get(flow.source, flow.source)
        used = [links.payments[contract.name] for contract in ctx.scenario.contracts
                if contract.payee is not None and (contract.payer or main) == flow.payer
                and contract.payee == flow.payee]
        if not used:       # equity or a loan between entities: written in a funding block
            owner = cm.funding_blocks(ctx.scenario)[flow.payee]
            used = [ctx.rec.input(f"inputs.flows.{flow.payer}.{flow.payee}.{flow.source}_usd",
                                  np.sum(np.asarray(flow.amount, dtype=float), axis=-1),
                                  "money", source_of(owner, "equity"))]
        entry = found.setdefault(key, [np.zeros(ctx.months), [], []])
        entry[0] = entry[0] + np.asarray(flow.amount)
        entry[1] += used
        entry[2].append(flow.payee if outgoing else flow.payer)
    return found


def _flow_series(ctx: Context, books: Books, book: dict, links: Links, outgoing: bool) -> None:
    """Record money to (or from) linked entities into ``book``, by what it is booked as."""
    for key, (series, used, others) in _collect_flows(ctx, books, links, outgoing).items():
        book[key] = ctx.rec.record(f"monthly.{books.prefix}.{key}_usd", series, "money",
                                   f"{key.replace('_', ' ')} {'to' if outgoing else 'from'} "
                                   f"linked entities ({', '.join(others)})", used, series=True)


def _money_sources(ctx: Context, fnd, books: Books, links: Links, flags) -> list:
    """Equity (from outside parties and from linked entities), lease income, and the rest of
    what linked entities pay."""
    n, rec, out = ctx.months, ctx.rec, []
    incoming = _collect_flows(ctx, books, links, outgoing=False)
    own = [(t, q) for t, q in zip(cm.equity_tranches(fnd, flags, ctx.start), fnd.equity)
           if t.party not in links.entities]
    if own or "equity" in incoming:
        series, inputs, others = incoming.pop("equity", [np.zeros(n), [], []])
        for t, q in own:
            if books.main:
                rec.result.tables.setdefault("raises", []).append(
                    {"name": t.name, "date": str(q.date), "counted": 0 <= t.month < n,
                     "amount_usd": float(t.amount) if np.ndim(t.amount) == 0 else None,
                     "condition": q.if_, "party": t.party})
            inputs.append(rec.input(f"inputs.{books.prefix}.equity.{run_key(t.name)}.amount_usd",
                                    t.amount, "money", source_of(q, "amount")))
            if 0 <= t.month < n:
                series = series + fin.draw(t.amount, t.month, n)
            else:
                rec.warn(f"equity '{t.name}' falls outside the horizon and is left out")
        out.append(("equity", rec.record(
            f"monthly.{books.prefix}.equity_usd", series, "money",
            "equity from each party in its month" + (f" (linked: {', '.join(others)})"
                                                     if others else ""), inputs, series=True)))
    if fnd.lease_income:
        out.append(("lease_income", _by_year(ctx, books, fnd, "lease_income",
                                             "revenue_growth")))
    for key, (series, used, others) in incoming.items():
        out.append((key, rec.record(f"monthly.{books.prefix}.{key}_usd", series, "money",
                                    f"{key.replace('_', ' ')} from linked entities "
                                    f"({', '.join(others)})", used, series=True)))
    return out


def _operating(books: Books):
    """Operating cost each month (every use but capex of fleets, sites and planned runs)."""
    keep = ("payroll", "other", "inference", "training_energy", "training_operations",
            "training_rental", "contracts", "debt_service")
    return add_all([plain(v) for k, v in books.uses.items() if k in keep]
                   or [np.zeros(len(books.months))])


def _inference(ctx: Context, ops, books: Books) -> Val:
    """Serving users: accelerators from users x tokens x 2N, rented at a price per hour."""
    rec, inf, p = ctx.rec, ops.inference, f"inputs.{books.prefix}.inference"
    m = f"monthly.{books.prefix}"
    users = _users(ctx, inf, books)
    tokens = ctx.inputs.given(f"{p}.tokens_per_user_per_day", inf, "tokens_per_user_per_day",
                              "amount")
    params = ctx.inputs.given(f"{p}.active_params", inf, "active_params", "amount")
    util = ctx.inputs.pick(f"{p}.utilisation", inf, "utilisation", "inference_utilisation",
                           "fraction")
    peak = ctx.inputs.peak(inf.accelerator, inf.precision)
    # per-sample factors first, then one pass over the months
    per_user = rec.compute(tr.serving_accelerators, 1.0, tokens, params, peak, util)
    serving = Val(f"{m}.serving_accelerators", None)
    if ctx.detail:
        serving = rec.record(serving.name, users.value * as_column(per_user.value), "count",
                             tr.serving_accelerators.formula, [users, per_user], series=True)
    if inf.acquire not in (None, "rented"):
        return rec.record(f"{m}.inference_usd", users.value * 0.0, "money",
                          f"serving runs on contract '{inf.acquire}': paid by the contract",
                          [users, ctx.inputs.given(f"{p}.acquire", inf, "acquire", "text")],
                          series=True)
    if inf.price is not None:
        price = ctx.inputs.given(f"{p}.price_usd_per_hour", inf, "price", "gpu_hour_price")
    else:
        price = ctx.inputs.rent_price(inf.accelerator)   # the loader checks there is one
    return rec.record(f"{m}.inference_usd",
                      users.value * as_column(per_user.value * HOURS_PER_MONTH * price.value),
                      "money", "serving accelerators x hours in the month x price per "
                      "accelerator-hour", [serving if ctx.detail else per_user, users, price],
                      series=True)


def _users(ctx: Context, inf, books: Books) -> Val:
    p = books.prefix
    inputs = [ctx.rec.input(f"inputs.{p}.inference.users.{year}", v, "amount",
                            source_of(inf, "users")) for year, v in (inf.users or {}).items()]
    if inf.users:
        inputs.append(ctx.inputs.given(f"inputs.{p}.inference.users_growth", inf,
                                       "users_growth", "fraction"))
    return ctx.rec.record(f"monthly.{p}.users",
                          year_levels(inf.users or {}, inf.users_growth, books.years), "amount",
                          "users of each year (years after the last given grow by "
                          "users_growth)", inputs, series=True)


# --------------------------------------------------------------------------- sources

def raise_series(ctx: Context, fnd, flags: Dict[str, bool]):
    """Each raise in its month, as the flags stand; the amounts; those outside the horizon."""
    n = ctx.months
    series, amounts, outside = np.zeros(n), [], []
    for tranche in fnd.raises:
        amount = tranche.amount
        if tranche.if_ is not None and not flags.get(tranche.if_, False):
            amount = tranche.else_ if tranche.else_ is not None else 0.0
        t = ctx.offset(tranche.date)
        if 0 <= t < n:
            series = series + np.asarray(amount, dtype=float)[..., None] * (np.arange(n) == t)
        else:
            outside.append(tranche)
        amounts.append(amount)
    return series, amounts, outside


def _raises(ctx: Context, fnd, flags: Dict[str, bool], books: Books) -> Val:
    rec = ctx.rec
    series, amounts, outside = raise_series(ctx, fnd, flags)
    inputs, inside = [], []
    for i, (r, amount) in enumerate(zip(fnd.raises, amounts)):
        given = rec.input(f"inputs.{books.prefix}.raises.{i}.amount_usd", amount, "money",
                          _raise_source(r, flags))
        inputs.append(given)
        if r not in outside:
            inside.append(given)
        elif ctx.offset(r.date) < 0:
            rec.warn(f"raise '{r.name}' ({r.date}) is dated before the horizon starts "
                     f"({books.months[0]}): it is taken to be in funding.cash already and is "
                     "not counted again")
        else:
            rec.warn(f"raise '{r.name}' ({r.date}) comes after the horizon ends and is left out")
    for r, amount in zip(fnd.raises, amounts if books.main else []):
        rec.result.tables.setdefault("raises", []).append(
            {"name": r.name, "date": str(r.date), "counted": r not in outside,
             "amount_usd": float(amount) if np.ndim(amount) == 0 else None,
             "condition": r.if_})
    books.raises = rec.total(f"{books.prefix}.raises_usd", inside, "money",
                             "sum of the raises inside the horizon, as the flags stand")
    return rec.record(f"monthly.{books.prefix}.raises_usd", series, "money",
                      "each raise in its month",
                      inputs, series=True)


def _raise_source(tranche, flags) -> str:
    src = source_of(tranche, "amount")
    if tranche.if_ is not None:
        state = flags.get(tranche.if_, False)
        other = ("nothing" if tranche.else_ is None else
                 format_quantity(tranche.else_, "money") if np.ndim(tranche.else_) == 0
                 else "a sampled amount")
        src += (f"; '{tranche.name}' arrives in full only if {tranche.if_} is true (it is "
                f"{str(state).lower()}), else {other}")
    return src


# --------------------------------------------------------------------------- the verdict

def _month_or_none(idx, months) -> Optional[str]:
    if idx is None or np.ndim(idx):
        return None
    i = int(idx)
    return str(months[i]) if 0 <= i < len(months) else None


def record_verdict(ctx: Context, v: fin.Verdict, prefix: str, books: Books, parts,
                   also=()) -> None:
    """The verdict's figures under ``prefix``; ``parts`` = (source sums, use sums, balance).

    A branch (no source sums) records only whether it is covered, and by how much not.
    Over Monte Carlo samples a month has no single value: the months of the gap and of the
    low point are recorded as each sample's offset too (``*_month_offsets``, -1: never).
    """
    rec = ctx.rec
    source_sums, use_sums, bal = parts
    base = [bal, books.window, *also] + ([books.buffer] if books.buffer is not None else [])
    floor, less = ("the cash buffer", " less the cash buffer") if books.buffer is not None \
        else ("zero", "")
    rec.record(f"{prefix}.covered", v.covered if np.ndim(v.covered) else bool(v.covered), "flag",
               f"the cash balance never drops below {floor} through the window", base,
               headline=source_sums is not None)
    rec.record(f"{prefix}.shortfall_usd", v.shortfall, "money",
               f"the most the balance drops below {floor} in the window (0 when covered)", base,
               headline=source_sums is not None)
    rec.record(f"{prefix}.gap_month", _month_or_none(v.gap, books.months), "month",
               f"first month the balance is below {floor}", base,
               headline=source_sums is not None)
    rec.record(f"{prefix}.min_balance_usd", v.low, "money",
               f"lowest month-end balance{less} in the window", base)
    if source_sums is None:
        return
    rec.record(f"{prefix}.min_balance_month", _month_or_none(v.low_month, books.months), "month",
               f"month of the lowest balance{less}", base)
    rec.record(f"{prefix}.lasts_until", _month_or_none(v.lasts, books.months), "month",
               f"last month with a balance at or above {floor} before the first gap", base)
    sources, uses = total(s.value for s in source_sums), total(u.value for u in use_sums)
    src = rec.record(f"{prefix}.sources_usd", sources, "money",
                     "cash + raises + loans + revenue through the window", source_sums,
                     headline=True)
    use = rec.record(f"{prefix}.uses_usd", uses, "money", "sum of the uses through the window",
                     use_sums, headline=True)
    rec.record(f"{prefix}.coverage_ratio", fin.coverage_ratio(sources, uses), "ratio",
               "sources / uses through the window", [src, use], headline=True)
    if np.ndim(v.gap):
        for name, offsets in (("gap_month", v.gap), ("min_balance_month", v.low_month)):
            rec.record(f"{prefix}.{name}_offsets", offsets, "count",
                       f"month offset of the {name.replace('_', ' ')} in each sample (-1: none)",
                       base)


def conditional_series(ctx: Context, fnd, flags: Dict[str, bool], outside_parties) -> object:
    """The money that depends on flags, each month: raises and equity from outside parties."""
    series = raise_series(ctx, fnd, flags)[0]
    for tranche in cm.equity_tranches(fnd, flags, ctx.start):
        if tranche.party not in outside_parties and 0 <= tranche.month < ctx.months:
            series = series + fin.draw(tranche.amount, tranche.month, ctx.months)
    return series


def _branches(ctx: Context, fnd, books: Books, base: fin.Verdict, parts) -> None:
    """Each condition's other branch, side by side with the branch as the flags stand.

    The other branch is judged by the same :func:`finance.verdict`, on the balance with the
    money that depends on the flag moved, against the same buffer.
    """
    bal, buffer, links = parts
    flags = dict(fnd.flags or {})
    if not flags:
        return
    now = conditional_series(ctx, fnd, flags, links.entities)
    for flag, value in flags.items():
        flipped = dict(flags, **{flag: not value})
        delta = conditional_series(ctx, fnd, flipped, links.entities) - now   # only they differ
        other = fin.verdict(bal.value + np.cumsum(delta, axis=-1), books.window_end, buffer)
        flag_input = ctx.rec.input(f"inputs.{books.prefix}.flags.{flag}", value, "flag",
                                   source_of(fnd, "flags"))
        for branch, v in ((value, base), (not value, other)):
            record_verdict(ctx, v, f"{books.prefix}.branches.{flag}.{str(branch).lower()}",
                           books, (None, None, bal), also=(flag_input,))
        if books.main:
            ctx.rec.result.tables.setdefault("branches", []).append({"flag": flag,
                                                                     "value": value})


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
    ctx.rec.record(f"{books.prefix}.cash_positive_year", found, "text", CASH_POSITIVE,
                   [books.revenue, uses])


def _could_buy(ctx: Context, books: Books, equity: Optional[Val]) -> None:
    """What the money raised (cash, raises, equity, loans) buys in the reference generation."""
    rec, inputs = ctx.rec, ctx.inputs
    key = inputs.reference_key()
    ref = inputs.reference(key)
    per_w = inputs.buildings_usd_per_w()
    raised = [books.cash, books.raises, books.debt_in] + ([equity] if equity else [])
    money = rec.record("funding.money_raised_usd",
                       books.cash.value + books.raises.value
                       + np.sum(books.debt_in.value, axis=-1)
                       + (np.sum(equity.value, axis=-1) if equity else 0.0), "money",
                       "cash + raises + loans + equity inside the horizon", raised)
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



# --------------------------------------------------------------------------- what a CFO reads

def _cfo_figures(ctx: Context, prefix: str, books: Books, fnd, parts) -> None:
    """Peak funding need, runway, burn multiple, NPV and the yearly table of one entity.

    ``parts`` = (sources by kind, buffer series or None, balance, (all sources, all uses)
    each month, the verdict).
    """
    rec, n = ctx.rec, ctx.months
    sources, buffer, bal, totals, judged = parts
    uses = {k: plain(v) for k, v in books.uses.items()}
    rate = (fnd.verdict.discount_rate if fnd.verdict is not None
            and fnd.verdict.discount_rate is not None else None)
    rate_val = (ctx.inputs.given(f"inputs.{prefix}.discount_rate", fnd.verdict, "discount_rate",
                                 "fraction") if rate is not None
                else ctx.inputs.common("discount_rate", "fraction"))
    summary = fin.summarise(books.cash.value, {k: v.value for k, v in sources.items()}, uses,
                            n, ctx.start, books.window_end, buffer=buffer,
                            discount_rate=rate_val.value, operating=OPERATING_INCOME,
                            yearly=ctx.detail, known=totals + (bal.value,), judged=judged)
    base = [bal, books.window] + list(sources.values()) + \
        [v for v in books.uses.values() if isinstance(v, Val)]
    month = lambda i: _month_or_none(i, books.months)            # noqa: E731
    rec.record(f"{prefix}.peak_need_usd", summary.peak_need, "money",
               "the most cumulative burn (uses - operating income) reaches in the "
               "window: the outside money the plan needs", base, headline=True)
    rec.record(f"{prefix}.peak_need_month", month(summary.peak_need_month), "month",
               "first month the peak funding need is reached", base)
    if np.ndim(summary.peak_need_month):        # Monte Carlo: each sample's month offset
        rec.record(f"{prefix}.peak_need_month_offsets", summary.peak_need_month, "count",
                   "month offset of the peak funding need in each sample (-1: none)", base)
    if summary.runway_months is not None:
        rec.record(f"{prefix}.runway_months", summary.runway_months, "amount",
                   "balance at the window's end / average burn of its last 3 months", base)
        rec.record(f"{prefix}.burn_multiple", summary.burn_multiple, "ratio",
                   "burn through the window / growth of annualised revenue over it", base)
    rec.record(f"{prefix}.npv_usd", summary.npv, "money",
               "net present value of sources - uses through the window, each month's flow "
               "discounted at the month's end", base + [rate_val], headline=True)
    rec.record(f"{prefix}.window_reason", books.window_reason, "text",
               "why the window ends where it does", [books.window])
    if ctx.detail and np.ndim(judged.after_window) == 0 and int(judged.after_window) >= 0:
        rec.warn(f"{prefix}: the balance goes below the cash buffer in "
                 f"{month(judged.after_window)}, after the verdict's window")
    _dscr(ctx, prefix, books, summary, base)
    for row in summary.by_year:
        y = f"{prefix}.by_year.{row.year}"
        rec.record(f"{y}.burn_usd", row.burn, "money",
                   f"all uses - operating income in {row.year} (before equity and "
                   "debt)", base)
        rec.record(f"{y}.cumulative_burn_usd", row.cumulative_burn, "money",
                   f"burn of the horizon's years through {row.year}", base)
        rec.record(f"{y}.balance_usd", row.balance, "money",
                   f"cash at the end of {row.year} (or of the horizon)", [bal])
        rec.record(f"{y}.sources_usd", total(row.sources.values()), "money",
                   f"every source of money in {row.year}", base)
        rec.record(f"{y}.uses_usd", total(row.uses.values()), "money",
                   f"every use of money in {row.year}", base)


#: sources that are income from operations (burn is uses less these): revenue, lease income,
#: and what a linked entity pays under a contract (its revenue too)
OPERATING_INCOME = ("revenue", "lease_income", "contract_revenue")

NOT_OPERATING = ("debt_service", "training_capex", "equity_out", "loans_out")


def _dscr(ctx: Context, prefix: str, books: Books, summary, base) -> None:
    """Debt-service coverage by year, where there is debt to serve and income to serve it."""
    capex = ctx.monthly.get("capex")
    years = []
    for row in summary.by_year:
        service = row.uses.get("debt_service", 0.0)
        income = row.sources.get("revenue", 0.0) + row.sources.get("lease_income", 0.0) + \
            row.sources.get("contract_revenue", 0.0)
        operating = total(v for k, v in row.uses.items() if k not in NOT_OPERATING)
        if "infrastructure" in row.uses and capex is not None:
            idx = np.asarray(books.years) == row.year
            operating = operating - np.sum(np.asarray(capex.value)[..., idx], axis=-1)
        ratio = fin.dscr(income - operating, service, income)
        if np.ndim(ratio) == 0 and np.isfinite(ratio):
            years.append(ctx.rec.record(
                f"{prefix}.by_year.{row.year}.dscr", float(ratio), "amount",
                f"(revenue + lease income - operating costs) / debt service in {row.year}",
                base))
    if years:
        ctx.rec.record(f"{prefix}.dscr_min", min(v.value for v in years), "amount",
                       "lowest yearly debt-service coverage ratio", years)
