"""Fixtures of the bloxtr8 tests (``--import-mode=importlib``: test modules import nothing from here, they get
helpers as fixtures).

- ``world``: a seller, a buyer and a third user at TIER_1 with Roblox linked, and the active contract template,
  made through the generated functions as ``chaindb_app`` (KYC through ``user_set_kyc``).
- ``deals``: ``deals(n, amount=..., stage=...)`` makes n deals at once, set-based, as the superuser: listings,
  ACCEPTED offers, contracts PENDING_SIGNATURE, or EXECUTING with a PENDING job due now (both parties signed).
  Bulk set-up for the concurrency tests and the bench-sized queues; the rules are the same rows' rules (the
  tables' triggers run), only the rule functions are skipped.
- ``make_due``: moves every PENDING job whose backoff has not ended yet to now (the clock does not wait).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from chaindb.bloxtr8 import queries as q


@dataclass(frozen=True)
class World:
    seller: q.User
    buyer: q.User
    other: q.User
    template: q.ContractTemplate


def tier1_user(app: psycopg.Connection[Any], email: str, roblox_id: str) -> q.User:
    user = q.user_create(app, email=email, name=email.split("@")[0], email_verified=True)
    q.account_link(app, account_id=roblox_id, provider_id="roblox", user_id=user.id, scope="openid profile")
    return q.user_set_kyc(app, id=user.id, kyc_tier=q.KycTier.TIER_1, kyc_verified=False)


@pytest.fixture
def world(app: psycopg.Connection[Any]) -> World:
    return World(
        seller=tier1_user(app, "seller@bloxtr8.test", "101"),
        buyer=tier1_user(app, "buyer@bloxtr8.test", "102"),
        other=tier1_user(app, "other@bloxtr8.test", "103"),
        template=q.contract_template_publish(
            app, version="1.0.0", name="Roblox Asset Sale Agreement", terms={"clauses": ["transfer", "escrow"]}
        ),
    )


DEALS_SQL = """
WITH listing AS (
    INSERT INTO bloxtr8.listings (id, title, summary, price, category, user_id)
    SELECT %(prefix)s || g || '_l', 'Game ' || g, 'A Roblox game', %(amount)s, 'simulator', %(seller)s
    FROM generate_series(1, %(n)s) AS g
    RETURNING id
),
offer AS (
    INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id)
    SELECT replace(l.id, '_l', '_o'), %(amount)s, now() + interval '1 day', l.id, %(buyer)s, %(seller)s
    FROM listing AS l
    RETURNING id
)
SELECT count(*) FROM offer
"""


@pytest.fixture
def deals(conn: psycopg.Connection, world: World) -> Callable[..., list[str]]:
    """deals(n, prefix='d', amount=500_000, stage='PENDING_SIGNATURE' | 'EXECUTING') -> the contract ids."""

    def make(n: int, prefix: str = "d", amount: int = 500_000, stage: str = "PENDING_SIGNATURE") -> list[str]:
        params = {"prefix": prefix, "amount": amount, "n": n, "seller": world.seller.id, "buyer": world.buyer.id}
        with conn.transaction():
            conn.execute(DEALS_SQL, params)
            conn.execute("UPDATE bloxtr8.offers SET status = 'ACCEPTED' WHERE id LIKE %(prefix)s || '%%\\_o'", params)
            conn.execute("UPDATE bloxtr8.listings SET status = 'INACTIVE' WHERE id LIKE %(prefix)s || '%%\\_l'", params)
            conn.execute(
                "INSERT INTO bloxtr8.contracts (id, offer_id) SELECT replace(o.id, '_o', '_c'), o.id "
                "FROM bloxtr8.offers AS o WHERE o.id LIKE %(prefix)s || '%%\\_o'",
                params,
            )
            if stage == "EXECUTING":
                conn.execute(
                    "INSERT INTO bloxtr8.signatures (user_id, contract_id) "
                    "SELECT u, c.id FROM bloxtr8.contracts AS c, unnest(ARRAY[%(seller)s, %(buyer)s]) AS u "
                    "WHERE c.id LIKE %(prefix)s || '%%\\_c'",
                    params,
                )
                conn.execute(
                    "UPDATE bloxtr8.contracts SET status = 'EXECUTING' WHERE id LIKE %(prefix)s || '%%\\_c'", params
                )
                conn.execute(
                    "INSERT INTO bloxtr8.contract_execution_jobs (contract_id, next_retry_at) "
                    "SELECT c.id, now() FROM bloxtr8.contracts AS c WHERE c.id LIKE %(prefix)s || '%%\\_c'",
                    params,
                )
        return [r[0] for r in conn.execute(
            "SELECT id FROM bloxtr8.contracts WHERE id LIKE %(prefix)s || '%%\\_c' ORDER BY id", params
        )]

    return make


@pytest.fixture
def make_due(conn: psycopg.Connection) -> Callable[[], int]:
    def due() -> int:
        return conn.execute(
            "UPDATE bloxtr8.contract_execution_jobs SET next_retry_at = now() "
            "WHERE status = 'PENDING' AND next_retry_at > now()"
        ).rowcount

    return due
