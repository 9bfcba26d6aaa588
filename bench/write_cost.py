"""What a hub's submission costs Neo4j: each statement's plan, and the server's CPU per write (issue 15).

Run: python -m bench.write_cost [--scale 100] [--writes 40] [--rounds 4] [--before CHECKOUT]

On a fresh Neo4j store filled at the scale, a child process serves the registry's HTTP app in
process and submits case studies as the mixed workload's hub does (`submitCaseStudy`, a draft
for review).  Per round the parent reads the Neo4j server's CPU (its JVM, from /proc) around the
child's writes: the Neo4j CPU per write, the figure the mixed cell's budget is spent on.  Then the
child notes every statement one submission sends, and what the next reads send (a list page, a
ranking, a territory page), and runs each again under `PROFILE` with the same parameters, inside
a transaction it rolls back: db hits, rows and the dearest operators, and milliseconds (best of 3).

Last, the child replays one submission's own statements (fresh keys each time, committed) with
and without the record's `search_text`: what the full-text index costs each commit.

With `--before CHECKOUT` a second child runs another checkout's code on the same store; the two
take turns round by round (before, after, after, before…), so both meet the same load.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from neo4j.exceptions import Neo4jError

from bench.stores import fill, fresh_store, hub_key

STATEMENT_WIDTH = 90


def jvm_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the child: the registry's app in process, its driver noting statements --------------------


class _Noting:
    """A session or transaction of the real driver that notes (text, parameters) of each statement."""

    def __init__(self, inner: Any, sent: list[tuple[str, dict[str, Any]]]) -> None:
        self._inner, self._sent = inner, sent

    def __enter__(self) -> _Noting:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._inner.__exit__(*exc)

    def run(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        params = {**(args[0] if args and isinstance(args[0], dict) else {}), **kwargs}
        self._sent.append((str(getattr(query, "text", query)), params))
        return self._inner.run(query, *args, **kwargs)

    def _noted(self, name: str, work: Any, *args: Any, **kwargs: Any) -> Any:
        sent = self._sent

        @functools.wraps(work)  # keeps unit_of_work's timeout
        def noted(tx: Any, *a: Any, **k: Any) -> Any:
            return work(_Noting(tx, sent), *a, **k)

        return getattr(self._inner, name)(noted, *args, **kwargs)

    def execute_write(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        return self._noted("execute_write", work, *args, **kwargs)

    def execute_read(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        return self._noted("execute_read", work, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _NotingDriver:
    def __init__(self, driver: Any) -> None:
        self.real = driver
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def session(self, **kwargs: Any) -> _Noting:
        return _Noting(self.real.session(**kwargs), self.sent)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def _fresh(params: dict[str, Any], n: int) -> dict[str, Any]:
    """The parameters of a captured write with new slugs and audit numbers (`n`), for a replay."""
    text = re.sub(r"bench-[a-z0-9-]+?-[0-9]+\b", lambda m: f"{m.group(0)}-replay{n}", json.dumps(params))
    out: dict[str, Any] = json.loads(text)
    for row in out.get("audit") or []:
        row["seq"] += 10_000_000 + n
    if "numbered" in out:
        out["numbered"] = []  # the counter keeps the real last number
    return out


def _operators(plan: Any) -> list[tuple[str, int, int, str]]:
    out = [(plan["operatorType"], plan.get("dbHits", 0), plan.get("rows", 0), plan.get("args", {}).get("Details", ""))]
    for child in plan.get("children", []):
        out += _operators(child)
    return out


def _profile(real: Any, text: str, params: dict[str, Any]) -> tuple[int, float, list[tuple[str, int, int, str]]]:
    """db hits, best of 3 milliseconds and operators of `text` under PROFILE, rolled back."""
    best: tuple[float, Any] | None = None
    for _ in range(3):
        with real.session() as session:
            tx = session.begin_transaction()
            started = time.perf_counter()
            summary = tx.run("PROFILE " + text, params).consume()
            ms = (time.perf_counter() - started) * 1000
            tx.rollback()
        if best is None or ms < best[0]:
            best = (ms, summary.profile)
    assert best is not None
    ops = _operators(best[1])
    return sum(op[1] for op in ops), best[0], ops


def serve(url: str, label: str, token: str) -> None:
    """A child: for each line "write N" submits N drafts; "profile" and "replay N" as the docstring says."""
    from starlette.testclient import TestClient

    from bench.workload import OPERATIONS_DIR, Drawer, draw_pools
    from registry.app import create_app
    from registry.settings import Settings
    from registry.store.factory import open_store

    store = open_store(url)
    noting = _NotingDriver(store.driver)  # type: ignore[attr-defined]
    store.driver = noting  # type: ignore[attr-defined]
    pools = draw_pools(store)
    drawer = Drawer(pools, f"{label}{os.getpid()}")
    docs = {op: (OPERATIONS_DIR / f"{op}.graphql").read_text() for op in ("submit_case_study", "list_page")}
    docs |= {op: (OPERATIONS_DIR / f"{op}.graphql").read_text() for op in ("partner_cities", "territory_page")}
    hub = {"Authorization": f"Bearer {token}"}
    print(f"{label} code from {Path(sys.modules['registry'].__file__ or '').parents[1]}", flush=True)
    with TestClient(create_app(Settings(store_url=url), store)) as client:

        def post(op: str, variables: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
            answer = client.post("/graphql", json={"query": docs[op], "variables": variables}, headers=headers or {})
            body = answer.json()
            assert not body.get("errors"), body
            return body

        def submit(variables: dict[str, Any] | None = None) -> tuple[float, dict[str, Any]]:
            variables = variables or drawer.variables("submit_case_study")
            started = time.perf_counter()
            body = post("submit_case_study", variables, hub)
            assert not body["data"]["submitCaseStudy"]["errors"], body
            return (time.perf_counter() - started) * 1000, variables

        for _ in range(5):  # plans made, code warm
            submit()
        print("ready", flush=True)
        for line in sys.stdin:
            command, _, arg = line.strip().partition(" ")
            if command == "write":
                taken = sorted(submit()[0] for _ in range(int(arg)))
                print(f"done median {taken[len(taken) // 2]:.1f} p95 {taken[int(len(taken) * 0.95)]:.1f}", flush=True)
            elif command == "profile":
                _profile_one(noting, drawer.variables("submit_case_study"), submit, post)
                print("done", flush=True)
            elif command == "replay":
                _replay(noting, submit, int(arg))
                print("done", flush=True)
    store.close()


def _profile_one(noting: _NotingDriver, variables: dict[str, Any], submit: Any, post: Any) -> None:
    """The statements of one submission and of the reads after it, those reads made before
    the write (so what they send after it is what the write costs them)."""
    place = variables["input"]["territories"][0]
    for _ in range(2):  # twice: a query is kept in the response cache from its second time on
        post("list_page", {"after": None})
        post("partner_cities", {"t": place})
        post("territory_page", {"slug": place})
    phases: list[tuple[str, int]] = []
    noting.sent.clear()
    submit(variables)
    phases.append(("write", len(noting.sent)))
    post("list_page", {"after": None})
    phases.append(("list page after", len(noting.sent)))
    post("partner_cities", {"t": place})
    phases.append(("partnerCities after", len(noting.sent)))
    post("territory_page", {"slug": place})
    phases.append(("territory page after", len(noting.sent)))
    sent = list(noting.sent)
    print("| phase | statement | db hits | ms (best of 3) | dearest operators (db hits / rows) |", flush=True)
    print("|---|---|--:|--:|---|")
    start = 0
    for phase, end in phases:
        for n, (text, params) in enumerate(sent[start:end]):
            if "CREATE" in text:
                params = _fresh(params, n)
            short = " ".join(text.split())[:STATEMENT_WIDTH].replace("|", "\\|")
            try:
                hits, ms, ops = _profile(noting.real, text, params)
            except Neo4jError as error:  # a plan Neo4j cannot profile: said, and the rest go on
                print(f"| {phase} | `{short}` | — | — | PROFILE refused: {error.message} |", flush=True)
                continue
            dear = "; ".join(f"{op} {h}/{r}" for op, h, r, _ in sorted(ops, key=lambda o: -o[1])[:3] if h)
            print(f"| {phase} | `{short}` | {hits} | {ms:.1f} | {dear} |", flush=True)
        start = end


def _replay(noting: _NotingDriver, submit: Any, count: int) -> None:
    """One submission's statements again, `count` times with and without search_text, each committed."""
    noting.sent.clear()
    submit()
    inside = [(t, p) for t, p in noting.sent if "Meta {name: 'generation'}) SET g._lock" in t or "CREATE" in t]
    before = noting.sent[: noting.sent.index(inside[0])] if inside else []
    base = int(time.time()) % 100_000 * 1000
    for strip in (False, True):
        for n in range(count):

            def unit(tx: Any, n: int = n, strip: bool = strip) -> None:
                for text, params in inside:
                    if "CREATE" in text:
                        params = _fresh(params, base + n + 500 * strip)
                        for row in params.get("created") or [] if strip else []:
                            row.pop("search_text", None)
                    tx.run(text, params).consume()

            for text, params in before:
                with noting.real.session() as session:
                    session.run(text, params).consume()
            with noting.real.session() as session:
                session.execute_write(unit)
        print(f"replayed {'without' if strip else 'with'} search_text", flush=True)


