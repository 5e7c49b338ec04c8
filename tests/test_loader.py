"""Loading and validation: located errors, did-you-mean, includes, overrides, hostile files."""
import os
import time

import pytest
from click.testing import CliRunner

from conftest import BAD_CORPUS, RUNAWAY_SECONDS, SHARED_BAD, shipped
from estimator.cli import main
from estimator.config.loader import load
from estimator.errors import ConfigError

# Expected message fragment for each file of tests/bad/ (the corpus beyond ../shared/bad-inputs).
EXPECTED = {
    "bad-extends.yaml": "extends: expected a file name",
    "catalog-typo.yaml": "did you mean 'h100-sxm'?",
    "complex-key.yaml": "a mapping key must be plain text",
    "contract-ends-before-start.yaml": "the contract 'oracle' ends (2026-06) before it starts",
    "cycle-a.yaml": "include cycle",
    "cycle-b.yaml": "include cycle",
    "debt-rate-below-100.yaml": "'-150%' must be more than -100%",
    "deep-block.yaml": "nested more than 64 levels deep",
    "device-include-symlink.yaml": "not a regular file",
    "device-include.yaml": "is not a .yaml or .yml file",
    "dir.yaml": "is a directory",
    "directory-include.yaml": "is a directory",
    "entity-cycle.yaml": "entities fund each other in a cycle with no outside money: lab -> jv",
    "entity-pays-unknown.yaml": "unknown entity 'stargte'",
    "horizon-backwards.yaml": "the horizon ends (2025-12) before it starts (2026-01)",
    "horizon-too-long.yaml": "the limit is 1200",
    "impossible-month.yaml": "there is no month 0",
    "merge-key.yaml": "merge keys (<<) are not supported",
    "mfu-zero.yaml": "out of range: 0 must be more than 0",
    "missing-include.yaml": "extends: file not found",
    "missing-required.yaml": "missing required key 'horizon'",
    "negative-count.yaml": "out of range: -8 is below the minimum of 0",
    "negative-money.yaml": "is below the minimum of $0",
    "over-capacity.yaml": "over",
    "pue-below-one.yaml": "is below the minimum of 1",
    "recursive-alias.yaml": "refers to a value that contains it",
    "two-documents.yaml": "more than one YAML document",
    "typo-key.yaml": "did you mean 'fleets'?",
    "unknown-site.yaml": "unknown datacenter 'dcc'",
    "unknown-tag.yaml": "the tag '!custom' is not allowed",
    "unknown-unit.yaml": "unknown unit 'furlongs'",
    "wrong-dimension.yaml": "'W' is a unit of power, not money",
    "wrong-type.yaml": "expected a mapping",
    "zero-device.yaml": "not a regular file",
}


def _validate(path):
    runner = CliRunner()
    t0 = time.perf_counter()
    res = runner.invoke(main, ["validate", str(path)])
    return res, time.perf_counter() - t0


@pytest.mark.parametrize("path", sorted(SHARED_BAD.glob("*.yaml")), ids=lambda p: p.name)
def test_shared_bad_inputs_exit_2_with_a_message_naming_the_file(path):
    res, seconds = _validate(path)
    assert res.exit_code == 2, res.output
    assert path.name in res.output
    assert "Traceback" not in res.output
    assert seconds < RUNAWAY_SECONDS


@pytest.mark.parametrize("path", sorted(SHARED_BAD.glob("*.yaml")), ids=lambda p: p.name)
def test_shared_bad_inputs_fail_report_too(path):
    res = CliRunner().invoke(main, ["report", str(path), "--format", "json"])
    assert res.exit_code == 2 and path.name in res.output and "Traceback" not in res.output


needs_shared = pytest.mark.skipif(not SHARED_BAD.is_dir(), reason="../shared/bad-inputs is not "
                                  "beside this checkout (a bare clone has no ../shared)")


