"""Every CocoPay query, called through the generated functions on a real database as chaindb_app.

Sync throughout, async for a representative set (``asyncio.run`` inside the test). Rules are
checked through the error mapping: the exception class, SQLSTATE, constraint and DETAIL.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import ipaddress
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from chaindb import db, errors
from chaindb.admin import APP_ROLE
from chaindb.chain import evm
from chaindb.cocopay import queries as q
from chaindb.cocopay.accounts import account_address, get_or_create_smart_account, get_or_create_smart_account_async
from chaindb.codegen.runtime import statements

UTC = datetime.UTC
T0 = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
WORKERS = 32
ROUNDS = 10


def new_phone() -> str:
    return "+55" + str(uuid.uuid4().int)[:11]


def new_user(conn: psycopg.Connection[Any], name: str | None = None) -> q.User:
    return q.user_get_or_create_by_phone(conn, phone=new_phone(), name=name, locale=None)


def new_store(
    conn: psycopg.Connection[Any], owner: q.User, short_code: str | None = None, symbol: str = "PADA"
) -> q.Store:
    return q.store_create(
        conn,
        owner_id=owner.id,
        name="Padaria Central",
        symbol=symbol,
        short_code=short_code,
        category="bakery",
        description=None,
        latitude=None,
        longitude=None,
        address=None,
        website=None,
        instagram=None,
        qr_code_url=None,
    )


def pay(
    conn: psycopg.Connection[Any],
    *,
    key: str | None,
    store: q.Store | None,
    customer: q.User | None,
    amount: Decimal | int = Decimal("12.50"),
    kind: q.TransactionType = q.TransactionType.PAYMENT,
    chain: q.ChainId = q.ChainId.V_8453,
) -> q.Transaction:
    return q.transaction_create(
        conn,
        idempotency_key=key if key is not None else f"fresh-{uuid.uuid4()}",
        type=kind,
        amount_usd=amount,
        chain_id=chain,
        from_user_id=customer.id if customer else None,
        to_user_id=None,
        store_id=store.id if store else None,
        tokens_used=[{"token_address": USDC, "amount": "12500000"}],
        rewards_earned=None,
        bundle_id=None,
    )


def confirm(conn: psycopg.Connection[Any], tx: q.Transaction) -> q.Transaction:
    assert tx.confirmation_code is not None
    return q.transaction_confirm(
        conn, id=tx.id, confirmation_code=tx.confirmation_code, tx_hash=None, block_number=None
    )


# -- every query is exercised ------------------------------------------------------------


def test_every_query_is_called_here() -> None:
    names = sorted(statements(q))
    assert len(names) >= 50
    sources = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    missing = [n for n in names if not re.search(rf"\bq\.{n}(_async|_iter|_iter_async)?\(", sources)]
    assert missing == []


# -- users, sessions, passkeys, smart accounts --------------------------------------------


def test_user_get_or_create_by_phone(app: psycopg.Connection[Any], clock: Any) -> None:
    phone = new_phone()
    clock.freeze(T0)
    ana = q.user_get_or_create_by_phone(app, phone=phone, name="Ana", locale=None)
    assert isinstance(ana, q.User)
    assert (ana.phone, ana.name, ana.locale, ana.preferred_chain_id) == (phone, "Ana", "pt-BR", q.ChainId.V_8453)
    assert ana.last_active_at == T0 and ana.created_at == T0 and ana.phone_verified_at is None
    clock.freeze(T0 + HOUR)
    again = q.user_get_or_create_by_phone(app, phone=phone, name="Someone else", locale="en")
    assert again.id == ana.id
    assert (again.name, again.locale, again.last_active_at) == ("Ana", "pt-BR", T0 + HOUR)
    assert app.execute("select count(*) from cocopay.users where phone = %s", (phone,)).fetchone() == (1,)

    assert q.user_get(app, id=ana.id) == again
    assert q.user_get_by_phone(app, phone=phone) == again
    assert q.user_get(app, id=uuid.uuid4()) is None
    assert q.user_get_by_phone(app, phone="+5500000000") is None

    clock.freeze(T0)
    verified = q.user_verify_phone(app, id=ana.id)
    assert verified is not None and verified.phone_verified_at == T0
    clock.freeze(T0 + DAY)
    later = q.user_verify_phone(app, id=ana.id)
    assert later is not None and later.phone_verified_at == T0  # the first verification is kept
    assert q.user_verify_phone(app, id=uuid.uuid4()) is None

    with pytest.raises(errors.CheckViolation) as err:
        q.user_get_or_create_by_phone(app, phone="not a phone", name=None, locale=None)
    assert err.value.constraint == "users_phone_check" and err.value.sqlstate == "23514"


def test_sessions(app: psycopg.Connection[Any], clock: Any) -> None:
    user = new_user(app)
    token_hash = hashlib.sha256(b"jwt-1").hexdigest()
    clock.freeze(T0)
    session = q.session_create(
        app,
        user_id=user.id,
        token_hash=token_hash,
        auth_method=q.AuthMethod.PASSKEY,
        device_info={"platform": "ios", "app_version": "1.2.3"},
        ip_address="192.0.2.7",
        expires_at=T0 + HOUR,
    )
    assert isinstance(session, q.Session)
    assert session.auth_method is q.AuthMethod.PASSKEY and session.created_at == T0
    assert session.device_info == {"platform": "ios", "app_version": "1.2.3"}
    assert session.ip_address == ipaddress.ip_address("192.0.2.7")

    clock.freeze(T0 + HOUR / 2)
    assert q.session_get_by_token_hash(app, token_hash=token_hash) == session
    clock.freeze(T0 + HOUR)
    assert q.session_get_by_token_hash(app, token_hash=token_hash) is None  # expired by the database's clock
    clock.freeze(T0)
    assert q.session_get_by_token_hash(app, token_hash="0" * 64) is None

    clock.freeze(T0 + HOUR / 4)
    revoked = q.session_revoke(app, id=session.id)
    assert revoked is not None and revoked.revoked_at == T0 + HOUR / 4
    clock.freeze(T0 + HOUR / 2)
    assert q.session_get_by_token_hash(app, token_hash=token_hash) is None
    assert q.session_revoke(app, id=session.id) is None  # revoked already
    clock.freeze(T0)

    for n in range(2):
        q.session_create(
            app,
            user_id=user.id,
            token_hash=hashlib.sha256(f"jwt-{n + 2}".encode()).hexdigest(),
            auth_method=q.AuthMethod.PHONE,
            device_info=None,
            ip_address=None,
            expires_at=T0 + DAY,
        )
    clock.freeze(T0 + HOUR)
    assert q.session_revoke_all_for_user(app, user_id=user.id) == 2
    assert q.session_revoke_all_for_user(app, user_id=user.id) == 0
    assert q.session_delete_expired(app) == 1
    clock.freeze(T0 + 2 * DAY)
    assert q.session_delete_expired(app) == 2
    clock.freeze(T0)

    with pytest.raises(errors.CheckViolation) as err:
        q.session_create(
            app,
            user_id=user.id,
            token_hash=token_hash,
            auth_method=q.AuthMethod.PHONE,
            device_info=None,
            ip_address=None,
            expires_at=T0,
        )
    assert err.value.constraint == "sessions_expires_at_check"
    with pytest.raises(errors.CheckViolation) as err:
        q.session_create(
            app,
            user_id=user.id,
            token_hash="NOT-A-HASH",
            auth_method=q.AuthMethod.PHONE,
            device_info=None,
            ip_address=None,
            expires_at=T0 + DAY,
        )
    assert err.value.constraint == "sessions_token_hash_check"


def test_passkeys(app: psycopg.Connection[Any], clock: Any) -> None:
    user = new_user(app)
    passkey = q.passkey_register(
        app,
        user_id=user.id,
        credential_id="cred-" + uuid.uuid4().hex,
        public_key=b"\xa5\x01\x02",
        sign_count=None,
        derived_address="0x" + "ab" * 20,
        device_name="iPhone",
    )
    assert isinstance(passkey, q.Passkey)
    assert passkey.sign_count == 0 and passkey.public_key == b"\xa5\x01\x02" and passkey.last_used_at is None

    clock.freeze(T0)
    used = q.passkey_use(app, credential_id=passkey.credential_id, sign_count=10)
    assert used is not None and (used.sign_count, used.last_used_at) == (10, T0)
    clock.freeze(T0 + HOUR)
    same = q.passkey_use(app, credential_id=passkey.credential_id, sign_count=10)
    assert same is not None and same.sign_count == 10  # equal is allowed (authenticators without a counter)
    with pytest.raises(errors.CounterRegression) as err:
        q.passkey_use(app, credential_id=passkey.credential_id, sign_count=9)
    exc = err.value
    assert (exc.sqlstate, exc.rule, exc.constraint) == ("CD004", "counter_regression", "passkeys_sign_count_monotonic")
    assert exc.detail == "from=10 to=9" and exc.table == "passkeys"
    assert q.passkey_use(app, credential_id="unknown", sign_count=1) is None

    assert q.passkey_get_by_credential_id(app, credential_id=passkey.credential_id) == same
    assert q.passkey_list_by_user(app, user_id=user.id) == [same]
    with pytest.raises(errors.UniqueViolation) as dup:
        q.passkey_register(
            app,
            user_id=user.id,
            credential_id=passkey.credential_id,
            public_key=b"\x01",
            sign_count=0,
            derived_address=None,
            device_name=None,
        )
    assert dup.value.constraint == "passkeys_credential_id_key"
    assert q.passkey_delete(app, id=passkey.id, user_id=uuid.uuid4()) == 0  # not theirs
    assert q.passkey_delete(app, id=passkey.id, user_id=user.id) == 1
    assert q.passkey_list_by_user(app, user_id=user.id) == []


def test_smart_accounts(app: psycopg.Connection[Any], clock: Any) -> None:
    user = new_user(app)
    owner = "0x" + "cd" * 20
    account = get_or_create_smart_account(app, user_id=user.id, chain_id=q.ChainId.V_8453, owner_address=owner)
    assert isinstance(account, q.SmartAccount)
    salt = evm.smart_account_salt(user.id, 8453)
    assert account.salt == salt
    assert account.address == evm.smart_account_address(owner, salt) == evm.checksum(account.address)
    assert account.owner_address == evm.checksum(owner)
    assert account.custody_status is q.CustodyStatus.MANAGED and not account.deployed

    again = get_or_create_smart_account(app, user_id=user.id, chain_id=q.ChainId.V_8453, owner_address=owner)
    assert again == account  # create-or-get: the same row, one row
    other_owner = q.smart_account_get_or_create(
        app,
        user_id=user.id,
        chain_id=q.ChainId.V_8453,
        address=account_address(user.id, q.ChainId.V_8453, "0x" + "ef" * 20)[0],
        salt=salt,
        owner_address=evm.checksum("0x" + "ef" * 20),
        custody_status=q.CustodyStatus.SELF_CUSTODY,
    )
    assert other_owner == account  # an existing account is returned unchanged
    optimism = get_or_create_smart_account(
        app,
        user_id=user.id,
        chain_id=q.ChainId.V_10,
        owner_address=owner,
        custody_status=q.CustodyStatus.SELF_CUSTODY,
    )
    assert optimism.address != account.address and optimism.custody_status is q.CustodyStatus.SELF_CUSTODY

    assert q.smart_account_get(app, user_id=user.id, chain_id=q.ChainId.V_8453) == account
    assert q.smart_account_get(app, user_id=user.id, chain_id=q.ChainId.V_1) is None
    assert q.smart_account_get_by_address(app, chain_id=q.ChainId.V_10, address=optimism.address) == optimism
    assert q.smart_account_list_by_user(app, user_id=user.id) == [optimism, account]  # chain_id enum order: 10, 8453
    clock.freeze(T0)
    deployed = q.smart_account_mark_deployed(app, id=account.id, deploy_tx_hash="0x" + "12" * 32)
    assert deployed is not None and deployed.deployed and deployed.deployed_at == T0
    assert q.smart_account_mark_deployed(app, id=account.id, deploy_tx_hash="0x" + "34" * 32) is None
    with pytest.raises(errors.CheckViolation) as err:
        q.smart_account_mark_deployed(app, id=optimism.id, deploy_tx_hash="0xnothex")
    assert err.value.constraint == "smart_accounts_deploy_tx_hash_check"
    count = app.execute("select count(*) from cocopay.smart_accounts where user_id = %s", (user.id,)).fetchone()
    assert count == (2,)


# -- stores and members --------------------------------------------------------------------


def test_store_create_with_owner(app: psycopg.Connection[Any]) -> None:
    owner = new_user(app, "Ana")
    store = new_store(app, owner, short_code="PADA01")
    assert isinstance(store, q.Store)
    assert (store.name, store.symbol, store.short_code) == ("Padaria Central", "PADA", "PADA01")
    assert store.deployment_status is q.DeploymentStatus.PENDING
    member = q.store_member_get(app, store_id=store.id, user_id=owner.id)
    assert member is not None
    assert member.role is q.StoreRole.OWNER and member.invited_by is None and member.accepted_at == member.invited_at
    assert q.store_get(app, id=store.id) == store
    assert q.store_get_by_short_code(app, short_code="PADA01") == store
    assert q.store_get_by_short_code(app, short_code="NOPE") is None
    mine = q.store_list_by_member(app, user_id=owner.id)
    assert [(r.id, r.role, r.short_code) for r in mine] == [(store.id, q.StoreRole.OWNER, "PADA01")]

    with pytest.raises(errors.UniqueViolation) as dup:
        new_store(app, new_user(app), short_code="PADA01")
    assert dup.value.constraint == "stores_short_code_key" and dup.value.sqlstate == "23505"
    with pytest.raises(errors.CheckViolation) as bad:
        new_store(app, owner, symbol="lower")
    assert bad.value.constraint == "stores_symbol_check"
    with pytest.raises(errors.ForeignKeyViolation) as fk:
        q.store_create(
            app,
            owner_id=uuid.uuid4(),
            name="Ghost",
            symbol="GHST",
            short_code="GHOST1",
            category=None,
            description=None,
            latitude=Decimal("10"),
            longitude=Decimal("20"),
            address=None,
            website=None,
            instagram=None,
            qr_code_url=None,
        )
    assert fk.value.constraint == "store_members_user_id_fkey"
    assert q.store_get_by_short_code(app, short_code="GHOST1") is None  # store and membership: one statement


def test_store_members(app: psycopg.Connection[Any], clock: Any) -> None:
    owner, staff, admin, stranger = (new_user(app) for _ in range(4))
    store = new_store(app, owner)
    clock.freeze(T0)
    invited = q.store_member_invite(
        app, store_id=store.id, user_id=staff.id, role=q.StoreRole.STAFF, invited_by=owner.id
    )
    assert isinstance(invited, q.StoreMember)
    assert (invited.role, invited.invited_by, invited.invited_at, invited.accepted_at) == (
        q.StoreRole.STAFF,
        owner.id,
        T0,
        None,
    )
    assert q.store_list_by_member(app, user_id=staff.id) == []  # not accepted yet
    with pytest.raises(errors.PreconditionFailed) as err:
        q.store_member_invite(
            app, store_id=store.id, user_id=admin.id, role=q.StoreRole.ADMIN, invited_by=staff.id
        )
    assert err.value.constraint == "store_members_invited_by_manager" and err.value.sqlstate == "CD007"
    with pytest.raises(errors.PreconditionFailed) as err:
        q.store_member_invite(
            app, store_id=store.id, user_id=admin.id, role=q.StoreRole.OWNER, invited_by=owner.id
        )
    assert err.value.constraint == "store_members_invite_role"
    with pytest.raises(errors.UniqueViolation) as dup:
        q.store_member_invite(
            app, store_id=store.id, user_id=staff.id, role=q.StoreRole.ADMIN, invited_by=owner.id
        )
    assert dup.value.constraint == "store_members_store_id_user_id_key"

    clock.freeze(T0 + HOUR)
    accepted = q.store_member_accept(app, store_id=store.id, user_id=staff.id)
    assert accepted.accepted_at == T0 + HOUR and accepted.id == invited.id
    with pytest.raises(errors.PreconditionFailed) as err:
        q.store_member_accept(app, store_id=store.id, user_id=staff.id)
    assert err.value.constraint == "store_members_accepted_once"
    with pytest.raises(errors.NotFound) as missing:
        q.store_member_accept(app, store_id=store.id, user_id=stranger.id)
    assert missing.value.sqlstate == "CD005" and missing.value.rule == "not_found"
    with pytest.raises(errors.PreconditionFailed):  # staff may not invite
        q.store_member_invite(
            app, store_id=store.id, user_id=stranger.id, role=q.StoreRole.STAFF, invited_by=staff.id
        )
    q.store_member_invite(
        app, store_id=store.id, user_id=admin.id, role=q.StoreRole.ADMIN, invited_by=owner.id
    )
    members = q.store_member_list(app, store_id=store.id)
    assert [(m.user_id, m.role) for m in members] == [
        (owner.id, q.StoreRole.OWNER),
        (admin.id, q.StoreRole.ADMIN),
        (staff.id, q.StoreRole.STAFF),
    ]


# -- token balances --------------------------------------------------------------------------


def test_token_balance_sync_only_moves_forward(app: psycopg.Connection[Any], clock: Any) -> None:
    user = new_user(app)
    store = new_store(app, user)

    def sync(block: int, balance: int, usd: str = "1", token: str = USDC) -> q.TokenBalance | None:
        clock.freeze(T0 + datetime.timedelta(seconds=block))
        return q.token_balance_sync(
            app,
            user_id=user.id,
            chain_id=q.ChainId.V_8453,
            token_address=token,
            store_id=None if token == USDC else store.id,
            balance=balance,
            balance_usd=Decimal(usd),
            block_number=block,
        )

    first = sync(100, 10**30)  # numeric(78, 0): bigger than bigint
    assert isinstance(first, q.TokenBalance)
    assert (first.balance, first.last_synced_block, first.last_synced_at) == (
        Decimal(10**30),
        100,
        T0 + datetime.timedelta(seconds=100),
    )
    newer = sync(101, 900, "0.9")
    assert newer is not None and newer.id == first.id and newer.balance == 900 and newer.balance_usd == Decimal("0.9")

    assert sync(101, 5) is None  # the same block: stale
    assert sync(50, 5) is None  # an older block: stale
    current = q.token_balance_get(app, user_id=user.id, chain_id=q.ChainId.V_8453, token_address=USDC)
    assert current == newer  # nothing changed, not even updated_at

    native = sync(7, 3, token="0x0")
    assert native is not None and native.store_id == store.id
    assert [b.token_address for b in q.token_balance_list_by_user(app, user_id=user.id)] == ["0x0", USDC]
    assert q.token_balance_get(app, user_id=user.id, chain_id=q.ChainId.V_1, token_address=USDC) is None
    with pytest.raises(errors.CheckViolation) as err:
        sync(200, -1)
    assert err.value.constraint == "token_balances_balance_check"


# -- transactions --------------------------------------------------------------------------


def test_transaction_idempotency(app: psycopg.Connection[Any], clock: Any) -> None:
    customer, owner = new_user(app), new_user(app)
    store = new_store(app, owner)
    key = f"pay-{uuid.uuid4()}"
    clock.freeze(T0)
    tx = pay(app, key=key, store=store, customer=customer)
    assert isinstance(tx, q.Transaction)
    assert tx.status is q.TransactionStatus.PENDING and tx.type is q.TransactionType.PAYMENT
    assert tx.amount_usd == Decimal("12.5") and tx.created_at == T0 and tx.idempotency_key == key
    assert tx.confirmation_code is not None and re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", tx.confirmation_code)
    assert tx.tokens_used == [{"token_address": USDC, "amount": "12500000"}]

    clock.freeze(T0 + HOUR)
    again = pay(app, key=key, store=store, customer=customer, amount=Decimal("12.500"))
    assert again == tx  # the same key and payload: the same row, unchanged
    assert q.transaction_count_by_store(app, store_id=store.id) == 1
    assert q.transaction_get_by_idempotency_key(app, idempotency_key=key) == tx

    with pytest.raises(errors.IdempotencyConflict) as err:
        pay(app, key=key, store=store, customer=customer, amount=13)
    exc = err.value
    assert (exc.sqlstate, exc.rule, exc.constraint, exc.table) == (
        "CD002",
        "idempotency_conflict",
        "transactions_idempotency_key_key",
        "transactions",
    )
    assert exc.detail == f"idempotency_key={key} transaction={tx.id} differs in: amount_usd"
    assert isinstance(exc, errors.ProjectError) and isinstance(exc.original, psycopg.Error)
    with pytest.raises(errors.IdempotencyConflict) as err:
        pay(app, key=key, store=None, customer=customer, chain=q.ChainId.V_10)
    assert err.value.detail is not None and err.value.detail.endswith("differs in: chain_id, store_id")
    assert q.transaction_count_by_store(app, store_id=store.id) == 1

    confirmed = confirm(app, tx)
    assert pay(app, key=key, store=store, customer=customer) == confirmed  # a replay after confirmation
    assert q.transaction_get_by_idempotency_key(app, idempotency_key="nope") is None


def race(db_url: str, work: Callable[[psycopg.Connection[Any], int, int], object]) -> list[list[object]]:
    """``work(conn, round, worker)`` in WORKERS threads x ROUNDS rounds, each worker on its own
    connection (as chaindb_app), all workers of a round released together by a Barrier.
    Returns per round each worker's result, or the ChainDBError it raised."""
    barrier = threading.Barrier(WORKERS)
    with ExitStack() as stack:
        conns = [stack.enter_context(db.connect(db_url, role=APP_ROLE, autocommit=True)) for _ in range(WORKERS)]

        def one(round_no: int, worker: int) -> object:
            barrier.wait(timeout=30)
            try:
                return work(conns[worker], round_no, worker)
            except errors.ChainDBError as exc:
                return exc

        outcomes = []
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for round_no in range(ROUNDS):
                futures = [pool.submit(one, round_no, w) for w in range(WORKERS)]
                outcomes.append([f.result() for f in futures])
        return outcomes


