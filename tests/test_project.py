"""A repository that uses estimator the way docs/ci.md says: its own scenarios, a parent file,
its own catalog folder and baselines, under git. Every documented command is run against
changes a pull request makes: a catalog price, a parent's value, an added and a removed
scenario. No network, nothing installed: the CLI runs in process."""
import json
import os
import re
import shlex
import shutil
import subprocess

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT
from estimator.cli import main

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}

PROJECT = """\
scenarios: [scenarios/**/*.yaml]
catalog: catalog
baselines: baselines
tolerance: 1%
"""
COMMON = """\
# shared by every team's plan: the site and the horizon
horizon: {start: 2025-01, end: 2026-12}
datacenters:
  dc: {it_capacity: 20 MW, pue: 1.3}
"""
TEAM = """\
scenario: Team {name} cluster
extends: ../common.yaml
fleets: {{pod: {{server: dgx-h100, accelerators: {n}, site: dc}}}}
"""
PRE_COMMIT = """\
repos:
  - repo: https://example.invalid/estimator
    rev: v0.3.0
    hooks:
      - id: estimator-validate
      - id: estimator-check
"""
WORKFLOW = """\
name: estimator
on: [pull_request]
jobs:
  check: {runs-on: ubuntu-latest, steps: [{run: estimator check}]}
"""


