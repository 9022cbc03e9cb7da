"""A local PostgreSQL server run from the installed server binaries.

Used by ``make db`` / ``make db-stop`` and, through :func:`throwaway`, by the test suite.

Safe to share a machine with other checkouts and other users:

- **This checkout's server, or nothing.** ``.pgdata/server.json`` records the server's port,
  its data directory and the cluster's system identifier. A running server is found through
  its own ``postmaster.pid`` (never by trying a port), and before a command uses it,
  :meth:`Embedded.start` checks that the server answering on that port has this data
  directory and identifier; anything else is refused.
- **The port.** ``CHAINDB_PGPORT`` when set, else the recorded port, else 54329. When the
  port is taken by another program, a free one is picked and recorded, unless the port came
  from ``CHAINDB_PGPORT``: then the command fails and says so.
- **Authentication only this checkout's owner can pass.** ``initdb`` runs with
  ``scram-sha-256`` for every connection (TCP on 127.0.0.1 and the Unix socket); the
  generated passwords are kept in ``.pgdata/pgpass`` (mode 0600, in a 0700 folder), and the
  URLs name that file (``?passfile=...``), so psql, psycopg and :mod:`chaindb.db` log in
  without a password in the URL, and no other OS user can. The socket directory is 0700.
- **Roles.** Superuser ``postgres`` (used by the ``make`` targets), and the login role
  ``chaindb_app_login``, a member of ``chaindb_app``, created by the roles set-up
  (``make migrate``): how applications, and ``make demo``, connect.

PostgreSQL refuses to run as root, so when this process is root, ``initdb`` and ``postgres``
(and only they) are run as an unprivileged user (``postgres`` if it exists, else ``nobody``)
through ``setpriv``, and the data directory lives where that user can reach it: a private
``/tmp/chaindb-XXXXXXXX/`` folder (made by ``mkdtemp``, recorded in ``server.json``). As a
normal user the data directory is ``.pgdata/data``.

Command line::

    python -m chaindb.embedded start|stop|status|url|app-url|destroy
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

DEFAULT_PORT = 54329
SUPERUSER = "postgres"
#: The embedded server's login role for applications (member of chaindb_app).
APP_LOGIN = "chaindb_app_login"
DATABASE = "chaindb"
PORT_ENV = "CHAINDB_PGPORT"


class EmbeddedError(RuntimeError):
    """A refusal or failure of the embedded server, with a message meant for the user."""


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
    raise EmbeddedError("PostgreSQL server binaries not found: install postgresql-15 or set PG_BINDIR")


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
    raise EmbeddedError("running as root and no unprivileged user (postgres, nobody) exists")


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


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read (0600), whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(text)


def new_password() -> str:
    """A random password (URL-safe: no ``:`` or ``\\`` to escape in a pgpass file)."""
    return secrets.token_urlsafe(24)


def pgpass_text(passwords: dict[str, str]) -> str:
    """A libpq password file: one wildcard line per role (the URLs name the host and port)."""
    return "".join(f"*:*:*:{user}:{password}\n" for user, password in passwords.items())


def read_pgpass(path: Path) -> dict[str, str]:
    passwords = {}
    for line in path.read_text().splitlines():
        parts = line.split(":", 4)
        if len(parts) == 5:
            passwords[parts[3]] = parts[4]
    return passwords


def local_url(port: int, database: str, passfile: Path, user: str = SUPERUSER) -> str:
    """A libpq URL to 127.0.0.1:``port`` whose password comes from ``passfile``."""
    return f"postgresql://{user}@127.0.0.1:{port}/{database}?passfile={quote(str(passfile), safe='/')}"


def initdb(datadir: Path, password: str) -> None:
    """Create a cluster in ``datadir``: superuser ``postgres`` with ``password``, scram-sha-256
    for every connection (no trust, no peer), UTF8, C locale."""
    datadir.mkdir(parents=True, exist_ok=True)
    datadir.chmod(0o700)
    hand_to_server_user(datadir)
    pwfile = datadir.parent / f".initdb-pw-{os.getpid()}"
    write_private(pwfile, password + "\n")
    hand_to_server_user(pwfile)
    try:
        cmd = as_server_user([
            str(bindir() / "initdb"), "-D", str(datadir), "-U", SUPERUSER, "-A", "scram-sha-256",
            f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C", "--lc-messages=C", "--no-sync",
        ])
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    finally:
        pwfile.unlink(missing_ok=True)
    if result.returncode != 0:
        raise EmbeddedError(f"initdb failed:\n{result.stdout}\n{result.stderr}")


def server_options(port: int, socket_dir: Path, *, fast: bool) -> list[str]:
    """postgres command-line settings; ``fast`` trades durability for speed (tests only)."""
    opts = [
        "-p", str(port), "-k", str(socket_dir), "-c", "listen_addresses=127.0.0.1",
        "-c", "unix_socket_permissions=0700",
        "-c", "max_connections=200", "-c", "shared_buffers=256MB", "-c", "max_prepared_transactions=0",
    ]
    if fast:
        opts += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    return opts


def port_in_use(port: int) -> bool:
    """True when something listens on 127.0.0.1:``port`` (a port in TIME_WAIT is free)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def free_port(start: int = DEFAULT_PORT + 1, tries: int = 200) -> int:
    """The first free port from ``start`` on (predictable numbers), else one the OS picks."""
    for port in range(start, min(start + tries, 65536)):
        if not port_in_use(port):
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postmaster_port(datadir: Path) -> int | None:
    """The port of the server running on ``datadir`` (from its postmaster.pid), or None."""
    try:
        lines = (datadir / "postmaster.pid").read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, owned by another user
    return port