def test_concurrent_creates_with_one_key_make_one_transaction(app: psycopg.Connection[Any], db_url: str) -> None:
    customer, owner = new_user(app), new_user(app)
    store = new_store(app, owner)
    run = uuid.uuid4().hex

    def work(conn: psycopg.Connection[Any], round_no: int, worker: int) -> object:
        return pay(conn, key=f"{run}-{round_no}", store=store, customer=customer)

    for round_no, outcomes in enumerate(race(db_url, work)):
        assert all(isinstance(o, q.Transaction) for o in outcomes), outcomes
        ids = {o.id for o in outcomes if isinstance(o, q.Transaction)}
        assert len(ids) == 1, f"round {round_no}: {len(ids)} transactions"
    rows = app.execute(
        "select idempotency_key, count(*) from cocopay.transactions where store_id = %s group by 1", (store.id,)
    ).fetchall()
    assert sorted(rows) == sorted((f"{run}-{r}", 1) for r in range(ROUNDS))


def test_concurrent_creates_with_two_payloads_one_wins(app: psycopg.Connection[Any], db_url: str) -> None:
    """Half the workers send another amount under the same key: one payload wins the row, the
    workers with the winner's payload get it, every other worker gets IdempotencyConflict."""
    customer, owner = new_user(app), new_user(app)
    store = new_store(app, owner)
    run = uuid.uuid4().hex

    def work(conn: psycopg.Connection[Any], round_no: int, worker: int) -> object:
        return pay(conn, key=f"{run}-{round_no}", store=store, customer=customer, amount=10 + worker % 2)

    for outcomes in race(db_url, work):
        rows = [o for o in outcomes if isinstance(o, q.Transaction)]
        conflicts = [o for o in outcomes if isinstance(o, errors.IdempotencyConflict)]
        assert len(rows) == len(conflicts) == WORKERS // 2, Counter(type(o).__name__ for o in outcomes)
        assert len({r.id for r in rows}) == 1
        winner = rows[0].amount_usd
        assert all(10 + w % 2 == winner for w, o in enumerate(outcomes) if isinstance(o, q.Transaction))
        assert all(c.detail and c.detail.endswith("differs in: amount_usd") for c in conflicts)
    assert q.transaction_count_by_store(app, store_id=store.id) == ROUNDS


