"""The command line: exit codes, formats, --set, explain, schema, catalog, docs."""
import json
import re

import pytest
from click.testing import CliRunner

from conftest import ROOT, shipped
from estimator.cli import main

COMMANDS = sorted(main.commands)


def invoke(*args, ok=True):
    res = CliRunner().invoke(main, list(args), catch_exceptions=not ok)
    if ok:
        assert res.exit_code == 0, res.output
    return res


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    res = invoke(command, "--help")
    assert "Example:" in res.output
    assert "estimator " + command in res.output


def test_readme_lists_every_command():
    readme = (ROOT / "README.md").read_text()
    for command in COMMANDS:
        assert f"estimator {command}" in readme, command


def test_report_json_carries_schema_version_and_figures():
    path = [p for p in shipped() if p.name == "h100-server.yaml"][0]
    data = json.loads(invoke("report", str(path), "--format", "json").output)
    assert data["schema_version"] == 1
    fig = data["figures"]["capex.total_usd"]
    assert fig["unit"] == "money" and fig["value"] > 0 and fig["display"].startswith("$")


def test_report_table_shows_the_capex_total():
    path = [p for p in shipped() if p.name == "h100-100k-cluster.yaml"][0]
    out = invoke("report", str(path), "--width", "100").output
    assert "Capex" in out and "Total" in out and "100,000" in out


def test_set_override_reaches_the_result():
    path = str([p for p in shipped() if p.name == "h100-100k-cluster.yaml"][0])
    a = json.loads(invoke("report", path, "--format", "json").output)
    b = json.loads(invoke("report", path, "--format", "json", "--set",
                          "fleets.h100.accelerators=50_000").output)
    assert b["figures"]["fleets.h100.accelerators"]["value"] == 50_000
    assert b["figures"]["capex.total_usd"]["value"] < a["figures"]["capex.total_usd"]["value"]


def test_bad_input_exits_2_without_traceback(tmp_path):
    res = invoke("report", str(tmp_path / "missing.yaml"), ok=False)
    assert res.exit_code == 2 and "file not found" in res.output and "Traceback" not in res.output
    res = invoke("report", str(shipped()[0]), "--set", "nonsense", ok=False)
    assert res.exit_code == 2 and "PATH=VALUE" in res.output


def test_usage_errors_exit_2():
    assert invoke("report", "--format", "pdf", ok=False).exit_code == 2
    assert invoke("no-such-command", ok=False).exit_code == 2


def test_internal_errors_exit_3_with_a_hint(monkeypatch):
    import estimator.engine
    monkeypatch.setattr(estimator.engine, "estimate", lambda *a, **k: 1 / 0)
    res = invoke("report", str(shipped()[0]), ok=False)
    assert res.exit_code == 3
    assert "internal error: ZeroDivisionError" in res.output and "--debug" in res.output
    assert "Traceback" not in res.output


def test_output_file_is_written_whole(tmp_path):
    out = tmp_path / "r.json"
    invoke("report", str(shipped()[0]), "--format", "json", "--output", str(out))
    assert json.loads(out.read_text())["schema_version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_output_into_a_missing_folder_exits_2(tmp_path):
    res = invoke("report", str(shipped()[0]), "--output", str(tmp_path / "no" / "r.txt"), ok=False)
    assert res.exit_code == 2 and "does not exist" in res.output


def test_explain_works_for_every_figure_in_the_json():
    for path in shipped():
        data = json.loads(invoke("report", str(path), "--format", "json").output)
        from estimator.config.loader import load
        from estimator.engine import estimate
        from estimator.report.explain import render
        from estimator.catalog import load_catalog
        from estimator.engine.uncertainty import annotate
        scenario, catalog = load(str(path)), load_catalog()
        result = estimate(scenario, catalog)
        annotate(result, scenario, catalog)          # as the report does
        for name in data["figures"]:
            text = render(result, name)
            assert text.startswith(f"{name} = ")


def test_explain_reaches_yaml_lines_and_catalog_sources():
    path = str([p for p in shipped() if p.name == "h100-100k-cluster.yaml"][0])
    out = invoke("explain", path, "capex.total_usd").output
    assert re.search(r"h100-100k-cluster\.yaml:\d+:\d+", out)
    assert "catalog server 'hgx-h100'" in out
    assert "Cushman & Wakefield" in out


def test_explain_unknown_figure_suggests_a_name():
    path = str(shipped()[0])
    res = invoke("explain", path, "capex.totl_usd", ok=False)
    assert res.exit_code == 2 and "did you mean 'capex.total_usd'" in res.output


def test_schema_validates_every_shipped_scenario():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(invoke("schema").output)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    from estimator.config.loader import read_tree
    for path in shipped():
        # read as the tool reads it: merged over the files it extends, and with YAML 1.2
        # scalars ('on:' is a key, not the boolean true of YAML 1.1 readers)
        doc = json.loads(json.dumps(read_tree(str(path))[0].plain(), default=str))
        errors = list(validator.iter_errors(doc))
        assert not errors, (path.name, [e.message for e in errors[:3]])


def test_schema_rejects_an_unknown_key():
    import jsonschema
    schema = json.loads(invoke("schema").output)
    doc = {"scenario": "x", "horizon": {"start": "2025-01", "end": "2025-12"}, "fleetz": {}}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(doc))


