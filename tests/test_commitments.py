"""The scenario's contracts, loans, equity and entity links as series, computed by hand."""
import numpy as np
import pytest

from estimator.config.loader import load
from estimator.engine import commitments as C
from estimator.engine import finance as F
from test_finance_config import FULL

CENT = 0.01


@pytest.fixture
def scn(write, catalog):
    return load(write(FULL), catalog=catalog)


def _origin(s):
    return s.horizon.start.index, s.horizon.months


def test_oracle_contract_ramp_minimum_take_and_prepayment(scn):
    # $300B over 5 years from 2027-01, payments growing 25% a year:
    # shares 1, 1.25, 1.5625, 1.953125, 2.44140625 (sum 8.20703125)
    # -> year 1 = 300 / 8.20703125 = $36.554021894B, $3.046168491B a month.
    # Usage 50% in 2027, then 100% (2028 and later years take 2028's share); minimum take 80%:
    # 2027 pays max(50%, 80%) = 80% of year 1; later years in full:
    # total 300 - 0.2 x 36.554021894 = $292.689195621B.
    # $5B prepaid in 2026-12 is credited from then on; the whole credit is used within the
    # horizon (to 2032-12), so the cash total is the same.
    origin, n = _origin(scn)
    oracle = scn.contracts[0]
    flows = C.contract_flows(oracle, origin, n)
    t2027 = 2027 * 12 - origin
    year1 = 300e9 / 8.20703125
    assert flows.committed[t2027] == pytest.approx(year1 / 12, abs=CENT)
    assert flows.charged[t2027] == pytest.approx(0.8 * year1 / 12, abs=CENT)
    assert flows.charged.sum() == pytest.approx(300e9 - 0.2 * year1, abs=1.0)
    assert flows.payments.sum() == pytest.approx(flows.charged.sum(), abs=1.0)
    assert flows.payments[t2027 - 1] == pytest.approx(5e9, abs=CENT)     # the prepayment
    assert flows.payments[t2027] == 0                                      # covered by credit
    assert flows.unused[t2027] == pytest.approx(0.3 * year1 / 12, abs=CENT)
    assert F.last_month(flows.payments) == 2031 * 12 + 11 - origin


def test_capacity_and_schedule_contracts(scn):
    origin, n = _origin(scn)
    _, aws, cw, colo = scn.contracts
    # AWS: $5B in 2026 (12 months) and $5B in 2027 -> $416.67M a month; nothing after
    pay = C.contract_flows(aws, origin, n).payments
    assert pay[2026 * 12 - origin] == pytest.approx(5e9 / 12, abs=CENT)
    assert pay.sum() == pytest.approx(10e9, abs=CENT)
    # CoreWeave from 2025-04 (before the horizon's 2025-07): 100,000 x $2.20 x 730.5 h
    # = $160.71M a month; its second contract year (2026-04 on) is 3% more: $165.5313M
    pay = C.contract_flows(cw, origin, n).payments
    assert pay[0] == pytest.approx(160.71e6, abs=CENT)
    assert pay[2026 * 12 + 3 - origin] == pytest.approx(160.71e6 * 1.03, abs=CENT)
    # colocation: 200 MW x $150/kW-month = 200,000 kW x 150 = $30M a month
    assert C.contract_flows(colo, origin, n).payments[2026 * 12 - origin] == \
        pytest.approx(30e6, abs=CENT)


def test_construction_loan_with_draws_and_grace(scn):
    # Abilene: $2.3B drawn 2025-07, $7.1B 2026-01, 8%, 10 years, 2 years interest-only:
    # interest 2.3B x 8% / 12 = $15.333M a month from 2025-08, then 9.4B x 8% / 12 = $62.667M
    # from 2026-02; from 2027-08, 96 payments of 9.4B x r / (1 - (1 + r)^-96), r = 0.08 / 12,
    # = $132.884785M.
    origin, n = _origin(scn)
    loan = C.loan_flows(scn.entities["stargate"].funding.debt[0], origin, n)
    assert loan.draws[0] == 2.3e9 and loan.draws[6] == 7.1e9
    assert loan.interest[1] == pytest.approx(15_333_333.33, abs=CENT)
    assert loan.interest[7] == pytest.approx(62_666_666.67, abs=CENT)
    amort = 2027 * 12 + 7 - origin
    assert loan.principal[:amort].sum() == 0
    assert loan.service[amort] == pytest.approx(132_884_784.99, abs=CENT)
    assert loan.balance[amort - 1] == pytest.approx(9.4e9, abs=CENT)