def test_transaction_confirm_and_fail(app: psycopg.Connection[Any], clock: Any) -> None:
    customer, owner = new_user(app), new_user(app)
    store = new_store(app, owner)
    clock.freeze(T0)
    tx = pay(app, key=f"k-{uuid.uuid4()}", store=store, customer=customer)
    assert tx.confirmation_code is not None

    wrong = "ZZZZZZ" if tx.confirmation_code != "ZZZZZZ" else "YYYYYY"
    with pytest.raises(errors.PreconditionFailed) as err:
        q.transaction_confirm(app, id=tx.id, confirmation_code=wrong, tx_hash=None, block_number=None)
    assert err.value.constraint == "transactions_confirmation_code_match"
    assert tx.confirmation_code not in (err.value.detail or "") + str(err.value)  # the code is not revealed

    tx_hash = "0x" + "ab" * 32
    clock.freeze(T0 + HOUR)
    confirmed = q.transaction_confirm(
        app, id=tx.id, confirmation_code=tx.confirmation_code.lower(), tx_hash=tx_hash, block_number=42
    )
    assert confirmed.status is q.TransactionStatus.CONFIRMED
    assert (confirmed.confirmed_at, confirmed.tx_hash, confirmed.block_number) == (T0 + HOUR, tx_hash, 42)
    assert q.transaction_get(app, id=tx.id) == confirmed

    with pytest.raises(errors.ForbiddenTransition) as forbidden:
        confirm(app, tx)
    exc = forbidden.value
    assert (exc.sqlstate, exc.rule, exc.constraint, exc.detail) == (
        "CD001",
        "forbidden_transition",
        "transactions_status_transition",
        "from=confirmed to=confirmed",
    )
    with pytest.raises(errors.ForbiddenTransition) as forbidden:
        q.transaction_fail(app, id=tx.id, error_code="LATE", error_message=None)
    assert forbidden.value.detail == "from=confirmed to=failed"
    assert forbidden.value.constraint == "transactions_status_transition"

    clock.freeze(T0 + 2 * HOUR)  # newer than the first: the store's list is newest first
    other = pay(app, key=None, store=store, customer=customer, amount=5)
    failed = q.transaction_fail(app, id=other.id, error_code="AA21", error_message="bundler rejected")
    assert (failed.status, failed.error_code, failed.error_message, failed.confirmed_at) == (
        q.TransactionStatus.FAILED,
        "AA21",
        "bundler rejected",
        None,
    )
    with pytest.raises(errors.ForbiddenTransition) as forbidden:
        confirm(app, failed)
    assert forbidden.value.detail == "from=failed to=confirmed"
    with pytest.raises(errors.NotFound) as missing:
        q.transaction_fail(app, id=uuid.uuid4(), error_code="X", error_message=None)
    assert missing.value.table == "transactions"
    with pytest.raises(errors.NotFound):
        q.transaction_confirm(
            app, id=uuid.uuid4(), confirmation_code="ABCDEF", tx_hash=None, block_number=None
        )
    assert q.transaction_get(app, id=uuid.uuid4()) is None

    newest_first = q.transaction_list_by_store(app, store_id=store.id, max_rows=10)
    assert [t.id for t in newest_first] == [failed.id, confirmed.id]
    assert [t.id for t in q.transaction_list_by_store_iter(app, store_id=store.id, max_rows=1)] == [failed.id]

    with pytest.raises(errors.CheckViolation) as check:
        pay(app, key=None, store=store, customer=customer, amount=0)
    assert check.value.constraint == "transactions_payment_amount_usd_check"
    bonus = pay(app, key=None, store=None, customer=customer, amount=0, kind=q.TransactionType.BONUS_CLAIM)
    assert bonus.amount_usd == 0


