"""The stable machine contract: every figure with its value, unit, formula, inputs and sources."""
from __future__ import annotations


from ..result import SCHEMA_VERSION, Result, dumps, to_plain
from ..units import format_quantity


def display(fig) -> str | None:
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
        shown = display(fig)
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
    return dumps(as_dict(result), ensure_ascii=False)


def results_schema() -> dict:
    """JSON Schema (draft 2020-12) of `estimator report --format json`, schema_version 1."""
    from ..units import DIMENSIONS
    figure = {
        "type": "object",
        "additionalProperties": False,
        "required": ["value", "unit", "formula"],
        "properties": {
            "value": {"description": "in the unit's base unit; a list of months for series",
                      "type": ["number", "boolean", "string", "null", "array"]},
            "unit": {"enum": sorted(DIMENSIONS) + ["flag", "text", "month"]},
            "display": {"type": "string", "description": "the value formatted for people"},
            "formula": {"type": "string", "description": "how it is computed, in words; "
                        "'input' for a value from a scenario, the catalog or the defaults"},
            "inputs": {"type": "array", "items": {"type": "string"},
                       "description": "names of the figures it is computed from"},
            "sources": {"type": "array", "items": {"type": "string"},
                        "description": "file:line:col of the value, or the catalog/default source"},
            "series": {"const": "monthly"},
            "headline": {"const": True},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://estimator.invalid/results/v1.json",
        "title": "estimator result",
        "description": "estimator report --format json. The other JSON outputs CI reads are "
                       "under $defs: side_by_side (report with several scenarios or --acquire), "
                       "check, diff (two files, or --compare-to) and changes (diff --rev).",
        "$defs": _ci_defs(),
        "type": "object",
        "additionalProperties": False,
        "required": ["schema_version", "scenario", "files", "months", "warnings", "tables",
                     "figures"],
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "scenario": {"type": "string"},
            "files": {"type": "array", "items": {"type": "string"}},
            "months": {"type": "array", "items": {"type": "string",
                                                  "pattern": r"^\d{4}-\d{2}$"}},
            "warnings": {"type": "array", "items": {"type": "string"}},
            "tables": {"type": "object", "additionalProperties": {"type": "array",
                                                                  "items": {"type": "object"}}},
            "figures": {"type": "object", "additionalProperties": figure},
        },
    }


def _obj(required, properties: dict, optional: dict = None) -> dict:
    return {"type": "object", "additionalProperties": False, "required": list(required),
            "properties": dict(properties, **(optional or {}))}


def _ci_defs() -> dict:
    """Schemas of `report` with several scenarios, `check`, `diff` and `diff --rev` JSON."""
    text, texts = {"type": "string"}, {"type": "array", "items": {"type": "string"}}
    value = {"type": ["number", "boolean", "string", "null"]}
    move = _obj(("name", "unit", "before", "after", "status", "headline"), {
        "name": text, "unit": text, "before": value, "after": value,
        "status": {"enum": ["moved", "changed", "new", "removed"]},
        "headline": {"type": "boolean"}},
        {"change": {"type": "number"},
         "relative": {"type": ["number", "null"], "description": "null: moved from zero"},
         "failed": {"const": True, "description": "a headline figure past its tolerance"}})
    moves = {"type": "array", "items": {"$ref": "#/$defs/move"}}
    outcome = _obj(("name", "expected", "actual", "passed", "where"), {
        "name": text, "expected": text, "actual": text, "passed": {"type": "boolean"},
        "where": {"type": "string", "description": "file:line:col of the expectation"}})
    checked = _obj(("file", "passed", "baseline", "expectations", "moves", "error"), {
        "file": text, "passed": {"type": "boolean"}, "baseline": text,
        "expectations": {"type": "array", "items": outcome}, "moves": moves,
        "error": {"type": ["string", "null"], "description": "why the scenario could not be "
                  "checked (bad input: the command exits 2); null when it was"}})
    version = {"const": SCHEMA_VERSION}
    side = _obj(("label", "commit", "catalog"), {"label": text, "commit": {
        "type": ["string", "null"], "description": "null: the working tree"}, "catalog": text})
    scenario = _obj(("file", "title", "status", "error", "inputs", "figures"), {
        "file": text, "title": text, "error": {"type": ["string", "null"]},
        "status": {"enum": ["changed", "unchanged", "added", "removed", "error"]},
        "inputs": moves, "figures": moves})
    return {
        "move": move,
        "side_by_side": _obj(("schema_version", "scenarios"), {
            "schema_version": version,
            "scenarios": {"type": "array", "items": {"$ref": "#"}}}),
        "check": _obj(("schema_version", "passed", "catalog", "files", "orphan_baselines"), {
            "schema_version": version, "passed": {"type": "boolean"}, "catalog": text,
            "files": {"type": "array", "items": checked}, "orphan_baselines": texts}),
        "diff": _obj(("schema_version", "base", "head", "catalog", "inputs", "figures"), {
            "schema_version": version, "base": text, "head": text, "catalog": text,
            "inputs": moves, "figures": moves}),
        "changes": _obj(("schema_version", "base", "head", "scenarios"), {
            "schema_version": version, "base": side, "head": side,
            "scenarios": {"type": "array", "items": scenario}}),
    }
