"""A scenario file as it was at a git revision, for `estimator diff --rev`."""
from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile

from .errors import InputError


@contextlib.contextmanager
def at_revision(path: str, rev: str):
    """Yield the path of a temporary copy of ``path`` at ``rev``, next to the original.

    The copy sits in the same folder so its ``extends:`` resolve as the file's did (against
    the included files as they are now). It is removed afterwards.
    """
    folder = os.path.dirname(os.path.abspath(path))
    name = os.path.basename(path)
    try:
        res = subprocess.run(["git", "-C", folder, "show", f"{rev}:./{name}"], capture_output=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise InputError(f"{path}: cannot run git: {e}") from None
    if res.returncode != 0:
        msg = res.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"{path}@{rev}: {msg[-1] if msg else 'git show failed'}")
    fd, tmp = tempfile.mkstemp(prefix=".estimator-rev-", suffix=".yaml", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(res.stdout)
        yield tmp
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
