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


def _err(text: str) -> None:
    """A message on stderr; control characters quoted from input are shown as escapes."""
    from .text import message
    click.echo(message(text), err=True)


class Terminated(BaseException):
    """SIGTERM, raised where the program is so that cleanup (``finally``) runs."""


def _on_sigterm(signum, frame):
    raise Terminated()


def _catch_sigterm() -> None:
    """Turn SIGTERM (CI cancelling a job) into an exception, so temporary files are removed."""
    import signal
    import threading
    if threading.current_thread() is threading.main_thread() and \
            signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, _on_sigterm):
        signal.signal(signal.SIGTERM, _on_sigterm)


def _output_full(e: Exception) -> bool:
    import errno
    return isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT,
                                                  errno.EFBIG)


#: the options that name files a command writes
_OUTPUTS = ("output", "html", "svg")


def handle_errors(fn):
    """Turn library errors into messages and exit codes; never a traceback unless --debug."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .errors import CheckFailed, InputError
        ctx = click.get_current_context()
        debug = (ctx.find_root().params or {}).get("debug", False)
        _catch_sigterm()
        try:
            from .fileio import check_targets, forget_inputs
            forget_inputs()
            check_targets(kwargs.get(k) for k in _OUTPUTS)
            result = fn(*args, **kwargs)
            sys.stdout.flush()          # a full disk under a redirect fails here, not at exit
            return result
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except InputError as e:
            from .errors import UnknownFigure
            _err(f"error: {e}")
            if isinstance(e, UnknownFigure):
                _err("hint: `estimator report --format json` lists every figure; shell "
                     "completion completes them (see the README)")
            sys.exit(EXIT_INPUT)
        except CheckFailed as e:
            if str(e):
                _err(str(e))
            sys.exit(EXIT_CHECK)
        except KeyboardInterrupt:
            _err("interrupted; no file was written")
            sys.exit(130)
        except Terminated:
            _err("terminated; no file was written")
            sys.exit(143)
        except RecursionError:
            if debug:
                raise
            _err("error: input nested too deeply to process")
            sys.exit(EXIT_INPUT)
        except Exception as e:  # noqa: BLE001 - the last line of defence
            if debug:
                raise
            if _output_full(e):     # a redirect to a full disk cannot take what is written
                _err(f"error: cannot write the output: {e.strerror}")
                sys.exit(EXIT_INPUT)
            _err(f"internal error: {type(e).__name__}: {e}\n"
                 "hint: this is a bug in estimator; run again with --debug for the traceback")
            sys.exit(EXIT_INTERNAL)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.option("--catalog", "catalog_dir", type=click.Path(file_okay=False), envvar="ESTIMATOR_CATALOG",
              help="Catalog folder to use (env: ESTIMATOR_CATALOG). Default: the 'catalog:' of "
                   "the project's estimator.yaml, else the catalog installed with estimator.")
@click.option("--allow-extends", "allow_extends", multiple=True, type=click.Path(file_okay=False),
              envvar="ESTIMATOR_ALLOW_EXTENDS",
              help="A folder outside the project that 'extends:' may include from (repeatable; "
                   "env: ESTIMATOR_ALLOW_EXTENDS, separated by the path separator).")
@click.version_option(package_name="ai-compute-estimator")
@click.pass_context
def main(ctx, debug: bool, catalog_dir: Optional[str], allow_extends) -> None:
    """Estimate what AI compute costs, and whether the money raised covers it.

    \b
    Example:
        estimator report                      # the shipped OpenAI $40B scenario
        estimator scenarios                   # the shipped scenarios, by name
        estimator report gb200-campus-1gw --format json

    \b
    Shell completion of commands, scenario and figure names (bash; zsh and fish: README):
        eval "$(_ESTIMATOR_COMPLETE=bash_source estimator)"
    """


def _only_with(condition: bool, needs: str, *names: str) -> None:
    """Refuse an option the user gave (on the command line or in the environment) where it has
    no effect: an option that would be silently ignored is a usage error."""
    from click.core import ParameterSource
    ctx = click.get_current_context()
    given = [p for p in ctx.command.params if p.name in names and ctx.get_parameter_source(
        p.name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)]
    if given and not condition:
        opts = " and ".join("/".join(p.opts) for p in given)
        raise click.UsageError(f"{opts} {'has' if len(given) == 1 else 'have'} no effect "
                               f"{needs}")


def scenario_options(fn):
    fn = click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
                      help="Override a value after the files are read, e.g. --set "
                           "funding.cash='$1B' --set 'training[0].mfu=35%'; relative: "
                           "'=*0.9' (times 0.9), '=+10%' (10% more), also of a value the "
                           "scenario leaves to the catalog or a default (repeatable).")(fn)
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


def _allowed() -> tuple:
    """Folders outside the project that --allow-extends opened to 'extends:'."""
    return tuple(click.get_current_context().find_root().params.get("allow_extends") or ())


def _load(path: Optional[str], overrides=(), catalog=None):
    from .api import load
    return load(path, overrides, catalog=catalog or _catalog(), allow_extends=_allowed())


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
    if output is not None:
        from .fileio import write_atomic
        write_atomic(output, text)
    else:
        from .report.encoding import for_encoding
        click.echo(for_encoding(text, getattr(sys.stdout, "encoding", None)), nl=False)


FORMATS = ("table", "json", "markdown", "csv")


def _dash_is_stdout(ctx, param, value):
    """-o - writes to standard output, as the convention of most command-line tools has it."""
    return None if value == "-" else value


def output_options(*formats: str):
    """The one output convention: --format, --output/-o and --width, on every command."""
    formats = formats or FORMATS

    def deco(fn):
        fn = click.option("--width", type=click.IntRange(40, 400),
                          help="Width of tables in characters (default: the terminal's; "
                               "100 in a file).")(fn)
        fn = click.option("--output", "-o", type=click.Path(dir_okay=False),
                          callback=_dash_is_stdout,
                          help="Write to FILE (whole or not at all); '-' is standard output.")(fn)
        fn = click.option("--format", "fmt", type=click.Choice(formats), default=formats[0],
                          show_default=True, help="Output format.")(fn)
        return fn
    return deco


def _columns(width: Optional[int], output: Optional[str]) -> int:
    """The width text is wrapped at: --width, else 100 in a file, else the terminal's."""
    return width or (100 if output else _console().width)


