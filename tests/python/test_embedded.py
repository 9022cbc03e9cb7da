"""The embedded server behind `make db`: this checkout's server or none, its port remembered, a
password only this checkout's owner can read, the app login role, and the non-root path."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from chaindb import admin, embedded
from chaindb.embedded import APP_LOGIN, Embedded, EmbeddedError, unprivileged_user

IS_ROOT = os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def checkouts(tmp_path: Path) -> Iterator[list[Path]]:
    """Two empty 'checkouts' (a pyproject.toml each); their servers are destroyed afterwards."""
    roots = []
    for name in ("clone-a", "clone-b"):
        root = tmp_path / name
        root.mkdir()
        (root / "pyproject.toml").write_text("")
        roots.append(root)
    yield roots
    for root in roots:
        embedded.destroy(root)


def current_datadir(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("select current_setting('data_directory')").fetchone()
    assert row is not None
    return str(row[0])


def test_embedded_server_lifecycle(checkouts: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAINDB_PGPORT", raising=False)
    root = checkouts[0]
    server = Embedded(root=root, port=free_port())
    url = server.start()
    assert server.running()
    assert server.start() == url, "a second start is a no-op"
    with psycopg.connect(url) as conn:
        row = conn.execute("select current_database(), inet_server_addr()::text").fetchone()
    assert row == ("chaindb", "127.0.0.1/32")
    state_dir = root / ".pgdata"
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((state_dir / "pgpass").stat().st_mode) == 0o600
    state = json.loads((state_dir / "server.json").read_text())
    assert state["port"] == server.port and state["system_identifier"]
    if unprivileged_user() is not None:
        assert not (state_dir / "data").exists(), "as root the data lives where the server user can reach it"
        assert Path(state["home"]).parent == Path("/tmp") or Path(state["home"]).name.startswith("chaindb-")
    server.stop()
    assert not server.running()
    assert "stopped" in server.describe()
    server.stop()
    assert Embedded(root=root).start() == url, "restarts on the recorded port"
    removed = embedded.destroy(root)
    assert state_dir in removed and not state_dir.exists()
    assert embedded.destroy(root) == [], "destroy is idempotent"


def test_the_recorded_port_is_used_and_each_checkout_acts_on_its_own_server(
    checkouts: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    a_root, b_root = checkouts
    port_a, port_b = free_port(), free_port()
    monkeypatch.setenv("CHAINDB_PGPORT", str(port_a))
    a = Embedded(root=a_root)
    a.start()
    monkeypatch.setenv("CHAINDB_PGPORT", str(port_b))
    Embedded(root=b_root).start()

    # Later, without the variable, clone B finds its own server, never A's.
    monkeypatch.delenv("CHAINDB_PGPORT")
    b = Embedded(root=b_root)
    assert b.port == port_b
    assert str(b.datadir) in b.describe() and f":{port_b}" in b.describe()
    assert b.start().startswith(f"postgresql://postgres@127.0.0.1:{port_b}/")
    assert Path(current_datadir(b.url())).resolve() == b.datadir.resolve()
    assert Path(current_datadir(a.url())).resolve() == a.datadir.resolve() != b.datadir.resolve()

    # A rollback through B's URL acts on B's database: it holds B's objects only.
    admin.migrate(b.url(), ["cocopay"])
    assert admin.rollback(b.url(), ["cocopay"]) == [admin.plan(["cocopay"])[-1].id]
    with psycopg.connect(a.url()) as conn:
        assert conn.execute("select to_regclass('_yoyo_migration')").fetchone() == (None,)


def test_a_server_that_is_not_this_checkouts_is_refused(checkouts: list[Path]) -> None:
    a_root, b_root = checkouts
    a = Embedded(root=a_root, port=free_port())
    a.start()
    b = Embedded(root=b_root, port=free_port())
    b.start()
    b.stop()
    # B's own password does not open A's server ...
    with pytest.raises(EmbeddedError, match="not this checkout's"):
        b.verify(a.port)
    # ... and even with A's password, A's server reports another data directory.
    shutil.copy(a.passfile, b.passfile)
    with pytest.raises(EmbeddedError, match=r"serves .*, not this checkout's"):
        b.verify(a.port)


def test_a_running_server_is_not_moved_by_another_port(checkouts: list[Path]) -> None:
    root = checkouts[0]
    first = Embedded(root=root, port=free_port())
    first.start()
    with pytest.raises(EmbeddedError, match="CHAINDB_PGPORT"):
        Embedded(root=root, port=free_port()).start()


def test_a_taken_default_port_gives_a_free_one_or_a_message_naming_chaindb_pgport(
    checkouts: list[Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CHAINDB_PGPORT", raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = int(taken.getsockname()[1])
        monkeypatch.setattr(embedded, "DEFAULT_PORT", busy)
        server = Embedded(root=checkouts[0])
        server.start()
        assert server.port != busy
        assert json.loads(server.state_file.read_text())["port"] == server.port
        assert f"port {busy} is in use" in capsys.readouterr().err

        monkeypatch.setenv("CHAINDB_PGPORT", str(busy))
        monkeypatch.setattr(embedded, "project_root", lambda: checkouts[1])
        assert embedded.main(["start"]) == 1
        err = capsys.readouterr().err
        assert f"port {busy} (CHAINDB_PGPORT) is in use" in err and "Traceback" not in err


def as_user(user: str) -> list[str]:
    """A command prefix that runs what follows as ``user`` (we are root)."""
    setpriv = shutil.which("setpriv") or "setpriv"
    return [setpriv, f"--reuid={user}", f"--regid={pwd.getpwnam(user).pw_gid}", "--clear-groups", "--"]


def other_user(server_user: str | None) -> str:
    for name in ("nobody", "postgres"):
        if name != server_user:
            pwd.getpwnam(name)
            return name
    raise AssertionError("no other user")


@pytest.mark.skipif(not IS_ROOT, reason="switching to another OS user needs root")
def test_another_os_user_cannot_connect(checkouts: list[Path]) -> None:
    server = Embedded(root=checkouts[0], port=free_port())
    url = server.start()
    psql = admin.pg_tool("psql")
    # No trust: without the password file even this checkout's owner is refused.
    bare = f"postgresql://postgres@127.0.0.1:{server.port}/chaindb"
    result = subprocess.run([psql, "-X", "-w", bare, "-c", "select 1"], capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "password" in result.stderr
    intruder = other_user(unprivileged_user())
    as_intruder = [*as_user(intruder), "env", "HOME=/tmp"]
    for target in (url, bare, f"host={server.socket_dir} port={server.port} user=postgres dbname=chaindb"):
        result = subprocess.run([*as_intruder, psql, "-X", "-w", target, "-c", "select 1"],
                                capture_output=True, text=True, check=False)
        assert result.returncode != 0, f"{intruder} connected through {target}"
        assert "password" in result.stderr or "Permission denied" in result.stderr, result.stderr


def test_the_app_login_role_is_a_member_of_chaindb_app(checkouts: list[Path]) -> None:
    server = Embedded(root=checkouts[0], port=free_port())
    url = server.start()
    admin.ensure_roles(url)
    server.ensure_app_login()
    server.ensure_app_login()  # idempotent
    with psycopg.connect(server.app_url()) as conn:
        row = conn.execute(
            "select current_user, pg_has_role(current_user, 'chaindb_app', 'MEMBER'), rolsuper"
            " from pg_roles where rolname = current_user"
        ).fetchone()
    assert row == (APP_LOGIN, True, False)


def test_an_older_pgdata_link_is_refused_and_destroyed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    old_home = tmp_path / "old-home"
    (old_home / "data").mkdir(parents=True)
    (tmp_path / ".pgdata").symlink_to(old_home)
    with pytest.raises(EmbeddedError, match="make clean-db"):
        Embedded(root=tmp_path)
    assert set(embedded.destroy(tmp_path)) == {old_home, tmp_path / ".pgdata"}
    assert not old_home.exists() and not (tmp_path / ".pgdata").exists()


NON_ROOT_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    import psycopg
    from chaindb import embedded
    root = Path(sys.argv[1])
    server = embedded.Embedded(root=root, port=int(sys.argv[2]))
    try:
        url = server.start()
        with psycopg.connect(url) as conn:
            print(conn.execute("select current_setting('data_directory'), current_user").fetchone()[0])
        print(embedded.unprivileged_user())
    finally:
        embedded.destroy(root)
""")