def git(repo, *args):
    res = subprocess.run(["git", *args], cwd=repo, env=dict(os.environ, **GIT_ENV),
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return res.stdout


def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """The consumer repository, committed on 'main' with accepted baselines."""
    r = tmp_path / "consumer"
    (r / "scenarios" / "teamA").mkdir(parents=True)
    (r / "scenarios" / "teamB").mkdir()
    (r / ".github" / "workflows").mkdir(parents=True)
    shutil.copytree(ROOT / "configs" / "catalog", r / "catalog")
    (r / "estimator.yaml").write_text(PROJECT)
    (r / "scenarios" / "common.yaml").write_text(COMMON)
    (r / "scenarios" / "teamA" / "plan.yaml").write_text(TEAM.format(name="A", n=8000))
    (r / "scenarios" / "teamB" / "plan.yaml").write_text(TEAM.format(name="B", n=4000))
    (r / ".pre-commit-config.yaml").write_text(PRE_COMMIT)
    (r / ".github" / "workflows" / "estimator.yml").write_text(WORKFLOW)
    monkeypatch.chdir(r)
    git(r, "init", "-q", "-b", "main")
    res = run("check", "--update-baseline")
    assert res.exit_code == 0, res.output
    git(r, "add", "-A")
    git(r, "commit", "-qm", "scenarios and baselines")
    return r


def comment(r):
    """What the documented workflow posts: diff of the merge base against the branch."""
    res = run("diff", "--rev", "main...HEAD", "--format", "markdown")
    assert res.exit_code == 0, res.output
    return res.output


def changes(r, spec="main...HEAD"):
    res = run("diff", "--rev", spec, "--format", "json")
    assert res.exit_code == 0, res.output
    return {s["file"]: s for s in json.loads(res.output)["scenarios"]}


def names(moves):
    return [m["name"] for m in moves]


def test_the_project_is_found_and_same_named_scenarios_keep_their_own_baselines(repo):
    data = json.loads(run("project", "show", "--format", "json").output)
    assert data["scenarios"] == ["scenarios/teamA/plan.yaml", "scenarios/teamB/plan.yaml"]
    assert data["fragments"] == ["scenarios/common.yaml"]
    assert data["catalog"] == "catalog (from estimator.yaml)" and data["tolerance"] == 0.01
    assert re.search(r"tolerance\s+1%", run("project", "show").output)
    a = json.loads((repo / "baselines" / "scenarios" / "teamA" / "plan.json").read_text())
    b = json.loads((repo / "baselines" / "scenarios" / "teamB" / "plan.json").read_text())
    assert (a["file"], b["file"]) == ("scenarios/teamA/plan.yaml", "scenarios/teamB/plan.yaml")
    assert a["figures"]["capex.total_usd"]["value"] > b["figures"]["capex.total_usd"]["value"]
    res = run("check")
    assert res.exit_code == 0, res.output
    assert "2 of 2 scenario(s) passed; catalog: catalog (from estimator.yaml)" in res.output
    # a baseline copied over another scenario's is refused, not silently matched
    shutil.copy(repo / "baselines" / "scenarios" / "teamA" / "plan.json",
                repo / "baselines" / "scenarios" / "teamB" / "plan.json")
    res = run("check")
    assert res.exit_code == 2 and "belongs to scenarios/teamA/plan.yaml" in res.output


def test_a_catalog_price_cut_moves_every_scenario_on_that_server(repo):
    git(repo, "checkout", "-qb", "cheaper-servers")
    servers = repo / "catalog" / "servers.yaml"
    servers.write_text(servers.read_text().replace("value: $300k", "value: $250k"))
    git(repo, "commit", "-qam", "cheaper DGX H100")
    got = changes(repo)
    for f in ("scenarios/teamA/plan.yaml", "scenarios/teamB/plan.yaml"):
        assert got[f]["status"] == "changed"
        assert names(got[f]["inputs"]) == ["inputs.fleets.pod.server_price_usd"]
        capex = {m["name"]: m for m in got[f]["figures"]}["capex.total_usd"]
        assert capex["after"] < capex["before"] and capex["headline"]
    md = comment(repo)
    assert md.startswith("<!-- estimator-diff -->")
    assert "`scenarios/teamA/plan.yaml` — Team A cluster | changed" in md
    assert "`scenarios/teamB/plan.yaml` — Team B cluster | changed" in md
    assert "`capex.total_usd`" in md and "catalog at main" not in md
    assert "catalog at merge base of main and HEAD" in md   # each side's own catalog
    res = run("check", "--format", "markdown")
    assert res.exit_code == 1
    assert "❌ failed" in res.output and "`capex.total_usd`" in res.output
    assert "scenarios/teamA/plan.yaml" in res.output and "scenarios/teamB/plan.yaml" in res.output
    # the same change, uncommitted, against the working tree
    git(repo, "checkout", "-q", "main")
    servers.write_text(servers.read_text().replace("value: $300k", "value: $250k"))
    assert changes(repo, "main")["scenarios/teamA/plan.yaml"]["status"] == "changed"
    # and the affected scenarios are found through the catalog
    res = run("project", "affected", "catalog/servers.yaml")
    assert "every scenario: the catalog changed (catalog/servers.yaml)" in res.output
    assert [line for line in res.output.splitlines() if line.endswith(".yaml")][-2:] == [
        os.path.join("scenarios", "teamA", "plan.yaml"),
        os.path.join("scenarios", "teamB", "plan.yaml")]


def test_a_parent_edit_moves_the_scenarios_that_extend_it(repo):
    git(repo, "checkout", "-qb", "worse-pue")
    common = repo / "scenarios" / "common.yaml"
    common.write_text(common.read_text().replace("pue: 1.3", "pue: 1.5"))
    git(repo, "commit", "-qam", "PUE 1.5")
    got = changes(repo)
    for f in ("scenarios/teamA/plan.yaml", "scenarios/teamB/plan.yaml"):
        assert names(got[f]["inputs"]) == ["inputs.datacenters.dc.pue"]
        facility = {m["name"]: m for m in got[f]["figures"]}["power.facility_w"]
        assert facility["relative"] == pytest.approx(0.2 / 1.3, rel=1e-9)   # PUE 1.3 -> 1.5
    assert "common.yaml" not in got                  # a fragment is not a scenario
    md = comment(repo)
    assert "`power.facility_w`" in md and "`inputs.datacenters.dc.pue`" in md
    res = run("check")
    assert res.exit_code == 1 and "power.facility_w" in res.output
    res = run("project", "affected", "scenarios/common.yaml")
    assert len(res.output.split()) == 2


def test_added_and_removed_scenarios_are_reported_not_errors(repo):
    git(repo, "checkout", "-qb", "reshuffle")
    (repo / "scenarios" / "teamC").mkdir()
    (repo / "scenarios" / "teamC" / "plan.yaml").write_text(TEAM.format(name="C", n=6000))
    git(repo, "rm", "-q", "scenarios/teamB/plan.yaml")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "team C replaces team B")
    got = changes(repo)
    assert got["scenarios/teamC/plan.yaml"]["status"] == "added"
    assert "capex.total_usd" in names(got["scenarios/teamC/plan.yaml"]["figures"])
    assert all(m["status"] == "new" for m in got["scenarios/teamC/plan.yaml"]["figures"])
    assert got["scenarios/teamB/plan.yaml"]["status"] == "removed"
    assert all(m["status"] == "removed" for m in got["scenarios/teamB/plan.yaml"]["figures"])
    assert got["scenarios/teamA/plan.yaml"]["status"] == "unchanged"
    md = comment(repo)
    assert "`scenarios/teamC/plan.yaml` — Team C cluster | 🆕 added" in md
    assert "`scenarios/teamB/plan.yaml` — Team B cluster | 🗑️ removed" in md
    assert "1 other scenario(s) unchanged" in md
    # check: the new scenario has no baseline yet (exit 1); the removed one's is pointed out
    res = run("check", "--format", "json")
    assert res.exit_code == 1
    data = json.loads(res.output[: res.output.rindex("}") + 1])
    assert [f["baseline"] for f in data["files"]] == [
        "baseline baselines/scenarios/teamA/plan.json: 0 figure(s) moved",
        "no baseline at baselines/scenarios/teamC/plan.json: run with --update-baseline"]
    assert data["orphan_baselines"] == ["baselines/scenarios/teamB/plan.json"]
    # a single file that only exists on one side is added/removed too, never git's "fatal:"
    res = run("diff", "scenarios/teamC/plan.yaml", "--rev", "main", "--format", "json")
    assert res.exit_code == 0 and json.loads(res.output)["scenarios"][0]["status"] == "added"