@needs_shared
def test_the_whole_shared_folder_is_covered():
    assert len(list(SHARED_BAD.glob("*.yaml"))) >= 11


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_corpus_gives_the_expected_message(name):
    path = BAD_CORPUS / name
    res, seconds = _validate(path)
    assert res.exit_code == 2, res.output
    assert EXPECTED[name] in res.output, res.output
    assert "Traceback" not in res.output
    assert seconds < RUNAWAY_SECONDS


def test_every_corpus_file_has_an_expectation():
    from test_hostile import CORPUS, NAMES, SNAPSHOTS   # round 2 and 3: every command
    assert {p.name for p in BAD_CORPUS.iterdir()} - {"README"} <= \
        set(EXPECTED) | set(CORPUS) | set(NAMES) | set(SNAPSHOTS)
    assert set(EXPECTED) <= {p.name for p in BAD_CORPUS.iterdir()}


@needs_shared
@pytest.mark.parametrize("name,line", [("binary.yaml", 1), ("duplicate-key.yaml", 3),
                                       ("tabs.yaml", 3), ("python-tag.yaml", 1)])
def test_shared_bad_inputs_name_the_line(name, line):
    res, _ = _validate(SHARED_BAD / name)
    assert f"{name}:{line}:" in res.output


def test_huge_file_is_refused_before_parsing(tmp_path):
    p = tmp_path / "huge.yaml"
    p.write_text("scenario: big\n# " + "x" * (3 * 1024 * 1024) + "\n")
    res, seconds = _validate(p)
    assert res.exit_code == 2 and "file is too large" in res.output and seconds < 2


def test_merge_key_bomb_is_refused(write):
    text = "a: &a {x: 1}\n" + "".join(f"b{i}: &b{i} {{<<: *{'a' if i == 0 else f'b{i-1}'}}}\n"
                                       for i in range(30))
    with pytest.raises(ConfigError, match="merge keys"):
        load(write(text))


def test_typo_in_a_key_gives_file_line_col_path_and_suggestion(write):
    path = write("scenario: t\nhorizon: {start: 2025-01, end: 2025-12}\nfleetz: {}\n")
    with pytest.raises(ConfigError) as e:
        load(path)
    p = e.value.problems[0]
    assert (p.mark.line, p.mark.col) == (3, 1)
    assert p.path == ("fleetz",)
    assert p.hint == "did you mean 'fleets'?"
    assert f"{path}:3:1: at fleetz: unknown key 'fleetz'" in str(e.value)


def test_all_problems_of_a_file_come_at_once(write):
    path = write("""\
        scenario: t
        horizon: {start: 2025-01, end: 2025-13}
        datacenters:
          dc: {it_capacity: -1 MW, pue: 0.5, colour: red}
        funding: {cash: 700 W}
        """)
    with pytest.raises(ConfigError) as e:
        load(path)
    msgs = [p.message for p in e.value.problems]
    assert len(msgs) == 5, msgs
    assert [p.mark.line for p in e.value.problems] == sorted(p.mark.line for p in e.value.problems)


def test_problem_count_is_capped(write):
    body = "".join(f"  dc{i}: {{it_capacity: -1 MW}}\n" for i in range(80))
    path = write("scenario: t\nhorizon: {start: 2025-01, end: 2025-12}\ndatacenters:\n" + body)
    with pytest.raises(ConfigError) as e:
        load(path)
    assert len(e.value.problems) == ConfigError.MAX_PROBLEMS
    assert "and 30 more problem(s) not shown" in str(e.value)


def test_catalog_typo_for_a_server_points_at_the_accelerator(write):
    path = write("""\
        scenario: t
        horizon: {start: 2025-01, end: 2025-12}
        datacenters: {dc: {it_capacity: 1 MW}}
        fleets: {f: {server: h100-sxn, accelerators: 8, site: dc}}
        """)
    with pytest.raises(ConfigError) as e:
        load(path)
    assert "'h100-sxm' is an accelerator; server types that hold it: dgx-h100, hgx-h100" in str(e.value)


