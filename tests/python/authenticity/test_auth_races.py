"""authenticity: every function that moves a status or settles a race, raced.

``race.run``: 32 workers, each on its own connection as chaindb_app, line up on a barrier and call the
same function on the same row, 10 rounds (a fresh row each round); each call's transaction stays open
a moment, so every call starts before the first one commits. Exactly one wins, every other one gets
the rule's SQLSTATE and constraint, and the row holds the winner's values. ``race.after``: a call
made while another transaction holds what it reads must see that transaction's outcome.
(Concurrent confirmations of one code: test_auth_concurrency.py.)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import psycopg

from chaindb.authenticity import packs
from chaindb.chain import solana

ROUNDS = 10
REWARD = 2_500_000


def batches(conn: psycopg.Connection, new_batch: Callable[..., Any], *, activate: bool) -> list[Any]:
    run = uuid.uuid4().hex[:8]
    return [new_batch(conn, f"RACE-{run}-{r}", activate=activate) for r in range(ROUNDS)]


BATCH = "status::text, activated_tx_signature, activated_at"
PACK = "status::text, download_count, downloaded_at, print_confirmed_at, plaintext_purged_at"


def reader(conn: psycopg.Connection, table: str, columns: str, ids: list[Any]) -> Any:
    """row(round): the columns of the round's row, read back."""
    return lambda round_no: conn.execute(
        f"SELECT {columns} FROM authenticity.{table} WHERE id = %s", (ids[round_no],)
    ).fetchone()


def filled_pack(
    conn: psycopg.Connection, batch: Any, key: bytes, *, quantity: int = 2, ready: bool = True
) -> uuid.UUID:
    pack = packs.create_pack(conn, batch.id, f"P-{uuid.uuid4().hex[:10]}", quantity)
    packs.generate_pack(conn, pack, key, workers=1, mark_ready=ready)
    return pack


def test_activating_a_batch_once(
    conn: psycopg.Connection, race: Any, new_batch: Callable[..., Any], sig: Callable[[], str]
) -> None:
    created = batches(conn, new_batch, activate=False)
    signatures = [[sig() for _ in range(32)] for _ in range(ROUNDS)]

    def activate(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {BATCH} FROM authenticity.activate_batch(%s, %s)",
            (created[round_no].id, signatures[round_no][worker]),
        ).fetchone()

    won = race.settle(
        activate, ("CD007", "batches_activated_once"), reader(conn, "batches", BATCH, [b.id for b in created])
    )
    assert {w[0] for w in won} == {"ACTIVE"}


def test_pausing_resuming_and_closing_a_batch_once(
    conn: psycopg.Connection, race: Any, new_batch: Callable[..., Any]
) -> None:
    """Each move of a batch, raced by 32 workers: one makes it, the others find it made (CD001)."""
    for function, start, end in [
        ("pause_batch", None, "PAUSED"),
        ("resume_batch", "pause_batch", "ACTIVE"),
        ("close_batch", None, "CLOSED"),
    ]:
        active = batches(conn, new_batch, activate=True)
        for b in active:
            if start:
                conn.execute(f"SELECT authenticity.{start}(%s)", (b.id,))

        def move(
            app: psycopg.Connection, round_no: int, worker: int, fn: str = function, rows: list[Any] = active
        ) -> Any:
            return app.execute(f"SELECT {BATCH} FROM authenticity.{fn}(%s)", (rows[round_no].id,)).fetchone()

        won = race.settle(
            move, ("CD001", "batches_status_transition"), reader(conn, "batches", BATCH, [b.id for b in active])
        )
        assert {w[0] for w in won} == {end}, function


def test_marking_a_pack_ready_once(conn: psycopg.Connection, race: Any, batch: Any, key: bytes) -> None:
    generated = [filled_pack(conn, batch, key, ready=False) for _ in range(ROUNDS)]

    def ready(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {PACK} FROM authenticity.mark_code_pack_ready(%s)", (generated[round_no],)
        ).fetchone()

    won = race.settle(ready, ("CD001", "code_packs_status_transition"), reader(conn, "code_packs", PACK, generated))
    assert {w[0] for w in won} == {"READY"}


