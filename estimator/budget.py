"""Work and output budgets, checked before the work starts.

The engine's cost grows with the months of the horizon times the items of a scenario
(training runs, and at an eighth of a run each: sites, fleets, contracts, entities, raises,
loans, equity tranches), times the samples drawn, times the passes a command
makes over the engine. One function measures that, :func:`work`, and one refuses past the
budget, :func:`check_work`, naming the limit and the figure; every command that runs the
engine more than once (``simulate``, ``sensitivity``, ``solve``) calls it first.

Monte Carlo passes are metered too: a command states its work once, :func:`allow`, which
refuses past the budget before anything runs and returns an :class:`Allowance`; every pass
over a chunk of samples (:func:`estimator.engine.uncertainty.evaluate`, which takes the
allowance) charges it first. So no Monte Carlo pass runs unchecked -- the report's own
uncertainty line, ``simulate``, ``sensitivity`` (tornado and Sobol) and
``solve --confidence`` alike -- and a search whose passes outrun its estimate stops, with
the same message, before the pass that would go past the budget.

Measured on the development machine (one core, 2,000 samples over 600 months): the
funding and timeline work of a month costs what about 60 training runs do (41 ns per
sample-month), a run about 0.67 ns, a site or fleet about an eighth of that. The budget,
:data:`MAX_WORK`, is about 10 s of one core: 2,000,000 samples of the shipped OpenAI
scenario (9.9e9) and 10,000 of a scenario at every size limit (1.24e10) fit.
"""
from __future__ import annotations

import math

from .errors import BudgetError

#: sample-month-items one command may ask of the engine (about 10 s of one core)
MAX_WORK = 15_000_000_000
#: the work of a month that every scenario has (funding, timeline), in training runs' worth
BASE_ITEMS = 60
#: the fixed cost of one pass over the engine, in samples' worth of work: measured (one
#: core, freed memory reused) 5.1 ms a pass against 1.6 us a sample on the OpenAI scenario
#: (~3,150 samples' worth; 1M samples in chunks of 2,000 vs 40,000: 4.19 s vs 1.75 s) and
#: 0.37 s against 0.47 ms on the scenario at every size limit (~800). Schedule inputs
#: multiply the passes (one per combination of their values in a chunk), so this must not
#: be small: at 100, 100,000 samples with four uncertain start months (1,296
#: combinations) passed as 3.5e9 and took 32 s
PASS_OVERHEAD_SAMPLES = 1000
#: the most bytes one output may have (a report, a CSV, a JSON file)
MAX_OUTPUT_BYTES = 256 * 1024 * 1024


#: what one site, fleet, contract, entity, raise, loan or equity tranche costs per month and
#: sample, against a training run: measured 200 of each over 600 months and 200 samples
#: (runs 0.47 s, sites and fleets 0.11 s, loans 0.12 s, raises 0.04 s, empty 0.08 s)
LIGHT_ITEM = 1 / 8


def items(scenario) -> float:
    """What the engine does each month, in training runs' worth: BASE_ITEMS, plus 1 per run
    and 1/8 per site, fleet, contract, entity, raise, loan or equity tranche."""
    fundings = [scenario.funding] + [e.funding for e in
                                     (getattr(scenario, "entities", None) or {}).values()]
    light = len(scenario.datacenters or {}) + len(scenario.fleets or {}) + \
        len(getattr(scenario, "contracts", None) or ()) + \
        len(getattr(scenario, "entities", None) or {})
    for f in fundings:
        if f is not None:
            light += sum(len(getattr(f, key, None) or ()) for key in ("raises", "debt", "equity"))
    return BASE_ITEMS + len(scenario.training or ()) + light * LIGHT_ITEM


def work(scenario, samples: int = 1, passes: int = 1, chunk: int | None = None, *,
         groups: int = 1) -> int:
    """Sample-month-items of ``passes`` passes of ``samples`` samples (in chunks of ``chunk``;
    ``groups`` engine runs a chunk, one per combination of uncertain schedule values)."""
    chunks = math.ceil(samples / chunk) if chunk else 1
    per_pass = samples + PASS_OVERHEAD_SAMPLES * chunks * max(int(groups), 1)
    return int(passes * per_pass * scenario.horizon.months * items(scenario))


