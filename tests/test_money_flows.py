"""Money as it really flows, end to end: contracts, equity by party, debt, linked entities.

Each case is small enough to check by hand; the arithmetic is in the comments.
"""
from __future__ import annotations

import numpy as np
import pytest

LINKED = """\
scenario: two linked entities
horizon: {start: 2026-01, end: 2026-12}
funding:
  entity: lab
  cash: $10B
contracts:
  - name: cloud
    payee: jv
    start: 2026-01
    term: 1 year
    amount: $12B              # $1B a month, paid by the lab to the JV
entities:
  jv:
    funding:
      cash: $0
      equity:
        - {party: investor, amount: $2B, date: 2026-01}
      debt:
        - {name: loan, principal: $6B, rate: 12%, term: 1 year, date: 2026-01, repayment: bullet}
"""


def test_linked_entities_balance_to_the_cent(estimate_text):
    r = estimate_text(LINKED)
    paid = r.value("monthly.funding.contracts_to_entities_usd")
    received = r.value("monthly.entities.jv.funding.contract_revenue_usd")
    # what one entity pays the other receives, month by month
    assert np.max(np.abs(paid - received)) < 0.01
    assert np.sum(paid) == pytest.approx(12e9, abs=0.01)
    # the lab: $10B cash less $1B a month -> short from month 11 ($10B - $11B = -$1B)
    assert not r.value("funding.covered")
    assert r.value("funding.gap_month") == "2026-11"
    assert r.value("funding.shortfall_usd") == pytest.approx(2e9, abs=0.01)   # -$2B in December
    # the JV: $2B equity + $6B loan + $12B contract revenue in; interest $6B x 12% / 12 = $60M
    # a month for 12 months = $720M, principal $6B back at the end of the term (after 2026)
    assert r.value("entities.jv.funding.sources.equity_usd") == pytest.approx(2e9, abs=0.01)
    assert r.value("entities.jv.funding.sources.debt_usd") == pytest.approx(6e9, abs=0.01)
    assert r.value("entities.jv.funding.covered")


def test_npv_at_zero_is_the_plain_sum(estimate_text):
    text = LINKED.replace("  cash: $10B\n", "  cash: $10B\n  verdict: {discount_rate: 0%, "
                          "window: horizon}\n", 1)
    r = estimate_text(text)
    # lab: no sources but cash; uses $12B -> NPV at 0% of (sources - uses) = -$12B
    assert r.value("funding.npv_usd") == pytest.approx(-12e9, abs=0.01)


def test_a_buffer_flips_the_verdict(estimate_text):
    text = LINKED.replace("amount: $12B ", "amount: $6B ")     # $0.5B a month: $10B - $6B > 0
    assert estimate_text(text).value("funding.covered")
    buffered = text.replace("  cash: $10B\n", "  cash: $10B\n  verdict: {buffer: {amount: $5B}, "
                            "window: horizon}\n", 1)
    r = estimate_text(buffered)
    # the balance ends at $4B, below the $5B buffer: short by $1B
    assert not r.value("funding.covered")
    assert r.value("funding.shortfall_usd") == pytest.approx(1e9, abs=0.01)


def test_each_branch_of_a_condition_is_judged_against_the_buffer(estimate_text):
    # $10B cash, $0.5B a month out: $4B at the end. A $0.5B raise in 2026-06 only if 'more'
    # is true: $4.5B at the end, still below the $5B buffer. Both branches are short (by
    # $1B and $0.5B); each branch is the verdict of the scenario with the flag set that way.
    text = LINKED.replace("amount: $12B ", "amount: $6B ").replace(
        "  cash: $10B\n", "  cash: $10B\n  verdict: {buffer: {amount: $5B}, window: horizon}\n"
        "  raises:\n    - {name: more, amount: $0.5B, date: 2026-06, if: more}\n"
        "  flags: {more: FLAG}\n", 1)
    for flag in ("false", "true"):
        r = estimate_text(text.replace("FLAG", flag))
        for branch, short in (("false", 1e9), ("true", 0.5e9)):
            b = f"funding.branches.more.{branch}"
            assert not r.value(f"{b}.covered"), (flag, branch)
            assert r.value(f"{b}.shortfall_usd") == pytest.approx(short, abs=0.01)
        assert r.value("funding.shortfall_usd") == r.value(f"funding.branches.more.{flag}"
                                                           ".shortfall_usd")
    # the verdict says what it is judged against, and the buffer is among its inputs
    for name in ("funding.covered", "funding.branches.more.true.covered"):
        assert "below the cash buffer" in r[name].formula
        assert "monthly.funding.buffer_usd" in r[name].inputs
    assert "balance less the cash buffer" in r["funding.min_balance_usd"].formula
    assert "below zero" in estimate_text(LINKED)["funding.covered"].formula


