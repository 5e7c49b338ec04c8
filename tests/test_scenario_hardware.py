"""A scenario's own hardware and the run keys of issue 15, at the config layer: what is
accepted, and what is refused with its location."""
import pytest

from estimator.config.loader import load
from estimator.errors import ConfigError

HEAD = """\
scenario: t
horizon: {start: 2024-01, end: 2024-12}
"""

INLINE = HEAD + """\
accelerators:
  my-chip:
    name: An in-house accelerator
    vendor: Example
    year: 2024
    peak: {bf16: 500 TFLOP/s}
    memory: 64 GB
    bandwidth: 2 TB/s
    tdp: 600 W
    price: {value: $12k, source: "vendor quote", as_of: 2024-06}
    rent: $1.50/GPU-hour
    chip_to_server: {value: 1.8, source: "Epoch AI default", as_of: 2024}
    source: vendor datasheet
    as_of: 2024-06
servers:
  my-box:
    name: 8x my-chip
    accelerator: my-chip
    accelerators: 8
    price: $150k
    power: 8 kW
    per_rack: 4
    source: vendor quote
    as_of: 2024-06
training:
  - {name: r, params: 7B, tokens: 2T, rent: {accelerator: my-chip, accelerators: 256}, length: 20 days}
"""


def test_a_scenario_may_define_its_own_accelerator_and_server(write, catalog):
    s = load(write(INLINE), catalog=catalog)
    assert s.accelerators["my-chip"].price == 12e3
    assert s.servers["my-box"].accelerator == "my-chip"
    assert s.training[0].length == pytest.approx(20 * 24)   # bare unit of 'length' is days


def test_an_inline_accelerator_needs_a_source(write, catalog):
    text = INLINE.replace("    source: vendor datasheet\n", "", 1)
    with pytest.raises(ConfigError) as e:
        load(write(text), catalog=catalog)
    assert "missing required key 'source'" in str(e.value) and "s.yaml:5:" in str(e.value)


def test_an_inline_server_of_an_unknown_accelerator_is_refused(write, catalog):
    text = INLINE.replace("    accelerator: my-chip\n", "    accelerator: my-chp\n")
    with pytest.raises(ConfigError) as e:
        load(write(text), catalog=catalog)
    assert "unknown accelerator 'my-chp'" in str(e.value) and "my-chip" in str(e.value)


def test_an_inline_accelerator_replaces_the_catalogs(write, catalog):
    text = INLINE.replace("  my-chip:\n", "  h100-sxm:\n").replace("accelerator: my-chip", "accelerator: h100-sxm")
    s = load(write(text), catalog=catalog)
    assert s.accelerators["h100-sxm"].tdp == 600
    assert catalog.accelerators["h100-sxm"].tdp == 700   # the shared catalog is untouched


RUN = HEAD + "training:\n  - {name: r, params: 7B, tokens: 2T, %s}\n"


@pytest.mark.parametrize("keys, message", [
    ("rent: {accelerator: h100-sxm, accelerators: 8}, gpu_hours: 1M, length: 30 days",
     "give 'gpu_hours' or 'length', not both"),
    ("rent: {accelerator: h100-sxm, accelerators: 8}, gpu_hours: 1M, mfu: 40%",
     "'gpu_hours' and 'mfu' both fix the run's speed"),
    ("accelerator: h100-sxm, max_days: 30, length: 30 days",
     "'length' needs the run's accelerators"),
    ("rent: {accelerator: h100-sxm, max_days: 30}, length: 30 days", "unknown key 'max_days'"),
    ("rent: {accelerator: h100-sxm}, max_days: 30, length: 30 days",
     "'length' needs a fixed number of rented 'accelerators'"),
    ("rent: {accelerator: h100-sxm, accelerators: 8}, mfu: 35%, mfu_includes_goodput: true, goodput: 90%",
     "goodput is already in the MFU"),
    ("rent: {accelerator: h100-sxm, accelerators: 8}, mfu_includes_goodput: true",
     "'mfu_includes_goodput' qualifies an 'mfu'"),
    ("rent: {accelerator: h100-sxm, accelerators: 8}, site: hyperscalar", "did you mean 'hyperscaler'"),
    ("accelerator: h100-sxm, max_days: 30, acquired: 2023-01", "'acquired' is for rented runs"),
    ("rent: {accelerator: mi355x, accelerators: 8}", "no rental price for 'mi355x'"),
    ("rent: {accelerator: h100-sxm, accelerators: 8, price: $2/GPU-hour, tier: 3y}",
     "'tier' picks a catalog price"),
    ("rent: {accelerator: h100-sxm, accelerators: 8, tier: 5y}", "one of 'on_demand', '1y', '3y'"),
])
def test_run_keys_that_do_not_go_together_are_refused_at_their_line(write, catalog, keys, message):
    with pytest.raises(ConfigError) as e:
        load(write(RUN % keys), catalog=catalog)
    assert message in str(e.value)
    assert "s.yaml:4:" in str(e.value)


def test_a_fleet_run_takes_its_power_terms_from_its_datacenter(write, catalog):
    text = HEAD + """\
datacenters:
  dc: {it_capacity: 20 MW}
fleets:
  f: {server: dgx-h100, accelerators: 1024, site: dc}
training:
  - {name: r, params: 7B, tokens: 2T, on: f, pue: 1.1}
"""
    with pytest.raises(ConfigError, match="set 'pue' on the datacenter"):
        load(write(text), catalog=catalog)


def test_base_year_needs_a_price_index(write, tmp_path, catalog):
    import os
    import shutil
    from estimator.catalog import load_catalog
    dst = tmp_path / "cat"
    shutil.copytree(catalog.directory, dst)
    os.remove(dst / "cpi.yaml")
    text = HEAD + "money: {base_year: 2023}\n"
    with pytest.raises(ConfigError, match="price index"):
        load(write(text), catalog=load_catalog(str(dst)))
