"""Expectations, baselines and diffs."""
import json
import os
import shutil

import pytest
from click.testing import CliRunner

from conftest import ROOT, SCENARIOS
from estimator import check as ck
from estimator.cli import main
from estimator.errors import ConfigError

BASE = """\
scenario: expectations
horizon: {start: 2025-01, end: 2025-12}
datacenters: {dc: {it_capacity: 20 MW, pue: 1.2}}
fleets: {pod: {server: dgx-h100, accelerators: 8000, site: dc}}
expect:
"""


def outcomes(estimate_text, write, expect: str):
    from estimator.config.loader import load
    from estimator.engine import estimate
    scn = load(write(BASE + expect))
    return ck.evaluate(estimate(scn), scn.expect)


@pytest.mark.parametrize("expect,passed", [
    ("  fleets.pod.accelerators: 8000\n", True),
    ("  fleets.pod.accelerators: 8001\n", False),
    ("  capex.total_usd: {min: $300M}\n", True),
    ("  capex.total_usd: {min: $3B}\n", False),
    ("  capex.total_usd: {max: $3B}\n", True),
    ("  capex.total_usd: {max: $300M}\n", False),
    ("  power.it_w: {between: [10 MW, 15 MW]}\n", True),
    ("  power.it_w: {between: [1 MW, 5 MW]}\n", False),
    ("  power.it_w: {approx: 11.7 MW, rel: 1%}\n", True),
    ("  power.it_w: {approx: 13 MW, rel: 5%}\n", False),
    ("  power.it_w: {approx: 11.8 MW, abs: 200 kW}\n", True),
    ("  power.it_w: {approx: 12.5 MW, abs: 200 kW}\n", False),
    ("  datacenters.dc.buildings: {equals: 1}\n", True),
])
def test_each_expectation_kind_passes_and_fails(estimate_text, write, expect, passed):
    [o] = outcomes(estimate_text, write, expect)
    assert o.passed is passed, o


def test_boolean_and_text_expectations(estimate_text, write):
    text = """\
scenario: f
horizon: {start: 2025-01, end: 2025-06}
funding: {cash: $10M}
expect:
  funding.covered: true
  funding.gap_month: null
"""
    from estimator.config.loader import load
    from estimator.engine import estimate
    scn = load(write(text))
    res = ck.evaluate(estimate(scn), scn.expect)
    assert [o.passed for o in res] == [True, True]
    scn = load(write(text.replace("covered: true", "covered: false")))
    assert [o.passed for o in ck.evaluate(estimate(scn), scn.expect)] == [False, True]


@pytest.mark.parametrize("expect,message", [
    ("  capex.totl_usd: 5\n", "did you mean 'capex.total_usd'"),
    ("  capex.total_usd: {min: 5 W}\n", "not money"),
    ("  capex.total_usd: {minimum: $5}\n", "unknown expectation 'minimum'"),
    ("  monthly.capex_usd: 5\n", "monthly series"),
    ("  capex.total_usd: {rel: 5%}\n", "'rel' and 'abs' go with 'approx'"),
])
def test_bad_expectations_are_input_errors_with_location(estimate_text, write, expect, message):
    with pytest.raises(ConfigError) as e:
        outcomes(estimate_text, write, expect)
    assert message in str(e.value) and "s.yaml:6:" in str(e.value)


