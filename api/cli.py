"""The ``gongjian`` command line: migrate, serve, project, demo, verify, checkpoint, keys,
forget, restrict, export, verify-export, import."""

from __future__ import annotations

import argparse
import logging
import logging.config
import os
import socket
import sys
import time
from collections.abc import Sequence
from importlib import metadata

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError

from api import erasure, structured_logs, tenant_export_commands
from api.console import console, tracked
from api.platform import (
    INLINE_PROJECTION_SETTING,
    Platform,
    dev_tokens_enabled,
    migrate,
    read_database_url,
)
from domain.errors import DomainError
from projections import reconciliation
from projections.schema import recreate_read_models
from tenants.messages.access import IssueToken
from tenants.notary import Notary
from tenants.pipeline.identity import SYSTEM, Role
from tenants.store import keys
from tenants.store.database import database_url, is_sqlite, make_engine
from tenants.store.partitions import PartitionsError
from tenants.store.verify import all_tenant_ids, verify_store


def _version() -> str:
    try:
        return metadata.version("gongjian")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongjian", description=__doc__)
    parser.add_argument("--version", action="version", version=f"gongjian {_version()}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback when a command fails"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    migrate_cmd = commands.add_parser(
        "migrate", help="create the event store and read-model tables"
    )
    migrate_cmd.add_argument(
        "--app-role",
        help="PostgreSQL: the role the application connects as, to be granted the tables "
        "(it must not own them, so that row-level security applies to it)",
    )
    migrate_cmd.add_argument(
        "--partitions",
        type=int,
        help="PostgreSQL: hash partitions by tenant of every per-tenant table (0: none; "
        "default: GONGJIAN_PARTITIONS, else the store's own, else 16 for a new store); "
        "a different count rebuilds the tables, keeping their rows",
    )
    serve = commands.add_parser("serve", help="run the HTTP API (REST + GraphQL)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (default 1; use one per core on a multi-core machine)",
    )
    serve.add_argument("--demo", action="store_true", help="load demo data if the store is empty")
    serve.add_argument(
        "--inline-projection",
        action="store_true",
        help="project in this process even on PostgreSQL (always so on SQLite)",
    )
    project = commands.add_parser(
        "project", help="run the projection worker (it also signs checkpoints, delivers webhooks)"
    )
    project.add_argument("--once", action="store_true", help="catch up once and exit")
    project.add_argument(
        "--interval", type=float, default=0.2, help="seconds to wait when nothing is new"
    )
    project.add_argument(
        "--retry-parked",
        action="store_true",
        help="first try again the tenants parked at an event they could not apply",
    )
    commands.add_parser("demo", help="load the demo data set")
    commands.add_parser(
        "rebuild", help="drop the read models and replay every tenant's log into them"
    )
    verify = commands.add_parser(
        "verify", help="recompute tenants' hash chains and Merkle trees; check their checkpoints"
    )
    verify.add_argument("--tenant", help="verify one tenant only")
    verify.add_argument(
        "--read-models",
        action="store_true",
        help="instead: rebuild the read models into scratch tables and name every live row "
        "and value that differs (the log is taken as it is: verify it without this flag)",
    )
    verify.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes that verify at once (default: one per CPU)",
    )
    verify.add_argument(
        "--keys",
        help="a file of trusted public keys, as served at /.well-known/gongjian-keys "
        f"(default: the key of {keys.KEY_FILE_SETTING} and {keys.PUBLIC_KEYS_SETTING})",
    )
    checkpoint = commands.add_parser(
        "checkpoint",
        help="sign a checkpoint of every tenant whose log moved since its last one",
    )
    checkpoint.add_argument("--tenant", help="checkpoint one tenant only")
    key_cmd = commands.add_parser("keys", help="the platform's checkpoint signing key")
    key_commands = key_cmd.add_subparsers(dest="keys_command", required=True)
    key_create = key_commands.add_parser(
        "create", help="write a new Ed25519 signing key file (mode 0600); never overwrites"
    )
    key_create.add_argument(
        "--to",
        help=f"the key file to write (default: ${keys.KEY_FILE_SETTING}, "
        f"else ./{DEFAULT_KEY_FILE})",
    )
    erasure.add_commands(commands)
    tenant_export_commands.add_commands(commands)
    token = commands.add_parser("token", help="issue access tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser(
        "create", help="issue a token; its secret is printed once, alone on the last line"
    )
    create.add_argument(
        "--role", required=True, choices=[r.value for r in Role], help="the token's role"
    )
    create.add_argument("--tenant", help="the tenant the token is for (none: platform admin)")
    create.add_argument("--unit", help="a unit liaison's unit id")
    create.add_argument("--member", help="a party member's member id (new if absent)")
    create.add_argument("--user", default="operator", help="the user the token identifies")
    create.add_argument(
        "--expires-days", type=int, default=90, help="days until the token expires (default 90)"
    )
    return parser


