"""tips: every function that moves a status or settles a race, raced.

``race.run``: 32 workers, each on its own connection as chaindb_app, line up on a barrier and call the
same function on the same row, 10 rounds (a fresh row each round); each call's transaction stays open
a moment, so every call starts before the first one commits. Exactly one wins, every other one gets
the rule's SQLSTATE and constraint (or, from a claim, no row), and the row holds the winner's values.
Retried webhooks (the same wallet, the same reason) all return the one row, unchanged. ``race.after``: a
call made while another transaction holds the row it reads must see that transaction's outcome.

The worker's moves are made with one claim token held by every worker (a worker that lost its lease and
one that took it over act on the same row): each locks its row in tips.lock_claimed_verification or
tips.lock_claimed_payout before it checks the state and the claim, so the losers see the winner's move.
test_tips_worker.py races a verification recorded with its payout, and a settlement, with the worker's
generated functions. The functions are called by name with their defaults.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from chaindb.tips import fakes, verify

ROUNDS = 10
HOST = fakes.pubkey("race host")
SIGNER = fakes.pubkey("race signer")
LEASE = datetime.timedelta(hours=1)

VERIFICATION = "status::text, slot, error_code, helius_response, verified_at, claim_token"
VERIFICATION_MOVE = ("CD001", "event_verifications_status_transition")
PAYOUT = "status::text, reflect_tip_id, last_error, claim_token, available_at"
PAYOUT_MOVE = ("CD001", "reflect_payouts_status_transition")
SESSION = "id, status::text, custodial_wallet, failure_reason, updated_at"
#: A retried webhook's call takes the row's lock and finds nothing to change; it keeps the lock until it
#: commits, so the retries pass one after another, each holding its transaction open this long (5 rounds of
#: 32 x 20 ms).
RETRY_HOLD = 0.02
#: Rounds of a race whose round needs a setup of its own (claims: a round connects its own 32 workers) or whose
#: calls pass one after another (retries).
SHORT = 5


def reader(conn: psycopg.Connection, table: str, columns: str, ids: list[Any]) -> Any:
    """row(round): the columns of the round's row, read back."""
    return lambda round_no: conn.execute(
        f"SELECT {columns} FROM tips.{table} WHERE id = %s", (ids[round_no],)
    ).fetchone()


def one(conn: psycopg.Connection, query: str, params: tuple[Any, ...]) -> Any:
    """The first column of the query's one row."""
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def new_host(conn: psycopg.Connection) -> None:
    conn.execute("INSERT INTO tips.hosts (wallet, handle) VALUES (%s, 'race_host')", (HOST,))


def ingest(conn: psycopg.Connection, event_id: str) -> uuid.UUID:
    """A pending tip to HOST; its verification's id."""
    return one(
        conn,
        "SELECT id FROM tips.ingest_tip(%s, %s, %s, 1000000, %s, %s)",
        (event_id, HOST, SIGNER, verify.USDC_MINT, fakes.signature(event_id)),
    )


def claimed_verifications(conn: psycopg.Connection, name: str) -> tuple[list[uuid.UUID], uuid.UUID]:
    """ROUNDS pending tips, all claimed at once: their verification ids and the claim's token."""
    new_host(conn)
    ids = [ingest(conn, f"{name}-{n}") for n in range(ROUNDS)]
    tokens = {r[0] for r in conn.execute("SELECT claim_token FROM tips.claim_verifications(1000, %s)", (LEASE,))}
    assert len(tokens) == 1
    return ids, tokens.pop()


def verified_events(conn: psycopg.Connection, name: str) -> list[str]:
    """ROUNDS verified tips (no payout yet): their event ids."""
    ids, token = claimed_verifications(conn, name)
    for vid in ids:
        conn.execute("SELECT tips.verify_event(%s, %s, 5, '{\"slot\": 5}')", (vid, token))
    return [f"{name}-{n}" for n in range(ROUNDS)]


def payouts(conn: psycopg.Connection, name: str, *, claim: bool, queue: bool = False) -> tuple[list[uuid.UUID], Any]:
    """A pending payout of each of ROUNDS verified tips; claimed at once (and queued at Reflect) when asked: the
    payout ids and the claim's token (None when unclaimed)."""
    ids = [one(conn, "SELECT id FROM tips.create_payout(%s, 'USDC', 1)", (e,)) for e in verified_events(conn, name)]
    if not claim:
        return ids, None
    tokens = {r[0] for r in conn.execute("SELECT claim_token FROM tips.claim_payouts('pending', 1000, %s)", (LEASE,))}
    assert len(tokens) == 1
    token = tokens.pop()
    if queue:
        for n, pid in enumerate(ids):
            conn.execute("SELECT tips.queue_payout(%s, %s, %s)", (pid, token, f"rfl_{name}_{n}"))
    return ids, token