# -- payouts -------------------------------------------------------------------------------


def test_payouts(app: psycopg.Connection[Any], clock: Any) -> None:
    owner, stranger = new_user(app), new_user(app)
    store = new_store(app, owner)
    clock.freeze(T0)

    def request(by: q.User, amount: int = 100, **kw: Any) -> q.Payout:
        args: dict[str, Any] = {"payout_type": q.PayoutType.PIX, "destination": {"pix_key": "ana@pix"}}
        args.update(kw)
        return q.payout_request(
            app, store_id=store.id, requested_by=by.id, amount_usd=amount, fee_usd=None, **args
        )

    with pytest.raises(errors.PreconditionFailed) as err:
        request(stranger)
    assert err.value.constraint == "payouts_requested_by_manager"
    with pytest.raises(errors.CheckViolation) as check:
        request(owner, amount=0)
    assert check.value.constraint == "payouts_amount_usd_check"
    with pytest.raises(errors.CheckViolation) as check:
        request(owner, payout_type=q.PayoutType.WALLET)
    assert check.value.constraint == "payouts_destination_check"

    payout = request(owner)
    assert isinstance(payout, q.Payout)
    assert (payout.status, payout.fee_usd, payout.created_at, payout.processed_at) == (
        q.PayoutStatus.PENDING,
        Decimal(0),
        T0,
        None,
    )
    assert payout.destination == {"pix_key": "ana@pix"}
    with pytest.raises(errors.ForbiddenTransition) as forbidden:
        q.payout_complete(app, id=payout.id, external_id=None)
    assert forbidden.value.detail == "from=pending to=completed"
    assert forbidden.value.constraint == "payouts_status_transition"

    started = q.payout_start(app, id=payout.id, external_id="E2E-1")
    assert (started.status, started.external_id) == (q.PayoutStatus.PROCESSING, "E2E-1")
    with pytest.raises(errors.ForbiddenTransition) as forbidden:
        q.payout_start(app, id=payout.id, external_id=None)
    assert forbidden.value.detail == "from=processing to=processing"
    assert q.payout_list_open(app, max_rows=10) == [started]

    clock.freeze(T0 + HOUR)
    done = q.payout_complete(app, id=payout.id, external_id=None)
    assert (done.status, done.processed_at, done.external_id) == (q.PayoutStatus.COMPLETED, T0 + HOUR, "E2E-1")
    with pytest.raises(errors.ForbiddenTransition) as forbidden:
        q.payout_fail(app, id=payout.id, error_message="late")
    assert forbidden.value.detail == "from=completed to=failed"

    rejected = request(owner, amount=50, payout_type=q.PayoutType.BANK, destination={"bank_account": {"n": 1}})
    clock.freeze(T0 + DAY)
    failed = q.payout_fail(app, id=rejected.id, error_message="invalid account")
    assert (failed.status, failed.processed_at, failed.error_message) == (
        q.PayoutStatus.FAILED,
        T0 + DAY,
        "invalid account",
    )
    assert q.payout_get(app, id=payout.id) == done
    assert q.payout_get(app, id=uuid.uuid4()) is None
    assert {p.id for p in q.payout_list_by_store(app, store_id=store.id)} == {done.id, failed.id}
    assert q.payout_list_open(app, max_rows=10) == []
    with pytest.raises(errors.NotFound):
        q.payout_start(app, id=uuid.uuid4(), external_id=None)


