"""game_market: every function that moves a status or settles a race, raced.

``race.run``: 32 workers, each on its own connection as chaindb_app, line up on a barrier and call the
same function on the same row, 10 rounds (a fresh row each round); each call's transaction stays open
a moment, so every call starts before the first one commits. game_market's rule functions lock the row,
move it, and return a row already where the call asks to go unchanged (a webhook or a worker retries):
so one call moves the row and every other one returns it as the winner left it, ``updated_at`` included
(a call that moved it again, or a second time, would leave its own values and its own ``updated_at``).
Where two moves race (complete against fail, settle against expire) the moves that come second are
refused with the state machine's CD001. ``race.after``: a call made while another transaction holds
the row it reads must see that transaction's outcome.

Elsewhere: concurrent settlement webhooks, creations of one invoice's purchase, claiming payouts
(FOR UPDATE SKIP LOCKED), a refund waiting for a download and a failing attempt waiting for a refund
(test_concurrency.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import psycopg

ROUNDS = 10
PROVIDER = "lnbits"
#: Every call but the first finds the row moved and returns it, holding the row's lock (FOR UPDATE) while
#: its transaction stays open: the callers pass one after another, each holding its transaction this long
#: (32 x 20 ms a round).
HOLD = 0.02

RELEASE = "id, published_at, updated_at"
GAME = "id, status::text, updated_at"
PURCHASE = "id, status::text, paid_at, updated_at"
PAYOUT = "id, status::text, attempt_count, last_error, updated_at"
PAYOUT_MOVE = ("CD001", "payouts_status_transition")
PURCHASE_MOVE = ("CD001", "purchases_status_transition")


def reader(conn: psycopg.Connection, table: str, columns: str, ids: list[Any]) -> Callable[[int], Any]:
    """row(round): the columns of the round's row, read back."""
    return lambda round_no: conn.execute(
        f"SELECT {columns} FROM game_market.{table} WHERE id = %s", (ids[round_no],)
    ).fetchone()


def everyone_gets_the_row(race: Any, call: Callable[..., Any], row: Callable[[int], Any]) -> list[Any]:
    """Every call of every round returns the round's row as it is now: the one row the winner left."""
    rows = []
    for round_no, results in enumerate(race.run(call, hold=HOLD)):
        now = row(round_no)
        assert set(results) == {now}, (round_no, now, set(results))
        rows.append(now)
    return rows


def new_developer(conn: psycopg.Connection) -> uuid.UUID:
    n = uuid.uuid4()
    row = conn.execute(
        "INSERT INTO game_market.users (pubkey) VALUES (%s) RETURNING id", ("02" + n.hex + n.hex,)
    ).fetchone()
    assert row is not None
    conn.execute(
        "INSERT INTO game_market.developer_profiles (user_id, payout_ln_address) VALUES (%s, 'dev@pay.example.com')",
        (row[0],),
    )
    return row[0]


def new_release(conn: psycopg.Connection, game: uuid.UUID, *, publish: bool) -> uuid.UUID:
    row = conn.execute(
        "INSERT INTO game_market.releases (game_id, version) VALUES (%s, %s) RETURNING id", (game, uuid.uuid4().hex)
    ).fetchone()
    assert row is not None
    conn.execute(
        "INSERT INTO game_market.build_assets (release_id, object_key, sha256, size_bytes, content_type)"
        " VALUES (%s, 'builds/b.zip', repeat('ab', 32), 1, 'application/zip')",
        (row[0],),
    )
    if publish:
        conn.execute("SELECT game_market.publish_release(%s)", (row[0],))
    return row[0]


def new_games(conn: psycopg.Connection, *, publish: bool) -> list[uuid.UUID]:
    """ROUNDS games of one developer, each with a published release; draft, or published."""
    developer = new_developer(conn)
    games = []
    for _ in range(ROUNDS):
        row = conn.execute(
            "INSERT INTO game_market.games (developer_user_id, slug, title) VALUES (%s, %s, 'Game') RETURNING id",
            (developer, f"g-{uuid.uuid4().hex}"),
        ).fetchone()
        assert row is not None
        new_release(conn, row[0], publish=True)
        if publish:
            conn.execute("SELECT game_market.publish_game(%s)", (row[0],))
        games.append(row[0])
    return games


