"""Monte Carlo and one-at-a-time sensitivity, on the same engine as every report.

:func:`simulate` replaces each distribution in the model by a numpy array of draws and
runs :func:`~estimator.engine.estimate_values` on it, chunk by chunk, so memory stays
flat however many samples are asked for. :func:`sensitivity` moves one uncertain input
at a time to its 10th and 90th percentile and records how a chosen figure swings.
"""
from __future__ import annotations

import itertools
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence

import numpy as np

from ..budget import Allowance, allow
from ..distributions import Dist, collect, draw_raw, holders, substitute
from ..errors import InputError, UnknownFigure, did_you_mean
from ..units import DIMENSIONS
from .memory import reused_memory

#: elements (samples x months) of one monthly series of a chunk: bounds the memory. Each
#: chunk costs a pass of the engine in Python (about 5 ms on the OpenAI scenario), so small
#: chunks are slow: 1M samples of it take 4.2 s of CPU at 2,000 samples a chunk, 2.2 s at
#: 5,555 and 1.8 s at 20,000 (1.5M elements), flat beyond. A large model (many sites,
#: fleets, runs) has a larger per-chunk cost, so the chunk grows with the model, up to
#: CHUNK_MAX (about 650 MB of peak memory at the size limits).
CHUNK_ELEMENTS = 1_500_000
CHUNK_MAX = 2_400_000
MAX_SAMPLES = 2_000_000   # the kept headline values stay well under 1 GB


class Summary(NamedTuple):
    name: str
    unit: str
    mean: float
    p10: float
    p50: float
    p90: float


class MonthSummary(NamedTuple):
    """A month-valued figure over the samples; ``None`` where it does not happen (never)."""
    name: str
    formula: str
    share: float                    # of samples where the month exists
    p10: Optional[str]
    p50: Optional[str]
    p90: Optional[str]
    before: Dict[str, float]        # month -> P(the month falls before it)


class Simulation(NamedTuple):
    samples: int
    seed: int
    inputs: List[tuple]                 # (path, Dist)
    probability_covered: Optional[float]
    figures: List[Summary]
    values: Dict[str, np.ndarray]       # headline figures, one value per sample
    draws: Dict[str, np.ndarray]        # input path -> samples (only when kept)
    months: List[MonthSummary] = []
    month_values: Dict[str, np.ndarray] = {}   # name -> month offset per sample (-1: never)
    labels: List[str] = []              # the horizon's months, for month offsets


#: month-valued figures taken from the monthly cash balance of every sample
MONTH_FIGURES = {
    "funding.gap_month": "first month the cash balance is below zero in the window (the month "
                         "the cash runs out)",
    "funding.min_balance_month": "month of the lowest cash balance in the window",
    "funding.peak_need_month": "first month the peak funding need (the most cumulative burn) "
                               "is reached",
}


def distributions_of(scenario) -> List[tuple]:
    found = collect(scenario)
    if not found:
        raise InputError("the scenario has no uncertain inputs: write a distribution such as "
                         "{low: 30%, high: 50%} where a number goes, or add an 'uncertainty:' block")
    return found


def work(samples: int, months: int, items: int = 1) -> int:
    """Elements the engine touches for a run: samples x months x items (a budget's measure)."""
    return int(samples) * max(int(months), 1) * max(int(items), 1)


def items(scenario) -> int:
    """Sites, fleets and runs: what the engine loops over once per chunk."""
    return (len(scenario.datacenters or {}) + len(scenario.fleets or {})
            + len(scenario.training))


#: distinct combinations of schedule values (dates, build times, lives, windows) that a
#: Monte Carlo may need: each one is an engine pass per chunk, so past this the run would
#: crawl through a Python loop of passes
MAX_SCHEDULE_COMBINATIONS = 2000


