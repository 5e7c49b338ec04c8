"""The hostile corpus, round 2: every class of failure, through every command and format.

Each file of tests/bad/ named below is run through validate, report (table, json, markdown,
csv), check, diff, solve and simulate (and sensitivity), in process. A file either gives
its exact message on every command (exit 2), or, where only some commands reach the
problem, on those, and a clean result (exit 0) on the others. Names that reach outputs
must come out escaped, never as control sequences, markup or markdown structure.
"""
import os
import re
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from conftest import BAD_CORPUS, ROOT, RUNAWAY_SECONDS
from estimator.cli import main

FORMATS = ("table", "json", "markdown", "csv")


def commands(path):
    """Every command and output format, for one file."""
    p = str(path)
    out = {"validate": ["validate", p]}
    for fmt in FORMATS:
        out[f"report-{fmt}"] = ["report", p, "--format", fmt]
    out.update({"check": ["check", p], "diff": ["diff", p, p],
                "diff-markdown": ["diff", p, p, "--format", "markdown"],
                "solve": ["solve", p, "--format", "json"], "solve-table": ["solve", p],
                "simulate": ["simulate", p] + (["-n", "2000000"] if "work-" in p else []),
                "sensitivity": ["sensitivity", p, "--format", "json"],
                "sensitivity-table": ["sensitivity", p]})
    return out


ALL = tuple(commands("x"))

# file -> (message every refusing command gives, the commands that must refuse; the others
# must succeed). Messages are exact substrings of the output.
CORPUS = {
    # numbers
    "number-too-many-digits.yaml": (
        "number-too-many-digits.yaml:9:17: a number with 5,000 digits: at most 400 digits "
        "can be read (write 1e300, not the digits)", ALL),
    "number-overflow-product.yaml": (
        "training.r.compute_flop comes out infinite (every figure must be finite and within "
        "±1e+200); it is computed from inputs that are out of range together\n"
        "    inputs, most extreme first:\n"
        "      inputs.training.r.params = 1e+200 (tests/bad/number-overflow-product.yaml:8:30)\n"
        "      inputs.training.r.tokens = 1e+200 (tests/bad/number-overflow-product.yaml:8:45)",
        ALL),
    "number-tiny-mfu.yaml": (
        "training.r.gpu_hours comes out past ±1e+200 (every figure must be finite and within "
        "±1e+200); it is computed from inputs that are out of range together\n"
        "    inputs, most extreme first:\n"
        "      training.r.compute_flop = 1e+200 (tests/bad/number-tiny-mfu.yaml:8:31)\n"
        "      inputs.training.r.mfu = 1e-100 (tests/bad/number-tiny-mfu.yaml:8:48)", ALL),
    "number-subnormal.yaml": (
        "number-subnormal.yaml:8:31: at training[0].compute: too small: the smallest magnitude "
        "other than 0 is 1e-100", ALL),
    "number-huge-count.yaml": (
        "number-huge-count.yaml:6:34: at fleets.f.servers: too large: the largest magnitude "
        "is 1e+200", ALL),
    "number-run-after-horizon.yaml": ("", ()),          # every command answers, exit 0
    "number-huge-lognormal.yaml": (        # the base value (median) is fine; samples are not
        "(every figure must be finite and within ±1e+200)",    # (report shows P10-P90 too)
        ("simulate", "sensitivity", "sensitivity-table") + tuple(f"report-{f}" for f in FORMATS)),
    # paths and structure
    "path-superscript-index.yaml": (
        "path-superscript-index.yaml:11:3: uncertainty: training.²: no list item ² (the list "
        "has 1)", ALL),
    "path-too-deep.yaml": ("path-too-deep.yaml:11:5: the path has more than 64 parts", ALL),
    "extends-empty-list.yaml": (
        "extends-empty-list.yaml:2:10: at extends: extends: an empty list; give a file name "
        "or leave 'extends' out", ALL),
    "extends-nul.yaml": (
        "extends-nul.yaml:2:10: at extends: extends: a file name cannot hold control "
        "characters\n    found:    'base\\x00.yaml'", ALL),
    "many-duplicate-keys.yaml": ("199 problems:", ALL),
    # amplification
    "uncertainty-wildcards.yaml": (
        "uncertainty-wildcards.yaml:73:3: at uncertainty.training[*].utilization: "
        "uncertainty: the paths name more than 200 values: the limit is 200 uncertain "
        "values", ALL),
    "work-past-budget.yaml": ("sample-month-items of work is past the budget of 1.5e+10",
                              ("simulate",)),   # sensitivity: 200 points in one batched pass
    # disclosure
    "extends-outside.yaml": (
        "extends-outside.yaml:2:10: at extends: extends: 'outside-link.yaml' is outside the "
        "project folder", ALL),
    "outside-link.yaml": ("a scenario must be a mapping", ALL),
    # outputs: a device where an output would go (see test_outputs_never_replace_a_device)
    "output-device.json": ("not a regular file (a device, pipe or socket)", ALL),
    # round 3. numbers: only the digits 0-9 and the signs + and - are read as numbers; a
    # look-alike is named, never read as what it resembles (１０ was 10, 1٥0 was 150)
    "number-unicode-digits.yaml": (
        "number-unicode-digits.yaml:9:17: at funding.cash: '１' (U+FF11 FULLWIDTH DIGIT ONE) is "
        "not read as a number; write '1'", ALL),
    "number-minus-sign.yaml": (
        "number-minus-sign.yaml:9:60: at funding.revenue_growth: '−' (U+2212 MINUS SIGN) is not "
        "read as a number; write '-'", ALL),
    "number-two-signs.yaml": (                                  # was read as +$1B
        "number-two-signs.yaml:9:17: at funding.cash: two signs: write one, before the number",
        ALL),
    "number-underflow.yaml": (                                  # was a silent $0
        "number-underflow.yaml:9:17: at funding.cash: too small: the smallest magnitude other "
        "than 0 is 1e-100\n    expected: money such as $40B, $27k, $1.2T (a bare number means "
        "USD), >= $0\n    found:    '1e-999'", ALL),
    "number-zero-divisor.yaml": (                               # the 0 was listed last
        "inputs, most extreme first:\n      fleets.f.accelerators = 0 "
        "(tests/bad/number-zero-divisor.yaml:6:39)", ALL),
    "name-equity-collision.yaml": (                              # one figure replaced the other
        "name-equity-collision.yaml:13:27: at funding.equity[1].name: equity tranches 'seed.a' "
        "and 'seed a' would share the figure names *.equity.seed-a.*", ALL),
    "uncertainty-twice.yaml": (                 # the entry silently replaced the inline one
        "uncertainty-twice.yaml:11:3: at uncertainty.datacenters.dc.pue: uncertainty: "
        "datacenters.dc.pue names a value that is already a distribution (at "
        "tests/bad/uncertainty-twice.yaml:4:33); write its distribution in one place", ALL),
    "yaml-null-key.yaml": (                     # was a site named 'null'
        "yaml-null-key.yaml:4:3: a mapping key is empty (null); write a name", ALL),
    # round 3. YAML: a control character is located, never "position N of <unicode string>"
    "yaml-control-character.yaml": (
        "yaml-control-character.yaml:4:26: not valid YAML: the character U+001B is not "
        "allowed", ALL),
}

