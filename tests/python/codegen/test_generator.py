"""The generator itself: failures name file and line, output is stable, typed and lint-clean."""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from types import ModuleType
from typing import cast

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from chaindb import errors
from chaindb.codegen import sqltext
from chaindb.codegen.catalog import Catalog, StateMachine
from chaindb.codegen.generate import GenerationError, generate
from chaindb.codegen.generate import main as codegen_main
from chaindb.codegen.render import PackageWriter
from chaindb.codegen.runtime import parse_array

QUERIES = Path(__file__).parent / "fixtures" / "queries"
SCHEMA = "cgshop"
FIXTURE_PACKAGE = Path(__file__).parent / "fixtures" / "package"  # cgshop/types.py: the @json types
ROOT = Path(__file__).resolve().parents[3]
VENV_BIN = Path(sys.executable).parent


def write_queries(tmp_path: Path, text: str, name: str = "extra.sql") -> Path:
    folder = tmp_path / "queries" / SCHEMA
    folder.mkdir(parents=True)
    (folder / name).write_text(text, encoding="utf-8")
    return tmp_path / "queries"


def gen(url: str, queries: Path, package_dir: Path = FIXTURE_PACKAGE) -> dict[str, str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return generate(conn, SCHEMA, queries, package_dir)


ImportFrom = Callable[[Path, str], AbstractContextManager[ModuleType]]


def write_package(files: dict[str, str], tmp_path: Path, package: str = "cgtmp") -> Path:
    """Write the generated files as package ``<package>.queries``; returns the folder to import from."""
    root = tmp_path / "pkg"
    target = root / package / "queries"
    target.mkdir(parents=True)
    (root / package / "__init__.py").write_text("", encoding="utf-8")
    for name, source in files.items():
        (target / name).write_text(source, encoding="utf-8")
    return root


BROKEN = """\
-- name: store_ok(id)^
-- Fine.
SELECT id FROM cgshop.stores WHERE id = :id::uuid;

-- name: store_broken(id)
-- Refers to a column that does not exist.
SELECT id,
       nope
  FROM cgshop.stores
 WHERE id = :id::uuid;
"""


def test_broken_query_names_file_line_and_server_message(
    fixture_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = write_queries(tmp_path, BROKEN, "broken.sql")
    with pytest.raises(GenerationError) as info:
        gen(fixture_db_url, queries)
    message = str(info.value)
    assert "broken.sql:8:" in message  # the line holding `nope`
    assert "store_broken" in message
    assert 'column "nope" does not exist' in message

    rc = codegen_main(
        ["--database-url", fixture_db_url, "--schema", SCHEMA, "--queries-dir", str(queries),
         "--out-dir", str(tmp_path / "out")]
    )
    assert rc == 1
    assert "broken.sql:8:" in capsys.readouterr().err
    assert not (tmp_path / "out" / SCHEMA / "queries").exists()


def test_bad_spec_and_directives_fail_with_line(fixture_db_url: str, tmp_path: Path) -> None:
    select = "SELECT id FROM cgshop.stores WHERE id = :id::uuid;\n"
    queries = write_queries(tmp_path, "\n\n-- name: store_x(id)^\n-- @not-nul id\n" + select)
    with pytest.raises(GenerationError, match=r"extra\.sql:3: .*unknown directive @not-nul"):
        gen(fixture_db_url, queries)
    shutil.rmtree(queries)
    queries = write_queries(tmp_path, "-- name: store_x(id)^\n-- @not-null idd\n" + select)
    with pytest.raises(GenerationError, match=r"extra\.sql:1: .*name no result column: idd"):
        gen(fixture_db_url, queries)
    shutil.rmtree(queries)
    queries = write_queries(tmp_path, "-- name: store_x(id)^\nSELECT id, 1 FROM cgshop.stores WHERE id = :id::uuid;\n")
    with pytest.raises(GenerationError, match=r"no name: alias every expression"):
        gen(fixture_db_url, queries)
    shutil.rmtree(queries)
    queries = write_queries(tmp_path, "-- name: store_x()!\nSELECT id FROM cgshop.stores WHERE name LIKE 'a%';\n")
    with pytest.raises(GenerationError, match=r"extra\.sql:1: .*%%"):
        gen(fixture_db_url, queries)
    shutil.rmtree(queries)
    queries = write_queries(tmp_path, "\n-- name: store_x(id, other)^\n" + select)
    with pytest.raises(GenerationError, match=r"extra\.sql:2: .*unused declared parameter"):
        gen(fixture_db_url, queries)


def test_regeneration_is_byte_identical_and_check_mode(
    codegen_db_url: str, fixture_db_url: str, template_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # another database (other OIDs) gives the same text
    first = gen(make_conninfo(codegen_db_url, dbname=template_db), QUERIES)
    second = gen(fixture_db_url, QUERIES)
    assert first == second
    assert sorted(first) == ["__init__.py", "models.py", "orders.py", "stores.py"]

    out = tmp_path / "out"
    shutil.copytree(FIXTURE_PACKAGE / SCHEMA, out / SCHEMA)
    args = ["--database-url", fixture_db_url, "--schema", SCHEMA, "--queries-dir", str(QUERIES), "--out-dir", str(out)]
    assert codegen_main([*args, "--check"]) == 1  # nothing written yet
    assert codegen_main(args) == 0
    package = out / SCHEMA / "queries"
    assert {p.name: p.read_text(encoding="utf-8") for p in package.iterdir()} == first
    assert (out / SCHEMA / "__init__.py").exists()
    capsys.readouterr()
    assert codegen_main([*args, "--check"]) == 0
    target = package / "stores.py"
    target.write_text(first["stores.py"].replace("One store by id.", "Edited by hand."), encoding="utf-8")
    assert codegen_main([*args, "--check"]) == 1
    captured = capsys.readouterr()
    assert "-    \"\"\"Edited by hand.\"\"\"" in captured.out and "+    \"\"\"One store by id.\"\"\"" in captured.out
    assert "differs" in captured.err
    assert codegen_main(args) == 0
    assert target.read_text(encoding="utf-8") == first["stores.py"]

    # a module of a query file that is gone, and the former one-file layout, are stale: removed
    (package / "gone.py").write_text("# Generated by chaindb.codegen from queries/cgshop/gone.sql — do not edit.\n")
    (out / SCHEMA / "queries.py").write_text("# Generated by chaindb.codegen from queries/cgshop/ — do not edit.\n")
    assert codegen_main([*args, "--check"]) == 1
    assert "gone.py is no longer generated" in capsys.readouterr().out
    assert codegen_main(args) == 0
    assert not (package / "gone.py").exists() and not (out / SCHEMA / "queries.py").exists()
    # a hand-written module inside the generated package is refused, not deleted
    (package / "helpers.py").write_text("X = 1\n")
    assert codegen_main(args) == 1
    assert "was not generated: move it" in capsys.readouterr().err
    assert (package / "helpers.py").exists()


def test_generated_code_passes_mypy_strict_and_ruff(generated_dir: Path) -> None:
    target = generated_dir / SCHEMA / "queries"
    ruff = subprocess.run(
        [str(VENV_BIN / "ruff"), "check", "--config", str(ROOT / "pyproject.toml"), str(target)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    mypy = subprocess.run(
        [str(VENV_BIN / "mypy"), "--strict", "--no-incremental", "--cache-dir", "/dev/null", "-p", f"{SCHEMA}.queries"],
        capture_output=True, text=True, cwd=ROOT, check=False, env={**os.environ, "MYPYPATH": str(generated_dir)},
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


NAMES = """\
-- name: tricky(day, conn)
-- A reserved parameter name; a RIGHT JOIN; overrides; a keyword column.
-- @nullable name
-- @nullable-param day
SELECT s.id, s.name, o.qty AS class, s."from"
  FROM cgshop.orders o
 RIGHT JOIN cgshop.stores s ON s.id = o.store_id
 WHERE s."from" IS DISTINCT FROM :day::date AND s.id <> :conn::uuid;

-- name: ids_for_names(names)
SELECT s.id FROM cgshop.stores s WHERE s.name = ANY(:names::text[]);
"""


def test_names_overrides_and_right_join(fixture_db_url: str, tmp_path: Path, import_from: ImportFrom) -> None:
    files = gen(fixture_db_url, write_queries(tmp_path, NAMES))
    source, models = files["extra.py"], files["models.py"]
    assert "    day: datetime.date | None = None,\n    conn_: uuid.UUID,\n" in source  # nullable: defaults to None
    assert '{"day": day, "conn": conn_}' in source
    assert '    from_: datetime.date | None = Field(alias="from")\n' in models
    assert "    id: uuid.UUID\n" in models  # the preserved side of RIGHT JOIN
    assert "    name: str | None\n" in models  # @nullable
    assert '    class_: int | None = Field(alias="class")\n' in models  # nullable side, keyword name
    assert "    names: list[str],\n" in source or "names: list[str]) ->" in source
    with import_from(write_package(files, tmp_path), "cgtmp.queries") as q:  # importable as is
        assert inspect.signature(q.tricky).parameters["day"].default is None
        assert inspect.signature(q.tricky).parameters["conn_"].default is inspect.Parameter.empty


def test_sqltext_helpers() -> None:
    assert sqltext.to_numbered("a = %(x)s AND b = %(y)s OR c = %(x)s AND d LIKE 'q%%'") == (
        "a = $1 AND b = $2 OR c = $1 AND d LIKE 'q%'",
        ["x", "y"],
    )
    with pytest.raises(sqltext.PlaceholderError):
        sqltext.to_numbered("a = %s")
    left = (
        "SELECT * FROM a.t1 x LEFT OUTER JOIN a.t2 y ON true JOIN t3 ON true"
        " LEFT JOIN LATERAL (SELECT * FROM t4) z ON true"
    )
    assert {"t2", "t4"} <= sqltext.outer_join_nullable(left)
    assert "t1" not in sqltext.outer_join_nullable(left) and "t3" not in sqltext.outer_join_nullable(left)
    assert {"t1"} <= sqltext.outer_join_nullable("SELECT * FROM t1 RIGHT JOIN t2 ON true")
    assert {"t1", "t2"} <= sqltext.outer_join_nullable("SELECT * FROM t1 FULL JOIN t2 ON true")
    assert sqltext.outer_join_nullable("SELECT left(x, 1), 'LEFT JOIN t9' FROM t1 -- LEFT JOIN t8") == set()
    assert sqltext.always_one_row("INSERT INTO s.t (a, b) VALUES (%(a)s, (SELECT 1)) RETURNING *")
    assert sqltext.always_one_row("insert into s.t default values returning id")
    assert not sqltext.always_one_row("INSERT INTO s.t (a) VALUES (1), (2) RETURNING *")
    assert not sqltext.always_one_row("INSERT INTO s.t (a) VALUES (1) ON CONFLICT DO NOTHING RETURNING *")
    assert not sqltext.always_one_row("INSERT INTO s.t (a) SELECT 1 RETURNING *")
    assert sqltext.single_function_source("SELECT * FROM s.f(%(x)s) AS r WHERE r.a > 1") == ("s", "f")
    assert sqltext.single_function_source("SELECT * FROM f(1)") == (None, "f")
    assert sqltext.single_function_source("SELECT * FROM s.f(1), s.t") is None
    assert sqltext.single_function_source("SELECT * FROM s.f(1) JOIN s.t ON true") is None
    assert sqltext.has_grouping_sets("SELECT a FROM t GROUP BY ROLLUP (a)")
    assert not sqltext.has_grouping_sets("SELECT cube(1) FROM t GROUP BY a")


def test_pg_array_parser() -> None:
    pg_array = parse_array
    assert pg_array('{pending,"closed out","2nd-chance","x\\"y",NULL,"NULL"}') == [
        "pending", "closed out", "2nd-chance", 'x"y', None, "NULL",
    ]
    assert pg_array("{}") == []
    assert pg_array("{{a,b},{c,d}}") == [["a", "b"], ["c", "d"]]
    assert pg_array("[0:1]={a,b}") == ["a", "b"]
    assert pg_array(["already"]) == ["already"]


CLAIMS = """\
-- name: store_phone_claimed(id)^
-- @not-null phone
SELECT id, name, phone FROM cgshop.stores WHERE id = :id::uuid;

-- name: store_phone_value(id)$
-- @not-null phone
-- @one
SELECT phone FROM cgshop.stores WHERE id = :id::uuid;

-- name: store_phone_maybe(id)$
-- @one
SELECT phone FROM cgshop.stores WHERE id = :id::uuid;
"""


def test_declared_not_null_is_checked_at_run_time(
    fixture_db_url: str, tmp_path: Path, import_from: ImportFrom
) -> None:
    files = gen(fixture_db_url, write_queries(tmp_path, CLAIMS))
    # only the claim is checked: id and name are NOT NULL columns, proven by the catalog
    assert 'not_null=("phone",),' in files["extra.py"]
    assert "_rt.Value(not_null=True)" in files["extra.py"]
    with import_from(write_package(files, tmp_path), "cgtmp.queries") as q, psycopg.connect(
        fixture_db_url, autocommit=True
    ) as conn:
        insert = "INSERT INTO cgshop.stores (name, phone) VALUES (%s, %s) RETURNING id"
        (with_phone,) = conn.execute(insert, ("a", "+1")).fetchone()
        (without,) = conn.execute(insert, ("b", None)).fetchone()
        assert q.store_phone_claimed(conn, id=with_phone).phone == "+1"
        assert q.store_phone_value(conn, id=with_phone) == "+1"
        with pytest.raises(errors.UnexpectedNull) as info:
            q.store_phone_claimed(conn, id=without)
        assert info.value.column == "phone" and "StorePhoneClaimedRow: NULL in phone" in str(info.value)
        with pytest.raises(errors.UnexpectedNull):
            q.store_phone_value(conn, id=without)
        # @one on a nullable value: a NULL value is None, no row at all is an error
        assert q.store_phone_maybe(conn, id=without) is None
        with pytest.raises(errors.NoRowReturned):
            q.store_phone_maybe(conn, id=uuid.uuid4())


def test_transition_map_names() -> None:
    def machine(table: str, column: str) -> StateMachine:
        return StateMachine("s", table, column, 0, "s.e", None, None, ())

    machines = [
        machine("payouts", "status"),
        machine("stores", "deployment_status"),
        machine("store_deployments", "status"),
        machine("ledger_entries", "state"),
    ]
    writer = PackageWriter("s", cast(Catalog, None), [], machines=machines)
    assert list(writer.machine_names().values()) == [
        "PAYOUT_STATUS",
        "STORES_DEPLOYMENT_STATUS",  # STORE_DEPLOYMENT_STATUS twice: the plural table names tell them apart
        "STORE_DEPLOYMENTS_STATUS",
        "LEDGER_ENTRY_STATE",
    ]
