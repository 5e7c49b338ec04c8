"""Monte Carlo speed and memory on the shipped OpenAI $40B scenario (66 months, full timeline).

    python bench/simulate.py                 # 1,000,000 samples, plus the plain-loop baseline
    python bench/simulate.py --samples 200000

Prints samples per second, the wall time and the peak resident memory of a run in a fresh
process, and the speed-up over a plain Python loop that calls the deterministic engine once
per sample (timed on a few hundred samples and extrapolated). Targets (design §6): 1M
samples in at most 3 s on one core and at most 1 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "configs" / "scenarios" / "openai-40b.yaml"

CHILD = r"""
import json, resource, sys, time
from estimator.catalog import load_catalog
from estimator.config.loader import load
from estimator.engine.uncertainty import simulate
catalog = load_catalog()
scenario = load(sys.argv[1], catalog=catalog)
t0 = time.perf_counter()
sim = simulate(scenario, catalog, int(sys.argv[2]), seed=1)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "p_covered": sim.probability_covered}))
"""


def loop_rate(n: int) -> float:
    """Samples per CPU second of a plain Python loop over the deterministic engine."""
    import numpy as np
    from estimator.catalog import load_catalog
    from estimator.config.loader import load
    from estimator.distributions import Dist, collect, substitute
    from estimator.engine import estimate_values
    catalog = load_catalog()
    scenario = load(str(SCENARIO), catalog=catalog)
    found = collect(scenario)
    rng = np.random.default_rng(1)
    t0 = time.process_time()
    for _ in range(n):
        point = {id(d): float(d.sample(rng, 1)[0]) for _, d in found}
        estimate_values(substitute(scenario, lambda d: point[id(d)] if isinstance(d, Dist) else d),
                        catalog, detail=False)       # as Monte Carlo runs it
    return n / (time.process_time() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=1_000_000)
    ap.add_argument("--loop", type=int, default=300, help="samples for the plain-loop baseline")
    ap.add_argument("--repeat", type=int, default=3, help="fresh-process runs; the median counts")
    args = ap.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", CHILD, str(SCENARIO), str(args.samples)],
                             capture_output=True, text=True, check=True, env=env)
        runs.append(json.loads(out.stdout))
    runs.sort(key=lambda r: r["seconds"])
    r = runs[len(runs) // 2]
    rate = args.samples / r["seconds"]
    print(f"vectorized: {args.samples:,} samples in {r['seconds']:.2f} s median of {len(runs)} "
          f"(range {runs[0]['seconds']:.2f}-{runs[-1]['seconds']:.2f} s; {rate:,.0f} samples/s), "
          f"peak memory {max(x['peak_mb'] for x in runs):.0f} MB, P(covered) {r['p_covered']:.3f}")
    base = loop_rate(args.loop)
    print(f"plain loop: {base:,.0f} samples/s over {args.loop} samples "
          f"(1M would take {1e6 / base / 60:.1f} min)")
    print(f"speed-up: {rate / base:,.0f}x")


if __name__ == "__main__":
    main()
