"""cocopay: every function that moves a status or settles a race, raced.

``race.run``: 32 workers, each on its own connection as chaindb_app, line up on a barrier and call the
same function on the same row, 10 rounds (a fresh row each round); each call's transaction stays open
a moment, so every call starts before the first one commits. Exactly one wins, every other one gets
the rule's SQLSTATE and constraint (or, from a guarded write such as ``WHERE NOT deployed``, no row),
and the row holds the winner's values. Get-or-create and set-once calls all return the one row. ``race.after``: a call
made while another transaction holds the row it reads must see that transaction's outcome.

The functions are called by name with their defaults (no clock argument): these tests hold whatever
the functions' later signatures add.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

ROUNDS = 10


def new_user(conn: psycopg.Connection) -> uuid.UUID:
    user_id = uuid.uuid4()
    conn.execute("INSERT INTO cocopay.users (id, phone) VALUES (%s, %s)", (user_id, "+55" + str(user_id.int)[:11]))
    return user_id


def new_store(conn: psycopg.Connection, owner: uuid.UUID) -> uuid.UUID:
    row = conn.execute("SELECT id FROM cocopay.create_store(%s, 'Loja', 'LOJA')", (owner,)).fetchone()
    assert row is not None
    return row[0]


def new_transaction(conn: psycopg.Connection, store: uuid.UUID) -> tuple[uuid.UUID, str]:
    row = conn.execute(
        "SELECT id, confirmation_code FROM cocopay.create_transaction(NULL, 'payment', 10, '8453', p_store_id => %s)",
        (store,),
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def tx_hash(round_no: int, worker: int) -> str:
    return f"0x{round_no:032x}{worker:032x}"


TX = "status::text, tx_hash, confirmed_at, error_code"
TX_MOVE = ("CD001", "transactions_status_transition")
PAYOUT = "status::text, external_id, error_message, processed_at"
PAYOUT_MOVE = ("CD001", "payouts_status_transition")


def reader(conn: psycopg.Connection, table: str, columns: str, ids: list[Any]) -> Any:
    """row(round): the columns of the round's row, read back."""
    return lambda round_no: conn.execute(
        f"SELECT {columns} FROM cocopay.{table} WHERE id = %s", (ids[round_no],)
    ).fetchone()


