"""PostgreSQL clusters made on this machine with Debian's tools: a streaming replica of
a running cluster (the main one at 127.0.0.1:5432, or one made here), and a primary of
its own for a local deployment (scripts/deploy-local).

A cluster lives in a folder of its own (its data directory) and under
/etc/postgresql/15/<name> (its configuration), on a free port; ``drop`` removes both.
Making one runs as root (``pg_createcluster``, ``pg_ctlcluster``), with the data owned
by ``postgres``. Test processes (pytest-xdist workers) make clusters at the same time:
a file lock keeps two from taking one port, and clusters that tests left behind (their
process is gone) are dropped by the next one made.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

VERSION = "15"
CONFIG = Path("/etc/postgresql") / VERSION
TOOLS = ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_basebackup", "runuser")
LOCK = Path(tempfile.gettempdir()) / "gongjian-clusters.lock"
# A test's cluster names the process that made it: one whose process is gone is left over.
TEST_PREFIX = "gj-test-"
# Settings a hot standby must hold at least as high as its primary, or it will not start.
MATCHED = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
TRUST = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
REPLICATION = "host replication all 127.0.0.1/32 trust\n"


@dataclass(frozen=True)
class Cluster:
    """A running cluster made here: its name, port and folder."""

    name: str
    port: int
    folder: Path

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        """A SQLAlchemy/psycopg URL of one of its databases."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement as the superuser; its output, unaligned."""
        return psql(self.port, statement, database)

    def drop(self) -> None:
        """Stop the cluster and remove its data and configuration."""
        drop_cluster(self.name)
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass(frozen=True)
class Replica(Cluster):
    """A hot standby streaming from the cluster on ``primary_port``."""

    primary_port: int = 5432

    def in_recovery(self) -> bool:
        """Whether it is (still) a standby."""
        return self.sql("SELECT pg_is_in_recovery()") == "t"

    def pause(self) -> None:
        """Stop replaying the WAL it receives: its data stays as it is now."""
        # The startup process checks for a requested pause before it applies each
        # record, so nothing written after this returns is applied; its state reads
        # "pause requested" until the next record arrives (on a quiet primary, a while).
        self.sql("SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        """Replay again, from where it paused."""
        self.sql("SELECT pg_wal_replay_resume()")

    def catch_up(self, timeout: float = 60.0) -> None:
        """Wait until it has replayed everything the primary has written up to now."""
        target = psql(self.primary_port, "SELECT pg_current_wal_lsn()")
        query = f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"
        wait_until(lambda: self.sql(query) == "t", timeout)


def unavailable(primary_port: int | None = 5432) -> str | None:
    """Why clusters cannot be made here, or replicas of the cluster on ``primary_port``
    (None: they can; a ``primary_port`` of None asks only about clusters)."""
    if os.geteuid() != 0:
        return "making PostgreSQL clusters needs root (pg_createcluster)"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"missing {', '.join(missing)} (Debian's postgresql-common, postgresql-15)"
    if primary_port is None:
        return None
    identify = subprocess.run(
        ["psql", f"host=127.0.0.1 port={primary_port} user=postgres replication=true",
         "-Atc", "IDENTIFY_SYSTEM"],
        capture_output=True, text=True,
    )  # fmt: skip
    if identify.returncode != 0:
        return (
            f"the cluster on port {primary_port} refuses replication connections "
            f"(run scripts/postgres-replication): {identify.stderr.strip()}"
        )
    return None


def cluster_name() -> str:
    """A cluster name for a test: it names this process, so a sweep can tell it is left over."""
    return f"{TEST_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:6]}"


def make_replica(
    name: str, primary_port: int = 5432, folder: Path | None = None, port: int | None = None
) -> Replica:
    """A hot standby of the cluster on ``primary_port``, streaming from it, running."""
    with _made(name, folder) as folder, _locked():
        _sweep()
        port = port or _free_port()
        data = _create(name, port, folder)
        settings = {key: psql(primary_port, f"SHOW {key}") for key in MATCHED}
        _configure(name, {**settings, "hot_standby": "on"}, TRUST)
        shutil.rmtree(data)
        data.mkdir(mode=0o700)
        _own(data)
        _as_postgres(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
            "-D", str(data), "--write-recovery-conf", "--wal-method=stream",
            # A fast checkpoint: a spread one can keep the copy waiting for minutes.
            "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        _run("pg_ctlcluster", VERSION, name, "start")
        replica = Replica(name, port, folder, primary_port)
        wait_until(lambda: _answers(port))
        if not replica.in_recovery():
            raise RuntimeError(f"{name} started, but not as a standby")
    return replica


def make_primary(name: str, folder: Path | None = None, port: int | None = None) -> Cluster:
    """A new cluster of its own that replicas made here can stream from, running."""
    with _made(name, folder) as folder, _locked():
        _sweep()
        port = port or _free_port()
        _create(name, port, folder)
        _configure(name, {"wal_level": "replica", "max_wal_senders": "10"}, TRUST + REPLICATION)
        _run("pg_ctlcluster", VERSION, name, "start")
        wait_until(lambda: _answers(port))
    return Cluster(name, port, folder)


@contextmanager
def streaming_replica(primary_port: int = 5432) -> Iterator[Replica]:
    """A replica of the cluster on ``primary_port`` for as long as the context lasts."""
    replica = make_replica(cluster_name(), primary_port)
    try:
        yield replica
    finally:
        replica.drop()


def drop_cluster(name: str) -> None:
    """Stop and remove a cluster made here (nothing if it is gone)."""
    if (CONFIG / name).exists():
        subprocess.run(
            ["pg_dropcluster", "--stop", VERSION, name], capture_output=True, check=False
        )
        # pg_dropcluster leaves the files it did not make (conf.d/gongjian.conf).
        shutil.rmtree(CONFIG / name, ignore_errors=True)


def psql(port: int, statement: str, database: str = "postgres") -> str:
    """One statement as the superuser on the cluster at ``port``; its output."""
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database,
         "-Atqc", statement],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"psql on port {port}: {statement}: {done.stderr.strip()}")
    return done.stdout.strip()


def wait_until(ready: Callable[[], bool], timeout: float = 60.0) -> None:
    """Poll ``ready()`` until it is true (a cluster starting, a replica replaying)."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not ready after {timeout} s")
        time.sleep(0.1)


