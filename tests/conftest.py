import os
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "configs" / "scenarios"
SHARED_BAD = ROOT.parent / "shared" / "bad-inputs"
BAD_CORPUS = Path(__file__).resolve().parent / "bad"

#: wall-clock bound for a refusal or a fuzzed input: it catches what runs away (a file read
#: forever, an alias bomb, a quadratic error list take minutes or never end), not speed.
#: Refusals take ~0.1-0.5 s; how fast they are is measured in bench/ (bench/hostile.py,
#: bench/fuzz.py), not asserted here, where a loaded CI machine would make it flaky.
RUNAWAY_SECONDS = 10.0


@pytest.fixture(scope="session")
def catalog():
    from estimator.catalog import load_catalog
    return load_catalog()


@pytest.fixture
def write(tmp_path):
    """Write a dedented YAML file into tmp_path and return its path."""
    def _write(text: str, name: str = "s.yaml") -> str:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
        return str(p)
    return _write


def shipped():
    return sorted(SCENARIOS.glob("*.yaml"))


BASE = """\
scenario: test
horizon: {start: 2025-01, end: 2026-12}
"""


@pytest.fixture
def estimate_text(write, catalog):
    """Load and estimate a scenario given as YAML text."""
    from estimator.config.loader import load
    from estimator.engine import estimate

    def _run(text: str, overrides=()):
        return estimate(load(write(text), overrides, catalog=catalog), catalog)
    return _run


GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture
def golden():
    """Compare text with tests/golden/NAME; regenerate with ESTIMATOR_UPDATE_GOLDEN=1 pytest."""
    def _check(name: str, text: str):
        path = GOLDEN / name
        if os.environ.get("ESTIMATOR_UPDATE_GOLDEN"):
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
            return
        assert path.exists(), f"no golden file {name}: run ESTIMATOR_UPDATE_GOLDEN=1 pytest"
        assert text == path.read_text(), f"{name} differs: run ESTIMATOR_UPDATE_GOLDEN=1 pytest and review the diff"
    return _check


def engine_at(scenario, sim, i: int, catalog):
    """The deterministic engine at Monte Carlo sample ``i`` (inputs from ``keep_draws``)."""
    import numpy as np
    from estimator.distributions import Dist, collect, substitute
    from estimator.engine import estimate_values
    point = {id(d): d.field_value(np.asarray(sim.draws[p][i])) for p, d in collect(scenario)}
    return estimate_values(substitute(scenario, lambda d: point[id(d)] if isinstance(d, Dist)
                                      else d), catalog)
