"""Cold start of `estimator report` against the bare import of its own dependencies.

Runs both commands alternately N times in fresh interpreters and prints the medians and
their ratio. Target (design §6): report <= 1.5x the floor.

    python bench/startup.py            # 15 runs each
    python bench/startup.py --runs 31
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

FLOOR = [sys.executable, "-c", "import click, yaml, numpy, rich.console, rich.table"]


def timed(cmd, env) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--scenario", default=None, help="scenario to report (default: the shipped default)")
    args = ap.parse_args()
    report = [sys.executable, "-m", "estimator", "report"] + ([args.scenario] if args.scenario else [])
    env = dict(os.environ, NO_COLOR="1")
    for cmd in (FLOOR, report):          # warm the file cache once
        timed(cmd, env)
    floor, rep = [], []
    for _ in range(args.runs):
        floor.append(timed(FLOOR, env))
        rep.append(timed(report, env))
    f, r = statistics.median(floor), statistics.median(rep)
    print(f"floor  (import click, yaml, numpy, rich): median {f * 1000:.0f} ms over {args.runs} runs")
    print(f"report (python -m estimator report):      median {r * 1000:.0f} ms over {args.runs} runs")
    print(f"ratio: {r / f:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
