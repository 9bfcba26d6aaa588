"""The workers give the C allocator's free memory back to the system (registry/observability/allocator.py)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from registry.observability import allocator
from registry.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

# In a fresh process: 100 MB in blocks of 1,000 bytes (above pymalloc's size, so from glibc's heap),
# then all freed but one in fifty, so that no free memory sits at the top of the heap where free()
# itself would return it.  Prints the resident size after the frees, then after one trim.
FRAGMENTED = """
import sys
from pathlib import Path
from registry.observability import allocator

def rss():
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024

blocks = [bytes(1000) for _ in range(100_000)]
kept = blocks[::50]
del blocks
before = rss()
assert allocator.trim()
print(before, rss())
"""


@pytest.mark.skipif(allocator.TRIM is None, reason="the C library has no malloc_trim (not glibc)")
def test_a_trim_gives_the_memory_freed_in_the_middle_of_the_heap_back_to_the_system() -> None:
    # Given a process that allocated 100 MB and freed 98 % of it, scattered
    done = subprocess.run(
        [sys.executable, "-c", FRAGMENTED], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    before, after = (int(n) for n in done.stdout.split())
    # When it trims, then most of what was freed leaves its resident memory
    assert before - after > 60 * 2**20, (before, after)


def test_the_interval_is_a_setting_and_zero_turns_trimming_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the interval from the environment, as a worker process reads it
    monkeypatch.setenv("REGISTRY_MALLOC_TRIM_SECONDS", "0")
    off = Settings.from_env()
    assert off.malloc_trim_seconds == 0
    assert Settings.from_env(malloc_trim_seconds=5.0).to_env()["REGISTRY_MALLOC_TRIM_SECONDS"] == "5.0"

    async def started(seconds: float) -> bool:
        task = allocator.start(seconds)
        running = task is not None and not task.done()
        await allocator.stop(task)
        return running

    # Then 0 starts no trimming, and an interval starts it (where the C library can trim)
    assert asyncio.run(started(off.malloc_trim_seconds)) is False
    assert asyncio.run(started(10.0)) is (allocator.TRIM is not None)


# In a fresh process: six threads each keep 20,000 small blocks of glibc's, allocated at the same
# time (a ctypes call lets go of the GIL); then the number of heaps glibc reports (malloc_info).
ARENAS = """
import ctypes, ctypes.util, os, sys, tempfile, threading
from registry.observability import allocator

allocator.limit_arenas(int(sys.argv[1]))
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.fdopen.restype = ctypes.c_void_p

def work():
    for _ in range(20_000):
        libc.malloc(200)

threads = [threading.Thread(target=work) for _ in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with tempfile.TemporaryFile() as out:
    stream = ctypes.c_void_p(libc.fdopen(os.dup(out.fileno()), b"w"))
    libc.malloc_info(0, stream)
    libc.fflush(stream)
    out.seek(0)
    print(out.read().decode().count("<heap nr="))
"""


def _heaps(limit: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", ARENAS, str(limit)], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    return int(done.stdout)


@pytest.mark.skipif(allocator.TRIM is None, reason="not glibc")
def test_a_worker_spreads_its_threads_allocations_over_two_heaps_at_most() -> None:
    # Given six threads allocating at once, with glibc's default and with the setting's default
    default, limited = _heaps(0), _heaps(Settings().malloc_arena_max)
    # Then glibc made a heap for several of them by default, and at most two when limited
    assert default > 2, default
    assert limited <= 2, limited
    # and the limit is a setting a worker reads from its environment
    assert Settings.from_env(malloc_arena_max=0).to_env()["REGISTRY_MALLOC_ARENA_MAX"] == "0"
