"""Money as it flows: contracts, amortising debt, verdict metrics and linked entities.

Pure functions over monthly series. A series has the horizon's ``n`` months on its last
axis; month ``t`` is the ``t``-th month of the horizon (0 = its first). Amounts may carry
leading (Monte Carlo sample) axes and broadcast like :mod:`estimator.engine.cashflow`;
month offsets, terms and frequencies are plain integers. Calendar years are found from
``origin``, the absolute index of month 0 (``year * 12 + month - 1``, as
:attr:`estimator.model.Month.index`).

Conventions
-----------
- Money paid "over a year" is paid in equal monthly parts over that year's months.
- Cash moves at the end of its month: a loan drawn in month ``t`` first bears interest in
  month ``t + 1``; a balance is the month-end balance.
- Interest accrues monthly at ``rate / 12`` on the month-opening balance (a nominal annual
  rate), and is paid at each payment date; the level payment of an amortising loan uses
  the periodic rate ``rate * months_between_payments / 12`` [1]_.
- NPV discounts each month's flow from its month's end to the start of month 0 at an
  effective annual rate: factor ``(1 + r) ** (-(t + 1) / 12)`` [2]_.

References
----------
.. [1] R. A. Brealey, S. C. Myers, F. Allen, *Principles of Corporate Finance*, 13th ed.,
   McGraw-Hill, 2020, ch. 2 (annuities: payment = PV * r / (1 - (1 + r)**-N)).
.. [2] Same, ch. 2-3 (present value with a per-period rate equivalent to an annual one).
.. [3] D. Sacks, "The Burn Multiple", Craft Ventures, 2020: net burn / net new ARR.
.. [4] R. Tarjan, "Depth-first search and linear graph algorithms", SIAM J. Comput. 1(2),
   1972 (strongly connected components).
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from ..units import HOURS_PER_MONTH
from .cashflow import TOLERANCE_USD, as_column, balance, running_sum


def _arr(x):
    return np.asarray(x, dtype=float)


def term_mask(start: int, months: int, n: int):
    """True in the ``months`` months from ``start``, over the horizon's ``n`` months."""
    t = np.arange(n)
    return (t >= start) & (t < start + months)


# --------------------------------------------------------------------------- contracts

def ramp_shares(years: int, growth=0.0):
    """Shares of a total paid in each contract year when payments grow ``growth`` a year.

    Parameters
    ----------
    years : int
        Contract years. [count]
    growth : numeric
        Yearly growth of the payment; 0 is flat. [fraction]

    Returns
    -------
    numpy.ndarray
        ``(1 + g)**k / sum_j (1 + g)**j`` for ``k = 0 .. years - 1``, on the last axis;
        they add up to 1. [fraction]
    """
    w = (1.0 + as_column(growth)) ** np.arange(int(years))
    return w / np.sum(w, axis=-1, keepdims=True)


def yearly_payments(amounts, start: int, n: int, term_months: Optional[int] = None):
    """Contract-year amounts paid in equal monthly parts. [USD/month]

    Parameters
    ----------
    amounts : array_like
        Amount of each contract year on the last axis (year 1 first). [USD]
    start : int
        Month of the first payment (may be before 0 or after the horizon). [month offset]
    n : int
        Months in the horizon. [count]
    term_months : int, optional
        Months of the contract (default: 12 per amount). A last year cut short by the term
        is paid over the months left, so every amount is paid in full. [count]

    Returns
    -------
    numpy.ndarray
        Payments each month of the horizon; months outside ``[0, n)`` are dropped.
    """
    a = _arr(amounts)
    years = a.shape[-1]
    term = 12 * years if term_months is None else int(term_months)
    out = np.zeros(a.shape[:-1] + (n,))
    for k in range(years):
        lo = 12 * k
        months = min(12, term - lo)
        if months <= 0:
            if np.any(a[..., k] != 0):
                raise ValueError(f"contract year {k + 1} falls after the {term}-month term")
            continue
        out += as_column(a[..., k]) * term_mask(start + lo, months, n) / months
    return out


def calendar_payments(by_year: Mapping[int, object], start: int, term_months: int, n: int,
                      origin: int):
    """Amounts by calendar year, each paid evenly over that year's months of the contract.

    Parameters
    ----------
    by_year : mapping of int to numeric
        Calendar year -> amount paid in it. [USD]
    start, term_months : int
        First month of the contract and its length. [month offset], [count]
    n : int
        Months in the horizon. [count]
    origin : int
        Absolute index of month 0 (``Month.index``). [month]

    Returns
    -------
    numpy.ndarray
        Payments each month of the horizon. [USD/month]

    Raises
    ------
    ValueError
        When a year with a payment has no month inside the contract.
    """
    out = 0.0
    t = np.arange(n)
    for year, amount in by_year.items():
        lo = max(start, int(year) * 12 - origin)
        hi = min(start + term_months, (int(year) + 1) * 12 - origin)
        if hi <= lo:
            if np.any(_arr(amount) != 0):
                raise ValueError(f"{year} has no month inside the contract")
            continue
        out = out + as_column(amount) * ((t >= lo) & (t < hi)) / (hi - lo)
    return out + np.zeros(n)


