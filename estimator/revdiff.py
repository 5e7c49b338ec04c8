"""What a change moved, scenario by scenario, with each side evaluated as a whole tree.

``estimator diff --rev A...B`` reads, at each side's revision, the project file, the scenarios,
every ``extends:`` parent and the catalog, and compares the figures of every scenario either
side has: changed ones with their inputs and figures, added and removed ones with their
headline figures. Nothing of one side is borrowed from the other or from the working tree.
"""
from __future__ import annotations

import os
from typing import Dict, List, NamedTuple, Optional, Sequence

from . import check as ck
from .errors import InputError
from .gitrev import Side, resolve_range, toplevel, tree_at
from .project import PROJECT_FILE, Project, choose_catalog, load_project, through_fragments


class Evaluated(NamedTuple):
    side: Side
    catalog: str                        # how the side's catalog is named in outputs
    warning: Optional[str]              # a checkout catalog that differs and is not used
    snapshots: Dict[str, tuple]         # rel path -> (snapshot, input names)
    errors: Dict[str, str]              # rel path -> why it could not be evaluated
    titles: Dict[str, str]


class ScenarioChange(NamedTuple):
    file: str
    title: str
    status: str                         # 'changed', 'unchanged', 'added', 'removed', 'error'
    diff: ck.Diff
    error: Optional[str] = None         # 'base: ...' or 'head: ...'


class Changes(NamedTuple):
    base: Evaluated
    head: Evaluated
    scenarios: List[ScenarioChange]

    @property
    def head_errors(self) -> List[str]:
        return [f"{f}: {m}" for f, m in self.head.errors.items()]


def evaluate_tree(root: str, project: Project, side: Side, files: Optional[Sequence[str]],
                  explicit_catalog: Optional[str], rename=lambda text: text,
                  tree_top: Optional[str] = None, allow_extends: Sequence[str] = (),
                  repo_top: Optional[str] = None) -> Evaluated:
    """Evaluate the scenarios of a tree rooted at ``root`` (``files``: relative paths, or every
    scenario of the tree's project). ``tree_top``: the top of a revision's copy of the
    repository, which ``extends:`` may reach (as the work tree's top, on disk);
    ``allow_extends``: folders outside it that ``extends:`` may also reach (read from disk,
    as they are not in the repository); ``repo_top``: the repository ``tree_top`` is a copy
    of, where a relative ``extends:`` that leaves the copy leads."""
    from .catalog import load_catalog
    from .config.loader import load
    from .engine import estimate
    from .errors import ConfigError
    snaps, errors, titles = {}, {}, {}
    wanted = files if files is not None else [project.rel(s) for s in _scenarios(project)]
    choice = choose_catalog(explicit_catalog, project)
    label = choice.label
    if side.commit is not None and choice.directory and project.inside(choice.directory):
        label = f"{project.rel(choice.directory)} at {_side_name(side)}"
    try:
        catalog = load_catalog(choice.directory)
    except InputError as e:
        message = f"catalog {label}: {rename(str(e))}"
        return Evaluated(side, label, choice.warning, {}, {f: message for f in wanted}, {})
    for rel in wanted:
        path = project.abs(rel)
        if not os.path.exists(path):
            continue
        try:
            result = estimate(load(path, catalog=catalog, root=tree_top, copy_of=repo_top,
                                   allow_extends=allow_extends), catalog)
        except ConfigError as e:
            errors[rel] = rename(str(e))
            continue
        except InputError as e:
            errors[rel] = rename(str(e))
            continue
        snaps[rel] = (ck.snapshot(result), ck.input_names(result))
        titles[rel] = result.title
    return Evaluated(side, label, choice.warning, snaps, errors, titles)


def _scenarios(project: Project) -> List[str]:
    return project.layout().scenarios if project.config.scenarios else []


