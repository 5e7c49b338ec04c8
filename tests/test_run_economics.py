"""Runs by size and length, goodput-included MFU, power terms of rented and planned runs,
rental tiers, hardware value at a run's start, experiments, constant dollars and owners'
cost per accelerator-hour, through the engine."""
import math

import pytest

HEAD = """\
scenario: t
horizon: {start: 2024-01, end: 2025-12}
"""


def run(estimate_text, keys, extra=""):
    return estimate_text(HEAD + extra + "training:\n  - {name: r, params: 70B, tokens: 2T, "
                         "start: 2024-06, " + keys + "}\n")


RENT = "rent: {accelerator: h100-sxm, accelerators: 1000, price: $2/GPU-hour}"


def test_a_run_given_by_length_reports_the_mfu_it_implies(estimate_text):
    r = run(estimate_text, RENT + ", length: 10 days")
    assert r.value("training.r.final_gpu_hours") == pytest.approx(1000 * 240)
    expected = 6 * 70e9 * 2e12 / (1000 * 240 * 3600 * 989e12)
    assert r.value("training.r.implied_mfu") == pytest.approx(expected)
    assert r.value("inputs.training.r.goodput") == 1.0
    assert r.value("training.r.days") == pytest.approx(10)


def test_a_run_given_by_gpu_hours_matches_the_same_length(estimate_text):
    a = run(estimate_text, RENT + ", gpu_hours: 240k GPU-hours")
    b = run(estimate_text, RENT + ", length: 240 hours")
    assert a.value("training.r.implied_mfu") == pytest.approx(b.value("training.r.implied_mfu"))
    assert a.value("training.r.cost.rental_usd") == pytest.approx(2 * 240e3)


def test_an_mfu_that_includes_goodput_is_not_divided_by_it_again(estimate_text):
    plain = run(estimate_text, RENT + ", mfu: 36%")                   # default goodput 90%
    incl = run(estimate_text, RENT + ", mfu: 36%, mfu_includes_goodput: true")
    assert incl.value("training.r.gpu_hours") == pytest.approx(
        plain.value("training.r.gpu_hours") * 0.9)
    assert incl.value("training.r.implied_mfu") == pytest.approx(0.36)


def test_a_site_profile_or_own_pue_sets_the_facility_power(estimate_text):
    default = run(estimate_text, RENT + ", mfu: 40%")
    hyper = run(estimate_text, RENT + ", mfu: 40%, site: hyperscaler")
    own = run(estimate_text, RENT + ", mfu: 40%, site: hyperscaler, pue: 1.4")
    it = default.value("training.r.it_power_w")
    assert default.value("training.r.facility_power_w") == pytest.approx(it * 1.25)
    assert hyper.value("training.r.facility_power_w") == pytest.approx(it * 1.1)
    assert own.value("training.r.facility_power_w") == pytest.approx(it * 1.4)
    assert hyper.value("training.r.energy_wh") == pytest.approx(
        default.value("training.r.energy_wh") * 1.1 / 1.25)


def test_power_definitions_nest_for_a_run(estimate_text):
    r = run(estimate_text, RENT + ", mfu: 40%")
    chip, server = r.value("training.r.chip_power_w"), r.value("training.r.server_power_w")
    it, fac = r.value("training.r.it_power_w"), r.value("training.r.facility_power_w")
    assert chip == pytest.approx(1000 * 700)
    assert server == pytest.approx(1000 * 10.2e3 / 8)   # DGX H100 datasheet power
    assert chip < server < it < fac


def test_rental_tiers_from_the_catalog(estimate_text, catalog):
    base = "rent: {accelerator: %s, accelerators: 1000, tier: %s}, mfu: 40%%"
    r = run(estimate_text, base % ("a100-sxm-80gb", "3y"))
    assert r.value("inputs.training.r.rent_price_usd_per_hour") == catalog.accelerators[
        "a100-sxm-80gb"].rent_3y
    # no published 1-year price for the H200: on-demand less the sourced default discount
    r = run(estimate_text, base % ("h200-sxm", "1y"))
    assert r.value("inputs.training.r.rent_price_usd_per_hour") == pytest.approx(
        catalog.accelerators["h200-sxm"].rent * (1 - catalog.defaults.commit_discount_1y))


def test_rented_hardware_is_valued_at_the_runs_start(estimate_text):
    new = run(estimate_text, RENT + ", mfu: 40%, acquired: 2024-06")
    old = run(estimate_text, RENT + ", mfu: 40%, acquired: 2021-06")
    assert old.value("training.r.years_since_acquisition") == pytest.approx(3.0)
    assert old.value("training.r.value_at_start_usd") == pytest.approx(
        new.value("training.r.value_at_start_usd") * 10 ** -0.42)
    hw_new = new.value("training.r.cost.amortized_usd") - new.value("training.r.energy_usd")
    hw_old = old.value("training.r.cost.amortized_usd") - old.value("training.r.energy_usd")
    assert hw_old == pytest.approx(hw_new * 10 ** -0.42)
    # left out: the accelerator's release (2022-09) + 3 months
    dflt = run(estimate_text, RENT + ", mfu: 40%")
    assert dflt.value("training.r.years_since_acquisition") == pytest.approx(1.5)


FLEET = """\
datacenters:
  dc: {it_capacity: 20 MW}
fleets:
  f: {server: dgx-h100, accelerators: 8000, site: dc, delivery: {start: 2021-06}}
"""


