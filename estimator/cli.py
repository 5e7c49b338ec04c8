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
              help="Catalog folder to use (env: ESTIMATOR_CATALOG). Default: the 'catalog:' of "
                   "the project's estimator.yaml, else the catalog installed with estimator.")
@click.version_option(package_name="ai-compute-estimator")
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


def _project():
    """The project around the current folder (estimator.yaml found upward, or a bare one)."""
    from .project import project_for
    return project_for()


def _explicit_catalog() -> Optional[str]:
    return click.get_current_context().find_root().params.get("catalog_dir")


def _catalog_choice(project=None):
    """--catalog DIR (or ESTIMATOR_CATALOG), else the project's catalog, else the installed one;
    says so on stderr when a checkout's configs/catalog differs and is not the one used."""
    from .project import choose_catalog
    choice = choose_catalog(_explicit_catalog(), project or _project())
    if choice.warning:
        _err(choice.warning)
    return choice


def _catalog(project=None):
    from .catalog import load_catalog
    return load_catalog(_catalog_choice(project).directory)


def _load(path: Optional[str], overrides, catalog=None):
    from .config.loader import load
    return load(path or default_scenario(), overrides, catalog=catalog or _catalog())


def _estimate(path: Optional[str], overrides, catalog=None):
    """One scenario's result, with its own uncertainty beside the base verdict."""
    from .engine import estimate
    from .engine.uncertainty import annotate
    catalog = catalog or _catalog()
    scn = _load(path, overrides, catalog)
    result = estimate(scn, catalog)
    annotate(result, scn, catalog)
    return result


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
    from .catalog import is_catalog_file, load_catalog, validate_catalog_file
    choice = _catalog_choice()
    catalog = load_catalog(choice.directory)
    failed = 0
    from .config.yamlsafe import load_node
    for f in files:
        try:
            if os.path.basename(f) == "estimator.yaml":
                from .project import load_project
                load_project(f, f)
            elif is_catalog_file(load_node(f)):
                validate_catalog_file(f)
            else:
                estimate(load(f, overrides, catalog=catalog), catalog)
        except ConfigError as e:
            failed += 1
            _err(f"error: {e}")
            continue
        click.echo(f"ok: {f}")
    click.echo(f"catalog: {choice.label}")
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
@click.option("--acquire", "ways", help="Compare the plan acquired several ways, side by side: "
              "a comma-separated list of 'owned', 'rented' and contract names.")
@handle_errors
def report(scenarios, overrides, fmt, output, svg, html, width, ways):
    """Compute scenarios and print their report; several side by side.

    With no SCENARIO, the shipped OpenAI $40B scenario. With several, their
    headline figures side by side (--set applies to each).

    \b
    Example:
        estimator report configs/scenarios/h100-100k-cluster.yaml
        estimator report --set funding.cash='$1B' --format json
        estimator report configs/scenarios/openai-40b.yaml configs/scenarios/stargate-500b.yaml
        estimator report --svg report.svg --format markdown -o report.md
        estimator report --acquire owned,rented,oracle-stargate
    """
    from .engine import estimate
    catalog = _catalog()
    if ways:
        results = _acquired_ways(scenarios, overrides, ways, catalog)
    else:
        results = [_estimate(path, overrides, catalog) for path in (scenarios or [None])]
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


def _acquired_ways(scenarios, overrides, ways, catalog):
    """The one scenario with its planned runs acquired each way, titled by the way."""
    from .engine import estimate
    from .variants import acquire_overrides
    if len(scenarios) > 1:
        raise click.UsageError("--acquire compares one scenario acquired several ways")
    path = scenarios[0] if scenarios else None
    base = _load(path, overrides, catalog)
    results = []
    for way in [w.strip() for w in ways.split(",") if w.strip()]:
        result = estimate(_load(path, tuple(overrides) + tuple(acquire_overrides(base, way)),
                                catalog), catalog)
        result.title = f"{base.scenario} ({way})"
        results.append(result)
    return results


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=True))
@scenario_options
@click.option("--baseline", type=click.Path(file_okay=False),
              help="Folder of saved snapshots to compare against (default with no FILES: the "
                   "project's 'baselines:'). A scenario's snapshot is its path relative to the "
                   "project root, .json for .yaml.")
