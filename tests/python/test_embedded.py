"""The embedded server behind `make db`: starts from nothing, is idempotent, stops."""

from __future__ import annotations

import socket
from pathlib import Path

import psycopg

from chaindb.embedded import Embedded, unprivileged_user


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_embedded_server_lifecycle(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    server = Embedded(root=tmp_path, port=free_port())
    try:
        url = server.start()
        assert server.running()
        assert server.start() == url, "a second start is a no-op"
        with psycopg.connect(url) as conn:
            row = conn.execute("select current_database(), inet_server_addr()::text").fetchone()
        assert row == ("chaindb", "127.0.0.1/32")
        assert (tmp_path / ".pgdata").exists()
        if unprivileged_user() is not None:
            assert (tmp_path / ".pgdata").is_symlink(), "as root the data lives where the server user can reach it"
        server.stop()
        assert not server.running()
        server.stop()
    finally:
        server.stop()
        if server.home != server.link:
            import shutil

            shutil.rmtree(server.home, ignore_errors=True)
