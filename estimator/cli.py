"""Command line: parses options, calls the library, maps errors to exit codes.

Exit codes: 0 ok; 1 a check or expectation failed; 2 bad input (file, YAML,
schema, usage); 3 an internal error. Only this module talks to click.
"""
from __future__ import annotations

import functools
import os
import sys
from typing import Optional

import click

EXIT_OK, EXIT_CHECK, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
DEFAULT_SCENARIO = "openai-40b.yaml"


def _scenarios_dir() -> str:
    from .catalog import configs_dir
    return str(configs_dir() / "scenarios")


def default_scenario() -> str:
    return os.path.join(_scenarios_dir(), DEFAULT_SCENARIO)


def _err(text: str) -> None:
    click.echo(text, err=True)


def handle_errors(fn):
    """Turn library errors into messages and exit codes; never a traceback unless --debug."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .errors import CheckFailed, InputError
        ctx = click.get_current_context()
        debug = (ctx.find_root().params or {}).get("debug", False)
        try:
            return fn(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except InputError as e:
            _err(f"error: {e}")
            sys.exit(EXIT_INPUT)
        except CheckFailed as e:
            if str(e):
                _err(str(e))
            sys.exit(EXIT_CHECK)
        except KeyboardInterrupt:
            _err("interrupted; no file was written")
            sys.exit(130)
        except RecursionError:
            if debug:
                raise
            _err("error: input nested too deeply to process")
            sys.exit(EXIT_INPUT)
        except Exception as e:  # noqa: BLE001 - the last line of defence
            if debug:
                raise
            _err(f"internal error: {type(e).__name__}: {e}\n"
                 "hint: this is a bug in estimator; run again with --debug for the traceback")
            sys.exit(EXIT_INTERNAL)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.option("--catalog", "catalog_dir", type=click.Path(file_okay=False), envvar="ESTIMATOR_CATALOG",
              help="Catalog folder to use instead of the shipped configs/catalog "
                   "(env: ESTIMATOR_CATALOG).")
@click.version_option(package_name="estimator")
@click.pass_context
def main(ctx, debug: bool, catalog_dir: Optional[str]) -> None:
    """Estimate what AI compute costs, and whether the money raised covers it.

    \b
    Example:
        estimator report                      # the shipped OpenAI $40B scenario
        estimator report configs/scenarios/gb200-campus-1gw.yaml --format json
    """


def scenario_options(fn):
    fn = click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
                      help="Override a value, e.g. --set funding.cash='$1B' "
                           "--set training[0].mfu=0.4 (repeatable).")(fn)
    return fn


def _catalog():
    """The catalog: --catalog DIR (or ESTIMATOR_CATALOG) when given, else the shipped one."""
    from .catalog import load_catalog
    ctx = click.get_current_context()
    return load_catalog(ctx.find_root().params.get("catalog_dir"))


def _load(path: Optional[str], overrides, catalog=None):
    from .config.loader import load
    return load(path or default_scenario(), overrides, catalog=catalog or _catalog())


def _estimate(path: Optional[str], overrides):
    from .engine import estimate
    catalog = _catalog()
    return estimate(_load(path, overrides, catalog), catalog)


def _emit(text: str, output: Optional[str]) -> None:
    if output:
        from .fileio import write_atomic
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


class _NoProgress:
    def __enter__(self):
        return lambda done: None

    def __exit__(self, *exc):
        return False


def _progress(label: str, total: Optional[int]):
    """A progress bar on stderr when it is a terminal; silent otherwise.

    Yields a callback taking the amount done so far.
    """
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return _NoProgress()
    import contextlib
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, \
        TextColumn, TimeElapsedColumn

    @contextlib.contextmanager
    def bar():
        columns = [SpinnerColumn(), TextColumn(label), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn()]
        with Progress(*columns, console=Console(stderr=True), transient=True) as p:
            task = p.add_task(label, total=total)
            yield lambda done: p.update(task, completed=done)

    return bar()


def _show(fmt: str, output: Optional[str], json_text, renderable) -> None:
    """JSON, or a rich renderable: to the terminal, or as plain text to --output."""
    if fmt == "json":
        _emit(json_text(), output)
    elif output:
        from .report.terminal import plain_text
        _emit(plain_text(renderable()), output)
    else:
        _console().print(renderable())


def _console(width: Optional[int] = None):
    from rich.console import Console
    return Console(width=width, no_color=bool(os.environ.get("NO_COLOR")) or None,
                   highlight=False)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@scenario_options
@handle_errors
def validate(files, overrides):
    """Check scenario files: schema, references, and that fleets fit their sites.

    Reports every problem in a file at once, each at file:line:col with the key
    path, what was expected, what was found and a did-you-mean. Catalog files
    (accelerators:, servers:, defaults:) are checked as catalog files.

    \b
    Example:
        estimator validate configs/scenarios/*.yaml
        estimator validate configs/catalog/*.yaml
    """
    from .config.loader import load
    from .errors import ConfigError
    from .engine import estimate
    catalog = _catalog()
    failed = 0
    from .catalog import is_catalog_file, validate_catalog_file
    from .config.yamlsafe import load_node
    for f in files:
        try:
            if is_catalog_file(load_node(f)):
                validate_catalog_file(f)
            else:
                estimate(load(f, overrides, catalog=catalog), catalog)
        except ConfigError as e:
            failed += 1
            _err(f"error: {e}")
            continue
        click.echo(f"ok: {f}")
    if failed:
        sys.exit(EXIT_INPUT)


@main.command()
@click.argument("scenarios", nargs=-1, type=click.Path(dir_okay=True))
@scenario_options
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown", "csv"]),
              default="table", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to FILE (whole or not at all).")
@click.option("--svg", "svg", type=click.Path(dir_okay=False), help="Also save the table as SVG.")
@click.option("--html", "html", type=click.Path(dir_okay=False), help="Also save the table as HTML.")
@click.option("--width", type=click.IntRange(40, 400), help="Terminal width for the table.")
@handle_errors
def report(scenarios, overrides, fmt, output, svg, html, width):
    """Compute scenarios and print their report; several side by side.

    With no SCENARIO, the shipped OpenAI $40B scenario. With several, their
    headline figures side by side (--set applies to each).

    \b
    Example:
        estimator report configs/scenarios/h100-100k-cluster.yaml
        estimator report --set funding.cash='$1B' --format json
        estimator report configs/scenarios/openai-40b.yaml configs/scenarios/stargate-500b.yaml
        estimator report --svg report.svg --format markdown -o report.md
    """
    from .engine import estimate
    catalog = _catalog()
    results = [estimate(_load(path, overrides, catalog), catalog) for path in (scenarios or [None])]
    compare = len(results) > 1
    if fmt == "table" or svg or html:
        from .report import compare as rc, terminal
        renderable = rc.table(results) if compare else terminal.Group(
            *terminal.sections(results[0]))
        for path, kind in ((svg, "svg"), (html, "html")):
            if path:
                from .fileio import write_atomic
                write_atomic(path, terminal.export(renderable, kind, width or 100,
                                                   results[0].title))
    if fmt == "table":
        if output:
            _emit(terminal.plain_text(renderable, width or 100), output)
        else:
            _console(width).print(renderable)
        return
    if compare:
        from .report import compare as rc, csv as rcsv
        text = {"json": rc.render_json, "markdown": rc.markdown,
                "csv": rcsv.render_many}[fmt](results)
    else:
        from importlib import import_module
        module = import_module(f".report.{fmt}", __package__)
        text = module.render(results[0])
    _emit(text, output)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@scenario_options
@click.option("--baseline", type=click.Path(file_okay=False),
              help="Folder of saved snapshots (one JSON per scenario) to compare against.")
@click.option("--tolerance", default="2%", show_default=True,
              help="How far a headline figure may move before the check fails; a scenario's "
                   "'tolerances:' overrides it per figure.")
@click.option("--update-baseline", is_flag=True, help="Rewrite the snapshots (atomically).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE.")
@handle_errors
def check(files, overrides, baseline, tolerance, update_baseline, fmt, output):
    """Check expectations and baselines; exit 1 when one fails.

    Evaluates each scenario's 'expect:' block. With --baseline, compares every
    figure with the saved snapshot and fails when a headline figure moves past
    its tolerance, listing what moved, largest move first.

    \b
    Example:
        estimator check configs/scenarios/*.yaml
        estimator check --baseline baselines/ --tolerance 1% configs/scenarios/*.yaml
        estimator check --baseline baselines/ --update-baseline configs/scenarios/*.yaml
    """
    import json
    from . import check as ck
    from .config.loader import load
    from .engine import estimate
    from .errors import CheckFailed, InputError, UnitError
    from .fileio import write_atomic
    from .report import check as rc
    from .units import parse
    try:
        tol = parse(tolerance, "fraction")
    except UnitError as e:
        raise InputError(f"--tolerance: {e.message} (expected {e.expected})") from None
    catalog = _catalog()
    records = []
    if baseline and update_baseline:
        os.makedirs(baseline, exist_ok=True)
    for f in files:
        scn = load(f, overrides, catalog=catalog)
        result = estimate(scn, catalog)
        outcomes = ck.evaluate(result, scn.expect)
        moves, note, ok = [], "", True
        if baseline:
            path = ck.baseline_path(baseline, f)
            snap = ck.snapshot(result)
            if update_baseline:
                write_atomic(path, json.dumps(snap, indent=2, sort_keys=True) + "\n")
                note = f"baseline written: {path}"
            else:
                old = ck.read_baseline(path)
                if old is None:
                    note, ok = f"no baseline at {path}: run with --update-baseline", False
                else:
                    moves = ck.compare(old, snap, tol, dict(scn.tolerances or {}))
                    note = f"baseline {path}: {len(moves)} figure(s) moved"
        passed = ok and all(o.passed for o in outcomes) and not any(m.failed for m in moves)
        records.append({"file": f, "passed": passed, "baseline": note, "outcomes": outcomes,
                        "moves": moves})
    if fmt == "json":
        _emit(rc.check_json(records), output)
    elif fmt == "markdown":
        _emit(rc.check_markdown(records), output)
    else:
        console = _console()
        for r in records:
            if r["outcomes"]:
                console.print(rc.outcomes_table(r["file"], r["outcomes"]))
            if r["moves"]:
                console.print(rc.moves_table(f"Moved since the baseline: {r['file']}", r["moves"]))
            status = "passed" if r["passed"] else "FAILED"
            console.print(f"{status}: {r['file']}" + (f" ({r['baseline']})" if r["baseline"] else ""),
                          style="green" if r["passed"] else "bold red")
    failed = [r["file"] for r in records if not r["passed"]]
    if failed:
        raise CheckFailed(f"check failed: {', '.join(failed)}")


@main.command()
@click.argument("base", type=click.Path(dir_okay=True))
@click.argument("head", required=False, type=click.Path(dir_okay=True))
@click.option("--rev", help="Compare BASE with its own version at this git revision.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE.")
@handle_errors
def diff(base, head, rev, fmt, output):
    """Show which inputs changed between two scenarios and which figures they moved.

    Two files, or one file against its version at a git revision (--rev).
    Sorted by impact, absolute and relative.

    \b
    Example:
        estimator diff configs/scenarios/h100-100k-cluster.yaml mine.yaml
        estimator diff configs/scenarios/openai-40b.yaml --rev origin/main --format markdown
    """
    from . import check as ck
    from .config.loader import load
    from .engine import estimate
    from .errors import InputError
    from .report import check as rc
    catalog = _catalog()
    if rev:
        if head:
            raise InputError("give HEAD or --rev, not both")
        from .gitrev import at_revision
        with at_revision(base, rev) as old_path:
            a = estimate(load(old_path, catalog=catalog), catalog)
        base_label, head_label, b = f"{base}@{rev}", base, estimate(load(base, catalog=catalog), catalog)
    else:
        if not head:
            raise InputError("diff needs BASE and HEAD files, or BASE with --rev REVISION")
        a = estimate(load(base, catalog=catalog), catalog)
        b = estimate(load(head, catalog=catalog), catalog)
        base_label, head_label = base, head
    d = ck.diff(a, b)
    if fmt == "json":
        _emit(rc.diff_json(base_label, head_label, d), output)
    elif fmt == "markdown":
        _emit(rc.diff_markdown(base_label, head_label, d, b.title), output)
    else:
        console = _console()
        console.print(f"{base_label} -> {head_label}")
        console.print(rc.moves_table(f"Inputs that changed ({len(d.inputs)})", d.inputs))
        console.print(rc.moves_table(f"Figures that moved ({len(d.figures)})", d.figures))


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=True))
@click.argument("figure")
@scenario_options
@handle_errors
def explain(scenario, figure, overrides):
    """Show how a figure is computed, down to the YAML lines and catalog sources.

    \b
    Example:
        estimator explain configs/scenarios/h100-100k-cluster.yaml capex.total_usd
    """
    from .report import explain as ex
    result = _estimate(scenario, overrides)
    click.echo(ex.render(result, figure), nl=False)


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=True))
@scenario_options
@click.option("--last-run", is_flag=True, help="Scale only the plan's last run, not every run.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@handle_errors
def solve(scenario, overrides, last_run, fmt):
    """Find the largest plan the money covers, and what the full plan lacks.

    Scales the plan's compute (every run, or --last-run) by bisection over the
    engine; reports the extra raise the full plan needs and how far the money goes.

    \b
    Example:
        estimator solve configs/scenarios/openai-40b.yaml
        estimator solve --last-run --format json
    """
    from .engine.solve import solve as run_solve
    from .report import solve as rs
    catalog = _catalog()
    scn = _load(scenario, overrides, catalog)
    with _progress("solving", total=None) as tick:
        solution = run_solve(scn, catalog, last_only=last_run, progress=tick)
    text = rs.render_json(scn.scenario, solution) if fmt == "json" else \
        rs.render_text(scn.scenario, solution)
    click.echo(text, nl=False)


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=True))
@scenario_options
@click.option("--samples", "-n", type=click.IntRange(1, 2_000_000), default=10_000,
              show_default=True, help="Number of Monte Carlo samples.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
              help="Random seed: the same seed gives the same output, byte for byte.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE.")
@handle_errors
def simulate(scenario, overrides, samples, seed, fmt, output):
    """Monte Carlo over the scenario's distributions, on the same engine.

    Draws every uncertain input (a distribution written where a number goes, or
    an 'uncertainty:' entry), runs the engine on arrays in chunks, and reports
    P10/P50/P90 of the headline figures and the probability that the money
    covers the plan.

    \b
    Example:
        estimator simulate configs/scenarios/openai-40b.yaml --samples 1000000 --seed 1
        estimator simulate --format json -o sim.json
    """
    from .engine.uncertainty import simulate as run
    from .report import uncertainty as ru
    catalog = _catalog()
    scn = _load(scenario, overrides, catalog)
    with _progress("sampling", total=samples) as tick:
        sim = run(scn, catalog, samples, seed, progress=tick)
    _show(fmt, output, lambda: ru.simulation_json(scn.scenario, sim),
          lambda: ru.simulation_table(scn.scenario, sim))


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=True))
@scenario_options
@click.option("--figure", help="Figure to swing (default: funding.shortfall_usd, or the total "
                               "cost when there is no funding).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE.")
@handle_errors
def sensitivity(scenario, overrides, figure, fmt, output):
    """Swing each uncertain input from its P10 to its P90, one at a time.

    Sorted by impact on the chosen figure and drawn as a tornado.

    \b
    Example:
        estimator sensitivity configs/scenarios/openai-40b.yaml
        estimator sensitivity --figure training.cost.build_usd --format json
    """
    from .engine.uncertainty import sensitivity as run
    from .report import uncertainty as ru
    catalog = _catalog()
    scn = _load(scenario, overrides, catalog)
    sens = run(scn, catalog, figure)
    _show(fmt, output, lambda: ru.sensitivity_json(scn.scenario, sens),
          lambda: ru.tornado(scn.scenario, sens))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@handle_errors
def catalog(fmt):
    """List the accelerators, server types and defaults in the catalog, with sources.

    \b
    Example:
        estimator catalog
        estimator catalog --format json
    """
    from .report import catalog as rc
    cat = _catalog()
    if fmt == "json":
        click.echo(rc.render_json(cat), nl=False)
    else:
        _console().print(rc.tables(cat))


@main.command()
@click.option("--results", is_flag=True, help="The schema of report --format json instead.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE.")
@handle_errors
def schema(results, output):
    """Print the JSON Schema of the scenario format, for editors and validators.

    With --results, the schema of the JSON report (schema_version 1).

    \b
    Example:
        estimator schema -o scenario.schema.json
        # VS Code (YAML extension):  # yaml-language-server: $schema=scenario.schema.json
        estimator schema --results -o results.schema.json
    """
    import json
    if results:
        from .report.json import results_schema
        data = results_schema()
    else:
        from .config.schema import json_schema
        from .model import Scenario
        data = json_schema(Scenario, "estimator scenario")
    _emit(json.dumps(data, indent=2) + "\n", output)


if __name__ == "__main__":  # pragma: no cover
    main()