# -- daily stats ---------------------------------------------------------------------------

LIVE_AGGREGATE = """
    select store_id, date(created_at at time zone 'UTC') as date, count(*) as transaction_count,
           sum(amount_usd) as revenue_usd, count(distinct from_user_id) as unique_customers,
           avg(amount_usd) as avg_transaction_usd
      from cocopay.transactions
     where type = 'payment' and status = 'confirmed' and store_id = %s
     group by 1, 2 order by 2
"""


def test_daily_stats_equal_the_live_aggregate_after_refresh(
    app: psycopg.Connection[Any], conn: Any, clock: Any
) -> None:
    owner, c1, c2 = new_user(app), new_user(app), new_user(app)
    store, other = new_store(app, owner), new_store(app, owner)
    day1, day2 = T0, T0 + DAY
    for customer, amount, when in [(c1, "10.00", day1), (c2, "20.00", day1), (c2, "3.50", day2)]:
        clock.freeze(when)
        confirm(app, pay(app, key=None, store=store, customer=customer, amount=Decimal(amount)))
    clock.freeze(day1)
    pay(app, key=None, store=store, customer=c1, amount=5)  # pending: not counted
    confirm(app, pay(app, key=None, store=store, customer=c1, amount=9, kind=q.TransactionType.RECEIVED))
    confirm(app, pay(app, key=None, store=other, customer=c1, amount=100))  # another store
    clock.freeze(day2)
    failed = pay(app, key=None, store=store, customer=c1, amount=7)
    q.transaction_fail(app, id=failed.id, error_code="X", error_message=None)  # failed: not counted

    assert q.store_daily_stats_get(app, store_id=store.id, date=day1.date()) is None  # not refreshed yet
    q.store_daily_stats_refresh(app)

    stats = q.store_daily_stats_list(app, store_id=store.id, from_date=day1.date() - DAY, to_date=day2.date() + DAY)
    live = conn.execute(LIVE_AGGREGATE, (store.id,)).fetchall()
    assert [tuple(r.model_dump().values()) for r in stats] == [tuple(r) for r in live]
    assert [(s.date, s.transaction_count, s.revenue_usd, s.unique_customers) for s in stats] == [
        (day1.date(), 2, Decimal("30.00"), 2),
        (day2.date(), 1, Decimal("3.50"), 1),
    ]
    assert stats[0].avg_transaction_usd == Decimal(15)
    one = q.store_daily_stats_get(app, store_id=other.id, date=day1.date())
    assert one is not None and (one.transaction_count, one.revenue_usd) == (1, Decimal(100))
    assert q.store_daily_stats_list(app, store_id=store.id, from_date=day2.date(), to_date=day2.date()) == stats[1:]

    confirm(app, pay(app, key=None, store=store, customer=c1, amount=1))  # the clock is still at day2
    assert q.store_daily_stats_list(app, store_id=store.id, from_date=day1.date(), to_date=day2.date()) == stats
    q.store_daily_stats_refresh(app)
    again = q.store_daily_stats_list(app, store_id=store.id, from_date=day1.date(), to_date=day2.date())
    assert [tuple(r.model_dump().values()) for r in again] == [
        tuple(r) for r in conn.execute(LIVE_AGGREGATE, (store.id,)).fetchall()
    ]
    assert again[1].revenue_usd == Decimal("4.50") and again[1].unique_customers == 2


