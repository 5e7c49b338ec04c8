"""Distributions, Monte Carlo on the same engine, and sensitivity."""
import json

import numpy as np
import pytest
from click.testing import CliRunner
from numpy.testing import assert_allclose

from conftest import SCENARIOS, engine_at
from estimator.cli import main
from estimator.distributions import Dist, collect, draw
from estimator.errors import ConfigError

SCN = """\
scenario: u
horizon: {{start: 2025-01, end: 2026-12}}
datacenters: {{dc: {{it_capacity: 50 MW, pue: {pue}, build: {{start: 2025-01, months: 6}}}}}}
fleets: {{pod: {{server: hgx-h100, accelerators: 8000, site: dc}}}}
training:
  - {{name: a, compute: 1e25 FLOP, mfu: {mfu}, max_days: 60, rent: {{accelerator: h100-sxm, price: $3/GPU-hour}}}}
  - {{name: b, compute: 2e25 FLOP, mfu: 0.4, max_days: 90, start: 2025-06}}
funding:
  cash: $2B
  revenue: {{2025: $100M, 2026: {rev}}}
  debt: [{{name: loan, principal: $500M, rate: 8%, term: 1 year, date: 2025-03}}]
  operations:
    payroll: {{2025: $200M}}
    inference: {{users: {{2025: 1M}}, tokens_per_user_per_day: 10000, active_params: 70B, accelerator: h100-sxm}}
uncertainty:
  "training[*].goodput": {{low: 80%, high: 95%}}
  fleets.pod.server_price: {{p10: $250k, p90: $350k}}
"""


def scenario(write, pue="{low: 1.1, high: 1.4}", mfu="{low: 30%, mode: 40%, high: 50%}",
             rev="{mean: $300M, sd: $50M}"):
    from estimator.config.loader import load
    return load(write(SCN.format(pue=pue, mfu=mfu, rev=rev)))


def test_distribution_forms_parse(write):
    s = scenario(write)
    found = dict(collect(s))
    assert found["datacenters.dc.pue"].kind == "uniform"
    assert found["datacenters.dc.pue"].base == pytest.approx(1.25)
    assert found["training[0].mfu"].kind == "triangular"
    assert found["training[0].mfu"].base == 0.4
    assert found["funding.revenue.2026"].kind == "normal"
    assert found["fleets.pod.server_price"].kind == "lognormal"
    # not written in the file: the catalog's price stays the base (the distribution says how
    # uncertain that price is, not what it is)
    from estimator.catalog import load_catalog
    assert found["fleets.pod.server_price"].base == load_catalog().servers["hgx-h100"].price
    assert found["training[0].goodput"].key == found["training[1].goodput"].key == "training[*].goodput"
    assert s.uncertain is True


def test_uncertainty_block_keeps_the_base_value(write):
    s = scenario(write)
    found = dict(collect(s))
    # goodput had no value in the file: the default goodput is the base, not the block's centre
    from estimator.catalog import load_catalog
    assert found["training[0].goodput"].base == load_catalog().default("goodput")[0]
    from estimator.engine import estimate
    r = estimate(s)
    assert r.value("inputs.datacenters.dc.pue") == pytest.approx(1.25)


def test_choices_and_explicit_base(write):
    s = scenario(write, pue="{choices: [1.2, 1.3, 1.5]}", mfu="{low: 30%, high: 50%, base: 45%}")
    found = dict(collect(s))
    assert found["datacenters.dc.pue"].base == 1.2
    assert found["training[0].mfu"].base == 0.45


@pytest.mark.parametrize("pue,message", [
    ("{low: 1.4, high: 1.1}", "low must not exceed high"),
    ("{low: 1.1}", "not a distribution: low"),
    ("{lo: 1.1, high: 1.4}", "unknown key 'lo' in a distribution"),
    ("{p10: 1.5, p90: 1.2}", "0 < p10 < p90"),
    ("{mean: 1.3, sd: -1}", "sd must not be negative"),
    ("{low: 1.1, mode: 2, high: 1.4}", "mode must lie between low and high"),
    ("{mean: 0.5, sd: 0.1}", "out of range"),
    ("{low: 1 W, high: 2 W}", "'W' is a unit of power"),
])
def test_bad_distributions_are_located_errors(write, pue, message):
    with pytest.raises(ConfigError) as e:
        scenario(write, pue=pue)
    assert message in str(e.value) and "datacenters.dc.pue" in str(e.value)