def capacity_monthly_usd(accelerators=None, price_per_hour=None, power_w=None,
                         price_per_w_month=None):
    """Monthly charge of contracted capacity. [USD/month]

    Either accelerators x price per accelerator-hour x hours in a month (``HOURS_PER_MONTH``
    = 8766 / 12), or power x price per W-month (``$/kW-month`` / 1000).
    """
    if accelerators is not None:
        return _arr(accelerators) * _arr(price_per_hour) * HOURS_PER_MONTH
    return _arr(power_w) * _arr(price_per_w_month)


def escalate(payments, start: int, escalator):
    """Payments in contract year ``k`` (from ``start``) times ``(1 + escalator)**k``. [USD/month]"""
    p = _arr(payments)
    n = p.shape[-1]
    k = np.maximum(np.arange(n) - start, 0) // 12
    return p * (1.0 + as_column(escalator)) ** k


def take_or_pay(committed, used=None, minimum_take=1.0):
    """What a take-or-pay contract charges each month: ``max(used, minimum_take x committed)``.

    Parameters
    ----------
    committed : array_like
        The contract's full charge each month (its schedule or capacity x price). [USD/month]
    used : array_like, optional
        The charge for what is used each month (default: the full commitment). [USD/month]
    minimum_take : numeric
        Share of the commitment paid whether used or not. [fraction]

    Returns
    -------
    numpy.ndarray
        The charge each month. Usage beyond the commitment is charged as used. [USD/month]
    """
    c = _arr(committed)
    if used is None:
        return c + 0.0
    m = _arr(minimum_take)
    return np.maximum(_arr(used), (m[..., None] if m.ndim else m) * c)


def prepay(payments, amount, month: int):
    """Prepay ``amount`` in ``month`` and credit it against the payments from that month on.

    A prepayment made before the horizon (``month < 0``) is not paid inside it, but its
    credit still applies from month 0.

    Returns
    -------
    cash : numpy.ndarray
        Cash paid each month: the prepayment in its month, then each payment less the credit
        it consumes. [USD/month]
    credit : numpy.ndarray
        Credit used each month; ``credit.sum(-1)`` is at most ``amount`` (the rest is credit
        left unused within the horizon). [USD/month]
    """
    p = _arr(payments)
    n = p.shape[-1]
    a = _arr(amount)
    after = p * (np.arange(n) >= month)
    cum = running_sum(after)
    covered = np.minimum(cum, as_column(a) if a.ndim else a)
    credit = np.diff(covered, axis=-1, prepend=0.0)
    cash = p - credit                      # broadcast over the prepayment's sample axes
    if 0 <= month < n:
        cash[..., month] += a
    return cash, credit


class ContractFlows(NamedTuple):
    """The months of one contract. Every series is [USD/month] over the horizon."""

    committed: np.ndarray   #: the schedule (or capacity x price), escalated
    charged: np.ndarray     #: what the contract charges: max(used, minimum take x committed)
    unused: np.ndarray      #: charged but not used: take-or-pay paid for idle capacity
    credit: np.ndarray      #: prepayment credited against the charge
    payments: np.ndarray    #: cash paid: charged - credit + the prepayment in its month


def contract(committed, start: int, term_months: int, *, escalator=0.0, used=None,
             minimum_take=1.0, prepayment=0.0, prepay_month: Optional[int] = None
             ) -> ContractFlows:
    """One contract's cash: escalator, then take-or-pay, then prepayment.

    Parameters
    ----------
    committed : array_like
        Full charge each month before escalation: :func:`yearly_payments`,
        :func:`calendar_payments`, or :func:`capacity_monthly_usd` over the term. [USD/month]
    start : int
        First month of the contract; escalation steps up every 12 months from it.
        [month offset]
    term_months : int
        Months of the contract; usage outside them is not charged here. [count]
    escalator : numeric
        Yearly price escalation. [fraction]
    used : array_like, optional
        Charge for the capacity used each month (default: all of it). [USD/month]
    minimum_take : numeric
        Share of the commitment paid whether used or not. [fraction]
    prepayment : numeric
        Paid in ``prepay_month`` (default: ``start``) and credited against later charges. [USD]

    Returns
    -------
    ContractFlows
    """
    full = escalate(committed, start, escalator)
    if used is not None:
        used = _arr(used) * term_mask(start, int(term_months), full.shape[-1])
    charged = take_or_pay(full, used, minimum_take)
    unused = (np.maximum(charged - _arr(used), 0.0) if used is not None
              else np.zeros_like(charged))
    month = start if prepay_month is None else prepay_month
    payments, credit = prepay(charged, prepayment, month)
    return ContractFlows(full, charged, unused, credit, payments)