# -- flags, audit, analytics ----------------------------------------------------------------


def test_feature_flags(app: psycopg.Connection[Any]) -> None:
    flag = q.feature_flag_upsert(app, name="loans", description="REVLoans", enabled=True, rules=None)
    assert isinstance(flag, q.FeatureFlag) and flag.enabled and flag.rules == []
    rules = [{"type": "percentage", "value": 10}]
    changed = q.feature_flag_upsert(app, name="loans", description=None, enabled=False, rules=rules)
    assert changed.id == flag.id and not changed.enabled and changed.rules == rules and changed.description is None
    assert changed.updated_at >= flag.updated_at
    q.feature_flag_upsert(app, name="pix", description=None, enabled=True, rules=[])
    q.feature_flag_upsert(app, name="bonus", description=None, enabled=True, rules=[])
    assert q.feature_flag_get(app, name="loans") == changed
    assert q.feature_flag_get(app, name="nope") is None
    assert [f.name for f in q.feature_flag_list_enabled(app)] == ["bonus", "pix"]
    with pytest.raises(errors.CheckViolation) as err:
        q.feature_flag_upsert(app, name="bad", description=None, enabled=True, rules={"not": "an array"})
    assert err.value.constraint == "feature_flags_rules_check"


def test_audit_logs(app: psycopg.Connection[Any], clock: Any) -> None:
    user = new_user(app)
    store = new_store(app, user)
    entries = []
    for n, (action, old, new) in enumerate([("create", None, {"name": "A"}), ("rename", {"name": "A"}, {"name": "B"})]):
        clock.freeze(T0 + n * HOUR)
        entries.append(
            q.audit_log_append(
                app,
                user_id=user.id,
                ip_address=ipaddress.ip_address("2001:db8::1"),
                user_agent="CocoPay/1.0",
                action=action,
                resource_type="store",
                resource_id=store.id,
                old_values=old,
                new_values=new,
                metadata=None,
            )
        )
    assert all(isinstance(e, q.AuditLog) for e in entries)
    assert entries[1].old_values == {"name": "A"} and entries[1].ip_address == ipaddress.ip_address("2001:db8::1")
    system = q.audit_log_append(
        app,
        user_id=None,
        ip_address=None,
        user_agent=None,
        action="cron",
        resource_type=None,
        resource_id=None,
        old_values=None,
        new_values=None,
        metadata={"job": "daily_stats"},
    )
    assert system.user_id is None and system.metadata == {"job": "daily_stats"}
    assert q.audit_log_list_by_resource(app, resource_type="store", resource_id=store.id) == entries
    assert q.audit_log_list_by_user(app, user_id=user.id, max_rows=1) == [entries[1]]
    with pytest.raises(errors.CheckViolation) as err:
        q.audit_log_append(
            app,
            user_id=None,
            ip_address=None,
            user_agent=None,
            action="x",
            resource_type=None,
            resource_id=store.id,
            old_values=None,
            new_values=None,
            metadata=None,
        )
    assert err.value.constraint == "audit_logs_resource_check"
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # append-only for the app (raw SQL: psycopg)
        app.execute("update cocopay.audit_logs set action = 'tampered'")


