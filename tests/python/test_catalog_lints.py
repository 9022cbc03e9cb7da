"""Catalog lints over every schema of the registry (``admin.available_schemas()``) and ``common``.

A schema that lands is linted without new test code; the conventions the lints read:

- secret column: its COMMENT starts with ``SECRET.``;
- append-only table: its COMMENT contains ``append-only`` (any case); enforced means a BEFORE
  UPDATE and a BEFORE DELETE row trigger and a BEFORE TRUNCATE statement trigger, enabled;
- guarded column: one that a SECURITY DEFINER function of its schema writes by ``UPDATE
  <schema>.<table> ... SET column = ...`` (read from the function bodies), plus the columns
  listed in GUARDED below; chaindb_app must hold no UPDATE on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import psycopg
import pytest

from chaindb import admin

OWNER = "chaindb_owner"
LINTED = ["common", *admin.available_schemas()]

#: Columns a rule function is meant to guard, per schema, beyond those its SECURITY DEFINER
#: functions UPDATE (which are found in their bodies): written only at INSERT by a function,
#: or by a trigger.
GUARDED: dict[str, dict[str, set[str]]] = {
    "authenticity": {
        "verify_intents": {"verify_intent_id", "batch_id", "commitment", "reward_lamports", "expires_at", "created_at"},
        "user_wallets": {"created_after_first_success", "created_at"},
        "code_packs": {"created_at"},
    },
    "cocopay": {
        "transactions": {
            "amount_usd", "from_user_id", "to_user_id", "store_id", "idempotency_key", "type", "chain_id",
            "created_at", "confirmed_at", "confirmation_code", "tokens_used", "rewards_earned",
        },
        "payouts": {"store_id", "requested_by", "amount_usd", "fee_usd", "destination", "created_at"},
        "store_members": {"store_id", "user_id", "role", "invited_by", "invited_at"},
        "smart_accounts": {"user_id", "chain_id", "address", "salt", "owner_address"},
    },
    "game_market": {
        "purchases": {
            "buyer_user_id", "guest_receipt_code", "game_id", "invoice_provider", "invoice_id", "amount_msat",
            "created_at",
        },
        "entitlements": {"purchase_id", "buyer_user_id", "guest_receipt_code", "game_id", "granted_at"},
        "ledger_entries": {"purchase_id", "type", "amount_msat", "meta_json", "created_at"},
        "payouts": {
            "purchase_id", "developer_user_id", "destination_ln_address", "amount_msat", "idempotency_key",
            "created_at",
        },
        "download_events": {"entitlement_id", "release_id", "ip_hash", "user_agent", "created_at"},
        "releases": {"published_at"},
        "ip_hash_salt": {"salt", "rotated_at"},
        "fee_rates": {"fee_bps"},
    },
    "tips": {
        "events": {"id", "host", "signer", "amount", "mint", "signature", "created_at"},
        "event_verifications": {"event_id", "signature", "created_at"},
        "reflect_payouts": {"event_id", "currency", "amount", "created_at"},
        "dynamic_sessions": {"external_id", "created_at"},
    },
    "bloxtr8": {
        "users": {"created_at"},
        "offers": {"amount", "expiry", "listing_id", "buyer_id", "seller_id", "parent_id", "conditions", "created_at"},
        "contracts": {"offer_id", "template_version", "roblox_asset_data", "created_at"},
        "signatures": {"user_id", "contract_id", "signature_method", "signed_at"},
        "contract_sign_tokens": {"token", "contract_id", "user_id", "expires_at", "created_at"},
        "contract_execution_jobs": {"contract_id", "created_at"},
        "escrows": {"rail", "amount", "offer_id", "contract_id", "created_at"},
        "roblox_snapshots": {"verified_ownership", "verification_date", "ownership_type", "listing_id"},
        "audit_logs": {"created_at"},
    },
}
#: The secret columns known today; each must carry the marker.
KNOWN_SECRETS = {
    ("authenticity", "codes", "code_plaintext"),
    ("cocopay", "sessions", "token_hash"),
    ("cocopay", "signing_keys", "encrypted_private_key"),
    ("game_market", "purchases", "guest_receipt_code"),
    ("game_market", "entitlements", "guest_receipt_code"),
    ("game_market", "ip_hash_salt", "salt"),
    *(("bloxtr8", "accounts", c) for c in ("access_token", "refresh_token", "id_token", "password")),
    ("bloxtr8", "sessions", "token"),
    ("bloxtr8", "contract_sign_tokens", "token"),
}


@pytest.fixture(scope="module")
def catalog(module_db_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(module_db_url, autocommit=True) as conn:
        yield conn


def rows(conn: psycopg.Connection, query: str, params: object = None) -> list[tuple[object, ...]]:
    """The rows of a query whose ``%(s)s`` is the linted schemas (unless ``params`` says otherwise)."""
    return conn.execute(query, params if params is not None else {"s": LINTED}).fetchall()


def test_the_lints_see_every_schema(catalog: psycopg.Connection) -> None:
    present = {r[0] for r in rows(catalog, "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%(s)s)")}
    assert present == set(LINTED) and len(LINTED) >= 3


def test_security_definer_functions_pin_their_search_path(catalog: psycopg.Connection) -> None:
    unpinned = rows(catalog, """
        SELECT p.oid::regprocedure::text FROM pg_proc AS p
        WHERE p.pronamespace::regnamespace::text = ANY(%(s)s) AND p.prosecdef
          AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY(p.proconfig), false)
    """)
    assert unpinned == []
    assert rows(catalog, "SELECT 1 FROM pg_proc WHERE prosecdef AND pronamespace::regnamespace::text = ANY(%(s)s)")


def test_nothing_is_granted_to_public(catalog: psycopg.Connection) -> None:
    """Schemas, relations, columns, sequences, functions (a NULL ACL means PUBLIC may execute)
    and types; extension members aside."""
    granted = rows(catalog, """
        WITH ext AS (SELECT objid FROM pg_depend WHERE deptype = 'e')
        SELECT 'schema', n.nspname::text FROM pg_namespace AS n, aclexplode(n.nspacl) AS a
        WHERE n.nspname = ANY(%(s)s) AND a.grantee = 0
        UNION ALL
        SELECT 'relation', c.oid::regclass::text FROM pg_class AS c, aclexplode(c.relacl) AS a
        WHERE c.relnamespace::regnamespace::text = ANY(%(s)s) AND a.grantee = 0 AND c.oid NOT IN (SELECT objid FROM ext)
        UNION ALL
        SELECT 'column', c.oid::regclass::text || '.' || t.attname
        FROM pg_class AS c JOIN pg_attribute AS t ON t.attrelid = c.oid, aclexplode(t.attacl) AS a
        WHERE c.relnamespace::regnamespace::text = ANY(%(s)s) AND a.grantee = 0
        UNION ALL
        SELECT 'function', p.oid::regprocedure::text FROM pg_proc AS p
        WHERE p.pronamespace::regnamespace::text = ANY(%(s)s) AND p.oid NOT IN (SELECT objid FROM ext)
          AND (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) AS a WHERE a.grantee = 0))
        UNION ALL
        SELECT 'type', t.oid::regtype::text FROM pg_type AS t
        WHERE t.typnamespace::regnamespace::text = ANY(%(s)s) AND t.typtype IN ('e', 'd', 'c')
          AND t.oid NOT IN (SELECT objid FROM ext) AND has_type_privilege('public', t.oid, 'USAGE')
          AND (t.typtype <> 'c' OR NOT EXISTS (SELECT FROM pg_class AS c WHERE c.oid = t.typrelid AND c.relkind <> 'c'))
    """)
    assert granted == []


def test_secret_columns_are_unreadable_by_chaindb_readonly(catalog: psycopg.Connection) -> None:
    secrets = rows(catalog, """
        SELECT c.relnamespace::regnamespace::text, c.relname::text, a.attname::text,
               has_column_privilege('chaindb_readonly', c.oid, a.attnum, 'SELECT')
        FROM pg_class AS c JOIN pg_attribute AS a ON a.attrelid = c.oid
        WHERE c.relnamespace::regnamespace::text = ANY(%(s)s) AND a.attnum > 0
          AND col_description(c.oid, a.attnum) LIKE 'SECRET.%%'
    """)
    marked = {(s, t, c) for s, t, c, _ in secrets}
    assert {k for k in KNOWN_SECRETS if k[0] in LINTED} <= marked, "a known secret lost its 'SECRET.' marker"
    assert [(s, t, c) for s, t, c, readable in secrets if readable] == []


def test_every_foreign_key_is_backed_by_an_index(catalog: psycopg.Connection) -> None:
    """An index whose leading columns are the key's (any order); a partial one only when its
    predicate is that the key IS NOT NULL (every lookup by the key implies it)."""
    unindexed = rows(catalog, """
        SELECT f.conrelid::regclass::text, f.conname::text
        FROM pg_constraint AS f
        WHERE f.contype = 'f' AND f.connamespace::regnamespace::text = ANY(%(s)s)
          AND NOT EXISTS (
              SELECT FROM pg_index AS i
              WHERE i.indrelid = f.conrelid
                AND (i.indkey::int2[])[0:cardinality(f.conkey) - 1] @> f.conkey
                AND (i.indkey::int2[])[0:cardinality(f.conkey) - 1] <@ f.conkey
                AND (i.indpred IS NULL OR pg_get_expr(i.indpred, i.indrelid) = (
                    SELECT string_agg(format('(%%I IS NOT NULL)', a.attname), ' AND ')
                    FROM pg_attribute AS a WHERE a.attrelid = f.conrelid AND a.attnum = ANY(f.conkey)
                ))
          )
    """)
    assert unindexed == []


def test_every_table_has_a_primary_key_and_a_comment(catalog: psycopg.Connection) -> None:
    missing = rows(catalog, """
        SELECT c.oid::regclass::text,
               NOT EXISTS (SELECT FROM pg_constraint AS k WHERE k.conrelid = c.oid AND k.contype = 'p') AS no_pkey,
               obj_description(c.oid, 'pg_class') IS NULL AS no_comment
        FROM pg_class AS c
        WHERE c.relnamespace::regnamespace::text = ANY(%(s)s) AND c.relkind IN ('r', 'p')
    """)
    assert [m for m in missing if m[1] or m[2]] == []


APPEND_ONLY = """
    SELECT c.oid::regclass::text AS tbl,
           EXISTS (SELECT FROM pg_trigger AS g WHERE g.tgrelid = c.oid AND g.tgenabled <> 'D'
                   AND g.tgtype & 1 = 1 AND g.tgtype & 2 = 2 AND g.tgtype & 16 = 16)
           AND EXISTS (SELECT FROM pg_trigger AS g WHERE g.tgrelid = c.oid AND g.tgenabled <> 'D'
                   AND g.tgtype & 1 = 1 AND g.tgtype & 2 = 2 AND g.tgtype & 8 = 8)
           AND EXISTS (SELECT FROM pg_trigger AS g WHERE g.tgrelid = c.oid AND g.tgenabled <> 'D'
                   AND g.tgtype & 1 = 0 AND g.tgtype & 2 = 2 AND g.tgtype & 32 = 32) AS enforced
    FROM pg_class AS c
    WHERE c.relnamespace::regnamespace::text = ANY(%(s)s) AND c.relkind IN ('r', 'p')
      AND obj_description(coalesce(pg_partition_root(c.oid), c.oid), 'pg_class') ILIKE '%%append-only%%'
