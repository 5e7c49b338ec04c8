"""`estimator explain`: a figure, its formula, and the chain of inputs down to their sources."""
from __future__ import annotations

from ..result import Result, chain, to_plain
from ..units import format_quantity


def _value(fig) -> str:
    if fig.series:
        v = to_plain(fig.value)
        if v and not isinstance(v[0], list):
            return (f"monthly series, {len(v)} months; last month "
                    f"{format_quantity(v[-1], fig.unit)}")
        return "monthly series"
    if fig.unit in ("flag", "text", "month"):
        return str(to_plain(fig.value))
    return format_quantity(to_plain(fig.value), fig.unit)


def render(result: Result, name: str) -> str:
    lines = []
    for depth, fig in chain(result, name):
        pad = "    " * depth
        lines.append(f"{pad}{fig.name} = {_value(fig)}")
        if fig.formula and fig.formula != "input":
            lines.append(f"{pad}  = {fig.formula}")
        for src in fig.sources:
            lines.append(f"{pad}  source: {src}")
    return "\n".join(lines) + "\n"