def test_bullet_loans_match_the_engines_existing_debt_service(write, catalog):
    # the engine's loans today: interest principal x rate / 12 each month of the term, the
    # principal at its end; loan_flows gives the same cash, so wiring it in moves nothing
    from estimator.engine import estimate
    text = ("scenario: t\nhorizon: {start: 2025-01, end: 2029-12}\nfunding:\n  cash: $1B\n"
            "  debt:\n    - {name: a, principal: $4B, date: 2025-10, rate: 6%, term: 3 years}\n"
            "    - {name: b, principal: $1B, date: 2024-06, rate: 5%, term: 2 years}\n")
    s = load(write(text), catalog=catalog)
    res = estimate(s, catalog)
    origin, n = _origin(s)
    mine = sum(C.loan_flows(d, origin, n).service for d in s.funding.debt)
    np.testing.assert_allclose(res.figures["monthly.funding.debt_service_usd"].value, mine,
                               atol=CENT)
    ins = sum(C.loan_flows(d, origin, n).draws for d in s.funding.debt)
    np.testing.assert_allclose(res.figures["monthly.funding.debt_in_usd"].value, ins, atol=CENT)


def test_equity_tranches_follow_their_flags(scn):
    origin, n = _origin(scn)
    st = scn.entities["stargate"].funding
    on = C.equity_tranches(st, {"for_profit": True}, origin)
    off = C.equity_tranches(st, {"for_profit": False}, origin)
    assert [t.amount for t in on] == [19e9, 19e9] and [t.amount for t in off] == [19e9, 0.0]
    by = C.equity_by_party(on, n)
    assert set(by) == {"SoftBank", "openai"} and by["openai"][0] == 19e9


def test_party_flows_entity_links_and_resolution(scn):
    # OpenAI pays Stargate under the Oracle contract and puts $19B of equity in (2025-07);
    # Stargate books them as contract revenue and equity. OpenAI's other contracts go to
    # outside counterparties; SoftBank's $19B and Microsoft's $10B come from outside.
    origin, n = _origin(scn)
    pays = {c.name: C.contract_flows(c, origin, n).payments for c in scn.contracts}
    flows = C.party_flows(scn, origin, n, pays)
    assert [(f.payer, f.payee, f.use) for f in flows] == [
        ("openai", "stargate", "contracts"), ("openai", "AWS", "contracts"),
        ("openai", "CoreWeave", "contracts"), ("openai", "a colocation provider", "contracts"),
        ("Microsoft", "openai", "equity_out"), ("JPMorgan", "openai", "loans_out"),
        ("openai", "JPMorgan", "debt_service"), ("SoftBank", "stargate", "equity_out"),
        ("openai", "stargate", "equity_out"), ("JPMorgan", "stargate", "loans_out"),
        ("stargate", "JPMorgan", "debt_service")]
    links = C.entity_links(scn, flows)
    assert [(f.payer, f.payee, f.use) for f in links] == [
        ("openai", "stargate", "contracts"), ("openai", "stargate", "equity_out")]
    ents = {"openai": {"cash": 17.5e9}, "stargate": {"cash": 0.0}}
    out = F.resolve_entities(ents, flows, n)
    assert out["stargate"].sources["equity"][0] == 38e9                 # SoftBank + OpenAI
    assert out["stargate"].inflows["SoftBank"][0] == 19e9
    assert out["stargate"].sources["contract_revenue"].sum() == pytest.approx(
        pays["oracle"].sum(), abs=1.0)
    assert out["openai"].uses["contracts"].sum() == pytest.approx(
        sum(p.sum() for p in pays.values()), abs=1.0)
    assert out["openai"].balance[0] == pytest.approx(
        17.5e9 - 19e9 - sum(p[0] for p in pays.values()), abs=CENT)


def test_window_ends_and_buffer(scn):
    origin, n = _origin(scn)
    ends = C.commitments_ends(scn, origin)
    # contracts end 2031-12, 2032-10, 2030-03, 2035-12; loans 2025-10 + 36, 2026-01 + 84,
    # 2025-07 + 120 months
    assert max(ends) == 2035 * 12 + 11 - origin
    end, why, cut = F.window_end("commitments", n, None, ends)
    assert end == n - 1 and cut
    buf = C.buffer_for(scn.funding, np.full(n, 2e9), n)
    assert buf[0] == pytest.approx(12e9)            # 6 months x $2B
    assert C.buffer_for(scn.entities["stargate"].funding, 0.0, n)[5] == 1e9


def test_usage_shares_by_year_are_interpolated_like_other_yearly_values():
    # horizon 2026-01 .. 2029-12; usage {2027: 40%, 2029: 80%}: 2026 takes the first (40%),
    # 2028 is halfway (60%), 2029 is 80%
    origin = 2026 * 12
    sh = C.shares_by_year({"2027": 0.4, "2029": 0.8}, 48, origin)
    assert [sh[0], sh[12], sh[24], sh[36]] == pytest.approx([0.4, 0.4, 0.6, 0.8])
    assert C.shares_by_year({}, 3, origin).tolist() == [1.0, 1.0, 1.0]
