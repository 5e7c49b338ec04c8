"""Time a full report of each shipped scenario, in process (load + estimate + render).

    python bench/report.py             # 20 repetitions, medians
    python bench/report.py --runs 50
"""
from __future__ import annotations

import argparse
import io
import statistics
import time
from pathlib import Path

from rich.console import Console

from estimator.catalog import load_catalog
from estimator.config.loader import load
from estimator.engine import estimate
from estimator.report import json as jr, terminal

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    catalog = load_catalog()
    print(f"{'scenario':32} {'months':>6} {'figures':>8} {'load':>8} {'estimate':>9} {'table':>8} {'json':>8}")
    for path in sorted((ROOT / "configs" / "scenarios").glob("*.yaml")):
        times = {"load": [], "estimate": [], "table": [], "json": []}
        for _ in range(args.runs):
            t0 = time.perf_counter()
            s = load(str(path), catalog=catalog)
            t1 = time.perf_counter()
            r = estimate(s, catalog)
            t2 = time.perf_counter()
            terminal.render(r, Console(file=io.StringIO(), width=100))
            t3 = time.perf_counter()
            jr.render(r)
            t4 = time.perf_counter()
            for k, a, b in (("load", t0, t1), ("estimate", t1, t2), ("table", t2, t3), ("json", t3, t4)):
                times[k].append(b - a)
        med = {k: statistics.median(v) * 1000 for k, v in times.items()}
        print(f"{path.name:32} {len(r.months):6d} {len(r.figures):8d} {med['load']:6.1f}ms "
              f"{med['estimate']:7.1f}ms {med['table']:6.1f}ms {med['json']:6.1f}ms")


if __name__ == "__main__":
    main()
