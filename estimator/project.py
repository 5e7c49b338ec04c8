"""A repository that keeps scenarios: which files are scenarios, which catalog, which baselines.

A project is described by ``estimator.yaml``, found from the current folder upward::

    scenarios: [scenarios/**/*.yaml]   # globs, relative to this file
    fragments: [scenarios/parts/*.yaml]  # optional: files only ever extended, never run alone
    catalog: catalog                   # optional: the project's own catalog folder
    baselines: baselines               # where `estimator check` keeps its snapshots
    tolerance: 2%                      # how far a headline figure may move

Without it, commands work on the files they are given, with the installed catalog (or
``--catalog``), and baselines are keyed relative to the current folder.

A file matched by ``scenarios:`` is a *fragment* (checked through the scenarios that extend
it, never on its own) when it is matched by ``fragments:``, or when another scenario extends
it and it has no ``scenario:`` key of its own. Catalog files and the project file are never
scenarios.
"""
from __future__ import annotations

import os
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple

from .errors import ConfigError, InputError
from .model import Model
from .spec import names, qty, text

PROJECT_FILE = "estimator.yaml"
SCENARIO_SUFFIXES = (".yaml", ".yml")
CATALOG_FILES = ("accelerators.yaml", "servers.yaml", "defaults.yaml")


class ProjectConfig(Model):
    scenarios: Tuple[str, ...] = names("globs of scenario files, relative to estimator.yaml")
    fragments: Tuple[str, ...] = names("globs of files that scenarios extend and that are never "
                                       "run on their own")
    exclude: Tuple[str, ...] = names("globs of files the scenario globs must skip")
    catalog: Optional[str] = text("the project's catalog folder (accelerators.yaml, servers.yaml, "
                                  "defaults.yaml); left out: the catalog installed with estimator")
    baselines: str = text("folder of baseline snapshots, one JSON per scenario",
                          default="baselines")
    tolerance: float = qty("fraction", "how far a headline figure may move before "
                           "`estimator check` fails", default=0.02, min=0, fixed=True)


class Project(NamedTuple):
    root: str                       # absolute folder the project's paths are relative to
    config_file: Optional[str]      # absolute path of estimator.yaml, or None
    config: ProjectConfig

    # ---------------------------------------------------------------- paths

    def rel(self, path: str) -> str:
        """``path`` relative to the project root, with '/' separators."""
        rel = os.path.relpath(os.path.realpath(path), self.root)
        return rel.replace(os.sep, "/")

    def abs(self, rel: str) -> str:
        return os.path.join(self.root, *rel.split("/"))

    def inside(self, path: str) -> bool:
        rel = os.path.relpath(os.path.realpath(path), self.root)
        return not (rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel))

    @property
    def label(self) -> str:
        return self.rel(self.config_file) if self.config_file else "(no estimator.yaml)"

    def catalog_dir(self) -> Optional[str]:
        if self.config.catalog is None:
            return None
        return os.path.normpath(os.path.join(self.root, self.config.catalog))

    def baselines_dir(self) -> str:
        return os.path.normpath(os.path.join(self.root, self.config.baselines))

    def baseline_path(self, scenario: str, directory: Optional[str] = None) -> str:
        """Where a scenario's snapshot lives: its path relative to the root, ``.json`` for its
        suffix, under the baselines folder — so no two scenarios share one."""
        rel = self.rel(scenario)
        if not self.inside(scenario):
            raise InputError(f"{scenario}: outside the project root {self.root}; baselines are "
                             "keyed by the scenario's path relative to the root (run from the "
                             "project's folder, or add an estimator.yaml above both)")
        stem = os.path.splitext(rel)[0]
        return os.path.join(directory or self.baselines_dir(), *f"{stem}.json".split("/"))

    # ---------------------------------------------------------------- files

    def candidates(self) -> List[str]:
        """Files matched by ``scenarios:`` (absolute, sorted), less excludes, catalog files and
        the project file. Hidden folders (``.git``, ``.github``, ``.venv``) are skipped."""
        if not self.config.scenarios:
            return []
        found: Set[str] = set()
        excluded = set(self._glob(self.config.exclude))
        catalog = self.catalog_dir()
        for path in self._glob(self.config.scenarios):
            if path in excluded or not path.endswith(SCENARIO_SUFFIXES):
                continue
            if self.config_file and path == self.config_file:
                continue
            if catalog and os.path.dirname(path) == catalog:
                continue
            found.add(path)
        return sorted(found)

    def _glob(self, patterns: Iterable[str]) -> List[str]:
        import glob
        out = []
        for pattern in patterns:
            for p in glob.glob(os.path.join(self.root, pattern), recursive=True):
                rel = os.path.relpath(p, self.root)
                if any(part.startswith(".") and part not in (".", "..")
                       for part in rel.split(os.sep)):
                    continue
                if os.path.isfile(p):
                    if not self.inside(p):      # a link out of the project
                        raise InputError(f"{self.label}: {pattern!r} matches {rel}, which leads "
                                         f"outside the project folder {self.root}; a project "
                                         "reads only its own files")
                    out.append(os.path.normpath(p))
        return out

    def layout(self) -> "Layout":
        """Scenarios, fragments and the files each scenario reads (itself and its parents)."""
        files = self.candidates()
        fragment_globs = set(self._glob(self.config.fragments))
        reads: Dict[str, List[str]] = {}
        titled: Dict[str, bool] = {}
        for f in files:
            reads[f], titled[f] = _closure(f)
        extended = {p for f in files for p in reads[f][1:]}
        fragments = [f for f in files if f in fragment_globs or (f in extended and not titled[f])]
        scenarios = [f for f in files if f not in fragments]
        return Layout(scenarios, fragments, {f: reads[f] for f in scenarios})

    def affected(self, changed: Sequence[str]) -> "Affected":
        """Which scenarios a set of changed files touches, and why."""
        lay = self.layout()
        changed_abs = {os.path.normpath(os.path.abspath(c)) for c in changed}
        catalog = self.catalog_dir()
        everything = None
        for c in sorted(changed_abs):
            if self.config_file and c == self.config_file:
                everything = f"{self.rel(c)} changed"
            elif catalog and os.path.dirname(c) == catalog:
                everything = f"the catalog changed ({self.rel(c)})"
        if everything:
            return Affected(lay.scenarios, everything, lay)
        hit = [s for s in lay.scenarios if changed_abs & set(lay.reads[s])]
        return Affected(hit, None, lay)