def test_check_exit_codes(tmp_path):
    good = str(SCENARIOS / "h100-server.yaml")
    assert CliRunner().invoke(main, ["check", good]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text((SCENARIOS / "h100-server.yaml").read_text().replace(
        "between: [$300k, $400k]", "between: [$1M, $2M]"))
    res = CliRunner().invoke(main, ["check", str(bad)])
    assert res.exit_code == 1 and "FAIL" in res.output and "check failed" in res.output
    res = CliRunner().invoke(main, ["check", str(tmp_path / "missing.yaml")])
    assert res.exit_code == 2


def test_changed_catalog_price_fails_the_baseline_and_names_the_figure(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    catalog = tmp_path / "catalog"
    shutil.copytree(ROOT / "configs" / "catalog", catalog)
    baselines = tmp_path / "baselines"
    (tmp_path / "s").mkdir()
    scenario = tmp_path / "s" / "h100-100k-cluster.yaml"
    shutil.copy(SCENARIOS / "h100-100k-cluster.yaml", scenario)
    r = CliRunner().invoke(main, ["--catalog", str(catalog), "check", "--baseline", str(baselines),
                                  "--update-baseline", str(scenario)])
    assert r.exit_code == 0, r.output
    assert (baselines / "s" / "h100-100k-cluster.json").is_file()   # keyed by relative path
    assert CliRunner().invoke(main, ["--catalog", str(catalog), "check", "--baseline",
                                     str(baselines), str(scenario)]).exit_code == 0
    servers = catalog / "servers.yaml"
    servers.write_text(servers.read_text().replace("value: $297k", "value: $350k"))
    res = CliRunner().invoke(main, ["--catalog", str(catalog), "check", "--baseline",
                                    str(baselines), str(scenario), "--format", "json"])
    assert res.exit_code == 1
    data = json.loads(res.output[: res.output.rindex("}") + 1])
    assert data["catalog"].startswith("catalog (--catalog)")
    failed = [m["name"] for m in data["files"][0]["moves"] if m.get("failed")]
    assert "capex.total_usd" in failed
    # a per-figure tolerance in the scenario lets a move through
    scenario.write_text(scenario.read_text()
                        + "tolerances: {capex.total_usd: 50%}\n")
    res = CliRunner().invoke(main, ["--catalog", str(catalog), "check", "--baseline",
                                    str(baselines), str(scenario), "--format", "json"])
    data = json.loads(res.output[: res.output.rindex("}") + 1])
    assert data["files"][0]["error"] is None, res.output     # checked, not refused
    moved = {m["name"]: m for m in data["files"][0]["moves"]}
    assert moved["capex.total_usd"]["relative"] > 0.01 and not moved["capex.total_usd"].get("failed")
    # a tolerance on a figure the scenario lacks, or on one that never fails, is refused
    for name, said in (("training.cost.build_usd", "no figure named 'training.cost.build_usd'"),
                       ("capex.servers_usd", "'capex.servers_usd' is not a headline figure")):
        scenario.write_text(scenario.read_text().replace(
            "tolerances: {capex.total_usd: 50%", f"tolerances: {{{name}: 5%, capex.total_usd: 50%"))
        res = CliRunner().invoke(main, ["--catalog", str(catalog), "check", "--baseline",
                                        str(baselines), str(scenario)])
        assert res.exit_code == 2 and said in res.output, res.output
        assert "h100-100k-cluster.yaml:" in res.output
        scenario.write_text(scenario.read_text().replace(f"{name}: 5%, ", ""))


def test_missing_baseline_fails_with_a_hint(tmp_path):
    res = CliRunner().invoke(main, ["check", "--baseline", str(tmp_path),
                                    str(SCENARIOS / "h100-server.yaml")])
    assert res.exit_code == 1 and "--update-baseline" in res.output


def test_update_baseline_writes_whole_files(tmp_path):
    res = CliRunner().invoke(main, ["check", "--baseline", str(tmp_path / "b"), "--update-baseline",
                                    str(SCENARIOS / "h100-server.yaml")])
    assert res.exit_code == 0
    # keyed by the scenario's path relative to the project root (this checkout)
    assert os.listdir(tmp_path / "b") == ["configs"]
    data = json.loads((tmp_path / "b" / "configs" / "scenarios" / "h100-server.json").read_text())
    assert data["file"] == "configs/scenarios/h100-server.yaml"
    assert data["figures"]["capex.total_usd"]["headline"] is True


def test_committed_baselines_match_the_shipped_scenarios(monkeypatch):
    """What .ci/run runs: the project of this checkout, every scenario, zero moved figures."""
    monkeypatch.chdir(ROOT)
    res = CliRunner().invoke(main, ["check", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert sorted(f["file"] for f in data["files"]) == sorted(
        f"configs/scenarios/{p.name}" for p in SCENARIOS.glob("*.yaml"))
    assert [f["moves"] for f in data["files"]] == [[]] * len(data["files"])
    assert data["orphan_baselines"] == []
    assert data["catalog"] == "configs/catalog (from estimator.yaml)"


def test_compare_sorts_by_impact():
    old = {"figures": {"a": {"value": 100.0, "unit": "money", "headline": True},
                       "b": {"value": 100.0, "unit": "money"},
                       "c": {"value": 1.0, "unit": "money"}}}
    new = {"figures": {"a": {"value": 101.0, "unit": "money", "headline": True},
                       "b": {"value": 150.0, "unit": "money"},
                       "c": {"value": 1.0, "unit": "money"}, "d": {"value": 5, "unit": "count"}}}
    moves = ck.compare(old, new, tolerance=0.02)
    assert [m.name for m in moves] == ["b", "a", "d"]
    assert not any(m.failed for m in moves)
    assert ck.compare(old, new, tolerance=0.005)[0].name == "a"   # a failure comes first


def test_diff_two_shipped_scenarios():
    a, b = str(SCENARIOS / "h100-1k-colo.yaml"), str(SCENARIOS / "h100-server.yaml")
    res = CliRunner().invoke(main, ["diff", a, b, "--format", "json"])
    assert res.exit_code == 0
    data = json.loads(res.output)
    inputs = {m["name"]: m for m in data["inputs"]}
    assert inputs["inputs.datacenters.colo.pue"]["before"] == 1.3
    assert inputs["inputs.datacenters.colo.pue"]["after"] == 1.4
    figures = [m["name"] for m in data["figures"]]
    assert "capex.total_usd" in figures
    rel = [abs(m["relative"]) for m in data["figures"] if m["status"] == "moved" and m["relative"] is not None]
    assert rel == sorted(rel, reverse=True)


def test_diff_markdown_golden(golden):
    a, b = str(SCENARIOS / "h100-1k-colo.yaml"), str(SCENARIOS / "h100-server.yaml")
    res = CliRunner().invoke(main, ["diff", os.path.relpath(a, ROOT), os.path.relpath(b, ROOT),
                                    "--format", "markdown"])
    golden("diff-h100-1k-colo-vs-server.md", res.output)


def test_diff_against_a_git_revision(tmp_path):
    import subprocess
    repo = tmp_path / "repo"
    repo.mkdir()
    f = repo / "s.yaml"
    f.write_text((SCENARIOS / "h100-server.yaml").read_text())
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    for cmd in (["git", "init", "-q"], ["git", "add", "s.yaml"], ["git", "commit", "-qm", "x"]):
        subprocess.run(cmd, cwd=repo, check=True, env=env)
    f.write_text(f.read_text().replace("pue: 1.4", "pue: 1.5"))
    res = CliRunner().invoke(main, ["diff", str(f), "--rev", "HEAD", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    [scn] = data["scenarios"]
    assert scn["status"] == "changed"
    assert [m["name"] for m in scn["inputs"]] == ["inputs.datacenters.colo.pue"]
    assert sorted(os.listdir(repo)) == [".git", "s.yaml"]       # the temporary copy is gone
    res = CliRunner().invoke(main, ["diff", str(f), "--rev", "no-such-rev"])
    assert res.exit_code == 2
