"""Coverage of the database's logic by the test suites: ``make coverage`` (and the gate of ``make test``).

What is measured, and how (honestly: each number says where it comes from):

- **Functions and trigger functions**: ``pg_stat_user_functions`` with ``track_functions = all``
  (set with ALTER SYSTEM on the throwaway servers the suites start). The counters are read from every
  database a test used, just before it is dropped: each pytest test's copy of the migrated template
  (``db_url``), and the pgTAP scratch database after ``pg_prove``, whose counters are reset once
  migrated (calls made by the migrations do not count). A SQL function PostgreSQL inlines into the
  calling query is never counted by ``track_functions``; such a function (``LANGUAGE sql``, not
  SECURITY DEFINER, no SET clause) counts as *reached* when a CHECK constraint, index or default that
  uses it (``pg_depend``) was exercised, or the body of an executed function names it.
- **CHECK constraints, accepted**: at the end of each pgTAP file (pgTAP's ``finish()``, wrapped) and of
  each pytest test (before its database is dropped), every CHECK expression is evaluated over its
  table's rows: a row for which it is TRUE (not merely not false) is an accepted case. A domain's
  CHECK is accepted when a column of that domain holds a value. Rows written and removed within a
  test are not seen.
- **CHECK constraints, refused**: an error naming the constraint. Errors a client receives are in
  the server log (pytest); errors caught inside the database are logged by a test-only hook: pgTAP's
  ``throws_*`` functions are wrapped in the scratch database so that their exception handler logs the
  error's fields, and the shared pgTAP helpers (``tests/pgtap/helpers.psql``: ``error_fields``,
  ``state_machine_ok``) log theirs. The log lines start ``chaindb-coverage``.
- **State-machine moves**: ``pg_temp.state_machine_ok`` tries every ordered pair of a machine's
  labels on a probe table carrying the table's own triggers: each declared move's accepted case and
  each forbidden pair's refused case (CD001). CD001 errors on the real tables (server log) are
  counted too. An accepted move on a real table leaves nothing PostgreSQL can report without a
  trigger of ours, so it is not measured separately.

Collection is on when ``CHAINDB_DB_COVERAGE`` names a folder (``make test`` and ``make coverage`` set
it): the suites write ``functions-*.json`` and ``events-*.log`` there, and ``catalog.json`` (what
there is to cover, read from a migrated database). ``python -m chaindb.cli coverage [--check]``
prints the table; ``--check`` fails when a function or trigger function of a registry schema was
never executed. With ``DATABASE_URL`` (a server the suites did not start) nothing is measured.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

ENV = "CHAINDB_DB_COVERAGE"
MARK = "chaindb-coverage "
_EVENT = re.compile(r"\bLOG:  chaindb-coverage (\{.*\})$")

# The CHECK snapshot: one query over every table with CHECKs, built from the catalog (snapshot_sql), whose rows
# are the names of the CHECKs some row satisfies (TRUE, not merely not false), and of the domain CHECKs
# some column of the domain holds a value for.
_CHECK_EXPRS_SQL = """
SELECT n.nspname, t.relname, c.conname, pg_catalog.pg_get_expr(c.conbin, c.conrelid)
  FROM pg_catalog.pg_constraint AS c
  JOIN pg_catalog.pg_class AS t ON t.oid = c.conrelid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = t.relnamespace
 WHERE c.contype = 'c' AND t.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%'
   AND n.nspname NOT IN ('information_schema', 'chaindb_coverage')
 ORDER BY 1, 2, 3
"""
_DOMAIN_COLUMNS_SQL = """
SELECT dn.nspname, d.typname, c.conname, tn.nspname, t.relname, a.attname
  FROM pg_catalog.pg_constraint AS c
  JOIN pg_catalog.pg_type AS d ON d.oid = c.contypid
  JOIN pg_catalog.pg_namespace AS dn ON dn.oid = d.typnamespace
  JOIN pg_catalog.pg_attribute AS a ON a.atttypid = d.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_catalog.pg_class AS t ON t.oid = a.attrelid AND t.relkind IN ('r', 'p')
  JOIN pg_catalog.pg_namespace AS tn ON tn.oid = t.relnamespace
 WHERE c.contype = 'c' AND dn.nspname NOT LIKE 'pg\\_%' AND dn.nspname <> 'information_schema'
   AND tn.nspname NOT LIKE 'pg\\_%' AND tn.nspname <> 'information_schema'
 ORDER BY 1, 2, 3, 4, 5, 6