class Layout(NamedTuple):
    scenarios: List[str]
    fragments: List[str]
    reads: Dict[str, List[str]]     # scenario -> [itself, parents...] (absolute)


class Affected(NamedTuple):
    scenarios: List[str]
    reason: Optional[str]           # set when every scenario is affected
    layout: Layout


def _closure(path: str, _seen: Optional[Set[str]] = None) -> Tuple[List[str], bool]:
    """[path, every file it extends, transitively] and whether ``path`` has a ``scenario:`` key.

    Unreadable files count as scenarios (so loading them reports the problem)."""
    from .config.loader import MAX_INCLUDED_FILES, extends_path, extends_targets
    from .config.yamlsafe import load_node
    seen = _seen if _seen is not None else set()
    seen.add(path)
    try:
        node = load_node(path)
    except ConfigError:
        return [path], True
    if node.kind != "map":
        return [path], True
    out = [path]
    ext = node.value.get("extends")
    if ext is not None:
        try:
            targets = extends_targets(ext)
        except ConfigError:
            targets = []
        for target, _ in targets:
            full = os.path.normpath(extends_path(target, path))
            if full in seen or len(seen) > MAX_INCLUDED_FILES or not os.path.isfile(full):
                continue
            out.extend(_closure(full, seen)[0])
    return out, "scenario" in node.value


# ---------------------------------------------------------------------------- finding

def find_config(start: str) -> Optional[str]:
    """``estimator.yaml`` in ``start`` or the nearest folder above it."""
    folder = os.path.realpath(start)
    while True:
        candidate = os.path.join(folder, PROJECT_FILE)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def load_project(config_file: str, display: Optional[str] = None) -> Project:
    """Read and check ``estimator.yaml``; every problem at file:line:col."""
    from .config.schema import Collector, INVALID, build_model
    from .config.yamlsafe import load_node
    config_file = os.path.realpath(config_file)
    node = load_node(config_file, display or _display(config_file))
    out = Collector(allow_distributions=False)
    cfg = build_model(ProjectConfig, node, (), out)
    out.raise_if_any()
    assert cfg is not INVALID
    root = os.path.dirname(config_file)
    project = Project(root, config_file, cfg)
    for key in ("catalog", "baselines"):
        value = getattr(cfg, key)
        if value is None:
            continue
        if os.path.isabs(value) or not value.strip():
            out.add(f"'{key}' is a folder relative to {PROJECT_FILE}", cfg.marks.get(key), (key,),
                    found=repr(value))
        elif not project.inside(os.path.join(root, value)):
            out.add(f"'{key}' is outside the project folder {root}", cfg.marks.get(key), (key,),
                    found=repr(value), hint="a project reads and writes only its own folders"
                    + ("; use --catalog DIR for a catalog elsewhere" if key == "catalog" else ""))
    for key in ("scenarios", "fragments", "exclude"):
        for pattern in getattr(cfg, key):
            parts = pattern.replace("\\", "/").split("/")
            if os.path.isabs(pattern) or ".." in parts or not pattern.strip():
                out.add(f"'{key}' globs are relative to {PROJECT_FILE} and stay inside its "
                        "folder", cfg.marks.get(key), (key,), found=repr(pattern))
    out.raise_if_any()
    return project


