"""``make check-db``: can this user migrate this database? Run before every ``make migrate``.

Checks, as the connecting (session) user, each right the roles set-up and the migrations need,
and for each one missing says why it is needed and the exact SQL a DBA runs to grant it:

- the roles ``chaindb_owner``, ``chaindb_app``, ``chaindb_readonly`` exist, or the user may
  create them (CREATEROLE);
- ``chaindb_owner`` has CREATE on the database (migrations create schemas) and USAGE and
  CREATE on schema ``public`` (yoyo's bookkeeping tables), or the user may grant them
  (owns the database, or holds the right WITH GRANT OPTION);
- the user is a member of ``chaindb_owner`` (migrations run as it, through SET ROLE);
- every extension of ``sql/extensions.sql`` is available on the server, and is installed in
  schema ``extensions`` or may be created: the untrusted one (earthdistance) only by a
  superuser, so a DBA pre-installs it with ``sql/extensions.sql``;
- (a note, not a missing right) the partition guard's event triggers, which only a superuser
  creates (``SELECT common.install_partition_guard()`` after ``make migrate``).

Reads only. A superuser passes every check.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from chaindb.db import libpq_url
from chaindb.embedded import project_root

OWNER_ROLE = "chaindb_owner"
ROLES = ("chaindb_owner", "chaindb_app", "chaindb_readonly")
EXTENSIONS_FILE = "sql/extensions.sql"
_EXTENSION = re.compile(r'CREATE\s+EXTENSION\s+IF\s+NOT\s+EXISTS\s+"?([\w-]+)"?\s+WITH\s+SCHEMA\s+"?(\w+)"?', re.I)


@dataclass(frozen=True)
class Missing:
    """A right the user lacks: what, why it is needed, and the SQL a DBA runs to grant it."""

    right: str
    why: str
    grant: str


@dataclass
class Report:
    user: str
    database: str
    superuser: bool
    missing: list[Missing] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The roles set-up (sql/roles.sql) has something to do, and this user can do it.
    roles_setup_needed: bool = False

    @property
    def ok(self) -> bool:
        return not self.missing

    def text(self) -> str:
        """The report for people: what is missing and why, then the SQL for a DBA, in order."""
        who = f"{self.user} on database {self.database}"
        if self.ok:
            how = "superuser" if self.superuser else "every right granted"
            lines = [f"check-db: {who}: ready to migrate ({how})"]
            lines += [f"  note: {n}" for n in self.notes]
            return "\n".join(lines) + "\n"
        lines = [f"check-db: {who} cannot migrate yet; {len(self.missing)} right(s) missing:"]
        for m in self.missing:
            lines.append(f"  - {m.right}: {m.why}")
        lines += [f"  note: {n}" for n in self.notes]
        lines.append("")
        lines.append(f"A DBA (a superuser) grants them by running, in database {self.database}:")
        lines.append("")
        for m in self.missing:
            lines += [f"    {line}" if line else "" for line in m.grant.splitlines()]
        lines.append("")
        lines.append("then `make check-db` again (the README's \"Bring your own database\" explains each right).")
        return "\n".join(lines) + "\n"


def extensions_sql() -> str:
    """The statements of sql/extensions.sql, without comments."""
    text = (project_root() / EXTENSIONS_FILE).read_text()
    return "\n".join(line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("--"))


def required_extensions() -> list[tuple[str, str]]:
    """(extension, schema) pairs that sql/extensions.sql installs: what the migrations create."""
    return _EXTENSION.findall(extensions_sql())


def _one(conn: psycopg.Connection[Any], query: str, *params: Any) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def check(url: str) -> Report:
    """Check the rights of the URL's user on the URL's database (reads only)."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        return check_connection(conn)


