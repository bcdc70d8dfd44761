"""A throwaway PostgreSQL cluster from this machine's binaries: for the tests' run stores and the
local cluster (`python -m bench cluster`).

initdb / pg_ctl / postgres (Debian's postgresql package puts them in /usr/lib/postgresql/<version>/bin)
make a cluster in a temporary folder, served on a free port of 127.0.0.1 and stopped by pg_ctl.
initdb refuses to run as root, so as root the cluster belongs to the `postgres` user (runuser).
"""

from __future__ import annotations

import glob
import os
import pwd
import random
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

NO_POSTGRES = ("PostgreSQL's initdb, pg_ctl and postgres were not found (apt-get install -y postgresql, or put "
               "their folder on PATH): the PostgreSQL run-store tests are skipped")


def postgres_bin() -> Path | None:
    candidates = [os.environ.get("NNCORE_POSTGRES_BIN", "")]
    if shutil.which("pg_config"):
        candidates.append(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb")).parent))
    for folder in filter(None, candidates):
        if all((Path(folder) / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def port_in(first: int | None = None, last: int = 9599) -> int:
    """A free port of this helper's range, else any free one. Each pytest worker (pytest-xdist's
    gw0, gw1, ...) starts at its own place in the range."""
    if first is None:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
        first = 9500 + 25 * (int(worker[2:]) % 4 if worker[2:].isdigit() else 0)
    for port in range(first, last + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A throwaway PostgreSQL cluster: initdb, pg_ctl start on 127.0.0.1:port, pg_ctl stop.
    `Postgres.attach(...)` finds one again from what `facts()` said (the cluster's state file)."""

    def __init__(self, bindir: Path, folder: str | None = None, port: int | None = None, create: bool = True):
        self.bindir = Path(bindir)
        self.dir = Path(folder or tempfile.mkdtemp(prefix="nn-pg-"))
        self.data, self.socket_dir, self.log = self.dir / "data", self.dir / "sock", self.dir / "server.log"
        self.port = port or port_in()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root, and there is no `postgres` user to own the cluster "
                                   "(initdb refuses root)") from None
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgresql://playground@127.0.0.1:{self.port}/postgres"
        if not create:
            return
        self.socket_dir.mkdir(exist_ok=True)
        if self.as_user:
            for path in (self.dir, self.socket_dir):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "playground", "-A", "trust", "-E", "UTF8", "--no-sync")
        for attempt in range(5):  # another process (a second pytest worker) may take the port first
            try:
                self.start()
                break
            except RuntimeError:
                if attempt == 4:
                    raise
                self.port = port_in(random.randint(9500, 9599))
        self.url = f"postgresql://playground@127.0.0.1:{self.port}/postgres"

    @classmethod
    def attach(cls, facts: dict) -> "Postgres":
        """The cluster `facts()` described, as it is now (running or not)."""
        return cls(Path(facts["bindir"]), facts["dir"], int(facts["port"]), create=False)

    def facts(self) -> dict:
        return {"bindir": str(self.bindir), "dir": str(self.dir), "port": self.port}

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self.as_user, str(self.bindir / tool), *args], capture_output=True, text=True,
                              timeout=120, cwd=self.dir)
        if done.returncode:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}{log[-2000:]}")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c max_connections=100", "start")

    def new_database(self, name: str | None = None) -> str:
        import psycopg

        name = name or "runs_" + secrets.token_hex(4)
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")  # a generated name, not data
        return f"postgresql://playground@127.0.0.1:{self.port}/{name}"

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "restart")

    def pause(self) -> None:
        """Stop the server (fast: open connections are cut) and keep its data: start() brings it back."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        done = subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"],
                              capture_output=True, text=True, timeout=30, cwd=self.dir)
        return done.returncode == 0

    def stop(self) -> None:
        try:
            if self.data.exists() and self.running():
                self.pause()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