# --------------------------------------------------------------------------- debt

def draw(amount, month: int, n: int):
    """A single draw of ``amount`` in ``month``, as a monthly series. [USD/month]"""
    return as_column(amount) * (np.arange(n) == month)


def annuity_payment(principal, periodic_rate, periods: int):
    """Level payment that repays ``principal`` over ``periods`` at ``periodic_rate`` [1]. [USD]

    ``P r / (1 - (1 + r)**-N)``; ``P / N`` at a zero rate.
    """
    p, r = _arr(principal), _arr(periodic_rate)
    safe = np.where(r == 0, 1.0, r)
    # 1 - (1 + r)**-N written with log1p/expm1 so that tiny rates keep their precision
    level = p * safe / -np.expm1(-periods * np.log1p(safe))
    return np.where(r == 0, p / periods, level)


class DebtFlows(NamedTuple):
    """The months of one loan. Every series is over the horizon.

    A loan drawn before the horizon has no draw in it but carries its balance into it.
    """

    draws: np.ndarray       #: principal received each month [USD/month]
    interest: np.ndarray    #: interest paid each month [USD/month]
    principal: np.ndarray   #: principal repaid each month [USD/month]
    balance: np.ndarray     #: principal outstanding at each month's end [USD]

    @property
    def service(self):
        """Interest + principal repaid each month. [USD/month]"""
        return self.interest + self.principal


def amortising_loan(draws, rate, term_months: int, n: int, *, start: int,
                    grace_months: int = 0, every: int = 1) -> DebtFlows:
    """A loan drawn from ``start``, interest-only during a grace period, then level payments.

    Parameters
    ----------
    draws : array_like
        Principal drawn each month, over the loan's own timeline: month ``start + i`` is
        ``draws[..., i]`` (so a loan can start before the horizon). Draws must fall within
        the grace period (by its last month). [USD]
    rate : numeric
        Nominal yearly rate; interest is ``rate / 12`` of the opening balance each month.
        Must be above -100%. [fraction]
    term_months : int
        Months from ``start`` to the last payment. [count]
    n : int
        Months in the horizon. [count]
    start : int
        First month of the loan. [month offset]
    grace_months : int
        Months from ``start`` of interest-only payments. ``grace_months == term_months`` is
        a bullet loan: interest only, all principal repaid at the end. [count]
    every : int
        Months between payments: 1 monthly, 3 quarterly, 12 annual. Interest accrued
        between payment dates is paid on the next one. [count]

    Returns
    -------
    DebtFlows
        Series over the horizon. Amortisation starts after the grace period: the balance
        ``B`` then is repaid in ``N = (term - grace) / every`` level payments of
        :func:`annuity_payment` ``(B, rate * every / 12, N)`` on months
        ``start + grace + every * k``, ``k = 1..N`` [1]; the last clears any rounding.

    Raises
    ------
    ValueError
        When the term is shorter than the grace period, the amortising months are not a
        whole number of payment periods, or a draw falls after the grace period.
    """
    d, r = _arr(draws), _arr(rate)
    term, grace, every = int(term_months), int(grace_months), int(every)
    _check_loan(d, r, term, grace, every)
    shape = np.broadcast_shapes(d.shape[:-1], r.shape)
    own = np.zeros(shape + (term + 1,))
    k = min(d.shape[-1], term + 1)
    own[..., :k] = d[..., :k]
    flows = (own,) + _repay(own, r, grace, every)
    return DebtFlows(*(_place(x, start, n) for x in flows))


def _check_loan(d, r, term: int, grace: int, every: int) -> None:
    """The loan's terms make sense (see :func:`amortising_loan`), else ValueError."""
    if term < 1 or not 0 <= grace <= term:
        raise ValueError("the grace period must lie within the term")
    if every < 1 or (term - grace) % every:
        raise ValueError(f"{term - grace} amortising months are not a whole number of "
                         f"{every}-month periods")
    last_draw = grace if term > grace else term - 1     # a bullet's draws come before its end
    if d.shape[-1] > last_draw + 1 and np.any(d[..., last_draw + 1:] != 0):
        raise ValueError("a draw falls after the grace period")
    if np.any(r <= -1):
        raise ValueError("the rate must be above -100%")


