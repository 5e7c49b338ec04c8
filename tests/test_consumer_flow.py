"""A consumer repository end to end, as its CI runs it: real processes, real exit codes.

A team's repository with an estimator.yaml, its own catalog folder, a fragment, a scenario that
extends it and one that extends a shipped scenario by name; baselines accepted on main; a branch
that moves a figure by accident. Each step runs the command docs/ci.md gives a CI job, in a
process of its own (stdout not a terminal, as in a CI log), and checks what the job relies on:
the exit code (0 clean, 1 moved past the tolerance, 2 bad input), plain text with no escape
codes, and the comment file the sticky-comment step posts.
"""
import os
import shutil
import subprocess
import sys

from conftest import ROOT

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}

FILES = {
    "estimator.yaml": "scenarios: [scenarios/**/*.yaml]\ncatalog: catalog\n"
                      "baselines: baselines\ntolerance: 2%\nfragments: [scenarios/parts/*.yaml]\n",
    "scenarios/parts/site.yaml": "horizon: {start: 2025-01, end: 2026-12}\n"
                                 "datacenters: {dc: {it_capacity: 5 MW, pue: 1.3}}\n",
    "scenarios/cluster.yaml": "scenario: Our cluster\nextends: parts/site.yaml\n"
                              "fleets: {pod: {server: dgx-h100, accelerators: 2000, site: dc}}\n",
    "scenarios/two-servers.yaml": "scenario: Two servers\nextends: h100-server\n"
                                  "datacenters: {colo: {it_capacity: 30 kW}}\n"
                                  "fleets: {dgx: {servers: 2}}\n"
                                  "expect: {capex.total_usd: {between: [$600k, $900k]}}\n",
}


def estimator(repo, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([sys.executable, "-m", "estimator", *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=120)


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, env=dict(os.environ, **GIT_ENV), check=True,
                   capture_output=True)


def test_a_consumer_repository_in_ci(tmp_path):
    repo = tmp_path / "plans"
    for name, text in FILES.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    shutil.copytree(ROOT / "configs" / "catalog", repo / "catalog")
    git(repo, "init", "-q", "-b", "main")
    res = estimator(repo, "check", "--update-baseline")
    assert res.returncode == 0, res.stdout + res.stderr
    assert (repo / "baselines" / "scenarios" / "two-servers.json").is_file()
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "plans and baselines")
    res = estimator(repo, "check")
    assert res.returncode == 0 and "2 of 2 scenario(s) passed" in res.stdout

    # a branch moves the site's PUE "by accident": check fails with 1, naming the figure
    git(repo, "checkout", "-qb", "tidy-up")
    site = repo / "scenarios" / "parts" / "site.yaml"
    site.write_text(site.read_text().replace("pue: 1.3", "pue: 1.4"))
    git(repo, "commit", "-qam", "tidy the site file")
    res = estimator(repo, "check")
    assert res.returncode == 1, res.stdout + res.stderr
    assert "\x1b" not in res.stdout + res.stderr              # a CI log: no escape codes
    assert "FAIL" in res.stdout and "power.facility_w" in res.stdout
    assert "check failed: scenarios/cluster.yaml" in res.stderr
    assert "two-servers" not in res.stderr                   # the shipped parent did not move

    # the sticky comment: what the branch moved since it forked, scenario by scenario
    res = estimator(repo, "diff", "--rev", "main...HEAD", "--format", "markdown",
                    "-o", "comment.md")
    assert res.returncode == 0, res.stderr
    comment = (repo / "comment.md").read_text()
    assert comment.startswith("<!-- estimator-diff -->")
    assert "| `scenarios/cluster.yaml` — Our cluster | changed |" in comment
    assert "`power.facility_w`" in comment and "`inputs.datacenters.dc.pue`" in comment
    assert "two-servers" not in comment.split("</details>")[0].split("| scenario |")[1]

    # bad input is 2, located, never a traceback; the comment file is still written
    site.write_text(site.read_text().replace("pue: 1.4", "pue: [1.4"))
    git(repo, "commit", "-qam", "a typo")
    res = estimator(repo, "check")
    assert res.returncode == 2 and "scenarios/parts/site.yaml:2:" in res.stderr
    assert "Traceback" not in res.stderr
    # ...and the other scenarios are still checked and reported, in the summary file too
    assert "passed: scenarios/two-servers.yaml" in res.stdout
    assert "ERROR: scenarios/cluster.yaml: not evaluated" in res.stdout
    res = estimator(repo, "check", "--format", "markdown", "-o", "check.md")
    assert res.returncode == 2
    summary = (repo / "check.md").read_text()
    assert "**scenarios/two-servers.yaml** — ✅ passed" in summary
    assert "**scenarios/cluster.yaml** — ⚠️ not evaluated" in summary
    assert "scenarios/parts/site.yaml:2:" in summary
    res = estimator(repo, "diff", "--rev", "main...HEAD", "--format", "markdown",
                    "-o", "comment.md")
    assert res.returncode == 2 and "HEAD:scenarios/parts/site.yaml:2:" in res.stderr
    assert "not evaluated" in (repo / "comment.md").read_text()