DEFAULT_KEY_FILE = "gongjian-signing-key.pem"


class CliError(Exception):
    """A failure the command line reports in one line (exit 1), never as a traceback."""


def _fail(message: str) -> int:
    print(f"gongjian: error: {message}", file=sys.stderr)
    return 1


def _where() -> str:
    """The configured database, without its password."""
    return make_url(database_url()).render_as_string(hide_password=True)


def _require_migrated(engine: Engine) -> None:
    if not inspect(engine).has_table("es_events"):
        raise CliError(f"the database at {_where()} is not migrated: run 'gongjian migrate'")
    if not inspect(engine).has_table("es_person_keys"):  # added by an upgrade
        raise CliError(f"the database at {_where()} needs upgrading: run 'gongjian migrate'")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gongjian`` command."""
    args = _parser().parse_args(argv)
    try:
        _configure_logging(args)
        return _run(args)
    except KeyboardInterrupt:
        return 130
    except (CliError, keys.SigningKeyError, tenant_export_commands.ExportCommandError) as error:
        return _fail(str(error))
    except DomainError as error:
        return _fail(error.message)
    except (OperationalError, InterfaceError) as error:
        if args.debug:
            raise
        reason = str(error.orig or error).strip().splitlines()[0]
        return _fail(f"cannot use the database at {_where()}: {reason}")
    except Exception as error:
        if args.debug:
            raise
        return _fail(f"{type(error).__name__}: {error} (run with --debug for the traceback)")


def _configure_logging(args: argparse.Namespace) -> None:
    """The long-running processes log JSON lines (GONGJIAN_LOG_FORMAT), the one-shot
    commands plain text beside their printed report."""
    if args.command == "serve" or (args.command == "project" and not args.once):
        logging.config.dictConfig(structured_logs.dict_config())
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")


def _run(args: argparse.Namespace) -> int:
    if args.command == "keys":
        return _create_key(args.to)
    if args.command == "verify-export":  # offline: no database, no settings
        return tenant_export_commands.verify(args)
    if args.command in ("migrate", "verify"):
        engine = make_engine()
        try:
            if args.command == "migrate":
                return _migrate(engine, args.app_role, args.partitions)
            _require_migrated(engine)
            if args.read_models:
                return _verify_read_models(engine, args.tenant, args.keys)
            return _verify(engine, args.tenant, args.keys, args.workers)
        finally:
            engine.dispose()
    engine = make_engine()
    # SQLite is embedded: the API projects in-process. On PostgreSQL the
    # `gongjian project` worker does it, unless asked otherwise.
    inline = is_sqlite(engine) or getattr(args, "inline_projection", False)
    # Only the server reads through a replica: every other command writes, or must
    # see the primary as it is now.
    read_url = read_database_url() if args.command == "serve" else None
    platform = Platform(
        engine,
        make_engine(read_url) if read_url is not None else None,
        embedded=args.command != "project" and inline,
        dev_tokens=dev_tokens_enabled(),
    )
    try:
        _require_migrated(engine)
        if args.command == "token":
            return _create_token(platform, args)
        if args.command == "checkpoint":
            return _checkpoint(platform, args.tenant)
        if args.command == "demo":
            return _demo(platform)
        if args.command == "rebuild":
            return _rebuild(platform)
        if args.command in erasure.COMMANDS:
            return erasure.run(platform, args)
        if args.command in tenant_export_commands.COMMANDS:
            return tenant_export_commands.run(args, platform)
        if args.command == "project":
            return _project(platform, args.once, args.interval, args.retry_parked)
        return _serve(platform, args)
    finally:
        platform.close()


def _migrate(engine: Engine, app_role: str | None, partitions: int | None) -> int:
    if app_role is not None and is_sqlite(engine):
        raise CliError("--app-role applies to PostgreSQL only")
    if partitions is not None and is_sqlite(engine):
        raise CliError("--partitions applies to PostgreSQL only")
    try:
        count = migrate(engine, app_role, partitions)
    except PartitionsError as error:
        raise CliError(str(error)) from None
    layout = f"; {count} partitions by tenant" if count else ""
    print(f"migrated {_where()}{layout}" + (f"; granted to {app_role}" if app_role else ""))
    return 0


def _create_token(platform: Platform, args: argparse.Namespace) -> int:
    scope = {"unit_id": args.unit, "member_id": args.member}
    message = IssueToken.model_validate(
        {
            "role": args.role,
            "user_id": args.user,
            "expires_days": args.expires_days,
            **{k: v for k, v in scope.items() if v},
        }
    )
    try:
        answer = platform.pipeline.handle(SYSTEM, message, args.tenant)
    except DomainError as error:
        print(f"refused: {error.message}", file=sys.stderr)
        return 1
    print(f"token {answer['token_id']} for {args.role} {args.tenant or '(platform)'}")
    print(f"expires {answer['expires_at']}; shown once, keep it safe:")
    print(answer["token"])
    return 0


def _create_key(to: str | None) -> int:
    path = to or os.environ.get(keys.KEY_FILE_SETTING) or DEFAULT_KEY_FILE
    key = keys.create(path)
    print(f"wrote signing key {key.kid} to {path} (mode 0600); keep it out of the database")
    print(f"public key (base64): {key.public.published()['public_key']}")
    if to is not None and os.environ.get(keys.KEY_FILE_SETTING) != path:
        print(f"use it with {keys.KEY_FILE_SETTING}={path}")
    return 0


def _checkpoint(platform: Platform, tenant: str | None) -> int:
    notary = Notary(platform.ledgers, keys.require())
    if tenant is not None and tenant not in all_tenant_ids(platform.engine):
        print(f"FAIL {tenant}: no such tenant")
        return 1
    signings = notary.sign_due(tenant)
    for signing in signings:
        taken = signing.checkpoint
        if signing.refused:
            print(f"FAIL {signing.tenant_id}: not signed: {signing.refused}")
        elif taken is None:
            print(f"same {signing.tenant_id}: no event since its last checkpoint")
        else:
            anchored = ", recorded in its street's log" if signing.anchored else ""
            print(
                f"ok   {signing.tenant_id}: checkpoint {taken.size} root {taken.root.hex()} "
                f"key {taken.key_id}{anchored}"
            )
    if not signings:
        print("every tenant's newest checkpoint covers its whole log")
    refused = sum(1 for s in signings if s.refused)
    if refused:
        print(f"{refused} tenant log(s) refused: run 'gongjian verify'")
    return 1 if refused else 0


def _verify(engine: Engine, tenant: str | None, keys_file: str | None, workers: int) -> int:
    trusted = keys.read_published(keys_file) if keys_file else keys.trusted(keys.configured())
    known = all_tenant_ids(engine)
    if tenant is not None and tenant not in known:
        print(f"FAIL {tenant}: no such tenant")
        return 1
    tenant_ids = [tenant] if tenant else known
    failed = uncovered = 0
    # Every tenant is checked, however many fail: one damaged log must not hide another.
    audits = verify_store(engine, tenant_ids, trusted, workers)
    progress = tracked(tenant_ids, "verifying hash chains and checkpoints")
    for _, audit in zip(progress, audits, strict=True):
        tenant_id, broken = audit.tenant_id, audit.broken
        if broken is not None:
            failed += 1
            print(f"FAIL {tenant_id}: position {broken.position}: {broken.problem}")
            continue
        uncovered += audit.uncovered
        print(
            f"ok   {tenant_id}: {audit.length} event(s), {audit.checkpoints} checkpoint(s), "
            f"{audit.uncovered} not yet covered by a checkpoint"
        )
    if uncovered:
        # An append after the newest checkpoint cannot be told from a forged one
        # until a checkpoint covers it.
        print(f"{uncovered} event(s) not yet covered by any checkpoint: 'gongjian checkpoint'")
    if failed:
        print(f"{failed} of {len(tenant_ids)} tenant log(s) failed verification")
        return 1
    print(f"{len(tenant_ids)} tenant log(s) verified")
    return 0


def _verify_read_models(engine: Engine, tenant: str | None, keys_file: str | None) -> int:
    if keys_file is not None:
        raise CliError("--keys checks checkpoints; it does not apply to --read-models")
    known = reconciliation.known_tenants(engine)
    if tenant is not None and tenant not in known:
        print(f"FAIL {tenant}: no such tenant")
        return 1
    tenant_ids = [tenant] if tenant else known
    projector = Platform(engine, embedded=False).projector
    failed = parked = 0
    for tenant_id in tracked(tenant_ids, "rebuilding read models into scratch tables"):
        try:
            found = reconciliation.reconcile(projector, tenant_id)
        except reconciliation.ScratchUnavailable as error:
            raise CliError(str(error)) from error
        failed += not found.matches
        parked += found.parked is not None
        print("\n".join(found.lines()))
    if parked:
        print(f"{parked} tenant(s) parked: 'gongjian project --retry-parked' after the fix")
    if failed:
        print(f"{failed} of {len(tenant_ids)} tenant(s)' read models differ from their logs")
        return 1
    print(f"{len(tenant_ids)} tenant(s)' read models match their logs")
    return 0


def _demo(platform: Platform) -> int:
    from tenants.demo.meetings import STREET, load_demo

    if platform.pipeline.directory.find(STREET[0]) is not None:
        return _fail(f"the demo is already loaded in {database_url()} (street {STREET[0]})")
    with console.status("loading the demo data set"):
        summary = load_demo(platform.ledgers, platform.report_figures)
    tenants = platform.projector.lagging_tenants()
    for tenant in tracked(tenants, "projecting"):
        platform.projector.catch_up(tenant)
    print(summary)
    return 0


def _rebuild(platform: Platform) -> int:
    recreate_read_models(platform.engine)
    projector = platform.projector
    projector.clear()
    tenants = all_tenant_ids(platform.engine)
    with console.status(f"rebuilding the read models of {len(tenants)} tenant(s)"):
        # Every tenant starts empty: folded in memory, small tenants written together.
        applied = projector.catch_up_all()
    print(f"rebuilt the read models of {len(tenants)} tenant(s) from {applied} event(s)")
    return _report_parked(platform)


def _project(platform: Platform, once: bool, interval: float, retry_parked: bool) -> int:
    if retry_parked:
        resumed = platform.projector.retry_parked()
        print(
            f"resumed {len(resumed)} parked tenant(s)"
            + (f": {', '.join(resumed)}" if resumed else "")
        )
    if once:
        lagging = platform.projector.lagging_tenants()
        applied = 0
        for tenant in tracked(lagging, "projecting"):
            try:
                applied += platform.projector.catch_up(tenant)
            except Exception as error:
                print(f"could not project {tenant} now: {error}", file=sys.stderr)
        print(f"projected {applied} event(s)")
        return _report_parked(platform)
    # The worker also signs due tenants periodically and delivers webhooks, each in
    # threads of its own (a deployment's one place for them).
    platform.start_signing()
    platform.start_delivering()
    while True:
        applied = platform.projector.catch_up_all()
        if not applied:
            time.sleep(interval)


def _demo_signing_key(engine: Engine) -> keys.SigningKey | None:
    """The configured key, or in the embedded demo (SQLite) a key file kept next to
    the database, made on first use, so that the demo has signed checkpoints."""
    found = keys.configured()
    database = engine.url.database
    if found is not None or not is_sqlite(engine) or not database or database == ":memory:":
        return found
    path = f"{database}.signing-key.pem"
    key = keys.load(path) if os.path.exists(path) else keys.create(path)
    # Every worker process (and /.well-known/gongjian-keys) finds it the same way.
    os.environ[keys.KEY_FILE_SETTING] = path
    print(f"demo signing key {key.kid}: {path}")
    return key


def _report_parked(platform: Platform) -> int:
    """List parked tenants; exit 1 if any, so that scripts notice."""
    parked = platform.projector.parked()
    for p in parked:
        print(f"parked: {p.tenant_id} at position {p.position}: {p.error}")
    if parked:
        print(f"{len(parked)} tenant(s) parked; fix, then 'gongjian project --retry-parked'")
    return 1 if parked else 0


def _serve(platform: Platform, args: argparse.Namespace) -> int:
    import uvicorn

    from api import metrics
    from api.app import create_app
    from projections.queries import tenant_rows
    from tenants.demo.access import issue_demo_tokens
    from tenants.demo.meetings import load_demo

    demo_key = _demo_signing_key(platform.engine) if args.demo else None
    if args.demo and not tenant_rows(platform.engine):
        print(load_demo(platform.ledgers, platform.report_figures))
        platform.projector.catch_up_all()
        if demo_key is not None:
            Notary(platform.ledgers, demo_key).sign_due()
            platform.projector.catch_up_all()  # the streets' anchor events
            print(f"demo checkpoints signed with key {demo_key.kid}")
        print("demo tokens (send as 'Authorization: Bearer <token>'):")
        for issued in issue_demo_tokens(platform.pipeline):
            print(f"  {issued.role:<20} {issued.tenant_id:<18} {issued.token}")
    if args.workers < 1:
        raise CliError("--workers must be at least 1")
    logs = structured_logs.dict_config()
    if args.workers == 1:
        if metrics.multiprocess_directory() is not None:
            metrics.prepare_workers()  # set by the operator: start from no counts
        app = create_app(platform, serving=True)
        # The request line (api/request_log.py) replaces uvicorn's access log.
        uvicorn.run(app, host=args.host, port=args.port, log_config=logs, access_log=False)
        return 0
    # Each worker process builds its own platform from the same settings.
    if args.inline_projection:
        os.environ[INLINE_PROJECTION_SETTING] = "1"
    platform.close()
    from uvicorn.supervisors import Multiprocess

    # The workers add up their metrics in one folder (prometheus-client's multiprocess
    # mode): a scrape answered by any of them counts the work of all.
    shared = metrics.prepare_workers()
    config = uvicorn.Config(
        "api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=logs,
        access_log=False,
        # A worker imports the whole app before it answers the supervisor's pings: on a
        # loaded 2-core machine that took over uvicorn's 5 s, and the supervisor killed
        # and restarted the workers in a loop, never serving.
        timeout_worker_healthcheck=60,
    )
    listening = config.bind_socket()
    # Workers receive this socket in a form asyncio does not take for TCP, so they
    # never set TCP_NODELAY on accepted connections, and every keep-alive answer
    # waits ~40 ms for the client's delayed ACK. Accepted sockets inherit it (Linux).
    listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        Multiprocess(config, sockets=[listening]).run()
    finally:
        metrics.remove_directory(shared)
    return 0