def project_for(start: Optional[str] = None) -> Project:
    """The project around ``start`` (default: the current folder): estimator.yaml if there is
    one above, otherwise a bare project rooted at ``start`` (no scenario globs, the installed
    catalog, ``baselines/``)."""
    start = start or os.getcwd()
    found = find_config(start)
    if found:
        return load_project(found)
    return Project(os.path.realpath(start), None, ProjectConfig())


def project_of(files: Sequence[str]) -> Project:
    """The project that holds every one of ``files``: the one around the current folder, else
    the one around the first file, else a bare project rooted at the files' common folder."""
    here = project_for()
    if all(here.inside(f) for f in files):
        return here
    theirs = project_for(os.path.dirname(os.path.abspath(files[0])))
    if theirs.config_file and all(theirs.inside(f) for f in files):
        return theirs
    common = os.path.commonpath([os.path.dirname(os.path.realpath(f)) for f in files])
    return Project(common, None, ProjectConfig())


def require_scenarios(project: Project, what: str) -> None:
    if project.config_file is None:
        raise InputError(f"{what} needs scenario files, or an {PROJECT_FILE} in this folder or "
                         "above that lists them (scenarios: [scenarios/*.yaml]); see docs/ci.md")
    if not project.config.scenarios:
        raise InputError(f"{project.label}: 'scenarios:' lists no globs; {what} has nothing to do")


def through_fragments(project: Project, files: Sequence[str]) -> List[str]:
    """``files`` with each fragment of the project (a file only ever extended) replaced by the
    scenarios that extend it, as the pre-commit hook checks it; other files as given (one that
    exists on one side only is added or removed). A fragment no scenario extends is an error:
    checking it would check nothing and pass."""
    if project.config_file is None or not project.config.scenarios:
        return list(files)
    lay = project.layout()
    out: List[str] = []
    for f in files:
        full = os.path.normpath(os.path.abspath(f))
        users = [s for s in lay.scenarios if full in lay.reads[s]] \
            if full in lay.fragments else [f]
        if not users:
            raise InputError(f"{f} is a fragment of {project.label} (a file only ever extended) "
                             "and no scenario extends it: there is nothing to check; extend "
                             "it from a scenario, or take it out of 'fragments:'")
        out += [u for u in users if u not in out]
    return out


def require_matches(project: Project, what: str) -> List[str]:
    """The project's scenarios; an error (exit 2, at the 'scenarios:' line) when its globs
    match none, so a mistyped glob never lets a CI check pass with nothing checked."""
    require_scenarios(project, what)
    found = project.layout().scenarios
    if not found:
        from .errors import Problem
        globs = ", ".join(project.config.scenarios)
        raise ConfigError(Problem(
            f"'scenarios:' matches no scenario file ({globs}, relative to {project.root}); "
            f"{what} would check nothing", project.config.marks.get("scenarios"),
            ("scenarios",), hint=_glob_hint(project)))
    return found


def _glob_hint(project: Project) -> Optional[str]:
    """Where YAML files are, for a glob that matches none."""
    folders = sorted({os.path.dirname(os.path.relpath(p, project.root)).replace(os.sep, "/")
                      for p in project._glob(["**/*.yaml", "**/*.yml"])} - {""})
    folders = [f for f in folders if not project.catalog_dir() or
               project.abs(f) != project.catalog_dir()]
    return ("YAML files are in: " + ", ".join(folders[:5]) +
            (" ..." if len(folders) > 5 else "")) if folders else None