"""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def snapshot_sql(conn: psycopg.Connection[Any]) -> str:
    """The CHECK snapshot query of this database's schema (one column, ``name``)."""
    parts: list[str] = []
    tables: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for schema, table, name, expr in conn.execute(_CHECK_EXPRS_SQL).fetchall():
        tables[(schema, table)].append((name, expr))
    for (schema, table), checks in tables.items():
        columns = ", ".join(f"bool_or(({expr}) IS TRUE) AS c{i}" for i, (_, expr) in enumerate(checks))
        values = ", ".join(f"({_literal(f'{schema}.{table}.{name}')}, a.c{i})" for i, (name, _) in enumerate(checks))
        parts.append(
            f"SELECT x.name FROM (SELECT {columns} FROM {_ident(schema)}.{_ident(table)}) AS a,"
            f" LATERAL (VALUES {values}) AS x (name, ok) WHERE x.ok"
        )
    domains: dict[str, list[str]] = defaultdict(list)
    for dschema, domain, name, schema, table, column in conn.execute(_DOMAIN_COLUMNS_SQL).fetchall():
        domains[f"{dschema}.{domain}.{name}"].append(
            f"EXISTS (SELECT FROM {_ident(schema)}.{_ident(table)} WHERE {_ident(column)} IS NOT NULL)"
        )
    for name, tests in domains.items():
        parts.append(f"SELECT {_literal(name)} WHERE {' OR '.join(tests)}")
    return "\nUNION ALL\n".join(parts) if parts else "SELECT NULL::text WHERE false"


# The inventory: what there is to cover, from a migrated database.
_FUNCTIONS_SQL = """
SELECT n.nspname, p.oid::regprocedure::text, p.prorettype = 'pg_catalog.trigger'::regtype,
       l.lanname = 'sql' AND NOT p.prosecdef AND p.proconfig IS NULL AND NOT p.proretset AND p.prokind = 'f'
  FROM pg_catalog.pg_proc AS p
  JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
  JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
 WHERE n.nspname = ANY (%(schemas)s) AND NOT EXISTS (
       SELECT FROM pg_catalog.pg_depend AS d WHERE d.objid = p.oid AND d.deptype = 'e')
 ORDER BY 1, 2
"""
_USED_BY_SQL = """
SELECT d.refobjid::regprocedure::text,
       CASE d.classid
           WHEN 'pg_catalog.pg_constraint'::regclass THEN
               (SELECT format('check %%s.%%s.%%s', cn.nspname, coalesce(t.relname, ty.typname), c.conname)
                  FROM pg_catalog.pg_constraint AS c
                  JOIN pg_catalog.pg_namespace AS cn ON cn.oid = c.connamespace
                  LEFT JOIN pg_catalog.pg_class AS t ON t.oid = c.conrelid
                  LEFT JOIN pg_catalog.pg_type AS ty ON ty.oid = c.contypid
                 WHERE c.oid = d.objid AND c.contype = 'c')
           WHEN 'pg_catalog.pg_proc'::regclass THEN 'function ' || d.objid::regprocedure::text
           WHEN 'pg_catalog.pg_class'::regclass THEN 'relation ' || d.objid::regclass::text
           WHEN 'pg_catalog.pg_attrdef'::regclass THEN
               (SELECT 'default ' || a.adrelid::regclass::text FROM pg_catalog.pg_attrdef AS a WHERE a.oid = d.objid)
       END
  FROM pg_catalog.pg_depend AS d
  JOIN pg_catalog.pg_proc AS p ON p.oid = d.refobjid AND d.refclassid = 'pg_catalog.pg_proc'::regclass
  JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
 WHERE n.nspname = ANY (%(schemas)s) AND d.deptype = 'n'
"""
_SOURCES_SQL = """
SELECT p.oid::regprocedure::text, p.prosrc
  FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
 WHERE n.nspname = ANY (%(schemas)s)
"""
_CHECKS_SQL = """
SELECT n.nspname, coalesce(t.relname, ty.typname), c.conname
  FROM pg_catalog.pg_constraint AS c
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.connamespace
  LEFT JOIN pg_catalog.pg_class AS t ON t.oid = c.conrelid
  LEFT JOIN pg_catalog.pg_type AS ty ON ty.oid = c.contypid
 WHERE c.contype = 'c' AND n.nspname = ANY (%(schemas)s)
 ORDER BY 1, 2, 3
"""
_MACHINES_SQL = """
SELECT m.schema_name, m.table_name, m.column_name,
       (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum AS e
         WHERE e.enumtypid = m.enum_type),
       coalesce((SELECT array_agg(t.from_state || '>' || t.to_state ORDER BY 1) FROM common.state_transitions AS t
                  WHERE (t.schema_name, t.table_name, t.column_name) = (m.schema_name, m.table_name, m.column_name)),
                '{}')
  FROM common.state_machines AS m
 WHERE m.schema_name = ANY (%(schemas)s)
 ORDER BY 1, 2, 3
"""


