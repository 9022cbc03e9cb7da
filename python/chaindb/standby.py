"""A streaming read replica (hot standby) of a local server, for ``make replica`` and the tests.

Made with ``pg_basebackup -R`` (a copy of the primary's data folder that knows how to follow it)
and run from the same server binaries, on 127.0.0.1, with the same safety as
:mod:`chaindb.embedded`: as root, ``pg_basebackup``, ``pg_ctl`` and ``postgres`` run as the
unprivileged server user; the standby keeps its own password file (0600, in its own 0700 folder)
that its ``primary_conninfo`` names; it only ever acts on its own data folder.

- ``make replica``: a standby of the embedded server (``make db``), in ``<its home>/standby``,
  on ``CHAINDB_REPLICA_PORT``, else the embedded server's port + 1 (else a free one). Its URLs use
  the embedded server's passwords (it is a copy). ``make replica-stop`` stops it.
- Tests and benchmarks: ``Standby(home).create(primary_url)`` then ``.start(apply_delay="1s")``:
  ``recovery_min_apply_delay`` holds each commit back that long, a lag on demand.

Command line::

    python -m chaindb.standby start|stop|status|url
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from chaindb.embedded import (
    SUPERUSER,
    Embedded,
    EmbeddedError,
    ServerFolders,
    as_server_user,
    bindir,
    free_port,
    hand_to_server_user,
    local_url,
    pgpass_text,
    port_in_use,
    postmaster_port,
    read_pgpass,
    server_options,
    write_private,
)

PORT_ENV = "CHAINDB_REPLICA_PORT"


class Standby(ServerFolders):
    """A hot standby kept in ``home`` (``data/``, ``run/``, ``server.log``, ``pgpass``)."""

    def __init__(self, home: Path, port: int | None = None) -> None:
        self._home = home
        self.requested_port = port

    @property
    def home(self) -> Path:
        return self._home

    @property
    def passfile(self) -> Path:
        return self.home / "pgpass"

    @property
    def port(self) -> int | None:
        """The running standby's port (its postmaster.pid), else the one asked for."""
        return postmaster_port(self.datadir) or self.requested_port

    def exists(self) -> bool:
        return (self.datadir / "PG_VERSION").exists()

    def url(self, database: str = "postgres", user: str = SUPERUSER, passfile: Path | None = None) -> str:
        if self.port is None:
            raise EmbeddedError("the standby has no port: start it first")
        return local_url(self.port, database, passfile or self.passfile, user)

    def create(self, primary_url: str) -> None:
        """Copy the primary (``pg_basebackup -R -X stream``) into ``home/data``; the primary's
        user must be allowed to replicate (a superuser is; initdb's pg_hba lets 127.0.0.1 in)."""
        if self.exists():
            raise EmbeddedError(f"{self.datadir} already holds a standby: stop it and remove {self.home} first")
        info = psycopg.conninfo.conninfo_to_dict(primary_url)
        user = str(info.get("user") or SUPERUSER)
        password = info.get("password")
        if password is None and info.get("passfile"):
            password = read_pgpass(Path(str(info["passfile"]))).get(user)
        if password is None:
            raise EmbeddedError("the primary URL gives no password (password= or passfile=) for pg_basebackup")
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.home.chmod(0o700)
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        write_private(self.passfile, pgpass_text({user: str(password)}))
        hand_to_server_user(self.home)
        source = local_url(int(info.get("port") or 5432), "postgres", self.passfile, user)
        cmd = as_server_user([
            str(bindir() / "pg_basebackup"), "-d", source, "-D", str(self.datadir), "-R", "-X", "stream",
            "-c", "fast", "--no-sync",
        ])
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise EmbeddedError(f"pg_basebackup failed:\n{result.stdout}\n{result.stderr}")

    def start(self, *, apply_delay: str | None = None, fast: bool = False) -> int:
        """Start the standby (hot standby: read-only queries while it replays); returns its port.
        ``apply_delay``: ``recovery_min_apply_delay`` (e.g. ``"1s"``), a lag for tests."""
        if self.running():
            return postmaster_port(self.datadir) or 0
        port = self.requested_port or free_port()
        if port_in_use(port):
            raise EmbeddedError(f"port {port} is in use by another program: choose another ({PORT_ENV})")
        opts = [*server_options(port, self.socket_dir, fast=fast), "-c", "hot_standby=on"]
        if apply_delay:
            opts += ["-c", f"recovery_min_apply_delay={apply_delay}"]
        self.logfile.touch()
        hand_to_server_user(self.home)
        cmd = as_server_user([
            str(bindir() / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.datadir), "-l", str(self.logfile),
            "-o", " ".join(opts),
        ])
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-2000:]
            raise EmbeddedError(f"the standby did not start:\n{result.stderr}\n{log}")
        self.requested_port = port
        return port

    def stop(self) -> None:
        """Stop the standby if it runs; idempotent."""
        if self.running():
            cmd = as_server_user([str(bindir() / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.datadir)])
            subprocess.run(cmd, check=True, capture_output=True)


def embedded_standby() -> tuple[Embedded, Standby]:
    """The embedded server and its standby (``<home>/standby``), the port from CHAINDB_REPLICA_PORT."""
    server = Embedded()
    env = os.environ.get(PORT_ENV)
    port = int(env) if env else None
    standby = Standby(server.home / "standby", port)
    if port is None and not standby.running():
        standby.requested_port = server.port + 1 if not port_in_use(server.port + 1) else free_port(server.port + 2)
    return server, standby


def main(argv: list[str]) -> int:
    verb = argv[0] if argv else "status"
    try:
        server, standby = embedded_standby()
        if verb == "start":
            if not server.running():
                raise EmbeddedError("the embedded server is not running: `make db` first")
            if not standby.exists():
                standby.create(server.url("postgres"))
            standby.start()
            print(standby.url("chaindb", passfile=server.passfile))
            print(f"applications (read-only): {standby.url('chaindb', 'chaindb_app_login', server.passfile)}",
                  file=sys.stderr)
        elif verb == "stop":
            standby.stop()
            print("stopped")
        elif verb == "status":
            state = f"running on 127.0.0.1:{standby.port}" if standby.running() else "stopped"
            print(f"standby {state} data={standby.datadir}")
        elif verb == "url":
            print(standby.url("chaindb", passfile=server.passfile))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except EmbeddedError as exc:
        print(f"chaindb: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
