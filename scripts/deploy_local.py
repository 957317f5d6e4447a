"""Start docker-compose.yml's topology on this machine, without Docker.

    scripts/deploy-local [start] [--dir DIR] [--port PORT]
    scripts/deploy-local stop [--dir DIR]

``start`` makes a PostgreSQL 15 primary cluster and a streaming replica of it (Debian's
pg_createcluster, pg_basebackup; tests/integration/replica.py), each on a free port;
creates the database and the application's role (scripts/postgres-init.sql); runs the
migration once, as the tables' owner; then starts ``gongjian serve --workers 2``
(commands to the primary, reads from the replica) and two ``gongjian project``
workers, as the application's role, and waits until /readyz answers. It prints where
the API answers and writes what it started to DIR/deployment.json (default
/tmp/gongjian-deploy-local); ``stop`` ends the processes and removes the clusters and
DIR. Runs as root (the cluster tools), from a checkout installed into .venv.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.replica import (  # noqa: E402 - after the checkout is on the path
    drop_cluster,
    make_primary,
    make_replica,
    unavailable,
)

DEFAULT_DIR = Path("/tmp/gongjian-deploy-local")
STATE = "deployment.json"
DATABASE, OWNER, APP_ROLE = "gongjian", "postgres", "gongjian_app"
PROJECTORS = 2
WORKERS = 2


def gongjian() -> str:
    """The installed command: the checkout's .venv, else the one on PATH."""
    local = ROOT / ".venv" / "bin" / "gongjian"
    found = str(local) if local.exists() else shutil.which("gongjian")
    if found is None:
        raise SystemExit("gongjian is not installed (python3 -m venv .venv && pip install -e .)")
    return found


def start(folder: Path, port: int) -> dict[str, object]:
    """Bring the topology up; what was started (also in ``folder``/deployment.json)."""
    if (folder / STATE).exists():
        raise SystemExit(f"{folder / STATE} exists: run 'scripts/deploy-local stop' first")
    folder.mkdir(parents=True, exist_ok=True)
    suffix = uuid.uuid4().hex[:6]
    state: dict[str, object] = {"folder": str(folder), "clusters": [], "processes": []}
    # Each cluster's data lives in a temporary folder of its own, which the postgres
    # user can reach (``folder`` may sit under one only root may enter).
    clusters: list[dict[str, str]] = state["clusters"]  # type: ignore[assignment]
    processes: list[int] = state["processes"]  # type: ignore[assignment]
    try:
        primary = make_primary(f"gj-deploy-primary-{suffix}")
        clusters.append({"name": primary.name, "folder": str(primary.folder)})
        _save(folder, state)
        primary.sql(f'CREATE DATABASE "{DATABASE}"')
        primary.sql((ROOT / "scripts" / "postgres-init.sql").read_text(), DATABASE)
        replica = make_replica(f"gj-deploy-replica-{suffix}", primary.port)
        clusters.append({"name": replica.name, "folder": str(replica.folder)})
        _save(folder, state)
        owner = {**os.environ, "GONGJIAN_DATABASE_URL": primary.url(DATABASE, OWNER)}
        # The migration, once, as the tables' owner (compose's `migrate` job).
        migrated = subprocess.run(
            [gongjian(), "migrate", "--app-role", APP_ROLE],
            env=owner, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if migrated.returncode != 0:
            raise RuntimeError(f"gongjian migrate failed: {migrated.stderr[-2000:]}")
        app = {
            **os.environ,
            "GONGJIAN_DATABASE_URL": primary.url(DATABASE, APP_ROLE),
            "GONGJIAN_READ_DATABASE_URL": replica.url(DATABASE, APP_ROLE),
            "GONGJIAN_EVIDENCE_DIR": str(folder / "evidence"),
        }
        serve = [gongjian(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        processes.append(_spawn([*serve, "--workers", str(WORKERS)], app, folder / "api.log"))
        for n in range(1, PROJECTORS + 1):
            processes.append(_spawn([gongjian(), "project"], app, folder / f"projector-{n}.log"))
        _save(folder, state)
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url, folder / "api.log")
    except BaseException:
        stop(folder)
        raise
    state.update(
        url=url,
        primary={"name": primary.name, "port": primary.port},
        replica={"name": replica.name, "port": replica.port},
        database=DATABASE,
        app_role=APP_ROLE,
        owner=OWNER,
    )
    _save(folder, state)
    return state


def stop(folder: Path) -> None:
    """End what ``start`` started in ``folder`` and remove it."""
    try:
        state = json.loads((folder / STATE).read_text())
    except FileNotFoundError:
        return
    for pid in state["processes"]:
        _end(int(pid))
    for cluster in reversed(state["clusters"]):
        drop_cluster(cluster["name"])
        shutil.rmtree(cluster["folder"], ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)


def _spawn(command: list[str], env: dict[str, str], log: Path) -> int:
    with log.open("ab") as output:
        # A session of its own: it outlives this script, and `stop` ends its children.
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    return process.pid


def _end(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        _reap(pid)
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return


def _reap(pid: int) -> None:
    # The processes are this script's children when start fails half-way.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _wait_ready(url: str, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the API did not become ready: {log.read_text()[-3000:]}")


def _save(folder: Path, state: dict[str, object]) -> None:
    (folder / STATE).write_text(json.dumps(state, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", nargs="?", default="start", choices=["start", "stop"])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where state and logs go")
    parser.add_argument("--port", type=int, default=8000, help="the API's port")
    args = parser.parse_args()
    if args.action == "stop":
        stop(args.dir)
        print(f"stopped; removed {args.dir}")
        return
    reason = unavailable(primary_port=None)  # the primary is made here, not the main one
    if reason is not None:
        raise SystemExit(reason)
    state = start(args.dir, args.port)
    primary, replica = state["primary"], state["replica"]
    print(f"API (2 workers):  {state['url']}  (GraphQL: {state['url']}/graphql)")
    print(f"primary:          {_psql_url(primary)}  (commands, migration, projection)")
    print(f"replica:          {_psql_url(replica)}  (GraphQL and other reads)")
    print(f"projectors:       {PROJECTORS} x 'gongjian project'")
    print(f"logs and state:   {args.dir}")
    owner = f"postgresql://{OWNER}@127.0.0.1:{primary['port']}/{DATABASE}"  # type: ignore[index]
    print(f"a token:          GONGJIAN_DATABASE_URL={owner} \\")
    print("                    .venv/bin/gongjian token create --role platform_admin")
    print(f"stop:             scripts/deploy-local stop --dir {args.dir}")


def _psql_url(cluster: object) -> str:
    return f"postgresql://{APP_ROLE}@127.0.0.1:{cluster['port']}/{DATABASE}"  # type: ignore[index]


if __name__ == "__main__":
    main()
