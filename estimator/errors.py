"""The library's own exception types.

Only :mod:`estimator.cli` turns these into messages and exit codes; everything
else raises them and never prints.
"""
from __future__ import annotations

from typing import Iterable, NamedTuple, Optional, Sequence


class Mark(NamedTuple):
    """Where a value came from: a file (or ``--set``) and a 1-based line and column."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file


class Problem(NamedTuple):
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    mark: Optional[Mark] = None
    path: tuple = ()
    expected: Optional[str] = None
    found: Optional[str] = None
    hint: Optional[str] = None

    def render(self) -> str:
        head = f"{self.mark}: " if self.mark else ""
        where = f"at {_short(format_path(self.path), 300)}: " if self.path else ""
        lines = [f"{head}{where}{_short(self.message)}"]
        if self.expected is not None:
            lines.append(f"    expected: {_short(self.expected)}")
        if self.found is not None:
            lines.append(f"    found:    {_short(self.found)}")
        if self.hint:
            lines.append(f"    hint:     {_short(self.hint)}")
        return "\n".join(lines)


#: the most characters of one part of a problem: a message quotes names and values from the
#: input, and a 1 MB name behind an alias must not make 50 problems 100 MB of log
MAX_QUOTED = 1000


def _short(text: str, limit: int = MAX_QUOTED) -> str:
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


def format_path(path: Sequence) -> str:
    """``('fleets', 'pod', 'accelerators')`` -> ``fleets.pod.accelerators``; list items as ``[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


#: the distribution's name on a package index; `pip install estimator` is an unrelated project
DISTRIBUTION = "ai-compute-estimator"


def install_hint(package: str, extra: str) -> str:
    """How to install an optional dependency, naming this distribution (never ``estimator``,
    which on a package index is someone else's project)."""
    return (f"pip install {package} (the '{extra}' extra of {DISTRIBUTION}; not "
            "'pip install estimator', an unrelated package)")


def did_you_mean(word: str, choices: Iterable[str]) -> Optional[str]:
    """A ``did you mean 'x'?`` hint for a near-miss, or None."""
    import difflib  # only when a suggestion is needed: keeps start-up fast
    if len(str(word)) > 200:        # no name is that long; difflib is quadratic in it
        return None
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


class EstimatorError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(EstimatorError):
    """Bad input: a file, a YAML document, a schema violation, a usage error. Exit code 2."""


class ConfigError(InputError):
    """One or more located problems in a scenario, catalog or override."""

    #: at most this many problems are reported for one load
    MAX_PROBLEMS = 50

    def __init__(self, problems: Sequence[Problem] | Problem, *, truncated: int = 0):
        if isinstance(problems, Problem):
            problems = [problems]
        problems = list(problems)
        if len(problems) > self.MAX_PROBLEMS:      # whoever collected them: the first 50 shown
            truncated += len(problems) - self.MAX_PROBLEMS
            problems = problems[: self.MAX_PROBLEMS]
        self.problems = problems
        self.truncated = truncated
        super().__init__(self.render())

    def render(self) -> str:
        text = "\n".join(p.render() for p in self.problems)
        if self.truncated:
            text += f"\n... and {self.truncated} more problem(s) not shown"
        if len(self.problems) + self.truncated > 1:
            text = f"{len(self.problems) + self.truncated} problems:\n" + text
        return text


class UnitError(InputError):
    """A quantity that does not parse, or has the wrong dimension."""

    def __init__(self, message: str, *, expected: Optional[str] = None, found: Optional[str] = None):
        self.message = message
        self.expected = expected
        self.found = found
        super().__init__(message)


class UnknownFigure(InputError):
    """A figure name that the result does not hold (``name``); the message has a did-you-mean."""

    def __init__(self, message: str, name: str = ""):
        super().__init__(message)
        self.name = name


class OutputError(InputError):
    """An output file that cannot be written (missing or read-only folder)."""


class NumericError(InputError):
    """A figure that came out non-finite or out of range: the inputs that produced it are named."""


class NameClash(InputError):
    """Two inputs whose names give one figure name: the second would replace the first."""


class BudgetError(InputError):
    """Work or output past a stated limit, refused before it starts. Exit code 2."""


class CheckFailed(EstimatorError):
    """An expectation or baseline check failed. Exit code 1."""


class CapacityError(ConfigError):
    """Fleets that do not fit their site, or a plan that cannot be met. Exit code 2."""