class ServerFolders:
    """The folders of a server this project runs: ``data/``, the socket folder ``run/`` and
    ``server.log`` under ``home`` (the embedded server, its standby)."""

    @property
    def home(self) -> Path:
        raise NotImplementedError

    @property
    def datadir(self) -> Path:
        return self.home / "data"

    @property
    def socket_dir(self) -> Path:
        return self.home / "run"

    @property
    def logfile(self) -> Path:
        return self.home / "server.log"

    def running(self) -> bool:
        return postmaster_port(self.datadir) is not None


class Embedded(ServerFolders):
    """The project's ``make db`` server: state in ``.pgdata/``, see the module docstring."""

    def __init__(self, root: Path | None = None, port: int | None = None) -> None:
        self.root = root or project_root()
        self.state_dir = self.root / ".pgdata"
        env = os.environ.get(PORT_ENV)
        if port is None and env:
            try:
                port = int(env)
            except ValueError:
                raise EmbeddedError(f"{PORT_ENV}={env!r} is not a port number") from None
        #: The port asked for (argument or CHAINDB_PGPORT), None when not asked.
        self.requested_port = port
        self.state: dict[str, Any] = self._load_state()

    # -- where things are -------------------------------------------------------------------

    @property
    def state_file(self) -> Path:
        return self.state_dir / "server.json"

    @property
    def passfile(self) -> Path:
        return self.state_dir / "pgpass"

    @property
    def home(self) -> Path:
        """The folder holding data/, the socket folder run/ and server.log."""
        recorded = self.state.get("home")
        if recorded:
            return Path(recorded)
        return self.state_dir

    @property
    def port(self) -> int:
        """The running server's port, else the one asked for, else the recorded one, else 54329."""
        return postmaster_port(self.datadir) or self.requested_port or self.state.get("port") or DEFAULT_PORT

    def url(self, database: str = DATABASE) -> str:
        """The superuser's URL (the password comes from ``.pgdata/pgpass``)."""
        return local_url(self.port, database, self.passfile)

    def app_url(self, database: str = DATABASE) -> str:
        """The URL of ``chaindb_app_login``, the applications' login role (member of chaindb_app)."""
        return local_url(self.port, database, self.passfile, APP_LOGIN)

    # -- state ------------------------------------------------------------------------------

    def _load_state(self) -> dict[str, Any]:
        if self.state_dir.is_symlink():
            raise EmbeddedError(
                f"{self.state_dir} is a link made by an older chaindb (trust authentication, port not"
                " recorded): run `make clean-db` (stops that server, removes its data), then `make db`"
            )
        try:
            state: dict[str, Any] = json.loads(self.state_file.read_text())
        except FileNotFoundError:
            return {}
        except ValueError as exc:
            raise EmbeddedError(f"{self.state_file} is unreadable ({exc}): remove .pgdata to start afresh") from None
        return state

    def _save_state(self) -> None:
        write_private(self.state_file, json.dumps(self.state, indent=2, sort_keys=True) + "\n")

    def _create(self) -> None:
        """Make .pgdata (0700), the passwords and the cluster."""
        if (self.state_dir / "data" / "PG_VERSION").exists():
            raise EmbeddedError(
                f"{self.state_dir} holds a cluster made by an older chaindb (trust authentication): "
                "run `make clean-db`, then `make db`"
            )
        self.state_dir.mkdir(mode=0o700, exist_ok=True)
        self.state_dir.chmod(0o700)
        # As root, the checkout may sit where the server user cannot enter (/root is 0700).
        home = self.state_dir if unprivileged_user() is None else Path(tempfile.mkdtemp(prefix="chaindb-"))
        self.state = {"root": str(self.root), "home": str(home)}
        passwords = {SUPERUSER: new_password(), APP_LOGIN: new_password()}
        write_private(self.passfile, pgpass_text(passwords))
        (home / "run").mkdir(mode=0o700, exist_ok=True)
        if home != self.state_dir:
            hand_to_server_user(home)
        initdb(home / "data", passwords[SUPERUSER])
        self._save_state()

    def password(self, user: str) -> str:
        return read_pgpass(self.passfile)[user]

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> str:
        """Start this checkout's server if it is not running (creating it first if needed), check
        that the server answering is this checkout's, and return the superuser's URL."""
        if not self.state:
            self._create()
        running = postmaster_port(self.datadir)
        if running is not None:
            if self.requested_port is not None and self.requested_port != running:
                raise EmbeddedError(
                    f"this checkout's server runs on port {running}, but {PORT_ENV}={self.requested_port}:"
                    f" unset {PORT_ENV}, or `make db-stop` first to move it to port {self.requested_port}"
                )
            port = running
        else:
            port = self._start_server()
        if self.state.get("port") != port:
            self.state["port"] = port
            self._save_state()
        self.verify(port, create_database=DATABASE)
        return self.url()

    def _choose_port(self) -> int:
        if self.requested_port is not None:
            if port_in_use(self.requested_port):
                raise EmbeddedError(
                    f"port {self.requested_port} ({PORT_ENV}) is in use by another program: set {PORT_ENV}"
                    f" to a free port, e.g. {PORT_ENV}={free_port(self.requested_port + 1)}"
                )
            return self.requested_port
        port = int(self.state.get("port") or DEFAULT_PORT)
        if port_in_use(port):
            chosen = free_port()
            print(
                f"port {port} is in use by another program; this checkout's server uses port {chosen}"
                f" (recorded in {self.state_file}; set {PORT_ENV} to choose)",
                file=sys.stderr,
            )
            return chosen
        return port

    def _start_server(self) -> int:
        port = self._choose_port()
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        self.logfile.touch()
        if self.home != self.state_dir:
            hand_to_server_user(self.home)
        opts = " ".join(server_options(port, self.socket_dir, fast=False))
        cmd = as_server_user([
            str(bindir() / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.datadir),
            "-l", str(self.logfile), "-o", opts,
        ])
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-2000:]
            if "Address already in use" in log:
                raise EmbeddedError(
                    f"port {port} was taken while the server started: set {PORT_ENV} to a free port and retry"
                )
            raise EmbeddedError(f"postgres did not start:\n{result.stderr}\n{log}")
        return port

    def verify(self, port: int | None = None, *, create_database: str | None = None) -> None:
        """Refuse unless the server answering on the port is this checkout's: it must accept this
        checkout's password and report this data directory and system identifier. Then create
        ``create_database`` if it is missing (same connection)."""
        import psycopg
        from psycopg import sql

        port = port or self.port
        try:
            with psycopg.connect(
                local_url(port, "postgres", self.passfile), connect_timeout=10, autocommit=True
            ) as conn:
                row = conn.execute(
                    "select current_setting('data_directory'), system_identifier::text,"
                    " exists (select from pg_database where datname = %s) from pg_control_system()",
                    (create_database,),
                ).fetchone()
                assert row is not None
                datadir, system_id, has_database = row
                self._check_identity(port, datadir, system_id)
                if create_database and not has_database:
                    conn.execute(sql.SQL("create database {}").format(sql.Identifier(create_database)))
        except psycopg.OperationalError as exc:
            raise EmbeddedError(
                f"the server on 127.0.0.1:{port} is not this checkout's, or is not ready: {exc}".strip()
            ) from None

    def _check_identity(self, port: int, datadir: str, system_id: str) -> None:
        if Path(datadir).resolve() != self.datadir.resolve():
            raise EmbeddedError(
                f"the server on 127.0.0.1:{port} serves {datadir}, not this checkout's {self.datadir}: refusing"
            )
        recorded = self.state.get("system_identifier")
        if recorded is None:
            self.state["system_identifier"] = system_id
            self._save_state()
        elif recorded != system_id:
            raise EmbeddedError(
                f"the server on 127.0.0.1:{port} is cluster {system_id}, not this checkout's {recorded}: refusing"
            )

    def ensure_app_login(self, url: str | None = None) -> None:
        """Create ``chaindb_app_login``, a login member of ``chaindb_app``, when it is missing.
        Part of the roles set-up on the embedded server: chaindb_app must exist."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(url or self.url(), autocommit=True) as conn:
            row = conn.execute(
                "select exists (select from pg_roles where rolname = %s),"
                " exists (select from pg_roles where rolname = %s and pg_has_role(oid, 'chaindb_app', 'MEMBER'))",
                (APP_LOGIN, APP_LOGIN),
            ).fetchone()
            exists, member = row if row else (False, False)
            if not exists:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(APP_LOGIN), sql.Literal(self.password(APP_LOGIN))))
            if not member:
                conn.execute(sql.SQL("GRANT chaindb_app TO {}").format(sql.Identifier(APP_LOGIN)))

    def stop(self) -> None:
        """Stop this checkout's server if it runs; idempotent."""
        if self.running():
            cmd = as_server_user([str(bindir() / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.datadir)])
            subprocess.run(cmd, check=True, capture_output=True)

    def describe(self) -> str:
        """One line: running or stopped, port, data directory. Reads only."""
        if not self.state:
            return f"no embedded server in {self.state_dir} (`make db` creates it)"
        port = postmaster_port(self.datadir)
        if port is None:
            return f"stopped (port {self.port} when started) data={self.datadir}"
        return f"running on 127.0.0.1:{port} data={self.datadir} url={self.url()}"


