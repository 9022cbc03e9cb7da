"""Command line behind the Makefile: ``python -m chaindb.cli <command>``.

Every command uses ``DATABASE_URL`` when it is set, else the embedded server
(``make db``), which it starts if needed.
"""

from __future__ import annotations

import argparse
import os
import sys

from chaindb import admin
from chaindb.embedded import Embedded


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
    ]:
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("--schema", action="append", dest="schemas", help="limit to this schema (repeatable)")
        if name == "rollback":
            cmd.add_argument("--all", action="store_true", help="roll back every migration")
        if name == "pgtap":
            cmd.add_argument("--throwaway", action="store_true", help="on a throwaway server unless DATABASE_URL is set")
            cmd.add_argument("files", nargs="*", help="pgTAP files (default: tests/pgtap/*/*.sql)")
        if name == "schema":
            cmd.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    if args.command == "pgtap":
        return _pgtap(args.files, throwaway_server=args.throwaway and not os.environ.get("DATABASE_URL"))
    url = database_url()

    if args.command == "migrate":
        applied = admin.migrate(url, args.schemas)
        print(f"applied {len(applied)} migration(s)" + "".join(f"\n  {m}" for m in applied))
    elif args.command == "rollback":
        undone = admin.rollback(url, args.schemas, everything=args.all)
        print(f"rolled back {len(undone)} migration(s)" + "".join(f"\n  {m}" for m in undone))
    elif args.command == "status":
        for migration_id, applied in admin.status(url, args.schemas):
            print(f"{'applied' if applied else 'pending'}  {migration_id}")
    elif args.command == "roles":
        admin.ensure_roles(url)
        print("roles ok")
    elif args.command == "url":
        print(url)
    elif args.command == "schema":
        return _schema(url, args.schemas or admin.available_schemas(), check=args.check)
    return 0


def _schema(url: str, schemas: list[str], *, check: bool) -> int:
    """Snapshots come from a scratch database migrated from zero, never from the working one."""
    scratch = "chaindb_snapshot"
    scratch_url = admin.create_database(url, scratch)
    try:
        admin.migrate(scratch_url)
        drift = []
        for schema in schemas:
            text = admin.snapshot_text(scratch_url, schema)
            path = admin.snapshot_path(schema)
            if check:
                if not path.exists() or path.read_text() != text:
                    drift.append(str(path.relative_to(admin.project_root())))
            else:
                path.parent.mkdir(exist_ok=True)
                path.write_text(text)
                print(f"wrote {path.relative_to(admin.project_root())}")
    finally:
        admin.drop_database(url, scratch)
    if drift:
        print("schema snapshot differs from the migrations (run `make schema`): " + ", ".join(drift), file=sys.stderr)
        return 1
    return 0


def _pgtap(files: list[str], *, throwaway_server: bool) -> int:
    """pg_prove over the pgTAP files, in a scratch database migrated from zero."""
    import subprocess

    from chaindb.embedded import throwaway

    root = admin.project_root()
    paths = files or sorted(str(p.relative_to(root)) for p in (root / "tests" / "pgtap").glob("*/*.sql"))
    if not paths:
        print("no pgTAP files found under tests/pgtap/", file=sys.stderr)
        return 1
    server = throwaway() if throwaway_server else None
    try:
        url = server.url(database="postgres") if server else database_url()
        scratch_url = admin.create_database(url, "chaindb_pgtap")
        try:
            admin.migrate(scratch_url)
            return subprocess.run(
                ["pg_prove", "--failures", "--dbname", scratch_url, *paths], cwd=root, check=False
            ).returncode
        finally:
            admin.drop_database(url, "chaindb_pgtap")
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