def _repay(own, r, grace: int, every: int):
    """Interest, principal repaid and month-end balance over the loan's own months."""
    shape, span = own.shape[:-1], own.shape[-1]
    term, periods = span - 1, (span - 1 - grace) // every
    interest, principal, balance_ = (np.zeros(own.shape) for _ in range(3))
    bal, accrued, level = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for i in range(span):
        accrued = accrued + bal * (r / 12.0)        # on the month's opening balance
        if i > grace:
            pay_date = (i - grace) % every == 0
        else:
            pay_date = i > 0 and (i % every == 0 or i == grace)
        if pay_date:
            interest[..., i] = accrued
            if i > grace:
                repay = bal if i == term else np.minimum(level - accrued, bal)
                principal[..., i] = repay
                bal = bal - repay
            accrued = np.zeros(shape)
        if i == term and periods == 0:              # bullet: all principal at the end
            principal[..., i] = bal
            bal = np.zeros(shape)
        bal = bal + own[..., i]                     # draws arrive at the month's end
        if i == grace and periods:
            level = annuity_payment(bal, r * every / 12.0, periods)
        balance_[..., i] = bal
    return interest, principal, balance_


def _place(own, start: int, n: int):
    """A series over a loan's own months [start, start + span) placed on the horizon."""
    out = np.zeros(own.shape[:-1] + (n,))
    span = own.shape[-1]
    lo, hi = max(start, 0), min(start + span, n)
    if hi > lo:
        out[..., lo:hi] = own[..., lo - start: hi - start]
    return out


def bullet_loan(principal, rate, term_months: int, n: int, *, start: int) -> DebtFlows:
    """Drawn in ``start``, interest ``rate / 12`` monthly, principal repaid at ``start + term``.

    The same cash as the engine's existing loans.
    """
    return amortising_loan(np.asarray(principal, dtype=float)[..., None], rate, term_months, n,
                           start=start, grace_months=term_months)


def dscr(available, service, revenue=None):
    """Debt-service coverage ratio: cash available for debt service / debt service.

    Parameters
    ----------
    available : array_like
        Cash available for debt service (revenue and lease income less operating costs),
        per month or summed over a period. [USD]
    service : array_like
        Interest + principal due over the same months. [USD]
    revenue : array_like, optional
        Revenue over the same months; where it is zero there is nothing to cover debt with
        and the ratio is undefined.

    Returns
    -------
    numpy.ndarray
        The ratio, NaN where no debt is serviced (or there is no revenue). [1]
    """
    a, s = _arr(available), _arr(service)
    undefined = s <= 0
    if revenue is not None:
        undefined = undefined | (_arr(revenue) <= 0)
    return np.where(undefined, np.nan, a / np.where(s > 0, s, 1.0))


# --------------------------------------------------------------------------- verdict metrics

def buffer_series(n: int, amount=None, months=None, operating_cost=None):
    """The minimum cash to keep each month. [USD]

    Either a fixed ``amount``, or ``months`` x that month's operating cost (a monthly series).
    """
    if amount is not None:
        return as_column(amount) + np.zeros(n)
    if months is not None:
        return as_column(months) * _arr(operating_cost) + np.zeros(n)
    return np.zeros(n)


def in_window(series, window_end: int):
    """The months ``0 .. window_end`` of a series (sample axes kept; a view, no copy)."""
    return _arr(series)[..., : int(window_end) + 1]


def window_sum(series, window_end: int):
    """A monthly series summed over the months ``0 .. window_end``. [USD]"""
    return np.sum(in_window(series, window_end), axis=-1)


def headroom(bal, buffer=None):
    """Cash above the buffer at each month's end: ``balance - buffer``. [USD]

    ``buffer`` None (no buffer kept) returns the balance itself, with no arithmetic.
    """
    return _arr(bal) if buffer is None else _arr(bal) - _arr(buffer)


class Verdict(NamedTuple):
    """Whether the cash stays above the buffer through the window, and by how much not.

    Every field carries the balance's sample axes (none for a single scenario). Months
    are offsets from the horizon's first month; -1 where the month never comes.
    """

    covered: np.ndarray      #: headroom >= -TOLERANCE_USD in every month of the window [bool]
    low: np.ndarray          #: lowest headroom (balance - buffer) in the window [USD]
    low_month: np.ndarray    #: month of that low point, the first if tied [month offset]
    shortfall: np.ndarray    #: max(-low, 0): the cash that would have kept it covered [USD]
    gap: np.ndarray          #: first month of the window below the buffer, -1 if none
    lasts: np.ndarray        #: last month covered before the first gap [month offset]
    after_window: np.ndarray  #: first month after the window below the buffer, -1 if none


