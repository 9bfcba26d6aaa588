"""Give the C allocator's free memory back to the system at a steady interval.

A worker's live memory stays flat under a steady load (tracemalloc, glibc's `mallinfo2` and
SQLite's own counter say so), yet its resident size grows: glibc keeps the memory that requests
allocate and free (parsed documents, JSON bodies, result rows) in its arenas' free lists, one
arena per thread, and returns it to the system only from the top of each heap.  `malloc_trim(0)`
returns every free page of every arena.  It is cheap (milliseconds for a worker's heap) and
changes nothing that is in use.  On a C library without it (musl, macOS) this does nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
from collections.abc import Callable
from contextlib import suppress


def _malloc_trim() -> Callable[[], None] | None:
    """glibc's malloc_trim(0), or None where the C library has none."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int

    def call() -> None:
        trim(0)

    return call


TRIM = _malloc_trim()
M_ARENA_MAX = -8  # glibc's mallopt parameter: the most arenas it makes


def limit_arenas(count: int) -> bool:
    """Let glibc make at most `count` arenas from now on (0: leave its default, 8 per core).

    glibc gives threads arenas of their own, up to 8 per core; a worker's threads (the event loop,
    the store calls' thread pool, the trimmer) then spread what requests allocate over several
    heaps, and each keeps free memory between the blocks still in use that no trim can return.
    With two, a worker's resident size grew less under the soak test's load (tests/test_soak.py:
    +1.3 to +3.3 % after the warm-up against +1.2 to +8.4 % with the default, runs alternated).
    Call it at a worker's start, before its threads allocate.  False where it cannot be done."""
    if count <= 0:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, count))


def trim() -> bool:
    """Return the allocator's free pages to the system now; False where that cannot be done."""
    if TRIM is None:
        return False
    TRIM()
    return True


async def _every(seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        # In a thread: the event loop serves on while the allocator's arenas are walked.
        await asyncio.to_thread(trim)


def start(seconds: float) -> asyncio.Task[None] | None:
    """Trim each `seconds` for as long as the running event loop lives; 0 (or no glibc) for never."""
    if seconds <= 0 or TRIM is None:
        return None
    return asyncio.get_running_loop().create_task(_every(seconds), name="malloc-trim")


async def stop(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task
