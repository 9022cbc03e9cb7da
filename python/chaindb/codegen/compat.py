"""Old queries against new migrations: ``make verify-compat REF=<git ref>``.

An application still running release ``REF`` talks to a database migrated by the working tree. This
prepares ``REF``'s named queries (read with ``git archive``, the working tree is never touched) on two
scratch databases: one migrated with ``REF``'s own migrations (what the old code was generated
against), one with the working tree's. A query breaks when, on the new database,

- it no longer prepares (a dropped or renamed column, a changed function signature), or
- a parameter's type changed (the old code sends the old type), or
- a result column was removed, renamed or changed type, or may now be NULL where it could not
  before (the old code's model says it never is), or
- an enum it returns gained labels (the old code's ``StrEnum`` cannot read them) or an enum it
  takes lost labels (the old code may send them).

A column added after the old ones is no break: the old row makers read the columns they know.
Each break is reported as ``queries/<schema>/<file>:<line>: <query>: <what>`` (the file and line in
``REF``). The analysis is the generator's own (``analyze``), run on both databases.

Breaks that are meant (an expand/contract step that drops what no release uses any more) are
listed in ``queries/compat-accepted.txt`` of the working tree, one ``<schema>.<query>: <why>`` a line:
they are reported as accepted and do not fail the check.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from chaindb.codegen.analyze import Query, analyze
from chaindb.codegen.catalog import Catalog
from chaindb.codegen.loader import QueryFileError, RawQuery, load_schema

ACCEPTED = "compat-accepted.txt"


class CompatError(RuntimeError):
    """The check could not run (not a git checkout, an unknown ref, a migration that fails)."""


@dataclass
class Shape:
    """What the old code relies on: parameter types, result columns (name, type, nullable), enum labels."""

    params: list[tuple[str, str]]
    columns: list[tuple[str, str, bool]]
    enums: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Break:
    where: str  # queries/<schema>/<file>:<line>
    query: str  # <schema>.<name>
    what: str
    accepted: str | None = None

    def __str__(self) -> str:
        note = f"  (accepted: {self.accepted})" if self.accepted is not None else ""
        return f"{self.where}: {self.query.split('.', 1)[1]}: {self.what}{note}"


@dataclass
class Report:
    ref: str
    checked: int = 0
    breaks: list[Break] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # did not prepare at REF either

    @property
    def failed(self) -> bool:
        return any(b.accepted is None for b in self.breaks)

    def text(self) -> str:
        lines = [str(b) for b in self.breaks]
        lines += [f"{s}: skipped: it does not prepare at {self.ref} either" for s in self.skipped]
        bad = sum(b.accepted is None for b in self.breaks)
        verdict = f"{bad} break(s)" if bad else "no break"
        accepted = len(self.breaks) - bad
        lines.append(
            f"verify-compat: {self.checked} queries of {self.ref} against the working tree's migrations: {verdict}"
            + (f", {accepted} accepted" if accepted else "")
        )
        return "\n".join(lines) + "\n"


# -- git -------------------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)


def ref_unavailable(repo: Path, ref: str) -> str | None:
    """Why ``ref`` cannot be checked here (no git, not a git checkout, a shallow clone, no such commit), or None."""
    try:
        if _git(repo, "rev-parse", "--git-dir").returncode != 0:
            return "not a git checkout"
    except FileNotFoundError:
        return "git is not installed"
    shallow = _git(repo, "rev-parse", "--is-shallow-repository").stdout.decode().strip()
    if _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        if shallow == "true":
            return f"{ref} is not in this shallow clone (git fetch --unshallow brings it)"
        return f"no commit {ref} (a single-commit history has no HEAD~1)"
    return None


def extract(repo: Path, ref: str, dest: Path) -> Path:
    """``queries/``, ``migrations/``, ``sql/roles.sql`` and ``pyproject.toml`` of ``ref``, under ``dest``."""
    wanted = ["queries", "migrations", "sql/roles.sql", "pyproject.toml"]
    listed = _git(repo, "ls-tree", "--name-only", ref, "--", *wanted)
    if listed.returncode != 0:
        raise CompatError(f"git ls-tree {ref}: {listed.stderr.decode().strip()}")
    present = listed.stdout.decode().split()
    if "queries" not in present or "migrations" not in present:
        raise CompatError(f"{ref} has no queries/ or migrations/: nothing to compare")
    archive = _git(repo, "archive", "--format=tar", ref, "--", *present)
    if archive.returncode != 0:
        raise CompatError(f"git archive {ref}: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: refuse links and paths out of dest
            tar.extractall(dest, filter="data")
        else:  # our own repository's archive
            tar.extractall(dest)
    return dest


def migration_sources(tree: Path) -> list[Path]:
    """``migrations/common`` and the schema folders in the order of the tree's registry (pyproject.toml),
    else in name order."""
    migrations = tree / "migrations"
    schemas: list[str] = []
    pyproject = tree / "pyproject.toml"
    if pyproject.exists():
        with pyproject.open("rb") as f:
            schemas = list(tomllib.load(f).get("tool", {}).get("chaindb", {}).get("schemas", []))
    folders = sorted(p.name for p in migrations.iterdir() if p.is_dir() and p.name != "common")
    schemas = [s for s in schemas if s in folders] + [s for s in folders if s not in schemas]
    return [migrations / "common", *(migrations / s for s in schemas)]


# -- comparing -------------------------------------------------------------------------------------


def shape(cat: Catalog, q: Query) -> Shape:
    enums: dict[str, list[str]] = {}

    def name(oid: int) -> str:
        t = cat.type_row(oid)
        qualified = f"{t.schema}.{t.name}" if t.schema != "pg_catalog" else t.name
        if t.typtype == "e":
            enums[qualified] = cat.enum(oid).labels
        return qualified

    params = [(p.sql_name, name(p.type_oid)) for p in q.params]
    columns = [(f.column, name(f.type_oid), f.nullable) for f in q.fields]
    return Shape(params, columns, enums)


def differences(old: Shape, new: Shape) -> list[str]:
    """What breaks old code written against ``old`` when it meets ``new``."""
    out: list[str] = []
    new_params = dict(new.params)
    for pname, ptype in old.params:
        if pname in new_params and new_params[pname] != ptype:
            out.append(f"parameter {pname} was {ptype}, is now {new_params[pname]}")
    for i, (cname, ctype, nullable) in enumerate(old.columns):
        if i >= len(new.columns):
            out.append(f"result column {cname} is gone")
            continue
        nname, ntype, nnull = new.columns[i]
        if nname != cname:
            out.append(f"result column {i + 1} was {cname}, is now {nname}")
        elif ntype != ctype:
            out.append(f"result column {cname} was {ctype}, is now {ntype}")
        elif nnull and not nullable:
            out.append(f"result column {cname} may now be NULL (the old code's type says it never is)")
    result_types = {t for _, t, _ in old.columns}
    param_types = {t for _, t in old.params}
    for enum, labels in old.enums.items():
        now = new.enums.get(enum)
        if now is None:
            continue
        gained = [x for x in now if x not in labels]
        lost = [x for x in labels if x not in now]
        if gained and enum in result_types:
            out.append(f"enum {enum} gained {', '.join(gained)}: the old code cannot read them")
        if lost and enum in param_types:
            out.append(f"enum {enum} lost {', '.join(lost)}: the old code may still send them")
    return out


def _where(raw: RawQuery, schema: str, line: int | None = None) -> str:
    return f"queries/{schema}/{raw.file}:{line if line is not None else raw.line}"


def _accepted(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.split("#", 1)[0].strip()
            if text:
                key, _, why = text.partition(":")
                found[key.strip()] = why.strip() or "(no reason given)"
    return found


def compare(
    old_url: str, new_url: str, queries_dir: Path, schemas: Sequence[str], *, ref: str = "REF",
    accepted: dict[str, str] | None = None,
) -> Report:
    """Prepare the queries of ``queries_dir`` (REF's) on both databases and report what breaks."""
    report = Report(ref)
    accepted = accepted or {}
    with psycopg.connect(old_url, autocommit=True) as old_conn, psycopg.connect(new_url, autocommit=True) as new_conn:
        for schema in schemas:
            try:
                raws = load_schema(queries_dir, schema)
            except QueryFileError as exc:
                raise CompatError(f"{ref}'s queries/{schema}/ cannot be read by this generator: {exc}") from exc
            old_cat, new_cat = Catalog(old_conn, schema), Catalog(new_conn, schema)
            for raw in raws:
                key = f"{schema}.{raw.name}"
                try:
                    before = analyze(old_cat, raw, frozenset())
                except QueryFileError:
                    report.skipped.append(f"{_where(raw, schema)}: {raw.name}")
                    continue
                report.checked += 1
                try:
                    after = analyze(new_cat, raw, frozenset())
                except QueryFileError as exc:
                    message = str(exc).split(f"query {raw.name}: ", 1)[-1]
                    what = message.replace("does not prepare", "no longer prepares", 1)
                    report.breaks.append(Break(_where(raw, schema, exc.line), key, what, accepted.get(key)))
                    continue
                for what in differences(shape(old_cat, before), shape(new_cat, after)):
                    report.breaks.append(Break(_where(raw, schema), key, what, accepted.get(key)))
    return report


# -- the whole check -------------------------------------------------------------------------------


@contextmanager
def _database(server_url: str, name: str, sources: Sequence[Path], roles: bytes | None) -> Iterator[str]:
    from chaindb import admin, migrator

    url = admin.create_database(server_url, name)
    try:
        with psycopg.connect(admin.libpq_url(url), autocommit=True) as conn:
            try:
                migrator.migrate_on(conn, [str(s) for s in sources], setup=roles)
            except migrator.MigrationError as exc:
                raise CompatError(f"migrating {name}: {exc}") from exc
        yield url
    finally:
        admin.drop_database(server_url, name)


def verify(repo: Path, ref: str, new_sources: Sequence[Path], server_url: str, *, accepted_file: Path | None = None,
           roles: bytes | None = None) -> Report:
    """Check ``ref``'s queries of ``repo`` against a database migrated with ``new_sources``.

    Both scratch databases (``chaindb_compat_old``, ``chaindb_compat_new``) are made on
    ``server_url``'s server and dropped afterwards.
    """
    why = ref_unavailable(repo, ref)
    if why is not None:
        raise CompatError(why)
    with tempfile.TemporaryDirectory(prefix="chaindb-compat-") as tmp:
        tree = extract(repo, ref, Path(tmp))
        ref_roles = (tree / "sql" / "roles.sql").read_bytes() if (tree / "sql" / "roles.sql").exists() else roles
        schemas = sorted(p.name for p in (tree / "queries").iterdir() if p.is_dir() and any(p.glob("*.sql")))
        with (
            _database(server_url, "chaindb_compat_old", migration_sources(tree), ref_roles) as old_url,
            _database(server_url, "chaindb_compat_new", new_sources, roles) as new_url,
        ):
            accepted = _accepted(accepted_file) if accepted_file is not None else {}
            return compare(old_url, new_url, tree / "queries", schemas, ref=ref, accepted=accepted)


def main(repo: Path, ref: str, server_url: str) -> int:
    """The command behind ``make verify-compat``: 0 no break, 1 a break (or the check failed)."""
    from chaindb import admin

    try:
        report = verify(
            repo, ref, [Path(s) for s in admin._sources(None)], server_url,
            accepted_file=repo / "queries" / ACCEPTED, roles=admin.roles_script(),
        )
    except CompatError as exc:
        print(f"verify-compat: {exc}")
        return 1
    print(report.text(), end="")
    return 1 if report.failed else 0
