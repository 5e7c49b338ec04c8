"""Everyday use: scenarios by name, one output convention on every command, readable at 80
columns and in any output encoding, numbers that need no second look, the Python API."""
import csv
import io
import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import ROOT, SCENARIOS
from estimator.cli import main

#: every command that prints a result, with the arguments that make it print one
PRINTING = {
    "report": ["h100-server"],
    "check": [str(SCENARIOS / "h100-server.yaml")],
    "diff": ["h100-1k-colo", "h100-server"],
    "explain": ["h100-server", "capex.total_usd"],
    "solve": ["openai-40b"],
    "simulate": ["openai-40b", "-n", "200"],
    "sensitivity": ["openai-40b"],
    "catalog": [],
    "scenarios": [],
}


def run(*args, ok=True, **kw):
    res = CliRunner(**kw).invoke(main, list(args))
    if ok:
        assert res.exit_code == 0, res.output
    return res


def test_every_printing_command_is_covered_here():
    # validate prints ok/error lines, schema prints JSON; project is a group (show below)
    assert set(PRINTING) == set(main.commands) - {"validate", "schema", "project"}


def test_project_show_takes_the_convention(tmp_path):
    for fmt in ("table", "json", "markdown", "csv"):
        out = tmp_path / f"p.{fmt}"
        res = run("project", "show", "--format", fmt, "-o", str(out), "--width", "80")
        assert res.output == "" and "configs/scenarios/openai-40b.yaml" in out.read_text()


# --------------------------------------------------------------------------- scenarios by name

def test_scenarios_lists_every_shipped_scenario_with_a_description():
    out = run("scenarios", "--width", "120").output
    for path in SCENARIOS.glob("*.yaml"):
        assert path.stem in out
    assert "openai-40b (default)" in out and "Stargate's $500B" in out
    data = json.loads(run("scenarios", "--format", "json").output)
    assert data["default"] == "openai-40b"
    assert all(s["title"] and os.path.isfile(s["file"]) for s in data["scenarios"])


@pytest.mark.parametrize("command", ["report", "validate", "solve", "simulate", "sensitivity",
                                     "check"])
def test_a_shipped_name_works_where_a_file_is_taken(command, tmp_path):
    args = {"report": ["stargate-500b"], "validate": ["stargate-500b"], "check": ["h100-server"],
            "solve": ["openai-40b"], "simulate": ["openai-40b.yaml", "-n", "50"],
            "sensitivity": ["openai-40b"]}[command]
    args = [command] + args
    os.chdir(tmp_path)          # not in a checkout: the name must not depend on configs/
    try:
        res = run(*args, ok=False)
    finally:
        os.chdir(ROOT)
    assert res.exit_code == 0, res.output


def test_an_unknown_name_is_a_located_error_with_a_suggestion():
    res = run("report", "stargate", ok=False)
    assert res.exit_code == 2
    assert "stargate: file not found" in res.output and "did you mean 'stargate-500b'?" in \
        res.output


def test_a_local_file_wins_over_a_shipped_name(tmp_path, write):
    os.chdir(tmp_path)
    try:
        (tmp_path / "h100-server").write_text("scenario: mine\nhorizon: {start: 2025-01, "
                                              "end: 2025-12}\n")
        out = json.loads(run("report", "h100-server", "--format", "json").output)
    finally:
        os.chdir(ROOT)
    assert out["scenario"] == "mine"


@pytest.mark.parametrize("command", sorted(main.commands))
def test_help_examples_do_not_need_a_checkout(command):
    text = run(command, "--help").output
    assert "configs/" not in text.split("Example:")[-1], command


# --------------------------------------------------------------------------- one convention

@pytest.mark.parametrize("command", sorted(PRINTING))
def test_every_command_takes_format_output_and_width(command, tmp_path):
    params = {p.name for p in main.commands[command].params}
    assert {"fmt", "output", "width"} <= params
    choices = next(p for p in main.commands[command].params if p.name == "fmt").type.choices
    assert list(choices) == ["table", "json", "markdown", "csv"]
    for fmt in choices:
        out = tmp_path / f"out.{fmt}"
        res = run(command, *PRINTING[command], "--format", fmt, "-o", str(out), "--width", "80")
        assert res.output == "" and out.stat().st_size > 0
        text = out.read_text()
        if fmt == "json":
            json.loads(text)
        elif fmt == "csv":
            rows = list(csv.reader(io.StringIO(text)))
            assert len(rows) > 1 and len({len(r) for r in rows}) == 1
        elif fmt == "markdown":
            assert "|" in text or text.lstrip().startswith(("#", "-"))


@pytest.mark.parametrize("command", sorted(PRINTING))
def test_tables_fit_80_columns(command):
    text = run(command, *PRINTING[command], "--width", "80", "--format", "table").output
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80, text
    assert "…" not in text, text          # nothing cropped


def test_catalog_at_80_columns_keeps_ids_and_sources_whole():
    from estimator.catalog import load_catalog
    text = run("catalog", "--width", "80").output
    cat = load_catalog()
    for key in list(cat.accelerators) + list(cat.servers):
        assert re.search(rf"^\s+{re.escape(key)}\s", text, re.M), key
    assert "[1] NVIDIA A100" in text


