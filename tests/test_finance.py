"""Contracts, amortising debt, verdict metrics and linked entities, computed by hand.

Money is checked within a cent (abs=0.01), months exactly.
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from estimator.engine import finance as F

CENT = 0.01


# --------------------------------------------------------------------------- contracts

def test_ramped_contract_with_a_minimum_take():
    # $8,400 over 3 years from month 3, payments doubling each year (ramp 100%):
    # shares 1 : 2 : 4 of 7 -> $1,200, $2,400, $4,800 a year -> $100, $200, $400 a month.
    shares = F.ramp_shares(3, 1.0)
    assert shares == pytest.approx([1 / 7, 2 / 7, 4 / 7])
    committed = F.yearly_payments(8400 * shares, start=3, n=42)
    assert committed[:3].sum() == 0
    assert committed[3] == pytest.approx(100, abs=CENT)
    assert committed[15] == pytest.approx(200, abs=CENT)
    assert committed[38] == pytest.approx(400, abs=CENT)
    assert committed[39:].sum() == 0
    # Usage $150 every month (also outside the term: not charged there); minimum take 75%:
    # year 1 max(150, 0.75 x 100 =  75) = 150 -> 12 x 150 = 1,800
    # year 2 max(150, 0.75 x 200 = 150) = 150 -> 12 x 150 = 1,800
    # year 3 max(150, 0.75 x 400 = 300) = 300 -> 12 x 300 = 3,600      total 7,200
    c = F.contract(committed, 3, 36, used=np.full(42, 150.0), minimum_take=0.75)
    assert c.payments.sum() == pytest.approx(7200, abs=CENT)
    assert c.payments[14] == pytest.approx(150, abs=CENT)
    assert c.payments[15] == pytest.approx(150, abs=CENT)
    assert c.payments[27] == pytest.approx(300, abs=CENT)
    assert c.payments[:3].sum() == 0 and c.payments[39:].sum() == 0
    # paid for idle capacity only in year 3: (300 - 150) x 12 = 1,800
    assert c.unused.sum() == pytest.approx(1800, abs=CENT)
    assert int(np.flatnonzero(c.unused)[0]) == 27


def test_prepayment_is_paid_up_front_and_credited_against_later_payments():
    # $100 a month for 12 months from month 0; $250 prepaid in month 0, credited from then:
    # month 0 pays 250 + 100 - 100 (credit; 150 left) = 250; month 1 pays 100 - 100 = 0
    # (50 left); month 2 pays 100 - 50 = 50; then 100 a month.
    # Total 250 + 0 + 50 + 9 x 100 = 1,200: all the credit is used, so the cash equals the
    # payments' total.
    committed = F.yearly_payments([1200.0], 0, 14)
    c = F.contract(committed, 0, 12, prepayment=250.0)
    assert c.payments[:5] == pytest.approx([250, 0, 50, 100, 100], abs=CENT)
    assert c.payments.sum() == pytest.approx(1200, abs=CENT)
    assert c.credit.sum() == pytest.approx(250, abs=CENT)


def test_capacity_contract_with_an_escalator():
    # 1,000 GPUs x $2/GPU-hour x 730.5 hours a month (8,766 / 12) = $1,461,000 a month;
    # 3% a year from the contract's start (month 2): year 2 (months 14-25) = 1,504,830.
    monthly = F.capacity_monthly_usd(accelerators=1000, price_per_hour=2.0)
    assert monthly == pytest.approx(1_461_000, abs=CENT)
    committed = monthly * (np.arange(30) >= 2) * (np.arange(30) < 26)
    c = F.contract(committed, 2, 24, escalator=0.03)
    assert c.payments[13] == pytest.approx(1_461_000, abs=CENT)
    assert c.payments[14] == pytest.approx(1_504_830, abs=CENT)
    # 4.5 GW at $150/kW-month = 4.5e9 W x $0.15/W-month = $675M a month
    assert F.capacity_monthly_usd(power_w=4.5e9, price_per_w_month=0.15) == \
        pytest.approx(675e6, abs=CENT)


def test_calendar_schedule_pays_each_year_over_its_contract_months():
    # Horizon from 2026-07 (origin = 2026 x 12 + 6); contract from 2027-01 for 24 months.
    # 2027: $120B over 12 months = $10B/month; 2028: $240B = $20B/month.
    origin = 2026 * 12 + 6
    p = F.calendar_payments({2027: 120e9, 2028: 240e9}, start=6, term_months=24, n=36,
                            origin=origin)
    assert p[5] == 0 and p[6] == pytest.approx(10e9, abs=CENT)
    assert p[18] == pytest.approx(20e9, abs=CENT) and p[30] == 0
    with pytest.raises(ValueError, match="2031 has no month inside the contract"):
        F.calendar_payments({2031: 1.0}, start=6, term_months=24, n=36, origin=origin)


# --------------------------------------------------------------------------- debt

def test_amortising_loan_matches_the_annuity_formula():
    # $1,200 at 12% a year, 12 monthly payments from month 0:
    # r = 1%, payment = 1200 x 0.01 / (1 - 1.01^-12) = 12 / (1 - 1/1.1268250) = 106.6185464
    loan = F.amortising_loan([1200.0], 0.12, 12, 14, start=0)
    assert loan.draws[0] == 1200
    service = loan.service
    assert service[0] == 0
    assert service[1:13] == pytest.approx([106.6185464] * 12, abs=CENT)
    assert loan.interest[1] == pytest.approx(12.0, abs=CENT)       # 1% of 1,200
    assert loan.principal[1] == pytest.approx(94.6185464, abs=CENT)  # 106.62 - 12
    assert loan.principal.sum() == pytest.approx(1200, abs=CENT)
    assert loan.balance[12] == pytest.approx(0, abs=CENT)
    assert loan.balance[11] == pytest.approx(105.5629172, abs=CENT)


def test_quarterly_loan_with_a_grace_period():
    # $1M at 8% drawn in month 2, 36-month term, 12 months interest-only, quarterly:
    # grace: interest 1M x 8% / 4 = 20,000 in months 2+3, 2+6, 2+9, 2+12;
    # then 8 quarterly payments at 2%: 1M x 0.02 / (1 - 1.02^-8) = 20,000 / 0.1465096
    # = 136,509.80, in months 2+15, ..., 2+36 = 38.
    loan = F.amortising_loan([1e6], 0.08, 36, 40, start=2, grace_months=12, every=3)
    paid = np.flatnonzero(loan.service)
    assert list(paid) == [5, 8, 11, 14, 17, 20, 23, 26, 29, 32, 35, 38]
    assert loan.interest[[5, 8, 11, 14]] == pytest.approx([20_000] * 4, abs=CENT)
    assert loan.principal[:15].sum() == 0
    assert loan.service[17::3][:8] == pytest.approx([136_509.7991] * 8, abs=CENT)
    assert loan.principal.sum() == pytest.approx(1e6, abs=CENT)
    assert loan.balance[38] == pytest.approx(0, abs=CENT)


def test_bullet_loan_is_interest_only_then_principal():
    # $1,000 at 12% drawn in month 1 for 3 months: interest 10 in months 2, 3, 4; principal
    # in month 4 (the engine's existing loans).
    loan = F.bullet_loan(1000.0, 0.12, 3, 6, start=1)
    assert loan.draws.tolist() == [0, 1000, 0, 0, 0, 0]
    assert loan.interest.tolist() == pytest.approx([0, 0, 10, 10, 10, 0])
    assert loan.principal.tolist() == [0, 0, 0, 0, 1000, 0]
    assert loan.balance.tolist() == [0, 1000, 1000, 1000, 0, 0]


def test_loan_taken_before_the_horizon_carries_its_balance_in():
    # drawn 2 months before the horizon: no draw inside, the balance is there from month 0
    loan = F.bullet_loan(1000.0, 0.12, 3, 4, start=-2)
    assert loan.draws.sum() == 0
    assert loan.balance.tolist() == [1000, 0, 0, 0]
    assert loan.interest.tolist() == pytest.approx([10, 10, 0, 0])


def test_loan_arguments_are_checked():
    with pytest.raises(ValueError, match="above -100%"):
        F.amortising_loan([1.0], -1.5, 12, 12, start=0)
    with pytest.raises(ValueError, match="whole number"):
        F.amortising_loan([1.0], 0.05, 13, 12, start=0, every=3)
    with pytest.raises(ValueError, match="after the grace"):
        F.amortising_loan([1.0, 0, 1.0], 0.05, 12, 12, start=0, grace_months=1)


def test_loan_over_samples_matches_each_sample():
    rates = np.array([0.0, 0.06, 0.12])
    many = F.amortising_loan(np.array([1200.0])[None, :].repeat(3, 0), rates, 12, 13, start=0)
    for k, r in enumerate(rates):
        one = F.amortising_loan([1200.0], r, 12, 13, start=0)
        np.testing.assert_allclose(many.service[k], one.service, atol=1e-9)
    # at 0% the payment is 1,200 / 12 = 100
    assert many.service[0, 1:] == pytest.approx([100] * 12)


def test_dscr_where_there_is_revenue():
    # 150 available over 100 of debt service = 1.5; no service or no revenue: undefined
    out = F.dscr([150.0, 150.0, 80.0], [100.0, 0.0, 100.0], revenue=[10.0, 10.0, 0.0])
    assert out[0] == pytest.approx(1.5)
    assert math.isnan(out[1]) and math.isnan(out[2])


# --------------------------------------------------------------------------- verdict

def test_buffer_flips_the_verdict():
    # cash 30, operating cost 5 a month, no income: balances 25, 20, 15, 10, 5.
    # Without a buffer: covered (lowest 5). With 2 months of operating cost (2 x 5 = 10)
    # kept in hand: 5 - 10 = -5 in month 4 -> short $5 in month 4, first short month 4.
    opex = np.full(5, 5.0)
    bal = F.balance(30.0, 0.0, opex)
    assert bal.tolist() == [25, 20, 15, 10, 5]
    plain = F.verdict(bal, 4)
    assert bool(plain.covered) and plain.shortfall == 0
    buf = F.buffer_series(5, months=2, operating_cost=opex)
    kept = F.verdict(bal, 4, buf)
    assert not bool(kept.covered)
    assert kept.shortfall == pytest.approx(5, abs=CENT)
    assert int(kept.low_month) == 4 and int(kept.gap) == 4
    # a fixed $12 buffer: first below it in month 3 (10 < 12), deepest month 4 (5 - 12)
    fixed = F.verdict(bal, 4, F.buffer_series(5, amount=12.0))
    assert int(fixed.gap) == 3 and fixed.shortfall == pytest.approx(7, abs=CENT)


def test_breach_after_the_window_is_reported():
    bal = np.array([10.0, 5.0, 0.0, -5.0])
    v = F.verdict(bal, 2)
    assert bool(v.covered) and int(v.after_window) == 3
    assert int(v.lasts) == 2 and int(v.gap) == -1 and float(v.low) == 0.0


def test_verdict_by_hand_gap_low_point_and_last_month_covered():
    # balances 5, -1, 3, -8, -2 through month 4: first below zero month 1, so the money
    # lasts through month 0; lowest -8 in month 3; short $8. A tenth of a cent below zero
    # (TOLERANCE_USD) still counts as zero. Short in the first month: lasts -1.
    v = F.verdict(np.array([5.0, -1.0, 3.0, -8.0, -2.0]), 4)
    assert (bool(v.covered), int(v.gap), int(v.lasts)) == (False, 1, 0)
    assert (float(v.low), int(v.low_month), float(v.shortfall)) == (-8.0, 3, 8.0)
    assert bool(F.verdict(np.array([1.0, -0.0009]), 1).covered)
    assert int(F.verdict(np.array([-1.0, 2.0]), 1).lasts) == -1
    assert int(F.verdict(np.array([1.0, 2.0]), 0).after_window) == -1


def test_verdict_over_samples_is_each_sample_s_verdict():
    rng = np.random.default_rng(3)
    bal = np.cumsum(rng.normal(0.0, 10.0, (200, 24)), axis=-1)
    buf = F.buffer_series(24, amount=rng.uniform(0, 5, 200))
    many = F.verdict(bal, 17, buf)
    for k in range(0, 200, 7):
        one = F.verdict(bal[k], 17, buf[k])
        assert [np.asarray(f)[k] for f in many] == [np.asarray(f) for f in one]


def test_peak_need_runway_and_burn_multiple():
    # burn 10, 20, 30, -15, -5: cumulative 10, 30, 60, 45, 40 -> peak need 60 in month 2
    need, month = F.peak_need([10.0, 20.0, 30.0, -15.0, -5.0])
    assert need == pytest.approx(60) and int(month) == 2
    assert F.peak_need([-1.0, -2.0])[1] == -1
    # balance 120 at month 2, trailing 3 months' burn (10 + 20 + 30) / 3 = 20 -> 6 months
    bal = np.array([200.0, 150.0, 120.0])
    assert F.runway_months(bal, [10.0, 20.0, 30.0], at=2) == pytest.approx(6.0)
    assert F.runway_months(bal, [0.0, -1.0, 0.0], at=2) == np.inf
    # burn $50M, annualised revenue up from $100M to $125M: 50 / 25 = 2x
    assert F.burn_multiple(50e6, 25e6) == pytest.approx(2.0)
    assert math.isnan(F.burn_multiple(50e6, 0.0))


def test_npv_at_ten_percent():
    # End-of-month convention: $110 at the end of month 11 (one year) is worth 110 / 1.1 = 100;
    # $121 at the end of month 23 is worth 121 / 1.21 = 100; total 200.
    flows = np.zeros(24)
    flows[11], flows[23] = 110.0, 121.0
    assert F.npv(flows, 0.10) == pytest.approx(200.0, abs=CENT)
    # a flow in month 0 is discounted one month: 100 x 1.1^(-1/12) = 99.2088
    assert F.npv(np.r_[100.0, 0.0], 0.10) == pytest.approx(99.2088, abs=CENT)


@given(st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=60))
def test_npv_at_zero_is_the_undiscounted_sum(flows):
    assert F.npv(flows, 0.0) == pytest.approx(math.fsum(flows), abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e9), min_size=3, max_size=48),
       st.floats(0, 1e10), st.floats(1.0, 5.0), st.integers(0, 40))
def test_a_larger_contract_never_improves_the_verdict(net_in, cash, factor, start):
    n = len(net_in)
    committed = F.yearly_payments([1.2e9, 2.4e9], start, n)

    def judge(k):
        pay = F.contract(committed * k, start, 24, minimum_take=0.5,
                         used=np.full(n, 5e7)).payments
        v = F.verdict(F.balance(cash, np.asarray(net_in), pay), n - 1)
        return bool(v.covered), float(v.shortfall)

    small, large = judge(1.0), judge(factor)
    assert large[1] >= small[1] - CENT
    assert not (large[0] and not small[0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1e9), min_size=1, max_size=40),
       st.lists(st.floats(0, 1e9), min_size=1, max_size=40), st.integers(0, 11))
def test_yearly_table_totals_equal_the_sum_of_lines(rev, ops, first_month):
    n = min(len(rev), len(ops))
    rev, ops = np.asarray(rev[:n]), np.asarray(ops[:n])
    origin = 2025 * 12 + first_month
    rows = F.yearly_table(5.0, {"revenue": rev, "raises": rev / 2}, {"payroll": ops}, n, origin)
    assert sum(r.months for r in rows) == n
    assert sum(r.sources["revenue"] for r in rows) == pytest.approx(rev.sum(), rel=1e-9, abs=1e-3)
    assert sum(r.burn for r in rows) == pytest.approx(ops.sum() - rev.sum(), rel=1e-9, abs=1e-3)
    assert rows[-1].cumulative_burn == pytest.approx(ops.sum() - rev.sum(), rel=1e-9, abs=1e-3)
    assert rows[-1].balance == pytest.approx(5.0 + 1.5 * rev.sum() - ops.sum(), rel=1e-9,
                                             abs=1e-3)


def test_yearly_table_by_hand():
    # Horizon 2025-11 .. 2026-02 (4 months). Revenue 10/month, raise 100 in 2025-12,
    # payroll 30/month, contracts 20 in 2026-01. Cash 50.
    # 2025 (2 months): sources revenue 20 + raises 100; uses payroll 60;
    #   burn 60 - 20 = 40; balance 50 + 120 - 60 = 110.
    # 2026 (2 months): revenue 20; uses payroll 60 + contracts 20; burn 80 - 20 = 60;
    #   cumulative burn 100; balance 110 + 20 - 80 = 50.
    origin = 2025 * 12 + 10
    rows = F.yearly_table(50.0, {"revenue": np.full(4, 10.0), "raises": [0, 100.0, 0, 0]},
                          {"payroll": np.full(4, 30.0), "contracts": [0, 0, 20.0, 0]}, 4, origin)
    assert [r.year for r in rows] == [2025, 2026] and [r.months for r in rows] == [2, 2]
    assert rows[0].sources == {"revenue": 20, "raises": 100}
    assert rows[0].burn == 40 and rows[0].balance == 110
    assert rows[1].uses == {"payroll": 60, "contracts": 20}
    assert rows[1].burn == 60 and rows[1].cumulative_burn == 100 and rows[1].balance == 50


def test_window_end_and_why():
    assert F.window_end("horizon", 60) == (59, "the horizon's end", False)
    assert F.window_end("last_run", 60, last_run=30)[0] == 30
    assert F.window_end("last_run", 60)[1] == "the horizon's end (there are no runs)"
    end, why, cut = F.window_end("commitments", 60, last_run=30, commitments=[45, 80])
    assert end == 59 and cut and why.startswith("the end of every contract and loan")
    assert F.window_end("commitments", 60, last_run=30, commitments=[45]) == \
        (45, "the end of every contract and loan", False)
    assert F.last_month([0, 3.0, 0, 1.0, 0]) == 3 and F.last_month([0.0, 0.0]) == -1


# --------------------------------------------------------------------------- linked entities

def test_two_linked_entities():
    # OpenAI: cash 100, revenue 10 a month, pays Stargate 30 a month (a contract) for 6 months.
    #   balance: 100 + 10 - 30 = 80, 60, 40, 20, 0, -20 -> short 20 in month 5.
    # Stargate: no cash; SoftBank (outside) puts 50 of equity in month 0; construction 40
    #   in month 0; receives OpenAI's 30 a month.
    #   balance: 50 + 30 - 40 = 40, 70, 100, 130, 160, 190 -> covered.
    n = 6
    ents = {"openai": {"cash": 100.0, "sources": {"revenue": np.full(n, 10.0)}},
            "stargate": {"cash": 0.0, "uses": {"construction": F.draw(40.0, 0, n)}}}
    flows = [F.Flow("openai", "stargate", np.full(n, 30.0)),
             F.Flow("softbank", "stargate", F.draw(50.0, 0, n), use="equity",
                    source="equity")]
    out = F.resolve_entities(ents, flows, n)
    assert out["openai"].balance.tolist() == [80, 60, 40, 20, 0, -20]
    assert out["stargate"].balance.tolist() == [40, 70, 100, 130, 160, 190]
    assert out["stargate"].sources["contract_revenue"].sum() == 180
    assert out["stargate"].inflows["softbank"].sum() == 50
    assert out["openai"].outflows["stargate"].sum() == 180
    v = F.verdict(out["openai"].balance, n - 1)
    assert not bool(v.covered) and v.shortfall == 20 and int(v.low_month) == 5
    assert bool(F.verdict(out["stargate"].balance, n - 1).covered)


def test_entities_funding_each_other_without_outside_money_are_found():
    assert F.funding_cycles(["a", "b"], [("a", "b"), ("b", "a")], {}) == [["a", "b"]]
    # outside money anywhere in the cycle, or coming in from another entity, is enough
    assert F.funding_cycles(["a", "b"], [("a", "b"), ("b", "a")], {"b": True}) == []
    assert F.funding_cycles(["a", "b", "c"], [("a", "b"), ("b", "a"), ("c", "a")],
                            {"c": True}) == []
    assert F.funding_cycles(["a"], [("a", "a")], {}) == [["a"]]
    assert F.funding_cycles(["a", "b"], [("a", "b")], {}) == []     # no cycle


def test_sampled_amounts_give_each_sample_its_own_answer():
    # Monte Carlo: amounts carry a leading sample axis; each sample must equal the scalar run
    n = 30
    committed = F.yearly_payments([1200.0, 2400.0], 2, n)
    takes, escs, pre = np.array([0.5, 0.9]), np.array([0.0, 0.1]), np.array([0.0, 300.0])
    used = np.full(n, 120.0)
    many = F.contract(committed, 2, 24, escalator=escs, used=used, minimum_take=takes,
                      prepayment=pre)
    assert many.payments.shape == (2, n)
    for k in range(2):
        one = F.contract(committed, 2, 24, escalator=escs[k], used=used,
                         minimum_take=takes[k], prepayment=pre[k])
        np.testing.assert_allclose(many.payments[k], one.payments, atol=1e-9)
    cash = np.array([1000.0, 50.0])
    bal = F.balance(cash, 0.0, many.payments)
    v = F.verdict(bal, n - 1, F.buffer_series(n, amount=np.array([0.0, 10.0])))
    need, month = F.peak_need(many.payments)
    rows = F.yearly_table(cash, {}, {"contracts": many.payments}, n, 2026 * 12)
    for k in range(2):
        one = F.verdict(F.balance(cash[k], 0.0, many.payments[k]), n - 1, [0.0, 10.0][k])
        assert bool(v.covered[k]) == bool(one.covered)
        assert v.shortfall[k] == pytest.approx(float(one.shortfall))
        assert int(v.low_month[k]) == int(one.low_month)
        assert need[k] == pytest.approx(many.payments[k].sum())
        assert F.npv(many.payments, 0.1)[k] == pytest.approx(F.npv(many.payments[k], 0.1))
        assert rows[-1].balance[k] == pytest.approx(bal[k, -1])


def test_summary_by_hand():
    # 6 months from 2026-01, cash 100. Revenue 10 a month; payroll 40 a month; a contract
    # of 30 in month 2; a raise of 50 in month 3. Window through month 4; buffer 20.
    # burn = uses - revenue: 30, 30, 60, 30, 30, 30 -> cumulative 30, 60, 120, 150, 180 in
    #   the window: peak need 180 in month 4.
    # balance: 70, 40, -20, 0, -30, -60 -> lowest -30 in month 4; against the buffer of 20
    #   the shortfall is 20 - (-30) = 50; the first month below the buffer is month 2 (-20).
    # runway at month 4: balance -30 -> 0 months.
    # new annualised revenue 12 x (10 - 10) = 0 -> burn multiple undefined (NaN).
    # NPV at 0% of sources - uses in the window: (10 x 5 + 50) - (40 x 5 + 30) = -130.
    # The yearly table covers the horizon: 2026 burn = 40 x 6 + 30 - 10 x 6 = 210.
    n, origin = 6, 2026 * 12
    s = F.summarise(100.0, {"revenue": np.full(n, 10.0), "raises": F.draw(50.0, 3, n)},
                    {"payroll": np.full(n, 40.0), "contracts": F.draw(30.0, 2, n)}, n, origin,
                    4, buffer=20.0, discount_rate=0.0)
    assert s.balance.tolist() == [70, 40, -20, 0, -30, -60]
    assert s.peak_need == 180 and int(s.peak_need_month) == 4
    assert not bool(s.verdict.covered) and s.verdict.shortfall == 50
    assert int(s.verdict.low_month) == 4 and int(s.verdict.gap) == 2
    assert s.runway_months == 0 and math.isnan(s.burn_multiple)
    assert s.npv == pytest.approx(-130) and s.npv_sources == pytest.approx(100)
    assert s.uses == {"payroll": 200, "contracts": 30}
    assert [r.year for r in s.by_year] == [2026] and s.by_year[0].burn == 210


@settings(max_examples=80, deadline=None)
@given(st.floats(1.0, 1e10), st.floats(-0.5, 0.5), st.sampled_from([1, 3, 12]),
       st.integers(0, 4), st.integers(1, 5), st.integers(-30, 30))
def test_a_loan_repays_what_it_drew_and_never_goes_negative(principal, rate, every,
                                                             grace_periods, periods, start):
    grace, term = grace_periods * every, (grace_periods + periods) * every
    n = max(start + term + 1, 1) + 2
    loan = F.amortising_loan([principal], rate, term, n, start=start, grace_months=grace,
                             every=every)
    inside = start >= 0
    if inside:
        assert loan.draws.sum() == pytest.approx(principal)
        assert loan.principal.sum() == pytest.approx(principal, rel=1e-9)
    assert np.all(loan.balance >= -1e-6 * principal)
    assert loan.balance[-1] == pytest.approx(0, abs=1e-6 * principal)
    # the level payments after the grace period are equal (the last within rounding), on
    # months start + grace + every x k, k = 1..periods
    if inside:
        pays = loan.service[start + grace + every::every][:periods]
        assert len(pays) == periods and np.all(pays > 0)
        assert np.ptp(pays) <= 1e-6 * principal


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=24, max_size=24), st.floats(0, 1),
       st.floats(0, 2e7), st.integers(0, 5))
def test_take_or_pay_and_prepayment_invariants(used, take, prepaid, start):
    n = 24
    committed = F.yearly_payments([6e6, 12e6], start, n)
    c = F.contract(committed, start, 24, used=np.asarray(used), minimum_take=take,
                   prepayment=prepaid)
    term = F.term_mask(start, 24, n)
    assert np.all(c.charged >= take * c.committed - 1e-6)
    assert np.all(c.charged[term] >= np.asarray(used)[term] - 1e-6)
    assert np.all(c.charged[~term] == 0)
    assert c.credit.sum() <= prepaid + 1e-6
    # cash = charges - credit + the prepayment: the totals add up
    assert c.payments.sum() == pytest.approx(c.charged.sum() - c.credit.sum() + prepaid,
                                             abs=1e-3)