def test_catalog_lists_every_entry_with_sources():
    out = invoke("catalog", "--format", "json").output
    data = json.loads(out)
    assert {"h100-sxm", "gb200", "mi300x", "tpu-v5p", "trainium2"} <= set(data["accelerators"])
    assert "dgx-h100" in data["servers"] and "gb200-nvl72" in data["servers"]
    table = invoke("catalog").output
    assert "h100-sxm" in table and "Cushman" in table


def test_python_dash_m_works():
    import subprocess
    import sys
    res = subprocess.run([sys.executable, "-m", "estimator", "--help"], capture_output=True,
                         text=True, timeout=30)
    assert res.returncode == 0 and "Usage: estimator" in res.stdout


def _leaf_commands(group, prefix=()):
    import click
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from _leaf_commands(cmd, prefix + (name,))
        else:
            yield prefix + (name,)


@pytest.mark.parametrize("command", list(_leaf_commands(main)), ids=" ".join)
def test_the_main_options_are_taken_after_the_command_too(command, tmp_path):
    """`estimator check --catalog DIR` is `estimator --catalog DIR check` (pre-commit `args:`
    are appended after the hook's entry); every command lists them in its --help."""
    res = invoke(*command, "--help")
    for opt in ("--catalog", "--allow-extends", "--debug"):
        assert opt in res.output, (command, opt)


def test_an_option_after_the_command_means_what_it_means_before(tmp_path):
    missing = str(tmp_path / "no-catalog")
    before = invoke("--catalog", missing, "catalog", ok=False)
    after = invoke("catalog", "--catalog", missing, ok=False)
    assert before.exit_code == after.exit_code == 2
    assert before.output == after.output and "no-catalog" in after.output
    outside = tmp_path / "shared"
    outside.mkdir()
    (outside / "site.yaml").write_text(
        "horizon: {start: 2025-01, end: 2025-12}\n"
        "datacenters: {dc: {mode: lease, it_capacity: 1 MW, build: {start: 2025-01}}}\n")
    project = tmp_path / "mine"
    project.mkdir()
    (project / "a.yaml").write_text(f"scenario: a\nextends: {outside / 'site.yaml'}\n"
                                    "fleets: {f: {server: dgx-h100, servers: 2, site: dc}}\n")
    assert invoke("validate", str(project / "a.yaml"), ok=False).exit_code == 2
    for args in (("--allow-extends", str(outside), "validate", str(project / "a.yaml")),
                 ("validate", str(project / "a.yaml"), "--allow-extends", str(outside))):
        assert "ok: " in invoke(*args).output


def test_side_by_side_heads_are_sanitised_and_say_what_differs(tmp_path):
    """A scenario's title reaches the side-by-side heads through the sanitiser (no rich markup,
    no broken markdown table); `--acquire` heads name the way, the scenario once above."""
    evil = tmp_path / "evil.yaml"
    evil.write_text('scenario: "[bold red]x | `y` <b>"\nextends: h100-server\n')
    md = invoke("report", str(evil), "h100-server", "--format", "markdown").output
    head = md.splitlines()[2]
    assert head.count(" | ") == 3 and "\\[bold red\\]x \\| \\`y\\` &lt;b&gt;" in head, head
    table = invoke("report", str(evil), "h100-server", "--width", "120").output
    assert "[bold red]x | `y` <b>" in table
    ways = invoke("report", "--acquire", "owned,rented", "--width", "100").output
    lines = ways.splitlines()
    assert lines[0].strip() == "Side by side: OpenAI's $40B round vs. an AGI-scale plan"
    assert lines[2].split() == ["owned", "rented", "Δ"]
    md = invoke("report", "--acquire", "owned,rented", "--format", "markdown").output
    assert md.startswith("## Side by side: OpenAI's $40B round vs. an AGI-scale plan\n")


def test_near_misses_on_the_command_line_get_a_did_you_mean():
    res = invoke("report", "--acquire", "owned,rentd", ok=False)
    assert res.exit_code == 2 and "did you mean 'rented'?" in res.output
    res = invoke("explain", "stargate-500b", ok=False)        # a scenario, and no figure
    assert res.exit_code == 2
    assert "'stargate-500b' is a scenario, and no figure was given" in res.output
    assert "estimator explain stargate-500b capex.total_usd" in res.output
    res = invoke("explain", "capex.totl_usd", ok=False)
    assert res.exit_code == 2 and "did you mean 'capex.total_usd'?" in res.output


