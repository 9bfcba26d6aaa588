"""The load generator: one cell (one server, one operation, one concurrency), in its own process.

Run by bench/run.py as `python -m bench.load CELL.json`; prints one JSON object of figures.
It speaks plain HTTP/1.1 over asyncio streams, with every request encoded before the clock
starts, so that the client spends as little CPU as it can; it reports its own CPU too, so a
reader can see whether the client was the bottleneck. Bounded: at most `max_requests`
requests and `seconds` seconds, and each request at most `timeout` seconds.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def processes(pid: int) -> list[int]:
    """A process and its descendants (a server's worker processes), from /proc/<pid>/task/*/children."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    todo += [int(child) for child in children.read().split()]
            except FileNotFoundError:
                continue
    return found


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its descendants, from /proc/<pid>/stat."""
    total = 0.0
    for one in processes(pid):
        try:
            with open(f"/proc/{one}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # fields 14 and 15 of stat(5)
    return total


def peak_memory_mib(pid: int) -> float:
    """The largest VmHWM (a resident set's high-water mark) of a process and its descendants, in MiB:
    the peak memory per process, each worker being one."""
    peak = 0.0
    for one in processes(pid):
        try:
            with open(f"/proc/{one}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
        except FileNotFoundError:
            continue
    return peak


def encode(host: str, port: int, path: str, body: str, token: str | None) -> bytes:
    payload = body.encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nContent-Length: {len(payload)}\r\n"
    )
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    return head.encode() + b"\r\n" + payload


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, whether the server closes the connection) of one HTTP/1.1 response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        await reader.readuntil(b"\r\n")
        body = b"".join(chunks)
    else:
        body = await reader.read()
    return status, body, headers.get("connection", "").lower() == "close"


def error_of(status: int, body: bytes) -> str | None:
    """Why a response is a failure: not 200, or `errors` at the top or in a mutation's payload."""
    if status != 200:
        return f"HTTP {status}: {body[:300].decode(errors='replace')}"
    if b'"errors"' not in body:
        return None
    answer = json.loads(body)
    if answer.get("errors"):
        return json.dumps(answer["errors"])[:500]
    for payload in (answer.get("data") or {}).values():
        if isinstance(payload, dict) and payload.get("errors"):
            return json.dumps(payload["errors"])[:500]
    return None


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)  # each latency's operation (a mixed cell has several)
    failed_ops: list[str] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    next_index: int = 0
    timeouts: int = 0  # after one, no worker sends again: the server is behind, and still busy


async def worker(
    cell: dict[str, Any], encoded: list[bytes], names: list[str], tally: Tally, stop_at: float, limit: int
) -> None:
    reader, writer = await asyncio.open_connection(cell["host"], cell["port"])
    try:
        while tally.next_index < limit and time.perf_counter() < stop_at and not tally.timeouts:
            request, name = encoded[tally.next_index], names[tally.next_index]
            tally.next_index += 1
            started = time.perf_counter()
            try:
                writer.write(request)
                status, body, closing = await asyncio.wait_for(read_response(reader), cell["timeout"])
                failure = error_of(status, body)
            except TimeoutError:
                failure, closing = f"no answer within {cell['timeout']} s", True
                tally.timeouts += 1
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                failure, closing = f"{type(exc).__name__}: {exc}", True
            tally.latencies.append(time.perf_counter() - started)
            tally.ops.append(name)
            if failure is not None:
                tally.errors += 1
                tally.failed_ops.append(name)
                tally.first_error = tally.first_error or failure
            if closing and not tally.timeouts:
                writer.close()
                reader, writer = await asyncio.open_connection(cell["host"], cell["port"])
    finally:
        writer.close()


async def phase(
    cell: dict[str, Any], encoded: list[bytes], names: list[str], concurrency: int, seconds: float
) -> Tally:
    tally = Tally()
    stop_at = time.perf_counter() + seconds
    limit = len(encoded)
    await asyncio.gather(*(worker(cell, encoded, names, tally, stop_at, limit) for _ in range(concurrency)))
    return tally


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(share * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1] * 1000


def run_cell(cell: dict[str, Any]) -> dict[str, Any]:
    """Warm up, then measure; the figures of the measured phase only."""
    host, port, path, token = cell["host"], cell["port"], cell["path"], cell.get("token")
    encoded = [encode(host, port, path, r["body"], token if r["as_hub"] else None) for r in cell["requests"]]
    names = [r.get("op", "") for r in cell["requests"]]
    warmup, measured = encoded[: cell["warmup"]], encoded[cell["warmup"] :][: cell["max_requests"]]
    measured_names = names[cell["warmup"] :][: cell["max_requests"]]
    if warmup:
        warm = asyncio.run(phase(cell, warmup, names, cell["concurrency"], cell["seconds"] / 2))
        if warm.timeouts:  # nothing worth measuring: the server is still busy with the warm-up
            failed = Tally(errors=warm.errors, first_error=f"warm-up: {warm.first_error}", timeouts=warm.timeouts)
            return figures(failed, 0.0, {}, {}, 0.0)
    watched = {name: int(pid) for name, pid in cell["watch"].items()}
    cpu_before = {name: cpu_seconds(pid) for name, pid in watched.items()}
    client_before = os.times()
    started = time.perf_counter()
    tally = asyncio.run(phase(cell, measured, measured_names, cell["concurrency"], cell["seconds"]))
    wall = time.perf_counter() - started
    client_after = os.times()
    cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in watched.items()}
    peaks = {name: peak_memory_mib(pid) for name, pid in watched.items()}
    client_cpu = (client_after.user - client_before.user) + (client_after.system - client_before.system)
    return figures(tally, wall, cpu, peaks, client_cpu)


def figures(
    tally: Tally, wall: float, cpu: dict[str, float], peaks: dict[str, float], client_cpu: float
) -> dict[str, Any]:
    """A cell's figures from its tally, its wall time and the CPU seconds each watched process used."""
    done = len(tally.latencies)
    latencies = sorted(tally.latencies)
    return {
        "requests": done,
        "seconds": wall,
        "throughput": done / wall if wall else 0.0,
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "errors": tally.errors,
        "timeouts": tally.timeouts,
        "first_error": tally.first_error,
        "cpu_ms_per_request": {name: seconds * 1000 / max(done, 1) for name, seconds in cpu.items()},
        "peak_mib": peaks,
        "client_cpu_share": client_cpu / wall if wall else 0.0,  # 1.0 = one core busy all along
        "per_op": per_operation(tally),
    }


def per_operation(tally: Tally) -> dict[str, dict[str, float]]:
    """Latencies per operation inside a cell of several (the mixed one), so that the report can put
    each read's p95 under writes beside its p95 alone; {} for a cell of one operation."""
    if len(set(tally.ops)) < 2:
        return {}
    by_op: dict[str, list[float]] = {}
    for name, latency in zip(tally.ops, tally.latencies, strict=True):
        by_op.setdefault(name, []).append(latency)
    out = {}
    for name, values in sorted(by_op.items()):
        values.sort()
        out[name] = {
            "requests": len(values),
            "p50_ms": percentile(values, 0.50),
            "p95_ms": percentile(values, 0.95),
            "p99_ms": percentile(values, 0.99),
            "errors": tally.failed_ops.count(name),
        }
    return out


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as source:
        cell = json.load(source)
    json.dump(run_cell(cell), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