def test_a_broken_head_is_exit_2_with_the_revision_named(repo):
    git(repo, "checkout", "-qb", "broken")
    common = repo / "scenarios" / "common.yaml"
    common.write_text(common.read_text().replace("pue: 1.3", "pue: 0.5"))
    git(repo, "commit", "-qam", "typo")
    res = run("diff", "--rev", "main...HEAD", "--format", "markdown")
    assert res.exit_code == 2
    assert "HEAD:scenarios/common.yaml:4:" in res.output and "Traceback" not in res.output
    # fixing it later: the broken side is the base, reported, not fatal
    common.write_text(COMMON)
    git(repo, "commit", "-qam", "fix")
    res = run("diff", "--rev", "HEAD~1..HEAD", "--format", "json")
    assert res.exit_code == 0, res.output
    statuses = {s["file"]: s["status"] for s in json.loads(res.output)["scenarios"]}
    assert statuses == {"scenarios/teamA/plan.yaml": "error", "scenarios/teamB/plan.yaml": "error"}
    # two revisions written as files get a pointer to --rev, not "file not found"
    res = run("diff", "main", "HEAD")
    assert res.exit_code == 2 and "--rev main...HEAD" in res.output


def test_diff_compares_with_a_saved_json_report(repo):
    res = run("report", "scenarios/teamA/plan.yaml", "--format", "json", "-o", "last.json")
    assert res.exit_code == 0, res.output
    plan = repo / "scenarios" / "teamA" / "plan.yaml"
    plan.write_text(plan.read_text().replace("8000", "9000"))
    res = run("diff", "scenarios/teamA/plan.yaml", "--compare-to", "last.json", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert names(data["inputs"]) == ["fleets.pod.accelerators"]
    capex = {m["name"]: m for m in data["figures"]}["capex.total_usd"]
    assert capex["relative"] > 0.05
    assert data["catalog"] == "catalog (from estimator.yaml)"
    res = run("diff", "scenarios/teamA/plan.yaml", "--compare-to", "estimator.yaml")
    assert res.exit_code == 2 and "not a readable saved report" in res.output


# --------------------------------------------------------------------------- pre-commit hooks

def hooks():
    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def run_hook(hook, files):
    """What pre-commit does: filter the staged files by the hook's patterns, then run the entry
    once with them (or without any when pass_filenames is false)."""
    chosen = [f for f in files if re.search(hook.get("files", ""), f)
              and not (hook.get("exclude") and re.search(hook["exclude"], f))]
    if not chosen and not hook.get("always_run"):
        return None
    argv = shlex.split(hook["entry"])
    assert argv[0] == "estimator"
    argv = argv[1:] + list(hook.get("args", []))
    if hook.get("pass_filenames", True):
        argv += chosen
    return CliRunner().invoke(main, argv)


def test_the_shipped_hooks_pass_on_a_consumer_repository_and_catch_what_moved(repo):
    every = git(repo, "ls-files").split()
    assert ".pre-commit-config.yaml" in every and ".github/workflows/estimator.yml" in every
    for hook in hooks():
        res = run_hook(hook, every)
        assert res is not None and res.exit_code == 0, (hook["id"], res.output)
    validate = next(h for h in hooks() if h["id"] == "estimator-validate")
    res = run_hook(validate, [".pre-commit-config.yaml", ".github/workflows/estimator.yml",
                              "scenarios/common.yaml"])
    assert res.exit_code == 0, res.output
    assert "skipped: .pre-commit-config.yaml" in res.output
    assert "fragment: checked through" in res.output and "ok: scenarios/teamA/plan.yaml" in res.output
    # a parent that breaks its scenarios fails the validate hook, naming the parent's line
    common = repo / "scenarios" / "common.yaml"
    common.write_text(common.read_text().replace("pue: 1.3", "pue: 0.5"))
    res = run_hook(validate, ["scenarios/common.yaml"])
    assert res.exit_code == 2 and "scenarios/common.yaml:4:" in res.output
    common.write_text(COMMON)
    # a catalog edit is checked once over the whole project by the check hook
    check = next(h for h in hooks() if h["id"] == "estimator-check")
    assert check.get("pass_filenames") is False
    servers = repo / "catalog" / "servers.yaml"
    servers.write_text(servers.read_text().replace("value: $300k", "value: $250k"))
    res = run_hook(check, ["catalog/servers.yaml"])
    assert res.exit_code == 1 and "capex.total_usd" in res.output
    assert "check failed: scenarios/teamA/plan.yaml, scenarios/teamB/plan.yaml" in res.output


# --------------------------------------------------------------------------- the catalog used

def test_a_checkout_catalog_that_differs_from_the_installed_one_is_said_loudly(tmp_path, monkeypatch):
    """After `pip install .` (not editable) the package's own catalog is a copy; a checkout's
    configs/catalog that differs is never silently ignored."""
    installed = tmp_path / "site-packages" / "catalog"
    shutil.copytree(ROOT / "configs" / "catalog", installed)
    import estimator.project as project
    monkeypatch.setattr(project, "installed_catalog_dir", lambda: str(installed))
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "configs", checkout / "configs")
    monkeypatch.chdir(checkout)
    scenario = "configs/scenarios/h100-server.yaml"
    assert run("check", "--baseline", "b", "--update-baseline", scenario).exit_code == 0
    servers = checkout / "configs" / "catalog" / "servers.yaml"
    servers.write_text(servers.read_text().replace("value: $300k", "value: $350k"))
    res = run("check", "--baseline", "b", scenario)
    assert "warning: configs/catalog differs from the catalog installed" in res.output
    assert "catalog: installed with estimator" in res.output
    # named in the project file, the checkout's catalog is used: the figures move
    (checkout / "estimator.yaml").write_text("scenarios: [configs/scenarios/*.yaml]\n"
                                             "catalog: configs/catalog\n")
    res = run("check", "--baseline", "b", scenario)
    assert res.exit_code == 1 and "warning" not in res.output
    assert "capex.total_usd" in res.output


