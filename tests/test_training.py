"""Training runs and plans: calibration against Meta and DeepSeek, scaling laws of the formulas."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import SCENARIOS
from estimator.cli import main
from estimator.engine import training as tr


def scenario(name):
    return (SCENARIOS / name).read_text()


def test_llama_405b_gpu_hours_within_15_percent_of_meta(estimate_text):
    # Meta, Llama 3.1 model card (2024): 30.84M H100 GPU-hours. Inputs: 405B params, 15.6T
    # tokens, BF16 peak 989 TFLOP/s, MFU 40% (reported 38-43%), goodput 90% (>90% reported).
    r = estimate_text(scenario("llama-3.1-405b.yaml"))
    assert r.value("training.llama-3-1-405b.gpu_hours") == pytest.approx(30.84e6, rel=0.15)
    assert r.value("training.llama-3-1-405b.compute_flop") == pytest.approx(3.8e25, rel=0.02)


def test_deepseek_v3_compute_and_rental(estimate_text):
    # DeepSeek-V3 technical report (Dec 2024): 37B active x 14.8T tokens; 2.788M H800
    # GPU-hours at $2 = $5.576M.
    r = estimate_text(scenario("deepseek-v3.yaml"))
    assert r.value("training.deepseek-v3.compute_flop") == pytest.approx(3.3e24, rel=0.05)
    assert tr.rental_usd(2.788e6, 2.0, 0.0) == pytest.approx(5.576e6, rel=1e-9)
    assert r.value("training.deepseek-v3.gpu_hours") == pytest.approx(2.788e6, rel=0.02)
    assert r.value("training.deepseek-v3.cost.rental_usd") == pytest.approx(5.576e6, rel=0.02)


RUN = """\
scenario: run
horizon: {{start: 2025-01, end: 2025-12}}
training:
  - name: r
    compute: 3e25 FLOP
    precision: {precision}
    mfu: {mfu}
    goodput: 0.9
    max_days: 120
    rent: {{accelerator: h100-sxm, price: $2/GPU-hour, accelerators: 10000}}
"""


def gpu_hours(estimate_text, precision="bf16", mfu=0.4):
    return estimate_text(RUN.format(precision=precision, mfu=mfu)).value("training.r.gpu_hours")


def test_halving_mfu_doubles_gpu_hours(estimate_text):
    assert gpu_hours(estimate_text, mfu=0.2) == pytest.approx(2 * gpu_hours(estimate_text, mfu=0.4))


def test_fp8_at_the_same_mfu_halves_h100_gpu_hours(estimate_text):
    bf16, fp8 = gpu_hours(estimate_text, "bf16"), gpu_hours(estimate_text, "fp8")
    assert fp8 == pytest.approx(bf16 / 2, rel=0.001)  # 1,979 vs 989 TFLOP/s


def test_a_run_that_does_not_fit_its_window_warns_with_the_numbers(estimate_text):
    r = estimate_text(RUN.format(precision="bf16", mfu=0.4).replace("accelerators: 10000",
                                                                      "accelerators: 2000"))
    days = r.value("training.r.days")
    assert days > 120 and r.value("training.r.fits") is False
    assert f"run 'r' needs {days:.0f} days; max_days is 120" in r.warnings


def test_rented_run_sized_to_its_window(estimate_text):
    r = estimate_text(RUN.format(precision="bf16", mfu=0.4).replace(", accelerators: 10000", ""))
    n, days = r.value("training.r.accelerators"), r.value("training.r.days")
    assert days <= 120 and n * 989e12 * 0.4 * 0.9 * 120 * 86400 >= 3e25
    assert (n - 1) * 989e12 * 0.4 * 0.9 * 120 * 86400 < 3e25


PLAN = """\
scenario: plan
horizon: {start: 2024-01, end: 2029-12}
training:
  - {name: a, compute: 1e26 FLOP, start: 2026-01, max_days: 100, mfu: 0.4}
  - {name: b, compute: 4e26 FLOP, start: 2027-01, max_days: 100, mfu: 0.4}
  - {name: c, compute: 4e26 FLOP, start: 2032-01, max_days: 100, mfu: 0.4}