def test_confirming_a_transaction_once(conn: psycopg.Connection, race: Any) -> None:
    store = new_store(conn, new_user(conn))
    txs = [new_transaction(conn, store) for _ in range(ROUNDS)]

    def confirm(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        tx_id, code = txs[round_no]
        return app.execute(
            f"SELECT {TX} FROM cocopay.confirm_transaction(%s, %s, p_tx_hash => %s)",
            (tx_id, code, tx_hash(round_no, worker)),
        ).fetchone()

    won = race.settle(confirm, TX_MOVE, reader(conn, "transactions", TX, [tx_id for tx_id, _ in txs]))
    assert {w[0] for w in won} == {"confirmed"}


def test_failing_a_transaction_once(conn: psycopg.Connection, race: Any) -> None:
    store = new_store(conn, new_user(conn))
    txs = [new_transaction(conn, store) for _ in range(ROUNDS)]

    def fail(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {TX} FROM cocopay.fail_transaction(%s, %s)", (txs[round_no][0], f"E{worker}")
        ).fetchone()

    won = race.settle(fail, TX_MOVE, reader(conn, "transactions", TX, [tx_id for tx_id, _ in txs]))
    assert {w[0] for w in won} == {"failed"}


def test_confirm_against_fail(conn: psycopg.Connection, race: Any) -> None:
    """Half the workers confirm, half fail the same transaction: one of them settles it."""
    store = new_store(conn, new_user(conn))
    txs = [new_transaction(conn, store) for _ in range(ROUNDS)]

    def settle(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        tx_id, code = txs[round_no]
        if worker % 2:
            return app.execute(f"SELECT {TX} FROM cocopay.confirm_transaction(%s, %s)", (tx_id, code)).fetchone()
        return app.execute(f"SELECT {TX} FROM cocopay.fail_transaction(%s, 'E')", (tx_id,)).fetchone()

    race.settle(settle, TX_MOVE, reader(conn, "transactions", TX, [tx_id for tx_id, _ in txs]))


def test_a_confirmation_after_another_one_committed_is_refused(conn: psycopg.Connection, race: Any) -> None:
    store = new_store(conn, new_user(conn))
    tx_id, code = new_transaction(conn, store)
    confirm = "SELECT cocopay.confirm_transaction(%s, %s, p_tx_hash => %s)"
    outcome = race.after(
        lambda c: c.execute(confirm, (tx_id, code, tx_hash(0, 1))),
        lambda c: c.execute(confirm, (tx_id, code, tx_hash(0, 2))),
        holder_role="chaindb_app",
    )
    assert outcome == race.Lost(*TX_MOVE)
    assert conn.execute("SELECT tx_hash FROM cocopay.transactions WHERE id = %s", (tx_id,)).fetchone() == (
        tx_hash(0, 1),
    )


def new_payout(conn: psycopg.Connection, store: uuid.UUID, owner: uuid.UUID, *, start: bool) -> uuid.UUID:
    row = conn.execute(
        "SELECT id FROM cocopay.request_payout(%s, %s, 10, 'pix', '{\"pix_key\": \"k\"}')", (store, owner)
    ).fetchone()
    assert row is not None
    if start:
        conn.execute("SELECT cocopay.start_payout(%s)", (row[0],))
    return row[0]


def payouts(conn: psycopg.Connection, *, start: bool) -> list[uuid.UUID]:
    owner = new_user(conn)
    store = new_store(conn, owner)
    return [new_payout(conn, store, owner, start=start) for _ in range(ROUNDS)]


def test_starting_a_payout_once(conn: psycopg.Connection, race: Any) -> None:
    pending = payouts(conn, start=False)

    def start(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {PAYOUT} FROM cocopay.start_payout(%s, %s)", (pending[round_no], f"E2E-{worker}")
        ).fetchone()

    won = race.settle(start, PAYOUT_MOVE, reader(conn, "payouts", PAYOUT, pending))
    assert {w[0] for w in won} == {"processing"}


def test_completing_or_failing_a_payout_once(conn: psycopg.Connection, race: Any) -> None:
    """Half the workers complete a processing payout, half fail it: one settles it, with its values."""
    processing = payouts(conn, start=True)

    def settle(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        if worker % 2:
            return app.execute(
                f"SELECT {PAYOUT} FROM cocopay.complete_payout(%s, %s)", (processing[round_no], f"E2E-{worker}")
            ).fetchone()
        return app.execute(
            f"SELECT {PAYOUT} FROM cocopay.fail_payout(%s, %s)", (processing[round_no], f"refused by {worker}")
        ).fetchone()

    race.settle(settle, PAYOUT_MOVE, reader(conn, "payouts", PAYOUT, processing))


def test_failing_a_pending_payout_once(conn: psycopg.Connection, race: Any) -> None:
    pending = payouts(conn, start=False)

    def fail(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {PAYOUT} FROM cocopay.fail_payout(%s, %s)", (pending[round_no], f"w{worker}")
        ).fetchone()

    won = race.settle(fail, PAYOUT_MOVE, reader(conn, "payouts", PAYOUT, pending))
    assert {w[0] for w in won} == {"failed"}


def test_a_payout_request_waits_for_a_demotion(conn: psycopg.Connection, race: Any) -> None:
    """request_payout share-locks the requester's membership: a request made while the requester is being
    demoted waits, then is refused (CD007 payouts_requested_by_manager)."""
    owner, admin_user = new_user(conn), new_user(conn)
    store = new_store(conn, owner)
    conn.execute("SELECT cocopay.invite_store_member(%s, %s, 'admin', %s)", (store, admin_user, owner))
    conn.execute("SELECT cocopay.accept_store_member(%s, %s)", (store, admin_user))
    outcome = race.after(
        lambda c: c.execute(
            "UPDATE cocopay.store_members SET role = 'staff' WHERE store_id = %s AND user_id = %s", (store, admin_user)
        ),
        lambda c: c.execute(
            "SELECT cocopay.request_payout(%s, %s, 10, 'pix', '{\"pix_key\": \"k\"}')", (store, admin_user)
        ),
    )
    assert outcome == race.Lost("CD007", "payouts_requested_by_manager")
    assert conn.execute("SELECT count(*) FROM cocopay.payouts WHERE store_id = %s", (store,)).fetchone() == (0,)


def test_accepting_an_invitation_once(conn: psycopg.Connection, race: Any) -> None:
    owner, invitee = new_user(conn), new_user(conn)
    stores = [new_store(conn, owner) for _ in range(ROUNDS)]
    members = [
        conn.execute(
            "SELECT id FROM cocopay.invite_store_member(%s, %s, 'staff', %s)", (store, invitee, owner)
        ).fetchone()[0]
        for store in stores
    ]

    def accept(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT accepted_at FROM cocopay.accept_store_member(%s, %s)", (stores[round_no], invitee)
        ).fetchone()

    race.settle(accept, ("CD007", "store_members_accepted_once"), reader(conn, "store_members", "accepted_at", members))


def test_inviting_a_user_once(conn: psycopg.Connection, race: Any) -> None:
    """Workers invite the same user to the same store, half as admin, half as staff: one invitation."""
    owner, invitee = new_user(conn), new_user(conn)
    stores = [new_store(conn, owner) for _ in range(ROUNDS)]

    def invite(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT role::text FROM cocopay.invite_store_member(%s, %s, %s, %s)",
            (stores[round_no], invitee, "admin" if worker % 2 else "staff", owner),
        ).fetchone()

    race.settle(
        invite,
        ("23505", "store_members_store_id_user_id_key"),
        lambda round_no: conn.execute(
            "SELECT role::text FROM cocopay.store_members WHERE store_id = %s AND user_id = %s",
            (stores[round_no], invitee),
        ).fetchone(),
    )


def test_an_invitation_waits_for_the_inviters_demotion(conn: psycopg.Connection, race: Any) -> None:
    """invite_store_member share-locks the inviter's membership: an invitation made while the inviter is
    being demoted waits, then is refused (CD007 store_members_invited_by_manager)."""
    owner, admin_user, invitee = new_user(conn), new_user(conn), new_user(conn)
    store = new_store(conn, owner)
    conn.execute("SELECT cocopay.invite_store_member(%s, %s, 'admin', %s)", (store, admin_user, owner))
    conn.execute("SELECT cocopay.accept_store_member(%s, %s)", (store, admin_user))
    outcome = race.after(
        lambda c: c.execute(
            "UPDATE cocopay.store_members SET role = 'staff' WHERE store_id = %s AND user_id = %s", (store, admin_user)
        ),
        lambda c: c.execute("SELECT cocopay.invite_store_member(%s, %s, 'staff', %s)", (store, invitee, admin_user)),
    )
    assert outcome == race.Lost("CD007", "store_members_invited_by_manager")
    assert conn.execute(
        "SELECT count(*) FROM cocopay.store_members WHERE store_id = %s AND user_id = %s", (store, invitee)
    ).fetchone() == (0,)


def test_one_deployment_per_store_and_chain(conn: psycopg.Connection, race: Any) -> None:
    """The unique key settles concurrent deployments of a store on one chain, whoever writes them (as the
    owner here: no function writes deployments yet, and the app's direct grants on them may go)."""
    owner = new_user(conn)
    stores = [new_store(conn, owner) for _ in range(ROUNDS)]

    def deploy(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "INSERT INTO cocopay.store_deployments (store_id, chain_id, bundle_id) VALUES (%s, '8453', %s)"
            " RETURNING bundle_id",
            (stores[round_no], f"bundle-{worker}"),
        ).fetchone()

    race.settle(
        deploy,
        ("23505", "store_deployments_store_id_chain_id_key"),
        lambda round_no: conn.execute(
            "SELECT bundle_id FROM cocopay.store_deployments WHERE store_id = %s", (stores[round_no],)
        ).fetchone(),
        role="chaindb_owner",
    )


#: A guarded UPDATE (``WHERE NOT deployed``, ``WHERE revoked_at IS NULL``) that finds the row changed by a
#: committed winner locks the row's new version before it re-checks its WHERE (READ COMMITTED), and keeps
#: that lock until it commits: the losers pass one after another, each holding its transaction open this
#: long (32 x 20 ms a round instead of 32 x 50 ms).
GUARDED_HOLD = 0.02


def evm(kind: str, n: int, digits: int = 40) -> str:
    return "0x" + f"{kind}{n:x}".rjust(digits, "0")


def new_account(conn: psycopg.Connection, user: uuid.UUID) -> uuid.UUID:
    n = user.int >> 64
    row = conn.execute(
        "SELECT id FROM cocopay.get_or_create_smart_account(%s, '8453', %s, %s, %s)",
        (user, evm("a", n), evm("b", n, 64), evm("c", n)),
    ).fetchone()
    assert row is not None
    return row[0]


def test_one_smart_account_per_user_and_chain(conn: psycopg.Connection, race: Any) -> None:
    """Every worker asks for the user's account on one chain, each with its own address: they all get the
    one row the first of them created, and it is the only one."""
    users = [new_user(conn) for _ in range(ROUNDS)]

    def get_or_create(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT id, address FROM cocopay.get_or_create_smart_account(%s, '8453', %s, %s, %s)",
            (users[round_no], evm("a", 100 * round_no + worker), evm("b", worker, 64), evm("c", worker)),
        ).fetchone()

    for round_no, results in enumerate(race.run(get_or_create)):
        assert not [r for r in results if isinstance(r, race.Lost)], results
        rows = conn.execute(
            "SELECT id, address FROM cocopay.smart_accounts WHERE user_id = %s", (users[round_no],)
        ).fetchall()
        assert len(rows) == 1 and set(results) == {rows[0]}, (round_no, rows, set(results))


def test_deploying_a_smart_account_once(conn: psycopg.Connection, race: Any) -> None:
    accounts = [new_account(conn, new_user(conn)) for _ in range(ROUNDS)]
    columns = "deployed, deploy_tx_hash, deployed_at"

    def deploy(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {columns} FROM cocopay.mark_smart_account_deployed(%s, %s)",
            (accounts[round_no], tx_hash(round_no, worker)),
        ).fetchone()

    won = race.settle(deploy, None, reader(conn, "smart_accounts", columns, accounts), hold=GUARDED_HOLD)
    assert {w[0] for w in won} == {True}


def new_session(conn: psycopg.Connection, user: uuid.UUID, n: int = 0) -> uuid.UUID:
    row = conn.execute(
        "INSERT INTO cocopay.sessions (user_id, token_hash, auth_method, expires_at)"
        " VALUES (%s, %s, 'phone', common.now() + interval '1 day') RETURNING id",
        (user, f"{n:064x}"),
    ).fetchone()
    assert row is not None
    return row[0]


def test_revoking_a_session_once(conn: psycopg.Connection, race: Any) -> None:
    sessions = [new_session(conn, new_user(conn)) for _ in range(ROUNDS)]

    def revoke(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT id, revoked_at FROM cocopay.revoke_session(%s)", (sessions[round_no],)
        ).fetchone()

    race.settle(revoke, None, reader(conn, "sessions", "id, revoked_at", sessions), hold=GUARDED_HOLD)


def test_revoking_a_users_sessions_counts_each_once(conn: psycopg.Connection, race: Any) -> None:
    users = [new_user(conn) for _ in range(ROUNDS)]
    for user in users:
        for n in range(5):
            new_session(conn, user, n)

    def revoke_all(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        row = app.execute("SELECT cocopay.revoke_user_sessions(%s)", (users[round_no],)).fetchone()
        return row[0] if row else None

    for round_no, results in enumerate(race.run(revoke_all, hold=GUARDED_HOLD)):
        assert sum(results) == 5, (round_no, results)
        assert conn.execute(
            "SELECT count(*) FROM cocopay.sessions WHERE user_id = %s AND revoked_at IS NOT NULL", (users[round_no],)
        ).fetchone() == (5,)


def test_verifying_a_phone_keeps_the_first_time(conn: psycopg.Connection, race: Any) -> None:
    """Concurrent verifications of one phone: each returns the user, all with the first committed time."""
    users = [new_user(conn) for _ in range(ROUNDS)]

    def verify(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT id, phone_verified_at FROM cocopay.verify_user_phone(%s)", (users[round_no],)
        ).fetchone()

    for round_no, results in enumerate(race.run(verify, hold=GUARDED_HOLD)):
        row = conn.execute(
            "SELECT id, phone_verified_at FROM cocopay.users WHERE id = %s", (users[round_no],)
        ).fetchone()
        assert row is not None and row[1] is not None
        assert set(results) == {row}, (round_no, row, set(results))


def test_concurrent_refreshes_lose_no_confirmation(conn: psycopg.Connection, race: Any) -> None:
    """Half the workers confirm a payment of one store, the other half refresh the daily stats at the same
    time: after a last refresh the stats are the seed's aggregates over every confirmed payment. A refresh
    that wrote what it computed from an older snapshot over a newer refresh's row would lose payments."""
    store = new_store(conn, new_user(conn))
    txs = [[new_transaction(conn, store) for _ in range(16)] for _ in range(ROUNDS)]

    def confirm_or_refresh(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        if worker % 2:
            tx_id, code = txs[round_no][worker // 2]
            return app.execute("SELECT status::text FROM cocopay.confirm_transaction(%s, %s)", (tx_id, code)).fetchone()
        return app.execute("SELECT cocopay.refresh_store_daily_stats()").fetchone()

    for results in race.run(confirm_or_refresh):
        assert not [r for r in results if isinstance(r, race.Lost)], results
    conn.execute("SELECT cocopay.refresh_store_daily_stats()")
    stats = conn.execute(
        "SELECT date, transaction_count, revenue_usd FROM cocopay.store_daily_stats WHERE store_id = %s", (store,)
    ).fetchall()
    expected = conn.execute(
        "SELECT (created_at AT TIME ZONE 'UTC')::date, count(*), sum(amount_usd) FROM cocopay.transactions"
        " WHERE store_id = %s AND type = 'payment' AND status = 'confirmed' GROUP BY 1",
        (store,),
    ).fetchall()
    assert stats == expected and sum(s[1] for s in stats) == ROUNDS * 16