def parse_event(line: str) -> dict[str, Any] | None:
    """The event a ``chaindb-coverage`` LOG line of the server log carries, else None."""
    found = _EVENT.search(line)
    return json.loads(found.group(1)) if found else None


def out_dir() -> Path | None:
    """The folder coverage data goes to, when collection is on (``CHAINDB_DB_COVERAGE``, no DATABASE_URL)."""
    value = os.environ.get(ENV)
    if not value or os.environ.get("DATABASE_URL"):
        return None
    path = Path(value)
    path.mkdir(parents=True, exist_ok=True)
    return path


def prepare_server(url: str) -> None:
    """Count every function call on this (throwaway) server: ``track_functions = all``."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET track_functions = 'all'")
        conn.execute("SELECT pg_catalog.pg_reload_conf()")
        for _ in range(50):
            row = conn.execute("SELECT current_setting('track_functions')").fetchone()
            if row and row[0] == "all":
                return
            time.sleep(0.02)


def server_log(url: str) -> Path | None:
    """The throwaway server's log: testing.postgresql writes ``<base>/<name>.log`` beside ``<base>/data``."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT current_setting('data_directory')").fetchone()
    assert row is not None
    logs = sorted(Path(str(row[0])).parent.glob("*.log"))
    return logs[0] if logs else None


def reset(url: str) -> None:
    """Zero the database's counters once its other sessions are gone (the migrations' calls do not count)."""
    with psycopg.connect(url, autocommit=True) as conn:
        _wait_alone(conn)
        conn.execute("SELECT pg_catalog.pg_stat_reset()")