def verdict(bal, window_end: int, buffer=None) -> Verdict:
    """The funding verdict: does the cash stay above ``buffer`` in months ``0 .. window_end``?

    The one place the verdict is computed: the report, each branch of a condition, the
    yearly summary, Monte Carlo (on sample axes) and ``solve`` all read it from here.

    With ``h_t = balance_t - buffer_t`` (:func:`headroom`), ``W = {0 .. window_end}`` and
    ``eps = TOLERANCE_USD`` (a tenth of a cent)::

        low       = min_{t in W} h_t                low_month = first t in W with h_t = low
        covered   = low >= -eps                     shortfall = max(-low, 0)
        gap       = first t in W with h_t < -eps    (-1 if none)
        lasts     = gap - 1 if gap >= 0 else window_end    (-1: short from the first month)
        after_window = first t > window_end with h_t < -eps  (-1 if none)

    Parameters
    ----------
    bal : array_like
        Month-end balances, months last, any sample axes first. [USD]
    window_end : int
        Last month judged (inclusive). [month offset]
    buffer : numeric or array_like, optional
        Minimum cash to keep: a number or a monthly series (:func:`buffer_series`);
        None keeps none. [USD]

    Returns
    -------
    Verdict
    """
    head = headroom(bal, buffer)
    w = int(window_end) + 1
    inside = head[..., :w]
    low = np.min(inside, axis=-1)
    gap = _first_below(inside, -TOLERANCE_USD)
    later = _first_below(head[..., w:], -TOLERANCE_USD)
    return Verdict(covered=low >= -TOLERANCE_USD, low=low,
                   low_month=np.argmin(inside, axis=-1), shortfall=np.maximum(-low, 0.0),
                   gap=gap, lasts=np.where(gap < 0, w - 1, gap - 1),
                   after_window=np.where(later < 0, -1, later + w))


def _first_below(series, level: float):
    """First month (last axis) with a value below ``level``, -1 if none (or no months)."""
    if series.shape[-1] == 0:
        return np.full(series.shape[:-1], -1)
    below = series < level
    return np.where(below.any(axis=-1), np.argmax(below, axis=-1), -1)


def coverage_ratio(sources, uses):
    """Sources / uses through the window; infinite when nothing is used. [1]"""
    s, u = _arr(sources), _arr(uses)
    return np.where(u > 0, s / np.where(u > 0, u, 1.0), np.inf)


def peak_need(burn):
    """Peak funding need: the most cumulative burn reaches, and its month.

    Parameters
    ----------
    burn : array_like
        Uses less operating income each month (positive = cash out), before equity and
        debt. [USD/month]

    Returns
    -------
    need : numpy.ndarray
        ``max(0, max_t sum_{s<=t} burn_s)``: the outside money needed to get there. [USD]
    month : numpy.ndarray
        First month the peak is reached; -1 when nothing is ever needed. [month offset]
    """
    cum = running_sum(_arr(burn))
    peak = np.max(cum, axis=-1)
    need = np.maximum(peak, 0.0)
    month = np.where(need > TOLERANCE_USD, np.argmax(cum, axis=-1), -1)
    return need, month


def runway_months(bal, burn, at: int, trailing: int = 3):
    """Months the balance at month ``at`` lasts at the average burn of the trailing months.

    Parameters
    ----------
    bal : array_like
        Month-end balances. [USD]
    burn : array_like
        Uses less operating income each month, before equity and debt. [USD/month]
    at : int
        Month the runway is measured from. [month offset]
    trailing : int
        Months averaged, ending with ``at`` (fewer at the horizon's start). [count]

    Returns
    -------
    numpy.ndarray
        ``balance[at] / mean(burn[at - trailing + 1 .. at])``; infinite when that burn is
        zero or negative, 0 when the balance is already negative. [months]
    """
    lo = max(0, at - trailing + 1)
    mean = np.mean(_arr(burn)[..., lo: at + 1], axis=-1)
    b = _arr(bal)[..., at]
    out = np.where(mean > 0, np.maximum(b, 0.0) / np.where(mean > 0, mean, 1.0), np.inf)
    return out


def burn_multiple(burn, new_arr):
    """Burn multiple [3]: net burn / net new annual recurring revenue over the same period.

    Parameters
    ----------
    burn : array_like
        Net burn over the period (uses less revenue). [USD]
    new_arr : array_like
        Increase of annualised revenue (12 x monthly revenue) over the period. [USD/year]

    Returns
    -------
    numpy.ndarray
        The multiple; NaN when revenue did not grow (undefined), and 0 or below when the
        period generated cash. [1]
    """
    b, g = _arr(burn), _arr(new_arr)
    return np.where(g > 0, b / np.where(g > 0, g, 1.0), np.nan)


def discount_factors(annual_rate, n: int):
    """End-of-month discount factors ``(1 + r)**(-(t + 1) / 12)`` [2]. [1]"""
    t = np.arange(1, n + 1) / 12.0
    return (1.0 + as_column(annual_rate)) ** (-t) if np.ndim(annual_rate) else \
        (1.0 + float(annual_rate)) ** (-t)