def test_codes_wait_for_a_pack_becoming_ready(conn: psycopg.Connection, race: Any, batch: Any, key: bytes) -> None:
    """Codes being added share-lock their pack: marking it READY meanwhile waits for them, and then counts
    them (without the lock it would count none and refuse, CD007)."""
    pack = packs.create_pack(conn, batch.id, f"P-{uuid.uuid4().hex[:10]}", 3)
    outcome = race.after(
        lambda c: packs.generate_pack(c, pack, key, workers=1, mark_ready=False),
        lambda c: c.execute("SELECT status::text FROM authenticity.mark_code_pack_ready(%s)", (pack,)).fetchone(),
        holder_role="chaindb_app",
    )
    assert outcome == ("READY",)


def test_a_pack_does_not_become_ready_while_codes_are_added(
    conn: psycopg.Connection, race: Any, batch: Any, key: bytes
) -> None:
    """Codes being added share-lock their pack: even a direct UPDATE to READY by the owner waits for them,
    then counts them and refuses (CD007), instead of making READY a pack that ends up with more codes."""
    pack = filled_pack(conn, batch, key, quantity=2, ready=False)
    extra = packs.build_chunk(
        packs.ChunkTask(batch.public_id, str(pack), 1, key, packs.DEFAULT_BASE_URL, str(solana.program_id()))
    )

    def add_code(app: psycopg.Connection) -> None:
        with app.cursor() as cur, cur.copy(packs.COPY_SQL) as copy:
            copy.write(extra)

    outcome = race.after(
        add_code,
        lambda c: c.execute("UPDATE authenticity.code_packs SET status = 'READY' WHERE id = %s", (pack,)),
        holder_role="chaindb_app",
        contender_role="chaindb_owner",
    )
    assert outcome == race.Lost("CD007", "code_packs_quantity_generated")
    assert conn.execute(
        "SELECT p.status::text, count(c.id) FROM authenticity.code_packs AS p"
        " JOIN authenticity.codes AS c ON c.pack_id = p.id WHERE p.id = %s GROUP BY 1",
        (pack,),
    ).fetchone() == ("GENERATING", 3)


def test_downloads_are_counted_once_each(conn: psycopg.Connection, race: Any, batch: Any, key: bytes) -> None:
    """32 simultaneous downloads of a READY pack: each is counted (1..32), downloaded_at is set once."""
    ready = [filled_pack(conn, batch, key) for _ in range(ROUNDS)]

    def download(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT download_count, downloaded_at FROM authenticity.record_code_pack_download(%s)", (ready[round_no],)
        ).fetchone()

    for round_no, results in enumerate(race.run(download)):
        assert sorted(count for count, _ in results) == list(range(1, 33))
        first = {at for _, at in results}
        assert len(first) == 1
        assert conn.execute(
            "SELECT status::text, download_count, downloaded_at FROM authenticity.code_packs WHERE id = %s",
            (ready[round_no],),
        ).fetchone() == ("DOWNLOADED", 32, first.pop())