def _help_examples():
    """Each `estimator ...` example of every command's --help that needs no file of the
    reader's own (mine.yaml, a project, a git history) and no long Monte Carlo."""
    import shlex
    out = []
    for command in _leaf_commands(main):
        text = invoke(*command, "--help").output
        for line in re.findall(r"^\s+estimator (.+)$", text, re.M):
            line = line.split("  #")[0].strip()
            if re.search(r"mine\.yaml|scenarios/|my-catalog|--rev|last-week|--samples|"
                         r"--update-baseline|^check|^project|--method sobol|^schema", line):
                continue
            out.append(tuple(shlex.split(line)))
    return sorted(set(out))


@pytest.mark.parametrize("example", _help_examples(), ids=" ".join)
def test_every_help_example_runs(example, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                 # -o files land here
    res = CliRunner().invoke(main, list(example))
    assert res.exit_code == 0, res.output


def test_the_readme_commands_run_anywhere_after_install(tmp_path, monkeypatch):
    """The README's `estimator ...` command lines (in sh blocks and inline code) work outside
    the checkout, where a user runs them after `pip install`."""
    import shlex
    readme = (ROOT / "README.md").read_text()
    lines = [line for block in re.findall(r"```sh\n(.*?)```", readme, re.S)
             for line in block.splitlines() if line.startswith("estimator ")]
    lines += re.findall(r"`(estimator (?:report|explain|solve|simulate|sensitivity|scenarios|"
                        r"catalog)[^`<]*)`", readme)
    monkeypatch.chdir(tmp_path)
    ran = 0
    for line in sorted(set(lines)):
        argv = shlex.split(line.split("  #")[0])[1:]
        if argv[0] in ("check", "diff", "project") or argv == ["explain"] or any(
                any(w.isupper() for w in re.split(r"\W", a)) for a in argv):
            continue          # a project's command, a placeholder (SCENARIO, FIGURE), no figure
        res = CliRunner().invoke(main, argv + (["-n", "200"] if argv[0] in (
            "simulate",) else []))
        assert res.exit_code == 0, (line, res.output)
        ran += 1
    assert ran >= 10


def test_solve_confidence_prints_a_command_that_pastes_and_runs():
    """The `estimator simulate ... --set` line solve prints stays whole at 80 columns and runs
    as pasted; months that need the same amount read as one span."""
    import shlex
    out = invoke("solve", "--confidence", "90%", "-n", "2000", "--width", "80").output
    line = next(x for x in out.splitlines() if x.lstrip().startswith("estimator simulate"))
    assert line.rstrip().endswith("}'")
    res = invoke(*shlex.split(line.strip())[1:], "-n", "500")
    assert "P(covered)" in res.output
    spans = [x.strip() for x in out.splitlines() if x.strip().startswith("by 20")]
    amounts = [x.split(": ", 1)[1] for x in spans]
    assert len(amounts) == len(set(amounts)), spans     # no two lines say the same amount


def test_the_readme_scenario_in_one_screen_reports_without_warnings(tmp_path):
    """The scenario a reader copies from the README (less its optional `extends:`) loads,
    and its run starts when its fleet is there: no warning, a verdict window past 2025."""
    readme = (ROOT / "README.md").read_text()
    block = re.findall(r"```yaml\n(.*?)```", readme, re.S)[0]
    mine = tmp_path / "mine.yaml"
    mine.write_text("\n".join(x for x in block.splitlines() if not x.startswith("extends:")))
    data = json.loads(invoke("report", str(mine), "--format", "json").output)
    assert data["warnings"] == []
    assert data["tables"]["training"][0]["start"] == "2027-07"
    # without its start, the run would begin with the horizon, before its fleet: said
    mine.write_text(mine.read_text().replace("    start: 2027-07", "    # no start"))
    data = json.loads(invoke("report", str(mine), "--format", "json").output)
    assert any("starts before fleet 'gb200' is fully delivered (it has no 'start:'" in w
               for w in data["warnings"]), data["warnings"]


def test_no_install_instruction_names_the_unrelated_estimator_package():
    """`pip install estimator` (with or without extras) installs someone else's project: no
    README line, doc or message of the package tells anyone to."""
    bad = re.compile(r"(?<![\w-])estimator\[|pip install ['\"]?estimator(?![\w-])")
    texts = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
             *sorted((ROOT / "estimator").rglob("*.py"))]
    found = [f"{p.relative_to(ROOT)}:{i}" for p in texts
             for i, line in enumerate(p.read_text().splitlines(), 1)
             if bad.search(line) and not re.search(r"never|Do not|unrelated", line)]
    assert not found, found


def test_to_frame_without_pandas_names_the_right_distribution(monkeypatch):
    import sys
    import estimator
    result = estimator.estimate("h100-server")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError) as e:
        result.to_frame()
    assert "pip install pandas" in str(e.value) and "'frame' extra of ai-compute-estimator" \
        in str(e.value)


@pytest.mark.parametrize("path", ["datacenters.colo.build.start", "datacenters.colo.mode"])
def test_a_relative_override_of_a_month_or_a_choice_says_so(path):
    for command in ("report", "check"):
        res = invoke(command, "h100-server", "--set", f"{path}=*2", ok=False)
        assert res.exit_code == 2, res.output
        assert f"a relative value (*2) scales a quantity; this is" in res.output
        assert "object at 0x" not in res.output
