"""The costing engine: sums, monotonicity, scaling, depreciation, scalars vs arrays."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from estimator.engine import cashflow, datacenter as dc, fleet as fl
from estimator.engine.lines import ASSET_CLASSES, CAPEX, OPEX
from estimator.units import HOURS_PER_MONTH

SCENARIO = """\
scenario: engine test
horizon: {{start: 2025-01, end: 2029-12}}
datacenters:
  dc:
    it_capacity: 100 MW
    pue: 1.3
    utilisation: {util}
    build: {{start: 2025-01, months: 6}}
  colo: {{mode: lease, it_capacity: 5 MW, build: {{start: 2025-03}}}}
fleets:
  pod:
    server: hgx-h100
    accelerators: {n}
    site: dc
    delivery: {{start: 2025-07, months: 3}}
  small: {{server: dgx-h100, servers: 100, site: colo}}
  cloud: {{accelerator: h200-sxm, accelerators: 256, rent: {{price: $3/GPU-hour, discount: 30%}}}}
"""


def run(estimate_text, n=8000, util=0.75, extra=""):
    return estimate_text(SCENARIO.format(n=n, util=util) + extra)


def test_line_items_sum_exactly_to_totals(estimate_text):
    r = run(estimate_text)
    for total, prefix, lines in [
        ("capex.total_usd", "capex", [line.key for line in CAPEX]),
        ("opex.total_usd", "opex", [line.key for line in OPEX]),
        ("depreciation.total_usd", "depreciation", list(ASSET_CLASSES)),
    ]:
        acc = 0.0
        for line in lines:
            acc += r.value(f"{prefix}.{line}_usd")
        assert acc == r.value(total), total
    fleet = sum(r.value(f"capex.fleets.pod.{k}_usd") for k in ("accelerators", "servers",
                                                                "network", "storage"))
    assert fleet == r.value("capex.fleets.pod.total_usd")
    assert_allclose(np.sum(r.value("monthly.opex_usd")), r.value("opex.total_usd"), rtol=1e-12)
    assert_allclose(r.value("monthly.cash_out_usd"),
                    r.value("monthly.capex_usd") + r.value("monthly.opex_usd"))


def test_capex_inside_the_horizon_is_all_of_it(estimate_text):
    r = run(estimate_text)
    assert_allclose(np.sum(r.value("monthly.capex_usd")), r.value("capex.total_usd"), rtol=1e-12)


@pytest.mark.parametrize("name", ["capex.total_usd", "opex.total_usd", "power.facility_w",
                                  "energy.total_wh", "opex.electricity_usd"])
def test_more_accelerators_never_lower_capex_power_or_opex(estimate_text, name):
    values = [run(estimate_text, n=n).value(name) for n in (0, 8, 800, 8000, 40000)]
    assert all(b >= a for a, b in zip(values, values[1:])), values


def test_doubling_a_fleet_doubles_its_variable_costs(estimate_text):
    one, two = run(estimate_text, n=8000), run(estimate_text, n=16000)
    for name in ("capex.fleets.pod.total_usd", "power.fleets.pod.it_w", "energy.total_wh"):
        a, b = one.value(name), two.value(name)
        if name == "energy.total_wh":  # the colo fleet's energy is fixed: subtract it
            base = run(estimate_text, n=0).value(name)
            a, b = a - base, b - base
        assert b == pytest.approx(2 * a, rel=1e-12), name
    # fixed costs do not move
    assert one.value("capex.construction_usd") == two.value("capex.construction_usd")


def test_zero_utilisation_uses_no_energy(estimate_text):
    r = estimate_text(SCENARIO.format(n=8000, util=0).replace(
        "colo: {mode: lease, it_capacity: 5 MW, build: {start: 2025-03}}",
        "colo: {mode: lease, it_capacity: 5 MW, utilisation: 0, build: {start: 2025-03}}"))
    assert r.value("energy.total_wh") == 0
    assert r.value("opex.electricity_usd") == 0


def test_rental_is_price_times_hours_less_discount(estimate_text):
    r = run(estimate_text)
    months = 60
    assert r.value("opex.rental_usd") == pytest.approx(256 * 8766 / 12 * months * 3 * 0.7)


def test_colocation_billed_from_the_lease_start(estimate_text):
    r = run(estimate_text)
    assert r.value("opex.colocation_usd") == pytest.approx(5e6 * 0.184 * (60 - 2))


def test_fleet_over_its_site_is_an_error_naming_the_mw_over(estimate_text):
    from estimator.errors import CapacityError
    with pytest.raises(CapacityError) as e:
        run(estimate_text, n=80000)
    assert "MW over" in str(e.value) and "datacenters.dc.it_capacity" in str(e.value)


def test_straight_line_depreciation_sums_to_the_base_over_the_life():
    adds = np.zeros(120)
    adds[[0, 5, 17]] = [100.0, 50.0, 30.0]
    dep = cashflow.straight_line(adds, 48)
    assert_allclose(dep.sum(), 180.0)
    assert_allclose(cashflow.book_value(adds, dep)[-1], 0.0, atol=1e-9)
    assert_allclose(dep[:5], 100.0 / 48)


def test_exponential_decay_matches_epoch_rate():
    adds = np.zeros(13)
    adds[0] = 1000.0
    dep = cashflow.exponential(adds, 0.14)
    book = cashflow.book_value(adds, dep)
    # after 12 months of decay (months 0..11) the value is 10**-0.14 of the original
    assert_allclose(book[11], 1000.0 * 10 ** -0.14, rtol=1e-12)


def test_depreciation_in_a_scenario_reaches_the_base_when_the_horizon_covers_the_life(
        estimate_text):
    r = estimate_text(SCENARIO.format(n=8000, util=0.75).replace("2029-12", "2035-12"))
    base = np.sum(r.value("monthly.in_service.accelerators_usd"))
    assert r.value("depreciation.accelerators_usd") == pytest.approx(base, rel=1e-9)


def test_exponential_method_is_selectable(estimate_text):
    r = run(estimate_text, extra="depreciation: {method: exponential}\n")
    assert "inputs.depreciation.decay" in r
    assert 0 < r.value("depreciation.total_usd") < r.value("capex.total_usd")


def test_scalar_and_array_inputs_give_the_same_figures():
    counts = np.array([0.0, 8.0, 1000.0, 100_000.0])
    prices = np.array([250e3, 300e3, 330e3, 297e3])
    for i in range(4):
        scalar = (fl.servers_needed(counts[i], 8), fl.network_capex_usd(prices[i], 0.19),
                  fl.server_rest_capex_usd(counts[i], prices[i], 8, 22e3),
                  dc.energy_wh(counts[i] * 1e3, 0.75, 1.25), dc.power_capex_usd(counts[i], 1.3, 0.5))
        array = (fl.servers_needed(counts, 8)[i], fl.network_capex_usd(prices, 0.19)[i],
                 fl.server_rest_capex_usd(counts, prices, 8, 22e3)[i],
                 dc.energy_wh(counts * 1e3, 0.75, 1.25)[i], dc.power_capex_usd(counts, 1.3, 0.5)[i])
        assert_allclose(array, scalar, rtol=0, atol=0)
    amounts = np.array([1.0, 2.0, 5.0])
    s2 = cashflow.spread(amounts, 2, 3, 12)
    assert s2.shape == (3, 12)
    for i, a in enumerate(amounts):
        assert_allclose(s2[i], cashflow.spread(a, 2, 3, 12))
    adds = np.vstack([s2, 2 * s2])
    assert_allclose(cashflow.straight_line(adds, 6)[3], cashflow.straight_line(adds[3], 6))
    assert_allclose(cashflow.exponential(adds, np.full(6, 0.14))[4], cashflow.exponential(adds[4], 0.14))


def test_delivery_before_the_site_is_ready_is_a_warning(estimate_text):
    r = run(estimate_text, extra="")
    assert r.warnings == []
    r = estimate_text(SCENARIO.format(n=8000, util=0.75).replace("start: 2025-07, months: 3",
                                                                 "start: 2025-03, months: 3"))
    assert any("before site 'dc' is ready" in w for w in r.warnings)


def test_water_by_hand():
    # 1 MW of IT for a 730.5-hour month = 730,500 kWh; x 1.8 L/kWh = 1,314,900 L;
    # x $0.001/L = $1,314.90
    assert dc.water_usd(1e6 * 730.5, 1.8, 0.001) == pytest.approx(1314.90, abs=0.005)
    # arrays broadcast like every pure function
    assert_allclose(dc.water_usd(np.array([1e6, 2e6]) * 730.5, 1.8, 0.001), [1314.9, 2629.8])


def test_water_is_charged_on_it_energy_of_built_sites_only(estimate_text):
    r = run(estimate_text)
    water = r.value("monthly.opex.water_usd")
    # pod is on the built site 'dc'; 'small' sits in colocation (water in the fee)
    util, it_w = 0.75, r.value("power.fleets.pod.it_w")
    online = cashflow.ramp(6, 3, 60)
    wue, price = r.value("inputs.datacenters.dc.wue"), r.value("inputs.datacenters.dc.water_price")
    expected = it_w * online * util * HOURS_PER_MONTH / 1000 * wue * price
    assert_allclose(water, expected, rtol=1e-12)
    assert r.value("opex.water_usd") > 0
    chain = {n for f in (r["monthly.opex.water_usd"],) for n in f.inputs}
    assert "inputs.datacenters.dc.wue" in chain and "inputs.datacenters.colo.wue" not in chain


def test_water_inputs_from_the_scenario_move_the_line(estimate_text):
    base = run(estimate_text).value("opex.water_usd")
    text = SCENARIO.format(n=8000, util=0.75).replace(
        "    pue: 1.3\n", "    pue: 1.3\n    wue: 0.9 L/kWh\n    water_price: $4/kgal\n", 1)
    halved = estimate_text(text).value("opex.water_usd")
    assert halved == pytest.approx(base / 2, rel=1e-12)     # default is 1.8 L/kWh at $4/kgal
