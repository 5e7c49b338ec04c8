"""Every figure of every shipped scenario explains itself down to a source.

A figure that is not an input names the figures it was computed from; following them
always ends, on every branch, at an input with a source: a YAML line, a catalog entry or
a sourced default. Inputs are recorded from the values actually passed (engine/ledger.py),
so this holds by construction; the test keeps it so.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from estimator.catalog import load_catalog
from estimator.config.loader import load
from estimator.engine import estimate

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "configs" / "scenarios").glob("*.yaml"))


def _source_kind(src: str) -> str:
    if src.startswith("catalog "):
        return "catalog"
    if src.startswith("default "):
        return "default"
    if ".yaml:" in src:
        return "yaml"
    return ""


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_branch_reaches_a_source(path):
    result = estimate(load(str(path)), load_catalog())
    figures = result.figures
    for fig in figures.values():
        if fig.formula == "input":
            assert fig.sources, f"{fig.name}: an input without a source"
            kinds = {_source_kind(s) for s in fig.sources}
            assert kinds - {""}, f"{fig.name}: source {fig.sources} is not a YAML line, a " \
                                 "catalog entry or a default"
            continue
        assert fig.inputs, f"{fig.name} is derived but records no inputs"
        for name in fig.inputs:
            assert name in figures, f"{fig.name} names an input '{name}' that is not a figure"


@pytest.mark.parametrize("path", SCENARIOS,
                         ids=lambda p: p.stem)
def test_explain_chain_ends_at_inputs(path):
    """Walking down from every figure reaches only inputs at the leaves."""
    result = estimate(load(str(path)), load_catalog())
    figures = result.figures
    leaves_ok = {}

    def grounded(name, stack=()):
        if name in leaves_ok:
            return leaves_ok[name]
        fig = figures[name]
        if fig.formula == "input":
            ok = bool(fig.sources)
        elif name in stack:
            ok = False
        else:
            ok = bool(fig.inputs) and all(grounded(i, stack + (name,)) for i in fig.inputs)
        leaves_ok[name] = ok
        return ok

    bad = [n for n in figures if not grounded(n)]
    assert not bad, f"figures whose chain does not end at a source on every branch: {bad[:10]}"
