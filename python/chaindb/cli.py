"""Command line behind the Makefile: ``python -m chaindb.cli <command>``.

Every command uses ``DATABASE_URL`` when it is set, else the embedded server (``make db``):
this checkout's, checked to be so (:mod:`chaindb.embedded`), started if needed, except by
``status``, which only reads. Failures the user can act on (a missing right, a failed
migration, a refused server) print one message, no traceback, and exit 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from chaindb import admin, checkdb, fixtures, migrator
from chaindb.embedded import Embedded, EmbeddedError, project_root, throwaway

#: Commands that write generated files: always on a throwaway server unless DATABASE_URL is set.
WRITERS = ("schema", "generate", "docs")


def since_process_start() -> float | None:
    """Seconds since this process started (interpreter start-up and imports included), from
    /proc; None where there is no /proc."""
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None
    return max(uptime - int(stat[19]) / os.sysconf("SC_CLK_TCK"), 0.0)


def database_url(*, start: bool = True) -> str:
    """DATABASE_URL, else this checkout's embedded server (started unless ``start`` is false;
    then it must be running)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    server = Embedded()
    if start:
        return server.start()
    if not server.running():
        raise EmbeddedError("the embedded server is not running (`make db` starts it); nothing was changed")
    server.verify()
    return server.url()


