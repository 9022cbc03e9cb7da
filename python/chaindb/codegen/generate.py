"""Command line: ``python -m chaindb.codegen --schema NAME [--schema ...|--all] [--check]``."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path
from typing import Any

import psycopg

from chaindb.codegen.analyze import analyze
from chaindb.codegen.catalog import Catalog
from chaindb.codegen.loader import QueryFileError, display_path, load_schema
from chaindb.codegen.render import RenderError, render_module

PACKAGE_DIR = Path(__file__).resolve().parent.parent


class GenerationError(Exception):
    pass


def default_queries_dir() -> Path:
    from chaindb.embedded import project_root

    return project_root() / "queries"


def generate(conn: psycopg.Connection[Any], schema: str, queries_dir: Path) -> str:
    """The source of ``<schema>/queries.py``; raises GenerationError naming file, line and cause."""
    exists = conn.execute("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    if exists is None:
        raise GenerationError(f"schema {schema!r} does not exist in the database: migrate it first")
    try:
        raws = load_schema(queries_dir, schema)
        cat = Catalog(conn, schema)
        cat.load_schema_enums()
        queries = [analyze(cat, raw, frozenset()) for raw in raws]
        return render_module(schema, cat, queries)
    except (QueryFileError, RenderError) as exc:
        raise GenerationError(str(exc)) from exc


def write_or_check(out_dir: Path, schema: str, source: str, *, check: bool) -> bool:
    """Write ``<out_dir>/<schema>/queries.py`` (and a stub ``__init__.py`` if missing).

    With ``check``, write nothing and print a diff; returns False when the file differs.
    """
    package = out_dir / schema
    target = package / "queries.py"
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if check:
        ok = current == source and (package / "__init__.py").exists()
        if current != source:
            shown = display_path(target)
            diff = difflib.unified_diff(
                (current or "").splitlines(keepends=True),
                source.splitlines(keepends=True),
                fromfile=f"{shown} (on disk)",
                tofile=f"{shown} (generated)",
            )
            sys.stdout.writelines(diff)
        if not (package / "__init__.py").exists():
            print(f"{display_path(package / '__init__.py')} is missing")
        return ok
    package.mkdir(parents=True, exist_ok=True)
    init = package / "__init__.py"
    if not init.exists():
        init.write_text(
            f'"""The ``{schema}`` schema: generated queries (``queries.py``) and hand-written helpers."""\n',
            encoding="utf-8",
        )
    if current != source:
        target.write_text(source, encoding="utf-8")
    return True


def all_schemas(queries_dir: Path) -> list[str]:
    if not queries_dir.is_dir():
        return []
    return sorted(p.name for p in queries_dir.iterdir() if p.is_dir() and any(p.glob("*.sql")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chaindb.codegen",
        description="Generate python/chaindb/<schema>/queries.py from queries/<schema>/*.sql, "
        "describing every query on a migrated database.",
    )
    parser.add_argument("--database-url", help="a migrated database (default: DATABASE_URL, else the embedded server)")
    parser.add_argument("--schema", action="append", dest="schemas", default=[], help="schema to generate (repeatable)")
    parser.add_argument("--all", action="store_true", help="every schema with a queries/<schema>/ folder")
    parser.add_argument("--check", action="store_true", help="write nothing; print a diff and exit 1 on any difference")
    parser.add_argument("--queries-dir", type=Path, help="default: queries/ of the checkout")
    parser.add_argument("--out-dir", type=Path, help="package folder to write <schema>/ into (default: python/chaindb)")
    args = parser.parse_args(argv)

    from chaindb.db import database_url

    queries_dir: Path = args.queries_dir or default_queries_dir()
    out_dir: Path = args.out_dir or PACKAGE_DIR
    schemas: list[str] = list(args.schemas)
    if args.all:
        schemas += [s for s in all_schemas(queries_dir) if s not in schemas]
        if not schemas:
            print(f"codegen: no query folders under {display_path(queries_dir)}: nothing to do", file=sys.stderr)
            return 0
    if not schemas:
        parser.error("give --schema NAME (repeatable) or --all")
    url = database_url(args.database_url)

    failed = False
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            for schema in schemas:
                try:
                    source = generate(conn, schema, queries_dir)
                except GenerationError as exc:
                    print(f"codegen: {exc}", file=sys.stderr)
                    failed = True
                    continue
                if not write_or_check(out_dir, schema, source, check=args.check):
                    print(f"codegen: {schema}: generated code differs; run `make generate`", file=sys.stderr)
                    failed = True
    except psycopg.OperationalError as exc:
        print(f"codegen: cannot connect: {exc}", file=sys.stderr)
        return 2
    return 1 if failed else 0