def test_confirming_a_print_once(conn: psycopg.Connection, race: Any, batch: Any, key: bytes) -> None:
    downloaded = [filled_pack(conn, batch, key) for _ in range(ROUNDS)]
    for pack in downloaded:
        conn.execute("SELECT authenticity.record_code_pack_download(%s)", (pack,))

    def confirm(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(f"SELECT {PACK} FROM authenticity.confirm_print(%s)", (downloaded[round_no],)).fetchone()

    won = race.settle(confirm, ("CD001", "code_packs_status_transition"), reader(conn, "code_packs", PACK, downloaded))
    assert {w[0] for w in won} == {"PRINT_CONFIRMED"}
    assert conn.execute(
        "SELECT count(*) FROM authenticity.codes WHERE pack_id = ANY(%s) AND code_plaintext IS NOT NULL", (downloaded,)
    ).fetchone() == (0,)


def intents(conn: psycopg.Connection, batch: Any, key: bytes, count: int) -> list[str]:
    """One ISSUED intent for each of ``count`` codes of a fresh pack."""
    pack = filled_pack(conn, batch, key, quantity=count)
    return [
        conn.execute(
            "SELECT verify_intent_id FROM authenticity.issue_verify_intent(%s, %s)", (row[0], REWARD)
        ).fetchone()[0]
        for row in conn.execute("SELECT commitment FROM authenticity.codes WHERE pack_id = %s ORDER BY id", (pack,))
    ]


def new_users(conn: psycopg.Connection, count: int) -> list[uuid.UUID]:
    return [
        row[0]
        for row in conn.execute(
            "INSERT INTO authenticity.users (email) SELECT format('r%%s-%%s@example.com', g, gen_random_uuid())"
            " FROM generate_series(1, %s) AS g RETURNING id",
            (count,),
        ).fetchall()
    ]


def test_failing_a_verification_once(
    conn: psycopg.Connection, race: Any, batch: Any, key: bytes, sig: Callable[[], str]
) -> None:
    issued = intents(conn, batch, key, ROUNDS)
    users = new_users(conn, 32)
    signatures = [[sig() for _ in range(32)] for _ in range(ROUNDS)]

    def fail(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT failure_reason, user_id, 1::bigint FROM authenticity.fail_verification(%s, %s, %s, %s)",
            (issued[round_no], users[worker], signatures[round_no][worker], f"CHAIN_REFUSED_{worker}"),
        ).fetchone()

    race.settle(
        fail,
        ("CD001", "verify_intents_status_transition"),
        lambda round_no: conn.execute(
            "SELECT v.failure_reason, v.user_id, count(*) OVER () FROM authenticity.verifications AS v"
            " JOIN authenticity.verify_intents AS i ON i.id = v.intent_id"
            " WHERE i.verify_intent_id = %s AND i.status = 'FAILED'",
            (issued[round_no],),
        ).fetchone(),
    )


def test_expiring_intents_once(conn: psycopg.Connection, race: Any, batch: Any, key: bytes) -> None:
    """32 workers expire the same lapsed intents at once: each intent is expired, and counted, exactly once."""
    pack = filled_pack(conn, batch, key, quantity=ROUNDS)
    commitments = [r[0] for r in conn.execute("SELECT commitment FROM authenticity.codes WHERE pack_id = %s", (pack,))]
    lapsed = [
        [
            conn.execute(
                "SELECT id FROM authenticity.issue_verify_intent(%s, %s, '1 microsecond')", (commitment, REWARD)
            ).fetchone()[0]
            for _ in range(3)
        ]
        for commitment in commitments
    ]

    def expire(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute("SELECT authenticity.expire_verify_intents()").fetchone()[0]

    results = race.run(expire)
    assert sum(sum(counts) for counts in results) == 3 * ROUNDS
    assert conn.execute(
        "SELECT count(*) FROM authenticity.verify_intents WHERE id = ANY(%s) AND status = 'EXPIRED'",
        ([i for ids in lapsed for i in ids],),
    ).fetchone() == (3 * ROUNDS,)


def test_a_confirmation_after_another_one_committed_is_refused(
    conn: psycopg.Connection, race: Any, batch: Any, key: bytes, sig: Callable[[], str]
) -> None:
    """The intent is locked while it is confirmed: a second confirmation waits, then finds it settled."""
    (intent,) = intents(conn, batch, key, 1)
    first, second = new_users(conn, 2)
    outcome = race.after(
        lambda c: c.execute("SELECT authenticity.confirm_verification(%s, %s, %s)", (intent, first, sig())),
        lambda c: c.execute("SELECT authenticity.confirm_verification(%s, %s, %s)", (intent, second, sig())),
        holder_role="chaindb_app",
    )
    assert outcome == race.Lost("CD001", "verify_intents_status_transition")
    assert conn.execute(
        "SELECT result::text, user_id, reward_lamports FROM authenticity.verifications WHERE commitment ="
        " (SELECT commitment FROM authenticity.verify_intents WHERE verify_intent_id = %s)",
        (intent,),
    ).fetchall() == [("SUCCESS", first, REWARD)]


def test_a_confirmation_waits_for_a_pause(
    conn: psycopg.Connection, race: Any, batch: Any, key: bytes, sig: Callable[[], str]
) -> None:
    """confirm_verification share-locks the batch: a confirmation made while the batch is being paused
    waits, then records FAIL BATCH_NOT_ACTIVE and pays nothing."""
    (intent,) = intents(conn, batch, key, 1)
    (user,) = new_users(conn, 1)
    outcome = race.after(
        lambda c: c.execute("SELECT authenticity.pause_batch(%s)", (batch.id,)),
        lambda c: c.execute(
            "SELECT result::text, failure_reason, reward_lamports FROM authenticity.confirm_verification(%s, %s, %s)",
            (intent, user, sig()),
        ).fetchone(),
        holder_role="chaindb_app",
    )
    assert outcome == ("FAIL", "BATCH_NOT_ACTIVE", 0)
