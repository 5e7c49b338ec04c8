"""The stable machine contract: every figure with its value, unit, formula, inputs and sources."""
from __future__ import annotations

import json

from ..result import SCHEMA_VERSION, Result, to_plain
from ..units import format_quantity


def _display(fig) -> str | None:
    if fig.series or fig.unit in ("flag", "text", "month"):
        return None
    try:
        return format_quantity(to_plain(fig.value), fig.unit)
    except (KeyError, TypeError, ValueError):
        return None


def as_dict(result: Result) -> dict:
    figures = {}
    for fig in result:
        entry = {"value": to_plain(fig.value), "unit": fig.unit}
        shown = _display(fig)
        if shown is not None:
            entry["display"] = shown
        entry["formula"] = fig.formula
        if fig.inputs:
            entry["inputs"] = list(fig.inputs)
        if fig.sources:
            entry["sources"] = list(fig.sources)
        if fig.series:
            entry["series"] = "monthly"
        if fig.headline:
            entry["headline"] = True
        figures[fig.name] = entry
    return {
        "schema_version": SCHEMA_VERSION,
        "scenario": result.title,
        "files": list(result.files),
        "months": list(result.months),
        "warnings": list(result.warnings),
        "tables": result.tables,
        "figures": figures,
    }


def render(result: Result) -> str:
    return json.dumps(as_dict(result), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
