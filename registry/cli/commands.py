"""The `registry` command: seed, migrate, make-migration, check-sources, generate, serve, keys, hubs, export-schema, export, import,
neo4j-local."""

from __future__ import annotations

import argparse
import logging
import logging.config
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from registry.domain.errors import RegistryError
from registry.domain.records import Role
from registry.settings import DEFAULT_STORE, Settings
from registry.store.factory import open_store
from registry.store.port import Store


def _store(args: argparse.Namespace) -> Store:
    url = Settings.from_env(store_url=args.store).store_url
    try:
        store = open_store(url)
        store.ping()
    except RegistryError as error:
        raise SystemExit(f"registry: cannot open the store {url}: {error.message}") from None
    return store


def cmd_seed(args: argparse.Namespace) -> int:
    from registry.services.seeding import DEFAULT_SEEDS, seed

    store = _store(args)
    try:
        report = seed(store, Path(args.seeds) if args.seeds else DEFAULT_SEEDS)
    except RegistryError as error:
        print(f"registry: {error.message}", file=sys.stderr)
        return 1
    finally:
        store.close()
    counts = ", ".join(f"{n} {kind}" for kind, n in report.counts.items())
    print(f"seeded: {report.created} created, {report.updated} updated, {report.unchanged} unchanged ({counts})")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Upgrade a database made by an older release in place (SQL tables by Alembic, Neo4j indexes)."""
    url = Settings.from_env(store_url=args.store).store_url
    try:
        store = open_store(url, upgrade=True)
    except RegistryError as error:
        print(f"registry: cannot migrate {url}: {error.message}", file=sys.stderr)
        return 1
    before, after = getattr(store, "schema_change", (None, "?"))
    store.close()
    if before == after:
        print(f"migrate: the schema is already at revision {after}")
    else:
        print(f"migrate: schema revision {before or 'none'} -> {after}")
    return 0


def cmd_make_migration(args: argparse.Namespace) -> int:
    """Write the SQL revision for a change to the declared tables (see registry.store.columns)."""
    from registry.store.sql import schema_version

    written = schema_version.new_revision(args.message)
    if written is None:
        print("make-migration: the migrations already make the declared tables; nothing written")
    else:
        print(f"make-migration: wrote {written.name}; read it, then commit it")
    return 0


def cmd_check_sources(args: argparse.Namespace) -> int:
    from registry.domain.provenance import check, lines
    from registry.services.seeding import DEFAULT_SEEDS, read_seeds

    records, _, _ = read_seeds(Path(args.seeds) if args.seeds else DEFAULT_SEEDS)
    report = check(records)
    print("\n".join(lines(report)))
    return 0 if report.clean else 1


def cmd_generate(args: argparse.Namespace) -> int:
    from registry.synthetic.loading import generate_into

    store = _store(args)
    progress = None
    if sys.stderr.isatty():  # a bar for a person watching; nothing in pipes and logs

        def progress(done: int, planned: int) -> None:
            filled = min(30, 30 * done // planned)
            print(
                f"\rgenerate [{'#' * filled}{'.' * (30 - filled)}] {done} records\033[K",
                end="",
                file=sys.stderr,
                flush=True,
            )

    try:
        report = generate_into(store, args.scale, args.seed, progress)
    except RegistryError as error:
        print(f"registry: {error.message}", file=sys.stderr)
        return 1
    finally:
        store.close()
        if progress is not None:
            print(file=sys.stderr)
    print(report.summary())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from registry.app import create_app
    from registry.observability.logging_json import log_config
    from registry.observability.metrics import across_workers

    settings = Settings.from_env(
        store_url=args.store,
        stats=args.stats or None,
        host=args.host,
        port=args.port,
        response_cache=False if args.no_response_cache else None,
        http_cache_max_age=args.http_cache_max_age,
        trusted_documents=args.trusted_documents,
        otel=args.otel or None,
        log_format=args.log_format,
        forwarded_allow_ips=tuple(a.strip() for a in args.forwarded_allow_ips.split(",") if a.strip())
        if args.forwarded_allow_ips is not None
        else None,
        redis_url=args.redis_url,
    )
    _store(args).close()  # fail fast, with a clear message, when the store is unreachable
    logs = log_config(settings.log_format == "json", args.access_log)  # JSON lines with request ids by default
    logging.config.dictConfig(logs)
    if args.workers is not None and args.workers < 1:
        raise SystemExit("registry: --workers must be at least 1")
    workers = args.workers or os.cpu_count() or 1
    print(
        f"registry: serving {settings.store_url} on http://{settings.host}:{settings.port}/graphql"
        f" ({workers} worker{'s' if workers > 1 else ''})",
        flush=True,
    )
    # One log line per request costs a few percent of a small request's CPU: opt in with --access-log.
    options: dict[str, Any] = {"host": settings.host, "port": settings.port, "log_level": "info"}
    options["access_log"] = args.access_log
    options["log_config"] = logs
    options["proxy_headers"] = False  # the app trusts X-Forwarded-For from settings.forwarded_allow_ips only
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
    else:  # each worker process builds its app from the same settings, passed through the environment
        os.environ.update(settings.to_env())
        with across_workers(workers):  # /metrics sums the workers' samples
            uvicorn.run("registry.app:app_from_environment", factory=True, workers=workers, **options)
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    from registry.cli.operators import operator
    from registry.services.access import create_key, revoke_key
    from registry.store.codec import format_time

    store = _store(args)
    try:
        if args.action == "create":
            try:
                key, token = create_key(store, Role(args.role), args.hub, args.label or "", operator())
            except RegistryError as error:
                print(f"registry: {error.message}", file=sys.stderr)
                return 2
            print(token)
            print(
                f"key {key.key_id} ({key.role.value}{' of ' + key.hub if key.hub else ''}): keep it, it is shown once",
                file=sys.stderr,
            )
        elif args.action == "list":
            for key in store.api_keys():
                state = f"revoked {format_time(key.revoked_at)}" if key.revoked_at else "active"
                print(f"{key.key_id}\t{key.role.value}\t{key.hub or '-'}\t{state}\t{key.label}")
        else:
            if not revoke_key(store, args.key_id, operator()):
                print(f"registry: no active key {args.key_id}", file=sys.stderr)
                return 1
            print(f"revoked {args.key_id}")
    finally:
        store.close()
    return 0


def cmd_hubs(args: argparse.Namespace) -> int:
    from registry.cli.operators import cmd_hubs as run

    return run(_store(args), args)


def cmd_export_schema(args: argparse.Namespace) -> int:
    from registry.api.graphql.schema import sdl

    if args.output == "-":
        sys.stdout.write(sdl())
    else:
        Path(args.output).write_text(sdl(), encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from registry.services.transfer import export

    store = _store(args)
    progress = None
    if sys.stderr.isatty():  # a bar per section, for a person watching; nothing in pipes and logs

        def progress(section: str, done: int, total: int | None, finished: bool) -> None:
            if total:
                filled = min(30, 30 * done // total)
                bar = f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}"
            else:
                bar = f"{done}"
            print(f"\r{section:>8} {bar}\033[K", end="\n" if finished else "", file=sys.stderr, flush=True)

    try:
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="\n") as out:
                count = export(store, out, progress)
        else:
            count = export(store, sys.stdout, progress)
    finally:
        store.close()
    print(f"exported {count} lines", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from registry.services.importing import import_file

    store = _store(args)
    try:
        if args.file and args.file != "-":
            with open(args.file, "rb") as source:
                count = import_file(store, source)
        else:
            count = import_file(store, sys.stdin.buffer)
    except RegistryError as error:
        print(f"registry: {error.message}", file=sys.stderr)
        return 1
    except (OSError, UnicodeDecodeError) as error:  # a missing or unreadable file: one line, no traceback
        print(
            f"registry: cannot read {args.file or 'standard input'}: {getattr(error, 'strerror', None) or error}",
            file=sys.stderr,
        )
        return 1
    finally:
        store.close()
    print(f"imported {count} lines", file=sys.stderr)
    return 0


def cmd_neo4j_local(args: argparse.Namespace) -> int:
    from graph.local_neo4j import LocalNeo4j, Neo4jUnavailable

    try:
        LocalNeo4j(args.port, Path(args.data), args.password).run_foreground()
    except Neo4jUnavailable as error:
        print(f"registry: cannot start Neo4j: {error}", file=sys.stderr)
        return 1
    return 0


def _scale(text: str) -> int:
    scale = int(text)
    if scale < 1:
        raise argparse.ArgumentTypeError("the scale is a whole number from 1")
    return scale


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="registry", description="The Self Data Territorial registry.")
    sub = top.add_subparsers(dest="command", required=True)
    store_help = f"store URL (default: $REGISTRY_STORE or {DEFAULT_STORE})"

    seed = sub.add_parser("seed", help="load the programme's seed data (a second run changes nothing)")
    seed.add_argument("--store", help=store_help)
    seed.add_argument("--seeds", help="folder of seed files (default: the repository's seeds/)")
    seed.set_defaults(run=cmd_seed)

    migrate = sub.add_parser("migrate", help="upgrade a database made by an older release, in place")
    migrate.add_argument("--store", help=store_help)
    migrate.set_defaults(run=cmd_migrate)

    make_migration = sub.add_parser(
        "make-migration", help="write the SQL migration for a column declared since the newest one"
    )
    make_migration.add_argument("message", help="what changed, for the revision's name and docstring")
    make_migration.set_defaults(run=cmd_make_migration)

    sources = sub.add_parser("check-sources", help="list the seeds' home-page sources and any fact without a source")
    sources.add_argument("--seeds", help="folder of seed files (default: the repository's seeds/)")
    sources.set_defaults(run=cmd_check_sources)

    generate = sub.add_parser("generate", help="fill an empty store with a synthetic network (benchmarks)")
    generate.add_argument("--scale", type=_scale, required=True, help="1 is about the programme's size")
    generate.add_argument("--seed", type=int, default=0, help="the same scale and seed give the same network")
    generate.add_argument("--store", required=True, help="store URL (an empty store)")
    generate.set_defaults(run=cmd_generate)

    serve = sub.add_parser("serve", help="serve the GraphQL API (GraphiQL at /graphql)")
    serve.add_argument("--store", help=store_help)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--stats", action="store_true", help="add extensions.stats to each response")
    serve.add_argument("--access-log", action="store_true", help="log one line per request")
    serve.add_argument(
        "--no-response-cache", action="store_true", help="answer every anonymous query afresh (no response cache)"
    )
    serve.add_argument(
        "--http-cache-max-age",
        type=int,
        metavar="SECONDS",
        help="how long CDNs, proxies and browsers may reuse an anonymous GET of a persisted document (default 5; 0: never)",
    )
    serve.add_argument("--otel", action="store_true", help="OpenTelemetry spans per request (needs the [otel] extra)")
    serve.add_argument("--log-format", choices=["json", "text"], help="log lines as JSON (default) or plain text")
    serve.add_argument(
        "--trusted-documents",
        metavar="FILE",
        help="persisted-documents.json (sha256 -> document): callers without a key run only these",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        metavar="ADDRESSES",
        help="comma-separated balancer addresses or networks whose X-Forwarded-For names the client (default: none)",
    )
    serve.add_argument(
        "--redis-url", metavar="URL", help="redis://… shared by several servers for rate limits and APQ (default: none)"
    )
    serve.add_argument(
        "--workers", type=int, help="server processes sharing the port (default: one per core; 1 for a single process)"
    )
    serve.set_defaults(run=cmd_serve)

    keys = sub.add_parser("keys", help="create, list or revoke API keys")
    keys.add_argument("--store", help=store_help)
    key_actions = keys.add_subparsers(dest="action", required=True)
    create = key_actions.add_parser("create", help="print a new key (shown once)")
    create.add_argument("--role", required=True, choices=[r.value for r in Role if r is not Role.ANONYMOUS])
    create.add_argument("--hub", help="the hub a hub key belongs to (slug)")
    create.add_argument("--label", help="a note: whose key it is")
    key_actions.add_parser("list", help="list keys (never their secrets)")
    revoke = key_actions.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    keys.set_defaults(run=cmd_keys)

    hubs = sub.add_parser("hubs", help="create or list the MyData hubs that hub keys belong to")
    hubs.add_argument("--store", help=store_help)
    hub_actions = hubs.add_subparsers(dest="action", required=True)
    hub_create = hub_actions.add_parser("create", help="create a hub (then: keys create --role hub --hub SLUG)")
    hub_create.add_argument("slug")
    hub_create.add_argument("--name", required=True, help="the hub's name")
    hub_actions.add_parser("list", help="list hubs")
    hubs.set_defaults(run=cmd_hubs)

    schema = sub.add_parser("export-schema", help="write the GraphQL SDL")
    schema.add_argument("--output", default="schema.graphql", help="file, or - for standard output")
    schema.set_defaults(run=cmd_export_schema)

    export = sub.add_parser("export", help="write the whole registry as JSON Lines")
    export.add_argument("--store", help=store_help)
    export.add_argument("--output", help="file (default: standard output)")
    export.set_defaults(run=cmd_export)

    load = sub.add_parser("import", help="read an export into an empty store")
    load.add_argument("--store", help=store_help)
    load.add_argument("file", nargs="?", help="file (default: standard input)")
    load.set_defaults(run=cmd_import)

    neo = sub.add_parser("neo4j-local", help="run a local Neo4j (loopback only) in the foreground")
    neo.add_argument("--port", type=int, default=7687)
    neo.add_argument("--data", required=True, help="data folder")
    neo.add_argument("--password", help="require this password for user neo4j (default: no authentication)")
    neo.set_defaults(run=cmd_neo4j_local)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