def test_schedule_fields_draw_whole_units(write):
    from estimator.config.loader import load
    path = write(SCN.format(pue=1.2, mfu=0.4, rev="$300M").replace(
        "max_days: 60", "max_days: {low: 50, high: 70}"))
    d = dict(collect(load(path)))["training[0].max_days"]
    assert d.discrete and d.base == 60
    x = d.sample(np.random.default_rng(0), 1000)
    assert np.all(x == np.round(x)) and 50 <= x.min() and x.max() <= 70


KINDS = [
    (Dist("uniform", {"low": 2.0, "high": 6.0}, None), 4.0, {0.1: 2.4, 0.5: 4.0, 0.9: 5.6}),
    (Dist("triangular", {"low": 0.0, "mode": 1.0, "high": 4.0}, None), 5 / 3, None),
    (Dist("lognormal", {"p10": 10.0, "p90": 40.0}, None), None, {0.1: 10.0, 0.5: 20.0, 0.9: 40.0}),
    (Dist("normal", {"mean": 5.0, "sd": 2.0}, None), 5.0, {0.5: 5.0, 0.9: 5 + 2 * 1.2815515655}),
    (Dist("choice", {"choices": (1.0, 2.0, 6.0)}, None), 3.0, None),
]


@pytest.mark.parametrize("dist,mean,quantiles", KINDS, ids=[k[0].kind for k in KINDS])
def test_sample_statistics_within_sampling_tolerance(dist, mean, quantiles):
    n = 200_000
    x = dist.sample(np.random.default_rng(7), n)
    if mean is not None:   # standard error of the mean is sd/sqrt(n): allow 5 of them
        assert abs(x.mean() - mean) < 5 * x.std() / np.sqrt(n)
    for q, want in (quantiles or {}).items():
        assert np.quantile(x, q) == pytest.approx(want, rel=0.02)
        assert dist.quantile(q) == pytest.approx(want, rel=1e-6)


def test_samples_are_clipped_to_the_valid_range():
    d = Dist("normal", {"mean": 0.9, "sd": 0.5}, None, lo=1e-9, hi=1.0)
    x = d.sample(np.random.default_rng(1), 10_000)
    assert x.min() >= 1e-9 and x.max() <= 1.0


def test_draws_do_not_depend_on_the_chunk_size():
    ds = [d for d, *_ in KINDS]
    one = {i: [] for i in range(len(ds))}
    for _, drawn in draw(ds, 3, 1000, 1000):
        for i, d in enumerate(ds):
            one[i].append(drawn[id(d)])
    many = {i: [] for i in range(len(ds))}
    for _, drawn in draw(ds, 3, 1000, 97):
        for i, d in enumerate(ds):
            many[i].append(drawn[id(d)])
    for i in range(len(ds)):
        assert_allclose(np.concatenate(one[i]), np.concatenate(many[i]), rtol=0, atol=0)


def test_vectorized_run_equals_the_scalar_engine_sample_by_sample(write, catalog):
    from estimator.engine.uncertainty import simulate
    s = scenario(write)
    sim = simulate(s, catalog, 40, seed=11, chunk=16, keep_draws=True)
    found = collect(s)
    for i in range(40):
        scalar = engine_at(s, sim, i, catalog)
        for name, values in sim.values.items():
            assert values[i] == pytest.approx(float(scalar.value(name)), rel=1e-9, abs=1e-6), name


