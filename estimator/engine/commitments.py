"""A scenario's contracts, loans, equity and entity links as monthly series.

The bridge from the money keys of :mod:`estimator.model` to the pure functions of
:mod:`estimator.engine.finance`: each function takes model objects (whose amounts may be
per-sample arrays in a simulation) plus ``origin`` (``Month.index`` of the horizon's first
month) and ``n`` (months in the horizon), and returns series. Nothing here records figures.
"""
from __future__ import annotations

from typing import Dict, List, Mapping, NamedTuple, Optional, Tuple

import numpy as np

from ..model import PAYMENT_MONTHS, Month, months_of
from ..units import HOURS_PER_MONTH
from . import finance as F
from .cashflow import as_column, year_levels


def contract_window(contract, origin: int) -> Tuple[int, int]:
    """(first month, months) of a contract on the horizon's timeline. [month offset], [count]"""
    start = contract.start.index - origin
    return start, contract.last_month.index - contract.start.index + 1


def shares_by_year(by_year: Mapping[str, object], n: int, origin: int, default=1.0):
    """A share given by calendar year as a monthly series. [fraction]

    As other by-year values (:func:`~estimator.engine.cashflow.year_levels`): years between
    two given are interpolated, later years keep the last; years before the first given
    take the first. ``default`` in every month when nothing is given.
    """
    if not by_year:
        return np.zeros(n) + default
    years = F.calendar_years(n, origin)
    first = min(by_year, key=int)
    out = year_levels(by_year, 0.0, list(years))
    early = years < int(first)
    out[..., early] = np.asarray(by_year[first], dtype=float)[..., None]
    return out


