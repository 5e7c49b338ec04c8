"""One rule for keys that depend on a mode: written where they do nothing, they are an error.

And the two engine rules that made such keys silently wrong before: an accelerator price moves
the fleet's capex, and a leased site without a capacity is sized to its fleets.
"""
import pytest
from click.testing import CliRunner

from conftest import BASE
from estimator.cli import main
from estimator.errors import ConfigError

LEASE = BASE + """\
datacenters:
  colo: {mode: lease, pue: 1.3, colocation: $180/kW-month, build: {start: 2025-01}}
fleets:
  h100: {server: dgx-h100, accelerators: 1000, site: colo}
"""


@pytest.mark.parametrize("where,text,key,hint", [
    ("site", "datacenters:\n  dc:\n    it_capacity: 10 MW\n    colocation: $180/kW-month\n",
     "colocation", "set 'mode: lease'"),
    ("site", "datacenters:\n  dc:\n    it_capacity: 10 MW\n    mode: lease\n"
             "    construction: $10/W\n",
     "construction", "remove 'mode: lease'"),
    ("fleet", "fleets:\n  r:\n    accelerator: h100-sxm\n    accelerators: 8\n"
              "    rent: {price: $2/GPU-hour}\n    network_share: 10%\n",
     "network_share", "remove 'rent:'"),
    ("depreciation", "depreciation:\n  decay: 0.2\n", "decay", "set 'method: exponential'"),
    ("depreciation", "depreciation:\n  method: exponential\n  accelerators: 4 years\n",
     "accelerators", "remove 'method: exponential'"),
])
def test_a_key_with_no_effect_in_its_mode_is_an_error_at_its_line(write, catalog, where, text, key,
                                                                   hint):
    from estimator.config.loader import load
    path = write(BASE + text)
    with pytest.raises(ConfigError) as e:
        load(path, catalog=catalog)
    msg = str(e.value)
    assert f"'{key}' has no effect" in msg and hint in msg
    line = 3 + text.splitlines().index(next(ln for ln in text.splitlines()
                                            if ln.strip().startswith(key + ":")))
    assert f"s.yaml:{line}:" in msg


def test_the_colocation_example_from_the_issue_exits_2(write):
    path = write(BASE + "datacenters:\n  dc: {it_capacity: 1 MW, colocation: $180/kW-month}\n")
    res = CliRunner().invoke(main, ["report", path])
    assert res.exit_code == 2
    assert "'colocation' has no effect on a site with mode 'build'" in res.output


def test_set_is_held_to_the_same_rule(write):
    res = CliRunner().invoke(main, ["report", write(LEASE), "--set",
                                    "datacenters.colo.land=$1M"])
    assert res.exit_code == 2 and "'land' has no effect on a site with mode 'lease'" in res.output
    assert "--set datacenters.colo.land" in res.output


def test_a_build_site_still_needs_its_capacity(write, catalog):
    from estimator.config.loader import load
    with pytest.raises(ConfigError, match="missing required key 'it_capacity' on a site with mode "
                                          "'build'"):
        load(write(BASE + "datacenters:\n  dc: {pue: 1.2}\n"), catalog=catalog)


def test_a_leased_site_is_sized_to_its_fleets(estimate_text):
    r = estimate_text(LEASE)
    need = r.value("power.fleets.h100.it_w")
    assert r.value("inputs.datacenters.colo.it_capacity_w") == pytest.approx(need, rel=1e-12)
    # 1000 H100 in 125 DGX servers of 10.2 kW, plus network: the lease charges for that
    assert need > 125 * 10_200
    monthly = r.value("monthly.opex.colocation_usd")
    assert monthly[0] == pytest.approx(need * 180e-3, rel=1e-9)
    assert "power.fleets.h100.it_w" in r["inputs.datacenters.colo.it_capacity_w"].inputs


def test_a_leased_site_without_fleets_needs_a_capacity(write, catalog):
    from estimator.config.loader import load
    with pytest.raises(ConfigError, match="no 'it_capacity' and no fleets"):
        load(write(BASE + "datacenters:\n  colo: {mode: lease}\n"), catalog=catalog)


def test_an_accelerator_price_moves_capex(estimate_text):
    base = estimate_text(LEASE)
    acc = base.value("inputs.fleets.h100.accelerator_price_usd")
    cheaper = estimate_text(LEASE, [f"fleets.h100.accelerator_price={acc * 0.8}"])
    drop = base.value("capex.total_usd") - cheaper.value("capex.total_usd")
    # 1000 accelerators 20% cheaper, plus the network share that scales with them
    share = base.value("inputs.fleets.h100.network_share")
    assert drop == pytest.approx(1000 * acc * 0.2 / (1 - share), rel=1e-9)
    # the rest of the server keeps its catalog price
    assert cheaper.value("capex.servers_usd") == pytest.approx(base.value("capex.servers_usd"))


def test_both_prices_given_are_both_kept(estimate_text):
    r = estimate_text(LEASE, ["fleets.h100.accelerator_price=$20k",
                              "fleets.h100.server_price=$300k"])
    assert r.value("capex.fleets.h100.accelerators_usd") == 1000 * 20_000
    assert r.value("capex.fleets.h100.servers_usd") == 125 * (300_000 - 8 * 20_000)


@pytest.mark.parametrize("text,factor", [("*0.8", 0.8), ("*80%", 0.8), ("+10%", 1.1),
                                         ("* 1.5", 1.5), ("$1B", None), ("-10%", None),
                                         ("0.8", None)])
def test_relative_override_forms(text, factor):
    from estimator.config.loader import relative_factor
    got = relative_factor(text)
    assert got == (pytest.approx(factor) if factor is not None else None)