def npv(flows, annual_rate):
    """Net present value at the start of month 0 of monthly flows [2]. [USD]

    Parameters
    ----------
    flows : array_like
        Cash each month (positive in, negative out). [USD/month]
    annual_rate : numeric
        Effective yearly discount rate, above -100%. Each month's flow is taken at the
        month's end, discounted by ``(1 + r)**(-(t + 1) / 12)``; at 0 the NPV is the plain
        sum. [fraction]
    """
    f = _arr(flows)
    return np.sum(f * discount_factors(annual_rate, f.shape[-1]), axis=-1)


def calendar_years(n: int, origin: int):
    """The calendar year of each month of the horizon. [year]"""
    return (origin + np.arange(n)) // 12


class YearRow(NamedTuple):
    """One calendar year of the yearly table. Money in [USD]."""

    year: int
    months: int                     #: months of the year inside the horizon
    sources: Dict[str, np.ndarray]  #: each source's sum over the year
    uses: Dict[str, np.ndarray]     #: each use's sum over the year
    burn: np.ndarray                #: all uses - operating income (before equity and debt)
    cumulative_burn: np.ndarray     #: burn of this year and every earlier year of the horizon
    balance: np.ndarray             #: cash at the year's last month inside the horizon


def _totals(cash, sources: Mapping[str, object], uses: Mapping[str, object], n: int):
    """(all sources, all uses) each month and the month-end balance they leave. [USD]"""
    zero = np.zeros(n)
    total_in = sum((_arr(v) for v in sources.values()), zero)
    total_out = sum((_arr(v) for v in uses.values()), zero)
    return total_in, total_out, balance(cash, total_in, total_out)


def yearly_table(cash, sources: Mapping[str, object], uses: Mapping[str, object], n: int,
                 origin: int, operating: Iterable[str] = ("revenue", "lease_income"), *,
                 known: Optional[Tuple[object, object, object]] = None) -> List[YearRow]:
    """Sources, uses by kind, burn, cumulative burn and balance per calendar year.

    Parameters
    ----------
    cash : numeric
        Cash at the horizon's start. [USD]
    sources, uses : mapping of str to array_like
        Monthly series by kind (``raises``, ``debt``, ``revenue``; ``contracts``,
        ``debt_service``, ...). [USD/month]
    n, origin : int
        Months in the horizon, and the absolute index of month 0.
    operating : iterable of str
        The kinds of source that are operating income; burn is uses less these.
    known : (total_in, total_out, balance), optional -- when the caller has them already
    """
    operating = set(operating)
    years = calendar_years(n, origin)
    zero = np.zeros(n)
    total_in, total_out, bal = known if known is not None else _totals(cash, sources, uses, n)
    income = sum((_arr(v) for k, v in sources.items() if k in operating), zero)
    rows, cum = [], 0.0
    for y in sorted(set(years.tolist())):      # np.unique would import numpy.ma (~10 ms)
        idx = years == y
        last = int(np.flatnonzero(idx)[-1])
        burn = np.sum((total_out - income)[..., idx], axis=-1)
        cum = cum + burn
        rows.append(YearRow(int(y), int(idx.sum()),
                            {k: np.sum((_arr(v) + zero)[..., idx], axis=-1)
                             for k, v in sources.items()},
                            {k: np.sum((_arr(v) + zero)[..., idx], axis=-1)
                             for k, v in uses.items()},
                            burn, cum, bal[..., last]))
    return rows


def last_month(series) -> int:
    """Last month with a nonzero amount in any sample, or -1. [month offset]"""
    nz = np.flatnonzero(np.any(_arr(series) != 0, axis=tuple(range(np.ndim(series) - 1))))
    return int(nz[-1]) if nz.size else -1


WINDOW_REASONS = {
    "last_run": "the end of the plan's last run",
    "horizon": "the horizon's end",
    "commitments": "the end of every contract and loan",
}


def window_end(kind: str, n: int, last_run: Optional[int] = None,
               commitments: Sequence[int] = ()) -> Tuple[int, str, bool]:
    """Last month of the verdict's window, why it ends there, and whether the horizon cut it.

    Parameters
    ----------
    kind : {'last_run', 'horizon', 'commitments'}
        ``last_run``: the last run's last month (the horizon's end when there are no runs);
        ``horizon``: the horizon's last month; ``commitments``: the last month any contract
        or loan has a payment, or the last run, whichever is later.
    n : int
        Months in the horizon. [count]
    last_run : int, optional
        Last month of the plan's last run. [month offset]
    commitments : sequence of int
        Last month of each contract and loan, on the horizon's timeline (may be past it).

    Returns
    -------
    (int, str, bool)
        The month (clipped to the horizon), the reason in words, and True when the window
        would end after the horizon and was cut at its end.
    """
    if kind == "horizon":
        return n - 1, WINDOW_REASONS["horizon"], False
    if kind == "last_run":
        if last_run is None:
            return n - 1, "the horizon's end (there are no runs)", False
        end, why = int(last_run), WINDOW_REASONS["last_run"]
    elif kind == "commitments":
        ends = [int(c) for c in commitments] + ([int(last_run)] if last_run is not None else [])
        if not ends:
            return n - 1, "the horizon's end (there are no contracts, loans or runs)", False
        end, why = max(ends), WINDOW_REASONS["commitments"]
    else:
        raise ValueError(f"unknown window '{kind}'")
    if end > n - 1:
        return n - 1, why + ", cut at the horizon's end", True
    return max(end, 0), why, False