def describe_url(url: str) -> str:
    """``user@host:port/database`` of a URL, without its password."""
    info = psycopg.conninfo.conninfo_to_dict(admin.libpq_url(url))
    return f"{info.get('user', '')}@{info.get('host', '')}:{info.get('port', 5432)}/{info.get('dbname', '')}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def _print_step(verb: str) -> migrator.Reporter:
    def report(m: migrator.Migration, seconds: float) -> None:
        print(f"  {verb} {m.id:<52} {_ms(seconds)}", flush=True)

    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chaindb", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in [
        ("migrate", "apply pending migrations (check-db, then roles, first)"),
        ("rollback", "roll back the last migration (--all: every one)"),
        ("status", "list migrations, whether each is applied, and changed files (reads only)"),
        ("check-db", "check the user's rights to migrate; print the SQL that grants what is missing"),
        ("drift", "compare the database's catalog with what its migrations make on a scratch database"),
        ("schema", "write sql/<schema>.sql snapshots (--check: fail on drift)"),
        ("roles", "create the project's roles (idempotent)"),
        ("url", "print the database URL in use"),
        ("pgtap", "run the pgTAP suites with pg_prove on a fresh migrated database"),
        ("generate", "write python/chaindb/<schema>/queries/ from queries/ (--check: fail on drift)"),
        ("docs", "write docs/<schema>.md and docs/README.md from the catalog (--check: fail on drift)"),
        ("verify", "fail when sql/<schema>.sql, the generated modules or docs/ differ from what the migrations give"),
        ("verify-compat", "prepare a git ref's named queries against the working tree's migrations; report breaks"),
        ("coverage", "print what the last test run executed of the database's logic (--check: fail on gaps)"),
        ("fixtures", "load the deterministic fixtures sql/fixtures/<schema>.sql as the owner (re-runnable)"),
        ("partitions", "create the monthly partitions due ahead of the clock (common.create_partitions), as the owner"),
        ("retention", "detach and drop the expired monthly partitions (common.apply_retention), as the owner"),
    ]:
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("--schema", action="append", dest="schemas", help="limit to this schema (repeatable)")
        if name == "rollback":
            cmd.add_argument("--all", action="store_true", help="roll back every migration")
            cmd.add_argument("--yes", action="store_true", help="confirm --all on DATABASE_URL (make: CONFIRM=1)")
        if name in ("migrate", "rollback"):
            cmd.add_argument("--accept-changed", action="store_true",
                             help="go on although applied migration files changed; record them as they are now")
        if name == "verify-compat":
            cmd.add_argument("--ref", default="HEAD~1", help="the release whose queries to check (default HEAD~1)")
            cmd.add_argument("--if-available", action="store_true",
                             help="skip, saying why, when the ref is not there (shallow clone, one commit)")
        if name in ("pgtap", "schema", "generate", "docs", "verify", "drift", "verify-compat"):
            cmd.add_argument("--throwaway", action="store_true", help="use a throwaway server (not with DATABASE_URL)")
        if name == "pgtap":
            cmd.add_argument("files", nargs="*", help="pgTAP files (default: tests/pgtap/*/*.sql)")
        if name in ("schema", "generate", "docs"):
            cmd.add_argument("--check", action="store_true", help="compare instead of writing")
        if name == "coverage":
            cmd.add_argument("--check", action="store_true",
                             help="exit 1 when a function or trigger function of a registry schema never ran")
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except (EmbeddedError, migrator.MigrationError, admin.PreflightError) as exc:
        print(f"chaindb {args.command}: {exc}".rstrip(), file=sys.stderr)
        return 1
    except psycopg.OperationalError as exc:
        print(f"chaindb {args.command}: cannot connect: {exc}".rstrip(), file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "pgtap" and not shutil.which("pg_prove"):
        print(PGTAP_MISSING.format(what="pg_prove is not installed"), file=sys.stderr)
        return 1
    if args.command == "drift":
        return _drift(args.schemas, throwaway_server=args.throwaway)
    if args.command == "coverage":
        from chaindb import coverage

        folder = Path(os.environ.get(coverage.ENV) or project_root() / ".coverage-db")
        return coverage.main(folder, list(admin.available_schemas()), check=args.check)
    if args.command == "verify-compat":
        return _verify_compat(args.ref, if_available=args.if_available, throwaway_server=args.throwaway)
    if args.command in ("pgtap", "schema", "generate", "docs", "verify"):
        # files written into the checkout come from a throwaway server (never the embedded one's fixed port)
        throwaway_server = args.throwaway or args.command in WRITERS
        with scratch_database(throwaway_server=throwaway_server, name=f"chaindb_{args.command}") as scratch:
            if args.command == "pgtap":
                return _pgtap(scratch, args.files, measure=throwaway_server and not os.environ.get("DATABASE_URL"))
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
    url = database_url(start=args.command != "status")
    embedded = not os.environ.get("DATABASE_URL")

    if args.command == "migrate":
        return _migrate(url, args.schemas, accept_changed=args.accept_changed, embedded=embedded)
    if args.command == "rollback":
        return _rollback(url, args.schemas, everything=args.all, confirmed=args.yes or embedded,
                         accept_changed=args.accept_changed)
    if args.command == "status":
        return _status(url, args.schemas)
    if args.command == "check-db":
        return checkdb.main(url)
    if args.command == "fixtures":
        for path in fixtures.load(url, args.schemas):
            print(f"  loaded {path.relative_to(project_root())}")
        return 0
    if args.command in ("partitions", "retention"):
        from chaindb import partitions

        made = partitions.create(url) if args.command == "partitions" else partitions.retention(url)
        verb = "created" if args.command == "partitions" else "dropped"
        for name in made:
            print(f"  {verb} {name}")
        print(f"{len(made)} partition(s) {verb}")
        for table, ahead, keep in partitions.tables(url):
            print(f"  {table}: {ahead} month(s) ahead, retention {keep}")
        return 0
    if args.command == "roles":
        admin.ensure_roles(url)
        if embedded:
            Embedded().ensure_app_login(url)
        print("roles ok")
    elif args.command == "url":
        print(url)
    return 0


def _migrate(url: str, schemas: list[str] | None, *, accept_changed: bool, embedded: bool) -> int:
    print(f"migrating {describe_url(url)}", flush=True)
    started = time.perf_counter()
    try:
        applied = admin.migrate(url, schemas, accept_changed=accept_changed, report=_print_step("applied"))
    except migrator.MigrationError as exc:
        print(f"chaindb migrate: {len(exc.done)} migration(s) applied, then this one failed and was rolled back:",
              file=sys.stderr)
        print(f"  {exc}".replace("\n", "\n  "), file=sys.stderr)
        return 1
    if embedded:
        Embedded().ensure_app_login(url)
    spent = time.perf_counter() - started
    total = since_process_start()
    whole = "" if total is None else f"; {total:.2f} s since the process started"
    if applied:
        print(f"applied {len(applied)} migration(s) in {spent:.2f} s (with check-db{whole})")
    else:
        print(f"nothing to apply: every migration is applied ({spent:.2f} s{whole})")
    return 0


def _rollback(url: str, schemas: list[str] | None, *, everything: bool, confirmed: bool,
              accept_changed: bool) -> int:
    target = describe_url(url)
    if everything and not confirmed:
        applied = sum(1 for _, is_applied in admin.status(url, schemas) if is_applied)
        what = f"all {applied} applied migration(s) of {target}: it drops the project's tables and their data"
        if not sys.stdin.isatty():
            print(f"chaindb rollback: refusing to roll back {what}.\nConfirm with `make rollback ALL=1 CONFIRM=1`"
                  " (--yes). Nothing was rolled back.", file=sys.stderr)
            return 1
        database = admin.database_name(url)
        answer = input(f"Roll back {what}.\nType the database name ({database}) to confirm: ")
        if answer.strip() != database:
            print("not confirmed: nothing was rolled back", file=sys.stderr)
            return 1
    print(f"rolling back {target}", flush=True)
    try:
        undone = admin.rollback(url, schemas, everything=everything, accept_changed=accept_changed,
                                report=_print_step("rolled back"))
    except migrator.MigrationError as exc:
        print(f"chaindb rollback: {exc}".replace("\n", "\n  "), file=sys.stderr)
        return 1
    print(f"rolled back {len(undone)} migration(s)")
    return 0


def _status(url: str, schemas: list[str] | None) -> int:
    states = migrator.status(url, admin._sources(schemas))
    root = project_root()
    flagged = 0
    for state in states:
        if not state.applied:
            print(f"pending  {state.id}")
            continue
        when = f"{state.applied_at:%Y-%m-%d %H:%M}" if state.applied_at else ""
        note = {
            "ok": "",
            "unrecorded": "  (checksum not recorded: applied before checksums were kept)",
            "missing": "  (NO FILE: applied, but not among the migration files)",
            "changed": "  CHANGED since applied: " + ", ".join(
                str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in state.changed),
        }[state.checksum or "ok"]
        flagged += state.checksum in ("changed", "missing")
        print(f"applied  {state.id:<52} {when}{note}")
    if flagged:
        print(f"{flagged} applied migration(s) differ from their files: `make migrate` refuses until they are"
              " restored (or ACCEPT_CHANGED=1)", file=sys.stderr)
        return 1
    return 0


def _drift(schemas: list[str] | None, *, throwaway_server: bool) -> int:
    from chaindb import drift

    live = database_url()
    chosen = ["common", "extensions", *(schemas or admin.available_schemas())]
    ids = drift.applied_ids(live)
    with scratch_database(throwaway_server=throwaway_server, name="chaindb_drift", only=ids) as scratch:
        differences = drift.compare(drift.catalog(scratch, chosen), drift.catalog(live, chosen))
    print(drift.report(differences, live=describe_url(live), applied=len(ids)), end="")
    return 1 if differences else 0


def _verify_compat(ref: str, *, if_available: bool, throwaway_server: bool) -> int:
    """Old queries against new migrations, on two scratch databases (chaindb.codegen.compat)."""
    from chaindb.codegen import compat

    root = project_root()
    if if_available and (why := compat.ref_unavailable(root, ref)) is not None:
        print(f"verify-compat: skipped: {why}")
        return 0
    server = throwaway() if throwaway_server and not os.environ.get("DATABASE_URL") else None
    try:
        url = server.url(database="postgres") if server else database_url()
        return compat.main(root, ref, url)
    finally:
        if server:
            server.stop()


PGTAP_MISSING = """chaindb pgtap: {what}, so the pgTAP suites did not run. pgTAP and pg_prove come from apt:
    apt-get install -y postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
(as root, or with sudo; `make setup` does it when it can). Everything else (lint, pytest) runs without them."""


@contextmanager
def scratch_database(*, throwaway_server: bool, name: str, only: list[str] | None = None) -> Iterator[str]:
    """A database migrated from zero (with the migrations of ``only`` when given), dropped
    afterwards: on a throwaway server when asked (and DATABASE_URL is unset), else on the
    DATABASE_URL server or the embedded one."""
    server = throwaway() if throwaway_server and not os.environ.get("DATABASE_URL") else None
    try:
        url = server.url(database="postgres") if server else database_url()
        scratch_url = admin.create_database(url, name)
        try:
            admin.migrate(scratch_url, only=only)
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


def _pgtap(scratch_url: str, files: list[str], *, measure: bool = False) -> int:
    """pg_prove over the pgTAP files, in a scratch database migrated from zero.

    ``measure`` (a throwaway server) with ``CHAINDB_DB_COVERAGE`` set: what the suites execute is
    recorded there (chaindb.coverage)."""
    root = project_root()
    paths = files or sorted(str(p.relative_to(root)) for p in (root / "tests" / "pgtap").glob("*/*.sql"))
    if not paths:
        print("no pgTAP files found under tests/pgtap/", file=sys.stderr)
        return 1
    with psycopg.connect(scratch_url) as conn:
        if conn.execute("select 1 from pg_available_extensions where name = 'pgtap'").fetchone() is None:
            print(PGTAP_MISSING.format(what="the pgTAP extension is not installed on the server"), file=sys.stderr)
            return 1
    from chaindb import coverage

    collect = coverage.out_dir() if measure else None
    if collect:
        coverage.prepare_server(scratch_url)
        coverage.reset(scratch_url)
        measured = ["common", *admin.available_schemas()]
        coverage.save_catalog(scratch_url, collect, measured)
        coverage.instrument_pgtap(scratch_url, measured)
    rc = subprocess.run(["pg_prove", "--failures", *paths], cwd=root, env=admin.libpq_environment(scratch_url),
                        check=False).returncode
    if collect:
        coverage.save_functions(collect, "pgtap", coverage.collect(scratch_url)[0])
        coverage.save_log(coverage.server_log(scratch_url), collect, "pgtap")
    return rc


if __name__ == "__main__":
    sys.exit(main())
