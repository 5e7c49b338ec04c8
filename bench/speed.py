"""Speed and memory of every command a decision needs, at the shipped and the limit sizes.

    python bench/speed.py                # everything, one run of each (about a minute)
    python bench/speed.py --repeat 3     # medians of 3 fresh processes each

Each figure is one command in a fresh process, as a user runs it: wall time from start to
exit (interpreter start and imports included), CPU time (user + system) and peak resident
memory of that process alone (``os.wait4``). On a shared machine the wall time grows with
the load while the CPU time does not, so both are printed. Measured:

* the shipped OpenAI $40B scenario: ``simulate`` with 1,000,000 samples (targets 3 s and
  1 GB) and ``solve --confidence 90%`` with 100,000 samples (target 5 s);
* a generated scenario at every size limit (``bench/limits.py``: 500 datacenters, fleets
  and runs, 1,200 months, 200 uncertain inputs): ``report`` (2 s), ``simulate -n 10000``
  (5 s) and ``sensitivity`` (10 s), each at most 1 GB;
* the vectorized engine against a plain Python loop calling the deterministic engine once
  per sample (timed on a few hundred samples and extrapolated to 1M).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
OPENAI = ROOT / "configs" / "scenarios" / "openai-40b.yaml"
GB = 1024 ** 3


def run(args, repeat: int):
    """(wall s, cpu s, peak bytes) of ``estimator ARGS`` in fresh processes; medians."""
    out = []
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for _ in range(repeat):
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-m", "estimator"] + [str(a) for a in args],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        err = p.stderr.read().decode()
        p.stderr.close()
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"estimator {' '.join(map(str, args))} failed:\n{err}")
        out.append((wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024))
    return tuple(statistics.median(x[i] for x in out) for i in range(3))


def main() -> None:
    from limits import limit_scenario
    from simulate import loop_rate
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="fresh processes per command (median)")
    ap.add_argument("--loop", type=int, default=300, help="samples for the plain-loop baseline")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        limits = Path(tmp) / "limits.yaml"
        limits.write_text(limit_scenario())
        cases = [
            ("OpenAI: simulate -n 1000000", ["simulate", OPENAI, "-n", 1_000_000, "--format",
                                             "json"], 3.0),
            ("OpenAI: solve --confidence 90% -n 100000", ["solve", OPENAI, "--confidence", "90%",
                                                         "-n", 100_000], 5.0),
            ("limits: report", ["report", limits, "--format", "json"], 2.0),
            ("limits: simulate -n 10000", ["simulate", limits, "-n", 10_000, "--format", "json"],
             5.0),
            ("limits: sensitivity", ["sensitivity", limits, "--format", "json"], 10.0),
        ]
        print(f"{'command':42} {'wall':>8} {'cpu':>8} {'memory':>9}   targets")
        rows = []
        for label, cmd, target in cases:
            wall, cpu, peak = run(cmd, args.repeat)
            ok = "ok" if wall <= target and peak <= GB else (
                "ok on cpu" if cpu <= target and peak <= GB else "MISSED")
            rows.append((label, wall, cpu, peak))
            print(f"{label:42} {wall:7.2f}s {cpu:7.2f}s {peak / 2**20:7.0f}MB   "
                  f"{target:g} s, 1 GB: {ok}")
    rate_loop = loop_rate(args.loop)
    wall, cpu, _ = rows[0][1:]
    rate_vec = 1_000_000 / cpu
    print(f"plain Python loop: {rate_loop:,.0f} samples/s (1M would take "
          f"{1e6 / rate_loop / 60:.0f} min of CPU); vectorized: {rate_vec:,.0f} samples/s "
          f"(whole command, CPU): {rate_vec / rate_loop:,.0f}x")
    load = os.getloadavg()[0]
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} cores"
          + ("  (a loaded machine: wall times are inflated, CPU times are not)"
             if load > (os.cpu_count() or 1) * 0.5 else ""))


if __name__ == "__main__":
    main()