def test_yearly_burn_and_peak_need(estimate_text):
    r = estimate_text(LINKED.replace("end: 2026-12", "end: 2027-06"))
    # the lab burns $12B in 2026 (contract) and nothing in 2027
    assert r.value("funding.by_year.2026.burn_usd") == pytest.approx(12e9, abs=0.01)
    assert r.value("funding.by_year.2027.burn_usd") == pytest.approx(0.0, abs=0.01)
    assert r.value("funding.peak_need_usd") == pytest.approx(12e9, abs=0.01)
    assert r.value("funding.peak_need_month") == "2026-12"


def test_a_larger_contract_never_improves_the_verdict(estimate_text):
    low = estimate_text(LINKED)
    high = estimate_text(LINKED.replace("amount: $12B ", "amount: $13B "))
    assert high.value("funding.min_balance_usd") <= low.value("funding.min_balance_usd")
    assert high.value("funding.shortfall_usd") >= low.value("funding.shortfall_usd")


PLAN = """\
scenario: one plan, three ways
horizon: {start: 2026-01, end: 2028-12}
funding: {cash: $50B, verdict: {window: horizon}}
contracts:
  - {name: cloud, counterparty: a cloud, start: 2026-01, term: 3 years, amount: $9B}
training:
  - name: big
    compute: 1e27 FLOP
    precision: fp8
    mfu: 40%
    max_days: 120
    start: 2027-01
    accelerator: h100-sxm
"""


@pytest.mark.parametrize("how", ["owned", "rented", "cloud"])
def test_the_same_plan_owned_rented_or_contracted(estimate_text, how):
    r = estimate_text(PLAN.rstrip("\n") + f"\n    acquire: {how}\n")
    uses = {k: r.value(f"funding.uses.{k}_usd") for k in ("training_capex", "training_rental")}
    if how == "owned":
        assert uses["training_capex"] > 0 and uses["training_rental"] == 0
    elif how == "rented":
        # the rental bill is the run's rental cost, paid over its months
        assert uses["training_capex"] == 0
        assert uses["training_rental"] == pytest.approx(r.value("training.big.cost.rental_usd"),
                                                        rel=1e-9)
    else:
        # on contracted capacity: no capex, no rental; the contract's $9B is the cost
        assert uses["training_capex"] == 0 and uses["training_rental"] == 0
        assert r.value("funding.uses.contracts_usd") == pytest.approx(9e9, abs=0.01)


def test_acquire_on_a_fleet_run_is_refused(tmp_path):
    from estimator.config.loader import load
    from estimator.errors import ConfigError
    p = tmp_path / "s.yaml"
    p.write_text(PLAN.replace("    accelerator: h100-sxm\n",
                              "    rent: {accelerator: h100-sxm, price: $2/GPU-hour}\n"
                              "    acquire: cloud\n"))
    with pytest.raises(ConfigError) as e:
        load(str(p))
    assert "'acquire' applies to runs the plan sizes" in str(e.value)


EARLY = """\
scenario: a raise before the horizon
horizon: {start: 2026-01, end: 2026-12}
funding:
  cash: $10M
  raises:
    - {name: seed, amount: $100M, date: 2025-06}
    - {name: later, amount: $1M, date: 2027-06}
"""


def test_a_raise_outside_the_horizon_is_not_counted_as_money_raised(estimate_text):
    r = estimate_text(EARLY)
    # the seed round is already in the $10M of cash; the later one is past the horizon
    assert r.value("funding.raises_usd") == 0.0
    assert r.value("funding.money_raised_usd") == pytest.approx(10e6)
    assert any("before the horizon starts" in w for w in r.warnings)


def test_set_selects_list_items_by_name_and_appends(tmp_path):
    from estimator.config.loader import load
    p = tmp_path / "s.yaml"
    p.write_text(EARLY)
    s = load(str(p), overrides=["funding.raises[later].amount=$2M",
                                "funding.raises[+]={name: bridge, amount: $5M, date: 2026-03}"])
    assert [(r.name, r.amount) for r in s.funding.raises] == [
        ("seed", 100e6), ("later", 2e6), ("bridge", 5e6)]