def schedule_combinations(found: List[tuple]) -> List[tuple]:
    """(input, number of values it can take) for each schedule input (0.1% tails cut)."""
    out = []
    for key, members in groups(found).items():
        d = members[0][1]
        if not d.discrete:
            continue
        if d.kind == "choice":
            count = len(set(np.asarray(d.apply(np.asarray(d.params["choices"]))).tolist()))
        else:
            lo, hi = d.ppf(np.array([0.001, 0.999]))
            count = int(round((hi - lo) / d.quantum)) + 1
        out.append((str(key), count))
    return out


def check_schedules(found: List[tuple], points: int) -> int:
    """Refuse a run whose schedule inputs would need more engine passes than points allow;
    else the number of combinations of their values (the engine runs a chunk needs, at most:
    one per combination present in it)."""
    counts = schedule_combinations(found)
    total = int(np.prod([c for _, c in counts], dtype=float)) if counts else 1
    if total > MAX_SCHEDULE_COMBINATIONS and points > MAX_SCHEDULE_COMBINATIONS:
        raise InputError(
            f"the uncertain schedule inputs can take {total:,} combinations of values (limit "
            f"{MAX_SCHEDULE_COMBINATIONS:,}); each is one pass of the engine: "
            + ", ".join(f"{k} ({c})" for k, c in counts)
            + ". Give fewer of them, narrower ranges, or 'choices:' of a few values")
    return total