def _wait_alone(conn: psycopg.Connection[Any], seconds: float = 5.0) -> None:
    """Until no other session is in this database: a session flushes its counters when it exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        row = conn.execute(
            "SELECT count(*) FROM pg_catalog.pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_catalog.pg_backend_pid()"
        ).fetchone()
        if row is not None and row[0] == 0:
            return
        time.sleep(0.01)


def collect(url: str, *, snapshot: str | None = None) -> tuple[dict[str, int], list[str]]:
    """Function call counts of the database at ``url`` (once its other sessions are gone) and, given the
    ``snapshot_sql`` query, the CHECKs its rows satisfy. Call it just before the database is dropped."""
    with psycopg.connect(url, autocommit=True) as conn:
        _wait_alone(conn)
        conn.execute("SELECT pg_catalog.pg_stat_clear_snapshot()")
        rows = conn.execute(
            "SELECT s.funcid::regprocedure::text, s.calls FROM pg_catalog.pg_stat_user_functions AS s"
        ).fetchall()
        accepted: list[str] = []
        if snapshot is not None:
            # the CHECK expressions call functions: those calls are not the tests'
            conn.execute("SET track_functions = 'none'")
            try:
                accepted = [str(r[0]) for r in conn.execute(snapshot).fetchall()]
            except psycopg.Error:  # the test changed the schema (rolled migrations back): ask this one
                accepted = [str(r[0]) for r in conn.execute(snapshot_sql(conn)).fetchall()]
    return {str(name): int(calls) for name, calls in rows}, accepted


def save_accepted(directory: Path, label: str, accepted: list[str]) -> None:
    """Record CHECKs seen accepted, as the pgTAP hook logs them."""
    if accepted:
        with (directory / f"events-{label}.log").open("a") as f:
            f.write(f"LOG:  {MARK}{json.dumps({'accepted': sorted(set(accepted))})}\n")


def save_functions(directory: Path, label: str, calls: dict[str, int]) -> None:
    path = directory / f"functions-{label}.json"
    total: dict[str, int] = json.loads(path.read_text()) if path.exists() else {}
    for name, n in calls.items():
        total[name] = total.get(name, 0) + n
    path.write_text(json.dumps(total, indent=1, sort_keys=True))


def save_log(log: Path | None, directory: Path, label: str) -> None:
    """Keep the server log's lines coverage reads: its ``chaindb-coverage`` LOG lines and the errors
    clients got, with the CONTEXT that names the functions they were raised in."""
    if log is None or not log.exists():
        return
    keep: list[str] = []
    in_context = False
    for line in log.read_text(errors="replace").splitlines():
        if _EVENT.search(line) or "ERROR:  " in line:
            keep.append(line)
            in_context = False
        elif "CONTEXT:  " in line:
            keep.append(line)
            in_context = True
        elif in_context and line.startswith("\t"):
            keep.append(line)
        else:
            in_context = False
    with (directory / f"events-{label}.log").open("a") as f:
        f.write("\n".join(keep) + "\n")


def save_catalog(url: str, directory: Path, schemas: list[str]) -> None:
    """What there is to cover: functions (and which are inlinable, and what uses them), CHECKs, machines."""
    args = {"schemas": schemas}
    with psycopg.connect(url, autocommit=True) as conn:
        functions = [
            {"schema": s, "name": n, "trigger": bool(t), "inlinable": bool(i)}
            for s, n, t, i in conn.execute(_FUNCTIONS_SQL, args).fetchall()
        ]
        used_by: dict[str, list[str]] = defaultdict(list)
        for fn, what in conn.execute(_USED_BY_SQL, args).fetchall():
            if what:
                used_by[str(fn)].append(str(what))
        sources = {str(n): str(src) for n, src in conn.execute(_SOURCES_SQL, args).fetchall()}
        checks = [f"{s}.{t}.{c}" for s, t, c in conn.execute(_CHECKS_SQL, args).fetchall()]
        has_machines = conn.execute("SELECT to_regclass('common.state_machines') IS NOT NULL").fetchone()
        machines = []
        if has_machines and has_machines[0]:
            machines = [
                {"schema": s, "table": t, "column": c, "labels": list(labels or []), "moves": list(moves)}
                for s, t, c, labels, moves in conn.execute(_MACHINES_SQL, args).fetchall()
            ]
    for f in functions:
        short = f["name"].split("(", 1)[0]
        f["used_by"] = sorted(used_by.get(f["name"], []))
        f["called_by"] = sorted(other for other, src in sources.items() if other != f["name"] and short + "(" in src)
    catalog = {"schemas": schemas, "functions": functions, "checks": checks, "machines": machines}
    (directory / "catalog.json").write_text(json.dumps(catalog, indent=1))


# -- pgTAP: the test-only hook ---------------------------------------------------------------------

_HANDLER = re.compile(r"(EXCEPTION\s+WHEN\s+OTHERS(?:\s+OR\s+ASSERT_FAILURE)?\s+THEN)", re.IGNORECASE)
_LOG_CAUGHT = r"""\1
    DECLARE cov_c text; cov_t text; cov_s text; cov_d text; cov_x text;
    BEGIN
        GET STACKED DIAGNOSTICS cov_c = CONSTRAINT_NAME, cov_t = TABLE_NAME, cov_s = SCHEMA_NAME,
                                cov_d = PG_EXCEPTION_DETAIL, cov_x = PG_EXCEPTION_CONTEXT;
        RAISE LOG 'chaindb-coverage %', json_build_object('refused', json_build_object(
            'sqlstate', SQLSTATE, 'schema', cov_s, 'table', cov_t, 'constraint', cov_c, 'detail', cov_d,
            'message', SQLERRM, 'context', cov_x));
    END;"""


def instrument_pgtap(url: str, schemas: list[str] | None = None) -> None:
    """In a scratch database: install pgTAP, make its ``throws_*`` handlers log the errors they catch, and
    its ``finish()`` log the CHECK snapshot; keep the SQL functions of ``schemas`` from being inlined, so that
    their calls are counted (a SET clause does: ``SET chaindb.coverage = 'counted'``, a placeholder setting
    any role may set and nothing reads). Raises when pgTAP's functions do not look as expected."""
    with psycopg.connect(url, autocommit=True) as conn:
        if schemas:
            inlinable = conn.execute(
                """
                SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc AS p
                  JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
                  JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
                 WHERE n.nspname = ANY (%s) AND l.lanname = 'sql' AND NOT p.prosecdef AND p.proconfig IS NULL
                   AND NOT p.proretset AND p.prokind = 'f'
                """,
                (schemas,),
            ).fetchall()
            for (name,) in inlinable:
                conn.execute(f"ALTER FUNCTION {name} SET chaindb.coverage = 'counted'")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pgtap")
        accepted = "json_build_object('accepted', coalesce(json_agg(s.name), '[]'))"
        body = f"BEGIN RAISE LOG 'chaindb-coverage %', (SELECT {accepted} FROM ({snapshot_sql(conn)}) AS s (name)); END"
        conn.execute("CREATE SCHEMA chaindb_coverage")
        conn.execute(
            "CREATE FUNCTION chaindb_coverage.snapshot() RETURNS void LANGUAGE plpgsql SECURITY DEFINER"
            " SET search_path = pg_catalog, pg_temp SET track_functions = 'none'"
            f" AS $chaindb_coverage${body}$chaindb_coverage$"
        )
        conn.execute("GRANT USAGE ON SCHEMA chaindb_coverage TO PUBLIC")
        rows = conn.execute(
            """
            SELECT p.oid::regprocedure::text, pg_catalog.pg_get_functiondef(p.oid)
              FROM pg_catalog.pg_proc AS p
              JOIN pg_catalog.pg_depend AS d ON d.objid = p.oid AND d.deptype = 'e'
              JOIN pg_catalog.pg_extension AS x ON x.oid = d.refobjid AND x.extname = 'pgtap'
             WHERE p.proname LIKE 'throws\\_%%' OR p.proname = 'finish'
            """
        ).fetchall()
        patched = []
        for name, definition in rows:
            text = str(definition)
            if name.startswith("finish("):
                text, n = re.subn(r"(AS \$function\$\n)", r"\1    SELECT chaindb_coverage.snapshot();\n", text, count=1)
            else:
                text, n = _HANDLER.subn(_LOG_CAUGHT, text)
            if n:
                conn.execute(text)
                patched.append(name)
        core = ("throws_ok(text,character,text,text)", "finish(boolean)")
        missing = [c for c in core if not any(p.endswith(c) for p in patched)]
        if missing:
            raise RuntimeError(f"coverage: pgTAP's {', '.join(missing)} did not look as expected: not instrumented")