def _answers(port: int) -> bool:
    try:
        return psql(port, "SELECT 1") == "1"
    except RuntimeError:
        return False


@contextmanager
def _made(name: str, folder: Path | None) -> Iterator[Path]:
    """The cluster's folder (a new temporary one by default); if making the cluster
    fails, nothing of it is left."""
    folder = folder or Path(tempfile.mkdtemp(prefix=f"gongjian-{name}-"))
    try:
        yield folder
    except BaseException:
        drop_cluster(name)
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _create(name: str, port: int, folder: Path) -> Path:
    """Create the cluster (stopped) in ``folder``; its data directory."""
    folder.mkdir(parents=True, exist_ok=True)
    _own(folder)
    data = folder / "data"
    _run(
        "pg_createcluster", VERSION, name, "--port", str(port), "--datadir", str(data),
        "--start-conf", "manual", "--", "--auth=trust",
    )  # fmt: skip
    return data


def _configure(name: str, settings: dict[str, str], hba: str) -> None:
    conf = CONFIG / name / "conf.d"
    conf.mkdir(exist_ok=True)
    lines = [f"{key} = '{value}'" for key, value in settings.items()]
    # Debian's postgresql.conf reads conf.d/*.conf after its own settings.
    (conf / "gongjian.conf").write_text("\n".join(lines) + "\n")
    (CONFIG / name / "pg_hba.conf").write_text(hba)


def _sweep() -> None:
    """Drop test clusters whose process has ended (a test killed before its teardown)."""
    if not CONFIG.exists():
        return
    for entry in CONFIG.iterdir():
        found = re.fullmatch(rf"{TEST_PREFIX}(\d+)-\w+", entry.name)
        if found is None or _alive(int(found.group(1))):
            continue
        data = _data_directory(entry.name)
        drop_cluster(entry.name)
        if data is not None and data.name == "data":
            shutil.rmtree(data.parent, ignore_errors=True)


def _data_directory(name: str) -> Path | None:
    conf = CONFIG / name / "postgresql.conf"
    try:
        found = re.search(r"^data_directory\s*=\s*'([^']+)'", conf.read_text(), re.MULTILINE)
    except OSError:
        return None
    return Path(found.group(1)) if found else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _free_port() -> int:
    """A port no process listens on and no cluster here is configured for."""
    taken = set()
    if CONFIG.exists():
        for entry in CONFIG.iterdir():
            conf = entry / "postgresql.conf"
            if conf.exists():
                found = re.search(r"^port\s*=\s*(\d+)", conf.read_text(), re.MULTILINE)
                if found:
                    taken.add(int(found.group(1)))
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in taken:
            return port


def _own(path: Path) -> None:
    user = pwd.getpwnam("postgres")
    os.chown(path, user.pw_uid, user.pw_gid)


def _as_postgres(*command: str) -> None:
    _run("runuser", "-u", "postgres", "--", *command)


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip() or done.stdout.strip()}")


@contextmanager
def _locked() -> Iterator[None]:
    with LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
