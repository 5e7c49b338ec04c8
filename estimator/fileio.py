"""Files the tool writes: whole or not at all, only to a regular file or a new path.

Every output (``--output``, ``--svg``, ``--html``, baselines) goes through
:func:`write_atomic`:

- the path must be new or hold a regular file; a device (``/dev/null``, ``/dev/full``), a
  FIFO, a socket or a folder there is refused with what it is, never replaced;
- a read-only file there (no write permission for anyone) is kept, never replaced;
- the path must not be a file this run read (a scenario, a parent it extends, a catalog file,
  a saved report): ``report mine.yaml -o mine.yaml`` is refused, never a lost scenario;
- a command's outputs (``-o``, ``--html``, ``--svg``) are checked together before the first is
  written (:func:`check_targets`): no two name one file, and none is refused after another
  was already replaced;
- the data is written to an unnamed temporary file in the same folder (Linux ``O_TMPFILE``),
  flushed to disk, and only then given a name and renamed over the target, so an
  interrupted or killed run (Ctrl-C, SIGTERM, even SIGKILL) leaves the old file or none,
  never a partial one and no temporary file beside the user's files. Where ``O_TMPFILE``
  is missing, a named ``.estimator-*.tmp`` file is used and removed on any exception,
  including SIGTERM (which the CLI turns into one).
"""
from __future__ import annotations

import os
import stat

from .errors import OutputError

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISSOCK, "a socket"))


def what_is_there(path: str) -> str | None:
    """None for a missing path or a regular file (through links); else what the path holds."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):     # (under a file: said of its folder)
        return None
    except OSError as e:
        return f"unreadable ({e.strerror})"
    if stat.S_ISREG(mode):
        return None
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


#: the real paths of the files this run read (see :func:`note_input`); never written over
_INPUTS: set = set()


def note_input(path: str) -> None:
    """Record a file this run reads, so that no output of the run replaces it."""
    _INPUTS.add(os.path.realpath(path))


def forget_inputs() -> None:
    """A new run (a command) starts: the files earlier runs of this process read are free."""
    _INPUTS.clear()


def check_targets(paths, folders_made: bool = False) -> None:
    """Refuse a command's outputs together, before any is written: an empty name, two outputs
    naming one file, or any that :func:`check_writable` refuses (``folders_made``: their
    folders are made as they are written, as baselines' are)."""
    seen = {}
    for path in paths:
        if path is None:
            continue
        check_writable(path, folders_made)
        real = os.path.realpath(path)
        if real in seen:
            raise OutputError(f"{path}: two outputs of this command name the same file "
                              f"({seen[real]} and {path}); give each its own file")
        seen[real] = path


def check_writable(path: str, folders_made: bool = False) -> str:
    """The folder ``path`` would be written in; OutputError when the path cannot be a file."""
    if not path:
        raise OutputError("an output file name is empty; give a file name (or leave the option "
                          "out to print)")
    if os.path.realpath(path) in _INPUTS:
        raise OutputError(f"{path}: cannot write: this run reads it as an input; write the "
                          "output to another file")
    folder = os.path.dirname(os.path.abspath(path)) or "."
    _refuse_read_only(path)
    there = what_is_there(path)
    if there is not None:
        raise OutputError(f"{path}: cannot write: it is {there}; outputs go only to a regular "
                          "file or a new path")
    if not os.path.isdir(folder) and not (folders_made and not os.path.lexists(folder)):
        missing = not os.path.lexists(folder) or not os.path.exists(folder)
        raise OutputError(f"{path}: cannot write: the folder {folder} "
                          + ("does not exist" if missing else "is not a folder"))
    return folder


def _refuse_read_only(path: str) -> None:
    """A regular file nobody may write (chmod a-w) is kept: the rename that replaces a file
    needs only its folder to be writable, so it would replace it all the same."""
    try:
        st = os.stat(path)
    except OSError:
        return
    if stat.S_ISREG(st.st_mode) and not st.st_mode & 0o222:
        raise OutputError(f"{path}: cannot write: the file is read-only; make it writable "
                          "(chmod u+w) or write to another file")


def make_folder(path: str) -> None:
    """Create an output folder (and its parents); OutputError when it cannot be."""
    try:
        os.makedirs(path, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{path}: cannot write into it: it is not a folder") from None
    except OSError as e:
        raise OutputError(f"{path}: cannot create the folder: {e.strerror}") from None


def write_atomic(path: str, data: str | bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (see the module's description).

    Raises
    ------
    OutputError
        The path holds a device, pipe, socket or folder; the folder is missing, is not a
        folder, or cannot be written; the disk is full.
    """
    folder = check_writable(path)
    # a lone surrogate (an undecodable byte of a file name) that reached the text is written
    # as its escape, as the sanitiser shows it, never a crash half-way through the outputs
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "backslashreplace")
    try:
        _write_unnamed(folder, path, raw)
    except _NoUnnamedFiles:
        _write_named(folder, path, raw)
    except OSError as e:
        raise OutputError(f"{path}: cannot write: {e.strerror}") from None


class _NoUnnamedFiles(Exception):
    pass


def _write_all(fd: int, raw: bytes) -> None:
    view = memoryview(raw)
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)


def _write_unnamed(folder: str, path: str, raw: bytes) -> None:
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd"):
        raise _NoUnnamedFiles
    try:
        fd = os.open(folder, flag | os.O_WRONLY, 0o644)
    except OSError as e:
        if e.errno in (95, 21, 22):             # EOPNOTSUPP, EISDIR (old kernels), EINVAL
            raise _NoUnnamedFiles from None
        raise
    try:
        _write_all(fd, raw)
        os.fchmod(fd, 0o644)
        # the file gets a name only now, whole and on disk; the name lives for one rename
        tmp = os.path.join(folder, f".estimator-{os.getpid()}-{id(raw):x}.tmp")
        try:
            proc = os.open("/proc/self/fd", os.O_RDONLY)
            try:        # linkat(AT_SYMLINK_FOLLOW): gives the unnamed file a name
                os.link(str(fd), tmp, src_dir_fd=proc, follow_symlinks=True)
            finally:
                os.close(proc)
        except (OSError, NotImplementedError):
            raise _NoUnnamedFiles from None
        try:
            os.replace(tmp, path)
        except BaseException:
            _unlink(tmp)
            raise
    finally:
        os.close(fd)


def _write_named(folder: str, path: str, raw: bytes) -> None:
    import tempfile
    try:
        fd, tmp = tempfile.mkstemp(prefix=".estimator-", suffix=".tmp", dir=folder)
    except OSError as e:
        raise OutputError(f"{path}: cannot write: {e.strerror}") from None
    try:
        try:
            _write_all(fd, raw)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as e:
        _unlink(tmp)
        if isinstance(e, OSError):
            raise OutputError(f"{path}: cannot write: {e.strerror}") from None
        raise


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