def test_analytics_events_in_bulk(app: psycopg.Connection[Any]) -> None:
    user = new_user(app)
    session_id = uuid.uuid4()

    def events(n: int, name: str) -> Iterator[q.AnalyticsEventAppendManyParams]:
        for i in range(n):
            yield {
                "event_name": name,
                "properties": {"i": i, "screen": "pay"},
                "user_id": user.id if i % 2 == 0 else None,
                "session_id": session_id,
                "device_id": f"device-{i % 3}",
                "ip_address": "198.51.100.1",
                "user_agent": None,
            }

    assert q.analytics_event_append_many(app, events(1000, "screen_view")) == 1000
    assert q.analytics_event_count_by_name(app, event_name="screen_view") == 1000
    assert q.analytics_event_count_by_name(app, event_name="other") == 0
    latest = q.analytics_event_list_by_user(app, user_id=user.id, max_rows=5)
    assert len(latest) == 5 and all(e.user_id == user.id and e.session_id == session_id for e in latest)
    assert all(isinstance(e, q.AnalyticsEvent) and e.properties["screen"] == "pay" for e in latest)
    with pytest.raises(errors.CheckViolation) as err:
        q.analytics_event_append_many(app, [{**next(events(1, "x")), "properties": [1, 2]}])
    assert err.value.constraint == "analytics_events_properties_check"

    # all rows or none: a bad row refused by the database, or by the driver (a NUL byte), after
    # good rows were sent, leaves none of the batch behind
    good = list(events(3, "batch"))
    for bad in ({**good[0], "properties": [1]}, {**good[0], "user_agent": "nul \x00"}):
        with pytest.raises(errors.DatabaseError):
            q.analytics_event_append_many(app, [*good, bad])
        assert q.analytics_event_count_by_name(app, event_name="batch") == 0
    with app.transaction(), pytest.raises(errors.DataError):  # inside the caller's transaction: a savepoint
        q.analytics_event_append_many(app, [*good, {**good[0], "user_agent": "nul \x00"}])
    assert q.analytics_event_count_by_name(app, event_name="batch") == 0