def test_set_names_an_item_that_is_not_there(tmp_path):
    from estimator.config.loader import load
    from estimator.errors import ConfigError
    p = tmp_path / "s.yaml"
    p.write_text(EARLY)
    with pytest.raises(ConfigError) as e:
        load(str(p), overrides=["funding.raises[laetr].amount=$2M"])
    assert "no list item named 'laetr'" in str(e.value) and "later" in str(e.value)


SHIPPED = sorted(__import__("pathlib").Path(__file__).resolve().parent.parent.joinpath(
    "configs", "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_solve_answers_on_every_shipped_scenario(path):
    from click.testing import CliRunner
    from estimator.cli import main
    res = CliRunner().invoke(main, ["solve", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    import json
    data = json.loads(res.output)
    assert data["covered"] or data["needed_by"]


def test_the_extra_raise_by_its_month_covers_the_plan(tmp_path):
    """Adding the shortfall on the month solve names turns the verdict to covered."""
    from estimator.catalog import load_catalog
    from estimator.config.loader import load
    from estimator.engine import estimate
    from estimator.engine.solve import solve
    p = tmp_path / "s.yaml"
    p.write_text(LINKED)
    cat = load_catalog()
    s = solve(load(str(p), catalog=cat), cat)
    assert not s.covered and s.scale is None and s.needed_by == "2026-11"
    extra = f"funding.raises[+]={{name: extra, amount: {s.shortfall_usd!r}, date: {s.needed_by}}}"
    assert estimate(load(str(p), overrides=[extra], catalog=cat), cat).value("funding.covered")
    late = s.needed_by.replace("-11", "-12")
    extra_late = extra.replace(s.needed_by, late)
    assert not estimate(load(str(p), overrides=[extra_late], catalog=cat),
                        cat).value("funding.covered")


FLEET_RUN = """\
scenario: time binds
horizon: {start: 2026-01, end: 2026-12}
funding: {cash: $1T}
datacenters:
  dc: {it_capacity: 20 MW, mode: lease}
fleets:
  f: {server: dgx-h100, servers: 100, site: dc}
training:
  - {name: r, compute: 1e24 FLOP, precision: bf16, mfu: 40%, on: f, max_days: 60, start: 2026-01}
"""


def test_time_not_money_binds_a_run_on_a_fleet(tmp_path):
    from estimator.catalog import load_catalog
    from estimator.config.loader import load
    from estimator.engine.solve import solve
    p = tmp_path / "s.yaml"
    p.write_text(FLEET_RUN)
    cat = load_catalog()
    s = solve(load(str(p), catalog=cat), cat)
    assert s.covered and s.binding == "time"
    # 800 H100s at 989 TFLOP/s x 40% x the default goodput: 60 days hold a few times 1e24
    assert 1 < s.scale < 100


def test_report_shows_three_ways_side_by_side_and_says_what_differs(tmp_path):
    from click.testing import CliRunner
    from estimator.cli import main
    p = tmp_path / "plan.yaml"
    p.write_text(PLAN)
    res = CliRunner().invoke(main, ["report", str(p), "--acquire", "owned,rented,cloud",
                                    "--format", "markdown"])
    assert res.exit_code == 0, res.output
    assert "| | owned | rented | Δ rented | cloud | Δ cloud |" in res.output   # one scenario,
    assert res.output.startswith("## Side by side: ")                        # three ways
    # the contract is paid in all three; what differs is capex bought vs hours rented
    assert "What differs" in res.output and "planned training capacity" in res.output
    bad = CliRunner().invoke(main, ["report", str(p), "--acquire", "leased"])
    assert bad.exit_code == 2 and "neither 'owned', 'rented' nor one of the contracts" in bad.output


def test_report_of_linked_entities_shows_each_verdict_and_the_flows(tmp_path):
    from click.testing import CliRunner
    from estimator.cli import main
    p = tmp_path / "linked.yaml"
    p.write_text(LINKED)
    res = CliRunner().invoke(main, ["report", str(p), "--width", "80"])
    assert res.exit_code == 0, res.output
    assert "Each entity's verdict" in res.output and "Money between the entities" in res.output
    assert "Year by year" in res.output
    assert max(len(line) for line in res.output.splitlines()) <= 80


from hypothesis import HealthCheck, given, settings, strategies as st   # noqa: E402


def representable(x: float) -> float:
    """Below 1e-100 (other than 0) a value is refused (estimator.units.MIN_MAGNITUDE)."""
    return 0.0 if abs(x) < 1e-100 else x


MONEY = st.floats(min_value=0, max_value=1e11, allow_nan=False).map(representable)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # the fixture is stateless
@given(cash=MONEY, amount=MONEY, extra=MONEY, rate=st.floats(0, 0.3).map(representable),
       discount=st.floats(0, 0.3).map(representable))
def test_money_properties(estimate_text, cash, amount, extra, rate, discount):
    text = f"""\
scenario: properties
horizon: {{start: 2026-01, end: 2028-12}}
funding:
  cash: {cash!r}
  verdict: {{window: horizon, discount_rate: {discount!r}}}
  debt: [{{name: l, principal: $1B, date: 2026-06, rate: {rate!r}, term: 2 years,
           repayment: amortising}}]
contracts:
  - {{name: c, counterparty: X, start: 2026-01, term: 2 years, amount: {amount!r}}}
"""
    r = estimate_text(text)
    sources = [r.value(f.name) for f in r.under("funding.sources.")]
    uses = [r.value(f.name) for f in r.under("funding.uses.")]
    # totals are the sums of their lines
    assert r.value("funding.sources_usd") == pytest.approx(cash + sum(sources), rel=1e-12, abs=1e-6)
    assert r.value("funding.uses_usd") == pytest.approx(sum(uses), rel=1e-12, abs=1e-6)
    # a larger contract never improves the verdict
    more = estimate_text(text.replace(f"amount: {amount!r}", f"amount: {amount + extra!r}"))
    assert more.value("funding.min_balance_usd") <= r.value("funding.min_balance_usd") + 1e-6
    assert more.value("funding.shortfall_usd") >= r.value("funding.shortfall_usd") - 1e-6
    # NPV at 0% is the plain sum of sources - uses through the window (cash excluded)
    zero = estimate_text(text.replace(f"discount_rate: {discount!r}", "discount_rate: 0"))
    assert zero.value("funding.npv_usd") == pytest.approx(
        zero.value("funding.sources_usd") - cash - zero.value("funding.uses_usd"),
        rel=1e-9, abs=1e-3)


def test_dscr_by_hand(estimate_text):
    text = """\
scenario: dscr
horizon: {start: 2026-01, end: 2026-12}
funding:
  cash: $0
  revenue: {2026: $1.2B}              # $100M a month
  debt: [{name: l, principal: $1B, date: 2025-12, rate: 12%, term: 5 years}]
"""
    r = estimate_text(text)
    # a bullet loan drawn before the horizon: interest $1B x 12% / 12 = $10M a month, $120M in
    # 2026; no operating costs, so DSCR = $1.2B / $120M = 10
    assert r.value("funding.by_year.2026.dscr") == pytest.approx(10.0, rel=1e-9)
    assert r.value("funding.dscr_min") == pytest.approx(10.0, rel=1e-9)


UNCERTAIN = """\
scenario: uncertain revenue
horizon: {start: 2026-01, end: 2026-12}
funding:
  cash: $1B
  revenue: {2026: $1.2B}
  operations: {payroll: {2026: $2.1B}}
uncertainty:
  funding.revenue.2026: {low: $0.6B, high: $1.0B}     # the base $1.2B lies above its P90
"""


def test_report_puts_the_scenarios_own_uncertainty_beside_the_base_verdict(tmp_path):
    from click.testing import CliRunner
    from estimator.cli import main
    p = tmp_path / "u.yaml"
    p.write_text(UNCERTAIN)
    res = CliRunner().invoke(main, ["report", str(p), "--format", "json"])
    assert res.exit_code == 0, res.output
    import json
    data = json.loads(res.output)
    # base: $1B + $1.2B - $2.1B = +$0.1B, covered; every draw (revenue <= $1B) is short
    assert data["figures"]["funding.covered"]["value"] is True
    assert data["figures"]["uncertainty.p_covered"]["value"] == 0.0
    assert any("outside its own P10-P90" in w for w in data["warnings"])
    assert any("P(covered) over the scenario's own distributions is 0%" in w
               for w in data["warnings"])


def test_a_large_model_leaves_its_uncertainty_to_simulate(tmp_path, monkeypatch, catalog):
    from estimator.config.loader import load
    from estimator.engine import estimate, uncertainty
    p = tmp_path / "u.yaml"
    p.write_text(UNCERTAIN)
    monkeypatch.setattr(uncertainty, "REPORT_MODEL_SIZE", 5)      # 12 months x 0 items -> 12
    scenario = load(str(p), catalog=catalog)
    result = estimate(scenario, catalog)
    uncertainty.annotate(result, scenario, catalog)
    assert "uncertainty.p_covered" not in result
    assert any("run 'estimator simulate'" in w for w in result.warnings)