def _deliver(out, output: Optional[str], width: Optional[int]) -> None:
    """Text as it is; a rich renderable as a table: plain text in a file, ASCII boxes and bars
    where the output's encoding cannot show the drawing characters (a cp1252 redirect)."""
    if isinstance(out, str):
        _emit(out, output)
        return
    from .report.encoding import can_show
    from .report.terminal import plain_text
    if output is not None:
        _emit(plain_text(out, width or 100), output)
    elif can_show(getattr(sys.stdout, "encoding", None)):
        _console(width).print(out)
    else:
        _emit(plain_text(out, width or _console().width, ascii_only=True), None)


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


def _console(width: Optional[int] = None):
    from rich.console import Console
    return Console(width=width, no_color=bool(os.environ.get("NO_COLOR")) or None,
                   highlight=False)


class ScenarioPath(click.Path):
    """A scenario file, or the name of a shipped scenario; completes both."""

    name = "scenario"

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem
        from .scenarios import names
        return [CompletionItem(n) for n in names() if n.startswith(incomplete)] + \
            [CompletionItem(incomplete, type="file")]


SCENARIO = ScenarioPath(dir_okay=True)


def _figure_names(scenario: Optional[str], incomplete: str):
    """Figure names of a scenario (the default one when None), for shell completion."""
    from click.shell_completion import CompletionItem
    try:
        from .api import estimate           # a project's scenario with the project's catalog
        result = estimate(scenario)
    except Exception:  # noqa: BLE001 - completion must never fail loudly
        return []
    return [CompletionItem(n) for n in result.figures if n.startswith(incomplete)]


def _complete_figure_option(ctx, param, incomplete):
    return _figure_names(ctx.params.get("scenario"), incomplete)


def _complete_explain(ctx, param, incomplete):
    given = ctx.params.get("args") or ()
    if given:
        return _figure_names(given[0], incomplete)
    return SCENARIO.shell_complete(ctx, param, incomplete)[:-1] + _figure_names(None, incomplete)


