"""A local PostgreSQL server run from the installed server binaries.

Used by ``make db`` / ``make db-stop`` and by the test suite. PostgreSQL refuses
to run as root, so when this process is root, ``initdb`` and ``postgres`` (and
only they) are run as an unprivileged user (``postgres`` if it exists, else
``nobody``) through ``setpriv``, and the data directory lives where that user
can reach it: under ``/tmp/chaindb-<checkout hash>/``, with ``.pgdata`` a
symlink to it. As a normal user the data directory is ``.pgdata/`` itself.

Command line::

    python -m chaindb.embedded start|stop|status|url
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

DEFAULT_PORT = 54329
SUPERUSER = "postgres"
DATABASE = "chaindb"


def project_root() -> Path:
    """The checkout: the folder holding pyproject.toml above this file."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists():
            return parent
    return Path.cwd()


def bindir() -> Path:
    """Where the PostgreSQL server binaries are (``PG_BINDIR`` overrides)."""
    env = os.environ.get("PG_BINDIR")
    if env:
        return Path(env)
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("postgres")
    if found:
        return Path(found).resolve().parent
    raise RuntimeError("PostgreSQL server binaries not found: install postgresql-15 or set PG_BINDIR")


def unprivileged_user() -> str | None:
    """The user to run the server as when we are root; None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("CHAINDB_PGUSER_OS", ""), "postgres", "nobody"):
        if not name:
            continue
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and no unprivileged user (postgres, nobody) exists")


def as_server_user(argv: list[str]) -> list[str]:
    """Prefix a command so that it runs as the unprivileged user when we are root."""
    user = unprivileged_user()
    if user is None:
        return argv
    return ["setpriv", f"--reuid={user}", f"--regid={pwd.getpwnam(user).pw_gid}", "--init-groups", "--", *argv]


def hand_to_server_user(path: Path) -> None:
    """chown a directory tree to the server user (no-op when not root)."""
    user = unprivileged_user()
    if user is None:
        return
    entry = pwd.getpwnam(user)
    os.lchown(path, entry.pw_uid, entry.pw_gid)
    for dirpath, dirnames, filenames in os.walk(path):
        os.chown(dirpath, entry.pw_uid, entry.pw_gid)
        for name in dirnames + filenames:
            os.lchown(os.path.join(dirpath, name), entry.pw_uid, entry.pw_gid)


def initdb(datadir: Path) -> None:
    """Create a cluster in ``datadir`` (trust auth on loopback and the socket only)."""
    datadir.mkdir(parents=True, exist_ok=True)
    datadir.chmod(0o700)
    hand_to_server_user(datadir)
    cmd = as_server_user([
        str(bindir() / "initdb"), "-D", str(datadir), "-U", SUPERUSER, "-A", "trust",
        "-E", "UTF8", "--locale=C", "--lc-messages=C", "--no-sync",
    ])
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")


def server_options(port: int, socket_dir: Path, *, fast: bool) -> list[str]:
    """postgres command-line settings; ``fast`` trades durability for speed (tests only)."""
    opts = [
        "-p", str(port), "-k", str(socket_dir), "-c", "listen_addresses=127.0.0.1",
        "-c", "max_connections=200", "-c", "shared_buffers=256MB", "-c", "max_prepared_transactions=0",
    ]
    if fast:
        opts += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    return opts


class Embedded:
    """The project's ``make db`` server: data under ``.pgdata``, port ``CHAINDB_PGPORT``."""

    def __init__(self, root: Path | None = None, port: int | None = None) -> None:
        self.root = root or project_root()
        self.port = port or int(os.environ.get("CHAINDB_PGPORT", DEFAULT_PORT))
        self.link = self.root / ".pgdata"

    @property
    def home(self) -> Path:
        """The folder holding data/, sockets and the log."""
        if unprivileged_user() is None:
            return self.link
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"chaindb-{digest}"

    @property
    def datadir(self) -> Path:
        return self.home / "data"

    @property
    def socket_dir(self) -> Path:
        return self.home / "run"

    @property
    def logfile(self) -> Path:
        return self.home / "server.log"

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def running(self) -> bool:
        if not (self.datadir / "PG_VERSION").exists():
            return False
        cmd = as_server_user([str(bindir() / "pg_ctl"), "status", "-D", str(self.datadir)])
        return subprocess.run(cmd, capture_output=True, check=False).returncode == 0

    def start(self) -> str:
        """Start the server (initialising it first if needed); idempotent. Returns its URL."""
        self.home.mkdir(parents=True, exist_ok=True)
        if self.home != self.link and not self.link.exists():
            self.link.symlink_to(self.home)
        if not (self.datadir / "PG_VERSION").exists():
            initdb(self.datadir)
        self.socket_dir.mkdir(exist_ok=True)
        self.logfile.touch()
        if self.home != self.link:
            hand_to_server_user(self.home)
        if not self.running():
            opts = " ".join(server_options(self.port, self.socket_dir, fast=False))
            cmd = as_server_user([
                str(bindir() / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.datadir),
                "-l", str(self.logfile), "-o", opts,
            ])
            result = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                log = self.logfile.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"postgres did not start:\n{result.stderr}\n{log}")
        self.ensure_database(DATABASE)
        return self.url()

    def ensure_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            if conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone() is None:
                conn.execute(psycopg.sql.SQL("create database {}").format(psycopg.sql.Identifier(name)))

    def stop(self) -> None:
        """Stop the server if it runs; idempotent."""
        if self.running():
            cmd = as_server_user([str(bindir() / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.datadir)])
            subprocess.run(cmd, check=True, capture_output=True)


def throwaway() -> Any:
    """A throwaway server in a temporary folder (testing.postgresql), durability off.

    ``initdb`` and ``postgres`` drop to the unprivileged user under root. The
    caller stops it with ``.stop()``, which removes its folder. Requires the
    dev dependency testing.postgresql.
    """
    import testing.postgresql

    class Throwaway(testing.postgresql.Postgresql):  # type: ignore[misc]
        def initialize(self) -> None:
            self.settings["initdb"] = str(bindir() / "initdb")
            self.settings["postgres"] = str(bindir() / "postgres")
            super().initialize()

        def initialize_database(self) -> None:
            data = Path(self.base_dir) / "data"
            if not (data / "PG_VERSION").exists():
                hand_to_server_user(Path(self.base_dir))
                initdb(data)

        def get_server_commandline(self) -> list[str]:
            hand_to_server_user(Path(self.base_dir))
            opts = server_options(self.settings["port"], Path(self.base_dir) / "tmp", fast=True)
            return as_server_user([self.postgres, "-D", str(Path(self.base_dir) / "data"), *opts])

        def poststart(self) -> None:
            pass

        def is_server_available(self) -> bool:
            import psycopg

            try:
                with psycopg.connect(self.url(database="template1"), connect_timeout=1):
                    return True
            except psycopg.Error:
                return False

    return Throwaway()


def main(argv: list[str]) -> int:
    server = Embedded()
    verb = argv[0] if argv else "status"
    if verb == "start":
        print(server.start())
    elif verb == "stop":
        server.stop()
        print("stopped")
    elif verb == "status":
        print(f"{'running' if server.running() else 'stopped'} {server.url()} data={server.datadir}")
    elif verb == "url":
        print(server.url())
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