def check_work(scenario, what: str, *, samples: int = 1, passes: int = 1,
               chunk: int | None = None, groups: int = 1) -> int:
    """Refuse (exit 2) work past :data:`MAX_WORK` before it starts; return the work otherwise.

    ``what`` names the command and its request in the message, e.g. ``"simulate -n 10000"``.
    """
    w = work(scenario, samples, passes, chunk, groups=groups)
    if w > MAX_WORK:
        raise _refusal(scenario, what, w, samples, passes, (chunk, groups))
    return w


def _refusal(scenario, what: str, w: float, samples: int, passes: float,
             chunking: tuple) -> BudgetError:
    months, n = scenario.horizon.months, items(scenario)
    most = _most_samples(scenario, passes, chunking)
    return BudgetError(
        f"{what}: {w:.3g} sample-month-items of work is past the budget of {MAX_WORK:.3g} "
        f"({passes:,.3g} pass(es) x {samples:,} sample(s) x {months:,} months x {n:,.4g} "
        "items)"
        + (f"; at most {most:,} samples fit" if samples > 1 and most >= 1 else
           "; shorten the horizon or use fewer sites, fleets, runs, raises or loans"))


class Allowance:
    """Work one command may ask of the engine, metered pass by pass against :data:`MAX_WORK`.

    Made by :func:`allow`, which checks the work the command expects before any is done.
    :meth:`charge` is called before each pass over a chunk of samples and refuses the pass
    that would take the command's work past the budget (a search needing more passes than
    it expected), with the same message.
    """

    def __init__(self, scenario, what: str, samples: int, passes: float, chunking: tuple):
        self.scenario, self.what, self.samples = scenario, what, samples
        self.passes, self.chunking, self.used = passes, chunking, 0

    @property
    def chunk(self) -> int | None:
        """Samples per chunk the command was allowed with."""
        return self.chunking[0]

    def charge(self, rows: int) -> None:
        """Account for one engine run over ``rows`` samples (a chunk, or one schedule group
        of a chunk), before it runs: each run costs its samples and its fixed overhead."""
        cost = work(self.scenario, rows, 1, rows)
        if self.used + cost > MAX_WORK:
            chunk, groups = self.chunking
            full = max(work(self.scenario, self.samples, 1, chunk, groups=groups), 1)
            raise _refusal(self.scenario, f"{self.what}, past the {self.passes:,.3g} pass(es) "
                           "it expected", self.used + cost, self.samples,
                           (self.used + cost) / full, self.chunking)
        self.used += cost


def allow(scenario, what: str, *, samples: int = 1, passes: float = 1,
          chunk: int | None = None, groups: int = 1) -> Allowance:
    """:func:`check_work` on what a Monte Carlo command expects, then its :class:`Allowance`.

    ``passes`` may be an estimate (a search's typical count): the allowance still stops the
    command at :data:`MAX_WORK` if it needs more. ``groups``: engine runs per chunk (one per
    combination of uncertain schedule values in it, see
    :func:`estimator.engine.uncertainty.schedule_groups`).
    """
    check_work(scenario, what, samples=samples, passes=passes, chunk=chunk, groups=groups)
    return Allowance(scenario, what, samples, passes, (chunk, groups))


def _most_samples(scenario, passes: int, chunking: tuple) -> int:
    chunk, groups = chunking
    lo, hi = 0, 2 ** 40
    while lo < hi:                              # largest sample count within the budget
        mid = (lo + hi + 1) // 2
        if work(scenario, mid, passes, chunk, groups=min(groups, mid)) <= MAX_WORK:
            lo = mid
        else:
            hi = mid - 1
    return lo


def check_output(size: int, what: str) -> None:
    """Refuse an output past :data:`MAX_OUTPUT_BYTES` before it is built."""
    if size > MAX_OUTPUT_BYTES:
        raise BudgetError(f"{what} would be about {size:,} bytes: the limit is "
                          f"{MAX_OUTPUT_BYTES:,}")