@click.option("--tolerance", default=None,
              help="How far a headline figure may move before the check fails (default: the "
                   "project's 'tolerance:', else 2%); a scenario's 'tolerances:' overrides it "
                   "per figure.")
@click.option("--update-baseline", is_flag=True, help="Rewrite the snapshots (atomically).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE.")
@handle_errors
def check(files, overrides, baseline, tolerance, update_baseline, fmt, output):
    """Check expectations and baselines; exit 1 when one fails.

    With no FILES, every scenario of the project (estimator.yaml, found from the
    current folder upward) against the project's baselines. Evaluates each
    scenario's 'expect:' block; with baselines, compares every figure with its
    saved snapshot and fails when a headline figure moves past its tolerance,
    listing what moved, largest move first. Moves below a relative 1e-9 are float
    noise, not moves.

    \b
    Example:
        estimator check                                  # the whole project
        estimator check --update-baseline                # accept what moved
        estimator check --baseline baselines/ --tolerance 1% scenarios/*.yaml
    """
    from . import check as ck
    from .errors import CheckFailed, InputError, UnitError
    from .project import project_of, require_scenarios
    from .report import check as rc
    from .units import parse
    project = project_of(files) if files else _project()
    orphans = []
    if files:
        paths = list(files)
    else:
        require_scenarios(project, "estimator check")
        paths = project.layout().scenarios
        if baseline is None:
            baseline = project.baselines_dir()
    try:
        tol = parse(tolerance, "fraction") if tolerance is not None else project.config.tolerance
    except UnitError as e:
        raise InputError(f"--tolerance: {e.message} (expected {e.expected})") from None
    choice = _catalog_choice(project)
    from .catalog import load_catalog
    catalog = load_catalog(choice.directory)
    records = ck.check_files(paths, project, catalog, baseline, tol, update_baseline, overrides)
    if baseline and not files:
        orphans = ck.orphan_baselines(project, baseline, paths)
    if fmt == "json":
        _emit(rc.check_json(records, choice.label, orphans), output)
    elif fmt == "markdown":
        _emit(rc.check_markdown(records, choice.label, orphans), output)
    else:
        console = _console()
        for r in records:
            if r.outcomes:
                console.print(rc.outcomes_table(r.file, r.outcomes))
            if r.moves:
                console.print(rc.moves_table(f"Moved since the baseline: {r.file}", r.moves))
            status = "passed" if r.passed else "FAILED"
            console.print(f"{status}: {r.file}" + (f" ({r.baseline})" if r.baseline else ""),
                          style="green" if r.passed else "bold red")
        for o in orphans:
            console.print(f"note: baseline {o} belongs to no scenario (delete it if the scenario "
                          "is gone)")
        console.print(f"{sum(r.passed for r in records)} of {len(records)} scenario(s) passed; "
                      f"catalog: {choice.label}")
    failed = [r.file for r in records if not r.passed]
    if failed:
        raise CheckFailed(f"check failed: {', '.join(failed)}")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=True))
@click.option("--rev", metavar="REV|A..B|A...B",
              help="Compare git revisions, each side read as a whole tree (scenarios, parents, "
                   "catalog): A...B the merge base of A and B against B (a pull request), A..B "
                   "A against B, REV against the working tree.")
@click.option("--compare-to", "compare_to", type=click.Path(dir_okay=False),
              help="Compare FILE with a saved JSON report (report --format json) or baseline.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE.")
