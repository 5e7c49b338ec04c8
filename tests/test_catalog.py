"""The catalog: breadth, and the checks that span its entries."""
import os
import shutil

import pytest

from estimator.catalog import load_catalog
from estimator.errors import ConfigError

VENDORS = {"NVIDIA", "AMD", "Google", "AWS", "Intel"}


def test_catalog_covers_the_hardware_people_train_on(catalog):
    accs = catalog.accelerators
    assert len(accs) >= 25
    assert {a.vendor for a in accs.values()} >= VENDORS
    for key in ("a100-sxm-80gb", "v100-sxm2", "tpu-v2", "tpu-v3", "tpu-v4", "tpu-v5e", "tpu-v6e",
                "b300", "gb300", "rubin", "h20", "mi250x", "gaudi2", "gaudi3", "trainium1"):
        assert key in accs, key
    for key in ("dgx-a100", "hgx-a100-80gb", "dgx-1-v100", "hgx-h800", "gb300-nvl72"):
        assert key in catalog.servers, key


def test_every_accelerator_has_a_server_type_or_a_sourced_power_factor(catalog):
    for key, acc in catalog.accelerators.items():
        if not catalog.servers_of(key):
            assert acc.chip_to_server is not None, key
            assert acc.sources.get("chip_to_server"), key


def test_the_most_used_accelerators_have_dated_rental_prices(catalog):
    rented = [k for k, a in catalog.accelerators.items() if a.rent is not None]
    assert len(rented) >= 10
    for key in rented:
        acc = catalog.accelerators[key]
        assert acc.sources.get("rent") or acc.source, key
    tiered = [k for k, a in catalog.accelerators.items() if a.rent_3y is not None]
    assert len(tiered) >= 6
    for key in tiered:   # a commitment never costs more than on-demand
        a = catalog.accelerators[key]
        assert a.rent_3y <= (a.rent_1y or a.rent) <= a.rent, key


def test_cpi_series_and_site_profiles_are_sourced(catalog):
    assert catalog.cpi.index["2023"] == pytest.approx(304.702)
    years = sorted(int(y) for y in catalog.cpi.index)
    assert years == list(range(years[0], years[-1] + 1))
    assert catalog.sites["hyperscaler"].pue == pytest.approx(1.1)
    for prof in catalog.sites.values():
        assert prof.sources.get("pue") and prof.source


def _copy(tmp_path, catalog):
    dst = tmp_path / "catalog"
    shutil.copytree(catalog.directory, dst)
    return dst


def test_an_accelerator_without_server_or_factor_is_refused_at_its_line(tmp_path, catalog):
    dst = _copy(tmp_path, catalog)
    path = dst / "accelerators.yaml"
    text = path.read_text()
    start = text.index("  gaudi3:")
    block = text[start:]
    cut = block.index("    chip_to_server:")
    end = block.index("\n", cut) + 1
    path.write_text(text[:start] + block[:cut] + block[end:])
    with pytest.raises(ConfigError) as e:
        load_catalog(str(dst))
    msg = str(e.value)
    assert "gaudi3" in msg and "chip_to_server" in msg
    line = text[:start].count("\n") + 1
    assert f"accelerators.yaml:{line + 1}:" in msg   # the mapping under 'gaudi3:'


def test_an_unknown_precision_is_refused(tmp_path, catalog):
    dst = _copy(tmp_path, catalog)
    path = dst / "accelerators.yaml"
    path.write_text(path.read_text().replace("peak: {bf16: 1835 TFLOP/s,", "peak: {bf61: 1835 TFLOP/s,"))
    with pytest.raises(ConfigError, match="unknown precision 'bf61'"):
        load_catalog(str(dst))


def test_a_gap_in_the_price_index_is_refused(tmp_path, catalog):
    dst = _copy(tmp_path, catalog)
    path = dst / "cpi.yaml"
    path.write_text(path.read_text().replace("    2019: 255.657\n", ""))
    with pytest.raises(ConfigError, match="every year"):
        load_catalog(str(dst))


def test_a_catalog_folder_may_leave_out_the_optional_files(tmp_path, catalog):
    dst = _copy(tmp_path, catalog)
    os.remove(dst / "cpi.yaml")
    os.remove(dst / "sites.yaml")
    cat = load_catalog(str(dst))
    assert cat.cpi is None and cat.sites == {}
