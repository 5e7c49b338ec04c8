"""Longer fuzz runs than the test suite's budget: the engine, or every command of the CLI.

    python bench/fuzz.py --inputs 50000 --seed 1          # load + estimate + JSON
    python bench/fuzz.py --cli --inputs 20000 --seed 1    # every command and output format

Mutates the shipped scenarios and the bad-input corpus (huge and tiny numbers, hostile names,
deep paths among the mutations); every input must end in a result or an input error (exit 2)
within 2 s, with no raw escape sequence in any output and strict JSON. Prints how many
inputs, how many of each outcome, the slowest input, and anything else found (with the input
saved under /tmp).
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from estimator import fuzz
from estimator.catalog import load_catalog
from estimator.config.loader import load
from estimator.engine import estimate
from estimator.report import json as jr

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cli", action="store_true",
                    help="drive every command and output format through the CLI")
    args = ap.parse_args()
    catalog = load_catalog()
    seeds = list(fuzz.corpus(sorted((ROOT / "configs" / "scenarios").glob("*.yaml"))
                             + sorted((ROOT / "tests" / "bad").glob("*.yaml"))
                             + sorted((ROOT.parent / "shared" / "bad-inputs").glob("*.yaml"))))
    folder = tempfile.mkdtemp(prefix="estimator-fuzz-")
    path = os.path.join(folder, "input.yaml")

    def engine(text: str) -> None:
        with open(path, "wb") as fh:
            fh.write(text.encode("utf-8", "surrogateescape"))
        jr.render(estimate(load(path, catalog=catalog), catalog))

    if args.cli:
        import random
        evaluate = fuzz.cli_evaluator(folder, random.Random(args.seed))
    else:
        evaluate = engine
    t0 = time.perf_counter()
    out = fuzz.run(seeds, args.inputs, args.seed, evaluate)
    took = time.perf_counter() - t0
    print(f"{out.inputs:,} inputs in {took:.1f} s: {out.results:,} results, "
          f"{out.input_errors:,} input errors, {len(out.failures)} failures; "
          f"slowest input {out.slowest * 1000:.0f} ms"
          + (" (every command and output format)" if args.cli else ""))
    for i, (text, why) in enumerate(out.failures[:10]):
        saved = os.path.join(folder, f"failure-{i}.yaml")
        with open(saved, "wb") as fh:
            fh.write(text.encode("utf-8", "surrogateescape"))
        print(f"  {why} ({saved})")


if __name__ == "__main__":
    main()
