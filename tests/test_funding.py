"""The funding verdict, month by month, and solving over the engine."""
import json

import pytest
from click.testing import CliRunner
from numpy.testing import assert_allclose

from conftest import SCENARIOS
from estimator.cli import main
from estimator.engine import cashflow as fd, training as tr_

SMALL = """\
scenario: small
horizon: {{start: 2025-01, end: 2025-06}}
funding:
  cash: $10M
  raises:
    - {{name: a, amount: $5M, date: 2025-03, if: ok, else: $1M}}
  flags: {{ok: {ok}}}
  revenue: {{2025: $12M}}
  debt:
    - {{name: loan, principal: $2M, rate: 12%, term: 3 months, date: 2025-02}}
  operations:
    payroll: {{2025: $48M}}
"""


def test_cash_balance_matches_a_hand_computation(estimate_text):
    r = estimate_text(SMALL.format(ok="true"))
    # month:      Jan    Feb     Mar     Apr     May     Jun
    revenue = [1, 1, 1, 1, 1, 1]            # $12M / 12
    payroll = [4, 4, 4, 4, 4, 4]            # $48M / 12
    raises = [0, 0, 5, 0, 0, 0]
    loan_in = [0, 2, 0, 0, 0, 0]
    loan_out = [0, 0, 0.02, 0.02, 2.02, 0]  # 1% a month interest for 3 months, principal at the end
    bal, expected = 10.0, []
    for t in range(6):
        bal += revenue[t] + raises[t] + loan_in[t] - payroll[t] - loan_out[t]
        expected.append(bal)
    assert_allclose(r.value("monthly.funding.balance_usd") / 1e6, expected, rtol=1e-12)
    assert r.value("funding.covered") is False
    assert r.value("funding.gap_month") == "2025-05"
    assert r.value("funding.shortfall_usd") == pytest.approx(-min(expected) * 1e6)
    assert r.value("funding.min_balance_month") == "2025-06"
    assert r.value("funding.lasts_until") == "2025-04"
    sources = 10 + 6 + 5 + 2
    uses = 24 + 2.06
    assert r.value("funding.coverage_ratio") == pytest.approx(sources / uses)


def test_a_conditional_tranche_flips_the_verdict(estimate_text):
    text = SMALL.replace("$48M", "$36M")
    assert estimate_text(text.format(ok="true")).value("funding.covered") is True
    r = estimate_text(text.format(ok="false"))
    assert r.value("funding.covered") is False
    # both branches are recorded side by side
    assert r.value("funding.branches.ok.true.covered") is True
    assert r.value("funding.branches.ok.false.covered") is False


def test_a_raise_after_the_cash_runs_out_still_shows_the_gap(estimate_text):
    text = """\
scenario: late raise
horizon: {start: 2025-01, end: 2025-12}
funding:
  cash: $3M
  raises: [{name: late, amount: $100M, date: 2025-09}]
  operations: {payroll: {2025: $12M}}
"""
    r = estimate_text(text)
    assert r.value("funding.covered") is False
    assert r.value("funding.gap_month") == "2025-04"
    assert r.value("funding.shortfall_usd") == pytest.approx(5e6)
    assert r.value("monthly.funding.balance_usd")[-1] > 0


def test_revenue_years_interpolate_and_grow():
    levels = fd.year_levels({"2025": 10.0, "2027": 30.0}, 0.5, [2024, 2025, 2026, 2027, 2028])
    assert_allclose(levels, [0, 10, 20, 30, 45])


def test_serving_accelerators_formula():
    # 1e8 users x 1000 tokens/day x 2 x 1e11 FLOP / 86400 s = 2.31e17 FLOP/s; at 1e15 x 0.5
    assert tr_.serving_accelerators(1e8, 1000, 1e11, 1e15, 0.5) == pytest.approx(
        1e8 * 1000 * 2e11 / 86400 / 5e14)


def test_first_cash_flow_positive_year(estimate_text):
    text = """\
scenario: growth
horizon: {start: 2025-01, end: 2028-12}
funding:
  cash: $100M
  revenue: {2025: $10M, 2026: $30M, 2027: $60M}
  operations: {payroll: {2025: $40M}}
"""
    assert estimate_text(text).value("funding.cash_positive_year") == "2027"


