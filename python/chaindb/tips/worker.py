"""The tips worker: verifies pending tips on chain, then pays verified ones out through Reflect.

Verification (:meth:`TipWorker.verify_once`):

1. claim up to ``batch_size`` due pending verifications (``verification_claim``:
   ``tips.claim_verifications``, ``FOR UPDATE SKIP LOCKED`` in one short transaction). The claim is
   held by a lease (``available_at``), not by an open transaction: no lock waits on the RPC call,
   and the rows of a worker that dies come back to the queue when its lease ends. Workers running at
   once claim disjoint rows;
2. ask the RPC node for each transaction, concurrently, through solana-py's ``AsyncClient.get_transaction``
   (JSON encoding, versioned transactions, ``confirmed`` by default);
3. check signer, destination and amount (:func:`chaindb.tips.verify.check_transaction`) and record
   each outcome in its own transaction, with the claim's token: verified, and in the same transaction
   the host's pending payout (``payout_create``, at the mint's :class:`Rate`); failed with its error
   code; or, for a transaction not found yet or an RPC error, released for a retry after
   ``retry_in`` until ``max_attempts`` claims, then failed (``TX_NOT_FOUND``, ``RPC_UNAVAILABLE``).
   A record refused because the claim is gone (the lease ran out and another worker took the row)
   is counted as ``lost`` and skipped: the database lets only the claim's holder decide, so no tip
   is verified or paid twice.

Payout (:meth:`TipWorker.pay_once`): claim pending payouts, send each to Reflect (``POST``, the payout id
as Idempotency-Key) and record its answer: queued under Reflect's id, then, in the same transaction,
settled, failed or cancelled as Reflect says, or released to be asked again after ``poll_in``. A 4xx
cancels the payout; a 5xx or a timeout releases it for a retry, until ``max_attempts`` sends (then it is
cancelled). Then claim queued payouts, ask Reflect (``GET``) and record the same way.

:meth:`TipWorker.drain` repeats both until nothing is due. ``python -m chaindb.tips.worker`` runs it
forever against ``CHAINDB_TIPS_RPC_URL`` and ``CHAINDB_TIPS_REFLECT_URL`` (``--once`` to drain and stop).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

import psycopg
from solana.exceptions import SolanaRpcException
from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Commitment, Confirmed
from solana.rpc.core import RPCException
from solders.signature import Signature

from chaindb import db, errors
from chaindb.tips import queries as q
from chaindb.tips import verify
from chaindb.tips.reflect import ReflectClient, ReflectRejected, ReflectUnavailable, RemotePayout

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rate:
    """How a tip in a mint becomes a payout: ``price`` stablecoin units of ``currency`` per whole token
    (``10**decimals`` smallest units), rounded down to the cent."""

    currency: str
    decimals: int
    price: Decimal

    def payout(self, amount: int) -> Decimal:
        return (Decimal(amount).scaleb(-self.decimals) * self.price).quantize(CENT, rounding=ROUND_DOWN)


#: USDC tips are paid out 1:1 in USDC. Tips in other mints need a rate (SOL: a price per SOL).
DEFAULT_RATES: Mapping[str, Rate] = {verify.USDC_MINT: Rate("USDC", 6, Decimal(1))}


@dataclass(frozen=True)
class Settings:
    batch_size: int = 32
    #: how long a claim holds its rows (the longest an RPC or Reflect call may take, with margin)
    lease: datetime.timedelta = datetime.timedelta(seconds=60)
    #: claims of a verification (RPC attempts), or sends of a payout, before giving up
    max_attempts: int = 5
    #: wait before the next attempt after a transaction not found or an error
    retry_in: datetime.timedelta = datetime.timedelta(seconds=15)
    #: wait before asking Reflect again about a queued payout
    poll_in: datetime.timedelta = datetime.timedelta(seconds=30)
    commitment: Commitment = Confirmed


@dataclass
class VerifyReport:
    claimed: int = 0
    verified: int = 0
    failed: int = 0
    retried: int = 0
    payouts: int = 0
    #: verified tips in a mint without a Rate: no payout created
    unpriced: int = 0
    #: outcomes refused because another worker holds the row now
    lost: int = 0
    error_codes: Counter[str] = field(default_factory=Counter)

    def add(self, other: VerifyReport) -> None:
        for name in ("claimed", "verified", "failed", "retried", "payouts", "unpriced", "lost"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.error_codes.update(other.error_codes)


@dataclass
class PayReport:
    claimed: int = 0
    queued: int = 0
    settled: int = 0
    failed: int = 0
    cancelled: int = 0
    retried: int = 0
    lost: int = 0

    def add(self, other: PayReport) -> None:
        for name in ("claimed", "queued", "settled", "failed", "cancelled", "retried", "lost"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


class TipWorker:
    """One worker: its own autocommit connection (as ``chaindb_app``), an RPC client, a Reflect client."""

    def __init__(
        self,
        conn: psycopg.AsyncConnection[Any],
        rpc: AsyncClient,
        reflect: ReflectClient,
        *,
        rates: Mapping[str, Rate] = DEFAULT_RATES,
        settings: Settings | None = None,
    ) -> None:
        if not conn.autocommit:
            raise ValueError("the worker needs an autocommit connection: each claim and outcome is its own transaction")
        self.conn = conn
        self.rpc = rpc
        self.reflect = reflect
        self.rates = rates
        self.settings = settings or Settings()

    # -- verification ---------------------------------------------------------------------

    async def verify_once(self) -> VerifyReport:
        """Claims one batch of due pending verifications, checks them on chain, records the outcomes."""
        s = self.settings
        report = VerifyReport()
        claims = await q.verification_claim_async(self.conn, max_rows=s.batch_size, lease=s.lease)
        report.claimed = len(claims)
        verdicts = await asyncio.gather(*(self._ask_chain(claim) for claim in claims))
        for claim, verdict in zip(claims, verdicts, strict=True):
            try:
                await self._record_verdict(claim, verdict, report)
            except (errors.PreconditionFailed, errors.ForbiddenTransition):
                report.lost += 1  # the lease ran out and another worker holds (or decided) the row
        return report

    async def _ask_chain(self, claim: q.VerificationClaimRow) -> verify.Verdict:
        try:
            answer = await self.rpc.get_transaction(
                Signature.from_string(claim.signature),
                encoding="json",
                commitment=self.settings.commitment,
                max_supported_transaction_version=0,
            )
        except RPCException as exc:
            error = exc.args[0] if exc.args else exc
            return verify.unavailable(type(error).__name__, str(getattr(error, "message", error)))
        except SolanaRpcException as exc:
            cause = exc.__cause__ or exc
            return verify.unavailable(type(cause).__name__, str(cause))
        except BaseException as exc:
            # solders panics on some malformed answers (pyo3_runtime.PanicException, a BaseException
            # that cannot be imported by name): an unusable answer, like an RPC error.
            if type(exc).__name__ != "PanicException":
                raise
            return verify.unavailable("PanicException", str(exc))
        return verify.check_transaction(claim, answer.value)

    async def _record_verdict(self, claim: q.VerificationClaimRow, verdict: verify.Verdict,
                              report: VerifyReport) -> None:
        s = self.settings
        if verdict.verified:
            assert verdict.slot is not None
            rate = self.rates.get(claim.mint)
            async with self.conn.transaction():
                await q.verification_verify_async(
                    self.conn, id=claim.id, claim_token=claim.claim_token, slot=verdict.slot,
                    helius_response=verdict.subset,
                )
                if rate is not None:
                    await q.payout_create_async(
                        self.conn, event_id=claim.event_id, currency=rate.currency, amount=rate.payout(claim.amount)
                    )
            report.verified += 1
            report.payouts += rate is not None
            report.unpriced += rate is None
            return
        assert verdict.error_code is not None
        retryable = verdict.error_code in (verify.TX_NOT_FOUND, verify.RPC_UNAVAILABLE)
        if retryable and claim.attempt_count < s.max_attempts:
            await q.verification_release_async(self.conn, id=claim.id, claim_token=claim.claim_token,
                                               retry_in=s.retry_in)
            report.retried += 1
            return
        await q.verification_fail_async(
            self.conn, id=claim.id, claim_token=claim.claim_token, error_code=verdict.error_code,
            slot=verdict.slot, helius_response=verdict.subset,
        )
        report.failed += 1
        report.error_codes[verdict.error_code] += 1

    # -- payout ---------------------------------------------------------------------------

    async def pay_once(self) -> PayReport:
        """Sends one batch of due pending payouts to Reflect, then asks about one batch of due queued ones."""
        s = self.settings
        report = PayReport()
        pending = await q.payout_claim_async(self.conn, status=q.PayoutStatus.PENDING, max_rows=s.batch_size,
                                             lease=s.lease)
        sent = await asyncio.gather(*(self._send(p) for p in pending), return_exceptions=True)
        for payout, answer in zip(pending, sent, strict=True):
            await self._guarded(self._record_sent(payout, answer, report), report)
        queued = await q.payout_claim_async(self.conn, status=q.PayoutStatus.QUEUED, max_rows=s.batch_size,
                                            lease=s.lease)
        asked = await asyncio.gather(*(self._ask(p) for p in queued), return_exceptions=True)
        for payout, answer in zip(queued, asked, strict=True):
            await self._guarded(self._record_polled(payout, answer, report), report)
        report.claimed = len(pending) + len(queued)
        return report

    async def _guarded(self, step: Any, report: PayReport) -> None:
        try:
            await step
        except (errors.PreconditionFailed, errors.ForbiddenTransition):
            report.lost += 1

    async def _send(self, payout: q.PayoutClaimRow) -> RemotePayout:
        return await self.reflect.create_payout(
            idempotency_key=str(payout.id), reference=payout.event_id, amount=payout.amount,
            currency=payout.currency, recipient=payout.host,
        )

    async def _ask(self, payout: q.PayoutClaimRow) -> RemotePayout:
        assert payout.reflect_tip_id is not None
        return await self.reflect.get_payout(payout.reflect_tip_id)

    async def _record_sent(self, payout: q.PayoutClaimRow, answer: RemotePayout | BaseException,
                           report: PayReport) -> None:
        s, token = self.settings, payout.claim_token
        if isinstance(answer, ReflectRejected):
            await q.payout_cancel_async(self.conn, id=payout.id, claim_token=token,
                                        reason=f"refused by Reflect: {answer}")
            report.cancelled += 1
        elif isinstance(answer, BaseException):
            if not isinstance(answer, ReflectUnavailable):
                raise answer
            if payout.attempt_count >= s.max_attempts:
                await q.payout_cancel_async(
                    self.conn, id=payout.id, claim_token=token,
                    reason=f"gave up after {payout.attempt_count} attempts: {answer}",
                )
                report.cancelled += 1
            else:
                await q.payout_release_async(self.conn, id=payout.id, claim_token=token, retry_in=s.retry_in,
                                             error=str(answer))
                report.retried += 1
        else:
            async with self.conn.transaction():
                await q.payout_queue_async(self.conn, id=payout.id, claim_token=token, reflect_tip_id=answer.id)
                await self._apply_remote(payout, answer, report)
            report.queued += 1

    async def _record_polled(self, payout: q.PayoutClaimRow, answer: RemotePayout | BaseException,
                             report: PayReport) -> None:
        if isinstance(answer, BaseException):
            if not isinstance(answer, ReflectUnavailable | ReflectRejected):
                raise answer
            await q.payout_release_async(self.conn, id=payout.id, claim_token=payout.claim_token,
                                         retry_in=self.settings.retry_in, error=str(answer))
            report.retried += 1
        else:
            await self._apply_remote(payout, answer, report)

    async def _apply_remote(self, payout: q.PayoutClaimRow, answer: RemotePayout, report: PayReport) -> None:
        """Records Reflect's status of a queued payout (the caller holds its claim)."""
        token = payout.claim_token
        if answer.status == "settled":
            await q.payout_settle_async(self.conn, id=payout.id, claim_token=token)
            report.settled += 1
        elif answer.status == "failed":
            await q.payout_fail_async(self.conn, id=payout.id, claim_token=token,
                                      error=answer.error or "failed at Reflect")
            report.failed += 1
        elif answer.status == "cancelled":
            await q.payout_cancel_async(self.conn, id=payout.id, claim_token=token,
                                        reason=answer.error or "cancelled at Reflect")
            report.cancelled += 1
        else:
            await q.payout_release_async(self.conn, id=payout.id, claim_token=token, retry_in=self.settings.poll_in,
                                         error=None)

    # -- loops ----------------------------------------------------------------------------

    async def drain(self, *, max_rounds: int = 10_000) -> tuple[VerifyReport, PayReport]:
        """Verifies and pays until nothing is due (rows waiting for a retry are left for later)."""
        verified, paid = VerifyReport(), PayReport()
        for _ in range(max_rounds):
            v = await self.verify_once()
            p = await self.pay_once()
            verified.add(v)
            paid.add(p)
            if v.claimed == 0 and p.claimed == 0:
                break
        return verified, paid

    async def run_forever(self, *, idle_sleep: float = 1.0) -> None:
        """:meth:`drain`, then sleep ``idle_sleep`` seconds, forever."""
        while True:
            await self.drain()
            await asyncio.sleep(idle_sleep)


