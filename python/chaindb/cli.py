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
    ]:
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("--schema", action="append", dest="schemas", help="limit to this schema (repeatable)")
        if name == "rollback":
            cmd.add_argument("--all", action="store_true", help="roll back every migration")
        if name == "schema":
            cmd.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
