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

from conftest import ROOT
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
    assert seconds < 2.0, seconds
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
    assert what in out and "past the budget of 1.5e+10" in out and "samples fit" in out, out


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