def chunk_size(scenario) -> int:
    """Samples per chunk: one monthly series of a chunk holds CHUNK_ELEMENTS values, more
    (up to CHUNK_MAX) for a model with many items."""
    elements = min(CHUNK_MAX, CHUNK_ELEMENTS * (1 + items(scenario) // 100))
    return max(1, elements // work(1, scenario.horizon.months))


def group_key(path: str, d: Dist):
    """Inputs that share a key (one 'uncertainty:' wildcard entry) are one input."""
    return d.key if d.key is not None else path


def groups(found: List[tuple]) -> Dict[object, List[tuple]]:
    out: Dict[object, List[tuple]] = {}
    for path, d in found:
        out.setdefault(group_key(path, d), []).append((path, d))
    return out


class Evaluation(NamedTuple):
    values: Dict[str, np.ndarray]       # headline scalar figures, one value per row
    units: Dict[str, str]
    months: Dict[str, np.ndarray]       # MONTH_FIGURES, month offset per row (-1: never)
    window: int                         # the verdict's last month (offset), -1 without funding


def in_chunks(columns: Dict[object, np.ndarray], rows: int, chunk: int):
    """Split full columns into chunks of at most ``chunk`` rows (views, no copies)."""
    for lo in range(0, rows, chunk):
        yield {k: v[lo:lo + chunk] for k, v in columns.items()}


def drawn_chunks(found: List[tuple], seed: int, samples: int, chunk: int):
    """Chunks of raw draws by :func:`group_key`, drawn as they are used (memory stays flat)."""
    for _, raw in draw_raw([d for _, d in found], seed, samples, chunk):
        yield {group_key(p, d): raw[d.key if d.key is not None else id(d)] for p, d in found}


def evaluate(scenario, catalog, chunks, allowance: Allowance, *,
             figures: Optional[Sequence[str]] = None,
             progress: Optional[Callable[[int], None]] = None, detail: bool = False,
             found: Optional[List[tuple]] = None) -> Evaluation:
    """Run the engine on points of the uncertain inputs, one chunk of points at a time.

    Each chunk maps inputs (by :func:`group_key`) to arrays of raw draws of one length
    (:meth:`Dist.apply` turns them into each field's values); inputs left out stay at their
    base value. Memory is bounded by the chunk, however many points there are; the work is
    one engine pass per chunk, no Python loop per point, each charged to ``allowance``
    (:func:`estimator.budget.allow`) before it runs (each schedule group's pass too, below). ``figures`` names the single
    figures to keep (default: every headline figure); ``detail`` computes the descriptive
    figures too.

    Inputs that set a schedule (dates, build and delivery times, lives, time windows) are
    *discrete*: the engine needs one value of each per pass. A chunk's points are grouped
    by their discrete values (few: months, whole days) and the engine runs once per group,
    on the group's points, with the other inputs as arrays.
    """
    engine = Passes(scenario, catalog, found or collect(scenario), figures, detail, allowance)
    values: Dict[str, List[np.ndarray]] = {}
    months: Dict[str, List[np.ndarray]] = {k: [] for k in MONTH_FIGURES}
    done = 0
    chunks = iter(chunks)
    first = next(chunks, None)
    if first is None:
        return Evaluation({}, engine.units, {}, engine.window)
    size = work(len(next(iter(first.values()))), scenario.horizon.months)
    with reused_memory(size):
        for cols in itertools.chain([first], chunks):
            n = len(next(iter(cols.values())))
            out_v, out_m = engine.chunk(cols, n)
            for name, arr in out_v.items():
                values.setdefault(name, []).append(arr)
            for name, arr in out_m.items():
                months[name].append(arr)
            done += n
            if progress is not None:
                progress(done)
    return Evaluation({k: np.concatenate(v) for k, v in values.items()}, engine.units,
                      {k: np.concatenate(v) for k, v in months.items() if v}, engine.window)


class Passes:
    """Engine passes over chunks of points, grouped by their schedule values (see evaluate)."""

    def __init__(self, scenario, catalog, found: List[tuple], figures, detail: bool,
                 allowance: Allowance):
        self.scenario, self.catalog, self.detail = scenario, catalog, detail
        self.allowance = allowance
        self.key_of = {id(d): group_key(p, d) for p, d in found}
        self.rep: Dict[object, Dist] = {}
        for p, d in found:
            self.rep.setdefault(group_key(p, d), d)
        self.discrete = [k for k, d in self.rep.items() if d.discrete]
        self.within = holders(scenario)
        self.keep = None if figures is None else set(figures)
        self.units: Dict[str, str] = {}
        self.window = -1

    def chunk(self, cols, n: int):
        """(single figures, month figures) of one chunk, one pass per schedule group."""
        keys = [k for k in self.discrete if k in cols]
        if not keys:
            return self.run(cols, n)
        table = np.column_stack([self.rep[k].apply(cols[k]) for k in keys])
        _, first, inverse = np.unique(table, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        out_v: Dict[str, np.ndarray] = {}
        out_m: Dict[str, np.ndarray] = {}
        for g, row in enumerate(first):
            idx = np.flatnonzero(inverse == g)
            sub = {k: (v[int(row)] if k in keys else v[idx]) for k, v in cols.items()}
            values, months = self.run(sub, len(idx))
            for name, arr in values.items():
                out_v.setdefault(name, np.empty(n))[idx] = arr
            for name, arr in months.items():
                out_m.setdefault(name, np.empty(n, np.int32))[idx] = arr
        return out_v, out_m

    def value_of(self, cols):
        def value(d):
            if not isinstance(d, Dist):
                return d
            col = cols.get(self.key_of[id(d)])
            if col is None:
                return d.base_value
            return d.field_value(d.apply(col)) if np.ndim(col) == 0 else d.apply(col)
        return value

    def run(self, cols, n: int):
        """One engine pass on ``n`` points: (single figures, month figures), charged to the
        allowance before it runs."""
        from . import estimate_values
        self.allowance.charge(n)
        result = estimate_values(substitute(self.scenario, self.value_of(cols), self.within),
                                 self.catalog, detail=self.detail)
        values, months = {}, {}
        for fig in result:
            if (fig.headline if self.keep is None else fig.name in self.keep) \
                    and not fig.series and fig.unit not in ("month", "text"):
                values[fig.name] = np.array(np.broadcast_to(np.asarray(fig.value, dtype=float),
                                                            (n,)))
                self.units[fig.name] = fig.unit
        if "monthly.funding.balance_usd" in result:
            window = result.months.index(result.value("funding.window_end"))
            self.window = max(self.window, window)
            months = verdict_months(result, n)
        return values, months


def verdict_months(result, n: int) -> Dict[str, np.ndarray]:
    """Month offsets (-1: never) of the verdict's gap, low point and peak need, every point.

    Read from the verdict the engine recorded (:func:`finance.verdict`): each sample's
    offsets (``<figure>_offsets``) when the months vary over the points, else the one month.
    """
    months = {}
    for name in MONTH_FIGURES:
        if f"{name}_offsets" in result:
            months[name] = np.asarray(result.value(f"{name}_offsets"), dtype=np.int32)
        elif name in result:                        # the same in every sample
            m = result.value(name)
            months[name] = np.full(n, result.months.index(m) if m is not None else -1, np.int32)
    return months


def percentiles(arr: np.ndarray, qs: Sequence[float]) -> List[float]:
    """Percentiles by linear interpolation, as ``np.percentile``'s default, number for number.

    Written out because ``np.percentile`` imports ``numpy.ma`` (~10 ms on every command that
    reports an uncertainty).
    """
    flat = np.asarray(arr, dtype=float).ravel()
    n = flat.size
    pos = [q / 100.0 * (n - 1) for q in qs]
    lows = [int(np.floor(p)) for p in pos]
    part = np.partition(flat, sorted({k for lo in lows for k in (lo, min(lo + 1, n - 1))}))
    out = []
    for p, lo in zip(pos, lows):
        a, b, t = part[lo], part[min(lo + 1, n - 1)], p - lo
        diff = b - a        # numpy's lerp: from the nearer end
        out.append(float(b - diff * (1 - t) if t >= 0.5 else a + diff * t))
    return out


def summarize(name: str, unit: str, arr: np.ndarray) -> Summary:
    if arr.min() == arr.max():          # not uncertain at all: no need to sort
        p10 = p50 = p90 = float(arr[0])
    else:
        p10, p50, p90 = percentiles(arr, [10, 50, 90])
    return Summary(name, unit, float(np.mean(arr)), float(p10), float(p50), float(p90))


def month_summary(name: str, offsets: np.ndarray, labels: Sequence[str],
                  before: Sequence[str] = ()) -> MonthSummary:
    """P10/P50/P90 as months, the share of samples where the month exists, and P(before).

    Samples where the month never comes (offset -1) count as later than every month, so a
    quantile past the share where it comes is ``None``. One counting pass, no sort.
    """
    from ..model import Month
    n = len(offsets)
    cum = np.cumsum(np.bincount(offsets[offsets >= 0], minlength=len(labels)))
    happens = int(cum[-1]) if len(cum) else 0

    def quantile(q: float) -> Optional[str]:       # inverted CDF, as np.quantile's
        k = int(np.searchsorted(cum, q * n - 1e-9 * n, side="left"))
        return labels[k] if k < len(labels) and cum[k] > 0 else None

    start = Month.parse(labels[0]).index
    dates = sorted(set(before) | {lab for lab in labels[1:] if lab.endswith("-01")},
                   key=lambda m: Month.parse(m).index)
    p_before = {}
    for m in dates:
        k = Month.parse(m).index - start         # months strictly before m: offsets < k
        p_before[m] = float(cum[min(k, len(cum)) - 1]) / n if k > 0 else 0.0
    return MonthSummary(name, MONTH_FIGURES[name], happens / n, quantile(0.1), quantile(0.5),
                        quantile(0.9), p_before)


def simulate(scenario, catalog, samples: int, seed: int, *, chunk: Optional[int] = None,
             progress: Optional[Callable[[int], None]] = None, keep_draws: bool = False,
             before: Sequence[str] = (), what: Optional[str] = None) -> Simulation:
    """Run the engine on ``samples`` draws of every uncertain input.

    ``before``: months (YYYY-MM) at which to state P(the cash runs out before). ``what``
    names the request in a refusal past the work budget (default: the simulate command).
    """
    check_draws(samples, seed)
    found = distributions_of(scenario)
    combinations = check_schedules(found, samples)
    chunk = chunk or chunk_size(scenario)
    allowance = allow(scenario, what or f"simulate --samples {samples}", samples=samples,
                      chunk=chunk, groups=min(combinations, chunk, samples))
    kept: Dict[object, List[np.ndarray]] = {}

    def chunks():
        for cols in drawn_chunks(found, seed, samples, chunk):
            if keep_draws:
                for k, v in cols.items():
                    kept.setdefault(k, []).append(v)
            yield cols
    ev = evaluate(scenario, catalog, chunks(), allowance, progress=progress, found=found)
    arrays = dict(ev.values)
    covered = arrays.pop("funding.covered", None)
    figures = [summarize(name, ev.units[name], arr) for name, arr in arrays.items()]
    if covered is not None:
        arrays["funding.covered"] = covered
    labels = [str(scenario.horizon.start.plus(i)) for i in range(scenario.horizon.months)]
    months = [month_summary(k, v, labels, before) for k, v in ev.months.items()]
    draws = {p: d.apply(np.concatenate(kept[group_key(p, d)])) for p, d in found} \
        if keep_draws else {}
    return Simulation(samples, seed, found,
                      float(np.mean(covered)) if covered is not None else None, figures, arrays,
                      draws, months, ev.months, labels)


class Swing(NamedTuple):
    path: str
    low_input: float
    high_input: float
    at_low: float
    at_high: float
    unit: str                # of the input

    @property
    def swing(self) -> float:
        return abs(self.at_high - self.at_low)


class Sensitivity(NamedTuple):
    figure: str
    unit: str
    base: float
    swings: List[Swing]
    window_end: Optional[str] = None   # last month the funding verdict covers, if any


def check_draws(samples, seed, most: int = MAX_SAMPLES) -> None:
    """Samples are a whole number from 1 to ``most`` and a seed a whole number from 0 (the
    command line's ranges, for the Python API too: True is not one sample, -1 not a seed)."""
    for name, value, lo, hi in (("samples", samples, 1, most), ("seed", seed, 0, None)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise InputError(f"{name} must be a whole number, not {value!r}")
        if value < lo or (hi is not None and value > hi):
            raise InputError(f"{name} must be between {lo} and {hi:,}" if hi is not None else
                             f"{name} must be {lo} or more, not {value}")


def default_figure(scenario) -> str:
    if scenario.funding is not None:
        return "funding.shortfall_usd"
    if scenario.training:
        return "training.cost.build_usd"
    return "capex.total_usd"


def base_result(scenario, catalog, figure: Optional[str]):
    """The deterministic result and the single figure to study (checked by name)."""
    from . import estimate_values
    if figure is not None and not str(figure).strip():
        raise UnknownFigure("an empty figure name; leave it out for the default "
                            f"({default_figure(scenario)})")
    figure = default_figure(scenario) if figure is None else figure
    base = estimate_values(substitute(scenario, lambda d: d.base_value if isinstance(d, Dist)
                                      else d), catalog)
    if figure not in base.figures or base[figure].series:
        hint = did_you_mean(figure, [n for n, f in base.figures.items() if not f.series])
        raise UnknownFigure(f"no single figure named '{figure}'" + (f"; {hint}" if hint else ""))
    if base[figure].unit not in DIMENSIONS:         # a flag, a month or a text swings nowhere
        what = {"flag": "true or false", "month": "a month"}.get(base[figure].unit, "text")
        raise UnknownFigure(f"'{figure}' is {what}, not a quantity: sensitivity studies a "
                            f"number, such as {default_figure(scenario)}", figure)
    return base, figure


def sensitivity(scenario, catalog, figure: Optional[str] = None, *,
                chunk: Optional[int] = None) -> Sensitivity:
    """Swing each uncertain input (one at a time) from its P10 to its P90.

    Every swing is one point of a batch: two points per input, the others at their base
    values, all run through the engine on arrays at once (chunked), not one run per point.
    """
    found = distributions_of(scenario)
    grouped = groups(found)
    keys = list(grouped)
    rows = 2 * len(keys)
    chunk = chunk or chunk_size(scenario)
    # the base point and each swing of a schedule input are schedule groups of their own
    moved = 1 + 2 * sum(1 for k in keys if grouped[k][0][1].discrete)
    allowance = allow(scenario, f"sensitivity of {len(keys)} uncertain input(s)",
                      samples=rows, chunk=chunk, groups=min(moved, chunk, rows))
    base, figure = base_result(scenario, catalog, figure)
    columns = {}
    for j, key in enumerate(keys):
        d0 = grouped[key][0][1]
        col = np.full(rows, float(d0.raw_base))
        col[2 * j], col[2 * j + 1] = d0.raw_ppf(np.array([0.1, 0.9]))
        columns[key] = col
    ev = evaluate(scenario, catalog, in_chunks(columns, rows, chunk), allowance,
                  figures=[figure], detail=not base[figure].headline, found=found)
    at = ev.values[figure]
    swings = []
    for j, key in enumerate(keys):
        d0 = grouped[key][0][1]
        lo, hi = (d0.raw_ppf(np.array([0.1, 0.9])) if d0.scale      # a factor: as a factor
                  else (d0.quantile(0.1), d0.quantile(0.9)))
        swings.append(Swing(str(key), float(lo), float(hi), float(at[2 * j]),
                            float(at[2 * j + 1]), "factor" if d0.scale else d0.dim))
    swings.sort(key=lambda s: (-s.swing, s.path))
    window = base.value("funding.window_end") if "funding.window_end" in base else None
    return Sensitivity(figure, base[figure].unit, float(base.value(figure)), swings, window)


#: draws taken for the uncertainty line of a report (P(covered) to about +-1 point)
REPORT_SAMPLES = 2000
#: the largest model (months x sites, fleets and runs) whose report runs those draws itself:
#: one Monte Carlo pass costs a fixed ~1 s at the size limits, more than a report may take
REPORT_MODEL_SIZE = 20_000


def annotate(result, scenario, catalog, samples: int = REPORT_SAMPLES, seed: int = 0) -> None:
    """Put the scenario's own uncertainty beside its base verdict, in ``result``.

    Records ``uncertainty.p_covered`` and P10/P50/P90 of the shortfall over ``samples`` draws
    of its distributions, and warns when a base value lies outside its own P10-P90, or when
    the base verdict is not the verdict of the median draw.
    """
    from ..result import Ledger
    if not scenario.uncertain or "funding.covered" not in result:
        return
    ledger = Ledger(result)
    size = work(1, scenario.horizon.months, items(scenario))
    if size > REPORT_MODEL_SIZE:
        ledger.warn(f"the scenario's uncertainty is not summarised here: at {size:,} months x "
                    f"items (over {REPORT_MODEL_SIZE:,}) its draws take longer than a report; "
                    "run 'estimator simulate' for P(covered) and the shortfall's spread")
        return
    sim = simulate(scenario, catalog, samples, seed,
                   what=f"report: the uncertainty line's {samples:,} draws")
    where = (f"Monte Carlo over the scenario's distributions ({result.files[0]}), "
             f"{samples:,} draws, seed {seed}")
    ledger.input("uncertainty.p_covered", sim.probability_covered, "fraction", where)
    short = next(f for f in sim.figures if f.name == "funding.shortfall_usd")
    for q in ("p10", "p50", "p90"):
        ledger.input(f"uncertainty.shortfall_{q}_usd", getattr(short, q), "money", where)
    for path, dist in sim.inputs:
        lo, hi = dist.quantile(0.1), dist.quantile(0.9)
        if dist.base is not None and not lo <= dist.base <= hi:
            ledger.warn(f"the base value of {path} ({dist.base:.4g}) lies outside its own "
                        f"P10-P90 ({lo:.4g} to {hi:.4g}): the base verdict is not a central "
                        "case")
    base_covered = bool(result.value("funding.covered"))
    if base_covered != (sim.probability_covered >= 0.5):
        ledger.warn(f"the base case is {'covered' if base_covered else 'not covered'}, but "
                    f"P(covered) over the scenario's own distributions is "
                    f"{sim.probability_covered:.0%}")
