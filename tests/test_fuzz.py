"""A short, seeded fuzz budget on every build (bench/fuzz.py runs longer ones)."""
import os

from conftest import BAD_CORPUS, RUNAWAY_SECONDS, SCENARIOS
from estimator import fuzz

BUDGET = int(os.environ.get("ESTIMATOR_FUZZ_BUDGET", "300"))


def test_mutated_scenarios_end_in_a_result_or_an_input_error(tmp_path, catalog):
    from estimator.config.loader import load
    from estimator.engine import estimate
    from estimator.report import json as jr

    path = tmp_path / "fuzz.yaml"

    def evaluate(text: str):
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        jr.render(estimate(load(str(path), catalog=catalog), catalog))

    seeds = list(fuzz.corpus(sorted(SCENARIOS.glob("*.yaml")) + sorted(BAD_CORPUS.glob("*.yaml"))))
    out = fuzz.run(seeds, BUDGET, seed=20261126, evaluate=evaluate)
    assert not out.failures, out.failures[:3]
    assert out.results > 0 and out.input_errors > 0     # the budget exercised both paths
    assert out.slowest < RUNAWAY_SECONDS


CLI_BUDGET = int(os.environ.get("ESTIMATOR_FUZZ_CLI_BUDGET", "150"))


def test_mutated_scenarios_through_every_command_and_format(tmp_path):
    """Every command and output format, with huge numbers, hostile names and deep paths."""
    import random
    seeds = list(fuzz.corpus(sorted(SCENARIOS.glob("*.yaml")) + sorted(BAD_CORPUS.glob("*.yaml"))))
    small = [s for s in seeds if len(s) < 20_000]      # the long-budget run takes every file
    evaluate = fuzz.cli_evaluator(str(tmp_path), random.Random(7))
    out = fuzz.run(small, CLI_BUDGET, seed=20261127, evaluate=evaluate)
    assert not out.failures, out.failures[:3]
    assert out.results > 0 and out.input_errors > 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".estimator-")]