def compare_sides(base: Evaluated, head: Evaluated) -> List[ScenarioChange]:
    out = []
    for rel in sorted(set(base.snapshots) | set(head.snapshots) | set(base.errors)
                      | set(head.errors)):
        title = head.titles.get(rel) or base.titles.get(rel) or ""
        a, b = base.snapshots.get(rel), head.snapshots.get(rel)
        if rel in head.errors or rel in base.errors:
            which = "head" if rel in head.errors else "base"
            msg = (head.errors if which == "head" else base.errors)[rel]
            d = ck.diff_snapshots(a[0] if a else None, b[0] if b else None,
                                  headline_only=True) if (a or b) else ck.Diff([], [])
            where = _side_name(head.side if which == "head" else base.side)
            out.append(ScenarioChange(rel, title, "error", d, f"{which} ({where}): {msg}"))
            continue
        if a is None:
            out.append(ScenarioChange(rel, title, "added",
                                      ck.diff_snapshots(None, b[0], headline_only=True)))
        elif b is None:
            out.append(ScenarioChange(rel, title, "removed",
                                      ck.diff_snapshots(a[0], None, headline_only=True)))
        else:
            d = ck.diff_snapshots(a[0], b[0], a[1] | b[1])
            out.append(ScenarioChange(rel, title, "changed" if d.inputs or d.figures
                                      else "unchanged", d))
    return out


def _side_name(side: Side) -> str:
    return side.label if side.commit is None else f"{side.label} {side.commit[:12]}"


def revision_changes(project: Project, spec: str, files: Optional[Sequence[str]],
                     explicit_catalog: Optional[str], allow_extends: Sequence[str] = ()
                     ) -> Changes:
    """Compare the project's scenarios (or ``files``) between the two sides ``spec`` names:
    ``A...B``, ``A..B`` or ``A`` (against the working tree). ``allow_extends``: folders
    outside the repository that ``extends:`` may reach, on both sides."""
    top = toplevel(project.root)
    prefix = os.path.relpath(project.root, top)
    base_side, head_side = resolve_range(top, spec)
    rels = None if files is None else [project.rel(f) for f in through_fragments(project, files)]
    # --catalog inside the project is read at each revision too
    cat_rel = None
    if explicit_catalog and project.inside(explicit_catalog):
        cat_rel = project.rel(explicit_catalog)

    def side_eval(side: Side) -> Evaluated:
        if side.commit is None:
            return evaluate_tree(project.root, project, side, rels, explicit_catalog,
                                 allow_extends=allow_extends)
        with tree_at(top, side.commit) as tmp:
            root = os.path.normpath(os.path.join(tmp, prefix))
            os.makedirs(root, exist_ok=True)
            cfg = os.path.join(root, PROJECT_FILE)
            rename = _renamer(tmp, side)
            if os.path.isfile(cfg):
                try:
                    proj = load_project(cfg, f"{side.label}:{project.rel(project.abs(PROJECT_FILE))}")
                except InputError as e:
                    wanted = rels or []
                    return Evaluated(side, "unknown", None, {},
                                     {f: rename(str(e)) for f in wanted}
                                     or {PROJECT_FILE: rename(str(e))}, {})
            else:
                proj = Project(root, None, project.config)
            catalog = os.path.join(root, *cat_rel.split("/")) if cat_rel else explicit_catalog
            return evaluate_tree(root, proj, side, rels, catalog, rename, tree_top=tmp,
                                 allow_extends=allow_extends, repo_top=top)

    return _build(side_eval(base_side), side_eval(head_side))


def _build(base: Evaluated, head: Evaluated) -> Changes:
    return Changes(base, head, compare_sides(base, head))


def _renamer(top: str, side: Side):
    """Error messages name ``REV:path`` (git's notation, from the repository's top; ``REV:``
    alone is its whole tree), never the temporary folder the revision was read into."""
    name = side.label if " " not in side.label else side.commit[:12]
    folders = sorted({top, os.path.realpath(top)}, key=len, reverse=True)

    def rename(text: str) -> str:
        for folder in folders:
            text = text.replace(folder + os.sep, f"{name}:")
            rel = os.path.relpath(folder)
            if not rel.startswith(".."):
                text = text.replace(rel + os.sep, f"{name}:")
        for folder in folders:
            text = text.replace(folder, f"{name}:")
        return text
    return rename