def check_connection(conn: psycopg.Connection[Any]) -> Report:
    # One round trip for the common case (a superuser, roles in place).
    row = conn.execute(
        "select r.rolname, current_database(), r.rolsuper, r.rolcreaterole, r.rolcreatedb,"
        " pg_has_role(r.oid, d.datdba, 'MEMBER'),"
        " case when (select count(*) from pg_roles where rolname = any(%s)) = %s"
        "  then has_database_privilege(%s, current_database(), 'CREATE')"
        "   and has_schema_privilege(%s, 'public', 'USAGE') and has_schema_privilege(%s, 'public', 'CREATE')"
        "  else false end"
        " from pg_roles r, pg_database d where r.rolname = session_user and d.datname = current_database()",
        (list(ROLES), len(ROLES), OWNER_ROLE, OWNER_ROLE, OWNER_ROLE),
    ).fetchone()
    assert row is not None
    user, database, superuser, createrole, createdb, db_owner, roles_ready = row
    report = Report(user, database, bool(superuser))
    quoted_user = sql.Identifier(user).as_string(conn)
    quoted_db = sql.Identifier(database).as_string(conn)
    if not createdb and not superuser:
        report.notes.append(
            f"{user} has no CREATEDB: not needed to migrate, but `make pgtap`, `make schema`, `make drift` and the"
            f" tests make scratch databases with DATABASE_URL (grant: ALTER ROLE {quoted_user} CREATEDB;)"
        )
    if superuser:
        report.roles_setup_needed = not roles_ready
        return report
    if _one(conn, "select count(*) from pg_event_trigger where evtname like 'chaindb\\_partitions\\_%%'") < 2:
        report.notes.append(
            f"{user} is not a superuser: the event triggers that keep the partitions of the append-only tables"
            " attached are not created by `make migrate` (the application still cannot detach, drop or truncate"
            " them; the owner could). A superuser creates them afterwards: SELECT common.install_partition_guard();"
        )

    existing = {r[0] for r in conn.execute("select rolname from pg_roles where rolname = any(%s)", (list(ROLES),))}
    absent = [r for r in ROLES if r not in existing]
    if absent and not createrole:
        report.missing.append(Missing(
            f"the role(s) {', '.join(absent)}",
            f"they own the objects and are granted to the applications; {user} has no CREATEROLE to create them",
            "\n".join(f"CREATE ROLE {r} NOLOGIN;" for r in absent),
        ))
    owner_exists = OWNER_ROLE in existing
    can_grant_db = bool(db_owner) or _one(
        conn, "select has_database_privilege(current_database(), 'CREATE WITH GRANT OPTION')"
    )
    public_owner, can_grant_public = conn.execute(
        "select pg_has_role(session_user, n.nspowner, 'MEMBER'),"
        " has_schema_privilege(n.oid, 'CREATE WITH GRANT OPTION')"
        " and has_schema_privilege(n.oid, 'USAGE WITH GRANT OPTION')"
        " from pg_namespace n where n.nspname = 'public'"
    ).fetchone() or (False, False)
    owner_db_create = owner_exists and _one(
        conn, "select has_database_privilege(%s, current_database(), 'CREATE')", OWNER_ROLE
    )
    owner_public = owner_exists and _one(
        conn, "select has_schema_privilege(%s, 'public', 'USAGE') and has_schema_privilege(%s, 'public', 'CREATE')",
        OWNER_ROLE, OWNER_ROLE,
    )
    if not owner_db_create and not can_grant_db:
        report.missing.append(Missing(
            f"CREATE on database {database} for {OWNER_ROLE}",
            f"the migrations create schemas as {OWNER_ROLE}; {user} does not own {database}, so cannot grant it",
            f"GRANT CREATE ON DATABASE {quoted_db} TO {OWNER_ROLE};",
        ))
    if not owner_public and not (public_owner or can_grant_public):
        report.missing.append(Missing(
            f"USAGE and CREATE on schema public for {OWNER_ROLE}",
            f"the migration bookkeeping tables (_yoyo_migration, _chaindb_migration) live in public; {user} does not"
            " own public, so cannot grant it",
            f"GRANT USAGE, CREATE ON SCHEMA public TO {OWNER_ROLE};",
        ))
    member = owner_exists and _one(conn, "select pg_has_role(session_user, %s, 'MEMBER')", OWNER_ROLE)
    if not member:
        report.missing.append(Missing(
            f"membership in {OWNER_ROLE}",
            f"every migration runs as {OWNER_ROLE} (SET ROLE), so that it owns what it creates",
            f"GRANT {OWNER_ROLE} TO {quoted_user};",
        ))
    _check_extensions(conn, report)
    if absent and createrole and report.missing:
        # The DBA's grants name the roles: they come first even though this user could create them.
        report.missing.insert(0, Missing(
            f"the role(s) {', '.join(absent)}",
            "the grants below name them (the roles set-up would create them, but only after those grants)",
            "\n".join(f"CREATE ROLE {r} NOLOGIN;" for r in absent),
        ))
    report.roles_setup_needed = bool(absent) or not (owner_db_create and owner_public)
    return report


def _check_extensions(conn: psycopg.Connection[Any], report: Report) -> None:
    """Missing rights for the extensions (not a superuser here)."""
    wanted = required_extensions()
    rows = conn.execute(
        "select a.name, n.nspname,"
        " coalesce((select v.trusted from pg_available_extension_versions v"
        "           where v.name = a.name and v.version = a.default_version), false)"
        " from pg_available_extensions a"
        " left join pg_extension e on e.extname = a.name left join pg_namespace n on n.oid = e.extnamespace"
        " where a.name = any(%s)",
        ([name for name, _ in wanted],),
    ).fetchall()
    info = {name: (schema, trusted) for name, schema, trusted in rows}
    unavailable = [name for name, _ in wanted if name not in info]
    if unavailable:
        report.missing.append(Missing(
            f"the extension(s) {', '.join(unavailable)} on the server",
            "the server's contrib modules are not installed",
            f"-- on the database server's machine: apt-get install postgresql-contrib (or postgresql-<major>), "
            f"then: {', '.join(unavailable)}",
        ))
    elsewhere = [(name, info[name][0], schema) for name, schema in wanted
                 if name in info and info[name][0] not in (None, schema)]
    for name, found, schema in elsewhere:
        report.missing.append(Missing(
            f"extension {name} in schema {schema}",
            f"it is installed in schema {found}; the migrations expect it in schema {schema}",
            f"ALTER EXTENSION {sql.Identifier(name).as_string(conn)} SET SCHEMA {schema};",
        ))
    untrusted = [name for name, _ in wanted if name in info and info[name][0] is None and not info[name][1]]
    if untrusted:
        report.missing.append(Missing(
            f"the extension(s) {', '.join(untrusted)}",
            "not a trusted extension: only a superuser can create it, so a DBA pre-installs the extensions"
            f" ({EXTENSIONS_FILE}); the migration then accepts them present and never drops them",
            f"-- {EXTENSIONS_FILE}\n{extensions_sql()}",
        ))


def main(url: str) -> int:
    report = check(url)
    print(report.text(), end="", file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1