def test_a_bad_project_file_is_located(tmp_path, monkeypatch):
    (tmp_path / "estimator.yaml").write_text("scenarios: [a.yaml]\nbaseline: b\n")
    monkeypatch.chdir(tmp_path)
    res = run("check")
    assert res.exit_code == 2 and "estimator.yaml:2:1" in res.output
    assert "did you mean 'baselines'" in res.output
    (tmp_path / "estimator.yaml").unlink()
    res = run("check")
    assert res.exit_code == 2 and "estimator.yaml" in res.output and "Traceback" not in res.output


def test_float_noise_is_not_a_move():
    from estimator import check as ck
    old = {"figures": {"x": {"value": 57.1e9, "unit": "money", "headline": True},
                       "z": {"value": 0.0, "unit": "money"}}}
    noise = {"figures": {"x": {"value": 57.1e9 + 7.63e-6, "unit": "money", "headline": True},
                         "z": {"value": 1e-12, "unit": "money"}}}
    assert ck.compare(old, noise, 0.02) == []
    real = {"figures": {"x": {"value": 57.1e9 * (1 + 1e-6), "unit": "money", "headline": True},
                        "z": {"value": 0.0, "unit": "money"}}}
    assert [m.name for m in ck.compare(old, real, 0.02)] == ["x"]