def contract_committed(contract, origin: int, n: int):
    """A contract's full charge each month before escalation. [USD/month]

    ``amount`` over the contract years with its ``ramp`` (a last year cut short by the term
    is paid over the months left), or ``schedule`` by calendar year, or ``capacity`` x price
    in every month of the term.
    """
    start, months = contract_window(contract, origin)
    if contract.amount is not None:
        years = -(-months // 12)
        amounts = as_column(contract.amount) * F.ramp_shares(years, contract.ramp)
        return F.yearly_payments(amounts, start, n, months)
    if contract.schedule is not None:
        return F.calendar_payments({int(y): v for y, v in contract.schedule.items()}, start, months,
                                   n, origin)
    cap = contract.capacity
    monthly = F.capacity_monthly_usd(cap.accelerators, cap.price, cap.power, cap.power_price)
    return as_column(monthly) * F.term_mask(start, months, n)


def contract_flows(contract, origin: int, n: int, used=None) -> F.ContractFlows:
    """One contract's months: committed, charged (take-or-pay), credit and cash paid.

    Parameters
    ----------
    c : estimator.model.Contract
    origin, n : int
    used : array_like, optional
        Charge for the capacity used each month (what runs and fleets on it use), already
        escalated. Default: the contract's ``usage`` shares by year x its escalated
        commitment, or all of it. [USD/month]
    """
    start, months = contract_window(contract, origin)
    committed = contract_committed(contract, origin, n)
    if used is None and contract.usage:
        used = shares_by_year(contract.usage, n, origin) * F.escalate(committed, start,
                                                                      contract.escalator)
    pre = contract.prepayment
    return F.contract(committed, start, months, escalator=contract.escalator, used=used,
                      minimum_take=contract.minimum_take,
                      prepayment=pre.amount if pre is not None else 0.0,
                      prepay_month=(pre.date.index - origin) if pre is not None and pre.date
                      else None)


def loan_draws(loan) -> Dict[Month, object]:
    """A loan's draws by month: its ``draws`` schedule, or ``principal`` on ``date``."""
    if loan.draws is not None:
        return {Month.parse(k): v for k, v in loan.draws.items()}
    return {loan.date: loan.principal}


def loan_flows(loan, origin: int, n: int) -> F.DebtFlows:
    """One loan's draws, interest, principal repaid and balance over the horizon.

    A bullet loan pays interest every payment period and all principal at the end of its
    term; an amortising one pays interest only through its grace period, then level
    payments (:func:`estimator.engine.finance.amortising_loan`). The term and grace run
    from the first draw.
    """
    draws = loan_draws(loan)
    first = min(draws)
    span = max(m.index for m in draws) - first.index + 1
    shape = np.broadcast_shapes(*[np.shape(v) for v in draws.values()])
    own = np.zeros(shape + (span,))
    for m, v in draws.items():
        own[..., m.index - first.index] += np.asarray(v, dtype=float)
    term = months_of(loan.term)
    grace = term if loan.repayment == "bullet" else months_of(loan.grace)
    return F.amortising_loan(own, loan.rate, term, n, start=first.index - origin,
                             grace_months=grace, every=PAYMENT_MONTHS[loan.payments])


def loan_end(loan, origin: int) -> int:
    """Month of a loan's last payment on the horizon's timeline. [month offset]"""
    return min(loan_draws(loan)).index - origin + months_of(loan.term)


def commitments_ends(scenario, origin: int) -> List[int]:
    """Last month of every contract and loan (all entities), for the 'commitments' window."""
    ends = [contract.last_month.index - origin for contract in scenario.contracts]
    for fnd in funding_blocks(scenario).values():
        ends += [loan_end(loan, origin) for loan in fnd.debt]
    return ends


def funding_blocks(scenario) -> Dict[str, object]:
    """Each entity's funding block by entity name, the scenario's own first."""
    out = {}
    if scenario.funding is not None:
        out[scenario.main_entity] = scenario.funding
    for name, e in (scenario.entities or {}).items():
        out[name] = e.funding
    return out


class Tranche(NamedTuple):
    name: str
    party: str
    amount: object          #: as the flags stand [USD]
    month: int              #: [month offset]; outside [0, n) it is left out of the series


def equity_tranches(fnd, flags: Mapping[str, bool], origin: int) -> List[Tranche]:
    """Each equity commitment as it arrives under ``flags`` (``else`` when its flag is false)."""
    out = []
    for commitment in fnd.equity:
        amount = commitment.amount
        if commitment.if_ is not None and not flags.get(commitment.if_, False):
            amount = commitment.else_ if commitment.else_ is not None else 0.0
        out.append(Tranche(commitment.name or f"{commitment.party} {commitment.date}",
                           commitment.party, amount,
                           commitment.date.index - origin))
    return out


def equity_by_party(tranches: List[Tranche], n: int) -> Dict[str, np.ndarray]:
    """Equity arriving each month, by party; tranches outside the horizon are left out."""
    out: Dict[str, np.ndarray] = {}
    for tranche in tranches:
        if 0 <= tranche.month < n:
            out[tranche.party] = out.get(tranche.party, 0.0) + F.draw(tranche.amount,
                                                                      tranche.month, n)
    return out


def buffer_for(fnd, operating_cost, n: int):
    """The verdict's cash buffer each month from ``funding.verdict.buffer``; None when the
    scenario keeps none. [USD]"""
    b = fnd.verdict.buffer if fnd.verdict is not None else None
    if b is None:
        return None
    if b.amount is not None:
        return F.buffer_series(n, amount=b.amount)
    return F.buffer_series(n, months=np.asarray(b.months) / HOURS_PER_MONTH,
                           operating_cost=operating_cost)


def party_flows(scenario, origin: int, n: int, payments: Mapping[str, object],
                flags_of: Optional[Mapping[str, Mapping[str, bool]]] = None) -> List[F.Flow]:
    """Every payment with a named other party, as :class:`~estimator.engine.finance.Flow`.

    Parameters
    ----------
    s : estimator.model.Scenario
    payments : mapping of str to array_like
        Cash paid under each contract (by contract name), e.g. ``contract_flows(...).payments``.
    flags_of : mapping, optional
        Flags by entity name (default: each funding block's own ``flags``).

    Returns
    -------
    list of Flow
        Every contract (payer, default the scenario's own entity -> its ``payee``, or its
        ``counterparty`` outside the scenario: ``contracts`` / ``contract_revenue``); every
        equity tranche inside the horizon (party -> owner: ``equity_out`` / ``equity``);
        every loan with a ``lender`` (lender -> owner: ``loans_out`` / ``debt``, and the
        debt service back: ``debt_service`` / ``loan_repayments``, with ``funds=False``).
        :func:`~estimator.engine.finance.resolve_entities` books each on the entities
        among its two ends; loans without a lender, raises, revenue and lease income are
        each entity's own.
    """
    blocks = funding_blocks(scenario)
    flows: List[F.Flow] = []
    for contract in scenario.contracts:
        flows.append(F.Flow(contract.payer or scenario.main_entity,
                            contract.payee or contract.counterparty or contract.name,
                            payments[contract.name]))
    for owner, fnd in blocks.items():
        flags = (flags_of or {}).get(owner, dict(fnd.flags or {}))
        for tranche in equity_tranches(fnd, flags, origin):
            if 0 <= tranche.month < n:
                flows.append(F.Flow(tranche.party, owner, F.draw(tranche.amount, tranche.month, n),
                                    use="equity_out", source="equity"))
        for loan in fnd.debt:
            if loan.lender is not None:
                lent = loan_flows(loan, origin, n)
                flows.append(F.Flow(loan.lender, owner, lent.draws, use="loans_out", source="debt"))
                flows.append(F.Flow(owner, loan.lender, lent.service, use="debt_service",
                                    source="loan_repayments", funds=False))
    return flows


def entity_links(scenario, flows: List[F.Flow]) -> List[F.Flow]:
    """The flows between two entities of the scenario (what the report shows between them)."""
    names = funding_blocks(scenario).keys() | set(scenario.entities or {}) | {scenario.main_entity}
    return [flow for flow in flows if flow.payer in names and flow.payee in names]
