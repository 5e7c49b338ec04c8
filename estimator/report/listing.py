"""`estimator scenarios`: the shipped scenarios by name, with a one-line description."""
from __future__ import annotations

from ..result import dumps
from .sheet import Sheet, render as render_sheets


def sheet(items, default: str) -> Sheet:
    rows = [(s.name + (" (default)" if s.name == default else ""), s.title) for s in items]
    return Sheet("Shipped scenarios", ("name", "what it models"), rows,
                 note="Every command takes a name in place of a file: estimator report "
                      + (items[0].name if items else "NAME"))


def render(items, default: str, fmt: str):
    return render_sheets([sheet(items, default)], fmt)


def render_json(items, default: str) -> str:
    return dumps({"default": default, "scenarios": [
        {"name": s.name, "title": s.title, "description": s.description, "file": s.path}
        for s in items]})


def render_project(data: dict, fmt: str):
    """`estimator project show`: the settings, then the scenarios and fragments it finds."""
    from ..units import show_value
    from .sheet import Sheet
    settings = Sheet("Project", ("", "value"),
                     [(k, str(data[k])) for k in ("root", "config", "catalog", "baselines")]
                     + [("tolerance", show_value(data["tolerance"], "fraction"))], keep=(0,))
    files = Sheet("Files", ("file", "kind"), [(f, "scenario") for f in data["scenarios"]]
                  + [(f, "fragment") for f in data["fragments"]])
    return render_sheets([settings, files], fmt)
