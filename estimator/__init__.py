"""estimator: what AI compute costs, and whether the money raised covers it.

Library use::

    from estimator import load, estimate
    result = estimate(load("configs/scenarios/openai-40b.yaml"))
    result.value("capex.total_usd")
"""
from __future__ import annotations

__version__ = "0.2.0"
__all__ = ["load", "estimate", "load_catalog"]


def __getattr__(name):  # lazy: keep `import estimator` cheap
    if name == "load":
        from .config.loader import load
        return load
    if name == "estimate":
        from .engine import estimate
        return estimate
    if name == "load_catalog":
        from .catalog import load_catalog
        return load_catalog
    raise AttributeError(name)
