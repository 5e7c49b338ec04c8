"""The engine stays easy to read: short functions, few parameters, no private imports across modules.

Parameters counted are those a caller must think about: positional ones and keyword-only
ones without a default. Optional keyword flags (``headline=``, ``text=``) are not counted.
"""
from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "estimator" / "engine"
MAX_LINES, MAX_PARAMS = 60, 6


def _functions():
    for path in sorted(ENGINE.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield path.name, node


def test_engine_functions_are_short():
    long = [f"{file}:{fn.lineno} {fn.name} ({fn.end_lineno - fn.lineno + 1} lines)"
            for file, fn in _functions() if fn.end_lineno - fn.lineno + 1 > MAX_LINES]
    assert not long, f"functions over {MAX_LINES} lines: {long}"


def test_engine_functions_take_few_parameters():
    many = []
    for file, fn in _functions():
        args = fn.args
        required_kw = [a for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is None]
        params = [a.arg for a in args.posonlyargs + args.args + required_kw
                  if a.arg not in ("self", "cls")]
        if len(params) > MAX_PARAMS:
            many.append(f"{file}:{fn.lineno} {fn.name} ({len(params)} parameters)")
    assert not many, f"functions with more than {MAX_PARAMS} parameters: {many}"


def test_no_private_imports_across_modules():
    found = []
    for path in sorted((ENGINE.parent).rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                found += [f"{path.name}: {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert not found, f"private names imported from another module: {found}"
