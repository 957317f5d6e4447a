"""The ``gongjian`` command line: migrate, serve, project, demo, verify."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence

from sqlalchemy import Engine, inspect

from api.platform import Platform
from tenants.database import database_url, is_sqlite, make_engine
from tenants.migrate import migrate, recreate_read_models
from tenants.verify import all_tenant_ids, verify_tenant


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongjian", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create the event store and read-model tables")
    serve = commands.add_parser("serve", help="run the HTTP API (REST + GraphQL)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="load demo data if the store is empty")
    serve.add_argument(
        "--inline-projection",
        action="store_true",
        help="project in this process even on PostgreSQL (always so on SQLite)",
    )
    project = commands.add_parser("project", help="run the projection worker")
    project.add_argument("--once", action="store_true", help="catch up once and exit")
    project.add_argument("--interval", type=float, default=0.2)
    commands.add_parser("demo", help="load the demo data set")
    commands.add_parser(
        "rebuild", help="drop the read models and replay every tenant's log into them"
    )
    verify = commands.add_parser("verify", help="recompute tenants' hash chains")
    verify.add_argument("--tenant", help="verify one tenant only")
    return parser


def _require_migrated(platform: Platform) -> None:
    if not inspect(platform.engine).has_table("es_events"):
        sys.exit(f"the database at {database_url()} is not migrated: run 'gongjian migrate'")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gongjian`` command."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.command in ("migrate", "verify"):
        engine = make_engine()
        try:
            return _migrate(engine) if args.command == "migrate" else _verify(engine, args.tenant)
        finally:
            engine.dispose()
    engine = make_engine()
    # SQLite is embedded: the API projects in-process. On PostgreSQL the
    # `gongjian project` worker does it, unless asked otherwise.
    inline = is_sqlite(engine) or getattr(args, "inline_projection", False)
    platform = Platform(engine, embedded=args.command != "project" and inline)
    try:
        _require_migrated(platform)
        if args.command == "demo":
            return _demo(platform)
        if args.command == "rebuild":
            return _rebuild(platform)
        if args.command == "project":
            return _project(platform, args.once, args.interval)
        return _serve(platform, args.host, args.port, args.demo)
    finally:
        platform.close()


def _migrate(engine: Engine) -> int:
    migrate(engine)
    print(f"migrated {database_url()}")
    return 0


def _verify(engine: Engine, tenant: str | None) -> int:
    tenant_ids = [tenant] if tenant else all_tenant_ids(engine)
    for tenant_id in tenant_ids:
        broken = verify_tenant(engine, tenant_id)
        if broken is not None:
            print(f"FAIL {tenant_id}: position {broken.position}: {broken.problem}")
            return 1
        print(f"ok   {tenant_id}")
    print(f"{len(tenant_ids)} tenant log(s) verified")
    return 0


def _demo(platform: Platform) -> int:
    from api.demo import load_demo

    summary = load_demo(platform)
    platform.projector.catch_up_all()
    print(summary)
    return 0


def _rebuild(platform: Platform) -> int:
    recreate_read_models(platform.engine)
    platform.projector.rebuild()
    print(f"rebuilt the read models of {len(all_tenant_ids(platform.engine))} tenant(s)")
    return 0


def _project(platform: Platform, once: bool, interval: float) -> int:
    while True:
        applied = platform.projector.catch_up_all()
        if once:
            print(f"projected {applied} event(s)")
            return 0
        if not applied:
            time.sleep(interval)


def _serve(platform: Platform, host: str, port: int, demo: bool) -> int:
    import uvicorn

    from api.app import create_app
    from api.demo import load_demo
    from projections.queries import tenant_rows

    if demo and not tenant_rows(platform.engine):
        print(load_demo(platform))
        platform.projector.catch_up_all()
    uvicorn.run(create_app(platform), host=host, port=port)
    return 0
