"""Pure functions: value at a run's start, implied MFU, power definitions, owners' unit
economics, constant dollars. Scalars and arrays alike."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from estimator.engine import money, power, training as tr, unit_economics as ue


def test_value_decays_a_third_of_new_over_three_years():
    # Epoch AI (Cottier et al. 2024): 0.14 orders of magnitude a year; three years -> 10^-0.42.
    assert tr.value_at_start(30_000.0, 3.0, 0.14) == pytest.approx(30_000 * 10 ** -0.42)
    assert 0.36 < tr.value_at_start(1.0, 3.0, 0.14) < 0.40


def test_value_before_acquisition_is_not_appreciated_and_arrays_broadcast():
    out = tr.value_at_start(np.array([100.0, 100.0]), np.array([-1.0, 1.0]), 0.14)
    assert_allclose(out, [100.0, 100 * 10 ** -0.14])


def test_years_between_months():
    assert tr.years_between(2020 * 12, 2023 * 12 + 6) == pytest.approx(3.5)


def test_implied_mfu_inverts_gpu_hours():
    # C / (peak x MFU x 3600) / goodput gives hours; the implied MFU of those hours is MFU x goodput
    c, peak = 3.8e25, 989e12
    hours = tr.gpu_hours(c, peak, 0.40, 0.90)
    assert tr.implied_mfu(c, hours, peak) == pytest.approx(0.36)


def test_committed_price():
    assert tr.committed_price(4.10, 0.64) == pytest.approx(1.476)


def test_power_definitions_nest_inside_out():
    chip = power.chip_w(8, 700.0)
    server = power.server_w(8, power.server_w_per_accelerator(700.0, 10.2e3 / 8 / 700.0))
    it = power.it_w(server, 0.15)
    fac = power.facility_w(it, 1.25)
    assert chip == 5600.0 and server == pytest.approx(10.2e3)
    assert chip < server < it < fac
    assert fac == pytest.approx(10.2e3 * 1.15 * 1.25)
    assert power.energy_wh(fac, 0.75, 24.0) == pytest.approx(fac * 0.75 * 24)
    assert set(power.DEFINITIONS) == {"chip", "server", "it", "facility"}


def test_capital_recovery_factor_matches_the_annuity_formula_and_zero_rate():
    r, n = 0.10, 5.0
    assert ue.capital_recovery_factor(r, n) == pytest.approx(r / (1 - (1 + r) ** -n))
    assert ue.capital_recovery_factor(0.0, 4.0) == pytest.approx(0.25)
    assert_allclose(ue.capital_recovery_factor(np.array([0.0, 0.1]), 5.0),
                    [0.2, 0.1 / (1 - 1.1 ** -5)])


def test_cost_per_accelerator_hour_adds_capital_and_opex_over_sold_hours():
    # $50k per accelerator all-in, 5 years, 10%, $2k/year of opex, 80% of hours sold
    cost = ue.cost_usd_per_hour(50_000.0, 5.0, 0.10, 2_000.0, 0.80)
    capital = 50_000 * 0.1 / (1 - 1.1 ** -5) / (8766 * 0.8)
    assert cost == pytest.approx(capital + 2_000 / (8766 * 0.8))
    # selling fewer hours raises the cost of each one
    assert ue.cost_usd_per_hour(50_000.0, 5.0, 0.10, 2_000.0, 0.5) > cost


INDEX = {"2022": 292.655, "2023": 304.702, "2024": 313.689}


def test_deflating_to_a_base_year():
    assert money.deflator(INDEX, 0.02, 2024, 2023) == pytest.approx(304.702 / 313.689)
    assert money.deflator(INDEX, 0.02, 2023, 2023) == 1.0
    # past the series: the projection rate
    assert money.index_for(INDEX, 0.02, 2026) == pytest.approx(313.689 * 1.02 ** 2)
    total = money.to_base_year(np.array([100.0, 100.0]), [2022, 2024], INDEX, 0.02, 2023)
    assert total == pytest.approx(100 * 304.702 / 292.655 + 100 * 304.702 / 313.689)


def test_a_year_before_the_index_is_refused():
    with pytest.raises(ValueError, match="starts in 2022"):
        money.index_for(INDEX, 0.02, 2019)