def settle_claim(race: Any, conn: psycopg.Connection, claim_sql: str, table: str, row_id: Any) -> Any:
    """One round of 32 workers each claiming one row (``claim_sql``, a lease of 60 s + the worker's number) while
    only ``row_id`` may be claimed: one gets it, the others get nothing. The winner's row."""
    columns = "id, claim_token, attempt_count, available_at"

    def claim(app: psycopg.Connection, _round: int, worker: int) -> Any:
        return app.execute(f"SELECT {columns} FROM {claim_sql}", (datetime.timedelta(seconds=60 + worker),)).fetchone()

    (won,) = race.settle(claim, None, reader(conn, table, columns, [row_id]), rounds=1)
    assert won[0] == row_id and won[2] == 1
    return won


def test_claiming_a_verification_once(conn: psycopg.Connection, race: Any) -> None:
    """One pending tip, 32 workers claim one row each: one gets it (FOR UPDATE SKIP LOCKED; once committed its
    lease hides it), the others get nothing."""
    new_host(conn)
    for round_no in range(SHORT):
        vid = ingest(conn, f"claim-{round_no}")
        settle_claim(race, conn, "tips.claim_verifications(1, %s)", "event_verifications", vid)


def test_verifying_or_failing_a_verification_once(conn: psycopg.Connection, race: Any) -> None:
    """Half the workers verify a claimed tip (each at its own slot), half fail it (each with its own code), all
    with the claim's token: one decides it, with its values."""
    ids, token = claimed_verifications(conn, "decide")

    def decide(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        if worker % 2:
            return app.execute(
                f"SELECT {VERIFICATION} FROM tips.verify_event(%s, %s, %s, %s)",
                (ids[round_no], token, worker, Jsonb({"slot": worker})),
            ).fetchone()
        return app.execute(
            f"SELECT {VERIFICATION} FROM tips.fail_verification(%s, %s, %s, NULL, %s)",
            (ids[round_no], token, f"E{worker}", Jsonb({"found": False, "worker": worker})),
        ).fetchone()

    won = race.settle(decide, VERIFICATION_MOVE, reader(conn, "event_verifications", VERIFICATION, ids))
    assert {w[0] for w in won} <= {"verified", "failed"} and all(w[5] is None for w in won)


def test_failing_a_verification_once(conn: psycopg.Connection, race: Any) -> None:
    ids, token = claimed_verifications(conn, "fail")

    def fail(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {VERIFICATION} FROM tips.fail_verification(%s, %s, %s, %s, %s)",
            (ids[round_no], token, f"E{worker}", worker, Jsonb({"slot": worker})),
        ).fetchone()

    won = race.settle(fail, VERIFICATION_MOVE, reader(conn, "event_verifications", VERIFICATION, ids))
    assert {w[0] for w in won} == {"failed"}


def test_releasing_a_verification_once(conn: psycopg.Connection, race: Any) -> None:
    """The claim's holders give the tip back, each with its own wait: the first one's wait holds, the others
    find the claim gone (CD007 event_verifications_claim_held)."""
    ids, token = claimed_verifications(conn, "release")
    columns = "status::text, claim_token, available_at"

    def release(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {columns} FROM tips.release_verification(%s, %s, make_interval(secs => %s))",
            (ids[round_no], token, worker),
        ).fetchone()

    won = race.settle(
        release, ("CD007", "event_verifications_claim_held"), reader(conn, "event_verifications", columns, ids)
    )
    assert {w[:2] for w in won} == {("pending", None)}


def test_creating_a_payout_once(conn: psycopg.Connection, race: Any) -> None:
    """Workers create the payout of one verified tip, each for its own amount: one payout, the winner's."""
    events = verified_events(conn, "create")

    def create(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT amount FROM tips.create_payout(%s, 'USDC', %s)", (events[round_no], Decimal(worker + 1))
        ).fetchone()

    race.settle(
        create,
        ("23505", "reflect_payouts_event_id_key"),
        lambda round_no: conn.execute(
            "SELECT amount FROM tips.reflect_payouts WHERE event_id = %s", (events[round_no],)
        ).fetchone(),
    )


def test_claiming_a_payout_once(conn: psycopg.Connection, race: Any) -> None:
    for event_id in verified_events(conn, "pclaim")[:SHORT]:
        pid = one(conn, "SELECT id FROM tips.create_payout(%s, 'USDC', 1)", (event_id,))
        settle_claim(race, conn, "tips.claim_payouts('pending', 1, %s)", "reflect_payouts", pid)


def test_queueing_a_payout_once(conn: psycopg.Connection, race: Any) -> None:
    """The claim's holders report the payout accepted at Reflect, each under its own id: one id is recorded,
    the others find it queued (CD001)."""
    ids, token = payouts(conn, "queue", claim=True)

    def queue(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {PAYOUT} FROM tips.queue_payout(%s, %s, %s)", (ids[round_no], token, f"rfl_{round_no}_{worker}")
        ).fetchone()

    won = race.settle(queue, PAYOUT_MOVE, reader(conn, "reflect_payouts", PAYOUT, ids))
    assert {(w[0], w[3]) for w in won} == {("queued", token)}


def test_settling_failing_or_cancelling_a_queued_payout_once(conn: psycopg.Connection, race: Any) -> None:
    """A third of the workers settle a queued payout, a third fail it, a third cancel it, with the claim's
    token and each its own error: one ends it, with its values; the others find it ended (CD001)."""
    ids, token = payouts(conn, "end", claim=True, queue=True)

    def end(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        pid = ids[round_no]
        if worker % 3 == 0:
            return app.execute(f"SELECT {PAYOUT} FROM tips.settle_payout(%s, %s)", (pid, token)).fetchone()
        if worker % 3 == 1:
            return app.execute(
                f"SELECT {PAYOUT} FROM tips.fail_payout(%s, %s, %s)", (pid, token, f"refused by {worker}")
            ).fetchone()
        return app.execute(
            f"SELECT {PAYOUT} FROM tips.cancel_payout(%s, %s, %s)", (pid, token, f"cancelled for {worker}")
        ).fetchone()

    won = race.settle(end, PAYOUT_MOVE, reader(conn, "reflect_payouts", PAYOUT, ids))
    assert {w[0] for w in won} <= {"settled", "failed", "cancelled"} and all(w[3] is None for w in won)


def test_an_operator_cancels_an_unsent_payout_once(conn: psycopg.Connection, race: Any) -> None:
    """Without a claim token (an operator), a pending payout never sent: one cancellation, its reason."""
    ids, _ = payouts(conn, "opcancel", claim=False)

    def cancel(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {PAYOUT} FROM tips.cancel_payout(%s, NULL, %s)", (ids[round_no], f"given up by {worker}")
        ).fetchone()

    won = race.settle(cancel, PAYOUT_MOVE, reader(conn, "reflect_payouts", PAYOUT, ids))
    assert {w[0] for w in won} == {"cancelled"}


def test_an_operators_cancel_waits_for_a_claim(conn: psycopg.Connection, race: Any) -> None:
    """cancel_payout locks the payout: an operator's cancel made while a worker's claim (which counts an
    attempt: Reflect may get the payout) is uncommitted waits, then is refused (CD007 reflect_payouts_cancel_unsent)
    and the claim keeps the payout."""
    pid = payouts(conn, "opwait", claim=False)[0][0]
    outcome = race.after(
        lambda c: c.execute("SELECT tips.claim_payouts('pending', 1000, '1 minute')"),
        lambda c: c.execute("SELECT tips.cancel_payout(%s, NULL, 'given up')", (pid,)),
        holder_role="chaindb_app",
    )
    assert outcome == race.Lost("CD007", "reflect_payouts_cancel_unsent")
    assert conn.execute(
        "SELECT status::text, attempt_count, claim_token IS NOT NULL FROM tips.reflect_payouts WHERE id = %s", (pid,)
    ).fetchone() == ("pending", 1, True)


def test_releasing_a_payout_once(conn: psycopg.Connection, race: Any) -> None:
    ids, token = payouts(conn, "prelease", claim=True)

    def release(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {PAYOUT} FROM tips.release_payout(%s, %s, make_interval(secs => %s), %s)",
            (ids[round_no], token, worker, f"busy {worker}"),
        ).fetchone()

    won = race.settle(release, ("CD007", "reflect_payouts_claim_held"), reader(conn, "reflect_payouts", PAYOUT, ids))
    assert {(w[0], w[3]) for w in won} == {("pending", None)}


def sessions(conn: psycopg.Connection) -> list[uuid.UUID]:
    return [
        one(conn, "INSERT INTO tips.dynamic_sessions (external_id) VALUES (%s) RETURNING id", (f"ds-{n}",))
        for n in range(ROUNDS)
    ]


def test_creating_a_session_once(conn: psycopg.Connection, race: Any) -> None:
    """Workers open the session of one Dynamic id, each for its own user: one session, the winner's."""

    def create(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "INSERT INTO tips.dynamic_sessions (external_id, user_identifier) VALUES (%s, %s)"
            " RETURNING external_id, user_identifier",
            (f"ds-{round_no}", f"user-{worker}"),
        ).fetchone()

    race.settle(
        create,
        ("23505", "dynamic_sessions_external_id_key"),
        lambda round_no: conn.execute(
            "SELECT external_id, user_identifier FROM tips.dynamic_sessions WHERE external_id = %s", (f"ds-{round_no}",)
        ).fetchone(),
    )


def test_assigning_a_session_one_wallet(conn: psycopg.Connection, race: Any) -> None:
    """Each worker assigns its own wallet: one is the session's, the others are refused (CD003)."""
    ids = sessions(conn)

    def assign(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {SESSION} FROM tips.assign_session_wallet(%s, %s)",
            (ids[round_no], fakes.pubkey(f"wallet {round_no} {worker}")),
        ).fetchone()

    won = race.settle(
        assign, ("CD003", "dynamic_sessions_custodial_wallet_immutable"), reader(conn, "dynamic_sessions", SESSION, ids)
    )
    assert {w[1] for w in won} == {"wallet_created"}


def test_a_retried_wallet_webhook_changes_nothing(conn: psycopg.Connection, race: Any) -> None:
    """Every worker assigns the same wallet (a webhook delivered many times at once): all get the one row as the
    first assignment left it (its updated_at too): the others found it assigned and changed nothing."""
    ids = sessions(conn)

    def assign(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {SESSION} FROM tips.assign_session_wallet(%s, %s)", (ids[round_no], fakes.pubkey(f"w{round_no}"))
        ).fetchone()

    for round_no, results in enumerate(race.run(assign, hold=RETRY_HOLD, rounds=SHORT)):
        row = reader(conn, "dynamic_sessions", SESSION, ids)(round_no)
        assert row[1] == "wallet_created" and set(results) == {row}, (round_no, row, set(results))


def test_failing_a_session_once(conn: psycopg.Connection, race: Any) -> None:
    ids = sessions(conn)

    def fail(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {SESSION} FROM tips.fail_dynamic_session(%s, %s)", (ids[round_no], f"timeout {worker}")
        ).fetchone()

    won = race.settle(
        fail, ("CD003", "dynamic_sessions_failure_reason_immutable"), reader(conn, "dynamic_sessions", SESSION, ids)
    )
    assert {w[1] for w in won} == {"failed"}


def test_a_retried_failure_webhook_changes_nothing(conn: psycopg.Connection, race: Any) -> None:
    ids = sessions(conn)

    def fail(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {SESSION} FROM tips.fail_dynamic_session(%s, 'timeout')", (ids[round_no],)
        ).fetchone()

    for round_no, results in enumerate(race.run(fail, hold=RETRY_HOLD, rounds=SHORT)):
        row = reader(conn, "dynamic_sessions", SESSION, ids)(round_no)
        assert row[1] == "failed" and set(results) == {row}, (round_no, row, set(results))


def test_one_host_per_wallet_and_per_handle(conn: psycopg.Connection, race: Any) -> None:
    """Workers register one wallet under their own handles (rounds 0-4), or one handle for their own wallets
    (rounds 5-9): one host, the winner's."""

    def register(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        wallet, handle = (f"wallet {round_no}", f"h{round_no}_{worker}") if round_no < 5 else (
            f"wallet {round_no} {worker}", f"h{round_no}")
        return app.execute(
            "INSERT INTO tips.hosts (wallet, handle) VALUES (%s, %s) RETURNING wallet, handle",
            (fakes.pubkey(wallet), handle),
        ).fetchone()

    for round_no, results in enumerate(race.run(register)):
        key = "hosts_wallet_key" if round_no < 5 else "hosts_handle_key"
        _, won = race.one_winner(results, race.Lost("23505", key))
        assert conn.execute(
            "SELECT wallet, handle FROM tips.hosts WHERE wallet = %s OR handle = %s", won
        ).fetchall() == [won]


def test_concurrent_refreshes_count_every_verified_tip(conn: psycopg.Connection, race: Any) -> None:
    """Half the workers verify a tip of one host, the other half refresh the host metrics at the same time
    (concurrent refreshes serialize on the view): after a last refresh the metrics count every verified tip."""
    new_host(conn)
    for n in range(ROUNDS * 16):
        ingest(conn, f"metrics-{n}")
    claimed = {
        r[1]: (r[0], r[2])
        for r in conn.execute("SELECT id, event_id, claim_token FROM tips.claim_verifications(1000, %s)", (LEASE,))
    }

    def verify_or_refresh(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        if worker % 2:
            vid, token = claimed[f"metrics-{round_no * 16 + worker // 2}"]
            return app.execute(
                "SELECT status::text FROM tips.verify_event(%s, %s, 5, '{\"slot\": 5}')", (vid, token)
            ).fetchone()
        return app.execute("SELECT tips.refresh_host_metrics()").fetchone()

    for results in race.run(verify_or_refresh, hold=0.01):
        assert not [r for r in results if isinstance(r, race.Lost)], results
    conn.execute("SELECT tips.refresh_host_metrics()")
    assert conn.execute(
        "SELECT verified_tips, verified_amount FROM tips.host_metrics WHERE host = %s", (HOST,)
    ).fetchall() == [(ROUNDS * 16, ROUNDS * 16 * 1_000_000)]
