"""Every rule the catalog holds is named by a rule test: a new CHECK or unique index in any schema of
the registry fails here until a test refuses a row by its name, or until ``tests/mutation.toml`` lists
dropping it as an equivalent mutant, with the reason no test can tell it from the original (another
rule refuses the same rows first).

The rule tests are the ones ``make mutate`` counts (``tests/mutation.toml`` [exclude] lists the
snapshots and hand-written copies of the catalog, which name everything without testing it). A name
in a rule test is how a refusing test says which rule refused (``throws_ok`` message, ``error_fields``,
``Lost``/``constraint``); ``make mutate`` then proves each test fails when its rule is broken.
"""

from __future__ import annotations

import re

import psycopg
import pytest

from chaindb import admin
from chaindb.embedded import project_root
from chaindb.mutation.run import Config, Suite

SCHEMAS = ["common", *admin.available_schemas()]


@pytest.fixture(scope="module")
def equivalent_drops() -> set[str]:
    """The rules whose removal no test can notice (``check-drop`` / ``unique-drop`` listed equivalent)."""
    ids = Config.load(project_root()).equivalent
    return {i.rsplit(".", 1)[-1] for i in ids if i.startswith(("check-drop:", "unique-drop:"))}


@pytest.fixture(scope="module")
def rule_tests() -> str:
    """The text of every rule test, lower case."""
    root = project_root()
    suite = Suite.discover(root, Config.load(root))
    return "\n".join(suite.text(path) for path in (*suite.pgtap, *suite.pytest))


RULES = {
    "CHECK constraints": "SELECT c.conname::text FROM pg_constraint AS c WHERE c.contype = 'c'"
    " AND c.connamespace = %s::regnamespace AND NOT EXISTS (SELECT FROM pg_depend AS d"
    " WHERE d.deptype = 'e' AND d.objid IN (c.conrelid, c.contypid))",
    "unique indexes": "SELECT x.relname::text FROM pg_index AS i JOIN pg_class AS x ON x.oid = i.indexrelid"
    " WHERE i.indisunique AND NOT i.indisprimary AND x.relnamespace = %s::regnamespace",
}


@pytest.mark.parametrize("schema", SCHEMAS)
@pytest.mark.parametrize("rule", RULES)
def test_every_rule_is_named_by_a_rule_test(
    conn: psycopg.Connection, schema: str, rule: str, rule_tests: str, equivalent_drops: set[str]
) -> None:
    names = sorted(r[0] for r in conn.execute(RULES[rule], (schema,)))
    missing = [
        n for n in names if n not in equivalent_drops and not re.search(rf"\b{re.escape(n.lower())}\b", rule_tests)
    ]
    assert not missing, f"{rule} no rule test names: {missing}"