@main.command()
@click.argument("files", nargs=-1, required=True, type=SCENARIO)
@scenario_options
@handle_errors
def validate(files, overrides):
    """Check scenario files: schema, references, and that fleets fit their sites.

    Reports every problem in a file at once, each at file:line:col with the key
    path, what was expected, what was found and a did-you-mean. Catalog files
    (accelerators:, servers:, defaults:) are checked as catalog files.

    \b
    Example:
        estimator validate mine.yaml stargate-500b
        estimator validate my-catalog/*.yaml
    """
    from .errors import InputError
    from .engine import estimate
    from .catalog import is_catalog_file, load_catalog, validate_catalog_file
    from .scenarios import resolve
    choice = _catalog_choice()
    from .text import clean
    catalog = load_catalog(choice.directory)
    failed = 0
    from .config.yamlsafe import load_node
    for f in files:
        try:
            if os.path.basename(f) == "estimator.yaml":
                from .project import load_project
                load_project(f, f)
            elif os.path.isfile(resolve(f)) and is_catalog_file(load_node(resolve(f), f)):
                validate_catalog_file(f)
            else:
                users = _through_fragments(f)
                from .check import check_tolerances, evaluate
                for path in users:
                    scenario = _load(path, overrides, catalog)
                    result = estimate(scenario, catalog)
                    evaluate(result, scenario.expect)       # names and bounds; check runs them
                    check_tolerances(result, scenario)
                    for note in scenario.notes:
                        _err(f"warning: {note}")
                if users != [f]:
                    f += " (a fragment: checked through " + ", ".join(
                        os.path.relpath(u) for u in users) + ")"
        except InputError as e:     # every file is checked, whatever the first one's problem
            failed += 1
            _err(f"error: {e}")
            continue
        click.echo(f"ok: {clean(f)}")
    click.echo(f"catalog: {clean(choice.label)}")
    if failed:
        sys.exit(EXIT_INPUT)


def _through_fragments(f: str) -> list:
    """A fragment of the project around it as the scenarios that extend it; else [f]."""
    if not os.path.isfile(f):
        return [f]
    from .project import project_of, through_fragments
    return through_fragments(project_of([f]), [f])


@main.command()
@output_options()
@handle_errors
def scenarios(fmt, output, width):
    """List the shipped scenarios: the names every command takes in place of a file.

    \b
    Example:
        estimator scenarios
        estimator report stargate-500b
    """
    from .report import listing
    from .scenarios import DEFAULT, shipped
    items = shipped()
    _deliver(listing.render_json(items, DEFAULT) if fmt == "json" else
             listing.render(items, DEFAULT, fmt), output, width)


@main.command()
@click.argument("scenarios", nargs=-1, type=SCENARIO)
@scenario_options
@output_options()
@click.option("--svg", "svg", type=click.Path(dir_okay=False), help="Also save the table as SVG.")
@click.option("--html", "html", type=click.Path(dir_okay=False),
              help="Also save the report as one self-contained HTML page.")
@click.option("--acquire", "ways", metavar="WAY,WAY...", help="Compare the plan acquired several ways, side by side: "
              "a comma-separated list of 'owned', 'rented' and contract names.")
@handle_errors
def report(scenarios, overrides, fmt, output, width, svg, html, ways):
    """Compute scenarios and print their report; several side by side.

    SCENARIO is a file or a shipped scenario's name (`estimator scenarios`);
    with none, the shipped OpenAI $40B scenario. With several, their headline
    figures side by side with the difference from the first (--set applies to each).

    \b
    Example:
        estimator report h100-100k-cluster
        estimator report --set funding.cash='$1B' --format json
        estimator report --set 'fleets.gb200.accelerator_price=*0.8' gb200-campus-1gw
        estimator report openai-40b stargate-500b
        estimator report --html report.html --format markdown -o report.md
        estimator report --acquire owned,rented,oracle
    """
    catalog = _catalog()
    if ways is not None:
        results = _acquired_ways(scenarios, overrides, ways, catalog)
    else:
        results = [_estimate(path, overrides, catalog) for path in (scenarios or [None])]
    compare = len(results) > 1
    from .fileio import check_targets
    check_targets([output, html, svg])      # again, now that the inputs read are known
    if html:
        from .fileio import write_atomic
        from .report import html as rh
        write_atomic(html, rh.render(results))
    if fmt == "table" or svg:
        from .report import compare as rc, terminal
        renderable = rc.table(results) if compare else terminal.Group(
            *terminal.sections(results[0]))
        if svg:
            from .fileio import write_atomic
            write_atomic(svg, terminal.export(renderable, "svg", width or 100, results[0].title))
    if fmt == "table":
        _deliver(renderable, output, width)
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
    listed = [w.strip() for w in ways.split(",")]
    if not all(listed):
        raise click.BadParameter(f"{ways!r} has an empty name; give a comma-separated list of "
                                 "'owned', 'rented' and contract names", param_hint="'--acquire'")
    twice = sorted({w for w in listed if listed.count(w) > 1})
    if twice:
        raise click.BadParameter(f"{', '.join(twice)} is listed twice", param_hint="'--acquire'")
    base = _load(path, overrides, catalog)
    results = []
    for way in listed:
        result = estimate(_load(path, tuple(overrides) + tuple(acquire_overrides(base, way)),
                                catalog), catalog)
        result.title = f"{base.scenario} ({way})"
        results.append(result)
    return results