@pytest.mark.parametrize("last_only", [False, True])
def test_solve_answer_is_covered_and_one_percent_more_is_not(catalog, last_only):
    from estimator.config.loader import load
    from estimator.engine import estimate
    from estimator.engine.solve import scaled, solve
    # the owned variant: there the plan decides the verdict (the contracts of the default
    # scenario leave it short even with no plan at all)
    scn = load(str(SCENARIOS / "openai-40b-owned.yaml"), catalog=catalog)
    sol = solve(scn, catalog, last_only=last_only)
    assert sol.covered is False and 0 < sol.scale < 1
    assert estimate(scaled(scn, sol.scale, last_only), catalog).value("funding.covered") is True
    assert estimate(scaled(scn, sol.scale * 1.01, last_only), catalog).value("funding.covered") is False
    assert sol.shortfall_usd > 0 and sol.gap_month is not None


def test_extra_raise_equal_to_the_shortfall_covers_the_plan(catalog):
    from estimator.config.loader import load
    from estimator.engine import estimate
    path = str(SCENARIOS / "openai-40b.yaml")
    scn = load(path, catalog=catalog)
    short = estimate(scn, catalog).value("funding.shortfall_usd")
    r = estimate(load(path, [f"funding.cash={scn.funding.cash + short * 1.0001}"],
                      catalog=catalog), catalog)
    assert r.value("funding.covered") is True
    r = estimate(load(path, [f"funding.cash={scn.funding.cash + short * 0.999}"],
                      catalog=catalog), catalog)
    assert r.value("funding.covered") is False


@pytest.mark.parametrize("name", ["openai-40b.yaml", "stargate-500b.yaml"])
def test_seed_scenarios_print_verdicts_first(name):
    out = CliRunner().invoke(main, ["report", str(SCENARIOS / name), "--width", "100"]).output
    first = out.splitlines()[1]
    assert "COVERED" in first
    for text in ("Sources", "Uses", "coverage", "could instead buy"):
        assert text in out


def test_default_report_is_the_openai_verdict():
    out = CliRunner().invoke(main, ["report", "--width", "100"]).output
    assert "NOT COVERED" in out.splitlines()[1] and "OpenAI's $40B round" in out
    assert "for_profit" in out   # both branches of the condition


def test_json_carries_covered_shortfall_and_gap_month():
    data = json.loads(CliRunner().invoke(main, ["report", "--format", "json"]).output)
    figs = data["figures"]
    assert figs["funding.covered"]["value"] is False
    assert figs["funding.shortfall_usd"]["value"] > 0
    assert figs["funding.gap_month"]["value"].startswith("20")


def test_set_funding_cash_shows_the_new_value():
    data = json.loads(CliRunner().invoke(main, ["report", "--set", "funding.cash=$1B", "--format",
                                                "json"]).output)
    assert data["figures"]["inputs.funding.cash_usd"]["value"] == 1e9
    assert "--set funding.cash" in data["figures"]["inputs.funding.cash_usd"]["sources"][0]


def test_solve_command_prints_the_answer(write):
    res = CliRunner().invoke(main, ["solve", str(SCENARIOS / "openai-40b-owned.yaml"),
                                    "--format", "json"])
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert 0 < data["scale"] < 1 and data["covered"] is False
    # the default scenario: its contracts alone outrun the money, so no plan is covered
    res = CliRunner().invoke(main, ["solve"])
    assert res.exit_code == 0
    assert "Even without the plan the money does not cover" in res.output
    # money but no plan to scale: the answer is the raise the spending needs
    path = write("scenario: no plan\nhorizon: {start: 2025-01, end: 2025-12}\n"
                 "funding: {cash: $1B}\n")
    res = CliRunner().invoke(main, ["solve", path])
    assert res.exit_code == 0 and "no training runs" in res.output


def test_cash_flow_positive_means_from_then_on(estimate_text):
    text = """\
scenario: dip
horizon: {start: 2025-01, end: 2028-12}
funding:
  cash: $100M
  revenue: {2025: $50M, 2026: $10M, 2027: $60M, 2028: $60M}
  operations: {payroll: {2025: $40M}}
"""
    # 2025 is positive but 2026 is not: positive from 2027 on
    assert estimate_text(text).value("funding.cash_positive_year") == "2027"