# -- the report -------------------------------------------------------------------------------------

_CHECK_ERROR = re.compile(r'violates check constraint "([^"]+)"(?:.*?relation "([^"]+)")?')
_CHECK_RELATION = re.compile(r'new row for relation "([^"]+)" violates check constraint "([^"]+)"')
_DOMAIN_ERROR = re.compile(r'value for domain (\S+) violates check constraint "([^"]+)"')
_MOVE_ERROR = re.compile(r"ERROR:  (\w+): (\w+) may not change from (\S+) to (\S+)$")


@dataclass
class Data:
    calls: dict[str, int] = field(default_factory=dict)
    accepted: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)  # schema.table.constraint, or table.constraint from the log
    probe: dict[tuple[str, str, str], dict[tuple[str, str], bool]] = field(default_factory=dict)
    real_refusals: set[tuple[str, str, str, str]] = field(default_factory=set)  # table, label, from, to
    # functions an error was raised in (named by its CONTEXT): executed, although the error means
    # PostgreSQL never counted the call (a function that only raises is never in pg_stat_user_functions)
    raised: set[str] = field(default_factory=set)


_IN_FUNCTION = re.compile(r"PL/pgSQL function ([^\s(]+\([^)]*\))")


def read(directory: Path) -> Data:
    data = Data()
    for path in sorted(directory.glob("functions-*.json")):
        for name, n in json.loads(path.read_text()).items():
            data.calls[name] = data.calls.get(name, 0) + int(n)
    for path in sorted(directory.glob("events-*.log")):
        for line in path.read_text(errors="replace").splitlines():
            event = parse_event(line)
            if event is not None:
                if "accepted" in event:
                    data.accepted |= set(event["accepted"])
                elif "refused" in event:
                    r = event["refused"]
                    if r.get("constraint"):
                        data.refused.add(f"{r.get('schema') or ''}.{r.get('table') or ''}.{r['constraint']}")
                    _move_refusal(data, r.get("message") or "")
                    # the hook's own frame (pgTAP's throws_*) is in the context too: it is no project function
                    data.raised |= set(_IN_FUNCTION.findall(r.get("context") or ""))
                elif "probe" in event:
                    p = event["probe"]
                    key = (p["schema"], p["table"], p["column"])
                    outcomes = data.probe.setdefault(key, {})
                    for frm, to, allowed in p["outcomes"] or []:
                        outcomes[(frm, to)] = bool(allowed)
            elif "CONTEXT:  " in line or line.startswith("\t"):
                data.raised |= set(_IN_FUNCTION.findall(line))
            elif "ERROR:  " in line:
                message = line.split("ERROR:  ", 1)[1]
                m = _CHECK_RELATION.search(message)
                if m:
                    data.refused.add(f"?.{m.group(1)}.{m.group(2)}")
                m = _DOMAIN_ERROR.search(message)
                if m:
                    domain = m.group(1).split(".")[-1].strip('"')
                    data.refused.add(f"?.{domain}.{m.group(2)}")
                _move_refusal(data, message)
    return data