async def _main(args: argparse.Namespace) -> int:
    rates = dict(DEFAULT_RATES)
    if args.sol_price:
        rates[verify.WSOL_MINT] = Rate(args.sol_currency, 9, Decimal(args.sol_price))
    async with (
        await db.async_connect(args.database_url, role=args.role, autocommit=True) as conn,
        AsyncClient(args.rpc_url, timeout=10) as rpc,
        ReflectClient(args.reflect_url, args.reflect_api_key) as reflect,
    ):
        worker = TipWorker(conn, rpc, reflect, rates=rates)
        if args.once:
            verified, paid = await worker.drain()
            print(f"verified {verified.verified}, failed {verified.failed}, retry later {verified.retried}; "
                  f"payouts settled {paid.settled}, failed {paid.failed}, cancelled {paid.cancelled}")
        else:
            await worker.run_forever()
    return 0


def main(argv: list[str] | None = None) -> int:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m chaindb.tips.worker", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    parser.add_argument("--role", default="chaindb_app", help="SET ROLE after connecting (default chaindb_app)")
    parser.add_argument("--rpc-url", default=env("CHAINDB_TIPS_RPC_URL"), required=not env("CHAINDB_TIPS_RPC_URL"))
    parser.add_argument("--reflect-url", default=env("CHAINDB_TIPS_REFLECT_URL"),
                        required=not env("CHAINDB_TIPS_REFLECT_URL"))
    parser.add_argument("--reflect-api-key", default=env("CHAINDB_TIPS_REFLECT_API_KEY", ""))
    parser.add_argument("--sol-price", default=None, help="payout per SOL for tips in SOL (none: not paid out)")
    parser.add_argument("--sol-currency", default="USDC")
    parser.add_argument("--once", action="store_true", help="drain what is due and stop")
    return asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