def test_relative_override_scales_the_written_value_in_its_unit(estimate_text):
    base = estimate_text(LEASE)
    r = estimate_text(LEASE, ["datacenters.colo.colocation=*0.8", "datacenters.colo.pue=+10%"])
    assert r.value("inputs.datacenters.colo.colocation_usd_per_w_month") == pytest.approx(
        0.8 * base.value("inputs.datacenters.colo.colocation_usd_per_w_month"))
    assert r.value("inputs.datacenters.colo.pue") == pytest.approx(1.43)


def test_relative_override_of_a_value_no_input_figure_holds_is_an_error(write):
    res = CliRunner().invoke(main, ["report", write(LEASE), "--set", "fleets.h100.servers=*2"])
    assert res.exit_code == 2
    assert "a relative value (*2) scales the value written in the scenario" in res.output
    assert "Traceback" not in res.output


def test_relative_override_of_a_catalog_value_scales_what_the_engine_uses(write):
    """'GPUs 20% cheaper' without looking the price up: the catalog-derived price x 0.8."""
    import estimator
    path = write(LEASE)
    base = estimator.estimate(path)
    cheaper = estimator.estimate(path, overrides=["fleets.h100.accelerator_price=*0.8"])
    price = base.value("inputs.fleets.h100.accelerator_price_usd")
    assert cheaper.value("inputs.fleets.h100.accelerator_price_usd") == pytest.approx(0.8 * price)
    share = base.value("inputs.fleets.h100.network_share")
    drop = base.value("capex.total_usd") - cheaper.value("capex.total_usd")
    assert drop == pytest.approx(1000 * price * 0.2 / (1 - share), rel=1e-9)
    src = cheaper["inputs.fleets.h100.accelerator_price_usd"].sources[0]
    assert "*0.8 (of inputs.fleets.h100.accelerator_price_usd = $" in src


def test_relative_override_of_a_default_and_of_a_run_by_index(write):
    import estimator
    path = write(LEASE)
    r = estimator.estimate(path, overrides=["datacenters.colo.utilisation=*0.5"])
    assert r.value("inputs.datacenters.colo.utilisation") == pytest.approx(
        0.5 * estimator.estimate(path).value("inputs.datacenters.colo.utilisation"))

    # a run is addressed by its index; its figures go under its name
    runs = write(BASE + "training:\n  - {name: big run, compute: 1e25 FLOP, accelerator: h100-sxm,"
                 " max_days: 90}\n", "runs.yaml")
    base = estimator.estimate(runs)
    run = estimator.estimate(runs, overrides=["training[0].goodput=*0.5"])
    name = "inputs.training.big-run.goodput"
    assert run.value(name) == pytest.approx(0.5 * base.value(name))
    assert "(of inputs.training.big-run.goodput = " in run[name].sources[0]
    by_name = estimator.estimate(runs, overrides=["training[big run].goodput=*0.5"])
    assert by_name.value(name) == run.value(name)


@pytest.mark.parametrize("text,key", [
    ("funding:\n  cash: $1B\n  revenue_growth: 20%\n", "revenue_growth"),
    ("funding:\n  operations:\n    growth: 10%\n", "growth"),
])
def test_a_growth_with_nothing_to_grow_is_an_error(write, catalog, text, key):
    from estimator.config.loader import load
    with pytest.raises(ConfigError, match=f"'{key}' has no effect without"):
        load(write(BASE + text), catalog=catalog)


def test_a_harmless_key_is_a_warning_in_the_report(write):
    """A lease starts at build.start; build.months does nothing there, and says so."""
    text = LEASE.replace("build: {start: 2025-01}", "build: {start: 2025-01, months: 6}")
    path = write(text)
    res = CliRunner().invoke(main, ["report", path, "--format", "markdown"])
    assert res.exit_code == 0, res.output
    assert "'build.months' has no effect on a site with mode 'lease'; it is ignored" in res.output
    assert "s.yaml:4:" in res.output
    res = CliRunner().invoke(main, ["validate", path])
    assert res.exit_code == 0 and "ok: " in res.output
    assert "warning: " in res.output and "'build.months' has no effect" in res.output
    import estimator
    r = estimator.estimate(path)
    assert any("build.months" in w for w in r.warnings)
    # the same key on a built site is used, and no warning
    built = estimator.estimate(write(BASE + "datacenters:\n  dc: {it_capacity: 1 MW, build: "
                                     "{start: 2025-01, months: 6}}\n", "b.yaml"))
    assert not any("build.months" in w for w in built.warnings)


def test_an_uncertainty_wildcard_skips_items_where_the_field_does_nothing(write, catalog):
    """datacenters.*.construction reaches a leased site too; there it simply does not apply.
    Written on that site by name, it is the same mistake as writing the key there."""
    from estimator.config.loader import load
    text = BASE + """\
datacenters:
  colo: {mode: lease, pue: 1.3, colocation: $180/kW-month, build: {start: 2025-01}}
  built: {it_capacity: 10 MW, build: {start: 2025-01}}
fleets:
  h100: {server: dgx-h100, accelerators: 1000, site: colo}
"""
    ok = load(write(text + 'uncertainty:\n  "datacenters.*.construction": {low: $9/W, '
                    'high: $14/W}\n'), catalog=catalog)
    assert ok.uncertain
    with pytest.raises(ConfigError, match="'construction' has no effect on a site with mode "
                                          "'lease'"):
        load(write(text + 'uncertainty:\n  "datacenters.colo.construction": {low: $9/W, '
                   'high: $14/W}\n', "named.yaml"), catalog=catalog)