class Summary(NamedTuple):
    """One entity's verdict and the figures a CFO reads with it."""

    balance: np.ndarray          #: month-end cash [USD]
    verdict: Verdict             #: against the buffer, through the window
    window_end: int              #: last month judged [month offset]
    buffer: np.ndarray           #: cash to keep each month [USD]
    burn: np.ndarray             #: uses - operating income each month [USD/month]
    sources: Dict[str, np.ndarray]  #: each source's sum through the window [USD]
    uses: Dict[str, np.ndarray]     #: each use's sum through the window [USD]
    peak_need: np.ndarray        #: most cumulative burn reaches in the window [USD]
    peak_need_month: np.ndarray  #: its month, -1 when nothing is needed [month offset]
    runway_months: np.ndarray    #: balance at the window's end / trailing burn [months]
    burn_multiple: np.ndarray    #: burn through the window / new annualised income [1]
    npv: np.ndarray              #: NPV of sources - uses through the window (cash excluded) [USD]
    npv_sources: np.ndarray      #: [USD]
    npv_uses: np.ndarray         #: [USD]
    by_year: List[YearRow]       #: the yearly table over the whole horizon


def summarise(cash, sources: Mapping[str, object], uses: Mapping[str, object], n: int,
              origin: int, window: int, *, buffer=None, discount_rate=0.0,
              operating: Iterable[str] = ("revenue", "lease_income"), trailing: int = 3,
              yearly: bool = True, known: Optional[Tuple[object, object, object]] = None,
              judged: Optional[Verdict] = None) -> Summary:
    """Every verdict figure of one entity from its cash and its monthly sources and uses.

    Parameters
    ----------
    cash : numeric
        Cash at the horizon's start. [USD]
    sources, uses : mapping of str to array_like
        Monthly series by kind. [USD/month]
    n, origin : int
        Months in the horizon; absolute index of month 0.
    window : int
        Last month of the verdict's window (:func:`window_end`). [month offset]
    buffer : numeric or array_like, optional
        Cash to keep (:func:`buffer_series`); None keeps none. [USD]
    discount_rate : numeric
        Effective yearly rate for the NPVs (:func:`npv`). [fraction]
    operating : iterable of str
        Kinds of source that are operating income (burn is uses less these).
    trailing : int
        Months of burn averaged for the runway. [count]
    yearly : bool
        Whether to build what only describes: the yearly table, each kind's sum, the NPVs of
        sources and of uses (Monte Carlo leaves them out; those fields are then None or
        empty).
    known, judged : optional -- (total_in, total_out, balance) and the :func:`verdict` of
        that balance, window and buffer, when the caller has them already
    """
    zero = np.zeros(n)
    operating = tuple(operating)
    known = known if known is not None else _totals(cash, sources, uses, n)
    total_in, total_out, bal = known
    income = sum((_arr(v) for k, v in sources.items() if k in operating), zero)
    w = int(window) + 1
    burn = total_out - income
    need, need_month = peak_need(in_window(burn, window))
    growth = 12.0 * (income[..., w - 1] - income[..., 0])
    net = in_window(_arr(total_in) - total_out, window)
    return Summary(
        balance=bal, verdict=judged if judged is not None else verdict(bal, window, buffer),
        window_end=int(window), buffer=_arr(0.0 if buffer is None else buffer) + zero, burn=burn,
        sources={k: window_sum(_arr(v) + zero, window) for k, v in sources.items()}
        if yearly else {},
        uses={k: window_sum(_arr(v) + zero, window) for k, v in uses.items()}
        if yearly else {},
        peak_need=need, peak_need_month=need_month,
        runway_months=runway_months(bal, burn, window, trailing) if yearly else None,
        burn_multiple=burn_multiple(window_sum(burn, window), growth) if yearly else None,
        npv=npv(net, discount_rate),
        npv_sources=npv(in_window(total_in, window), discount_rate) if yearly else None,
        npv_uses=npv(in_window(total_out, window), discount_rate) if yearly else None,
        by_year=yearly_table(cash, sources, uses, n, origin, operating, known=known)
        if yearly else [])


# --------------------------------------------------------------------------- linked entities