def test_reused_memory_changes_no_number(catalog, monkeypatch):
    """The allocator setting for large chunks (engine/memory.py) moves time, not results."""
    from estimator.config.loader import load
    from estimator.engine import memory
    from estimator.engine.uncertainty import simulate
    scn = load(str(SCENARIOS / "openai-40b.yaml"))
    calls = []
    real = memory._libc
    monkeypatch.setattr(memory, "_libc", lambda: calls.append(1) or real())
    monkeypatch.setattr(memory, "MIN_ELEMENTS", 0)
    used = simulate(scn, catalog, 3000, seed=4, chunk=1000)
    monkeypatch.setattr(memory, "MIN_ELEMENTS", 10 ** 12)
    plain = simulate(scn, catalog, 3000, seed=4, chunk=1000)
    assert calls == [1]
    assert used.values.keys() == plain.values.keys()
    for name, arr in used.values.items():
        assert np.array_equal(arr, plain.values[name]), name


def test_same_seed_same_bytes_other_seed_other_bytes():
    args = ["simulate", str(SCENARIOS / "openai-40b.yaml"), "--samples", "3000", "--format", "json"]
    a = CliRunner().invoke(main, args + ["--seed", "5"]).output
    b = CliRunner().invoke(main, args + ["--seed", "5"]).output
    c = CliRunner().invoke(main, args + ["--seed", "6"]).output
    assert a == b and a != c
    data = json.loads(a)
    assert 0 <= data["probability_covered"] <= 1
    shortfall = data["figures"]["funding.shortfall_usd"]
    assert shortfall["p10"] <= shortfall["p50"] <= shortfall["p90"]


def test_simulate_without_distributions_is_an_input_error():
    res = CliRunner().invoke(main, ["simulate", str(SCENARIOS / "h100-server.yaml")])
    assert res.exit_code == 2 and "no uncertain inputs" in res.output


def test_sensitivity_sorted_by_swing_and_json():
    res = CliRunner().invoke(main, ["sensitivity", str(SCENARIOS / "openai-40b.yaml"), "--format",
                                    "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    swings = [s["swing"] for s in data["swings"]]
    assert swings == sorted(swings, reverse=True) and swings[0] > 0
    assert data["figure"] == "funding.shortfall_usd"
    mfu = [s for s in data["swings"] if s["input"] == "training[*].mfu"][0]
    assert mfu["at_p90"] <= mfu["at_p10"]          # better MFU, smaller shortfall
    out = CliRunner().invoke(main, ["sensitivity", str(SCENARIOS / "openai-40b.yaml")]).output
    assert "Sensitivity of funding.shortfall_usd" in out
    res = CliRunner().invoke(main, ["sensitivity", str(SCENARIOS / "openai-40b.yaml"), "--figure",
                                    "capex.totl_usd"])
    assert res.exit_code == 2 and "did you mean" in res.output


def test_the_deterministic_report_is_unchanged_by_the_uncertainty_block(catalog):
    from estimator.config.loader import load
    from estimator.engine import estimate
    path = str(SCENARIOS / "openai-40b.yaml")
    with_block = estimate(load(path, catalog=catalog), catalog)
    without = estimate(load(path, ["uncertainty={}"], catalog=catalog), catalog)
    assert with_block.value("funding.shortfall_usd") == without.value("funding.shortfall_usd")


def test_quick_quantiles_match_the_library_ones():
    """The report's shortcuts (no numpy.ma, no statistics import) give the same numbers."""
    from statistics import NormalDist
    from estimator.distributions import _KNOWN_Z
    from estimator.engine.uncertainty import percentiles
    for q, z in _KNOWN_Z.items():
        assert NormalDist().inv_cdf(q) == z
    rng = np.random.default_rng(7)
    for n in (1, 2, 5, 999, 2000):
        a = rng.lognormal(size=n)
        assert percentiles(a, [10, 50, 90]) == [float(x) for x in np.percentile(a, [10, 50, 90])]


def test_only_the_cash_uncertain_simulates(write):
    """A distribution on the starting cash alone: the balance grows a sample axis."""
    path = write("scenario: c\nhorizon: {start: 2025-01, end: 2025-12}\n"
                 "funding: {cash: {p10: $1B, p90: $2B}, operations: {payroll: {2025: $1.2B}}}\n")
    res = CliRunner().invoke(main, ["simulate", path, "-n", "200", "--format", "json"])
    assert res.exit_code == 0, res.output
    p = json.loads(res.output)["probability_covered"]
    assert 0.0 < p < 1.0        # $1.2B of payroll against $1B-$2B of cash: some samples fall short
