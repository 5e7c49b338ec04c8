"""Large temporaries reused while a Monte Carlo runs, instead of mapped anew each time.

A chunk of samples makes many arrays of a few to a few tens of megabytes, freed as soon as
the next line has used them. glibc's ``malloc`` maps each one from the kernel and unmaps
it on ``free`` (above its ``mmap`` threshold, at most 32 MB) and returns freed heap
space above its trim threshold, so every such array is faulted in page by page and zeroed
again. On an OpenAI-sized run that is half of the CPU time, in the kernel
(``/usr/bin/time`` shows it as system time and minor faults).

:func:`reused_memory` raises both thresholds for the duration of a run, so freed arrays are
handed out again by ``malloc``, then gives the freed memory back (``malloc_trim``) and puts
the thresholds back to glibc's documented defaults. Elsewhere (another C library, no
``mallopt``) it does nothing: results are the same either way, only the time differs.

References
----------
.. [1] mallopt(3), Linux man-pages: M_MMAP_THRESHOLD (default 128 KiB, dynamic up to
   32 MiB on 64-bit systems), M_TRIM_THRESHOLD (default 128 KiB).
"""
from __future__ import annotations

import contextlib

M_TRIM_THRESHOLD = -1      # mallopt(3) parameter numbers, from glibc's <malloc.h>
M_MMAP_THRESHOLD = -3
DEFAULT_THRESHOLD = 128 * 1024    # both defaults [1]
#: during a run: arrays up to this size come from the heap, and this much freed heap is kept
RUN_THRESHOLD = 1 << 30

#: below this many elements (samples x months) per chunk, a run does not touch the setting:
#: its arrays are small and the C library call is not worth its import on a report's path
MIN_ELEMENTS = 250_000


def _libc():
    """glibc's ``mallopt`` and ``malloc_trim``, or None where they do not exist."""
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        return libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError, ImportError):
        return None


@contextlib.contextmanager
def reused_memory(elements: int):
    """Keep freed memory for reuse while the block runs, when its chunks are large."""
    calls = _libc() if elements >= MIN_ELEMENTS else None
    if calls is None:
        yield
        return
    mallopt, malloc_trim = calls
    mallopt(M_MMAP_THRESHOLD, RUN_THRESHOLD)
    mallopt(M_TRIM_THRESHOLD, RUN_THRESHOLD)
    try:
        yield
    finally:
        mallopt(M_TRIM_THRESHOLD, DEFAULT_THRESHOLD)
        mallopt(M_MMAP_THRESHOLD, DEFAULT_THRESHOLD)
        malloc_trim(0)
