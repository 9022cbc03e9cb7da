"""transaction_search (@optional filters, @json token breakdown) and store_get_with_members (nested rows).

Every combination of omitted filters returns what filtering the rows in Python returns; at 10^5 transactions each
combination is its own statement whose generic plan reads cocopay.transactions through an index (the store's when
it filters by store), where the one-statement catch-all form cannot use the store's index at all.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg import sql

from chaindb.cocopay import queries as q
from chaindb.cocopay.queries.transactions import TRANSACTION_SEARCH
from chaindb.cocopay.types import TokenUse
from chaindb.codegen.sqltext import to_numbered

UTC = datetime.UTC
T0 = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
FILTERS = ("store_id", "from_user_id", "status", "since")


def _user(conn: psycopg.Connection[Any]) -> q.User:
    phone = "+55" + str(uuid.uuid4().int)[:11]
    return q.user_get_or_create_by_phone(conn, phone=phone, name=None, locale=None)


def _store(conn: psycopg.Connection[Any], owner: q.User, symbol: str) -> q.Store:
    return q.store_create(
        conn, owner_id=owner.id, name=f"Loja {symbol}", symbol=symbol, short_code=None, category=None,
        description=None, latitude=None, longitude=None, address=None, website=None, instagram=None, qr_code_url=None,
    )


def test_transaction_search_every_combination(app: psycopg.Connection[Any], clock: Any) -> None:
    owner, ana, bia = _user(app), _user(app), _user(app)
    padaria, feira = _store(app, owner, "PADA"), _store(app, owner, "FEIRA")
    made: list[q.Transaction] = []
    for i, (store, customer) in enumerate(itertools.product((padaria, feira, None), (ana, bia, None))):
        kind = q.TransactionType.BONUS_CLAIM if store is None else q.TransactionType.PAYMENT
        clock.freeze(T0 + datetime.timedelta(hours=i))
        tx = q.transaction_create(
            app, idempotency_key=f"k{i}", type=kind,
            amount_usd=Decimal(i + 1), chain_id=q.ChainId.V_8453, from_user_id=customer.id if customer else None,
            to_user_id=None, store_id=store.id if store else None,
            tokens_used=[{"token_address": USDC, "amount": str(1000 * (i + 1)), "amount_usd": f"{i + 1}.5"}],
            rewards_earned={"token_address": USDC, "amount": "1"} if i % 2 else None,
            bundle_id=None,
        )
        if i % 3 == 1:
            assert tx.confirmation_code is not None
            tx = q.transaction_confirm(app, id=tx.id, confirmation_code=tx.confirmation_code, tx_hash=None,
                                       block_number=None)
        made.append(tx)
    values = {"store_id": padaria.id, "from_user_id": ana.id, "status": q.TransactionStatus.CONFIRMED,
              "since": T0 + datetime.timedelta(hours=3)}
    for given in itertools.chain.from_iterable(itertools.combinations(FILTERS, k) for k in range(5)):
        args = {name: values[name] for name in given}
        rows = q.transaction_search(app, max_rows=100, **args)
        expected = sorted(
            (t for t in made
             if ("store_id" not in args or t.store_id == padaria.id)
             and ("from_user_id" not in args or t.from_user_id == ana.id)
             and ("status" not in args or t.status == q.TransactionStatus.CONFIRMED)
             and ("since" not in args or t.created_at >= values["since"])),
            key=lambda t: (-t.created_at.timestamp(), t.id),
        )
        assert [r.id for r in rows] == [t.id for t in expected], given
    # the token breakdown comes back as the project's model, amounts exact
    everything = q.transaction_search(app, max_rows=100)
    assert len(everything) == len(made)
    last = everything[0]
    assert last.tokens_used == [TokenUse(token_address=USDC, amount=Decimal(9000), amount_usd=Decimal("9.5"))]
    assert everything[1].rewards_earned == TokenUse(token_address=USDC, amount=Decimal(1))
    assert last.rewards_earned is None
    assert q.transaction_search(app, status=q.TransactionStatus.FAILED, max_rows=5) == []


def _bulk(conn: psycopg.Connection[Any], n: int = 100_000) -> tuple[uuid.UUID, uuid.UUID]:
    """n transactions over 200 stores and 200 users, a year of them, mostly confirmed (the rows are valid;
    triggers and foreign-key checks are skipped to load them fast: replica mode, superuser)."""
    conn.execute("SET session_replication_role = replica")
    series = "generate_series(1, 200) AS i"
    conn.execute(f"INSERT INTO cocopay.users (phone) SELECT '+5511' || lpad(i::text, 9, '0') FROM {series}")
    conn.execute(f"INSERT INTO cocopay.stores (name, symbol) SELECT 'Loja ' || i, 'LJ' || i FROM {series}")
    conn.execute(
        """
        INSERT INTO cocopay.transactions (store_id, from_user_id, type, status, amount_usd, chain_id, created_at,
                                          confirmed_at, tokens_used, confirmation_code)
        SELECT s.id, u.id, 'payment', x.st, 1 + i %% 50, '8453', x.ts, CASE WHEN x.st = 'confirmed' THEN x.ts END,
               '[]', 'ABCDEF'
        FROM generate_series(1, %s) AS i
        CROSS JOIN LATERAL (
            SELECT (ARRAY['confirmed', 'confirmed', 'confirmed', 'pending', 'failed'])[1 + i %% 5]
                       ::cocopay.transaction_status AS st,
                   timestamptz '2024-01-01Z' + i * interval '5 minutes' AS ts
        ) AS x
        JOIN (SELECT id, row_number() OVER (ORDER BY name) AS n FROM cocopay.stores) AS s ON s.n = 1 + i %% 200
        JOIN (SELECT id, row_number() OVER (ORDER BY phone) AS n FROM cocopay.users) AS u ON u.n = 1 + (i / 7) %% 200
        """,
        (n,),
    )
    conn.execute("RESET session_replication_role")
    conn.execute("ANALYZE cocopay.transactions")
    store = conn.execute("SELECT id FROM cocopay.stores ORDER BY name LIMIT 1").fetchone()
    user = conn.execute("SELECT id FROM cocopay.users ORDER BY phone LIMIT 1").fetchone()
    assert store is not None and user is not None
    return store[0], user[0]


def _generic_plan(
    conn: psycopg.Connection[Any], name: str, statement: str, values: dict[str, Any]
) -> list[tuple[str, str]]:
    """(node type, index or relation) of the generic plan of a prepared statement, as prepare=True runs it."""
    numbered, order = to_numbered(statement)
    conn.execute(sql.SQL("PREPARE {} AS ").format(sql.Identifier(name)) + sql.SQL(numbered))  # type: ignore[arg-type]
    explain = sql.SQL("EXPLAIN (FORMAT JSON) EXECUTE {}({})").format(
        sql.Identifier(name), sql.SQL(", ").join(sql.Literal(values[n]) for n in order)
    )
    row = conn.execute(explain).fetchone()
    assert row is not None
    nodes: list[tuple[str, str]] = []

    def walk(plan: dict[str, Any]) -> None:
        nodes.append((plan["Node Type"], plan.get("Index Name") or plan.get("Relation Name") or ""))
        for child in plan.get("Plans", []):
            walk(child)

    walk(row[0][0]["Plan"])
    return nodes


@pytest.mark.slow
def test_every_variant_reads_through_an_index_at_1e5_rows(conn: psycopg.Connection[Any]) -> None:
    store, user = _bulk(conn)
    conn.execute("SET plan_cache_mode = force_generic_plan")
    values = {"store_id": store, "from_user_id": user, "status": "confirmed",
              "since": datetime.datetime(2024, 6, 1, tzinfo=UTC), "max_rows": 50}
    store_indexes = {"transactions_store_id_created_at_id_idx", "idx_transactions_store"}
    assert len(TRANSACTION_SEARCH.variants) == 16
    variants = sorted(TRANSACTION_SEARCH.variants.items(), key=lambda kv: sorted(kv[0]))
    for k, (omitted, statement) in enumerate(variants):
        nodes = _generic_plan(conn, f"v{k}", statement, values)
        given = sorted(set(FILTERS) - omitted)
        assert ("Seq Scan", "transactions") not in nodes, (given, nodes)
        scans = {name for kind, name in nodes if kind in ("Index Scan", "Index Only Scan", "Bitmap Index Scan")}
        assert scans, (given, nodes)
        if "store_id" in given:
            assert scans & store_indexes, (given, nodes)
    # the catch-all form, one statement for every combination, cannot use a store index for its generic plan
    catch_all = TRANSACTION_SEARCH.sql.replace(
        "t.store_id = %(store_id)s::uuid", "(%(store_id)s::uuid IS NULL OR t.store_id = %(store_id)s::uuid)"
    )
    nodes = _generic_plan(conn, "catch_all", catch_all, values)
    assert not {name for _, name in nodes} & store_indexes, nodes
    # and the generated function, prepared by psycopg, returns the store's newest 50
    rows = q.transaction_search(conn, store_id=store, max_rows=50)
    assert len(rows) == 50 and all(r.store_id == store for r in rows)
    assert [r.created_at for r in rows] == sorted((r.created_at for r in rows), reverse=True)


def test_store_get_with_members(app: psycopg.Connection[Any]) -> None:
    owner, clerk = _user(app), _user(app)
    store = _store(app, owner, "MEMB")
    invited = q.store_member_invite(
        app, store_id=store.id, user_id=clerk.id, role=q.StoreRole.STAFF, invited_by=owner.id
    )
    row = q.store_get_with_members(app, id=store.id)
    assert row is not None and (row.id, row.name, row.symbol) == (store.id, store.name, "MEMB")
    assert [m.user_id for m in row.members] == [owner.id, clerk.id]
    assert all(isinstance(m, q.StoreMember) for m in row.members)
    assert row.members[1] == invited  # the nested row equals the row the invitation returned
    assert row.members[0].role is q.StoreRole.OWNER and row.members[0].accepted_at is not None
    assert q.store_get_with_members(app, id=uuid.uuid4()) is None
