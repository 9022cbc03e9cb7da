"""cocopay: races are settled by the database.

Each worker has its own connection; all workers of a round start together on a
threading.Barrier. 32 workers x 10 rounds per rule; each test asserts exactly-once
outcomes (by SQLSTATE and constraint name) and the final rows. Workers connect as
chaindb_app and write the way the application may (the rule functions, the columns it is
granted), except where a test says it races the constraint itself.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import psycopg
import pytest

WORKERS = 32
ROUNDS = 10


@pytest.fixture
def owner(db_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        yield conn


def race(
    db_url: str, work: Callable[[psycopg.Connection, int, int], None], role: str | None = "chaindb_app"
) -> list[list[str]]:
    """Run ``work(conn, round, worker)`` in WORKERS threads for ROUNDS rounds, as ``role``
    (None: the test's superuser).

    Returns, per round, each worker's outcome: "ok", or "<sqlstate>:<constraint or table>".
    """
    barrier = threading.Barrier(WORKERS)
    options = f"-c role={role}" if role else ""
    with ExitStack() as stack:
        conns = [
            stack.enter_context(psycopg.connect(db_url, autocommit=True, options=options)) for _ in range(WORKERS)
        ]

        def one(round_no: int, worker: int) -> str:
            barrier.wait(timeout=30)
            try:
                work(conns[worker], round_no, worker)
            except psycopg.Error as exc:
                diag = exc.diag
                return f"{diag.sqlstate}:{diag.constraint_name or diag.table_name}"
            return "ok"

        outcomes = []
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for round_no in range(ROUNDS):
                futures = [pool.submit(one, round_no, w) for w in range(WORKERS)]
                outcomes.append([f.result() for f in futures])
        return outcomes


def new_user(conn: psycopg.Connection) -> uuid.UUID:
    user_id = uuid.uuid4()
    conn.execute(
        "insert into cocopay.users (id, phone) values (%s, %s)",
        (user_id, "+55" + str(user_id.int)[:11]),
    )
    return user_id


def new_store(conn: psycopg.Connection) -> uuid.UUID:
    store_id = uuid.uuid4()
    conn.execute("insert into cocopay.stores (id, name, symbol) values (%s, 'Loja', 'LOJA')", (store_id,))
    return store_id


def test_idempotency_key_is_used_once(db_url: str, owner: psycopg.Connection) -> None:
    store_id = new_store(owner)
    run = uuid.uuid4().hex

    def work(conn: psycopg.Connection, round_no: int, worker: int) -> None:
        conn.execute(
            "select * from cocopay.create_transaction(%s, 'payment', %s, '8453', p_store_id => %s)",
            (f"{run}-{round_no}", worker + 1, store_id),
        )

    for outcomes in race(db_url, work):  # every worker offers another amount under the same key
        assert Counter(outcomes) == {"ok": 1, "CD002:transactions_idempotency_key_key": WORKERS - 1}
    rows = owner.execute(
        "select idempotency_key, count(*) from cocopay.transactions where store_id = %s group by 1", (store_id,)
    ).fetchall()
    assert sorted(rows) == sorted((f"{run}-{r}", 1) for r in range(ROUNDS))


def test_one_owner_per_store(db_url: str, owner: psycopg.Connection) -> None:
    """The unique index itself, raced by a writer that bypasses the functions (the app role
    cannot insert memberships: cocopay.create_store makes the owner with the store)."""
    stores = [new_store(owner) for _ in range(ROUNDS)]
    users = [new_user(owner) for _ in range(WORKERS)]

    def work(conn: psycopg.Connection, round_no: int, worker: int) -> None:
        conn.execute(
            "insert into cocopay.store_members (store_id, user_id, role) values (%s, %s, 'owner')",
            (stores[round_no], users[worker]),
        )

    for outcomes in race(db_url, work, role=None):
        assert Counter(outcomes) == {"ok": 1, "23505:store_members_one_owner_key": WORKERS - 1}
    owners = owner.execute(
        "select store_id, count(*) from cocopay.store_members where role = 'owner' and store_id = any(%s) group by 1",
        (stores,),
    ).fetchall()
    assert sorted(owners) == sorted((s, 1) for s in stores)


def test_one_active_signing_key_per_user(db_url: str, owner: psycopg.Connection) -> None:
    users = [new_user(owner) for _ in range(ROUNDS)]

    def work(conn: psycopg.Connection, round_no: int, worker: int) -> None:
        conn.execute(
            "insert into cocopay.signing_keys (user_id, encrypted_private_key, address) values (%s, %s, %s)",
            (users[round_no], f"ciphertext-{worker}", "0x" + f"{worker:040x}"),
        )

    for outcomes in race(db_url, work):
        assert Counter(outcomes) == {"ok": 1, "23505:signing_keys_user_id_active_key": WORKERS - 1}
    active = owner.execute(
        "select user_id, count(*) from cocopay.signing_keys where is_active and user_id = any(%s) group by 1",
        (users,),
    ).fetchall()
    assert sorted(active) == sorted((u, 1) for u in users)


def test_payout_settles_once(db_url: str, owner: psycopg.Connection) -> None:
    """Half the workers complete a processing payout, half fail it (cocopay.complete_payout,
    cocopay.fail_payout): the first wins; every other call, the same move again included, is
    refused with CD001 (payouts_status_transition)."""
    store_id = new_store(owner)
    requester = new_user(owner)
    payouts = []
    for _ in range(ROUNDS):
        payout_id = uuid.uuid4()
        owner.execute(
            "insert into cocopay.payouts (id, store_id, requested_by, amount_usd, payout_type, destination, status)"
            " values (%s, %s, %s, 10, 'pix', '{\"pix_key\": \"k\"}', 'processing')",
            (payout_id, store_id, requester),
        )
        payouts.append(payout_id)

    def work(conn: psycopg.Connection, round_no: int, worker: int) -> None:
        if worker % 2:
            conn.execute("select * from cocopay.complete_payout(%s)", (payouts[round_no],))
        else:
            conn.execute("select * from cocopay.fail_payout(%s, 'rejected')", (payouts[round_no],))

    results = race(db_url, work)
    for round_no, outcomes in enumerate(results):
        final = owner.execute("select status::text from cocopay.payouts where id = %s", (payouts[round_no],)).fetchone()
        assert final is not None and final[0] in ("completed", "failed")
        assert Counter(outcomes) == {"ok": 1, "CD001:payouts_status_transition": WORKERS - 1}, round_no
        winner = outcomes.index("ok")
        assert ("completed" if winner % 2 else "failed") == final[0]


def test_sign_count_never_decreases(db_url: str, owner: psycopg.Connection) -> None:
    """Workers write counters in any order; the stored counter ends at the maximum and every
    write of a lower value than the stored one is refused with CD004."""
    user_id = new_user(owner)
    passkeys = []
    for _ in range(ROUNDS):
        passkey_id = uuid.uuid4()
        owner.execute(
            "insert into cocopay.passkeys (id, user_id, credential_id, public_key) values (%s, %s, %s, '\\x01')",
            (passkey_id, user_id, f"cred-{passkey_id}"),
        )
        passkeys.append(passkey_id)

    def work(conn: psycopg.Connection, round_no: int, worker: int) -> None:
        conn.execute("update cocopay.passkeys set sign_count = %s where id = %s", (worker + 1, passkeys[round_no]))

    for round_no, outcomes in enumerate(race(db_url, work)):
        final = owner.execute("select sign_count from cocopay.passkeys where id = %s", (passkeys[round_no],)).fetchone()
        assert final == (WORKERS,)
        counts = Counter(outcomes)
        assert set(counts) <= {"ok", "CD004:passkeys_sign_count_monotonic"}
        assert outcomes[WORKERS - 1] == "ok"  # the highest counter is never refused
        assert counts["ok"] >= 1
