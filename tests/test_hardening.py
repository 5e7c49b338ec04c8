"""Files written whole or not at all, determinism, bounded inputs."""
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import ROOT
from estimator.cli import main
from estimator.errors import ConfigError, OutputError
from estimator.fileio import write_atomic


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text("old contents")
    real_fsync = os.fsync

    def interrupted(fd):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(target), "new contents " * 1000)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert target.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_ctrl_c_during_a_report_writes_nothing_and_says_so(tmp_path, monkeypatch):
    import estimator.engine
    monkeypatch.setattr(estimator.engine, "estimate",
                        lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    out = tmp_path / "r.json"
    res = CliRunner().invoke(main, ["report", "--format", "json", "-o", str(out)])
    assert res.exit_code == 130 and "interrupted" in res.output
    assert not out.exists()


def test_unwritable_folder_is_a_clear_input_error(tmp_path, monkeypatch):
    import tempfile

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")
    real_open = os.open

    def open_denied(path, flags, *a, **k):          # the unnamed temporary file (O_TMPFILE)
        if flags & getattr(os, "O_TMPFILE", 0) == getattr(os, "O_TMPFILE", -1):
            denied()
        return real_open(path, flags, *a, **k)
    monkeypatch.setattr(tempfile, "mkstemp", denied)
    monkeypatch.setattr(os, "open", open_denied)
    with pytest.raises(OutputError, match="Permission denied"):
        write_atomic(str(tmp_path / "x.txt"), "data")
    res = CliRunner().invoke(main, ["schema", "-o", str(tmp_path / "s.json")])
    assert res.exit_code == 2 and "cannot write: Permission denied" in res.output


def test_output_onto_a_folder_or_under_a_file_is_refused(tmp_path):
    (tmp_path / "afile").write_text("x")
    for target in (tmp_path, tmp_path / "afile" / "r.json"):
        res = CliRunner().invoke(main, ["schema", "-o", str(target)])
        assert res.exit_code == 2
        assert "cannot write" in res.output or "is a directory" in res.output
        assert "Traceback" not in res.output


@pytest.mark.parametrize("args", [["report", "--format", "json"],
                                  ["simulate", "--samples", "2000", "--format", "json"]])
def test_same_inputs_same_bytes_across_processes_and_hash_seeds(args):
    outs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        res = subprocess.run([sys.executable, "-m", "estimator", *args], capture_output=True,
                             cwd=ROOT, env=env, timeout=120)
        assert res.returncode == 0, res.stderr
        outs.add(res.stdout)
    assert len(outs) == 1


def test_too_many_items_are_refused(write):
    from estimator.config.loader import load
    runs = "".join(f"  - {{name: r{i}, compute: 1e20 FLOP, max_days: 10, "
                   f"accelerator: h100-sxm}}\n" for i in range(501))
    with pytest.raises(ConfigError, match="501 training: the limit is 500"):
        load(write("scenario: t\nhorizon: {start: 2025-01, end: 2025-12}\ntraining:\n" + runs))


def test_the_loader_builds_no_objects_from_tags(write, tmp_path):
    marker = tmp_path / "pwned"
    path = write(f"scenario: !!python/object/apply:os.system ['touch {marker}']\n")
    res = CliRunner().invoke(main, ["validate", path])
    assert res.exit_code == 2 and not marker.exists()


def test_includes_reach_only_yaml_files(write):
    from estimator.config.loader import load
    with pytest.raises(ConfigError, match="not a .yaml or .yml file"):
        load(write("scenario: t\nextends: /etc/passwd\n"))


def test_no_network_modules_are_imported():
    code = ("import sys, estimator.cli\n"
            "from click.testing import CliRunner\n"
            "CliRunner().invoke(estimator.cli.main, ['report', '--format', 'json'])\n"
            "bad = [m for m in ('socket', 'ssl', 'http.client', 'urllib.request', 'requests') "
            "if m in sys.modules]\nprint(bad)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=60)
    assert res.stdout.strip() == "[]", res.stdout + res.stderr