# -- async ---------------------------------------------------------------------------------


def test_async_flow(app: psycopg.Connection[Any], db_url: str) -> None:
    """The main write path through the ``_async`` functions, error mapping included."""

    async def main() -> None:
        async with await db.async_connect(db_url, role=APP_ROLE, autocommit=True) as aconn:
            owner = await q.user_get_or_create_by_phone_async(aconn, phone=new_phone(), name="A", locale=None)
            customer = await q.user_get_or_create_by_phone_async(
                aconn, phone=new_phone(), name=None, locale="en"
            )
            assert await q.user_get_async(aconn, id=owner.id) == owner
            store = await q.store_create_async(
                aconn,
                owner_id=owner.id,
                name="Async Store",
                symbol="ASYN",
                short_code="ASYNC1",
                category=None,
                description=None,
                latitude=None,
                longitude=None,
                address=None,
                website=None,
                instagram=None,
                qr_code_url=None,
            )
            staff = await q.user_get_or_create_by_phone_async(
                aconn, phone=new_phone(), name=None, locale=None
            )
            await q.store_member_invite_async(
                aconn, store_id=store.id, user_id=staff.id, role=q.StoreRole.STAFF, invited_by=owner.id
            )
            member = await q.store_member_accept_async(aconn, store_id=store.id, user_id=staff.id)
            assert member.accepted_at is not None
            account = await get_or_create_smart_account_async(
                aconn, user_id=customer.id, chain_id=q.ChainId.V_84532, owner_address="0x" + "11" * 20
            )
            assert account.chain_id is q.ChainId.V_84532

            args: dict[str, Any] = {
                "idempotency_key": f"async-{uuid.uuid4()}",
                "type": q.TransactionType.PAYMENT,
                "amount_usd": Decimal("7.25"),
                "chain_id": q.ChainId.V_8453,
                "from_user_id": customer.id,
                "to_user_id": None,
                "store_id": store.id,
                "tokens_used": None,
                "rewards_earned": {"token_address": USDC, "amount": "1"},
                "bundle_id": "bundle-1",
            }
            tx = await q.transaction_create_async(aconn, **args)
            assert await q.transaction_create_async(aconn, **args) == tx
            with pytest.raises(errors.IdempotencyConflict) as err:
                await q.transaction_create_async(aconn, **{**args, "bundle_id": "bundle-2"})
            assert err.value.sqlstate == "CD002" and err.value.detail is not None
            assert args["idempotency_key"] in err.value.detail
            assert await q.transaction_count_by_store_async(aconn, store_id=store.id) == 1
            assert tx.confirmation_code is not None
            done = await q.transaction_confirm_async(
                aconn, id=tx.id, confirmation_code=tx.confirmation_code, tx_hash=None, block_number=None
            )
            assert done.status is q.TransactionStatus.CONFIRMED
            with pytest.raises(errors.ForbiddenTransition) as forbidden:
                await q.transaction_fail_async(aconn, id=tx.id, error_code="X", error_message=None)
            assert forbidden.value.constraint == "transactions_status_transition"
            assert [
                t.id async for t in q.transaction_list_by_store_iter_async(aconn, store_id=store.id, max_rows=5)
            ] == [tx.id]

            await q.store_daily_stats_refresh_async(aconn)
            day = done.created_at.astimezone(UTC).date()
            stats = await q.store_daily_stats_list_async(aconn, store_id=store.id, from_date=day, to_date=day)
            assert [(s.transaction_count, s.revenue_usd) for s in stats] == [(1, Decimal("7.25"))]

            payout = await q.payout_request_async(
                aconn,
                store_id=store.id,
                requested_by=owner.id,
                amount_usd=5,
                payout_type=q.PayoutType.WALLET,
                destination={"wallet_address": "0x" + "22" * 20},
                fee_usd=Decimal("0.10"),
            )
            await q.payout_start_async(aconn, id=payout.id, external_id=None)
            completed = await q.payout_complete_async(aconn, id=payout.id, external_id="0x" + "33" * 32)
            assert completed.status is q.PayoutStatus.COMPLETED and completed.processed_at is not None

            synced = await q.token_balance_sync_async(
                aconn,
                user_id=customer.id,
                chain_id=q.ChainId.V_8453,
                token_address=USDC,
                store_id=None,
                balance=5,
                balance_usd=5,
                block_number=10,
            )
            stale = await q.token_balance_sync_async(
                aconn,
                user_id=customer.id,
                chain_id=q.ChainId.V_8453,
                token_address=USDC,
                store_id=None,
                balance=1,
                balance_usd=1,
                block_number=9,
            )
            assert synced is not None and stale is None
            passkey = await q.passkey_register_async(
                aconn,
                user_id=customer.id,
                credential_id=uuid.uuid4().hex,
                public_key=b"\x01",
                sign_count=3,
                derived_address=None,
                device_name=None,
            )
            with pytest.raises(errors.CounterRegression):
                await q.passkey_use_async(aconn, credential_id=passkey.credential_id, sign_count=2)
            written = await q.analytics_event_append_many_async(
                aconn,
                [
                    {
                        "event_name": "async",
                        "properties": {},
                        "user_id": customer.id,
                        "session_id": None,
                        "device_id": None,
                        "ip_address": None,
                        "user_agent": None,
                    }
                ]
                * 3,
            )
            assert written == 3
            flag = await q.feature_flag_upsert_async(aconn, name="async", description=None, enabled=True, rules=None)
            assert await q.feature_flag_get_async(aconn, name="async") == flag

    asyncio.run(main())