# -- the parent ------------------------------------------------------------------------------------


def _start(checkout: Path, url: str, label: str, token: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(checkout), os.environ.get("PYTHONPATH", "")])}
    child = [sys.executable, __file__, "--url", url, "--label", label, "--token", token, "--serve"]
    process = subprocess.Popen(child, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == "ready":
            return process
        print("  " + line.rstrip(), flush=True)
    raise RuntimeError(f"{label} child ended before it was ready")


def _ask(process: subprocess.Popen[str], line: str, echo: bool = False) -> str:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(line + "\n")
    process.stdin.flush()
    for answer in process.stdout:
        if answer.startswith("done"):
            return answer.strip()
        if echo:
            print(answer.rstrip(), flush=True)
    raise RuntimeError("child ended")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--writes", type=int, default=40, help="drafts per round and code")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--replays", type=int, default=30, help="replayed submissions with and without search_text")
    parser.add_argument("--before", default="", help="a checkout whose code to measure too (its folder)")
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--label", default="after", help=argparse.SUPPRESS)
    parser.add_argument("--token", default="", help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.url, args.label, args.token)
        return
    with tempfile.TemporaryDirectory(prefix="write-cost-") as folder, fresh_store("neo4j", Path(folder) / "s") as made:
        print(f"filled: {fill(made, args.scale)}", flush=True)
        from bench.workload import draw_pools
        from registry.store.factory import open_store

        store = open_store(made.url)
        hub = draw_pools(store).hub
        store.close()
        pid = made.watch["neo4j"]
        codes = {"after": Path(__file__).resolve().parents[1]}
        if args.before:
            codes = {"before": Path(args.before).resolve(), **codes}
        children = {label: _start(checkout, made.url, label, hub_key(made, hub)) for label, checkout in codes.items()}
        print(
            "\n| round | load average | code | Neo4j CPU ms per write | median ms | p95 ms |\n|--:|--:|---|--:|--:|--:|"
        )
        for n in range(args.rounds):
            order = list(children) if n % 2 == 0 else list(reversed(children))
            for label in order:
                cpu = jvm_seconds(pid)
                answer = _ask(children[label], f"write {args.writes}").split()
                per_write = (jvm_seconds(pid) - cpu) * 1000 / args.writes
                load = os.getloadavg()[0]
                print(f"| {n + 1} | {load:.1f} | {label} | {per_write:.1f} | {answer[2]} | {answer[4]} |", flush=True)
        for label, child in children.items():
            print(f"\n{label}: one submission's statements, then the next reads' (PROFILE, rolled back)\n")
            _ask(child, "profile", echo=True)
        print("\n| round | load average | code | replayed submission | Neo4j CPU ms per write |\n|--:|--:|---|---|--:|")
        for n in range(2):
            for label, child in children.items():
                marks = [jvm_seconds(pid)]
                assert child.stdin is not None and child.stdout is not None
                child.stdin.write(f"replay {args.replays}\n")
                child.stdin.flush()
                for line in child.stdout:
                    if line.startswith("replayed"):
                        marks.append(jvm_seconds(pid))
                    if line.startswith("done"):
                        break
                for k, what in enumerate(("with search_text", "without search_text")):
                    ms = (marks[k + 1] - marks[k]) * 1000 / args.replays
                    print(f"| {n + 1} | {os.getloadavg()[0]:.1f} | {label} | {what} | {ms:.1f} |", flush=True)
        for child in children.values():
            assert child.stdin is not None
            child.stdin.close()
            child.wait(timeout=60)


if __name__ == "__main__":
    main()
