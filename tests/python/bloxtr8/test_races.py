"""bloxtr8: every function that moves a status or settles a race, raced (the ones test_concurrency.py does not:
simultaneous signatures, the queue drained by workers, one magic link, competing offers on one listing, milestones
within the escrow, release against refund of a dispute, a contract during a template publication).

``race.settle``: 32 workers, each on its own connection as chaindb_app, line up on a barrier and call the same
function on the same row, 10 rounds (a fresh row each round); each call's transaction stays open a moment, so every
call starts before the first one commits. Exactly one wins, every other one gets the rule's SQLSTATE and constraint,
and the row holds the winner's values. ``race.run``: get-or-create and sweeps (every row counted once).
``race.after``: a call made while another transaction holds the row it reads must see that transaction's outcome.

The functions are called by name with their defaults (no clock argument), as in cocopay/test_races.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import psycopg

from chaindb.bloxtr8 import queries as q

ROUNDS = 10

OFFER_MOVE = ("CD001", "offers_status_transition")
CONTRACT_MOVE = ("CD001", "contracts_status_transition")
JOB_MOVE = ("CD001", "contract_execution_jobs_status_transition")
ESCROW_MOVE = ("CD001", "escrows_status_transition")
#: Calls that all go through, one after another (each waits for the row lock the one before holds until it commits):
#: each holds its transaction open this long (32 x 20 ms a round instead of 32 x 50 ms).
SERIAL_HOLD = 0.02
CHECK_MOVE = ("CD001", "asset_verifications_status_transition")


def reader(conn: psycopg.Connection, table: str, columns: str, ids: list[str]) -> Callable[[int], Any]:
    """row(round): the columns of the round's row, read back."""
    return lambda round_no: conn.execute(
        f"SELECT {columns} FROM bloxtr8.{table} WHERE id = %s", (ids[round_no],)
    ).fetchone()


def pending_offers(conn: psycopg.Connection, world: Any, prefix: str, n: int = ROUNDS) -> list[str]:
    """n PENDING offers of the buyer, each on its own ACTIVE listing of the seller, open for a day."""
    params = {"prefix": prefix, "n": n, "seller": world.seller.id, "buyer": world.buyer.id}
    conn.execute(
        "INSERT INTO bloxtr8.listings (id, title, summary, price, category, user_id) "
        "SELECT %(prefix)s || g || '_l', 'Game', 'A game', 1000, 'obby', %(seller)s "
        "FROM generate_series(1, %(n)s) AS g",
        params,
    )
    return [r[0] for r in conn.execute(
        "INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id) "
        "SELECT %(prefix)s || g || '_o', 900, common.now() + interval '1 day', %(prefix)s || g || '_l', %(buyer)s, "
        "%(seller)s FROM generate_series(1, %(n)s) AS g ORDER BY g RETURNING id",
        params,
    )]


def test_accepting_an_offer_once(conn: psycopg.Connection, race: Any, world: Any) -> None:
    offers = pending_offers(conn, world, "acc")

    def accept(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT status::text FROM bloxtr8.accept_offer(%s, %s)", (offers[round_no], world.seller.id)
        ).fetchone()

    won = race.settle(accept, OFFER_MOVE, reader(conn, "offers", "status::text", offers))
    assert set(won) == {("ACCEPTED",)}
    assert conn.execute(
        "SELECT count(*) FROM bloxtr8.listings WHERE id LIKE 'acc%%' AND status = 'INACTIVE'"
    ).fetchone() == (ROUNDS,)


def test_declining_an_offer_once(conn: psycopg.Connection, race: Any, world: Any) -> None:
    """decline_offer locks the offer (bloxtr8.lock_pending_offer): the others find it DECLINED."""
    offers = pending_offers(conn, world, "dec")

    def decline(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT status::text FROM bloxtr8.decline_offer(%s, %s)", (offers[round_no], world.seller.id)
        ).fetchone()

    won = race.settle(decline, OFFER_MOVE, reader(conn, "offers", "status::text", offers))
    assert set(won) == {("DECLINED",)}