class Flow(NamedTuple):
    """Money from one party to another each month.

    A party that is not an entity is outside the scenario: money from it is outside money,
    money to it leaves the scenario.
    """

    payer: str
    payee: str
    amount: object              #: [USD/month] series (or a number in every month)
    use: str = "contracts"      #: what the payer books it as
    source: str = "contract_revenue"  #: what the payee books it as
    funds: bool = True          #: False for money going back (loan repayments): no funding edge


class EntityFlows(NamedTuple):
    """One entity's months after the flows between entities are booked."""

    name: str
    cash: object
    sources: Dict[str, np.ndarray]
    uses: Dict[str, np.ndarray]
    inflows: Dict[str, np.ndarray]      #: from each other party [USD/month]
    outflows: Dict[str, np.ndarray]     #: to each other party [USD/month]
    balance: np.ndarray                 #: month-end cash [USD]


def strongly_connected(names: Sequence[str], pairs: Iterable[Tuple[str, str]]
                       ) -> List[List[str]]:
    """Strongly connected groups of a directed graph, by Tarjan's algorithm [4].

    Each name is in exactly one group; a group of one is a cycle only with a self-loop.
    Recursive: the graphs here are small (at most 100 entities).
    """
    succ: Dict[str, List[str]] = {v: [] for v in names}
    for a, b in pairs:
        if b not in succ[a]:
            succ[a].append(b)
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on: set = set()
    groups: List[List[str]] = []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            groups.append(group)

    for v in names:
        if v not in index:
            visit(v)
    return groups


def funding_cycles(names: Iterable[str], edges: Iterable[Tuple[str, str]],
                   outside: Mapping[str, bool]) -> List[List[str]]:
    """Cycles of entities that fund each other with no money from outside the cycle.

    Parameters
    ----------
    names : iterable of str
        The entities.
    edges : iterable of (payer, payee)
        Money funding one party from another: contract payments, equity, loans drawn (not
        repayments: ``[(f.payer, f.payee) for f in flows if f.funds]``). Parties that are
        not entities are ignored here.
    outside : mapping of str to bool
        Whether an entity has money of its own or from outside the scenario (cash,
        revenue, lease income, equity or loans from parties that are not entities).

    Returns
    -------
    list of list of str
        Each strongly connected group of entities with a cycle [4] in which no member has
        outside money and none receives money from an entity outside the group, in the
        order the names were given (each group in the same order). Empty when the funding
        graph is sound.
    """
    names = list(dict.fromkeys(names))
    known = set(names)
    pairs = [(a, b) for a, b in edges if a in known and b in known]
    groups = strongly_connected(names, pairs)
    order = {v: i for i, v in enumerate(names)}
    bad = []
    for g in groups:
        members = set(g)
        cyclic = len(g) > 1 or (g[0], g[0]) in pairs
        if not cyclic or any(outside.get(v, False) for v in g):
            continue
        if any(b in members and a not in members for a, b in pairs):
            continue
        bad.append(sorted(g, key=order.get))
    return sorted(bad, key=lambda g: order[g[0]])


def resolve_entities(entities: Mapping[str, Mapping[str, object]], flows: Sequence[Flow],
                     n: int) -> Dict[str, EntityFlows]:
    """Book the flows between entities and give each its own series and balance.

    Parameters
    ----------
    entities : mapping of str to mapping
        Each entity's ``cash`` [USD] and its own ``sources`` and ``uses`` by kind
        (monthly series [USD/month]), before the flows below.
    flows : sequence of Flow
        Money between parties. The payer books ``amount`` as use ``flow.use`` when it is an
        entity; the payee books it as source ``flow.source`` when it is one.
    n : int
        Months in the horizon. [count]

    Returns
    -------
    dict of str to EntityFlows
        In the order given. Cycles of entities funding each other without outside money
        are refused when the scenario is loaded (:func:`funding_cycles`), not here.
    """
    zero = np.zeros(n)
    out = {}
    for name, e in entities.items():
        out[name] = EntityFlows(name, e.get("cash", 0.0),
                                {k: _arr(v) + zero for k, v in (e.get("sources") or {}).items()},
                                {k: _arr(v) + zero for k, v in (e.get("uses") or {}).items()},
                                {}, {}, zero)
    for f in flows:
        amount = _arr(f.amount) + zero
        if f.payer in out:
            e = out[f.payer]
            e.uses[f.use] = e.uses.get(f.use, zero) + amount
            e.outflows[f.payee] = e.outflows.get(f.payee, zero) + amount
        if f.payee in out:
            e = out[f.payee]
            e.sources[f.source] = e.sources.get(f.source, zero) + amount
            e.inflows[f.payer] = e.inflows.get(f.payer, zero) + amount
    for name, e in out.items():
        out[name] = e._replace(balance=_totals(e.cash, e.sources, e.uses, n)[2])
    return out