"""


def test_append_only_tables_are_enforced_by_triggers(catalog: psycopg.Connection) -> None:
    """A table whose comment says append-only has its UPDATE, DELETE and TRUNCATE triggers, and is
    declared with common.define_append_only (so the declaration tests cover it). So has each partition of
    such a table (PostgreSQL clones row triggers to partitions, not TRUNCATE triggers)."""
    found = dict(rows(catalog, APPEND_ONLY))
    assert found, "no table says it is append-only"
    assert [t for t, enforced in found.items() if not enforced] == []
    declared = {t for (t,) in rows(catalog, """
        SELECT coalesce(p.relid, r.rel)::regclass::text
        FROM common.append_only_tables AS a
        CROSS JOIN LATERAL (SELECT format('%%I.%%I', a.schema_name, a.table_name)::regclass AS rel) AS r
        LEFT JOIN LATERAL pg_partition_tree(r.rel) AS p ON true
        WHERE a.schema_name = ANY(%(s)s)
    """)}
    assert sorted(set(found) - declared) == []



_UPDATE = re.compile(
    r"UPDATE\s+(\w+)\.(\w+)(?:\s+AS\s+\w+)?\s+SET\s+(.*?)(?=\bWHERE\b|\bRETURNING\b|\bFROM\b|;|\)\s*SELECT|$)",
    re.I | re.S,
)


def assigned_columns(assignments: str) -> set[str]:
    """The columns of a SET list (``a = x, b = coalesce(y, z)``): names before '=' at depth 0."""
    columns, depth, start = set(), 0, 0
    for i, ch in enumerate(assignments + ","):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            target = assignments[start:i].split("=", 1)[0].strip()
            columns.add(target.split(".")[-1])
            start = i + 1
    return {c for c in columns if c}


def guarded_columns(conn: psycopg.Connection) -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for schema, source in rows(conn, """
        SELECT p.pronamespace::regnamespace::text, p.prosrc FROM pg_proc AS p
        WHERE p.prosecdef AND p.pronamespace::regnamespace::text = ANY(%(s)s)
    """):
        for table_schema, table, assignments in _UPDATE.findall(str(source)):
            if table_schema == schema:
                found |= {(schema, table, column) for column in assigned_columns(assignments)}
    for schema, tables in GUARDED.items():
        if schema in LINTED:
            found |= {(schema, t, c) for t, columns in tables.items() for c in columns}
    return found


def test_the_guarded_columns_are_read_from_the_definer_functions(catalog: psycopg.Connection) -> None:
    guarded = guarded_columns(catalog)
    for expected in [("authenticity", "codes", "code_plaintext"), ("authenticity", "batches", "activated_at"),
                     ("cocopay", "transactions", "status"), ("cocopay", "smart_accounts", "deployed")]:
        if expected[0] in LINTED:
            assert expected in guarded


def test_chaindb_app_cannot_update_a_guarded_column(catalog: psycopg.Connection) -> None:
    query = "SELECT has_column_privilege('chaindb_app', %s, %s, 'UPDATE')"
    guarded = sorted(guarded_columns(catalog))
    assert [g for g in guarded if rows(catalog, query, (f"{g[0]}.{g[1]}", g[2]))[0][0]] == []


def test_everything_is_owned_by_the_owner_role(catalog: psycopg.Connection) -> None:
    """Schemas, relations, functions and types of the linted schemas (and the schema
    ``extensions``), extension members aside."""
    foreign = rows(catalog, """
        WITH ext AS (SELECT objid FROM pg_depend WHERE deptype = 'e'),
             linted AS (SELECT oid FROM pg_namespace WHERE nspname = ANY(%(s)s))
        SELECT 'schema', nspname::text, nspowner::regrole::text FROM pg_namespace
        WHERE nspname = ANY(%(s)s::text[] || ARRAY['extensions']) AND nspowner::regrole::text <> %(o)s
        UNION ALL
        SELECT 'relation', c.oid::regclass::text, c.relowner::regrole::text FROM pg_class AS c
        WHERE c.relnamespace IN (SELECT oid FROM linted) AND c.oid NOT IN (SELECT objid FROM ext)
          AND c.relowner::regrole::text <> %(o)s
        UNION ALL
        SELECT 'function', p.oid::regprocedure::text, p.proowner::regrole::text FROM pg_proc AS p
        WHERE p.pronamespace IN (SELECT oid FROM linted) AND p.oid NOT IN (SELECT objid FROM ext)
          AND p.proowner::regrole::text <> %(o)s
        UNION ALL
        SELECT 'type', t.oid::regtype::text, t.typowner::regrole::text FROM pg_type AS t
        WHERE t.typnamespace IN (SELECT oid FROM linted) AND t.oid NOT IN (SELECT objid FROM ext)
          AND t.typowner::regrole::text <> %(o)s
    """, {"s": LINTED, "o": OWNER})
    assert foreign == []
