"""Mutation fuzzing of the loader: every input ends in a result or a clean input error.

Used by the test suite (a short, seeded budget on every build) and by ``bench/fuzz.py`` for
longer runs. Mutations start from the shipped scenarios and the bad-input corpus: byte flips,
deleted and duplicated lines, spliced lines from other files, and YAML-significant tokens
(anchors, aliases, tags, brackets, tabs, merge keys, huge and non-finite numbers).
"""
from __future__ import annotations

import random
import time
from typing import Callable, Iterator, List, NamedTuple

TOKENS = ["&a ", "*a", "<<: *a", "!!python/object:os.system", "!custom", "[", "]", "{", "}",
          "\t", "---\n", "'", '"', ": ", "- ", "1e400", ".nan", "-.inf", "$-5B", "99999999999 GW",
          "0x1F", "~", "? ", "\x00", "é", "2025-13", "-1", "0%", "1000%", "<<", "&b [*b, *b]"]


def mutate(text: str, rng: random.Random, donors: List[str]) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        if op == 0 and text:                       # flip a byte
            data = bytearray("\n".join(lines).encode("utf-8", "surrogatepass"))
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
            lines = data.decode("utf-8", "replace").split("\n")
        elif op == 1 and len(lines) > 1:           # delete a line
            del lines[rng.randrange(len(lines))]
        elif op == 2 and lines:                    # duplicate a line
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
        elif op == 3 and donors:                   # splice a line from another file
            donor = rng.choice(donors).split("\n")
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(donor))
        elif op == 4 and lines:                    # insert a token
            i = rng.randrange(len(lines))
            j = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:j] + rng.choice(TOKENS) + lines[i][j:]
        elif lines:                                # change indentation
            i = rng.randrange(len(lines))
            lines[i] = " " * rng.choice([0, 1, 2, 3, 4, 8]) + lines[i].lstrip()
    return "\n".join(lines)


class Outcome(NamedTuple):
    inputs: int
    results: int
    input_errors: int
    slowest: float
    failures: List[tuple]        # (text, exception) for anything but a result or an input error


def run(seeds: List[str], count: int, seed: int, evaluate: Callable[[str], None],
        time_limit: float = 2.0) -> Outcome:
    """Mutate ``seeds`` ``count`` times and evaluate each; collect anything that is not clean."""
    from .errors import InputError
    rng = random.Random(seed)
    results = errors = 0
    slowest = 0.0
    failures = []
    for _ in range(count):
        text = mutate(rng.choice(seeds), rng, seeds)
        t0 = time.perf_counter()
        try:
            evaluate(text)
            results += 1
        except InputError:
            errors += 1
        except Exception as e:  # noqa: BLE001 - what the fuzzer looks for
            failures.append((text, repr(e)))
        took = time.perf_counter() - t0
        slowest = max(slowest, took)
        if took > time_limit:
            failures.append((text, f"took {took:.2f} s"))
    return Outcome(count, results, errors, slowest, failures)


def corpus(paths) -> Iterator[str]:
    """The text of each small regular file among ``paths`` (devices and folders skipped)."""
    import os
    for p in paths:
        if not os.path.isfile(p) or os.path.getsize(p) > 256 * 1024:
            continue
        try:
            with open(p, encoding="utf-8") as fh:
                yield fh.read()
        except (OSError, UnicodeDecodeError):
            continue