# names that reach outputs: every command succeeds; what each output must (not) hold
NAMES = {
    "name-rich-markup.yaml": {"table": ["[/] [bold red]markup[/]", "[/x]"]},
    "name-escape-sequences.yaml": {"table": ["\\x1b[2J\\x1b[H\\x1b]8;;https", "\\u202etxt.exe"],
                                   "csv": ["\\x1b[2J\\x1b[H"],
                                   "markdown": ["\\\\x1b\\[2J"]},
    "name-markdown-forgery.yaml": {
        "markdown": ["## x\\\\n\\\\n\\*\\*✅ Covered\\*\\* \\| forged \\| row &lt;img src=",
                     "\\[link\\](https://example.invalid) &lt;script&gt;",
                     "| r\\|x\\\\n\\| forged \\| row \\| |"]},
}


def run(args):
    t0 = time.perf_counter()
    res = CliRunner().invoke(main, args)
    return res, time.perf_counter() - t0


def _needs_hostname(name):
    if name in ("extends-outside.yaml", "outside-link.yaml") and \
            not os.path.isfile("/etc/hostname"):
        pytest.skip("needs /etc/hostname (a regular file outside the project) to link to")


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_file_gives_its_message_on_every_command(name, monkeypatch):
    _needs_hostname(name)
    monkeypatch.chdir(ROOT)
    message, refusing = CORPUS[name]
    for label, args in commands(os.path.join("tests", "bad", name)).items():
        res, seconds = run(args)
        assert "Traceback" not in res.output and "internal error" not in res.output, \
            (label, res.output)
        if label in refusing:
            assert res.exit_code == 2, (label, res.output[-2000:])
            assert message in res.output, (label, res.output[-2000:])
            assert seconds < RUNAWAY_SECONDS, (label, seconds)
        else:
            assert res.exit_code == 0, (label, res.output[-2000:])
        assert "\x1b" not in res.output and "NaN" not in res.output \
            and "Infinity" not in res.output, label


@pytest.mark.parametrize("name", sorted(NAMES))
def test_names_come_out_escaped_in_every_output(name):
    path = BAD_CORPUS / name
    outputs = {}
    for label, args in commands(path).items():
        res, _ = run(args)
        assert res.exit_code == 0, (label, res.output[-2000:])
        assert "\x1b" not in res.output and "\u202e" not in res.output, label
        outputs[label] = res.output
    for fmt, wanted in NAMES[name].items():
        for text in wanted:
            assert text in outputs[f"report-{fmt}"], (fmt, text, outputs[f"report-{fmt}"][:3000])
    md = outputs["report-markdown"] + outputs["diff-markdown"]
    assert "<img" not in md and "<script" not in md and "](http" not in md.replace("\\](http", "")
    assert not re.search(r"^\*\*✅ Covered\*\* \|", md, re.M)      # no forged line
    for line in outputs["report-markdown"].splitlines():           # no forged table cells
        if line.startswith("| r"):
            assert line.count(" | ") == 8, line


def test_every_new_class_has_a_corpus_file():
    classes = {"number-", "path-", "extends-", "uncertainty-", "work-", "name-", "output-",
               "many-", "yaml-"}
    assert {c for c in classes if any(n.startswith(c) for n in list(CORPUS) + list(NAMES))} \
        == classes
    assert set(CORPUS) | set(NAMES) <= {p.name for p in BAD_CORPUS.iterdir()}


# ----------------------------------------------------------------------- outputs, processes

@pytest.mark.parametrize("target", ["/dev/null", "/dev/full", "fifo", "folder",
                                    str(BAD_CORPUS / "output-device.json")])
@pytest.mark.parametrize("option", [["-o"], ["--svg"], ["--html"]])
def test_outputs_never_replace_a_device_pipe_or_folder(tmp_path, target, option):
    if target == "fifo":
        target = str(tmp_path / "fifo")
        os.mkfifo(target)
    elif target == "folder":
        target = str(tmp_path / "folder")
        os.mkdir(target)
    elif not os.path.exists(target):
        pytest.skip(f"{target} is missing on this system")
    before = os.stat(target).st_mode
    res = CliRunner().invoke(main, ["report", "configs/scenarios/h100-server.yaml",
                                    "--format", "json", *option, target])
    assert res.exit_code == 2, res.output
    assert re.search(r"it is (a character device|a named pipe \(FIFO\)|a folder)|is a directory",
                     res.output), res.output
    assert os.stat(target).st_mode == before          # still what it was
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".estimator-")]


def test_baseline_folder_that_cannot_be_made_is_an_input_error(tmp_path):
    (tmp_path / "afile").write_text("x")
    res = CliRunner().invoke(main, ["check", "--baseline", str(tmp_path / "afile" / "b"),
                                    "--update-baseline", "configs/scenarios/h100-server.yaml"])
    assert res.exit_code == 2 and "cannot create the folder" in res.output, res.output


_KILL_DURING_WRITE = """
import os, signal, sys
import estimator.fileio as f
real = f._write_all
def write_then_die(fd, raw):
    os.write(fd, raw[: len(raw) // 2])
    os.kill(os.getpid(), signal.{sig})
    real(fd, raw)
f._write_all = write_then_die
from estimator.cli import main
sys.argv = ["estimator", "report", "configs/scenarios/h100-server.yaml", "--format", "json",
            "-o", sys.argv[1]]
main()
"""