@main.command()
@click.argument("files", nargs=-1, type=SCENARIO)
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
@output_options()
@handle_errors
def check(files, overrides, baseline, tolerance, update_baseline, fmt, output, width):
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
        estimator check mine.yaml stargate-500b
        estimator check --baseline baselines/ --tolerance 1% scenarios/*.yaml
    """
    from . import check as ck
    from .errors import CheckFailed, InputError, UnitError
    from .project import project_of, require_matches, through_fragments
    from .report import check as rc
    from .units import parse
    project = project_of(files) if files else _project()
    orphans = []
    if files:
        paths = through_fragments(project, files)
    else:
        paths = require_matches(project, "estimator check")
        if baseline is None:
            baseline = project.baselines_dir()
    _only_with(bool(baseline), "without a baseline folder (--baseline DIR, or no FILES for the "
               "project's baselines)", "tolerance", "update_baseline")
    if update_baseline and overrides:   # the snapshot is keyed by the file, not by the --set
        raise click.UsageError("--update-baseline saves what the scenario files say; with --set "
                               "it would save figures the files do not give")
    try:
        tol = parse(tolerance, "fraction") if tolerance is not None else project.config.tolerance
    except UnitError as e:
        raise InputError(f"--tolerance: {e.message} (expected {e.expected})") from None
    if tol < 0:
        raise InputError(f"--tolerance: {tolerance!r} is below 0 (expected a share such as 2%)")
    choice = _catalog_choice(project)
    from .catalog import load_catalog
    catalog = load_catalog(choice.directory)
    records = ck.check_files(paths, project, catalog, baseline, tol, update_baseline, overrides,
                             allow_extends=_allowed())
    if baseline and not files:
        orphans = ck.orphan_baselines(project, baseline, paths)
    render = {"json": rc.check_json, "markdown": rc.check_markdown, "csv": rc.check_csv,
              "table": rc.check_table}[fmt]
    _deliver(render(records, choice.label, orphans), output, width)
    broken = [r for r in records if r.error is not None]
    if broken:
        raise InputError("\n".join(r.error for r in broken) + f"\n{len(broken)} of "
                         f"{len(records)} scenario(s) could not be checked" + (
                             "; the others were" if len(broken) < len(records) else ""))
    failed = [r for r in records if not r.passed]
    if failed:
        moved = any(m.failed for r in failed for m in r.moves) or any(
            r.baseline.startswith("no baseline") for r in failed)
        raise CheckFailed(f"check failed: {', '.join(r.file for r in failed)}" + (
            "\nhint: if the moves are meant (or a baseline is missing), accept them with "
            "`estimator check --update-baseline` and commit the baselines"
            if moved and not update_baseline
            else ""))


@main.command()
@click.argument("files", nargs=-1, type=SCENARIO)
@click.option("--rev", metavar="REV|A..B|A...B",
              help="Compare git revisions, each side read as a whole tree (scenarios, parents, "
                   "catalog): A...B the merge base of A and B against B (a pull request), A..B "
                   "A against B, REV against the working tree.")
@click.option("--compare-to", "compare_to", type=click.Path(dir_okay=False),
              help="Compare FILE with a saved JSON report (report --format json) or baseline.")
@output_options()
@handle_errors
def diff(files, rev, compare_to, fmt, output, width):
    """Show which inputs changed and which figures they moved.

    Two scenario files; or, with --rev, every scenario of the project (or the
    FILES given) between two revisions, each side evaluated as a whole tree:
    scenarios, every extends: parent and the catalog read at that revision. New
    and removed scenarios are reported as added and removed. Or one file against
    a saved JSON report (--compare-to). Sorted by impact.

    \b
    Example:
        estimator diff h100-100k-cluster mine.yaml
        estimator diff --rev origin/main...HEAD --format markdown -o comment.md
        estimator diff scenarios/mine.yaml --rev origin/main
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
        changes = revision_changes(project, rev, list(files) or None, _explicit_catalog(),
                                   _allowed())
        for warning in {changes.base.warning, changes.head.warning} - {None}:
            _err(warning)
        render = {"json": rc.changes_json, "markdown": rc.changes_markdown,
                  "csv": rc.changes_csv, "table": rc.changes_table}[fmt]
        _deliver(render(changes), output, width)
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
        old, inputs = ck.snapshot_of_report(ck.read_snapshot(compare_to))
        b = estimate(_load(files[0], catalog=catalog), catalog)
        d = ck.diff_snapshots(old, ck.snapshot(b), inputs | ck.input_names(b))
        base_label, head_label = compare_to, files[0]
    else:
        if len(files) != 2:
            raise InputError("diff needs BASE and HEAD files, FILE with --compare-to REPORT, or "
                             "--rev REVISION")
        from .scenarios import resolve
        missing = [f for f in files if not os.path.exists(resolve(f))]
        if len(missing) == 2:
            raise InputError(f"no files named {files[0]} or {files[1]}; to compare two git "
                             f"revisions use --rev {files[0]}...{files[1]} (what {files[1]} "
                             f"changed since it forked) or --rev {files[0]}..{files[1]}")
        a = estimate(_load(files[0], catalog=catalog), catalog)
        b = estimate(_load(files[1], catalog=catalog), catalog)
        d = ck.diff(a, b)
        base_label, head_label = files
    if fmt == "json":
        out = rc.diff_json(base_label, head_label, d, choice.label)
    elif fmt == "markdown":
        out = rc.diff_markdown(base_label, head_label, d, b.title, choice.label)
    elif fmt == "csv":
        out = rc.diff_csv(d)
    else:
        out = rc.diff_table(base_label, head_label, d, choice.label)
    _deliver(out, output, width)


@main.command()
@click.argument("args", nargs=-1, required=True, metavar="[SCENARIO] FIGURE",
                shell_complete=_complete_explain)
@scenario_options
@click.option("--all", "show_all", is_flag=True, help="Keep branches whose value is zero.")
@output_options()
@handle_errors
def explain(args, overrides, show_all, fmt, output, width):
    """Show how a figure is computed, down to the YAML lines and catalog sources.

    With only FIGURE, a figure of the default scenario. Inputs that are zero
    (and everything under them) are left out unless --all. FIGURE may also name
    a training run (training.KEY): its key figures side by side, among them the
    hardware's value at the run's start, its power by definition (chip, server,
    IT, facility) and the MFU its hours imply.

    \b
    Example:
        estimator explain capex.total_usd
        estimator explain agi-plan-2030 training.cost.build_usd --all
        estimator explain llama-3.1-405b training.llama-3-1-405b
        estimator explain stargate-500b funding.shortfall_usd --format json
    """
    from .errors import InputError
    from .report import explain as ex
    if len(args) > 2:
        raise InputError(f"explain takes [SCENARIO] FIGURE; got {len(args)} arguments")
    scenario, figure = (None, args[0]) if len(args) == 1 else args
    if scenario is None and _is_scenario(figure):
        raise InputError(f"explain takes [SCENARIO] FIGURE; '{figure}' is a scenario, and no "
                         f"figure was given: e.g. estimator explain {figure} capex.total_usd "
                         f"(`estimator report {figure} --format json` lists every figure)")
    result = _estimate(scenario, overrides)
    _deliver(ex.render(result, figure, fmt, prune=not show_all, width=_columns(width, output)),
             output, width)


def _is_scenario(arg: str) -> bool:
    """A file, or a shipped scenario's name, where a figure's name was expected."""
    from .scenarios import path_of
    return arg.endswith((".yaml", ".yml")) or os.path.isfile(arg) or path_of(arg) is not None


@main.command()
@click.argument("scenario", required=False, type=SCENARIO)
@scenario_options
@click.option("--last-run", is_flag=True, help="Scale only the plan's last run, not every run.")
@click.option("--confidence", metavar="P",
              help="Solve under uncertainty: the extra raise (and by when) and the largest plan "
                   "covered with probability P, e.g. 90%.")
@click.option("--samples", "-n", type=click.IntRange(1, 2_000_000), default=100_000,
              show_default=True, help="Monte Carlo samples (with --confidence).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
              help="Random seed (with --confidence).")
@output_options()
@handle_errors
def solve(scenario, overrides, last_run, confidence, samples, seed, fmt, output, width):
    """Find the largest plan the money covers, and what the full plan lacks.

    Scales the plan's compute (every run, or --last-run) by bisection over the
    engine; reports the extra raise the full plan needs and how far the money goes.
    With --confidence P it works on Monte Carlo samples of the uncertain inputs
    (the same draws throughout): how much more to raise, and by when, to be
    covered with probability P, and the largest plan covered with probability P,
    each with its Monte Carlo error.

    \b
    Example:
        estimator solve openai-40b
        estimator solve --last-run --format json
        estimator solve --confidence 90% --samples 100000
    """
    from .report import solve as rs
    _only_with(confidence is not None, "without --confidence", "samples", "seed")
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
        _deliver(rs.confidence_json(scn.scenario, sol) if fmt == "json" else
                 rs.confidence(scn.scenario, sol, fmt, _columns(width, output)), output, width)
        return
    from .engine.solve import solve as run_solve
    with _progress("solving", total=None) as tick:
        solution = run_solve(scn, catalog, last_only=last_run, progress=tick)
    _deliver(rs.render_json(scn.scenario, solution) if fmt == "json" else
             rs.render(scn.scenario, solution, fmt, _columns(width, output)), output, width)


@main.command()
@click.argument("scenario", required=False, type=SCENARIO)
@scenario_options
@click.option("--samples", "-n", type=click.IntRange(1, 2_000_000), default=10_000,
              show_default=True, help="Number of Monte Carlo samples.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
              help="Random seed: the same seed gives the same output, byte for byte.")
@click.option("--before", "before", multiple=True, metavar="YYYY-MM",
              help="Also state P(the cash runs out before this month); repeatable.")
@output_options()
@handle_errors
def simulate(scenario, overrides, samples, seed, before, fmt, output, width):
    """Monte Carlo over the scenario's distributions, on the same engine.

    Draws every uncertain input (a distribution written where a number goes, or
    an 'uncertainty:' entry), runs the engine on arrays in chunks, and reports
    P10/P50/P90 of the headline figures, the probability that the money covers
    the plan, and when: the month the cash runs out and the month of the peak
    funding need, as months, with P(the cash runs out before a date).

    \b
    Example:
        estimator simulate openai-40b --samples 1000000 --seed 1
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
    _deliver(ru.simulation_json(scn.scenario, sim) if fmt == "json" else
             ru.simulation(scn.scenario, sim, fmt), output, width)


@main.command()
@click.argument("scenario", required=False, type=SCENARIO)
@scenario_options
@click.option("--figure", shell_complete=_complete_figure_option,
              help="Figure to study (default: funding.shortfall_usd, or the total cost when "
                   "there is no funding).")
@click.option("--method", type=click.Choice(["tornado", "sobol", "both"]), default="tornado",
              show_default=True,
              help="tornado: each input alone, P10 to P90; sobol: variance-based first-order "
                   "and total indices over all inputs moving together (needs SALib).")
@click.option("--samples", "-n", type=click.IntRange(2, 1 << 20), default=1024, show_default=True,
              help="Sobol base samples N (a power of two; N x (inputs + 2) engine points).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
              help="Seed of the Sobol design and its bootstrap.")
@output_options()
@handle_errors
def sensitivity(scenario, overrides, figure, method, samples, seed, fmt, output, width):
    """What drives a figure: a tornado, Sobol indices, or both.

    The tornado swings each uncertain input from its P10 to its P90, one at a
    time, sorted by impact, each bar marked by the end (P10 or P90) that moved
    the figure that way. Sobol indices split the figure's variance over all
    the inputs at once: first-order (the input alone) and total (with every
    interaction it takes part in), with 95% bootstrap intervals.

    \b
    Example:
        estimator sensitivity openai-40b
        estimator sensitivity --method sobol --samples 4096
        estimator sensitivity --figure training.cost.build_usd --format json
    """
    from .engine.uncertainty import sensitivity as run
    from .report import uncertainty as ru
    _only_with(method != "tornado", "with --method tornado (they set the Sobol design)",
               "samples", "seed")
    catalog = _catalog()
    scn = _load(scenario, overrides, catalog)
    sob = None
    if method in ("sobol", "both"):     # first: the larger work, refused before any pass
        from .engine.sobol import sobol
        sob = sobol(scn, catalog, figure, samples=samples, seed=seed)
    sens = run(scn, catalog, figure) if method in ("tornado", "both") else None
    _deliver(ru.sensitivity_json(scn.scenario, sens, sob) if fmt == "json" else
             ru.sensitivity(scn.scenario, sens, sob, fmt), output, width)


@main.command()
@output_options()
@handle_errors
def catalog(fmt, output, width):
    """List the accelerators, server types and defaults in the catalog, with sources.

    \b
    Example:
        estimator catalog
        estimator catalog --format csv -o catalog.csv
    """
    from .catalog import load_catalog
    from .report import catalog as rc
    choice = _catalog_choice()
    cat = load_catalog(choice.directory)
    _deliver(rc.render_json(cat) if fmt == "json" else rc.render(cat, fmt, choice.label), output,
             width)


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
@output_options()
@handle_errors
def project_show(fmt, output, width):
    """Print the project's root, catalog, baselines, scenarios and fragments."""
    from .report import listing
    from .result import dumps
    proj = _project()
    choice = _catalog_choice(proj)
    lay = proj.layout()
    data = {"root": proj.root, "config": proj.config_file, "catalog": choice.label,
            "baselines": proj.rel(proj.baselines_dir()),
            "tolerance": proj.config.tolerance,
            "scenarios": [proj.rel(s) for s in lay.scenarios],
            "fragments": [proj.rel(f) for f in lay.fragments]}
    _deliver(dumps(data) if fmt == "json" else
             listing.render_project(data, fmt), output, width)


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
    from .text import clean
    for s in aff.scenarios:
        click.echo(clean(os.path.relpath(s)))      # a control character shown, never obeyed


@project.command("validate")
@click.argument("files", nargs=-1, type=click.Path())
@handle_errors
def project_validate(files):
    """Validate the project, or what changed FILES touch (the pre-commit hook).

    Catalog files are checked as catalog files, scenarios by loading and
    estimating them, fragments through the scenarios that extend them; other
    files (.pre-commit-config.yaml, workflows) are skipped.
    """
    from .project import require_matches, validate as run
    proj = _project()
    require_matches(proj, "estimator project validate")
    choice = _catalog_choice(proj)
    results = run(proj, list(files) if files else None, choice.directory, _allowed())
    from .text import clean
    for r in results:
        if r.status == "error":
            _err(f"error: {r.message}")
        else:
            click.echo(clean(f"{r.status}: {r.file}" + (f" ({r.message})" if r.message else "")))
    click.echo(f"catalog: {clean(choice.label)}")
    if any(r.status == "error" for r in results):
        sys.exit(EXIT_INPUT)


@main.command()
@click.option("--results", is_flag=True, help="The schema of report --format json instead.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), callback=_dash_is_stdout,
              help="Write to FILE; '-' is standard output.")
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
    from .result import dumps
    if results:
        from .report.json import results_schema
        data = results_schema()
    else:
        from .config.schema import json_schema
        from .model import Scenario
        data = json_schema(Scenario, "estimator scenario")
    _emit(dumps(data), output)


def _to_root(ctx, param, value):
    """An option shared by every command, given after the command's name: it means what it
    means before it (``estimator check --catalog DIR`` = ``estimator --catalog DIR check``)."""
    root = ctx.find_root()
    if param.multiple:
        if value:
            root.params[param.name] = tuple(root.params.get(param.name) or ()) + tuple(value)
    elif value:
        root.params[param.name] = value


def _share_root_options(group: click.Group) -> None:
    """Every command also takes the main options (--catalog, --allow-extends, --debug) after
    its name, so pre-commit ``args:`` and habits from other tools work; one definition each."""
    shared = [p for p in main.params if p.name in ("catalog_dir", "allow_extends", "debug")]
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _share_root_options(command)
            continue
        for p in shared:
            command.params.append(type(p)(
                [p.name, *p.opts], type=p.type, multiple=p.multiple, is_flag=getattr(p, "is_flag", False),
                help=p.help, expose_value=False, callback=_to_root, is_eager=True))


_share_root_options(main)


if __name__ == "__main__":  # pragma: no cover
    main()
