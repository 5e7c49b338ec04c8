"""Mutation fuzzing: every input ends in a result or a clean input error, on every command.

Used by the test suite (a short, seeded budget on every build) and by ``bench/fuzz.py`` for
longer runs. Mutations start from the shipped scenarios and the bad-input corpus: byte flips,
deleted and duplicated lines, spliced lines from other files, YAML-significant tokens
(anchors, aliases, tags, brackets, tabs, merge keys), numbers replaced by huge, tiny and
non-finite ones, names replaced by control sequences, rich markup and markdown/HTML, and
'uncertainty:' entries with deep and wildcard paths.

:func:`cli_evaluator` runs an input through one command and output format of the CLI
(validate, report in every format, check, diff, solve, simulate, sensitivity, explain) and
fails it on exit 3, a traceback, a raw escape sequence in the output, or JSON with
NaN/Infinity.
"""
from __future__ import annotations

import random
import re
import time
from typing import Callable, Iterator, List, NamedTuple, Sequence

TOKENS = ["&a ", "*a", "<<: *a", "!!python/object:os.system", "!custom", "[", "]", "{", "}",
          "\t", "---\n", "'", '"', ": ", "- ", "1e400", ".nan", "-.inf", "$-5B", "99999999999 GW",
          "0x1F", "~", "? ", "\x00", "é", "2025-13", "-1", "0%", "1000%", "<<", "&b [*b, *b]"]


#: numbers at and past the edges of what a float holds or a quantity may be
NUMBERS = ["1e308", "1.7976931348623157e308", "4.9e-324", "1e-300", "1e300", "1e200", "-1e200",
           "1e201", "9" * 400, "9" * 5000, "0", "-0.0", "1e-200", "9007199254740993",
           "$1e300", "1e300 GW", "1e-300%", ".inf", "-.inf", ".nan", "2e29 FLOP", "0.0000001%"]
#: names that try to act on a terminal, rich, markdown or HTML (YAML double-quoted escapes)
NAMES = ["\\e[2J\\e[H", "\\e]8;;http://x.invalid\\e\\\\link\\e]8;;\\e\\\\",
         "[/]", "[bold red]x[/]", "[link=http://x]y[/link]", "a|b|c", "x\\n**✅ Covered**",
         "<img src=http://x.invalid/p.png>", "[l](http://x.invalid)", "<script>1</script>",
         "\\u202etxt.exe", "\\x9b31m", "\\0nul", "`code`", "*bold* _u_", "=1+1", "é" * 300]
_NUMBER = re.compile(r"(?<![\w.])-?[0-9][0-9_.,]*(?:e-?[0-9]+)?")
_NAME = re.compile(r"((?:^|[{,\s])(?:name|scenario): *)([^,}\n]+)")


def _hostile_number(line: str, rng: random.Random) -> str:
    spots = list(_NUMBER.finditer(line))
    if not spots:
        return line
    m = rng.choice(spots)
    return line[:m.start()] + rng.choice(NUMBERS) + line[m.end():]


def _hostile_name(line: str, rng: random.Random) -> str:
    m = _NAME.search(line)
    if not m:
        return line
    return line[:m.start(2)] + '"' + rng.choice(NAMES) + '"' + line[m.end(2):]


def _hostile_path(rng: random.Random) -> str:
    parts = [rng.choice(["training[*]", "fleets.*", "datacenters.*", "funding", "raises[*]",
                         "training.²", "training[0]", "*", "a", "training[99999999999]"])
             for _ in range(rng.choice([1, 1, 2, 3, 70]))]
    leaf = rng.choice(["mfu", "pue", "cash", "amount", "goodput", "x"])
    return '"' + ".".join(parts + [leaf]) + '": {low: ' + rng.choice(NUMBERS) + ", high: " + \
        rng.choice(NUMBERS) + "}"


