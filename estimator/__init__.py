"""estimator: what AI compute costs, and whether the money raised covers it.

Library use::

    import estimator
    result = estimator.estimate("stargate-500b")        # a file, a shipped name, or None
    result.value("capex.total_usd")                     # a float (USD)
    result.to_frame()                                    # pandas: ai-compute-estimator[frame]
    estimator.simulate("openai-40b", samples=10_000, seed=1).probability_covered
    estimator.solve("openai-40b").scale
    estimator.scenarios.names()                          # the shipped scenarios

Errors raised on purpose derive from :class:`estimator.errors.EstimatorError`; bad input
is a :class:`estimator.errors.InputError` (``ConfigError`` with ``file:line:col``).
"""
from __future__ import annotations

__version__ = "0.3.0"
__all__ = ["load", "estimate", "simulate", "sensitivity", "solve", "load_catalog", "scenarios",
           "errors"]

_API = ("load", "estimate", "simulate", "sensitivity", "solve")


def __getattr__(name):  # lazy: keep `import estimator` cheap
    if name in _API:
        from . import api
        return getattr(api, name)
    if name == "load_catalog":
        from .catalog import load_catalog
        return load_catalog
    if name in ("scenarios", "errors"):
        from importlib import import_module
        return import_module(f".{name}", __name__)
    raise AttributeError(name)