@handle_errors
def diff(files, rev, compare_to, fmt, output):
    """Show which inputs changed and which figures they moved.

    Two scenario files; or, with --rev, every scenario of the project (or the
    FILES given) between two revisions, each side evaluated as a whole tree:
    scenarios, every extends: parent and the catalog read at that revision. New
    and removed scenarios are reported as added and removed. Or one file against
    a saved JSON report (--compare-to). Sorted by impact.

    \b
    Example:
        estimator diff configs/scenarios/h100-100k-cluster.yaml mine.yaml
        estimator diff --rev origin/main...HEAD --format markdown -o comment.md
        estimator diff configs/scenarios/openai-40b.yaml --rev origin/main
        estimator diff mine.yaml --compare-to last-week.json
    """
    from . import check as ck
    from .errors import InputError
    from .report import check as rc
    if rev is not None:
        if compare_to:
            raise InputError("give --rev or --compare-to, not both")
        from .project import project_of
        from .revdiff import revision_changes
        project = project_of(files) if files else _project()
        if not files:
            from .project import require_scenarios
            require_scenarios(project, "estimator diff --rev without files")
        changes = revision_changes(project, rev, list(files) or None, _explicit_catalog())
        for warning in {changes.base.warning, changes.head.warning} - {None}:
            _err(warning)
        if fmt == "json":
            _emit(rc.changes_json(changes), output)
        elif fmt == "markdown":
            _emit(rc.changes_markdown(changes), output)
        else:
            console = _console()
            for item in rc.changes_tables(changes):
                console.print(item)
        if changes.head_errors:
            raise InputError("the head side has scenarios that do not load:\n"
                             + "\n".join(changes.head_errors))
        return
    from .engine import estimate
    choice = _catalog_choice()
    from .catalog import load_catalog
    catalog = load_catalog(choice.directory)
    if compare_to:
        if len(files) != 1:
            raise InputError("--compare-to compares one scenario FILE with a saved report")
        from .config.loader import load
        old, inputs = ck.snapshot_of_report(ck.read_snapshot(compare_to))
        b = estimate(load(files[0], catalog=catalog), catalog)
        d = ck.diff_snapshots(old, ck.snapshot(b), inputs | ck.input_names(b))
        base_label, head_label = compare_to, files[0]
    else:
        if len(files) != 2:
            raise InputError("diff needs BASE and HEAD files, FILE with --compare-to REPORT, or "
                             "--rev REVISION")
        missing = [f for f in files if not os.path.exists(f)]
        if len(missing) == 2:
            raise InputError(f"no files named {files[0]} or {files[1]}; to compare two git "
                             f"revisions use --rev {files[0]}...{files[1]} (what {files[1]} "
                             f"changed since it forked) or --rev {files[0]}..{files[1]}")
        from .config.loader import load
        a = estimate(load(files[0], catalog=catalog), catalog)
        b = estimate(load(files[1], catalog=catalog), catalog)
        d = ck.diff(a, b)
        base_label, head_label = files
    if fmt == "json":
        _emit(rc.diff_json(base_label, head_label, d, choice.label), output)
    elif fmt == "markdown":
        _emit(rc.diff_markdown(base_label, head_label, d, b.title, choice.label), output)
    else:
        console = _console()
        console.print(f"{base_label} -> {head_label}   catalog: {choice.label}")
        console.print(rc.moves_table(f"Inputs that changed ({len(d.inputs)})", d.inputs))
        console.print(rc.moves_table(f"Figures that moved ({len(d.figures)})", d.figures))


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=True))
@click.argument("figure")
@scenario_options
@handle_errors
def explain(scenario, figure, overrides):
    """Show how a figure is computed, down to the YAML lines and catalog sources.

    FIGURE may also name a training run (training.KEY): its key figures side by side,
    among them the hardware's value at the run's start, its power by definition (chip,
    server, IT, facility) and the MFU its hours imply.

    \b
    Example:
        estimator explain configs/scenarios/h100-100k-cluster.yaml capex.total_usd
        estimator explain configs/scenarios/llama-3.1-405b.yaml training.llama-3-1-405b
    """
    from .report import explain as ex
    result = _estimate(scenario, overrides)
    click.echo(ex.render(result, figure), nl=False)


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=True))
@scenario_options
@click.option("--last-run", is_flag=True, help="Scale only the plan's last run, not every run.")
@click.option("--confidence", metavar="P",
              help="Solve under uncertainty: the extra raise (and by when) and the largest plan "
                   "covered with probability P, e.g. 90%.")