def test_countering_an_offer_once(conn: psycopg.Connection, race: Any, world: Any) -> None:
    """Each worker counters with its own amount: one counter offer is made, with the winner's amount."""
    offers = pending_offers(conn, world, "ctr")

    def counter(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT parent_id, amount FROM bloxtr8.counter_offer(%s, %s, %s, interval '1 hour')",
            (offers[round_no], world.seller.id, 1000 + worker),
        ).fetchone()

    race.settle(
        counter,
        OFFER_MOVE,
        lambda round_no: conn.execute(
            "SELECT parent_id, amount FROM bloxtr8.offers WHERE parent_id = %s", (offers[round_no],)
        ).fetchone(),
    )
    assert conn.execute(
        "SELECT count(*) FROM bloxtr8.offers WHERE id = ANY(%s) AND status = 'COUNTERED'", (offers,)
    ).fetchone() == (ROUNDS,)


def test_accept_decline_or_counter_one_answer(conn: psycopg.Connection, race: Any, world: Any) -> None:
    """A third of the workers accept, a third decline, a third counter the same offer: one answer stands."""
    offers = pending_offers(conn, world, "ans")
    calls = [
        "SELECT bloxtr8.accept_offer(%s, %s)",
        "SELECT bloxtr8.decline_offer(%s, %s)",
        "SELECT bloxtr8.counter_offer(%s, %s, 950, interval '1 hour')",
    ]

    def answer(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        app.execute(calls[worker % 3], (offers[round_no], world.seller.id))
        return app.execute("SELECT status::text FROM bloxtr8.offers WHERE id = %s", (offers[round_no],)).fetchone()

    race.settle(answer, OFFER_MOVE, reader(conn, "offers", "status::text", offers))


def test_expiring_offers_counts_each_once(conn: psycopg.Connection, race: Any, world: Any, clock: Any) -> None:
    offers = pending_offers(conn, world, "exp", n=50)
    clock.offset(datetime.timedelta(days=2))

    def expire(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        row = app.execute("SELECT bloxtr8.expire_offers()").fetchone()
        return row[0] if row else None

    results = race.run(expire, rounds=2)
    assert sum(map(sum, results)) == len(offers), results
    assert conn.execute(
        "SELECT count(*) FROM bloxtr8.offers WHERE id = ANY(%s) AND status = 'EXPIRED'", (offers,)
    ).fetchone() == (len(offers),)


def test_an_offer_waits_for_the_listing_being_hidden(conn: psycopg.Connection, race: Any, world: Any) -> None:
    """make_offer share-locks the listing (bloxtr8.lock_active_listing): an offer made while the seller hides it
    waits, then is refused."""
    listing = pending_offers(conn, world, "hid", n=1)[0].replace("_o", "_l")
    outcome = race.after(
        lambda c: c.execute("SELECT bloxtr8.set_listing_status(%s, %s, 'INACTIVE')", (listing, world.seller.id)),
        lambda c: c.execute(
            "SELECT bloxtr8.make_offer(%s, %s, 800, interval '1 hour')", (listing, world.other.id)
        ),
        holder_role="chaindb_app",
    )
    assert outcome == race.Lost("CD007", "listings_active")
    assert conn.execute("SELECT count(*) FROM bloxtr8.offers WHERE listing_id = %s", (listing,)).fetchone() == (1,)


def test_showing_a_listing_waits_for_an_acceptance(conn: psycopg.Connection, race: Any, world: Any) -> None:
    """set_listing_status locks the listing: showing it again while an offer on it is being accepted waits, then
    finds the deal open (else it would put a listing under contract back on the market)."""
    offer = pending_offers(conn, world, "shw", n=1)[0]
    listing = offer.replace("_o", "_l")
    outcome = race.after(
        lambda c: c.execute("SELECT bloxtr8.accept_offer(%s, %s)", (offer, world.seller.id)),
        lambda c: c.execute("SELECT bloxtr8.set_listing_status(%s, %s, 'ACTIVE')", (listing, world.seller.id)),
        holder_role="chaindb_app",
    )
    assert outcome == race.Lost("CD007", "listings_open_deal")
    assert conn.execute("SELECT status::text FROM bloxtr8.listings WHERE id = %s", (listing,)).fetchone() == (
        "INACTIVE",
    )


def test_an_offer_waits_for_the_buyers_sanction(conn: psycopg.Connection, race: Any, world: Any) -> None:
    """require_user share-locks the actor: an offer made while the buyer's wallet is being found SANCTIONED waits,
    then is refused."""
    q.user_set_wallet(conn, id=world.buyer.id, wallet_address="0x" + "b1" * 20)
    listing = pending_offers(conn, world, "snc", n=1)[0].replace("_o", "_l")
    outcome = race.after(
        lambda c: c.execute("SELECT bloxtr8.set_user_wallet_risk(%s, 'SANCTIONED')", (world.buyer.id,)),
        lambda c: c.execute("SELECT bloxtr8.make_offer(%s, %s, 800, interval '1 hour')", (listing, world.buyer.id)),
        holder_role="chaindb_app",
    )
    assert outcome == race.Lost("CD007", "users_wallet_sanctioned")


def test_a_new_wallet_waits_for_a_sanction(conn: psycopg.Connection, race: Any, world: Any) -> None:
    """set_user_wallet locks the user: replacing the wallet while it is being found SANCTIONED waits, then is
    refused (else the new address would shed the sanction)."""
    q.user_set_wallet(conn, id=world.buyer.id, wallet_address="0x" + "b1" * 20)
    outcome = race.after(
        lambda c: c.execute("SELECT bloxtr8.set_user_wallet_risk(%s, 'SANCTIONED')", (world.buyer.id,)),
        lambda c: c.execute("SELECT bloxtr8.set_user_wallet(%s, %s)", (world.buyer.id, "0x" + "b2" * 20)),
        holder_role="chaindb_app",
    )
    assert outcome == race.Lost("CD007", "users_wallet_sanctioned")
    assert conn.execute(
        "SELECT wallet_address, wallet_risk::text FROM bloxtr8.users WHERE id = %s", (world.buyer.id,)
    ).fetchone() == ("0x" + "b1" * 20, "SANCTIONED")


def test_a_kyc_tier_waits_for_the_roblox_link(conn: psycopg.Connection, race: Any, app: Any) -> None:
    """set_user_kyc locks the user: a TIER_1 asked while the user's Roblox account is being linked waits for the
    link, then sees it."""
    user = q.user_create(app, email="late@bloxtr8.test", name="late", email_verified=True)
    outcome = race.after(
        lambda c: c.execute(
            "INSERT INTO bloxtr8.accounts (id, account_id, provider_id, user_id) VALUES ('late', '104', 'roblox', %s)",
            (user.id,),
        ),
        lambda c: c.execute(
            "SELECT kyc_tier::text FROM bloxtr8.set_user_kyc(%s, 'TIER_1', false)", (user.id,)
        ).fetchone(),
    )
    assert outcome == ("TIER_1",)


def test_publishing_a_template_version_once(conn: psycopg.Connection, race: Any, world: Any) -> None:
    """Every worker publishes the same next version under its own name: one is the active template."""

    def publish(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT version, name FROM bloxtr8.publish_contract_template(%s, %s, '{}')",
            (f"{round_no + 2}.0.0", f"Agreement {worker}"),
        ).fetchone()

    race.settle(
        publish,
        ("CD007", "contract_templates_version_order"),
        lambda round_no: conn.execute(
            "SELECT version, name FROM bloxtr8.contract_templates WHERE version = %s", (f"{round_no + 2}.0.0",)
        ).fetchone(),
    )
    assert conn.execute("SELECT version FROM bloxtr8.contract_templates WHERE is_active").fetchone() == (
        f"{ROUNDS + 1}.0.0",
    )


def accepted_offers(conn: psycopg.Connection, world: Any, prefix: str) -> list[str]:
    offers = pending_offers(conn, world, prefix)
    conn.execute("UPDATE bloxtr8.offers SET status = 'ACCEPTED' WHERE id = ANY(%s)", (offers,))
    conn.execute("UPDATE bloxtr8.listings SET status = 'INACTIVE' WHERE id LIKE %s", (prefix + "%_l",))
    return offers


def test_one_contract_per_offer(conn: psycopg.Connection, race: Any, world: Any) -> None:
    offers = accepted_offers(conn, world, "con")

    def create(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT id, roblox_asset_data FROM bloxtr8.create_contract(%s, %s)",
            (offers[round_no], f'{{"worker": {worker}}}'),
        ).fetchone()

    race.settle(
        create,
        ("23505", "contracts_offer_id_key"),
        lambda round_no: conn.execute(
            "SELECT id, roblox_asset_data FROM bloxtr8.contracts WHERE offer_id = %s", (offers[round_no],)
        ).fetchone(),
    )


def test_signing_a_contract_once(conn: psycopg.Connection, race: Any, deals: Any, world: Any) -> None:
    """The seller signs one contract from 32 connections (each with its own user agent): one signature."""
    contracts = deals(ROUNDS, prefix="one")

    def sign(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        app.execute(
            "SELECT bloxtr8.sign_contract(%s, %s, p_user_agent => %s)",
            (contracts[round_no], world.seller.id, f"w{worker}"),
        )
        return app.execute(
            "SELECT user_agent FROM bloxtr8.signatures WHERE contract_id = %s", (contracts[round_no],)
        ).fetchone()

    race.settle(
        sign,
        ("23505", "signatures_user_id_contract_id_key"),
        lambda round_no: conn.execute(
            "SELECT user_agent FROM bloxtr8.signatures WHERE contract_id = %s", (contracts[round_no],)
        ).fetchone(),
    )


def test_voiding_a_contract_once(conn: psycopg.Connection, race: Any, deals: Any) -> None:
    contracts = deals(ROUNDS, prefix="void")

    def void(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute("SELECT status::text FROM bloxtr8.void_contract(%s)", (contracts[round_no],)).fetchone()

    won = race.settle(void, CONTRACT_MOVE, reader(conn, "contracts", "status::text", contracts))
    assert set(won) == {("VOID",)}


def claim_all(app: psycopg.Connection, n: int) -> list[Any]:
    return q.execution_job_claim(app, max_jobs=n)


def failed_contracts(app: psycopg.Connection, deals: Any, make_due: Callable[[], int], prefix: str) -> list[str]:
    """ROUNDS contracts EXECUTION_FAILED: each job failed its 3 attempts."""
    contracts = deals(ROUNDS, prefix=prefix, stage="EXECUTING")
    for _ in range(3):
        make_due()
        for job in claim_all(app, ROUNDS):
            q.execution_job_fail(app, id=job.id, attempt=job.attempts, error="Roblox API down")
    return contracts


def test_retrying_a_failed_execution_once(
    conn: psycopg.Connection, app: Any, race: Any, deals: Any, make_due: Callable[[], int]
) -> None:
    contracts = failed_contracts(app, deals, make_due, "rty")
    columns = "c.status::text, j.status::text, j.max_attempts"

    def retry(app_: psycopg.Connection, round_no: int, worker: int) -> Any:
        app_.execute("SELECT bloxtr8.retry_contract_execution(%s)", (contracts[round_no],))
        return app_.execute(
            f"SELECT {columns} FROM bloxtr8.contracts AS c JOIN bloxtr8.contract_execution_jobs AS j "
            "ON j.contract_id = c.id WHERE c.id = %s", (contracts[round_no],)
        ).fetchone()

    won = race.settle(
        retry,
        CONTRACT_MOVE,
        lambda round_no: conn.execute(
            f"SELECT {columns} FROM bloxtr8.contracts AS c JOIN bloxtr8.contract_execution_jobs AS j "
            "ON j.contract_id = c.id WHERE c.id = %s", (contracts[round_no],)
        ).fetchone(),
    )
    assert set(won) == {("EXECUTING", "PENDING", 6)}


def claimed_jobs(app: psycopg.Connection, deals: Any, prefix: str) -> list[Any]:
    deals(ROUNDS, prefix=prefix, stage="EXECUTING")
    jobs = claim_all(app, ROUNDS)
    assert len(jobs) == ROUNDS
    return jobs


JOB = "status::text, attempts, last_error, completed_at"


def test_completing_a_job_once(conn: psycopg.Connection, app: Any, race: Any, deals: Any) -> None:
    jobs = claimed_jobs(app, deals, "cmp")

    def complete(app_: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app_.execute(
            f"SELECT {JOB} FROM bloxtr8.complete_execution_job(%s, %s)", (jobs[round_no].id, jobs[round_no].attempts)
        ).fetchone()

    won = race.settle(complete, JOB_MOVE, reader(conn, "contract_execution_jobs", JOB, [j.id for j in jobs]))
    assert {w[0] for w in won} == {"COMPLETED"}


def test_completing_or_failing_a_job_once(conn: psycopg.Connection, app: Any, race: Any, deals: Any) -> None:
    """Half the workers complete the attempt, half fail it (each with its own error): one outcome stands."""
    jobs = claimed_jobs(app, deals, "cof")

    def finish(app_: psycopg.Connection, round_no: int, worker: int) -> Any:
        job = jobs[round_no]
        if worker % 2:
            return app_.execute(
                f"SELECT {JOB} FROM bloxtr8.complete_execution_job(%s, %s)", (job.id, job.attempts)
            ).fetchone()
        return app_.execute(
            f"SELECT {JOB} FROM bloxtr8.fail_execution_job(%s, %s, %s)", (job.id, job.attempts, f"error {worker}")
        ).fetchone()

    race.settle(finish, JOB_MOVE, reader(conn, "contract_execution_jobs", JOB, [j.id for j in jobs]))


def test_recovering_jobs_counts_each_once(
    conn: psycopg.Connection, app: Any, race: Any, deals: Any, clock: Any
) -> None:
    """Every worker recovers the jobs whose lease ended at once: each job is recovered once (one failed attempt)."""
    jobs = claimed_jobs(app, deals, "rec")
    clock.offset(datetime.timedelta(days=2))

    def recover(app_: psycopg.Connection, round_no: int, worker: int) -> Any:
        return [r[0] for r in app_.execute("SELECT id FROM bloxtr8.recover_execution_jobs()")]

    results = race.run(recover, rounds=2)
    recovered = [job for round_ in results for result in round_ for job in result]
    assert sorted(recovered) == sorted(j.id for j in jobs), results
    assert conn.execute(
        "SELECT status::text, attempts, count(*) FROM bloxtr8.contract_execution_jobs GROUP BY 1, 2"
    ).fetchall() == [("PENDING", 1, ROUNDS)]


def test_recovery_skips_a_job_a_worker_holds(conn: psycopg.Connection, app: Any, race: Any, deals: Any,
                                              clock: Any) -> None:
    """recover_execution_jobs skips (SKIP LOCKED) a job whose worker holds it right now, lease ended or not: it
    neither waits for the worker nor takes the job from it."""
    job = claimed_jobs(app, deals, "hold")[0]
    clock.offset(datetime.timedelta(days=2))
    outcome = race.after(
        lambda c: c.execute("SELECT FROM bloxtr8.contract_execution_jobs WHERE id = %s FOR UPDATE", (job.id,)),
        lambda c: [r[0] for r in c.execute("SELECT id FROM bloxtr8.recover_execution_jobs()")],
    )
    assert job.id not in outcome
    assert conn.execute(
        "SELECT status::text, attempts FROM bloxtr8.contract_execution_jobs WHERE id = %s", (job.id,)
    ).fetchone() == ("PROCESSING", 1)


def test_a_claim_skips_a_job_a_worker_holds(conn: psycopg.Connection, race: Any, deals: Any) -> None:
    """claim_execution_jobs skips (SKIP LOCKED) a due job another transaction holds: it takes none rather than wait."""
    deals(1, prefix="skip", stage="EXECUTING")
    outcome = race.after(
        lambda c: c.execute("SELECT FROM bloxtr8.contract_execution_jobs FOR UPDATE"),
        lambda c: c.execute("SELECT id FROM bloxtr8.claim_execution_jobs(5, interval '5 minutes')").fetchall(),
    )
    assert outcome == []
    assert conn.execute("SELECT status::text, attempts FROM bloxtr8.contract_execution_jobs").fetchall() == [
        ("PENDING", 0)
    ]


def executed_escrows(app: psycopg.Connection, deals: Any, world: Any, prefix: str, stage: str) -> list[str]:
    """ROUNDS STRIPE escrows of EXECUTED contracts, moved to stage: AWAIT_FUNDS, FUNDS_HELD, DELIVERED, DISPUTED."""
    contracts = deals(ROUNDS, prefix=prefix, amount=10_000, stage="EXECUTING")
    for job in claim_all(app, ROUNDS):
        q.execution_job_complete(app, id=job.id, attempt=job.attempts)
    escrows = [q.escrow_create(app, contract_id=c, payment_intent_id=f"pi_{prefix}{i}").id
               for i, c in enumerate(contracts)]
    for escrow in escrows:
        if stage != "AWAIT_FUNDS":
            q.escrow_fund(app, id=escrow)
        if stage == "DELIVERED":
            q.escrow_deliver(app, id=escrow, user_id=world.seller.id)
        if stage == "DISPUTED":
            q.escrow_dispute(app, id=escrow, user_id=world.buyer.id, reason="not delivered")
    return escrows


ESCROW = "e.status::text, s.transfer_id, s.refund_id"


def escrow_row(conn: psycopg.Connection, escrows: list[str]) -> Callable[[int], Any]:
    return lambda round_no: conn.execute(
        f"SELECT {ESCROW} FROM bloxtr8.escrows AS e JOIN bloxtr8.stripe_escrows AS s ON s.escrow_id = e.id "
        "WHERE e.id = %s", (escrows[round_no],)
    ).fetchone()


def settle_escrow(conn: psycopg.Connection, race: Any, escrows: list[str], call: str,
                  args: Callable[[int, int], tuple[Any, ...]]) -> list[Any]:
    """Every worker moves the round's escrow with call (args(round, worker) after the escrow id): one moves it."""

    def move(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        app.execute(call, (escrows[round_no], *args(round_no, worker)))
        return escrow_row(app, escrows)(round_no)

    return race.settle(move, ESCROW_MOVE, escrow_row(conn, escrows))


def test_funding_an_escrow_once(conn: psycopg.Connection, app: Any, race: Any, deals: Any, world: Any) -> None:
    """fund_escrow locks the escrow (bloxtr8.lock_escrow): the others find it FUNDS_HELD, one delivery is made."""
    escrows = executed_escrows(app, deals, world, "fnd", "AWAIT_FUNDS")
    won = settle_escrow(conn, race, escrows, "SELECT bloxtr8.fund_escrow(%s)", lambda r, w: ())
    assert {w[0] for w in won} == {"FUNDS_HELD"}
    assert conn.execute(
        "SELECT count(*) FROM bloxtr8.deliveries WHERE escrow_id = ANY(%s)", (escrows,)
    ).fetchone() == (ROUNDS,)


def test_cancelling_an_escrow_once(conn: psycopg.Connection, app: Any, race: Any, deals: Any, world: Any) -> None:
    escrows = executed_escrows(app, deals, world, "cnl", "AWAIT_FUNDS")
    won = settle_escrow(conn, race, escrows, "SELECT bloxtr8.cancel_escrow(%s)", lambda r, w: ())
    assert {w[0] for w in won} == {"CANCELLED"}


def test_delivering_an_escrow_once(conn: psycopg.Connection, app: Any, race: Any, deals: Any, world: Any) -> None:
    """Each worker delivers with its own notes: the delivery holds the winner's."""
    escrows = executed_escrows(app, deals, world, "dlv", "FUNDS_HELD")

    def deliver(app_: psycopg.Connection, round_no: int, worker: int) -> Any:
        app_.execute("SELECT bloxtr8.deliver_escrow(%s, %s, %s)", (escrows[round_no], world.seller.id, f"w{worker}"))
        return app_.execute(
            "SELECT status::text, notes FROM bloxtr8.deliveries WHERE escrow_id = %s", (escrows[round_no],)
        ).fetchone()

    won = race.settle(
        deliver,
        ESCROW_MOVE,
        lambda round_no: conn.execute(
            "SELECT status::text, notes FROM bloxtr8.deliveries WHERE escrow_id = %s", (escrows[round_no],)
        ).fetchone(),
    )
    assert {w[0] for w in won} == {"DELIVERED"}


def test_disputing_an_escrow_once(conn: psycopg.Connection, app: Any, race: Any, deals: Any, world: Any) -> None:
    """Buyer and seller dispute at once, each with a reason of its own: one dispute, the winner's."""
    escrows = executed_escrows(app, deals, world, "dsp", "DELIVERED")

    def dispute(app_: psycopg.Connection, round_no: int, worker: int) -> Any:
        user = world.buyer.id if worker % 2 else world.seller.id
        app_.execute("SELECT bloxtr8.dispute_escrow(%s, %s, %s)", (escrows[round_no], user, f"reason {worker}"))
        return app_.execute(
            "SELECT status::text, reason FROM bloxtr8.disputes WHERE escrow_id = %s", (escrows[round_no],)
        ).fetchone()

    won = race.settle(
        dispute,
        ESCROW_MOVE,
        lambda round_no: conn.execute(
            "SELECT status::text, reason FROM bloxtr8.disputes WHERE escrow_id = %s", (escrows[round_no],)
        ).fetchone(),
    )
    assert {w[0] for w in won} == {"OPEN"}


def test_releasing_an_escrow_once(conn: psycopg.Connection, app: Any, race: Any, deals: Any, world: Any) -> None:
    """Each worker releases with its own Stripe transfer: the escrow records the winner's."""
    escrows = executed_escrows(app, deals, world, "rls", "DELIVERED")
    won = settle_escrow(
        conn, race, escrows, "SELECT bloxtr8.release_escrow(%s, %s)", lambda r, w: (f"tr_r{r}w{w}",)
    )
    assert {w[0] for w in won} == {"RELEASED"}


def test_refunding_an_escrow_once(conn: psycopg.Connection, app: Any, race: Any, deals: Any, world: Any) -> None:
    """Each worker refunds with its own Stripe refund: the escrow records the winner's."""
    escrows = executed_escrows(app, deals, world, "rfd", "DISPUTED")
    won = settle_escrow(
        conn, race, escrows, "SELECT bloxtr8.refund_escrow(%s, %s)", lambda r, w: (f"re_r{r}w{w}",)
    )
    assert {w[0] for w in won} == {"REFUNDED"}


def test_releasing_a_milestone_once(conn: psycopg.Connection, app: Any, race: Any, deals: Any, world: Any) -> None:
    escrows = executed_escrows(app, deals, world, "mrl", "FUNDS_HELD")
    milestones = [q.escrow_milestone_add(app, escrow_id=e, title="Half", amount=5_000).id for e in escrows]

    def release(app_: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app_.execute(
            "SELECT id, released_at FROM bloxtr8.release_escrow_milestone(%s)", (milestones[round_no],)
        ).fetchone()

    race.settle(
        release,
        ("CD007", "milestone_escrows_unreleased"),
        reader(conn, "milestone_escrows", "id, released_at", milestones),
    )
    assert conn.execute(
        "SELECT count(*) FROM bloxtr8.audit_logs WHERE action = 'escrow_milestone_released'"
    ).fetchone() == (ROUNDS,)


def test_a_milestone_release_waits_for_a_dispute(conn: psycopg.Connection, app: Any, race: Any, deals: Any,
                                                 world: Any) -> None:
    """release_escrow_milestone share-locks the escrow: a release while the escrow is being disputed waits, then
    finds the funds no longer simply held."""
    escrow = executed_escrows(app, deals, world, "mdp", "FUNDS_HELD")[0]
    milestone = q.escrow_milestone_add(app, escrow_id=escrow, title="Half", amount=5_000).id
    outcome = race.after(
        lambda c: c.execute("SELECT bloxtr8.dispute_escrow(%s, %s, 'wrong game')", (escrow, world.buyer.id)),
        lambda c: c.execute("SELECT bloxtr8.release_escrow_milestone(%s)", (milestone,)),
        holder_role="chaindb_app",
    )
    assert outcome == race.Lost("CD007", "milestone_escrows_funds_held")
    assert conn.execute(
        "SELECT released_at FROM bloxtr8.milestone_escrows WHERE id = %s", (milestone,)
    ).fetchone() == (None,)


def test_one_escrow_per_contract(conn: psycopg.Connection, app: Any, race: Any, deals: Any) -> None:
    """Each worker opens the contract's escrow with its own payment intent: one escrow, the winner's."""
    contracts = deals(ROUNDS, prefix="one_e", amount=10_000, stage="EXECUTING")
    for job in claim_all(app, ROUNDS):
        q.execution_job_complete(app, id=job.id, attempt=job.attempts)

    def create(app_: psycopg.Connection, round_no: int, worker: int) -> Any:
        app_.execute("SELECT bloxtr8.create_escrow(%s, %s)", (contracts[round_no], f"pi_r{round_no}w{worker}"))
        return app_.execute(
            "SELECT s.payment_intent_id FROM bloxtr8.escrows AS e JOIN bloxtr8.stripe_escrows AS s "
            "ON s.escrow_id = e.id WHERE e.contract_id = %s", (contracts[round_no],)
        ).fetchone()

    race.settle(
        create,
        ("23505", "escrows_contract_id_key"),
        lambda round_no: conn.execute(
            "SELECT s.payment_intent_id FROM bloxtr8.escrows AS e JOIN bloxtr8.stripe_escrows AS s "
            "ON s.escrow_id = e.id WHERE e.contract_id = %s", (contracts[round_no],)
        ).fetchone(),
    )


def test_starting_a_check_again_once(conn: psycopg.Connection, race: Any, world: Any) -> None:
    """A FAILED ownership check started again by 32 workers at once, half by OAuth and half by the API: one restarts
    it, and every worker gets that one PENDING row (with the winner's method)."""
    checks = [
        conn.execute(
            "INSERT INTO bloxtr8.asset_verifications (user_id, game_id, verification_method) "
            "VALUES (%s, %s, 'ROBLOX_API') RETURNING id", (world.seller.id, str(1000 + n))
        ).fetchone()[0]
        for n in range(ROUNDS)
    ]
    conn.execute(
        "UPDATE bloxtr8.asset_verifications SET verification_status = 'FAILED' WHERE id = ANY(%s)", (checks,)
    )
    columns = "id, verification_status::text, verification_method::text"

    def start(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {columns} FROM bloxtr8.start_asset_verification(%s, %s, %s)",
            (world.seller.id, str(1000 + round_no), "ROBLOX_OAUTH" if worker % 2 else "ROBLOX_API"),
        ).fetchone()

    for round_no, results in enumerate(race.run(start, hold=SERIAL_HOLD)):
        row = reader(conn, "asset_verifications", columns, checks)(round_no)
        assert row[1] == "PENDING" and set(results) == {row}, (round_no, row, set(results))


def test_starting_a_check_once(conn: psycopg.Connection, race: Any, world: Any) -> None:
    """The first check of a game started by 32 workers at once: one row, which every worker gets."""

    def start(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            "SELECT id FROM bloxtr8.start_asset_verification(%s, %s, 'ROBLOX_API')",
            (world.buyer.id, str(2000 + round_no)),
        ).fetchone()

    for round_no, results in enumerate(race.run(start, hold=SERIAL_HOLD)):
        rows = conn.execute(
            "SELECT id FROM bloxtr8.asset_verifications WHERE user_id = %s AND game_id = %s",
            (world.buyer.id, str(2000 + round_no)),
        ).fetchall()
        assert len(rows) == 1 and set(results) == {rows[0]}, (round_no, rows, set(results))


def test_completing_a_check_once(conn: psycopg.Connection, race: Any, world: Any) -> None:
    """Every worker records a VERIFIED outcome with its own API response: one is recorded."""
    checks = [
        q.asset_verification_start(conn, user_id=world.seller.id, game_id=str(3000 + n),
                                   verification_method=q.VerificationMethod.ROBLOX_API).id
        for n in range(ROUNDS)
    ]
    columns = "verification_status::text, metadata"

    def complete(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        return app.execute(
            f"SELECT {columns} FROM bloxtr8.complete_asset_verification(%s, true, p_metadata => %s)",
            (checks[round_no], f'{{"worker": {worker}}}'),
        ).fetchone()

    won = race.settle(complete, CHECK_MOVE, reader(conn, "asset_verifications", columns, checks))
    assert {w[0] for w in won} == {"VERIFIED"}


def test_expiring_checks_counts_each_once(conn: psycopg.Connection, race: Any, world: Any, clock: Any) -> None:
    for n in range(20):
        check = q.asset_verification_start(conn, user_id=world.seller.id, game_id=str(4000 + n),
                                           verification_method=q.VerificationMethod.ROBLOX_API)
        q.asset_verification_complete(conn, id=check.id, verified=True)
    clock.offset(datetime.timedelta(days=2))

    def expire(app: psycopg.Connection, round_no: int, worker: int) -> Any:
        row = app.execute("SELECT bloxtr8.expire_asset_verifications()").fetchone()
        return row[0] if row else None

    results = race.run(expire, rounds=2)
    assert sum(map(sum, results)) == 20, results
    assert conn.execute(
        "SELECT count(*) FROM bloxtr8.asset_verifications WHERE verification_status = 'EXPIRED'"
    ).fetchone() == (20,)
