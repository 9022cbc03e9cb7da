"""Command line behind the Makefile: ``python -m chaindb.cli <command>``.

Every command uses ``DATABASE_URL`` when it is set, else the embedded server
(``make db``), which it starts if needed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from chaindb import admin
from chaindb.embedded import Embedded, project_root, throwaway

#: Commands that write generated files: always on a throwaway server unless DATABASE_URL is set.
WRITERS = ("schema", "generate", "docs")


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    return url if url else Embedded().start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chaindb", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in [
        ("migrate", "apply pending migrations (roles first)"),
        ("rollback", "roll back the last migration (--all: every one)"),
        ("status", "list migrations and whether each is applied"),
        ("schema", "write sql/<schema>.sql snapshots (--check: fail on drift)"),
        ("roles", "create the project's roles (idempotent)"),
        ("url", "print the database URL in use"),
        ("pgtap", "run the pgTAP suites with pg_prove on a fresh migrated database"),
        ("generate", "write python/chaindb/<schema>/queries/ from queries/ (--check: fail on drift)"),
        ("docs", "write docs/<schema>.md and docs/README.md from the catalog (--check: fail on drift)"),
        ("verify", "fail when sql/<schema>.sql, the generated modules or docs/ differ from what the migrations give"),
    ]:
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("--schema", action="append", dest="schemas", help="limit to this schema (repeatable)")
        if name == "rollback":
            cmd.add_argument("--all", action="store_true", help="roll back every migration")
        if name in ("pgtap", "schema", "generate", "docs", "verify"):
            cmd.add_argument("--throwaway", action="store_true", help="use a throwaway server (not with DATABASE_URL)")
        if name == "pgtap":
            cmd.add_argument("files", nargs="*", help="pgTAP files (default: tests/pgtap/*/*.sql)")
        if name in ("schema", "generate", "docs"):
            cmd.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    if args.command in ("pgtap", "schema", "generate", "docs", "verify"):
        # files written into the checkout come from a throwaway server (never the embedded one's fixed port)
        throwaway_server = args.throwaway or args.command in WRITERS
        with scratch_database(throwaway_server=throwaway_server, name=f"chaindb_{args.command}") as scratch:
            if args.command == "pgtap":
                return _pgtap(scratch, args.files)
            schemas = args.schemas or admin.snapshot_names()
            if args.command == "schema":
                return _schema(scratch, schemas, check=args.check)
            if args.command == "generate":
                return _generate(scratch, args.schemas, check=args.check)
            if args.command == "docs":
                return _docs(scratch, check=args.check)
            failed = [
                _schema(scratch, schemas, check=True),
                _generate(scratch, args.schemas, check=True),
                _docs(scratch, check=True),
            ]
            return 1 if any(failed) else 0
    url = database_url()

    if args.command == "migrate":
        applied = admin.migrate(url, args.schemas)
        print(f"applied {len(applied)} migration(s)" + "".join(f"\n  {m}" for m in applied))
    elif args.command == "rollback":
        undone = admin.rollback(url, args.schemas, everything=args.all)
        print(f"rolled back {len(undone)} migration(s)" + "".join(f"\n  {m}" for m in undone))
    elif args.command == "status":
        for migration_id, is_applied in admin.status(url, args.schemas):
            print(f"{'applied' if is_applied else 'pending'}  {migration_id}")
    elif args.command == "roles":
        admin.ensure_roles(url)
        print("roles ok")
    elif args.command == "url":
        print(url)
    return 0


@contextmanager
def scratch_database(*, throwaway_server: bool, name: str) -> Iterator[str]:
    """A database migrated from zero, dropped afterwards: on a throwaway server when asked
    (and DATABASE_URL is unset), else on the DATABASE_URL server or the embedded one."""
    server = throwaway() if throwaway_server and not os.environ.get("DATABASE_URL") else None
    try:
        url = server.url(database="postgres") if server else database_url()
        scratch_url = admin.create_database(url, name)
        try:
            admin.migrate(scratch_url)
            yield scratch_url
        finally:
            admin.drop_database(url, name)
    finally:
        if server:
            server.stop()


def _generate(scratch_url: str, schemas: list[str] | None, *, check: bool) -> int:
    from chaindb.codegen.generate import main as codegen

    chosen = schemas or [s for s in admin.available_schemas() if (project_root() / "queries" / s).is_dir()]
    selection = [a for s in chosen for a in ("--schema", s)]
    return codegen(["--database-url", scratch_url, *selection, *(["--check"] if check else [])])


def _docs(scratch_url: str, *, check: bool) -> int:
    """docs/: every schema's page (and common's) and the index, from the scratch database."""
    import psycopg

    from chaindb.codegen import docs

    root = project_root()
    with psycopg.connect(scratch_url, autocommit=True) as conn:
        files = docs.render_docs(conn, [*admin.available_schemas(), "common"], root / "queries")
    if docs.write_or_check(root / "docs", files, check=check):
        return 0
    print("docs/ differs from what the migrations and queries give (run `make docs`)", file=sys.stderr)
    return 1


def _schema(scratch_url: str, schemas: list[str], *, check: bool) -> int:
    """Snapshots come from a scratch database migrated from zero, never from the working one."""
    drift = []
    for schema in schemas:
        text = admin.snapshot_text(scratch_url, schema)
        path = admin.snapshot_path(schema)
        if check:
            if not path.exists() or path.read_text() != text:
                drift.append(str(path.relative_to(project_root())))
        else:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(project_root())}")
    if drift:
        print("schema snapshot differs from the migrations (run `make schema`): " + ", ".join(drift), file=sys.stderr)
        return 1
    return 0


def _pgtap(scratch_url: str, files: list[str]) -> int:
    """pg_prove over the pgTAP files, in a scratch database migrated from zero."""
    root = project_root()
    paths = files or sorted(str(p.relative_to(root)) for p in (root / "tests" / "pgtap").glob("*/*.sql"))
    if not paths:
        print("no pgTAP files found under tests/pgtap/", file=sys.stderr)
        return 1
    return subprocess.run(["pg_prove", "--failures", "--dbname", scratch_url, *paths], cwd=root, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
