"""A repository's files as they were at a git revision, for `estimator diff --rev`.

A side of a diff is evaluated as a whole tree: the scenario, every ``extends:`` parent, the
project file and the catalog are all read at the revision, never borrowed from the working
tree. :func:`tree_at` writes the repository's YAML files at a commit into a temporary folder
(one ``git ls-tree`` and one ``git cat-file --batch``; nothing else is read or run).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from typing import List, NamedTuple, Optional, Tuple

from .errors import InputError

#: files copied out of a revision: what scenarios, parents, catalogs and project files are
TREE_SUFFIXES = (".yaml", ".yml")
MAX_TREE_FILES = 20_000


class Side(NamedTuple):
    """One side of a revision diff: what the user wrote, and the commit it names."""

    label: str           # 'origin/main', 'HEAD', or 'working tree'
    commit: Optional[str]  # full hash; None for the working tree


def _git(top: str, *args: str, data: Optional[bytes] = None) -> bytes:
    try:
        res = subprocess.run(["git", "-C", top, *args], input=data, capture_output=True,
                             timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise InputError(f"cannot run git: {e}") from None
    if res.returncode != 0:
        msg = res.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git {args[0]}: {msg[-1] if msg else 'failed'}")
    return res.stdout


def toplevel(folder: str) -> str:
    """The top folder of the git work tree holding ``folder``."""
    try:
        res = subprocess.run(["git", "-C", folder, "rev-parse", "--show-toplevel"],
                             capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise InputError(f"cannot run git: {e}") from None
    if res.returncode != 0:
        raise InputError(f"{folder} is not inside a git repository (--rev needs one)")
    return os.path.realpath(res.stdout.decode("utf-8", "replace").strip())


def commit_of(top: str, rev: str) -> str:
    """The full hash of the commit ``rev`` names; a clear error for an unknown revision."""
    if not rev or rev.startswith("-"):
        raise InputError(f"--rev: '{rev}' is not a revision (a revision cannot start with '-')")
    try:
        res = subprocess.run(["git", "-C", top, "rev-parse", "--verify", "--quiet", "--end-of-options",
                              f"{rev}^{{commit}}"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise InputError(f"cannot run git: {e}") from None
    if res.returncode != 0:
        raise InputError(f"--rev: unknown revision '{rev}' (fetch it first, e.g. "
                         "'git fetch origin main', and use fetch-depth: 0 in CI)")
    return res.stdout.decode().strip()


def resolve_range(top: str, spec: str) -> Tuple[Side, Side]:
    """``A...B`` (merge base of A and B against B), ``A..B`` (A against B), or ``A`` (A against
    the working tree)."""
    if "..." in spec:
        a, b = spec.split("...", 1)
        head = commit_of(top, b or "HEAD")
        try:
            base = _git(top, "merge-base", "--end-of-options", commit_of(top, a or "HEAD"),
                        head).decode().strip()
        except InputError:
            raise InputError(f"--rev {spec}: {a or 'HEAD'} and {b or 'HEAD'} have no merge base "
                             "(a shallow clone? fetch the history, e.g. fetch-depth: 0 in CI)"
                             ) from None
        return Side(f"merge base of {a or 'HEAD'} and {b or 'HEAD'}", base), Side(b or "HEAD", head)
    if ".." in spec:
        a, b = spec.split("..", 1)
        return Side(a or "HEAD", commit_of(top, a or "HEAD")), Side(b or "HEAD",
                                                                    commit_of(top, b or "HEAD"))
    return Side(spec, commit_of(top, spec)), Side("working tree", None)


def _tree_files(top: str, commit: str) -> List[Tuple[str, str]]:
    """(blob hash, path) of the regular YAML files of a commit."""
    out = []
    for entry in _git(top, "ls-tree", "-r", "-z", "--full-tree", commit).split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        name = path.decode("utf-8", "surrogateescape")
        if kind == "blob" and mode in ("100644", "100755") and name.endswith(TREE_SUFFIXES):
            out.append((sha, name))
    if len(out) > MAX_TREE_FILES:
        raise InputError(f"{commit[:12]} holds {len(out):,} YAML files; the limit is "
                         f"{MAX_TREE_FILES:,}")
    return out


@contextlib.contextmanager
def tree_at(top: str, commit: str):
    """Yield a temporary folder holding the YAML files of ``commit``, laid out as in the
    repository (the folder stands for ``top``). It is removed afterwards."""
    files = _tree_files(top, commit)
    tmp = tempfile.mkdtemp(prefix="estimator-rev-")
    try:
        if files:
            data = _git(top, "cat-file", "--batch",
                        data="".join(f"{sha}\n" for sha, _ in files).encode())
            pos = 0
            for sha, name in files:
                header_end = data.index(b"\n", pos)
                size = int(data[pos:header_end].split()[2])
                body = data[header_end + 1: header_end + 1 + size]
                pos = header_end + 1 + size + 1
                target = os.path.join(tmp, *name.split("/"))
                if not os.path.realpath(target).startswith(os.path.realpath(tmp) + os.sep):
                    continue    # never write outside the temporary folder
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as fh:
                    fh.write(body)
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