def runnable_python(user: str) -> tuple[str, dict[str, str]] | None:
    """An interpreter ``user`` may run with this environment's packages, and its environment."""
    site = str(Path(psycopg.__file__).resolve().parents[1])
    package = str(Path(embedded.__file__).resolve().parents[1])
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONPATH": f"{package}:{site}"}
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, shutil.which(version, path="/usr/local/bin:/usr/bin") or ""):
        if not candidate:
            continue
        probe = subprocess.run([*as_user(user), candidate, "-c", "import psycopg, chaindb.embedded"],
                               env=env, capture_output=True, check=False)
        if probe.returncode == 0:
            return candidate, env
    return None


@pytest.mark.skipif(not IS_ROOT, reason="runs the test as an unprivileged user, which needs root")
def test_the_embedded_server_runs_for_a_normal_user() -> None:
    user = "nobody"
    found = runnable_python(user)
    if found is None:
        pytest.skip(f"no Python interpreter that {user} may run with this environment's packages")
    python, env = found
    # A checkout the user owns, where the user can reach it (pytest's tmp_path is root's, 0700).
    checkout = Path(tempfile.mkdtemp(prefix="chaindb-user-checkout-"))
    try:
        (checkout / "pyproject.toml").write_text("")
        entry = pwd.getpwnam(user)
        os.chown(checkout, entry.pw_uid, entry.pw_gid)
        result = subprocess.run(
            [*as_user(user), python, "-c", NON_ROOT_SCRIPT, str(checkout), str(free_port())],
            env=env, capture_output=True, text=True, check=False, timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        datadir, server_user = result.stdout.split()
        assert datadir == str(checkout / ".pgdata" / "data"), "as a normal user the data lives in the checkout"
        assert server_user == "None", "no user switch when not root"
        assert not (checkout / ".pgdata").exists()
    finally:
        shutil.rmtree(checkout, ignore_errors=True)