@pytest.mark.parametrize("sig,code", [("SIGTERM", 143), ("SIGKILL", -9)])
def test_a_killed_write_leaves_the_old_file_and_no_temporary(tmp_path, sig, code):
    target = tmp_path / "report.json"
    target.write_text("old contents")
    res = subprocess.run([sys.executable, "-c", _KILL_DURING_WRITE.format(sig=sig), str(target)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == code, res.stderr
    assert "Traceback" not in res.stderr
    assert target.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def _git(folder, *args):
    subprocess.run(["git", "-C", str(folder), "-c", "user.email=t@example.invalid",
                    "-c", "user.name=t", *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    if subprocess.run(["git", "--version"], capture_output=True).returncode != 0:
        pytest.skip("git is not installed")
    _git(tmp_path, "init", "-q")
    scn = tmp_path / "s.yaml"
    scn.write_text((ROOT / "configs/scenarios/h100-server.yaml").read_text())
    _git(tmp_path, "add", "s.yaml")
    _git(tmp_path, "commit", "-qm", "s")
    scn.write_text(scn.read_text().replace("pue: 1.4", "pue: 1.3"))
    return tmp_path


def test_diff_rev_writes_nothing_next_to_the_scenario(repo):
    before = sorted(p.name for p in repo.iterdir())
    res = CliRunner().invoke(main, ["diff", str(repo / "s.yaml"), "--rev", "HEAD",
                                    "--format", "json"])
    assert res.exit_code == 0, res.output
    assert '"name": "inputs.datacenters.colo.pue"' in res.output
    assert sorted(p.name for p in repo.iterdir()) == before


@pytest.mark.parametrize("rev", ["--output=pwned", "-p", "--exec=touch pwned"])
def test_diff_rev_is_never_an_option(repo, rev, monkeypatch):
    monkeypatch.chdir(repo)
    res = CliRunner().invoke(main, ["diff", str(repo / "s.yaml"), "--rev", rev])
    assert res.exit_code == 2 and "is not a revision" in res.output, res.output
    assert not (repo / "pwned").exists() and not (ROOT / "pwned").exists()


@pytest.mark.parametrize("rev", ["HEAD\n", "a b", "no-such-branch", "HEAD\x1b[2J"])
def test_diff_rev_unknown_revisions_are_input_errors(repo, rev):
    res = CliRunner().invoke(main, ["diff", str(repo / "s.yaml"), "--rev", rev])
    assert res.exit_code == 2 and "Traceback" not in res.output and "\x1b" not in res.output


def test_sigterm_during_diff_rev_leaves_no_temporary_folder(repo, tmp_path):
    """CI cancels a job with SIGTERM: the revision's temporary tree is removed all the same."""
    code = ("import os, signal, sys\n"
            "import estimator.revdiff as r\n"
            "real = r.evaluate_tree\n"
            "def killed(*a, **k):\n"
            "    if k.get('tree_top'):\n"
            "        os.kill(os.getpid(), signal.SIGTERM)\n"
            "    return real(*a, **k)\n"
            "r.evaluate_tree = killed\n"
            "from estimator.cli import main\n"
            "sys.argv = ['estimator', 'diff', sys.argv[1], '--rev', 'HEAD']\n"
            "main()\n")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    before = sorted(p.name for p in repo.iterdir())
    res = subprocess.run([sys.executable, "-c", code, str(repo / "s.yaml")], cwd=ROOT,
                         capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, TMPDIR=str(scratch)))
    assert res.returncode == 143 and "terminated" in res.stderr, res.stderr
    assert sorted(p.name for p in repo.iterdir()) == before
    assert list(scratch.iterdir()) == []


# ----------------------------------------------------------------------- disclosure

def test_extends_outside_the_project_is_refused_unless_allowed_and_never_quoted(tmp_path):
    outside = tmp_path / "outside"
    project = tmp_path / "project"
    outside.mkdir()
    project.mkdir()
    (outside / "secret.yaml").write_text("token: sk-SECRET-123\nscenario: x\n")
    (project / "s.yaml").write_text(f"extends: {outside / 'secret.yaml'}\n"
                                    "horizon: {start: 2025-01, end: 2025-12}\n")
    res = CliRunner().invoke(main, ["validate", str(project / "s.yaml")])
    assert res.exit_code == 2 and "is outside the project folder" in res.output
    assert "SECRET" not in res.output
    res = CliRunner().invoke(main, ["--allow-extends", str(outside), "validate",
                                    str(project / "s.yaml")])
    assert res.exit_code == 2 and "secret.yaml:1:1: a problem in a file outside the project" \
        in res.output, res.output
    assert "SECRET" not in res.output and "token" not in res.output


# ----------------------------------------------------------------------- structure

def test_long_set_paths_are_refused_at_once(write):
    path = write("scenario: t\nhorizon: {start: 2025-01, end: 2025-12}\n")
    t0 = time.perf_counter()
    res = CliRunner().invoke(main, ["validate", path, "--set", ".".join(["a"] * 30000) + "=1"])
    assert res.exit_code == 2 and "the path has more than 64 parts" in res.output
    assert time.perf_counter() - t0 < RUNAWAY_SECONDS and len(res.output) < 1000


def test_includes_share_one_budget(tmp_path):
    (tmp_path / "big.yaml").write_text("x: [" + ", ".join(["1"] * 120_000) + "]\n")
    (tmp_path / "s.yaml").write_text("scenario: t\nextends: [" + ", ".join(["big.yaml"] * 31)
                                     + "]\nhorizon: {start: 2025-01, end: 2025-12}\n")
    res, seconds = run(["validate", str(tmp_path / "s.yaml")])
    assert res.exit_code == 2 and "the files included add up to more than" in res.output
    assert seconds < RUNAWAY_SECONDS


def test_error_output_is_capped_at_50_problems(tmp_path):
    p = tmp_path / "dup.yaml"
    p.write_text("scenario: x\n" + "a: 1\n" * 20_000)
    res, seconds = run(["validate", str(p)])
    assert res.exit_code == 2 and "... and 19,949 more problem(s) not shown" in res.output or \
        "19949 more problem(s) not shown" in res.output, res.output[-300:]
    assert res.output.count("duplicate key") == 50 and seconds < RUNAWAY_SECONDS


def test_the_terminal_report_shows_at_most_40_rows_of_a_kind(estimate_text):
    from estimator.report import terminal
    runs = "".join(f"  - {{name: r{i:03d}, compute: 1e22 FLOP, accelerator: h100-sxm, "
                   "max_days: 30}\n" for i in range(45))
    result = estimate_text("scenario: many\nhorizon: {start: 2025-01, end: 2025-12}\n"
                           "training:\n" + runs)
    text = terminal.plain_text(terminal.training_table(result), 200)
    assert "r039" in text and "r040" not in text
    assert "... and 5 more (every one in --format json or csv)" in text


# ----------------------------------------------------------------------- the mechanisms

def test_json_writer_never_writes_nan_or_infinity():
    import json
    import numpy as np
    from estimator.result import dumps
    text = dumps({"a": float("nan"), "b": [np.float64("inf"), -np.inf, 1.5], "c": "\u202e\x85"})
    assert json.loads(text, parse_constant=lambda c: pytest.fail(c)) == \
        {"a": None, "b": [None, None, 1.5], "c": "\u202e\x85"}
    assert "\u202e" not in text and "\x85" not in text     # escaped, same string when read


def test_ledger_refuses_a_non_finite_figure_and_names_its_inputs():
    from estimator.errors import NumericError
    from estimator.result import Ledger, Result
    ledger = Ledger(Result("t", (), []))
    ledger.input("inputs.a", 1e200, "amount", "s.yaml:3:4")
    ledger.input("inputs.b", 3.0, "amount", "s.yaml:4:4")
    with pytest.raises(NumericError) as e:
        ledger.add("c", 1e200 * 1e200 * 3.0, "amount", "a x b", ("inputs.a", "inputs.b"))
    assert str(e.value).splitlines() == [
        "c comes out infinite (every figure must be finite and within ±1e+200); it is computed "
        "from inputs that are out of range together",
        "    inputs, most extreme first:",
        "      inputs.a = 1e+200 (s.yaml:3:4)",
        "      inputs.b = 3 (s.yaml:4:4)"]
    ledger.add("funding.coverage_ratio", float("inf"), "amount", "sources / 0 uses")  # by definition
    with pytest.raises(NumericError):
        ledger.add("funding.coverage_ratio", float("nan"), "amount", "0 / 0")


@pytest.mark.parametrize("raw,shown", [
    ("a\x1b[2Jb", "a\\x1b[2Jb"), ("x\ny", "x\\ny"), ("\u202eexe", "\\u202eexe"),
    ("\x9b31m", "\\x9b31m"), ("plain – text é", "plain – text é")])
def test_clean_shows_control_characters_as_escapes(raw, shown):
    from estimator.text import clean
    assert clean(raw) == shown


def test_markdown_and_markup_escaping():
    from estimator.text import markdown, markup
    assert markdown("a|b [l](http://x) <img> *b* _u_ `c`") == \
        "a\\|b \\[l\\](http://x) &lt;img&gt; \\*b\\* \\_u\\_ \\`c\\`"
    assert markup("[/] [bold]x") == "\\[/] \\[bold]x"


@pytest.mark.parametrize("v,shown", [(2.6e29, "2.6e29 FLOP"), (9.999e26, "1e27 FLOP"),
                                     (-2.5e24, "-2.5e24 FLOP"), (4.9e-324, "4.94e-324 FLOP"),
                                     (1e-300, "1e-300 FLOP")])
def test_compute_formats_from_subnormal_to_huge(v, shown):
    from estimator.units import format_compute
    assert format_compute(v) == shown          # 10**-324 is 0.0: no division by it


# ----------------------------------------------------------------------- round 3: red team

#: saved reports and baselines that no reader may accept: (the reason given). A NaN or an
#: infinite baseline made every comparison false, so a moved headline figure passed.
SNAPSHOTS = {
    "snapshot-nan.json": "NaN is not a number the tool writes (it writes null)",
    "snapshot-overflow.json": "1e999 is past ±1e+200",
    "snapshot-deep.json": "nested",
}


@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_saved_reports_and_baselines_are_read_as_inputs(name, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    scenario = "configs/scenarios/h100-server.yaml"
    res, seconds = run(["diff", scenario, "--compare-to", str(BAD_CORPUS / name)])
    assert res.exit_code == 2 and SNAPSHOTS[name] in res.output, res.output
    assert "not a readable saved report" in res.output and seconds < RUNAWAY_SECONDS
    baselines = tmp_path / "b" / "configs" / "scenarios"
    baselines.mkdir(parents=True)
    (baselines / "h100-server.json").write_text(
        (BAD_CORPUS / name).read_text().replace('"scenario": "x"', '"scenario": "x", '
                                                '"file": "configs/scenarios/h100-server.yaml"'))
    res, _ = run(["check", scenario, "--baseline", str(tmp_path / "b")])
    assert res.exit_code == 2 and "not a readable baseline" in res.output, res.output


@pytest.mark.parametrize("target", ["/dev/zero", "folder"])
def test_a_saved_report_is_a_regular_file_read_within_a_limit(target, tmp_path):
    if target == "folder":
        target = str(tmp_path)
    elif not os.path.exists(target):
        pytest.skip(f"{target} is missing on this system")
    res, seconds = run(["diff", "configs/scenarios/h100-server.yaml", "--compare-to", target])
    assert res.exit_code == 2 and seconds < RUNAWAY_SECONDS, res.output      # /dev/zero never ends
    assert "not a readable saved report" in res.output or "is a directory" in res.output


def _scenario_copy(tmp_path):
    scn = tmp_path / "mine.yaml"
    scn.write_text((ROOT / "configs/scenarios/h100-server.yaml").read_text())
    return scn


@pytest.mark.parametrize("option", [["-o"], ["--html"], ["--svg"]])
def test_no_output_replaces_a_file_the_run_reads(tmp_path, option):
    scn = _scenario_copy(tmp_path)
    before = scn.read_text()
    res, _ = run(["report", str(scn), *option, str(scn)])
    assert res.exit_code == 2 and "this run reads it as an input" in res.output, res.output
    assert scn.read_text() == before
    saved = tmp_path / "saved.json"
    saved.write_text(run(["report", str(scn), "--format", "json"])[0].output)
    res, _ = run(["diff", str(scn), "--compare-to", str(saved), "-o", str(saved)])
    assert res.exit_code == 2 and "this run reads it as an input" in res.output, res.output
    assert saved.read_text().startswith("{")


@pytest.mark.parametrize("extra", [["-o", "{0}/same", "--html", "{0}/same"],
                                   ["-o", "{0}/same", "--svg", "{0}/./same"],
                                   ["--html", "{0}/same", "-o", "/dev/full"],
                                   ["-o", ""]])
def test_a_commands_outputs_are_refused_together_before_any_is_written(tmp_path, extra):
    args = [a.format(tmp_path) for a in extra]
    res, _ = run(["report", str(_scenario_copy(tmp_path)), *args])
    assert res.exit_code == 2, res.output
    assert re.search(r"two outputs of this command name the same file|character device|"
                     r"an output file name is empty", res.output), res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]


@pytest.mark.parametrize("ways,message", [(",,", "has an empty name"), ("", "has an empty name"),
                                          ("owned,,rented", "has an empty name"),
                                          ("owned,owned", "owned is listed twice")])
def test_acquire_lists_are_read_whole(ways, message):
    res, _ = run(["report", "openai-40b-owned", "--acquire", ways])
    assert res.exit_code == 2 and message in res.output, res.output
    assert "internal error" not in res.output


@pytest.mark.parametrize("value,message", [
    ("*abc", "cannot read the relative value '*abc'"),
    ("*-1", "cannot read the relative value '*-1'"),          # was "unknown alias '*-1'"
    ("*nan", "cannot read the relative value '*nan'"),
    ("*１.5", "cannot read the relative value '*１.5'"),       # was read as *1.5
    ("１B", "'１' (U+FF11 FULLWIDTH DIGIT ONE) is not read as a number"),
    ("−1", "'−' (U+2212 MINUS SIGN) is not read as a number; write '-'"),
    ("$1e-999", "too small: the smallest magnitude other than 0 is 1e-100")])
def test_set_values_are_read_like_file_values(value, message):
    res, _ = run(["report", "h100-server", "--set", f"funding.cash={value}", "--format", "json"])
    assert res.exit_code == 2 and message in res.output, res.output


@pytest.mark.parametrize("target", ["other.yaml", "/etc/passwd", "[]"])
def test_set_never_changes_extends_silently(target):
    res, _ = run(["report", "h100-server", "--set", f"extends={target}", "--format", "json"])
    assert res.exit_code == 2 and "--set cannot change 'extends'" in res.output, res.output


def test_a_name_clash_is_refused_wherever_figures_are_recorded():
    """The backstop behind the loader's rules: a figure recorded twice with another value."""
    from estimator.errors import NameClash
    from estimator.result import Ledger, Result
    ledger = Ledger(Result("t", (), []))
    ledger.input("inputs.a", 1.0, "amount", "s.yaml:3:4")
    ledger.input("inputs.a", 1.0, "amount", "s.yaml:3:4")        # the same figure: fine
    with pytest.raises(NameClash):
        ledger.input("inputs.a", 2.0, "amount", "s.yaml:9:4")


# the project file: its folders and globs stay inside the project (a pull request that edits
# estimator.yaml could otherwise write baselines anywhere or print other files into CI logs)

@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text("token: sk-SECRET-123\n")
    root = tmp_path / "p"
    (root / "scen").mkdir(parents=True)
    (root / "scen" / "a.yaml").write_text((ROOT / "configs/scenarios/h100-server.yaml")
                                          .read_text())
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("config,message", [
    ("scenarios: [scen/*.yaml]\nbaselines: ../../b\n",
     "estimator.yaml:2:12: at baselines: 'baselines' is outside the project folder"),
    ("scenarios: [scen/*.yaml]\ncatalog: ../outside\n",
     "estimator.yaml:2:10: at catalog: 'catalog' is outside the project folder"),
    ("scenarios: [scen/*.yaml]\nbaselines: ''\n",
     "at baselines: 'baselines' is a folder relative to estimator.yaml"),
    ("scenarios: ['../outside/*.yaml']\n",
     "at scenarios: 'scenarios' globs are relative to estimator.yaml and stay inside its folder"),
    ("scenarios: [scen/*.yaml]\nexclude: ['/etc/*']\n",
     "at exclude: 'exclude' globs are relative to estimator.yaml"),
    ("scenarios: [scenario/*.yaml]\n",          # a typo: every check passed, checking nothing
     "'scenarios:' matches no scenario file (scenario/*.yaml")])
def test_the_project_file_reaches_only_its_own_folder(project, config, message):
    (project / "estimator.yaml").write_text(config)
    res, _ = run(["check", "--update-baseline"])
    assert res.exit_code == 2 and message in res.output, res.output
    assert "SECRET" not in res.output and "token" not in res.output
    assert not (project.parent / "b").exists() and not (project / "baselines").exists()


def test_a_project_glob_through_a_link_out_of_the_project_is_refused(project):
    os.symlink(project.parent / "outside" / "secret.yaml", project / "scen" / "link.yaml")
    (project / "estimator.yaml").write_text("scenarios: [scen/*.yaml]\n")
    for args in (["check"], ["project", "validate"]):
        res, _ = run(args)
        assert res.exit_code == 2 and "which leads outside the project folder" in res.output
        assert "SECRET" not in res.output and "token" not in res.output


# options that would be silently ignored

@pytest.mark.parametrize("args,message", [
    (["check", "h100-server", "--update-baseline"], "--update-baseline has no effect without a "
     "baseline folder"),
    (["check", "h100-server", "--tolerance", "5%"], "--tolerance has no effect without a "
     "baseline folder"),
    (["check", "h100-server", "--baseline", "b", "--tolerance", "-5%"], "is below 0"),
    (["solve", "h100-server", "-n", "500"], "--samples/-n has no effect without --confidence"),
    (["solve", "h100-server", "--seed", "3"], "--seed has no effect without --confidence"),
    (["sensitivity", "openai-40b", "-n", "8"], "--samples/-n has no effect with --method tornado"),
    (["sensitivity", "openai-40b", "--figure", ""], "an empty figure name; leave it out")])
def test_options_that_would_do_nothing_are_refused(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res, seconds = run(args)
    assert res.exit_code == 2 and message in res.output, res.output
    assert seconds < RUNAWAY_SECONDS and not (tmp_path / "b").exists()


@pytest.mark.parametrize("block,message", [
    ("tolerances: {capex.total_usdd: 1%}",
     "at tolerances.capex.total_usdd: no figure named 'capex.total_usdd'\n"
     "    hint:     did you mean 'capex.total_usd'?"),
    ("tolerances: {monthly.cash_out_usd: 1%}", "'monthly.cash_out_usd' is not a headline figure"),
    ("expect:\n  capex.total: {min: $1}", "at expect.capex.total: no figure named 'capex.total'")])
def test_validate_and_check_refuse_names_that_would_apply_to_nothing(block, message, write):
    text = (ROOT / "configs/scenarios/h100-server.yaml").read_text()
    path = write(text.replace("expect:\n", block + "\n", 1) if block.startswith("expect")
                 else text + block + "\n")
    for args in (["validate", path], ["check", path, "--baseline", os.path.dirname(path)]):
        res, _ = run(args)
        assert res.exit_code == 2 and message in res.output, (args, res.output)


# the Python API: the command line's ranges, and no string read as its characters

@pytest.mark.parametrize("kw,message", [({"samples": True}, "samples must be a whole number"),
                                        ({"samples": 1.5}, "samples must be a whole number"),
                                        ({"samples": 0}, "samples must be between 1 and"),
                                        ({"seed": -1}, "seed must be 0 or more, not -1")])
def test_api_simulate_takes_the_command_lines_ranges(kw, message):
    from estimator import api
    from estimator.errors import InputError
    with pytest.raises(InputError, match=message):
        api.simulate("openai-40b", **{"samples": 10, **kw})


@pytest.mark.parametrize("call", [
    lambda api: api.estimate("h100-server", overrides="funding.cash=$1B"),
    lambda api: api.load("h100-server", overrides="funding.cash=$1B"),
    lambda api: api.load("h100-server", allow_extends="/srv/shared")])   # was '/', 's', ...
def test_api_refuses_one_string_where_a_list_of_strings_goes(call):
    from estimator import api
    with pytest.raises(TypeError, match="is a list of strings, not one string"):
        call(api)


def test_api_sensitivity_refuses_an_empty_figure_name():
    from estimator import api
    from estimator.errors import UnknownFigure
    with pytest.raises(UnknownFigure, match="an empty figure name"):
        api.sensitivity("openai-40b", figure="")


@pytest.mark.parametrize("figure", [["funding.shortfall_usd"], 3])
def test_api_sensitivity_names_the_type_a_figure_is(figure):
    from estimator import api
    with pytest.raises(TypeError, match="figure is one figure's name, a string"):
        api.sensitivity("openai-40b", figure=figure)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_names_come_out_escaped_in_the_html_page_and_the_svg(name, tmp_path):
    """The page and the picture went through html.escape only: a name's ESC and its
    right-to-left override reached them as raw characters."""
    page, picture = tmp_path / "r.html", tmp_path / "r.svg"
    res, _ = run(["report", str(BAD_CORPUS / name), "--format", "json", "--html", str(page),
                  "--svg", str(picture)])
    assert res.exit_code == 0, res.output
    for path in (page, picture):
        text = path.read_text()
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e"
                             "\u2060-\u2069]", text), path.name
        assert "<script" not in text and "<img" not in text


@pytest.mark.parametrize("name,message", [
    ("directory-include.yaml", "directory-include.yaml:2:10: at extends: extends: 'dir.yaml': "
     "is a directory, not a YAML file"),
    ("device-include-symlink.yaml", "device-include-symlink.yaml:2:10: at extends: extends: "
     "'zero-device.yaml': not a regular file")])
def test_a_parent_that_cannot_be_read_is_reported_at_the_extends_line(name, message, monkeypatch):
    monkeypatch.chdir(ROOT)
    res, _ = run(["validate", os.path.join("tests", "bad", name)])
    assert res.exit_code == 2 and message in res.output, res.output


@pytest.mark.parametrize("folder,message", [("/dev/null", "the catalog folder is not a folder"),
                                            ("/no/such/folder", "the catalog folder does not "
                                             "exist")])
def test_a_catalog_folder_that_is_not_one_is_named_as_given(folder, message):
    res, _ = run(["--catalog", folder, "report", "h100-server"])   # was ../../dev/null/accel...
    assert res.exit_code == 2 and f"{folder}: {message}" in res.output, res.output


def test_an_update_of_baselines_is_all_or_nothing(project):
    """Scenario b has an input error: a's baseline was rewritten before b was read."""
    (project / "scen" / "b.yaml").write_text(
        (project / "scen" / "a.yaml").read_text().replace("pue: 1.4", "pue: 0.4"))
    (project / "estimator.yaml").write_text("scenarios: [scen/*.yaml]\n")
    res, _ = run(["check", "--update-baseline"])
    assert res.exit_code == 2 and "b.yaml" in res.output, res.output
    assert not (project / "baselines").exists()
    (project / "scen" / "b.yaml").write_text((project / "scen" / "a.yaml").read_text())
    res, _ = run(["check", "--update-baseline"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (project / "baselines" / "scen").iterdir()) == \
        ["a.json", "b.json"]


@pytest.mark.parametrize("figure,what", [("funding.covered", "true or false"),
                                         ("funding.lasts_until", "a month")])
@pytest.mark.parametrize("method", ["tornado", "sobol"])
def test_sensitivity_of_a_figure_that_is_not_a_number_is_an_input_error(figure, what, method):
    args = ["sensitivity", "openai-40b", "--figure", figure, "--method", method]
    res, _ = run(args + (["-n", "4"] if method == "sobol" else []))
    assert res.exit_code == 2, res.output                         # was exit 3 (KeyError)
    assert f"'{figure}' is {what}, not a quantity" in res.output, res.output


def test_the_value_budget_counts_each_value_once():
    """A value was counted once per level above it: a scenario of 50,000 values at the list
    limits (500 sites, fleets and runs, 1,000 contracts, raises, loans and equity tranches)
    was refused as 'an alias bomb?'."""
    from estimator.config.yamlsafe import parse_yaml
    from estimator.errors import ConfigError
    text = "a: {b: {c: {d: [1, 2, 3]}}}\n"      # 4 mappings, 4 keys, a list and 3 numbers
    assert parse_yaml(text, "t", max_nodes=12).size == 12
    with pytest.raises(ConfigError, match="too many values"):
        parse_yaml(text, "t", max_nodes=11)
    deep = "x:\n" + "".join(f"  k{i}: {{a: {{b: {{c: [1, 2]}}}}}}\n" for i in range(15_000))
    assert parse_yaml(deep, "t").size == 3 + 15_000 * 10      # 150,003 values, once each
    bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{k}: &{k} [{', '.join(['*' + p] * 10)}]\n" for p, k in zip("abcde", "bcdef"))
    with pytest.raises(ConfigError, match="an alias bomb"):   # aliases still count in full
        parse_yaml(bomb, "t")


@pytest.mark.parametrize("how", ["set", "uncertainty"])
def test_a_list_item_named_in_a_path_is_one_item(how, write):
    """Two raises named 'a': funding.raises[a] changed the first and left the second."""
    text = ((ROOT / "configs/scenarios/h100-server.yaml").read_text()
            + "funding:\n  cash: $1B\n  raises:\n    - {name: a, amount: $1B, date: 2025-06}\n"
              "    - {name: a, amount: $2B, date: 2025-07}\n")
    if how == "uncertainty":
        text += "uncertainty:\n  funding.raises[a].amount: {low: $1B, high: $3B}\n"
    args = ["report", write(text), "--format", "json"]
    res, _ = run(args + (["--set", "funding.raises[a].amount=$5B"] if how == "set" else []))
    assert res.exit_code == 2 and "2 list items are named 'a' (items 0, 1)" in res.output, \
        res.output


@pytest.mark.parametrize("option", [["-o"], ["--html"], ["--svg"]])
def test_a_read_only_file_survives_an_output_onto_it(tmp_path, option):
    """The rename needs only the folder to be writable: a chmod a-w file was replaced."""
    target = tmp_path / "kept.txt"
    target.write_text("kept")
    target.chmod(0o444)
    res, _ = run(["report", "h100-server", "--format", "json", *option, str(target)])
    assert res.exit_code == 2 and "the file is read-only" in res.output, res.output
    assert target.read_text() == "kept"


def test_catalog_names_and_sources_reach_csv_clean_and_never_as_formulas(tmp_path):
    """A project's catalog arrives in pull requests too: its CSV cells were written raw."""
    import shutil
    catalog = tmp_path / "catalog"
    shutil.copytree(ROOT / "configs" / "catalog", catalog)
    acc = catalog / "accelerators.yaml"
    acc.write_text(acc.read_text().replace(
        "    name: NVIDIA A100 SXM4 40GB", '    name: "=HYPERLINK(\\"http://x.invalid\\")"', 1)
        .replace("    source: NVIDIA A100 Tensor Core GPU datasheet\n",
                 '    source: "@SUM(A1) \\e[2J \\u202e"\n', 1))
    res, _ = run(["--catalog", str(catalog), "catalog", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and "\u202e" not in res.output
    assert "'@SUM(A1) \\x1b[2J \\u202e" in res.output
    assert not re.search(r"(^|,)\"?[=@]", res.output, re.M)


@pytest.mark.parametrize("how", ["env", "option"])
def test_an_empty_allowed_folder_never_allows_the_current_one(how, tmp_path, monkeypatch):
    """ESTIMATOR_ALLOW_EXTENDS='/srv/shared:' (a stray ':') allowed the current folder."""
    (tmp_path / "secret.yaml").write_text("token: sk-SECRET-123\n")
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "s.yaml").write_text("extends: ../secret.yaml\nscenario: x\n"
                                           "horizon: {start: 2025-01, end: 2025-12}\n")
    monkeypatch.chdir(tmp_path)
    if how == "env":
        monkeypatch.setenv("ESTIMATOR_ALLOW_EXTENDS", f"{tmp_path / 'nowhere'}{os.pathsep}")
        res, _ = run(["validate", "p/s.yaml"])
    else:
        res, _ = run(["--allow-extends", "", "validate", "p/s.yaml"])
    assert res.exit_code == 2 and "an empty folder name" in res.output, res.output
    assert "SECRET" not in res.output


def test_file_names_from_the_project_reach_every_output_escaped(project):
    """check's table and project validate/affected printed a file name's ESC and RTL raw."""
    name = "e\x1b[2Jvil\u202e.yaml"
    (project / "scen" / name).write_text((project / "scen" / "a.yaml").read_text())
    (project / "estimator.yaml").write_text("scenarios: [scen/*.yaml]\n")
    for args in (["check", "--update-baseline"], ["check"], ["project", "validate"],
                 ["project", "affected", f"scen/{name}"]):
        res, _ = run(args)
        assert res.exit_code == 0, (args, res.output)
        assert "\x1b" not in res.output and "\u202e" not in res.output, args
        assert "e\\x1b[2Jvil\\u202e" in res.output, (args, res.output)


@pytest.mark.parametrize("name", sorted(NAMES))
@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_names_come_out_escaped_side_by_side(name, fmt):
    """Several scenarios (or --acquire) put their titles in column heads, written raw."""
    res, _ = run(["report", str(BAD_CORPUS / name), "h100-server", "--format", fmt])
    assert res.exit_code == 0, res.output
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e]", res.output)
    if fmt == "markdown":
        assert "<img" not in res.output and "<script" not in res.output
        head = next(line for line in res.output.splitlines() if line.startswith("| |"))
        assert len(re.findall(r"(?<!\\)\|", head)) == 5, head    # | | first | second | Δ |


def test_error_output_stays_small_when_problems_quote_long_values(tmp_path):
    """One long name behind an alias, quoted by 50 problems: 1.5 MB gave 75 MB of log in 8 s
    (60,000 characters x 60 stays within the text budget and reaches the problems)."""
    path = tmp_path / "amp.yaml"
    path.write_text("scenario: amp\ndescription: &a \"" + "q" * 60_000 + "\"\n"
                    "horizon: {start: 2025-01, end: 2025-12}\nfleets:\n"
                    + "".join(f"  f{i}: {{server: dgx-h100, servers: 1, site: *a}}\n"
                              for i in range(60)))
    res, seconds = run(["validate", str(path)])
    assert res.exit_code == 2 and "unknown datacenter 'qqq" in res.output
    assert "more characters)" in res.output
    assert len(res.output) < 200_000 and seconds < RUNAWAY_SECONDS, (len(res.output), seconds)



def test_aliases_cannot_multiply_text(tmp_path):
    """A 1 MB name given to 100 raises by one alias: a 100 MB JSON report, and a table that
    rich was still wrapping after 120 s with 1 GB of memory."""
    path = tmp_path / "amp.yaml"
    path.write_text("scenario: amp\ndescription: &a \"" + "q" * 1_000_000 + "\"\n"
                    "horizon: {start: 2025-01, end: 2025-12}\nfunding:\n  cash: $1B\n  raises:\n"
                    + "".join("    - {name: *a, amount: $1M, date: 2025-06}\n"
                              for _ in range(100)))
    res, seconds = run(["report", str(path)])
    assert res.exit_code == 2 and seconds < RUNAWAY_SECONDS, res.output[-500:]
    assert "too much text: aliases repeat names and values past 4,194,304 characters" \
        in res.output


@pytest.mark.parametrize("where", [
    "training:\n  - {{name: {name}, compute: 1e24 FLOP, accelerator: h100-sxm, max_days: 30}}\n",
    "datacenters:\n  {name}: {{it_capacity: 10 MW, pue: 1.2, build: {{start: 2025-01}}}}\n",
    "funding:\n  cash: $1B\n  flags: {{{name}: true}}\n",
    "funding:\n  cash: $1B\n  equity:\n    - {{party: p, name: {name}, amount: $1B, "
    "date: 2025-03}}\n"])
def test_names_that_become_figure_names_have_a_length_limit(where, write):
    """A 1 MB run name became part of 60 figure names: a 64 MB JSON report from a 1 MB file."""
    path = write("scenario: t\nhorizon: {start: 2025-01, end: 2025-12}\n"
                 + where.format(name="n" * 101))
    res, _ = run(["report", path, "--format", "json"])
    assert res.exit_code == 2 and "of 101 characters: the limit is 100" in res.output, \
        res.output[-500:]


def test_names_and_values_of_a_saved_report_are_shown_never_obeyed(tmp_path):
    """Baselines and saved reports are committed files too: their figure names and values
    reached the moves table raw (ESC, rich markup)."""
    import json
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps({"schema_version": 1, "scenario": "s\x1b[2J", "figures": {
        "capex.total_usd": {"value": 5, "unit": "\x1b[31mweird", "headline": True},
        "a\x1b[2Jb": {"value": "t\x1b[2J\u202e", "unit": "text", "formula": "input"},
        "[bold red]forged[/]": {"value": "[link=http://x.invalid]y[/link]", "unit": "text",
                                "formula": "input"}}}))
    for fmt in ("table", "markdown", "csv", "json"):
        res, _ = run(["diff", "h100-server", "--compare-to", str(saved), "--format", fmt])
        assert res.exit_code == 0, res.output
        assert "\x1b" not in res.output and "\u202e" not in res.output, fmt
        if fmt == "table":
            assert "[bold red]forged[/]" in res.output and "a\\x1b[2Jb" in res.output


def test_a_shared_draw_is_named_like_every_other_name(write):
    """A factor name reached the simulate and Sobol tables raw (ESC, RTL, rich markup)."""
    path = write((ROOT / "configs/scenarios/h100-server.yaml").read_text()
                 + "uncertainty:\n  datacenters.colo.pue: {low: 1.2, high: 1.5, "
                   "factor: \"[bold red]F\\e[2J\\u202e\"}\n")
    for args in (["validate", path], ["simulate", path, "-n", "100"]):
        res, _ = run(args)
        assert res.exit_code == 2 and "'factor' names a shared draw" in res.output, res.output
        assert "\x1b" not in res.output and "\u202e" not in res.output


@pytest.mark.parametrize("setting,message", [
    ("training[0].name=*2", "a relative value (*2) scales a quantity; this is text"),
    ("training[0].start=+10%", "a relative value (+10%) scales a quantity; this is a month"),
    ("fleets.f.servers=*1.05", "not a whole number: *1.05 of 10 gives 10.5"),   # was 10
    ("training[0].goodput=*2", "out of range: *2 of 0.9 is above the maximum of 1")])
def test_relative_values_apply_to_quantities_and_never_round(setting, message, write):
    """A relative --set on a name made a run named '<...Relative object at 0x...>', and one on
    a count was rounded without a word."""
    path = write("scenario: t\nhorizon: {start: 2025-01, end: 2026-12}\ndatacenters:\n"
                 "  dc: {it_capacity: 10 MW, pue: 1.2, build: {start: 2025-01}}\nfleets:\n"
                 "  f: {server: dgx-h100, servers: 10, site: dc}\ntraining:\n"
                 "  - {name: r, on: f, compute: 1e24 FLOP, start: 2025-06}\n")
    res, _ = run(["report", path, "--set", setting, "--format", "json"])
    assert res.exit_code == 2 and message in res.output, res.output
    assert "object at 0x" not in res.output


@pytest.mark.parametrize("args", [["report", "h100-server"], ["report", "h100-server",
                                                              "--format", "json"],
                                  ["validate", "h100-server"]])
def test_a_full_disk_under_a_redirect_is_said_as_such(args):
    """`estimator report > out.txt` on a full disk was 'internal error ... a bug' (exit 3)."""
    if not os.path.exists("/dev/full"):
        pytest.skip("/dev/full is missing on this system")
    with open("/dev/full", "w") as full:
        res = subprocess.run([sys.executable, "-m", "estimator", *args], cwd=ROOT, stdout=full,
                             stderr=subprocess.PIPE, text=True, timeout=60)
    assert res.returncode == 2, res.stderr
    assert "error: cannot write the output: No space left on device" in res.stderr
    assert "internal error" not in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("value,message", [
    ("{value: $1B, source: x, as_of: 2025-13}", "'as_of' is the year or month of the source"),
    ("{value: $1B, source: '', as_of: 2025-01}", "an empty source"),
    ("{value: $1B, source: ~}", "an empty source"),
    ("{low: $1B, high: $2B, source: x, as_of: 1e5}", "'as_of' is the year or month")])
def test_a_cited_value_says_where_and_when_it_comes_from(value, message):
    """A month 13 or an empty source was accepted as a value's citation."""
    res, _ = run(["validate", "h100-server", "--set", f"funding.cash={value}"])
    assert res.exit_code == 2 and message in res.output, res.output


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_control_character_is_located_whatever_the_line_endings(newline, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(newline.join(["scenario: a", "horizon: {start: 2025-01, end: 2025-12}",
                                   "description: x\x01y", ""]).encode())
    res, _ = run(["validate", str(path)])
    assert res.exit_code == 2 and "s.yaml:3:15: not valid YAML: the character U+0001" \
        in res.output, res.output


def test_a_baseline_is_never_saved_from_overridden_figures(tmp_path):
    """check --update-baseline --set ... saved a snapshot the file does not give: the next
    plain check failed against it."""
    res, _ = run(["check", "h100-server", "--baseline", str(tmp_path), "--update-baseline",
                  "--set", "funding.cash=$1B"])
    assert res.exit_code == 2 and "with --set it would save figures the files do not give" \
        in res.output, res.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", [["--format", "table", "-o"], ["--format", "json", "-o"],
                                    ["--format", "markdown", "-o"], ["--html"], ["--svg"]])
def test_a_file_name_that_is_not_utf8_reaches_every_output_file(option, tmp_path):
    """Its undecodable bytes (lone surrogates in Python) made every file output exit 3."""
    if sys.platform == "darwin":
        pytest.skip("the file system refuses names that are not UTF-8")
    name = os.fsencode(str(tmp_path)) + b"/\xff\xfe.yaml"
    with open(name, "wb") as fh:
        fh.write((ROOT / "configs/scenarios/h100-server.yaml").read_bytes())
    out = tmp_path / "out"
    res, _ = run(["report", os.fsdecode(name), *option, str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")            # strict: the output is UTF-8
    assert "\\udcff\\udcfe.yaml" in text.replace("\\\\", "\\"), text[:2000]
    if "json" in option:
        import json
        assert json.loads(text)["files"][0].endswith("\udcff\udcfe.yaml")