def mutate(text: str, rng: random.Random, donors: List[str]) -> str:
    lines = text.split("\n")
    # half the inputs get only the hostile-value mutations, which keep the YAML readable and
    # so reach the engine and every renderer; the other half, any mix of mutations
    hostile_only = rng.random() < 0.5
    for _ in range(rng.randint(1, 2) if hostile_only else rng.randint(1, 4)):
        op = rng.choice((6, 7, 7, 8)) if hostile_only else rng.randrange(9)
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
        elif op == 5 and lines:                    # change indentation
            i = rng.randrange(len(lines))
            lines[i] = " " * rng.choice([0, 1, 2, 3, 4, 8]) + lines[i].lstrip()
        elif op == 6 and lines:                    # a huge, tiny or non-finite number
            i = rng.randrange(len(lines))
            lines[i] = _hostile_number(lines[i], rng)
        elif op == 7:                              # a hostile name
            named = [i for i, line in enumerate(lines) if _NAME.search(line)]
            if named:
                i = rng.choice(named)
                lines[i] = _hostile_name(lines[i], rng)
        elif not any(line.startswith("uncertainty:") for line in lines):
            lines += ["uncertainty:"] + ["  " + _hostile_path(rng)   # deep and wildcard paths
                                         for _ in range(rng.choice([1, 2, 30]))]
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
        limit = getattr(evaluate, "limit", time_limit)
        if took > limit:
            failures.append((text, f"{getattr(evaluate, 'label', 'input')}: took {took:.2f} s "
                                   f"(limit {limit:g} s)"))
    return Outcome(count, results, errors, slowest, failures)


#: every command and output format the CLI has (FILE stands for the input)
COMMANDS: List[Sequence[str]] = [
    ["validate", "FILE"],
    ["report", "FILE", "--format", "table"], ["report", "FILE", "--format", "json"],
    ["report", "FILE", "--format", "markdown"], ["report", "FILE", "--format", "csv"],
    ["report", "FILE", "--format", "json", "-o", "OUT"],
    ["report", "FILE", "--format", "markdown", "--svg", "OUT"],
    ["report", "FILE", "--html", "OUT", "-o", "OUT2"],
    ["check", "FILE"], ["check", "FILE", "--format", "json"],
    ["check", "FILE", "--format", "markdown"],
    ["diff", "FILE", "FILE"], ["diff", "FILE", "FILE", "--format", "json"],
    ["diff", "FILE", "FILE", "--format", "markdown"],
    ["solve", "FILE"], ["solve", "FILE", "--format", "json"],
    ["simulate", "FILE", "-n", "64"], ["simulate", "FILE", "-n", "64", "--format", "json"],
    ["sensitivity", "FILE"], ["sensitivity", "FILE", "--format", "json"],
    ["explain", "FILE", "capex.total_usd"],
]


#: the time a command within its work budget (estimator.budget.MAX_WORK) may take
HEAVY_SECONDS = 15.0


def cli_evaluator(folder: str, rng: random.Random, commands=COMMANDS):
    """An ``evaluate`` for :func:`run` that drives the CLI: each input, one random command.

    Exit 0 or 1 is a result, exit 2 an input error; anything else fails the input, as do a
    traceback, a raw ESC or CSI character in the output, and JSON output that strict JSON
    readers refuse (NaN, Infinity).
    """
    import json
    import os

    from click.testing import CliRunner

    from .cli import main
    from .errors import InputError

    path = os.path.join(folder, "input.yaml")
    outs = [os.path.join(folder, "out.txt"), os.path.join(folder, "out2.txt")]

    def evaluate(text: str) -> None:
        with open(path, "wb") as fh:
            fh.write(text.encode("utf-8", "surrogateescape"))
        args = [{"FILE": path, "OUT": outs[0], "OUT2": outs[1]}.get(a, a)
                for a in rng.choice(commands)]
        label = " ".join(a if a not in (path, *outs) else os.path.basename(a) for a in args)
        evaluate.label = label
        # commands that run the engine many times may use their work budget (about 6-10 s);
        # every other command, and every refusal, answers within 2 s
        evaluate.limit = HEAVY_SECONDS if args[0] in ("simulate", "sensitivity", "solve") \
            else 2.0
        res = CliRunner().invoke(main, args)
        out = res.output
        if res.exit_code == 2:
            evaluate.limit = 2.0                # a refusal is always quick
        if res.exit_code not in (0, 1, 2) or "Traceback" in out or "internal error" in out:
            raise RuntimeError(f"{label}: exit {res.exit_code}: {out[-300:]!r}")
        if "\x1b" in out or "\x9b" in out:
            raise RuntimeError(f"{label}: a raw escape sequence reached the output")
        if res.exit_code == 2:
            raise InputError(out[-200:])
        if "--format" in args and args[args.index("--format") + 1] == "json" and \
                "-o" not in args:
            def refuse(c):
                raise RuntimeError(f"{label}: JSON holds {c}")
            json.loads(res.stdout, parse_constant=refuse)
    return evaluate


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
