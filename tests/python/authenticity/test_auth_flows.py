"""The authenticity flows through the generated functions (``chaindb.authenticity.queries``).

Run as ``chaindb_app``, the role applications log in as, so every query is also proven to need
no more than the app's grants. Results are pydantic models, enums ``StrEnum``s, and the rules
surface as ``chaindb.errors`` exceptions carrying the SQLSTATE and the constraint's name.
One test walks the main flow with the ``_async`` twins on ``psycopg.AsyncConnection``s.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from chaindb import db, errors
from chaindb.admin import APP_ROLE
from chaindb.authenticity import packs
from chaindb.authenticity import queries as q
from chaindb.chain import solana


def test_manufacturer_to_verified_code(
    app: psycopg.Connection[Any], key: bytes, sig: Callable[[], str], clock: Any
) -> None:
    c = app
    m = q.manufacturer_create(c, name="Acme", hmac_kms_key_id="arn:aws:kms:eu-west-1:111122223333:key/acme")
    assert isinstance(m, q.Manufacturer) and m.status is q.ManufacturerStatus.ACTIVE
    assert q.manufacturer_get_by_name(c, name="Acme") == m
    assert q.manufacturer_get_by_name(c, name="Nobody") is None
    s = q.sku_create(
        c, manufacturer_id=m.id, sku_code="ANV-1", sku_name="Anvil", sku_hash=hashlib.sha256(b"ANV-1").digest()
    )
    assert [r.id for r in q.sku_list_by_manufacturer(c, manufacturer_id=m.id)] == [s.id]
    assert q.sku_get_by_code(c, manufacturer_id=m.id, sku_code="ANV-1") == s
    assert q.sku_get_by_code(c, manufacturer_id=m.id, sku_code="ANV-2") is None

    b = q.batch_create(
        c,
        manufacturer_id=m.id,
        sku_id=s.id,
        batch_public_id="ACME-2025-01",
        batch_label="Spring run",
        expiry_date=None,
        reward_usd_target=None,
        onchain_batch_pubkey=None,
    )
    assert (b.status, b.reward_usd_target, b.activated_at) == (q.BatchStatus.CREATED, Decimal("0.10"), None)
    with_pubkey = q.batch_set_onchain_pubkey(c, id=b.id, onchain_batch_pubkey=solana.code_pda(bytes(32)))
    assert with_pubkey is not None and with_pubkey.onchain_batch_pubkey == solana.code_pda(bytes(32))
    activated_at = datetime(2030, 1, 1, 9, tzinfo=UTC)
    clock.freeze(activated_at)
    b = q.batch_activate(c, id=b.id, tx_signature=sig())
    assert (b.status, b.activated_at) == (q.BatchStatus.ACTIVE, activated_at)  # the database's clock
    clock.offset(timedelta(0))
    by_public_id = q.batch_get_by_public_id(c, batch_public_id="ACME-2025-01")
    assert by_public_id is not None and by_public_id.id == b.id

    p = q.code_pack_create(
        c, batch_id=b.id, pack_id="PK-0001", quantity=40, download_expires_at=datetime.now(UTC) + timedelta(days=1)
    )
    assert p.status == q.CodePackStatus.GENERATING
    packs.generate_pack(c, p.id, key, workers=1)
    got = q.code_pack_get(c, id=p.id)
    assert got is not None and got.status == q.CodePackStatus.READY
    assert q.code_pack_list_by_batch(c, batch_id=b.id)[0].code_count == 40

    p = q.code_pack_download(c, id=p.id)
    assert (p.status, p.download_count) == (q.CodePackStatus.DOWNLOADED, 1)
    printed = []
    for row in q.code_pack_codes(c, id=p.id):
        assert row.code_plaintext is not None
        code = packs.decrypt_code(key, row.code_plaintext, row.commitment)
        printed.append(packs.printed_qr(row.qr_payload, code))
    assert len(printed) == 40
    assert q.code_count_by_pack(c, pack_id=p.id) == q.CodeCountByPackRow(total=40, with_plaintext=40)
    p = q.code_pack_confirm_print(c, id=p.id)
    assert p.status == q.CodePackStatus.PRINT_CONFIRMED and p.plaintext_purged_at == p.print_confirmed_at
    counted = q.code_count_by_pack(c, pack_id=p.id)
    assert (counted.total, counted.with_plaintext) == (40, 0)

    alice = q.user_create(c, email="Alice@Example.com", privy_user_id="did:privy:alice")
    by_email = q.user_get_by_email(c, email="alice@example.COM")
    assert by_email is not None and by_email.id == alice.id
    assert q.user_get(c, id=alice.id) == alice
    assert q.user_get(c, id=uuid.uuid4()) is None
    early = q.user_wallet_link(c, user_id=alice.id, wallet_pubkey=solana.code_pda(b"\1" * 32))
    assert early.created_after_first_success is False
    bob = q.user_create(c, email="bob@example.com", privy_user_id=None)
    assert bob.privy_user_id is None
    linked = q.user_set_privy_user_id(c, id=bob.id, privy_user_id="did:privy:bob")
    assert linked is not None and linked.privy_user_id == "did:privy:bob"
    by_privy = q.user_get_by_privy_user_id(c, privy_user_id="did:privy:bob")
    assert by_privy is not None and by_privy.id == bob.id

    # a consumer scans the first QR; another scans a copy of it at the same time
    batch_public_id, pda, code = packs.parse_printed_qr(printed[0])
    commitment = packs.commitment(batch_public_id, code)
    looked_up = q.code_get_by_commitment(c, commitment=commitment)
    assert looked_up is not None
    assert (looked_up.onchain_code_pda, looked_up.batch_status) == (pda, q.BatchStatus.ACTIVE)
    by_pda = q.code_get_by_pda(c, onchain_code_pda=pda)
    assert by_pda is not None and by_pda.commitment == commitment
    first = q.verify_intent_issue(
        c, commitment=commitment, reward_lamports=1_000_000, ttl=None, verify_intent_id=None
    )
    q.verify_intent_issue(
        c,
        commitment=commitment,
        reward_lamports=1_000_000,
        ttl=timedelta(minutes=1),
        verify_intent_id="copy-scan",
    )
    assert first.status == q.VerifyIntentStatus.ISSUED and first.verify_intent_id.startswith("vi_")
    assert first.expires_at - first.created_at == timedelta(minutes=5)  # ttl NULL: 5 minutes
    assert len(q.verify_intent_list_open(c, commitment=commitment)) == 2

    v = q.verification_confirm(
        c, verify_intent_id=first.verify_intent_id, user_id=alice.id, tx_signature=sig()
    )
    assert (v.result, v.reward_lamports, v.code_pda) == (q.VerificationResult.SUCCESS, 1_000_000, pda)
    lost = q.verification_confirm(c, verify_intent_id="copy-scan", user_id=bob.id, tx_signature=sig())
    assert (lost.result, lost.reward_lamports, lost.failure_reason) == (
        q.VerificationResult.FAIL,
        0,
        "ALREADY_VERIFIED",
    )
    copy_intent = q.verify_intent_get(c, verify_intent_id="copy-scan")
    assert copy_intent is not None and copy_intent.status == q.VerifyIntentStatus.FAILED
    with pytest.raises(errors.PreconditionFailed) as refused:
        q.verify_intent_issue(c, commitment=commitment, reward_lamports=1, ttl=None, verify_intent_id=None)
    assert (refused.value.sqlstate, refused.value.constraint) == ("CD007", "verify_intents_code_unverified")
    with pytest.raises(errors.ForbiddenTransition) as settled:
        q.verification_confirm(c, verify_intent_id=first.verify_intent_id, user_id=bob.id, tx_signature=sig())
    assert (settled.value.sqlstate, settled.value.constraint) == ("CD001", "verify_intents_status_transition")

    success = q.verification_get_success(c, commitment=commitment)
    assert success is not None and success.user_id == alice.id
    assert [r.result for r in q.verification_list_by_commitment(c, commitment=commitment)] == [
        q.VerificationResult.SUCCESS,
        q.VerificationResult.FAIL,
    ]
    history = q.verification_list_by_user(c, user_id=alice.id)
    assert [(r.result, r.batch_public_id) for r in history] == [(q.VerificationResult.SUCCESS, "ACME-2025-01")]
    assert q.verification_reward_total_by_user(c, user_id=alice.id) == 1_000_000
    assert q.verification_reward_total_by_user(c, user_id=bob.id) == 0
    late = q.user_wallet_link(c, user_id=alice.id, wallet_pubkey=solana.code_pda(b"\2" * 32))
    assert late.created_after_first_success is True
    assert [w.wallet_pubkey for w in q.user_wallet_list(c, user_id=alice.id)] == [
        early.wallet_pubkey,
        late.wallet_pubkey,
    ]
    wallet = q.user_wallet_get_by_pubkey(c, wallet_pubkey=late.wallet_pubkey)
    assert wallet is not None and wallet.user_id == alice.id

    # a chain failure, then expiry
    _, _, code2 = packs.parse_printed_qr(printed[1])
    c2 = packs.commitment(batch_public_id, code2)
    failing = q.verify_intent_issue(c, commitment=c2, reward_lamports=5, ttl=None, verify_intent_id=None)
    f = q.verification_fail(
        c,
        verify_intent_id=failing.verify_intent_id,
        user_id=bob.id,
        tx_signature=sig(),
        failure_reason="chain: blockhash not found",
    )
    assert (f.result, f.failure_reason) == (q.VerificationResult.FAIL, "chain: blockhash not found")
    q.verify_intent_issue(c, commitment=c2, reward_lamports=5, ttl=None, verify_intent_id="stale")
    assert q.verify_intent_expire(c) == 0  # not yet: 5 minutes to go
    clock.offset(timedelta(hours=1))
    assert q.verify_intent_expire(c) == 1
    clock.offset(timedelta(0))
    stale = q.verify_intent_get(c, verify_intent_id="stale")
    assert stale is not None and stale.status == q.VerifyIntentStatus.EXPIRED

    # pausing stops verification; closing is final
    assert q.batch_pause(c, id=b.id).status == q.BatchStatus.PAUSED
    with pytest.raises(errors.PreconditionFailed) as paused:
        q.verify_intent_issue(c, commitment=c2, reward_lamports=5, ttl=None, verify_intent_id=None)
    assert (paused.value.sqlstate, paused.value.constraint) == ("CD007", "verify_intents_batch_active")
    assert q.batch_resume(c, id=b.id).status == q.BatchStatus.ACTIVE
    assert q.batch_close(c, id=b.id).status == q.BatchStatus.CLOSED
    with pytest.raises(errors.ForbiddenTransition) as closed:
        q.batch_resume(c, id=b.id)
    assert closed.value.sqlstate == "CD001"
    assert [r.status for r in q.batch_list_by_manufacturer(c, manufacturer_id=m.id)] == [q.BatchStatus.CLOSED]

    # manufacturer management
    suspended = q.manufacturer_set_status(c, id=m.id, status=q.ManufacturerStatus.SUSPENDED)
    assert suspended is not None and suspended.status == "suspended"
    got_m = q.manufacturer_get(c, id=m.id)
    assert got_m is not None and got_m.name == "Acme"
    assert [r.name for r in q.manufacturer_list(c)] == ["Acme"]
    got_s = q.sku_get(c, id=s.id)
    assert got_s is not None and got_s.sku_code == "ANV-1"
    got_b = q.batch_get(c, id=b.id)
    assert got_b is not None and got_b.activated_at == activated_at
    got_p = q.code_pack_get_by_pack_id(c, pack_id="PK-0001")
    assert got_p is not None and got_p.download_count == 1
    page = q.code_list_by_pack(c, pack_id=p.id, after_id=None, max_rows=25)
    rest = q.code_list_by_pack(c, pack_id=p.id, after_id=page[-1].id, max_rows=25)
    assert len(page) == 25 and len(rest) == 15 and "code_plaintext" not in q.CodeListByPackRow.model_fields
    assert [r.id for r in q.code_list_by_pack_iter(c, pack_id=p.id, after_id=None, max_rows=100)] == [
        r.id for r in page + rest
    ]


def test_rule_functions_raise_rather_than_return_no_row(app: psycopg.Connection[Any], sig: Callable[[], str]) -> None:
    """The @one functions over rule functions: a missing target is CD005, never a silent None."""
    missing = uuid.uuid4()
    for call in (
        lambda: q.batch_activate(app, id=missing, tx_signature=sig()),
        lambda: q.batch_pause(app, id=missing),
        lambda: q.batch_resume(app, id=missing),
        lambda: q.batch_close(app, id=missing),
        lambda: q.code_pack_mark_ready(app, id=missing),
        lambda: q.code_pack_download(app, id=missing),
        lambda: q.code_pack_confirm_print(app, id=missing),
        lambda: q.verify_intent_issue(
            app, commitment=bytes(32), reward_lamports=1, ttl=None, verify_intent_id=None
        ),
        lambda: q.verification_confirm(
            app, verify_intent_id="vi_missing", user_id=missing, tx_signature=sig()
        ),
        lambda: q.verification_fail(
            app, verify_intent_id="vi_missing", user_id=missing, tx_signature=sig(), failure_reason="x"
        ),
    ):
        with pytest.raises(errors.NotFound) as caught:
            call()
        assert caught.value.sqlstate == "CD005"
    # the writes without a target row answer None; the aggregates always answer a row
    assert q.batch_set_onchain_pubkey(app, id=missing, onchain_batch_pubkey=solana.code_pda(bytes(32))) is None
    assert q.manufacturer_set_status(app, id=missing, status=q.ManufacturerStatus.ACTIVE) is None
    assert q.user_set_privy_user_id(app, id=missing, privy_user_id=None) is None
    assert q.code_count_by_pack(app, pack_id=missing) == q.CodeCountByPackRow(total=0, with_plaintext=0)
    assert q.verify_intent_expire(app) == 0


def test_pack_download_rules(app: psycopg.Connection[Any], batch: Any, key: bytes, clock: Any) -> None:
    c = app
    deadline = datetime(2030, 1, 1, tzinfo=UTC)
    p = q.code_pack_create(c, batch_id=batch.id, pack_id="PK-DL", quantity=3, download_expires_at=deadline)
    with pytest.raises(errors.PreconditionFailed) as caught:
        q.code_pack_download(c, id=p.id)
    assert (caught.value.sqlstate, caught.value.constraint) == ("CD007", "code_packs_downloadable")
    with pytest.raises(errors.ForbiddenTransition) as forbidden:
        q.code_pack_confirm_print(c, id=p.id)
    assert forbidden.value.sqlstate == "CD001"
    packs.generate_pack(c, p.id, key, workers=1, mark_ready=False)
    assert q.code_pack_mark_ready(c, id=p.id).status == q.CodePackStatus.READY
    clock.freeze(deadline)
    with pytest.raises(errors.Expired) as expired:
        q.code_pack_download(c, id=p.id)
    assert (expired.value.sqlstate, expired.value.constraint) == ("CD006", "code_packs_download_expired")
    clock.freeze(deadline - timedelta(hours=2))
    first = q.code_pack_download(c, id=p.id)
    clock.freeze(deadline - timedelta(hours=1))
    second = q.code_pack_download(c, id=p.id)
    assert (first.download_count, second.download_count) == (1, 2)
    assert second.downloaded_at == deadline - timedelta(hours=2)
    clock.freeze(deadline)
    confirmed = q.code_pack_confirm_print(c, id=p.id)
    assert confirmed.print_confirmed_at == deadline
    clock.freeze(deadline - timedelta(hours=1))
    with pytest.raises(errors.PreconditionFailed) as after:
        q.code_pack_download(c, id=p.id)
    assert after.value.sqlstate == "CD007"


def test_treasury_refills(app: psycopg.Connection[Any], sig: Callable[[], str]) -> None:
    c = app
    route = {"inputMint": "2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo", "outAmount": "150000000", "routePlan": []}
    tx = sig()
    op = q.treasury_op_record_refill_swap(
        c, pyusd_in=25_000_000, sol_out_lamports=150_000_000, jupiter_route=route, tx_signature=tx
    )
    assert (op.type, op.jupiter_route) == (q.TreasuryOpType.REFILL_SWAP, route)
    found = q.treasury_op_get_by_tx_signature(c, tx_signature=tx)
    assert found is not None and found.id == op.id
    since = op.created_at
    q.treasury_op_record_refill_swap(c, pyusd_in=1, sol_out_lamports=2, jupiter_route={}, tx_signature=sig())
    assert [r.pyusd_in for r in q.treasury_op_list_recent(c, max_rows=10)] == [1, 25_000_000]
    assert q.treasury_op_totals(c, since=None) == q.TreasuryOpTotalsRow(
        operations=2, pyusd_in=25_000_001, sol_out_lamports=150_000_002
    )
    later = q.treasury_op_totals(c, since=since + timedelta(microseconds=1))
    assert (later.operations, later.pyusd_in) == (1, 1)
    with pytest.raises(errors.CheckViolation) as zero:
        q.treasury_op_record_refill_swap(c, pyusd_in=0, sol_out_lamports=2, jupiter_route={}, tx_signature=sig())
    assert (zero.value.sqlstate, zero.value.constraint) == ("23514", "treasury_ops_pyusd_in_check")
    with pytest.raises(errors.CheckViolation) as array:
        q.treasury_op_record_refill_swap(c, pyusd_in=1, sol_out_lamports=2, jupiter_route=[], tx_signature=sig())
    assert (array.value.sqlstate, array.value.constraint) == ("23514", "treasury_ops_jupiter_route_check")
    with pytest.raises(errors.UniqueViolation) as dup:
        q.treasury_op_record_refill_swap(c, pyusd_in=1, sol_out_lamports=2, jupiter_route={}, tx_signature=tx)
    assert (dup.value.sqlstate, dup.value.constraint) == ("23505", "treasury_ops_tx_signature_key")


# -- the main flow, async ------------------------------------------------------------------


def test_main_flow_async(db_url: str, key: bytes, sig: Callable[[], str]) -> None:
    """Batch → pack → print → verify through the ``_async`` functions; two confirmations of one
    code race on two connections (asyncio.gather): exactly one SUCCESS."""

    async def main() -> None:
        async with (
            await db.async_connect(db_url, role=APP_ROLE, autocommit=True) as a,
            await db.async_connect(db_url, role=APP_ROLE, autocommit=True) as b,
        ):
            assert isinstance(a, psycopg.AsyncConnection)
            m = await q.manufacturer_create_async(a, name="Async Acme", hmac_kms_key_id="alias/async-acme")
            s = await q.sku_create_async(
                a, manufacturer_id=m.id, sku_code="AS-1", sku_name="Anvil", sku_hash=hashlib.sha256(b"AS-1").digest()
            )
            batch = await q.batch_create_async(
                a,
                manufacturer_id=m.id,
                sku_id=s.id,
                batch_public_id="ASYNC-1",
                batch_label="Async run",
                expiry_date=None,
                reward_usd_target=Decimal("0.25"),
                onchain_batch_pubkey=None,
            )
            batch = await q.batch_activate_async(a, id=batch.id, tx_signature=sig())
            assert batch.status is q.BatchStatus.ACTIVE and batch.activated_at is not None
            pack = await q.code_pack_create_async(
                a, batch_id=batch.id, pack_id="ASYNC-P1", quantity=5, download_expires_at=None
            )
            # bulk generation is sync by design (COPY from worker processes): run it off the loop
            with psycopg.connect(db_url, autocommit=True) as sync_conn:
                await asyncio.to_thread(packs.generate_pack, sync_conn, pack.id, key, workers=1)
            pack = await q.code_pack_download_async(a, id=pack.id)
            assert pack.status is q.CodePackStatus.DOWNLOADED
            codes: list[tuple[bytes, str]] = []
            async for row in q.code_pack_codes_iter_async(a, id=pack.id):
                assert row.code_plaintext is not None
                codes.append((row.commitment, packs.decrypt_code(key, row.code_plaintext, row.commitment)))
            assert len(codes) == 5
            before = await q.code_count_by_pack_async(a, pack_id=pack.id)
            pack = await q.code_pack_confirm_print_async(a, id=pack.id)
            after = await q.code_count_by_pack_async(a, pack_id=pack.id)
            assert (before.with_plaintext, after.with_plaintext, after.total) == (5, 0, 5)
            assert pack.plaintext_purged_at is not None

            user = await q.user_create_async(a, email="async@example.com", privy_user_id=None)
            await q.user_wallet_link_async(a, user_id=user.id, wallet_pubkey=solana.code_pda(b"\3" * 32))
            commitment = codes[0][0]
            assert commitment == packs.commitment("ASYNC-1", codes[0][1])
            intents = [
                await q.verify_intent_issue_async(
                    a, commitment=commitment, reward_lamports=7_000, ttl=None, verify_intent_id=None
                )
                for _ in range(2)
            ]
            results = await asyncio.gather(
                *(
                    q.verification_confirm_async(
                        conn, verify_intent_id=intent.verify_intent_id, user_id=user.id, tx_signature=sig()
                    )
                    for conn, intent in zip((a, b), intents, strict=True)
                )
            )
            assert sorted((r.result, r.reward_lamports, r.failure_reason) for r in results) == [
                (q.VerificationResult.FAIL, 0, "ALREADY_VERIFIED"),
                (q.VerificationResult.SUCCESS, 7_000, None),
            ]
            with pytest.raises(errors.PreconditionFailed):
                await q.verify_intent_issue_async(
                    a, commitment=commitment, reward_lamports=7_000, ttl=None, verify_intent_id=None
                )
            assert await q.verification_reward_total_by_user_async(a, user_id=user.id) == 7_000
            history = [r.result async for r in q.verification_list_by_commitment_iter_async(b, commitment=commitment)]
            assert sorted(history) == [q.VerificationResult.FAIL, q.VerificationResult.SUCCESS]

    asyncio.run(main())
