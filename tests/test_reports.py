"""Reports in every format: golden files, widths, escape codes, the results schema.

Regenerate the golden files after an intended change with:

    ESTIMATOR_UPDATE_GOLDEN=1 pytest tests/test_reports.py

and review `git diff tests/golden`.
"""
import json
import os
import subprocess
import sys
import xml.dom.minidom

import pytest
from click.testing import CliRunner

from conftest import ROOT, shipped
from estimator.cli import main

NAMES = [p.name for p in shipped()]


def run(*args):
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)   # file names in reports are relative to the working folder


@pytest.mark.parametrize("fmt,ext", [("table", "txt"), ("markdown", "md"), ("json", "json"),
                                     ("csv", "csv")])
@pytest.mark.parametrize("name", NAMES)
def test_golden_output(golden, name, fmt, ext):
    path = f"configs/scenarios/{name}"
    args = ["report", path, "--format", fmt] + (["--width", "100"] if fmt == "table" else [])
    golden(f"{name[:-5]}.{ext}", run(*args))


def test_golden_side_by_side(golden):
    golden("side-by-side.md", run("report", "configs/scenarios/openai-40b.yaml",
                                  "configs/scenarios/stargate-500b.yaml", "--format", "markdown"))


@pytest.mark.parametrize("name", NAMES)
def test_80_columns_never_overflow(name):
    out = run("report", f"configs/scenarios/{name}", "--width", "80")
    assert max(len(line) for line in out.splitlines()) <= 80


def test_wider_terminals_are_used():
    out = run("report", "configs/scenarios/openai-40b.yaml", "--width", "140")
    assert max(len(line) for line in out.splitlines()) > 100


@pytest.mark.parametrize("env", [{}, {"NO_COLOR": "1"}])
def test_non_tty_output_has_no_escape_codes(env):
    res = subprocess.run([sys.executable, "-m", "estimator", "report"], capture_output=True,
                         text=True, env=dict(os.environ, **env), timeout=60)
    assert res.returncode == 0
    assert "\x1b" not in res.stdout and "\x1b" not in res.stderr
    assert "NOT COVERED" in res.stdout


def test_no_color_on_a_terminal_has_no_colour_codes():
    from rich.console import Console
    import io
    from estimator.report import terminal
    from estimator.engine import estimate
    from estimator.config.loader import load
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, no_color=True, width=100)
    terminal.render(estimate(load("configs/scenarios/openai-40b.yaml")), console)
    assert "\x1b[3" not in buf.getvalue() and "\x1b[9" not in buf.getvalue()   # no colours


@pytest.mark.parametrize("name", NAMES)
def test_json_validates_against_the_published_results_schema(name):
    import jsonschema
    schema = json.loads(run("schema", "--results"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads(run("report", f"configs/scenarios/{name}", "--format", "json"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert not errors, [e.message for e in errors[:3]]


def test_published_results_schema_is_the_generated_one():
    assert json.loads((ROOT / "docs" / "results.schema.json").read_text()) == json.loads(
        run("schema", "--results"))


def test_svg_and_html_pictures(tmp_path):
    svg, html = tmp_path / "r.svg", tmp_path / "r.html"
    run("report", "configs/scenarios/stargate-500b.yaml", "--svg", str(svg), "--html", str(html),
        "--output", str(tmp_path / "r.txt"))
    doc = xml.dom.minidom.parse(str(svg))
    assert doc.documentElement.tagName == "svg"
    assert "COVERED" in svg.read_text() and "Stargate" in svg.read_text()
    assert html.read_text().lstrip().lower().startswith("<!doctype html")


def test_csv_has_monthly_rows_and_line_items():
    import csv
    import io
    rows = list(csv.DictReader(io.StringIO(run("report", "configs/scenarios/h100-server.yaml",
                                               "--format", "csv"))))
    capex = [r for r in rows if r["figure"] == "capex.total_usd"]
    assert len(capex) == 1 and float(capex[0]["value"]) > 0 and capex[0]["month"] == ""
    monthly = [r for r in rows if r["figure"] == "monthly.opex_usd"]
    assert [r["month"] for r in monthly][:2] == ["2025-01", "2025-02"] and len(monthly) == 36


def test_output_formats_write_whole_files(tmp_path):
    for fmt in ("markdown", "csv", "json", "table"):
        out = tmp_path / f"r.{fmt}"
        run("report", "configs/scenarios/h100-server.yaml", "--format", fmt, "-o", str(out))
        assert out.stat().st_size > 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.json", "r.markdown",
                                                         "r.table"]
