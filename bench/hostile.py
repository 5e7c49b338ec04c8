"""Time and memory of every hostile input through every command, each in its own process.

    python bench/hostile.py                 # tests/bad/ and ../shared/bad-inputs/
    python bench/hostile.py --limits        # also a generated scenario at every limit

Runs each file of the hostile corpora through validate, report (table, json, markdown,
csv), check, diff, solve, simulate and sensitivity as a separate `python -m estimator`
process, and reads its wall time and peak memory (max RSS) from wait4(). Prints the
slowest and largest runs and every run past 2 s or 200 MB, or ending in an exit code other
than 0 or 2. With --limits, a scenario with every list at its limit (500 sites, fleets and
runs, 1,000 raises and loans, 200 uncertain values, 1,200 months) is added.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [["validate"], ["report", "--format", "table"], ["report", "--format", "json"],
            ["report", "--format", "markdown"], ["report", "--format", "csv"], ["check"],
            ["diff", "SELF"], ["solve"], ["simulate"], ["sensitivity"]]
LIMIT_SECONDS, LIMIT_MB = 2.0, 200


def limits_scenario() -> str:
    """A scenario with every list at its limit (see config/loader.py MAX_ITEMS)."""
    out = ["scenario: every limit\nhorizon: {start: 2000-01, end: 2099-12}\ndatacenters:\n"]
    for i in range(500):
        pue = "{low: 1.1, high: 1.3}" if i < 100 else "1.2"
        out.append(f"  dc{i}: {{it_capacity: 200 MW, pue: {pue}, build: {{start: 2001-01, "
                   "months: 12}}\n")
    out.append("fleets:\n")
    for i in range(500):
        out.append(f"  f{i}: {{server: dgx-h100, servers: 100, site: dc{i}, "
                   "delivery: {start: 2002-01, months: 6}}\n")
    out.append("training:\n")
    for i in range(500):
        mfu = "{low: 30%, high: 50%}" if i < 99 else "40%"
        out.append(f"  - {{name: r{i}, compute: 1e24 FLOP, on: f{i}, mfu: {mfu}, "
                   f"start: {2003 + i % 90}-01}}\n")
    out.append("funding:\n  cash: {p10: $100B, p90: $300B}\n  raises:\n")
    for i in range(1000):
        out.append(f"    - {{name: a{i}, amount: $1B, date: {2001 + i % 98}-0{1 + i % 9}}}\n")
    out.append("  debt:\n")
    for i in range(1000):
        out.append(f"    - {{name: d{i}, principal: $1B, rate: 5%, term: 5, "
                   f"date: {2001 + i % 98}-0{1 + i % 9}}}\n")
    out.append("  revenue: {2000: $1B, 2099: $100B}\n"
               "  operations: {payroll: {2000: $1B}, growth: 5%}\n")
    return "".join(out)


def measure(args):
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "estimator", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024, err


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limits", action="store_true", help="add a scenario at every limit")
    opts = ap.parse_args()
    files = sorted((ROOT / "tests" / "bad").iterdir()) + \
        sorted((ROOT.parent / "shared" / "bad-inputs").glob("*.yaml"))
    if opts.limits:
        folder = tempfile.mkdtemp(prefix="estimator-limits-")
        path = Path(folder) / "every-limit.yaml"
        path.write_text(limits_scenario())
        files.append(path)
    runs = []
    for f in files:
        for cmd in COMMANDS:
            args = [cmd[0], str(f)] + [str(f) if a == "SELF" else a for a in cmd[1:]]
            code, seconds, mb, err = measure(args)
            runs.append((f.name, " ".join(cmd).replace(" SELF", ""), code, seconds, mb, err))
    bad = [r for r in runs if r[2] not in (0, 2) or r[3] > LIMIT_SECONDS or r[4] > LIMIT_MB
           or "Traceback" in r[5]]
    slow = max(runs, key=lambda r: r[3])
    big = max(runs, key=lambda r: r[4])
    print(f"{len(runs):,} runs ({len(files)} files x {len(COMMANDS)} commands): "
          f"{sum(r[2] == 0 for r in runs):,} exit 0, {sum(r[2] == 2 for r in runs):,} exit 2, "
          f"{sum(r[2] not in (0, 2) for r in runs)} other; "
          f"slowest {slow[3]:.2f} s ({slow[0]}, {slow[1]}), "
          f"largest {big[4]:.0f} MB ({big[0]}, {big[1]})")
    for name, cmd, code, seconds, mb, err in bad:
        print(f"  past the limits: {name} {cmd}: exit {code}, {seconds:.2f} s, {mb:.0f} MB "
              f"{err.strip().splitlines()[-1][:120] if err.strip() else ''}")


if __name__ == "__main__":
    main()