def test_a_project_in_a_subfolder_with_a_parent_outside_it(tmp_path, monkeypatch):
    """The project root need not be the top of the repository; a parent above the root is
    read at the revision too."""
    top = tmp_path / "mono"
    proj = top / "finance" / "compute"
    (proj / "scenarios").mkdir(parents=True)
    (top / "shared").mkdir()
    (top / "shared" / "site.yaml").write_text(COMMON)
    (proj / "estimator.yaml").write_text("scenarios: [scenarios/*.yaml]\n")
    (proj / "scenarios" / "a.yaml").write_text(
        TEAM.format(name="A", n=8000).replace("../common.yaml", "../../../shared/site.yaml"))
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "one")
    site = top / "shared" / "site.yaml"
    site.write_text(site.read_text().replace("pue: 1.3", "pue: 1.4"))
    git(top, "commit", "-qam", "two")
    monkeypatch.chdir(proj / "scenarios")            # found from a folder below the root
    res = run("diff", "--rev", "HEAD~1..HEAD", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    [scn] = data["scenarios"]
    assert scn["file"] == "scenarios/a.yaml" and scn["status"] == "changed"
    assert names(scn["inputs"]) == ["inputs.datacenters.dc.pue"]
    assert data["head"]["catalog"].startswith("installed with estimator")


def test_a_revision_tree_is_read_into_a_temporary_folder_and_removed(repo):
    from estimator.gitrev import commit_of, tree_at
    sha = commit_of(str(repo), "HEAD")
    with tree_at(str(repo), sha) as tmp:
        got = sorted(os.path.relpath(os.path.join(d, f), tmp)
                     for d, _, fs in os.walk(tmp) for f in fs)
        assert os.path.join("scenarios", "teamA", "plan.yaml") in got
        assert os.path.join("catalog", "servers.yaml") in got
        assert not any(f.endswith(".json") for f in got)       # only YAML is read
    assert not os.path.exists(tmp)
    for bad in ("--output=/tmp/x", "-p", ""):
        res = run("diff", "--rev", bad)
        assert res.exit_code == 2 and "not a revision" in res.output


def test_validate_knows_the_project_file_and_project_validate_checks_everything(repo):
    res = run("validate", "estimator.yaml", "catalog/servers.yaml")
    assert res.exit_code == 0 and "ok: estimator.yaml" in res.output
    assert "catalog: catalog (from estimator.yaml)" in res.output
    res = run("project", "validate")
    assert res.exit_code == 0, res.output
    assert "ok: scenarios/teamA/plan.yaml" in res.output and "ok: catalog/servers.yaml" in res.output
    (repo / "estimator.yaml").write_text(PROJECT + "baselines: [a, b]\n")
    res = run("validate", "estimator.yaml")
    assert res.exit_code == 2 and "estimator.yaml:" in res.output


def test_no_merge_base_is_a_clear_input_error(repo):
    git(repo, "checkout", "-q", "--orphan", "unrelated")
    git(repo, "commit", "-qm", "no common history")
    res = run("diff", "--rev", "main...unrelated")
    assert res.exit_code == 2 and "have no merge base" in res.output and "fetch-depth" in res.output


def test_a_yaml_and_a_yml_of_one_name_cannot_share_a_baseline(repo):
    shutil.copy(repo / "scenarios" / "teamA" / "plan.yaml", repo / "scenarios" / "teamA" / "plan.yml")
    res = run("check", "--baseline", "baselines", "scenarios/teamA/plan.yaml",
              "scenarios/teamA/plan.yml")
    assert res.exit_code == 2
    assert "would share the baseline" in res.output and "rename one of them" in res.output


def test_docs_ci_blocks_parse_and_match_what_the_tool_does(tmp_path):
    """docs/ci.md's workflow, project file and hook config are valid YAML; the workflow diffs
    three-dot, finds its comment by the marker diff writes, and pins the documented tag."""
    from estimator import __version__
    from estimator.project import load_project
    from estimator.report.check import COMMENT_MARKER
    text = (ROOT / "docs" / "ci.md").read_text()
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    workflow = next(b for b in blocks if isinstance(b, dict) and "jobs" in b)
    steps = workflow["jobs"]["estimator"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert '--rev "origin/${{ github.base_ref }}...HEAD"' in runs
    assert COMMENT_MARKER in runs and "PATCH" in runs and "GITHUB_STEP_SUMMARY" in runs
    assert f"ai-compute-estimator @ git+<this repository's URL>@v{__version__}" in runs
    assert "pip install estimator" not in runs
    hooks_config = next(b for b in blocks if isinstance(b, dict) and "repos" in b)
    assert hooks_config["repos"][0]["rev"] == f"v{__version__}"
    assert {h["id"] for h in hooks_config["repos"][0]["hooks"]} == {h["id"] for h in hooks()}
    documented = next(b for b in re.findall(r"```yaml\n(.*?)```", text, re.S)
                      if b.startswith("scenarios:"))
    (tmp_path / "estimator.yaml").write_text(documented)
    cfg = load_project(str(tmp_path / "estimator.yaml")).config     # every key is a real one
    assert (cfg.catalog, cfg.baselines, cfg.tolerance) == ("catalog", "baselines", 0.02)


# --------------------------------------------------------------------------- one way to load

def test_allow_extends_reaches_every_command_that_loads_a_scenario(repo):
    """--allow-extends (and ESTIMATOR_ALLOW_EXTENDS) opens a folder outside the repository to
    `extends:` for check, project validate and diff --rev alike, on both sides of a diff."""
    shared = repo.parent / "shared-parts"
    shared.mkdir()
    (shared / "site.yaml").write_text(COMMON)
    git(repo, "checkout", "-qb", "team-c")
    (repo / "scenarios" / "teamC").mkdir()
    (repo / "scenarios" / "teamC" / "plan.yaml").write_text(
        TEAM.format(name="C", n=2000).replace("../common.yaml", str(shared / "site.yaml")))
    opened = ("--allow-extends", str(shared))
    res = run(*opened, "check", "--update-baseline")
    assert res.exit_code == 0, res.output
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "team C on the shared site")
    for args in (("check",), ("project", "validate"), ("diff", "--rev", "main...HEAD")):
        res = run(*args)                                # not opened: refused, saying how
        assert res.exit_code == 2 and "--allow-extends DIR" in res.output, (args, res.output)
        assert "estimator-rev-" not in res.output       # never the temporary folder
        res = run(*opened, *args)
        assert res.exit_code == 0, (args, res.output)
    res = CliRunner(env={"ESTIMATOR_ALLOW_EXTENDS": str(shared)}).invoke(
        main, ["diff", "--rev", "main...HEAD", "--format", "json"])
    assert changes_of(res)["scenarios/teamC/plan.yaml"]["status"] == "added"
    # a move in the shared file moves the scenario on both commands
    (shared / "site.yaml").write_text(COMMON.replace("pue: 1.3", "pue: 1.6"))
    res = run(*opened, "check", "scenarios/teamC/plan.yaml", "--baseline", "baselines")
    assert res.exit_code == 1 and "power.facility_w" in res.output
    git(repo, "commit", "-q", "--allow-empty", "-m", "nothing in the repository")
    res = run(*opened, "diff", "--rev", "HEAD~1..HEAD", "--format", "json")
    assert changes_of(res)["scenarios/teamC/plan.yaml"]["status"] == "unchanged"


def changes_of(res):
    assert res.exit_code == 0, res.output
    return {s["file"]: s for s in json.loads(res.output)["scenarios"]}


def test_a_revision_error_names_the_revision_not_a_temporary_folder(repo):
    git(repo, "checkout", "-qb", "outside")
    plan = repo / "scenarios" / "teamA" / "plan.yaml"
    plan.write_text(plan.read_text().replace("../common.yaml", "/nowhere/site.yaml"))
    (repo.parent / "elsewhere.yaml").write_text(COMMON)
    plan.write_text(plan.read_text().replace("/nowhere/site.yaml", "../../../elsewhere.yaml"))
    git(repo, "commit", "-qam", "a parent outside the repository")
    res = run("diff", "--rev", "main...HEAD")
    assert res.exit_code == 2
    assert "HEAD:scenarios/teamA/plan.yaml:2:10" in res.output
    assert "outside the project folder HEAD:" in res.output, res.output
    assert "estimator-rev-" not in res.output and "/tmp" not in res.output


def test_check_and_report_read_a_relative_override_alike(repo):
    """`--set fleets.pod.server_price=*0.8` where the price comes from the catalog scales the
    price the engine uses, in `check` as in `report`; both say so the same way when a relative
    value has nothing to scale."""
    plan = "scenarios/teamA/plan.yaml"
    cheaper = ("--set", "fleets.pod.server_price=*0.8")
    res = run("report", plan, *cheaper, "--format", "json")
    assert res.exit_code == 0, res.output
    reported = json.loads(res.output)["figures"]["capex.total_usd"]["value"]
    res = run("check", plan, "--baseline", "baselines", *cheaper, "--format", "json")
    assert res.exit_code == 1, res.output
    data = json.loads(res.output[: res.output.rindex("}") + 1])
    capex = {m["name"]: m for m in data["files"][0]["moves"]}["capex.total_usd"]
    assert capex["after"] == reported and capex["failed"]
    nothing = ("--set", "fleets.pod.delivery.months=*2")
    said = {next(x for x in run(cmd, plan, *nothing).output.splitlines()
                 if x.startswith("error:")) for cmd in ("report", "check")}
    assert len(said) == 1 and "fleets.pod.delivery.months" in said.pop()


def test_a_scenario_extends_a_shipped_scenario_by_name(repo):
    """`extends: h100-server` reads the shipped scenario (part of the installed tool, so no
    --allow-extends); a file of that name beside the scenario wins; a near miss is named."""
    mine = repo / "scenarios" / "two-servers.yaml"
    mine.write_text("scenario: Two servers\nextends: h100-server\n"
                    "datacenters: {colo: {it_capacity: 30 kW}}\nfleets: {dgx: {servers: 2}}\n"
                    "expect: {capex.total_usd: {between: [$600k, $900k]}}\n")
    res = run("report", "scenarios/two-servers.yaml", "--format", "json")
    assert res.exit_code == 0, res.output
    one = json.loads(run("report", "h100-server", "--format", "json").output)
    two = json.loads(res.output)
    assert two["scenario"] == "Two servers"
    assert two["figures"]["fleets.accelerators"]["value"] == 2 * one["figures"][
        "fleets.accelerators"]["value"]
    res = run("check", "--update-baseline")
    assert res.exit_code == 0, res.output
    assert "baselines/scenarios/two-servers.json" in res.output
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "two servers")
    res = run("diff", "--rev", "HEAD~1..HEAD", "--format", "json")
    assert changes_of(res)["scenarios/two-servers.yaml"]["status"] == "added"
    mine.write_text(mine.read_text().replace("h100-server", "h100-servr"))
    res = run("validate", "scenarios/two-servers.yaml")
    assert res.exit_code == 2
    assert "scenarios/two-servers.yaml:2:10" in res.output and "nor a shipped scenario" in res.output
    assert "did you mean 'h100-server'?" in res.output
    (repo / "scenarios" / "h100-server.yaml").write_text(COMMON.replace("20 MW", "30 MW"))
    mine.write_text(mine.read_text().replace("h100-servr", "h100-server.yaml"))
    res = run("validate", "scenarios/two-servers.yaml")      # the local file wins: no server
    assert res.exit_code == 2 and "server" in res.output