def destroy(root: Path | None = None) -> list[Path]:
    """Stop the checkout's server and remove its data and ``.pgdata`` (also one made by an older
    chaindb: a ``.pgdata`` link into /tmp). Returns what was removed. Idempotent."""
    state_dir = (root or project_root()) / ".pgdata"
    homes: list[Path] = []
    if state_dir.is_symlink():
        homes.append(state_dir.resolve())
    elif (state_dir / "server.json").exists():
        with contextlib.suppress(ValueError, OSError):
            homes.append(Path(json.loads((state_dir / "server.json").read_text())["home"]))
    if state_dir.is_dir() and not state_dir.is_symlink():
        homes.append(state_dir)
    removed = []
    for home in dict.fromkeys(homes):
        data = home / "data"
        if postmaster_port(data) is not None:
            cmd = as_server_user([str(bindir() / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(data)])
            subprocess.run(cmd, check=False, capture_output=True)
        if home.exists():
            shutil.rmtree(home, ignore_errors=True)
            removed.append(home)
    if state_dir.is_symlink():
        state_dir.unlink()
        removed.append(state_dir)
    return removed


def throwaway() -> Any:
    """A throwaway server in a temporary folder (testing.postgresql), durability off.

    Same authentication as the embedded server: a generated superuser password, kept in
    ``<base_dir>/pgpass`` (0600) and named by ``url()``. ``initdb`` and ``postgres`` drop to
    the unprivileged user under root. The caller stops it with ``.stop()``, which removes its
    folder. Requires the dev dependency testing.postgresql.
    """
    import testing.postgresql

    class Throwaway(testing.postgresql.Postgresql):  # type: ignore[misc]
        def initialize(self) -> None:
            self.settings["initdb"] = str(bindir() / "initdb")
            self.settings["postgres"] = str(bindir() / "postgres")
            super().initialize()

        @property
        def passfile(self) -> Path:
            return Path(self.base_dir) / "pgpass"

        def initialize_database(self) -> None:
            data = Path(self.base_dir) / "data"
            if not (data / "PG_VERSION").exists():
                password = new_password()
                write_private(self.passfile, pgpass_text({SUPERUSER: password}))
                hand_to_server_user(Path(self.base_dir))
                initdb(data, password)

        def url(self, **kwargs: Any) -> str:
            params = self.dsn(**kwargs)
            return local_url(params["port"], params["database"], self.passfile, params["user"])

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
    verb = argv[0] if argv else "status"
    try:
        if verb == "destroy":
            for path in destroy():
                print(f"removed {path}")
            return 0
        server = Embedded()
        if verb == "start":
            print(server.start())
            print(f"applications (after `make migrate`): {server.app_url()}", file=sys.stderr)
        elif verb == "stop":
            server.stop()
            print("stopped")
        elif verb == "status":
            print(server.describe())
        elif verb == "url":
            print(server.url())
        elif verb == "app-url":
            print(server.app_url())
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except EmbeddedError as exc:
        print(f"chaindb: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