"""


REUSE = PLAN + "plan: {reuse: 100%}\n"


def test_plan_reuses_capacity_and_buys_the_next_generation(estimate_text):
    r = estimate_text(REUSE.replace("2032-01", "2028-01"))
    a_new = r.value("training.a.new_accelerators")
    assert r.value("training.b.reused_accelerators") == a_new
    assert r.value("training.b.generation.peak_flop_per_s") > r.value("training.a.generation.peak_flop_per_s")
    # c needs no more than b had: it reuses everything and buys nothing
    assert r.value("training.c.new_accelerators") == 0
    assert r.value("training.c.capex_usd") == 0
    assert r.value("training.c.days") < 100


def test_by_default_a_run_does_not_take_over_earlier_runs_capacity(estimate_text):
    # plan_reuse default 0% (sourced): each run's cluster is its own, as Epoch AI sizes it
    r = estimate_text(PLAN.replace("2032-01", "2028-01"))
    assert r.value("training.b.reused_accelerators") == 0
    assert r.value("training.c.new_accelerators") > 0
    half = estimate_text(PLAN.replace("2032-01", "2028-01") + "plan: {reuse: 50%}\n")
    assert half.value("training.b.reused_accelerators") == pytest.approx(
        0.5 * half.value("training.a.new_accelerators"))


def test_capacity_past_its_life_retires(estimate_text):
    r = estimate_text(REUSE.replace("2029-12", "2032-12"))
    assert r.value("training.c.reused_accelerators") == 0  # a and b bought 2026-27, life 5 years
    assert r.value("training.c.new_accelerators") > 0


def test_plan_capex_by_year_sums_to_plan_capex(estimate_text):
    r = estimate_text(PLAN.replace("2032-01", "2028-01"))
    years = sum(f.value for f in r.under("training.capex."))
    assert years == pytest.approx(r.value("training.capex_usd"), rel=1e-9)
    assert np.sum(r.value("monthly.training.capex_usd")) == pytest.approx(r.value("training.capex_usd"))


def test_three_cost_methods_for_every_run_in_json_and_terminal():
    for name in ("agi-plan-2030.yaml", "llama-3.1-405b.yaml", "deepseek-v3.yaml"):
        path = str(SCENARIOS / name)
        data = json.loads(CliRunner().invoke(main, ["report", path, "--format", "json"]).output)
        for row in data["tables"]["training"]:
            for method in ("amortized", "rental", "build"):
                assert f"training.{row['key']}.cost.{method}_usd" in data["figures"], (name, method)
        out = CliRunner().invoke(main, ["report", path, "--width", "80"]).output
        assert "amortized" in out and "rental" in out and "build" in out


def test_agi_plan_report_shows_runs_and_totals():
    out = CliRunner().invoke(main, ["report", str(SCENARIOS / "agi-plan-2030.yaml"),
                                    "--width", "80"]).output
    for text in ("frontier-2026", "agi-2030", "Plan totals", "Peak facility power", "paid in 2029"):
        assert text in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_agi_2030_run_power_is_in_the_range_epoch_discusses(estimate_text):
    # Epoch AI, "Can AI scaling continue through 2030?" (2024): a ~2e29 FLOP run needs roughly
    # 1-5 GW. This plan adds experiments (x1.3) inside the same 150-day window, so allow up to 3x
    # the upper end; the point is the order of magnitude.
    r = estimate_text(scenario("agi-plan-2030.yaml"))
    assert 1e9 <= r.value("training.agi-2030.facility_power_w") <= 15e9


def test_amortized_formula_follows_epoch():
    # value x 0.14 ln(10) per year / 8766 h: a $40k accelerator for one year loses 27.6%
    cost = tr.amortized_hardware_usd(8766.0, 40e3, 0.14)
    assert cost == pytest.approx(40e3 * 0.14 * np.log(10), rel=1e-12)


def test_sizing_gives_servers_and_buildings(estimate_text, catalog):
    r = estimate_text(scenario("agi-plan-2030.yaml"))
    for key in ("frontier-2026", "agi-2030"):
        p = f"training.{key}"
        assert r.value(f"{p}.servers") * 72 >= r.value(f"{p}.accelerators")       # NVL72 racks
        assert (r.value(f"{p}.servers") - 1) * 72 < r.value(f"{p}.accelerators")
        size = catalog.defaults.building_size
        assert r.value(f"{p}.buildings") * size >= r.value(f"{p}.it_power_w")
        assert (r.value(f"{p}.buildings") - 1) * size < r.value(f"{p}.it_power_w")


def test_planned_capacity_depreciates_and_retires(estimate_text):
    # one run in 2026, a horizon long enough for its hardware's 5-year life to run out
    text = PLAN.replace("2029-12", "2050-12").replace("2032-01", "2044-01")
    r = estimate_text(text)
    hw = r.value("training.a.capex.hardware_usd") + r.value("training.b.capex.hardware_usd")
    hw += r.value("training.c.capex.hardware_usd")
    assert np.sum(r.value("monthly.training.depreciation.accelerators_usd")) == pytest.approx(hw)
    assert r.value("training.c.reused_accelerators") == 0   # a and b have retired by 2044


def test_run_names_that_would_share_figures_are_refused(write):
    from estimator.config.loader import load
    from estimator.errors import ConfigError
    text = ("scenario: t\nhorizon: {start: 2025-01, end: 2025-12}\ntraining:\n"
            "  - {name: a.b, compute: 1e24 FLOP, max_days: 30, accelerator: h100-sxm}\n"
            "  - {name: a-b, compute: 1e24 FLOP, max_days: 30, accelerator: h100-sxm}\n")
    with pytest.raises(ConfigError, match="would share the figure names training.a-b"):
        load(write(text))