@pytest.mark.parametrize("width", [None, "60"])
def test_a_failed_check_says_what_failed_in_a_narrow_ci_log(repo, width):
    """At 80 columns (a CI log) or narrower, every moved figure's values are whole, the FAIL
    marks are there, and the summary line names the figures past the tolerance."""
    common = repo / "scenarios" / "common.yaml"
    common.write_text(common.read_text().replace("pue: 1.3", "pue: 1.5"))
    res = run("check", *(("--width", width) if width else ()))
    assert res.exit_code == 1
    assert "…" not in res.output and "\\n" not in res.output
    table = res.output[res.output.index("Moved since the baseline: scenarios/teamA"):
                       res.output.index("FAILED: scenarios/teamA")]
    fails = [line for line in table.splitlines() if line.strip().startswith("FAIL")]
    assert len(fails) == 4, res.output          # energy, power, opex total and run rate
    if width is None:                           # at 80 columns the names are whole too
        assert any("power.facility_w" in line for line in fails), res.output
    assert "15.2 MW" in table and "17.6 MW" in table and "(+15.4%)" in table
    summary = " ".join(res.output.split())
    assert "past the tolerance: energy.total_wh +15.4% (tolerance 1%), power.facility_w " \
        "+15.4% (tolerance 1%)" in summary
    assert "hint: if the moves are meant (or a baseline is missing), accept them with " \
        "`estimator check --update-baseline`" in summary
    md = run("check", "--format", "markdown").output
    assert "| ❌ | `power.facility_w` |" in md and "❌ a headline figure moved past its" in md