def test_extends_merges_underneath_relative_to_the_file(write):
    write("""\
        scenario: base
        horizon: {start: 2025-01, end: 2025-12}
        datacenters: {dc: {it_capacity: 10 MW, pue: 1.5}}
        """, "common/base.yaml")
    top = write("""\
        extends: common/base.yaml
        scenario: top
        datacenters: {dc: {pue: 1.2}}
        """, "top.yaml")
    s = load(top)
    assert s.scenario == "top"
    assert s.datacenters["dc"].pue == 1.2
    assert s.datacenters["dc"].it_capacity == 10e6
    assert s.files[0].endswith("top.yaml") and s.files[1].endswith("base.yaml")
    assert s.datacenters["dc"].marks["it_capacity"].file.endswith("base.yaml")


def test_overrides_are_applied_and_validated_like_file_values(write):
    path = write("scenario: t\nhorizon: {start: 2025-01, end: 2025-12}\nfunding: {cash: $5B}\n")
    assert load(path, ["funding.cash=$1B"]).funding.cash == 1e9
    assert load(path, ["horizon.end=2026-06"]).horizon.end.year == 2026
    with pytest.raises(ConfigError) as e:
        load(path, ["funding.cash=700 W"])
    assert "--set funding.cash" in str(e.value) and "not money" in str(e.value)
    with pytest.raises(ConfigError, match="did you mean 'cash'"):
        load(path, ["funding.csh=$1B"])
    with pytest.raises(ConfigError, match="expects PATH=VALUE"):
        load(path, ["funding.cash"])


def test_list_items_can_be_overridden(write):
    path = write("""\
        scenario: t
        horizon: {start: 2025-01, end: 2025-12}
        training: [{name: a, compute: 1e24 FLOP, accelerator: h100-sxm, max_days: 30}]
        """)
    assert load(path, ["training[0].mfu=0.4"]).training[0].mfu == 0.4
    assert load(path, ["training.0.mfu=40%"]).training[0].mfu == 0.4
    with pytest.raises(ConfigError, match="no list item 3"):
        load(path, ["training[3].mfu=0.4"])


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.name)
def test_every_shipped_scenario_validates(path, catalog):
    load(str(path), catalog=catalog)


def test_validate_command_passes_every_file_under_configs():
    from conftest import ROOT
    files = [str(p) for p in sorted((ROOT / "configs").rglob("*.yaml"))]
    assert len(files) >= len(shipped()) + 3
    res = CliRunner().invoke(main, ["validate", *files], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert res.output.count("ok: ") == len(files)


def test_catalog_entries_all_carry_source_and_date(catalog):
    for key, acc in catalog.accelerators.items():
        assert acc.source and acc.as_of, key
    for key, srv in catalog.servers.items():
        assert srv.source and srv.as_of and "price" in srv.sources, key
    from estimator.record import fields
    for f in fields(catalog.defaults):
        if f.spec is not None:
            assert "(as of " in catalog.defaults.sources[f.name], f.name


def test_validate_checks_a_catalog_file_for_sources(tmp_path):
    from conftest import ROOT
    text = (ROOT / "configs" / "catalog" / "servers.yaml").read_text()
    bad = tmp_path / "servers.yaml"
    bad.write_text(text.replace("    source: NVIDIA DGX H100 user guide (maximum system power 10.2 kW)\n", "", 1))
    res = CliRunner().invoke(main, ["validate", str(bad)])
    assert res.exit_code == 2 and "servers.dgx-h100" in res.output
    assert "missing required key 'source'" in res.output


def test_catalog_without_a_source_is_refused(tmp_path, catalog):
    from estimator.catalog import load_catalog
    src = os.path.dirname(catalog.directory + "/")
    for name in ("accelerators.yaml", "servers.yaml", "defaults.yaml"):
        text = open(os.path.join(src, name)).read()
        if name == "defaults.yaml":
            text = text.replace('pue: {value: 1.25, source:', 'pue: {value: 1.25, note:', 1)
        (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError, match="a default needs"):
        load_catalog(str(tmp_path))
