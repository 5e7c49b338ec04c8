"""The work budget: every command that runs Monte Carlo passes is metered by one allowance.

Each command is run in process against a scenario past the budget: the shipped OpenAI
scenario with the budget lowered (estimator.budget.MAX_WORK), and the hostile corpus's
scenario at every size limit (tests/bad/work-past-budget.yaml) at the real budget. Every
one exits 2 with the budget's message, before a single Monte Carlo pass runs.
"""
import os
import time

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import ROOT, RUNAWAY_SECONDS
from estimator import budget
from estimator.cli import main
from estimator.engine import uncertainty

LIMITS = os.path.join("tests", "bad", "work-past-budget.yaml")


@pytest.fixture
def passes(monkeypatch):
    """Counts the Monte Carlo engine passes a command makes."""
    count = [0]
    real = uncertainty.Passes.run

    def run(self, cols, n):
        count[0] += 1
        return real(self, cols, n)
    monkeypatch.setattr(uncertainty.Passes, "run", run)
    return count


def refused(args, passes):
    t0 = time.perf_counter()
    res = CliRunner().invoke(main, args)
    seconds = time.perf_counter() - t0
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output
    assert res.exit_code == 2, res.output[-2000:]
    assert passes[0] == 0, "a Monte Carlo pass ran before the refusal"
    assert seconds < RUNAWAY_SECONDS, seconds
    return res.output


# the report's own uncertainty line (2,000 draws) goes through it as every other command;
# explain builds the same report
LOWERED = {
    "report": (["report", "openai-40b", "--format", "json"],
               "report: the uncertainty line's 2,000 draws"),
    "report-table": (["report", "openai-40b"], "report: the uncertainty line's 2,000 draws"),
    "explain": (["explain", "openai-40b", "funding.covered"],
                "report: the uncertainty line's 2,000 draws"),
    "simulate": (["simulate", "openai-40b", "-n", "1000"], "simulate --samples 1000"),
    "sensitivity": (["sensitivity", "openai-40b"], "sensitivity of 6 uncertain input(s)"),
    "sobol": (["sensitivity", "openai-40b", "--method", "sobol", "-n", "64"],
              "sensitivity --method sobol --samples 64 (N = 64"),
    "solve-confidence": (["solve", "openai-40b", "--confidence", "90%", "-n", "1000"],
                         "solve --confidence 90% --samples 1000"),
}


@pytest.mark.parametrize("label", sorted(LOWERED))
def test_every_monte_carlo_command_refuses_past_a_lowered_budget(label, monkeypatch, passes):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(budget, "MAX_WORK", 100_000)
    args, what = LOWERED[label]
    out = refused(args, passes)
    assert what in out and "sample-month-items of work is past the budget of 1e+05" in out, out


def test_the_same_commands_run_within_the_budget(monkeypatch, passes):
    """The refusals above are the budget's: at the real budget the same requests run."""
    monkeypatch.chdir(ROOT)
    res = CliRunner().invoke(main, ["simulate", "openai-40b", "-n", "1000", "--format", "json"])
    assert res.exit_code == 0, res.output[-2000:]
    assert passes[0] >= 1


# the scenario at every size limit, at the real budget: the commands that used to run
# unmetered (for minutes) are refused up front
LIMIT_COMMANDS = {
    "solve-confidence": (["solve", LIMITS, "--confidence", "90%"],
                         "solve --confidence 90% --samples 100000: "),
    "sobol": (["sensitivity", LIMITS, "--method", "sobol"],
              "sensitivity --method sobol --samples 1024 (N = 1,024"),
    # both: the Sobol design is refused before the tornado runs any pass
    "both": (["sensitivity", LIMITS, "--method", "both"],
             "sensitivity --method sobol --samples 1024 (N = 1,024"),
    "simulate": (["simulate", LIMITS, "-n", "2000000"], "simulate --samples 2000000: "),
}


@pytest.mark.parametrize("label", sorted(LIMIT_COMMANDS))
def test_the_size_limit_scenario_is_refused_at_the_real_budget(label, monkeypatch, passes):
    monkeypatch.chdir(ROOT)
    args, what = LIMIT_COMMANDS[label]
    out = refused(args, passes)
    # how many samples would fit, or (when not even one would: 100 passes of Sobol over
    # a model this size) what to make smaller
    assert what in out and "past the budget of 1.5e+10" in out and (
        "samples fit" in out or "shorten the horizon or use fewer" in out), out


def test_the_allowance_charges_what_check_work_measures(catalog):
    """Chunk by chunk, the passes charge exactly the work the up-front check measured."""
    from estimator.api import load
    scn = load("openai-40b")
    allowance = budget.allow(scn, "test", samples=250, chunk=100)
    found = uncertainty.distributions_of(scn)
    uncertainty.evaluate(scn, catalog, uncertainty.drawn_chunks(found, 1, 250, 100),
                         allowance, found=found)
    assert allowance.used == budget.work(scn, 250, 1, 100) > 0


def test_a_search_past_its_expected_passes_stops_before_the_pass_past_the_budget(
        monkeypatch):
    from estimator.api import load
    from estimator.errors import BudgetError
    scn = load("openai-40b")
    per_pass = budget.work(scn, 1000, 1, 1000)
    monkeypatch.setattr(budget, "MAX_WORK", int(2.5 * per_pass))
    allowance = budget.allow(scn, "solve --confidence 90% --samples 1000", samples=1000,
                             passes=2, chunk=1000)
    allowance.charge(1000)
    allowance.charge(1000)
    with pytest.raises(BudgetError) as e:
        allowance.charge(1000)
    assert "solve --confidence 90% --samples 1000, past the 2 pass(es) it expected" in str(e.value)
    assert "(3 pass(es) x 1,000 sample(s)" in str(e.value)
    assert allowance.used == 2 * per_pass            # the refused pass was not counted
    assert np.isclose(budget.work(scn, 1000, 2, 1000), 2 * per_pass)


SCHEDULES = """\
extends: openai-40b
uncertainty:
  training[0].start: {low: 2027-01, high: 2027-06}
  training[1].start: {low: 2028-01, high: 2028-06}
  training[2].start: {low: 2029-01, high: 2029-06}
  training[3].start: {low: 2030-01, high: 2030-06}
"""


def test_each_schedule_group_is_a_pass_of_its_own(tmp_path, monkeypatch, passes):
    """Four uncertain start months take 6^4 = 1,296 combinations: a chunk runs the engine
    once per combination in it. The allowance counts those runs, up front and as they go:
    the request that fits without them is refused, and what runs is charged run by run."""
    from estimator.api import load
    from estimator.engine.uncertainty import chunk_size, simulate
    path = tmp_path / "sched.yaml"          # extends: a shipped scenario, by name
    path.write_text(SCHEDULES)
    scn = load(str(path))
    plain = budget.work(scn, 20_000, 1, chunk_size(scn))
    monkeypatch.setattr(budget, "MAX_WORK", plain * 2)     # 20,000 plain samples fit twice
    with pytest.raises(budget.BudgetError, match="samples fit"):
        simulate(scn, None, 20_000, 1)
    assert passes[0] == 0
    monkeypatch.setattr(budget, "MAX_WORK", 10 ** 12)
    seen = []
    real = budget.Allowance.charge
    monkeypatch.setattr(budget.Allowance, "charge",
                        lambda self, rows: seen.append(rows) or real(self, rows))
    from estimator.catalog import load_catalog
    simulate(scn, load_catalog(), 600, 1)
    assert len(seen) == passes[0] > 100 and sum(seen) == 600