def test_every_json_output_ci_reads_matches_the_published_schema(repo):
    """check, diff (files, --compare-to, --rev) and side-by-side reports, each against its
    definition in docs/results.schema.json."""
    import jsonschema
    from referencing import Registry, Resource
    schema = json.loads((ROOT / "docs" / "results.schema.json").read_text())
    registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))

    def valid(output, definition):
        data = json.loads(output[: output.rindex("}") + 1])
        v = jsonschema.Draft202012Validator({"$ref": f"{schema['$id']}#/$defs/{definition}"},
                                            registry=registry)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in v.iter_errors(data)]
        assert not errors, (definition, errors[:3])
        return data

    git(repo, "checkout", "-qb", "change")
    common = repo / "scenarios" / "common.yaml"
    common.write_text(common.read_text().replace("pue: 1.3", "pue: 1.5"))
    (repo / "scenarios" / "teamB" / "plan.yaml").unlink()
    (repo / "scenarios" / "new.yaml").write_text(TEAM.format(name="N", n=10).replace("../", ""))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a move, a removal and an addition")
    data = valid(run("check", "--format", "json").output, "check")
    assert not data["passed"] and data["orphan_baselines"]
    assert any(m.get("failed") for f in data["files"] for m in f["moves"])
    data = valid(run("diff", "--rev", "main...HEAD", "--format", "json").output, "changes")
    assert {s["status"] for s in data["scenarios"]} == {"changed", "added", "removed"}
    valid(run("diff", "scenarios/teamA/plan.yaml", "scenarios/new.yaml", "--format",
              "json").output, "diff")
    run("report", "scenarios/new.yaml", "--format", "json", "-o", "new.json")
    valid(run("diff", "scenarios/teamA/plan.yaml", "--compare-to", "new.json", "--format",
              "json").output, "diff")
    data = valid(run("report", "scenarios/teamA/plan.yaml", "scenarios/new.yaml", "--format",
                     "json").output, "side_by_side")
    assert len(data["scenarios"]) == 2
    valid(run("report", "--acquire", "owned,rented", "--format", "json").output, "side_by_side")


def test_a_glob_that_matches_nothing_fails_instead_of_checking_nothing(repo):
    """A mistyped 'scenarios:' glob would let CI pass with 0 of 0 scenarios checked."""
    (repo / "estimator.yaml").write_text(PROJECT.replace("scenarios/**/*.yaml", "scenario/*.yaml"))
    for args in (("check",), ("project", "validate"),
                 ("project", "validate", "scenarios/teamA/plan.yaml")):
        res = run(*args)
        assert res.exit_code == 2, (args, res.output)
        assert "estimator.yaml:1:12: at scenarios: 'scenarios:' matches no scenario file" \
            in res.output and "YAML files are in: scenarios, scenarios/teamA" in res.output