def test_diff_at_80_columns_shows_every_change_whole():
    text = run("diff", "h100-1k-colo", "h100-server", "--width", "80").output
    assert "(+24.1%)" in text and "+$0.0194/kWh" in text


def test_sensitivity_at_80_columns_breaks_paths_between_parts():
    text = run("sensitivity", "openai-40b", "--width", "80").output
    for part in ("funding.operations.", "tokens_per_user_per_day", "price_performance_doubling"):
        assert part in text


@pytest.mark.parametrize("command", sorted(PRINTING))
def test_a_cp1252_output_gets_ascii_not_a_crash(command):
    res = run(command, *PRINTING[command], "--width", "80", charset="cp1252", ok=False)
    assert res.exit_code == 0, res.output
    res.stdout_bytes.decode("cp1252")
    assert "─" not in res.output and "█" not in res.output


def test_a_real_cp1252_redirect(tmp_path):
    env = dict(os.environ, PYTHONIOENCODING="cp1252")
    with open(tmp_path / "out.txt", "wb") as f:
        p = subprocess.run([sys.executable, "-m", "estimator", "report", "openai-40b"],
                           stdout=f, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    text = (tmp_path / "out.txt").read_bytes().decode("cp1252")
    assert "NOT COVERED" in text
    assert not set("━┃┏┓┗┛─│╭╮╰╯█") & set(text)      # drawn in ASCII instead


# --------------------------------------------------------------------------- clearer numbers

def test_explain_defaults_to_the_default_scenario_and_prunes_zeros():
    import estimator
    from estimator.units import format_quantity
    uses = estimator.estimate().value("funding.uses_usd")
    text = run("explain", "funding.uses_usd").output
    assert text.startswith(f"funding.uses_usd = {format_quantity(uses, 'money')}\n")
    assert not re.search(r" = \$0$", text, re.M)
    assert "left out; --all shows them" in text
    full = run("explain", "funding.uses_usd", "--all").output
    assert re.search(r" = \$0$", full, re.M) and len(full) > len(text)


def test_explain_formats_money_like_the_report(write):
    path = write("scenario: t\nhorizon: {start: 2025-01, end: 2026-12}\nfunding:\n"
                 "  flags: {for_profit: true}\n  raises:\n"
                 "    - {name: second, amount: $30B, date: 2025-12, if: for_profit, else: $20B}\n")
    text = run("explain", path, "funding.sources_usd").output
    assert "20,000,000,000 USD" not in text and "else $20.0B" in text


def test_explain_json_is_the_chain():
    data = json.loads(run("explain", "h100-server", "capex.total_usd", "--format",
                          "json").output)
    assert data["chain"][0]["name"] == "capex.total_usd" and data["chain"][0]["depth"] == 0
    assert all(c["value"] != 0 for c in data["chain"][1:])


def test_solve_rounds_its_multipliers():
    from estimator.report.solve import multiple
    assert [multiple(k) for k in (0.7998, 1.0, 1.234, 12.6)] == ["0.8x", "1x", "1.23x", "13x"]
    text = run("solve", "openai-40b").output
    assert not re.search(r"\d\.\d{3,}x", text), text


def test_sensitivity_says_which_end_moved_the_figure_which_way():
    import estimator
    sens = estimator.sensitivity("openai-40b")
    text = run("sensitivity", "openai-40b", "--width", "100").output
    assert "at P10" in text and "at P90" in text and "░ input at its P10, █ at its P90" in text
    rows = list(csv.DictReader(io.StringIO(run("sensitivity", "openai-40b", "--format",
                                               "csv").output)))
    for s in sens.swings:      # each end's change, signed: which end moved the figure which way
        got = {r["column"]: r["value"] for r in rows if r["row"] == s.path}
        assert float(got["change at P10"]) == pytest.approx(s.at_low - sens.base)
        assert float(got["change at P90"]) == pytest.approx(s.at_high - sens.base)
    moved = [s for s in sens.swings if s.at_low != s.at_high]
    first = moved[0]
    line = next(ln for ln in text.splitlines() if ln.strip().startswith(first.path[:20]))
    signs = re.findall(r"([+-])\$", line)
    assert signs[0] == ("+" if first.at_low > sens.base else "-")
    assert signs[-1] == ("+" if first.at_high > sens.base else "-")


def test_sensitivity_notes_inputs_outside_the_window():
    import estimator
    sens = estimator.sensitivity("openai-40b")
    idle = [s.path for s in sens.swings if s.swing == 0]
    assert idle and sens.window_end
    text = run("sensitivity", "openai-40b", "--width", "100").output
    assert f"outside the verdict window (through {sens.window_end})" in text
    assert all(p in text.split("move nothing")[1] for p in idle)


def test_side_by_side_has_a_difference_column():
    import estimator
    from estimator.units import format_quantity
    text = run("report", "openai-40b", "stargate-500b", "--format", "markdown").output
    head = text.splitlines()[2]
    assert head.endswith("| Δ |")
    a, b = (estimator.estimate(n).value("funding.sources_usd") for n in ("openai-40b",
                                                                        "stargate-500b"))
    sign = "+" if b >= a else "-"
    row = next(ln for ln in text.splitlines() if ln.startswith("| Sources |"))
    assert row.endswith(f"| {sign}{format_quantity(abs(b - a), 'money')} ({(b - a) / a:+.0%}) |")


# --------------------------------------------------------------------------- the Python API

def test_python_api_runs_every_command_from_code():
    import estimator
    r = estimator.estimate("h100-server")
    assert r.value("capex.total_usd") > 300_000
    sim = estimator.simulate("openai-40b", samples=200, seed=3)
    again = estimator.simulate("openai-40b", samples=200, seed=3)
    assert 0 <= sim.probability_covered <= 1
    assert sim.probability_covered == again.probability_covered
    sol = estimator.solve("openai-40b")
    assert not sol.covered and 0 <= sol.scale < 1
    assert sol.covered == bool(estimator.estimate("openai-40b").value("funding.covered"))
    cheaper = estimator.estimate("h100-server", overrides=["datacenters.colo.pue=*1.1"])
    assert cheaper.value("inputs.datacenters.colo.pue") == pytest.approx(1.54)
    assert "openai-40b" in estimator.scenarios.names()


def test_result_records_and_frame():
    import estimator
    r = estimator.estimate("h100-server")
    recs = r.to_records()
    names = [x["name"] for x in recs]
    assert "capex.total_usd" in names and "monthly.capex_usd" not in names
    monthly = [x for x in r.to_records(series=True) if x["name"] == "monthly.capex_usd"]
    assert [x["month"] for x in monthly] == r.months
    pd = pytest.importorskip("pandas", reason="pandas is the optional [frame] extra")
    frame = r.to_frame()
    assert frame.loc["capex.total_usd", "value"] == r.value("capex.total_usd")
    series = r.to_frame(series=True)
    assert series.loc[("monthly.capex_usd", r.months[0]), "value"] == \
        r.value("monthly.capex_usd")[0]
    assert isinstance(frame, pd.DataFrame)


def test_report_does_not_import_pandas():
    code = ("import sys; from estimator.cli import main\n"
            "try:\n    main(['report', 'h100-server', '--format', 'json'])\n"
            "except SystemExit:\n    pass\n"
            "print('pandas' in sys.modules, file=sys.stderr)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.stderr.strip().endswith("False"), p.stderr


def test_library_errors_carry_no_command_line_hints():
    import estimator
    from estimator.errors import UnknownFigure
    with pytest.raises(UnknownFigure) as e:
        estimator.estimate("h100-server").value("capex.totl_usd")
    assert "--" not in str(e.value) and "did you mean 'capex.total_usd'" in str(e.value)
    res = run("explain", "capex.totl_usd", ok=False)
    assert res.exit_code == 2 and "--format json" in res.output


def test_docstrings_on_the_api():
    import estimator
    from estimator.result import Figure, Result
    for obj in (Result, Result.value, Result.under, Result.to_frame, Result.to_records, Figure,
                estimator.estimate, estimator.simulate, estimator.solve, estimator.sensitivity):
        assert obj.__doc__ and len(obj.__doc__) > 40, obj


def test_package_is_typed():
    import estimator
    assert os.path.isfile(os.path.join(os.path.dirname(estimator.__file__), "py.typed"))
    assert "py.typed" in (ROOT / "setup.cfg").read_text()


# --------------------------------------------------------------------------- completion

def _complete(*words):
    from click.shell_completion import ShellComplete
    comp = ShellComplete(main, {}, "estimator", "_ESTIMATOR_COMPLETE")
    return [c.value for c in comp.get_completions(list(words[:-1]), words[-1])]


def test_completion_offers_scenario_names():
    assert "stargate-500b" in _complete("report", "star")
    assert "h100-server" in _complete("simulate", "h100-s")


def test_completion_offers_figure_names():
    got = _complete("explain", "h100-server", "capex.tot")
    assert "capex.total_usd" in got
    assert "funding.shortfall_usd" in _complete("explain", "funding.short")
    assert "training.cost.build_usd" in _complete("sensitivity", "--figure", "training.cost.b")


def test_encodings_that_need_no_stand_ins():
    from estimator.report.encoding import can_show, for_encoding
    assert can_show("utf-8") and can_show(None) and not can_show("cp1252")
    assert not can_show("no-such-codec")
    assert for_encoding("━ █ →", "cp1252") == "- # ->"
    assert for_encoding("━ █", None) == "━ █"


def test_dash_output_is_standard_output(tmp_path, monkeypatch):
    """-o - prints, as most command-line tools do, and leaves no file named '-'."""
    monkeypatch.chdir(tmp_path)
    for args in (["report", "h100-server", "--format", "json", "-o", "-"],
                 ["schema", "-o", "-"]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 0, res.output
        assert res.output.lstrip().startswith("{")
    assert not (tmp_path / "-").exists()