def test_a_fleet_run_values_the_fleet_from_its_delivery(estimate_text):
    r = estimate_text(HEAD.replace("2024-01", "2021-01") + FLEET + "training:\n  - {name: r, "
                      "params: 70B, tokens: 2T, start: 2024-06, on: f, mfu: 40%}\n")
    assert r.value("training.r.years_since_acquisition") == pytest.approx(3.0)
    assert r.value("training.r.value_at_start_usd") == pytest.approx(
        r.value("training.r.value_per_accelerator_usd") * 10 ** -0.42)
    assert r.value("fleets.f.cost_per_accelerator_hour_usd") == pytest.approx(
        r.value("fleets.f.unit.capital_usd_per_hour") + r.value("fleets.f.unit.opex_usd_per_hour"))


def test_owner_cost_per_hour_falls_with_more_hours_sold_and_rises_with_cost_of_capital(estimate_text):
    text = HEAD + FLEET.replace("delivery: {start: 2021-06}", "%s")
    base = estimate_text(text % "delivery: {start: 2024-01}")
    busy = estimate_text(text % "delivery: {start: 2024-01}, sold_utilisation: 100%")
    dear = estimate_text(text % "delivery: {start: 2024-01}, cost_of_capital: 20%")
    c = base.value("fleets.f.cost_per_accelerator_hour_usd")
    assert busy.value("fleets.f.cost_per_accelerator_hour_usd") == pytest.approx(c * 0.8)
    assert dear.value("fleets.f.unit.capital_usd_per_hour") > base.value(
        "fleets.f.unit.capital_usd_per_hour")
    # straight-line check at zero cost of capital: capex / life / sold hours
    free = estimate_text(text % "delivery: {start: 2024-01}, cost_of_capital: 0%")
    fleet_capex = free.value("capex.fleets.f.total_usd") / 8000
    site_share = free.value("fleets.f.unit.site_share")
    site = sum(free.value(f"capex.datacenters.dc.{k}_usd") for k in ("construction", "power"))
    expected = (fleet_capex / 5 + site * site_share / 8000 * (
        free.value("capex.datacenters.dc.construction_usd") / site / 20
        + free.value("capex.datacenters.dc.power_usd") / site / 25)) / (8766 * 0.8)
    assert free.value("fleets.f.unit.capital_usd_per_hour") == pytest.approx(expected, rel=1e-6)


PLAN = """\
trends: {reference: gb200}
training:
  - {name: p, compute: 1e27 FLOP, start: 2025-06, precision: fp8, mfu: 40%%, experiments: 1.5%s}
"""


def test_planned_experiments_are_gpu_hours_not_a_bigger_cluster(estimate_text):
    hours = estimate_text(HEAD + PLAN % ", max_days: 100")
    cluster = estimate_text(HEAD + PLAN % ", max_days: 100" + "plan: {experiments: cluster}\n")
    assert cluster.value("training.p.accelerators") == pytest.approx(
        1.5 * hours.value("training.p.accelerators"), rel=1e-3)
    assert hours.value("training.p.days") == pytest.approx(100, rel=1e-3)
    assert hours.value("training.p.experiments_gpu_hours") == pytest.approx(
        0.5 * hours.value("training.p.final_gpu_hours"))
    # the same accelerator-hours, so about the same energy; less power at any moment
    assert hours.value("training.p.gpu_hours") == pytest.approx(
        cluster.value("training.p.gpu_hours"), rel=1e-3)
    assert hours.value("training.p.facility_power_w") < cluster.value("training.p.facility_power_w")


def test_planned_runs_take_the_sourced_run_length_unless_told(estimate_text, catalog):
    r = estimate_text(HEAD + PLAN % "")
    assert r.value("inputs.training.p.max_days") == catalog.defaults.plan_max_days
    assert r.value("training.p.days") == pytest.approx(catalog.defaults.plan_max_days, rel=1e-3)
    r = estimate_text(HEAD + PLAN % "" + "plan: {max_days: 200}\n")
    assert r.value("training.p.days") == pytest.approx(200, rel=1e-3)


def test_costs_in_a_base_years_dollars(estimate_text):
    r = run(estimate_text, RENT + ", mfu: 40%", extra="money: {base_year: 2023}\n")
    f = 304.702 / 313.689   # CPI-U 2023 / 2024 (BLS annual averages)
    assert r.value("training.r.cost.rental_usd_2023") == pytest.approx(
        r.value("training.r.cost.rental_usd") * f)
    assert r.value("training.cost.amortized_usd_2023") == pytest.approx(
        r.value("training.cost.amortized_usd") * f)


def test_an_inline_accelerator_runs_through_the_engine(estimate_text):
    text = HEAD + """\
accelerators:
  my-chip:
    {name: In-house, vendor: Example, year: 2024, released: 2024-01, peak: {bf16: 500 TFLOP/s},
     memory: 64 GB, bandwidth: 2 TB/s, tdp: 600 W, price: $12k, rent: $1.50/GPU-hour,
     chip_to_server: {value: 2.0, source: "vendor", as_of: 2024}, source: vendor, as_of: 2024}
training:
  - {name: r, params: 7B, tokens: 2T, start: 2024-06, rent: {accelerator: my-chip, accelerators: 100}, mfu: 50%}
"""
    r = estimate_text(text)
    assert r.value("inputs.training.r.rent_price_usd_per_hour") == 1.5
    assert r.value("training.r.server_power_w") == pytest.approx(100 * 600 * 2.0)
    assert r.value("training.r.gpu_hours") == pytest.approx(
        6 * 7e9 * 2e12 / (500e12 * 0.5 * 3600) / 0.9)