def test_the_python_api_reads_a_project_scenario_with_the_project_catalog(repo):
    """`estimator.estimate(path)` of a scenario in a project gives the figures `estimator
    report` prints there: the project's `catalog:`, unless a catalog is passed."""
    import estimator
    servers = repo / "catalog" / "servers.yaml"
    servers.write_text(servers.read_text().replace("value: $300k", "value: $250k"))
    plan = repo / "scenarios" / "teamA" / "plan.yaml"
    cli = json.loads(run("report", str(plan), "--format", "json").output)
    api = estimator.estimate(plan)
    assert api.value("capex.total_usd") == cli["figures"]["capex.total_usd"]["value"]
    shipped = estimator.estimate(plan, catalog=ROOT / "configs" / "catalog")
    assert shipped.value("capex.total_usd") > api.value("capex.total_usd")
    assert estimator.load(str(plan)).fleets["pod"].server == "dgx-h100"


def test_the_pull_request_comment_stays_within_what_github_accepts():
    """GitHub refuses a comment over 65,536 characters (the workflow's step would fail): with
    hundreds of scenarios moved, the comment keeps its summary and as many details as fit."""
    from estimator import check as ck
    from estimator.gitrev import Side
    from estimator.report.check import changes_markdown
    from estimator.revdiff import Changes, Evaluated, ScenarioChange
    moves = [ck.Move(f"capex.fleets.pod{i}.servers_usd", "money", 1e6, 2e6, 1e6, 1.0, 0.02,
                     i < 3, False, "moved") for i in range(60)]
    scenarios = [ScenarioChange(f"scenarios/team{i:03d}/plan.yaml", f"Team {i}", "changed",
                                ck.Diff(moves[:5], moves)) for i in range(300)]
    side = Evaluated(Side("main", "a" * 40), "catalog", None, {}, {}, {})
    text = changes_markdown(Changes(side, side._replace(side=Side("HEAD", "b" * 40)), scenarios))
    assert len(text) <= 65_536
    assert text.count("<details") >= 5 and "| … and 100 more | | | | |" in text
    assert "The details of" in text and "more scenario(s) are left out" in text
    small = changes_markdown(Changes(side, side, scenarios[:3]))
    assert small.count("<details") == 3 and "left out" not in small


def test_diff_of_a_fragment_compares_the_scenarios_that_extend_it(repo):
    common = repo / "scenarios" / "common.yaml"
    common.write_text(common.read_text().replace("pue: 1.3", "pue: 1.5"))
    res = run("diff", "scenarios/common.yaml", "--rev", "main", "--format", "json")
    got = changes_of(res)
    assert set(got) == {"scenarios/teamA/plan.yaml", "scenarios/teamB/plan.yaml"}
    assert all(s["status"] == "changed" for s in got.values())
    res = run("validate", "scenarios/common.yaml")
    assert res.exit_code == 0 and "ok: scenarios/common.yaml (a fragment: checked through " \
        in res.output, res.output
    res = run("check", "scenarios/common.yaml", "--baseline", "baselines")
    assert res.exit_code == 1, res.output                   # PUE 1.3 -> 1.5 moves both plans
    assert "check failed: scenarios/teamA/plan.yaml, scenarios/teamB/plan.yaml" in res.output


def test_a_fragment_no_scenario_extends_is_an_error_not_an_empty_pass(repo):
    """check, validate and diff --rev of a fragment nothing extends would check nothing and
    pass (exit 0, '0 of 0'): each says so with exit 2."""
    (repo / "estimator.yaml").write_text(PROJECT + "fragments: [scenarios/parts/*.yaml]\n")
    (repo / "scenarios" / "parts").mkdir()
    (repo / "scenarios" / "parts" / "orphan.yaml").write_text(
        "horizon: {start: 2025-01, end: 2025-12}\n")
    for args in (["check", "scenarios/parts/orphan.yaml"],
                 ["validate", "scenarios/parts/orphan.yaml"],
                 ["diff", "scenarios/parts/orphan.yaml", "--rev", "main"]):
        res = run(*args)
        assert res.exit_code == 2, (args, res.output)
        assert "no scenario extends it: there is nothing to check" in res.output, res.output


def test_completion_offers_the_figures_of_a_scenario_that_needs_the_project_catalog(repo):
    """A scenario whose fleet uses a server type only the project's catalog has still
    completes its figure names (completion read the installed catalog, failed, and went
    quiet)."""
    from click.shell_completion import ShellComplete
    servers = repo / "catalog" / "servers.yaml"
    servers.write_text(servers.read_text().replace("  dgx-h100:", "  our-dgx:", 1))
    plan = repo / "scenarios" / "teamA" / "plan.yaml"
    plan.write_text(plan.read_text().replace("server: dgx-h100", "server: our-dgx"))
    assert run("validate", "scenarios/teamA/plan.yaml").exit_code == 0
    comp = ShellComplete(main, {}, "estimator", "_ESTIMATOR_COMPLETE")
    got = [c.value for c in comp.get_completions(["explain", "scenarios/teamA/plan.yaml"],
                                                 "capex.tot")]
    assert "capex.total_usd" in got