@click.option("--samples", "-n", type=click.IntRange(1, 2_000_000), default=100_000,
              show_default=True, help="Monte Carlo samples (with --confidence).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
              help="Random seed (with --confidence).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@handle_errors
def solve(scenario, overrides, last_run, confidence, samples, seed, fmt):
    """Find the largest plan the money covers, and what the full plan lacks.

    Scales the plan's compute (every run, or --last-run) by bisection over the
    engine; reports the extra raise the full plan needs and how far the money goes.
    With --confidence P it works on Monte Carlo samples of the uncertain inputs
    (the same draws throughout): how much more to raise, and by when, to be
    covered with probability P, and the largest plan covered with probability P,
    each with its Monte Carlo error.

    \b
    Example:
        estimator solve configs/scenarios/openai-40b.yaml
        estimator solve --last-run --format json
        estimator solve --confidence 90% --samples 100000
    """
    from .report import solve as rs
    catalog = _catalog()
    scn = _load(scenario, overrides, catalog)
    if confidence is not None:
        from .engine.solve import solve_confidence
        from .errors import InputError, UnitError
        from .units import parse
        try:
            p = parse(confidence, "fraction")
        except UnitError as e:
            raise InputError(f"--confidence: {e.message} (expected a share such as 90%)") from None
        with _progress("solving", total=None) as tick:
            sol = solve_confidence(scn, catalog, p, samples=samples, seed=seed,
                                   last_only=last_run, progress=tick)
        text = rs.confidence_json(scn.scenario, sol) if fmt == "json" else \
            rs.confidence_text(scn.scenario, sol)
        click.echo(text, nl=False)
        return
    from .engine.solve import solve as run_solve
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
@click.option("--before", "before", multiple=True, metavar="YYYY-MM",
              help="Also state P(the cash runs out before this month); repeatable.")
@handle_errors
def simulate(scenario, overrides, samples, seed, fmt, output, before):
    """Monte Carlo over the scenario's distributions, on the same engine.

    Draws every uncertain input (a distribution written where a number goes, or
    an 'uncertainty:' entry), runs the engine on arrays in chunks, and reports
    P10/P50/P90 of the headline figures, the probability that the money covers
    the plan, and when: the month the cash runs out and the month of the peak
    funding need, as months, with P(the cash runs out before a date).

    \b
    Example:
        estimator simulate configs/scenarios/openai-40b.yaml --samples 1000000 --seed 1
        estimator simulate --format json -o sim.json
        estimator simulate --before 2028-01
    """
    from .engine.uncertainty import simulate as run
    from .report import uncertainty as ru
    from .errors import InputError
    from .model import Month
    for m in before:
        try:
            Month.parse(m)
        except ValueError as e:
            raise InputError(f"--before {m}: {e}") from None
    catalog = _catalog()
    scn = _load(scenario, overrides, catalog)
    with _progress("sampling", total=samples) as tick:
        sim = run(scn, catalog, samples, seed, progress=tick,
                  before=[str(Month.parse(m)) for m in before])
    _show(fmt, output, lambda: ru.simulation_json(scn.scenario, sim),
          lambda: ru.simulation_table(scn.scenario, sim))


@main.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=True))
@scenario_options
@click.option("--figure", help="Figure to study (default: funding.shortfall_usd, or the total "
                               "cost when there is no funding).")
@click.option("--method", type=click.Choice(["tornado", "sobol", "both"]), default="tornado",
              show_default=True,
              help="tornado: each input alone, P10 to P90; sobol: variance-based first-order "
                   "and total indices over all inputs moving together (needs SALib).")
@click.option("--samples", "-n", type=click.IntRange(2, 1 << 20), default=1024, show_default=True,
              help="Sobol base samples N (a power of two; N x (inputs + 2) engine points).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
              help="Seed of the Sobol design and its bootstrap.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE.")