def _display(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return path
    return rel if not rel.startswith("..") else path


# ---------------------------------------------------------------------------- catalog choice

class CatalogChoice(NamedTuple):
    directory: Optional[str]        # None: the installed catalog
    label: str                      # how every output names it
    warning: Optional[str]          # said on stderr: a checkout catalog that is not used


def installed_catalog_dir() -> str:
    from .catalog import configs_dir
    return str(configs_dir() / "catalog")


def choose_catalog(explicit: Optional[str], project: Project) -> CatalogChoice:
    """--catalog (or ESTIMATOR_CATALOG), else the project's ``catalog:``, else the installed
    one — and a warning when a ``configs/catalog`` folder of the checkout differs from the
    installed copy and would otherwise be silently ignored."""
    if explicit:
        return CatalogChoice(explicit, f"{_display(os.path.abspath(explicit))} (--catalog)", None)
    mine = project.catalog_dir()
    if mine is not None:
        return CatalogChoice(mine, f"{project.rel(mine)} (from {project.label})", None)
    from . import __version__
    installed = installed_catalog_dir()
    label = f"installed with estimator {__version__} ({installed})"
    local = os.path.join(project.root, "configs", "catalog")
    if os.path.isdir(local) and os.path.realpath(local) != os.path.realpath(installed) \
            and differs(local, installed):
        rel = project.rel(local)
        return CatalogChoice(None, label,
                             f"warning: {rel} differs from the catalog installed with estimator "
                             f"{__version__}, which is the one used; to use {rel}, set "
                             f"'catalog: {rel}' in {PROJECT_FILE} or pass --catalog {rel}")
    return CatalogChoice(None, label, None)


def differs(a: str, b: str) -> bool:
    for name in CATALOG_FILES:
        pa, pb = os.path.join(a, name), os.path.join(b, name)
        try:
            with open(pa, "rb") as fa, open(pb, "rb") as fb:
                if fa.read() != fb.read():
                    return True
        except OSError:
            return True
    return False


# ---------------------------------------------------------------------------- validation

class Validated(NamedTuple):
    file: str                       # relative to the current folder
    status: str                     # 'ok', 'error', 'skipped'
    message: str = ""


def validate(project: Project, changed: Optional[Sequence[str]], catalog_dir: Optional[str],
             allow_extends: Sequence[str] = ()) -> List[Validated]:
    """Validate what ``changed`` files touch (or everything): catalog files as catalog files,
    scenarios by loading and estimating them, fragments through the scenarios that extend them.
    Files that are not part of the project (``.pre-commit-config.yaml``, workflows) are
    skipped, and said to be. ``allow_extends``: folders outside the project that ``extends:``
    may reach."""
    from .api import load
    from .catalog import load_catalog, validate_catalog_file
    from .engine import estimate
    out: List[Validated] = []
    catalog_folder = os.path.normpath(catalog_dir) if catalog_dir else None
    lay = project.layout()
    if changed is None:
        targets = lay.scenarios
        catalog_files = [os.path.join(catalog_folder, n) for n in CATALOG_FILES] \
            if catalog_folder and project.inside(catalog_folder) else []
    else:
        aff = project.affected(changed)
        targets = aff.scenarios
        catalog_files = []
        known = set(lay.scenarios) | set(lay.fragments) | {p for r in lay.reads.values() for p in r}
        for c in changed:
            full = os.path.normpath(os.path.abspath(c))
            if catalog_folder and os.path.dirname(full) == catalog_folder:
                catalog_files.append(full)
            elif full not in known and full != project.config_file:
                out.append(Validated(_display(full), "skipped",
                                     "not a scenario, parent or catalog file of the project"))
            elif full in lay.fragments:
                users = [_display(s) for s in lay.scenarios if full in lay.reads[s]]
                out.append(Validated(_display(full), "ok" if users else "skipped",
                                     "fragment: checked through " + (", ".join(users) or
                                                                     "no scenario")))
    failed_catalog = False
    for f in catalog_files:
        try:
            validate_catalog_file(f)
            out.append(Validated(_display(f), "ok", "catalog file"))
        except ConfigError as e:
            failed_catalog = True
            out.append(Validated(_display(f), "error", str(e)))
    if failed_catalog:
        return out
    try:
        catalog = load_catalog(catalog_dir)
    except ConfigError as e:
        return out + [Validated(catalog_dir or "installed catalog", "error", str(e))]
    for s in targets:
        try:
            estimate(load(s, catalog=catalog, allow_extends=allow_extends), catalog)
            out.append(Validated(_display(s), "ok"))
        except ConfigError as e:
            out.append(Validated(_display(s), "error", str(e)))
    return out
