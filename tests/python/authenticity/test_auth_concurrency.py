"""64 concurrent confirmations of the same code, 20 rounds: exactly one SUCCESS and one reward per code.

Each round, 64 threads (each with its own connection) line up on a barrier and confirm the
same code at once: 32 intents, two threads per intent. Per intent, one thread settles it and
the other finds it settled (CD001); per code, one confirmation succeeds and the other 31 are
recorded as FAIL ALREADY_VERIFIED with no reward.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from chaindb.authenticity import packs

THREADS = 64
ROUNDS = 20
INTENTS = 32
REWARD = 2_500_000


@pytest.mark.slow
def test_concurrent_confirmations_pay_once(
    conn: psycopg.Connection, db_url: str, batch: Any, key: bytes, sig: Callable[[], str]
) -> None:
    pack = packs.create_pack(conn, batch.id, "RACE", ROUNDS)
    packs.generate_pack(conn, pack, key, workers=1)
    commitments = [
        bytes(row[0])
        for row in conn.execute(
            "SELECT commitment FROM authenticity.codes WHERE pack_id = %s ORDER BY id", (pack,)
        ).fetchall()
    ]
    users = [
        row[0]
        for row in conn.execute(
            "INSERT INTO authenticity.users (email) "
            "SELECT 'racer' || g || '@example.com' FROM generate_series(1, %s) AS g RETURNING id",
            (THREADS,),
        ).fetchall()
    ]
    intents: list[list[str]] = []
    for round_, commitment in enumerate(commitments):
        ids = [f"r{round_}-i{i}-{uuid.uuid4().hex[:6]}" for i in range(INTENTS)]
        for intent in ids:
            conn.execute(
                "SELECT authenticity.issue_verify_intent(%s, %s, '10 minutes', %s)", (commitment, REWARD, intent)
            )
        intents.append(ids)

    barrier = threading.Barrier(THREADS)
    outcomes: list[list[tuple[str, str]]] = [[] for _ in range(ROUNDS)]
    lock = threading.Lock()
    crashes: list[BaseException] = []

    def racer(index: int) -> None:
        try:
            with psycopg.connect(db_url, autocommit=True) as own:
                signatures = [sig() for _ in range(ROUNDS)]
                for round_ in range(ROUNDS):
                    intent = intents[round_][index % INTENTS]
                    barrier.wait(timeout=60)
                    try:
                        row = own.execute(
                            "SELECT result::text, coalesce(failure_reason, '') "
                            "FROM authenticity.confirm_verification(%s, %s, %s)",
                            (intent, users[index], signatures[round_]),
                        ).fetchone()
                        outcome = (row[0], row[1]) if row else ("none", "")
                    except psycopg.Error as error:
                        outcome = ("error", error.sqlstate or "")
                    with lock:
                        outcomes[round_].append(outcome)
        except BaseException as error:  # a crashed racer must fail the test, not hang the barrier
            crashes.append(error)
            barrier.abort()

    threads = [threading.Thread(target=racer, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not crashes, crashes
    assert not any(thread.is_alive() for thread in threads)

    for round_, seen in enumerate(outcomes):
        counts = Counter(seen)
        assert counts == {
            ("SUCCESS", ""): 1,
            ("FAIL", "ALREADY_VERIFIED"): INTENTS - 1,
            ("error", "CD001"): THREADS - INTENTS,
        }, (round_, counts)

    rows = conn.execute(
        """
        SELECT v.commitment, count(*) FILTER (WHERE v.result = 'SUCCESS'), count(*) FILTER (WHERE v.result = 'FAIL'),
               sum(v.reward_lamports), count(DISTINCT v.intent_id)
        FROM authenticity.verifications AS v
        WHERE v.batch_id = %s
        GROUP BY v.commitment
        """,
        (batch.id,),
    ).fetchall()
    assert len(rows) == ROUNDS
    for _commitment, successes, failures, paid, intents_settled in rows:
        assert (successes, failures, paid, intents_settled) == (1, INTENTS - 1, REWARD, INTENTS)
    statuses = dict(
        conn.execute(
            "SELECT status::text, count(*) FROM authenticity.verify_intents WHERE batch_id = %s GROUP BY status",
            (batch.id,),
        ).fetchall()
    )
    assert statuses == {"CONFIRMED": ROUNDS, "FAILED": ROUNDS * (INTENTS - 1)}
    assert conn.execute(
        "SELECT sum(reward_lamports) FROM authenticity.verifications WHERE result = 'SUCCESS'"
    ).fetchone() == (ROUNDS * REWARD,)