@handle_errors
def sensitivity(scenario, overrides, figure, method, samples, seed, fmt, output):
    """What drives a figure: a tornado, Sobol indices, or both.

    The tornado swings each uncertain input from its P10 to its P90, one at a
    time, sorted by impact. Sobol indices split the figure's variance over all
    the inputs at once: first-order (the input alone) and total (with every
    interaction it takes part in), with 95% bootstrap intervals.

    \b
    Example:
        estimator sensitivity configs/scenarios/openai-40b.yaml
        estimator sensitivity --method sobol --samples 4096
        estimator sensitivity --figure training.cost.build_usd --format json
    """
    from .engine.uncertainty import sensitivity as run
    from .report import uncertainty as ru
    catalog = _catalog()
    scn = _load(scenario, overrides, catalog)
    sens = run(scn, catalog, figure) if method in ("tornado", "both") else None
    sob = None
    if method in ("sobol", "both"):
        from .engine.sobol import sobol
        sob = sobol(scn, catalog, figure, samples=samples, seed=seed)
    _show(fmt, output, lambda: ru.sensitivity_json(scn.scenario, sens, sob),
          lambda: ru.sensitivity_view(scn.scenario, sens, sob))


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
    from .catalog import load_catalog
    from .report import catalog as rc
    choice = _catalog_choice()
    cat = load_catalog(choice.directory)
    if fmt == "json":
        click.echo(rc.render_json(cat), nl=False)
    else:
        console = _console()
        console.print(f"catalog: {choice.label}")
        console.print(rc.tables(cat))


@main.group()
def project():
    """The project: which scenarios, catalog and baselines a repository has (estimator.yaml).

    estimator.yaml, found from the current folder upward, lists scenario globs, the catalog
    folder and the baselines folder, so check, diff --rev and the pre-commit hooks need no
    file lists. See docs/ci.md.

    \b
    Example:
        estimator project show
        estimator project affected scenarios/common.yaml
        estimator project validate            # or: changed files, as the pre-commit hook does
    """


@project.command("show")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@handle_errors
def project_show(fmt):
    """Print the project's root, catalog, baselines, scenarios and fragments."""
    import json
    proj = _project()
    choice = _catalog_choice(proj)
    lay = proj.layout()
    data = {"root": proj.root, "config": proj.config_file, "catalog": choice.label,
            "baselines": proj.rel(proj.baselines_dir()),
            "tolerance": proj.config.tolerance,
            "scenarios": [proj.rel(s) for s in lay.scenarios],
            "fragments": [proj.rel(f) for f in lay.fragments]}
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    for key in ("root", "config", "catalog", "baselines", "tolerance"):
        click.echo(f"{key + ':':11} {data[key]}")
    for key in ("scenarios", "fragments"):
        click.echo(f"{key + ':':11} {len(data[key])}")
        for f in data[key]:
            click.echo(f"  {f}")


@project.command("affected")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@handle_errors
def project_affected(files):
    """List the scenarios that changed FILES touch: through extends: and the catalog."""
    from .project import require_scenarios
    proj = _project()
    require_scenarios(proj, "estimator project affected")
    aff = proj.affected(files)
    if aff.reason:
        _err(f"every scenario: {aff.reason}")
    for s in aff.scenarios:
        click.echo(os.path.relpath(s))


@project.command("validate")
@click.argument("files", nargs=-1, type=click.Path())
@handle_errors
def project_validate(files):
    """Validate the project, or what changed FILES touch (the pre-commit hook).

    Catalog files are checked as catalog files, scenarios by loading and
    estimating them, fragments through the scenarios that extend them; other
    files (.pre-commit-config.yaml, workflows) are skipped.
    """
    from .project import require_scenarios, validate as run
    proj = _project()
    require_scenarios(proj, "estimator project validate")
    choice = _catalog_choice(proj)
    results = run(proj, list(files) if files else None, choice.directory)
    for r in results:
        if r.status == "error":
            _err(f"error: {r.message}")
        else:
            click.echo(f"{r.status}: {r.file}" + (f" ({r.message})" if r.message else ""))
    click.echo(f"catalog: {choice.label}")
    if any(r.status == "error" for r in results):
        sys.exit(EXIT_INPUT)


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