def new_purchases(conn: psycopg.Connection, game: uuid.UUID, *, settle: bool) -> list[tuple[uuid.UUID, str]]:
    """ROUNDS purchases of the game by guests: (id, invoice id), pending or paid."""
    purchases = []
    for _ in range(ROUNDS):
        invoice = f"inv-{uuid.uuid4().hex}"
        row = conn.execute(
            "SELECT id FROM game_market.create_purchase(%s, NULL, %s, %s, 10000)", (game, PROVIDER, invoice)
        ).fetchone()
        assert row is not None
        if settle:
            conn.execute("SELECT game_market.settle_invoice(%s, %s)", (PROVIDER, invoice))
        purchases.append((row[0], invoice))
    return purchases


def published_game(conn: psycopg.Connection) -> uuid.UUID:
    return new_games(conn, publish=True)[0]


def sending_payouts(conn: psycopg.Connection) -> list[uuid.UUID]:
    """ROUNDS payouts claimed by a worker (sending, attempt 1)."""
    new_purchases(conn, published_game(conn), settle=True)
    claimed = [r[0] for r in conn.execute("SELECT id FROM game_market.claim_payouts(%s)", (ROUNDS,)).fetchall()]
    assert len(claimed) == ROUNDS
    return claimed


def test_publishing_a_release_once(conn: psycopg.Connection, race: Any) -> None:
    """published_at is set once: every call returns the winner's published_at and updated_at."""
    game = new_games(conn, publish=False)[0]
    releases = [new_release(conn, game, publish=False) for _ in range(ROUNDS)]

    def publish(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(f"SELECT {RELEASE} FROM game_market.publish_release(%s)", (releases[round_no],)).fetchone()

    rows = everyone_gets_the_row(race, publish, reader(conn, "releases", RELEASE, releases))
    assert all(r[1] is not None for r in rows)


def test_publishing_a_game_once(conn: psycopg.Connection, race: Any) -> None:
    drafts = new_games(conn, publish=False)

    def publish(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(f"SELECT {GAME} FROM game_market.publish_game(%s)", (drafts[round_no],)).fetchone()

    rows = everyone_gets_the_row(race, publish, reader(conn, "games", GAME, drafts))
    assert {r[1] for r in rows} == {"published"}


def test_unlisting_a_game_once(conn: psycopg.Connection, race: Any) -> None:
    published = new_games(conn, publish=True)

    def unlist(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(f"SELECT {GAME} FROM game_market.unlist_game(%s)", (published[round_no],)).fetchone()

    rows = everyone_gets_the_row(race, unlist, reader(conn, "games", GAME, published))
    assert {r[1] for r in rows} == {"unlisted"}


def test_expiring_an_invoice_once(conn: psycopg.Connection, race: Any) -> None:
    pending = new_purchases(conn, published_game(conn), settle=False)

    def expire(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {PURCHASE} FROM game_market.expire_invoice(%s, %s)", (PROVIDER, pending[round_no][1])
        ).fetchone()

    rows = everyone_gets_the_row(race, expire, reader(conn, "purchases", PURCHASE, [p for p, _ in pending]))
    assert {r[1] for r in rows} == {"expired"}


def test_settling_against_expiring_an_invoice(conn: psycopg.Connection, race: Any) -> None:
    """Half the workers deliver the settlement, half the expiry of one invoice: it ends paid (a payment
    that lands after the expiry is honoured), every settlement returns the paid purchase, an expiry
    returns the expired purchase before the settlement and is refused (CD001) after it; one
    entitlement, one ledger split and one payout."""
    pending = new_purchases(conn, published_game(conn), settle=False)
    purchases = [p for p, _ in pending]
    row = reader(conn, "purchases", PURCHASE, purchases)

    def settle_or_expire(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        function = "settle_invoice" if worker % 2 else "expire_invoice"
        return app.execute(
            f"SELECT {PURCHASE} FROM game_market.{function}(%s, %s)", (PROVIDER, pending[round_no][1])
        ).fetchone()

    for round_no, results in enumerate(race.run(settle_or_expire, hold=HOLD)):
        paid = row(round_no)
        assert paid[1] == "paid"
        assert {results[w] for w in range(1, 32, 2)} == {paid}, (round_no, paid, results)
        expiries = {results[w] for w in range(0, 32, 2)} - {race.Lost(*PURCHASE_MOVE)}
        assert all(r[0] == paid[0] and r[1] == "expired" for r in expiries), (round_no, expiries)
    assert conn.execute(
        "SELECT (SELECT count(*) FROM game_market.entitlements WHERE purchase_id = ANY(%(p)s)),"
        " (SELECT count(*) FROM game_market.ledger_entries WHERE purchase_id = ANY(%(p)s)),"
        " (SELECT count(*) FROM game_market.payouts WHERE purchase_id = ANY(%(p)s) AND status = 'pending')",
        {"p": purchases},
    ).fetchone() == (ROUNDS, 3 * ROUNDS, ROUNDS)


def test_refunding_a_purchase_once(conn: psycopg.Connection, race: Any) -> None:
    """One refund: every call returns the refunded purchase as the winner left it; the entitlement revoked
    once, one set of refund entries, the payout cancelled."""
    paid = [p for p, _ in new_purchases(conn, published_game(conn), settle=True)]

    def refund(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(f"SELECT {PURCHASE} FROM game_market.refund_purchase(%s)", (paid[round_no],)).fetchone()

    rows = everyone_gets_the_row(race, refund, reader(conn, "purchases", PURCHASE, paid))
    assert {r[1] for r in rows} == {"refunded"}
    assert conn.execute(
        "SELECT (SELECT count(*) FROM game_market.entitlements AS e INNER JOIN game_market.purchases AS p"
        "        ON p.id = e.purchase_id WHERE p.id = ANY(%(p)s) AND e.revoked_at = p.updated_at),"
        " (SELECT count(*) FROM game_market.ledger_entries WHERE purchase_id = ANY(%(p)s)),"
        " (SELECT count(*) FROM game_market.payouts WHERE purchase_id = ANY(%(p)s) AND status = 'cancelled')",
        {"p": paid},
    ).fetchone() == (ROUNDS, 6 * ROUNDS, ROUNDS)


def test_creating_a_payout_once(conn: psycopg.Connection, race: Any) -> None:
    """Paid purchases without their payout (removed by the owner): every create_payout returns the one payout
    the first of them wrote."""
    paid = [p for p, _ in new_purchases(conn, published_game(conn), settle=True)]
    conn.execute("DELETE FROM game_market.payouts WHERE purchase_id = ANY(%s)", (paid,))

    def create(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(f"SELECT {PAYOUT} FROM game_market.create_payout(%s)", (paid[round_no],)).fetchone()

    for round_no, results in enumerate(race.run(create)):
        rows = conn.execute(
            f"SELECT {PAYOUT} FROM game_market.payouts WHERE purchase_id = %s", (paid[round_no],)
        ).fetchall()
        assert len(rows) == 1 and set(results) == {rows[0]}, (round_no, rows, set(results))


def test_a_payout_is_not_created_under_a_refund_in_flight(conn: psycopg.Connection, race: Any) -> None:
    """create_payout share-locks the purchase: a payout asked for while the purchase is being refunded waits,
    then is refused (CD007 payouts_purchase_paid); no payout of a refunded purchase."""
    purchase = new_purchases(conn, published_game(conn), settle=True)[0][0]
    conn.execute("DELETE FROM game_market.payouts WHERE purchase_id = %s", (purchase,))
    outcome = race.after(
        lambda c: c.execute("SELECT game_market.refund_purchase(%s)", (purchase,)),
        lambda c: c.execute("SELECT game_market.create_payout(%s)", (purchase,)),
        holder_role="chaindb_app",
    )
    assert outcome == race.Lost("CD007", "payouts_purchase_paid")
    assert conn.execute("SELECT count(*) FROM game_market.payouts WHERE purchase_id = %s", (purchase,)).fetchone() == (
        0,
    )


def test_a_payout_asked_for_during_the_settlement_is_the_settlements(conn: psycopg.Connection, race: Any) -> None:
    """create_payout share-locks the purchase before it looks for the payout: asked for while the settlement is
    in flight, it waits for it and returns the payout the settlement wrote (not a second one, nor one without
    the developer's share, which the settlement's ledger entries give)."""
    purchase, invoice = new_purchases(conn, published_game(conn), settle=False)[0]
    outcome = race.after(
        lambda c: c.execute("SELECT game_market.settle_invoice(%s, %s)", (PROVIDER, invoice)),
        lambda c: c.execute(f"SELECT {PAYOUT} FROM game_market.create_payout(%s)", (purchase,)).fetchone(),
        holder_role="chaindb_app",
    )
    assert conn.execute(
        f"SELECT {PAYOUT} FROM game_market.payouts WHERE purchase_id = %s", (purchase,)
    ).fetchall() == [outcome]


def test_completing_a_payout_once(conn: psycopg.Connection, race: Any) -> None:
    sending = sending_payouts(conn)

    def complete(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(f"SELECT {PAYOUT} FROM game_market.complete_payout(%s)", (sending[round_no],)).fetchone()

    rows = everyone_gets_the_row(race, complete, reader(conn, "payouts", PAYOUT, sending))
    assert {r[1] for r in rows} == {"completed"}


def test_failing_a_payout_once(conn: psycopg.Connection, race: Any) -> None:
    """Each worker fails the attempt with its own error: the payout keeps the first one's, and every call returns it."""
    sending = sending_payouts(conn)

    def fail(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {PAYOUT} FROM game_market.fail_payout(%s, 1, %s)", (sending[round_no], f"no route {worker}")
        ).fetchone()

    rows = everyone_gets_the_row(race, fail, reader(conn, "payouts", PAYOUT, sending))
    assert {r[1] for r in rows} == {"failed"}


def test_completing_against_failing_a_payout(conn: psycopg.Connection, race: Any) -> None:
    """Half the workers complete the attempt, half fail it: the first one ends it; the calls of its kind return
    the payout as it left it, the others are refused (CD001: completed and failed do not move to each other)."""
    sending = sending_payouts(conn)
    row = reader(conn, "payouts", PAYOUT, sending)

    def end(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        if worker % 2:
            return app.execute(
                f"SELECT {PAYOUT} FROM game_market.complete_payout(%s)", (sending[round_no],)
            ).fetchone()
        return app.execute(
            f"SELECT {PAYOUT} FROM game_market.fail_payout(%s, 1, %s)", (sending[round_no], f"no route {worker}")
        ).fetchone()

    for round_no, results in enumerate(race.run(end, hold=HOLD)):
        ended = row(round_no)
        winners = range(1, 32, 2) if ended[1] == "completed" else range(0, 32, 2)
        assert {results[w] for w in winners} == {ended}, (round_no, ended, results)
        assert {results[w] for w in range(32) if w not in winners} == {race.Lost(*PAYOUT_MOVE)}, (round_no, results)


def test_a_download_during_a_refund_in_flight_is_refused(conn: psycopg.Connection, race: Any) -> None:
    """record_download share-locks the entitlement: a download asked for while the purchase is being refunded
    waits for the refund, then is refused (CD007 download_events_entitlement_active); no download recorded."""
    game = published_game(conn)
    purchase = new_purchases(conn, game, settle=True)[0][0]
    found = conn.execute(
        "SELECT e.id, r.id FROM game_market.entitlements AS e INNER JOIN game_market.releases AS r"
        " ON r.game_id = e.game_id WHERE e.purchase_id = %s",
        (purchase,),
    ).fetchone()
    assert found is not None
    entitlement, release = found
    outcome = race.after(
        lambda c: c.execute("SELECT game_market.refund_purchase(%s)", (purchase,)),
        lambda c: c.execute(
            "SELECT game_market.record_download(%s, %s, '10.0.0.1', 'curl/8')", (entitlement, release)
        ),
        holder_role="chaindb_app",
    )
    assert outcome == race.Lost("CD007", "download_events_entitlement_active")
    assert conn.execute(
        "SELECT count(*) FROM game_market.download_events WHERE entitlement_id = %s", (entitlement,)
    ).fetchone() == (0,)