def _move_refusal(data: Data, message: str) -> None:
    m = re.match(r"(\w+): (\w+) may not change from (\S+) to (\S+)$", message)
    if m:
        data.real_refusals.add((m.group(1), m.group(2), m.group(3), m.group(4)))


def _refused(data: Data, check: str) -> bool:
    schema, table, name = check.split(".", 2)
    return check in data.refused or f"?.{table}.{name}" in data.refused or f"{schema}..{name}" in data.refused


@dataclass
class Coverage:
    text: str
    gaps: list[str]  # functions and trigger functions of registry schemas never executed


def report(directory: Path, registry: list[str]) -> Coverage:
    catalog = json.loads((directory / "catalog.json").read_text())
    data = read(directory)
    checks: list[str] = catalog["checks"]
    exercised_checks = {c for c in checks if c in data.accepted}

    by_name = {f["name"]: f for f in catalog["functions"]}
    memo: dict[str, tuple[bool, str]] = {}

    def executed(f: dict[str, Any]) -> tuple[bool, str]:
        name = f["name"]
        if name not in memo:
            memo[name] = (False, "")  # a cycle of calls proves nothing
            memo[name] = _executed(f)
        return memo[name]

    def _executed(f: dict[str, Any]) -> tuple[bool, str]:
        if data.calls.get(f["name"], 0) > 0:
            return True, ""
        if f["name"] in data.raised:
            return True, "executed: raised an error (a call that ends in an error is not counted by PostgreSQL)"
        if not f["inlinable"]:
            return False, ""
        # inlined into what called it: reached when that was executed (or reached itself)
        callers = [c for c in f["called_by"] if data.calls.get(c, 0) > 0 or (c in by_name and executed(by_name[c])[0])]
        callers += [
            u for u in f["used_by"]  # a BEGIN ATOMIC body's calls are dependencies
            if u.startswith("function ") and u[9:] in by_name and executed(by_name[u[9:]])[0]
        ]
        users = [u for u in f["used_by"] if u.startswith("check ") and u[6:] in exercised_checks]
        reached = callers + users
        return bool(reached), (f"reached (inlined) through {reached[0]}" if reached else "")

    rows = []
    gaps: list[str] = []
    details: list[str] = []
    for schema in catalog["schemas"]:
        fns = [f for f in catalog["functions"] if f["schema"] == schema]
        plain = [f for f in fns if not f["trigger"]]
        triggers = [f for f in fns if f["trigger"]]
        ok_plain = [f for f in plain if executed(f)[0]]
        ok_trig = [f for f in triggers if executed(f)[0]]
        for f in fns:
            hit, how = executed(f)
            if not hit:
                kind = "trigger function" if f["trigger"] else "function"
                details.append(f"  never executed: {f['name']} ({kind})")
                if schema in registry:
                    gaps.append(f["name"])
            elif how:
                details.append(f"  {f['name']}: {how}")
        mine = [c for c in checks if c.startswith(schema + ".")]
        acc = [c for c in mine if c in data.accepted]
        ref = [c for c in mine if _refused(data, c)]
        for c in mine:
            missing = [w for w, ok in (("accepted", c in acc), ("refused", c in ref)) if not ok]
            if missing:
                details.append(f"  CHECK {c}: no {' and no '.join(missing)} case")
        machines = [m for m in catalog["machines"] if m["schema"] == schema]
        moves = sum(len(m["moves"]) for m in machines)
        forbidden = sum(len(m["labels"]) ** 2 - len(m["labels"]) - len(m["moves"]) for m in machines)
        moves_ok = refused_ok = 0
        for m in machines:
            outcomes = data.probe.get((m["schema"], m["table"], m["column"]), {})
            declared = {tuple(x.split(">", 1)) for x in m["moves"]}
            moves_ok += sum(1 for pair in declared if outcomes.get(pair) is True)
            refused_ok += sum(
                1 for pair, allowed in outcomes.items()
                if not allowed and pair not in declared and pair[0] != pair[1] and pair[0] != "(new)"
            )
            real = sum(1 for r in data.real_refusals if r[0] == m["table"])
            if real:
                details.append(f"  {m['schema']}.{m['table']}.{m['column']}: {real} forbidden move(s) refused on the"
                               " real table")
        rows.append([
            schema,
            f"{len(ok_plain)}/{len(plain)}",
            f"{len(ok_trig)}/{len(triggers)}",
            f"{len(acc)}/{len(mine)}",
            f"{len(ref)}/{len(mine)}",
            f"{moves_ok}/{moves}" if machines else "-",
            f"{refused_ok}/{forbidden}" if machines else "-",
        ])
    head = ["schema", "functions", "trigger fns", "CHECK accepted", "CHECK refused", "moves accepted",
            "moves refused"]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [
        "Database logic exercised by pytest and pgTAP (how it is measured: python/chaindb/coverage.py)",
        "",
        "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
        *("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows),
    ]
    if details:
        lines += ["", *details]
    return Coverage("\n".join(lines) + "\n", gaps)


def main(directory: Path, registry: list[str], *, check: bool) -> int:
    if not (directory / "catalog.json").exists():
        print(f"coverage: no data in {directory}: run the suites with {ENV} set (make coverage), on servers"
              " they start (not with DATABASE_URL)")
        return 1 if check and not os.environ.get("DATABASE_URL") else 0
    result = report(directory, registry)
    print(result.text, end="")
    if check and result.gaps:
        print(f"coverage: {len(result.gaps)} function(s) of {', '.join(registry)} never executed by the tests:"
              f" {', '.join(result.gaps)}")
        return 1
    return 0
