"""Tips (seed 002): ingesting webhooks, and verifying them with the worker against the local RPC node.

- ``tips_ingest_1`` / ``tips_ingest_16``: tips stored per second by ``event_ingest`` (the generated
  function, as the application role: ``tips.ingest_tip``, idempotent, event and pending verification
  in one statement) from 1 and from 16 concurrent callers, each its own connection, against a plain
  INSERT of the same rows (the event and its verification, one transaction per tip, no idempotency
  check) into the same tables, from as many callers. Goal: at least half the plain INSERT's rate.
- ``tips_verify``: verifications per second of 4 workers (``chaindb.tips.worker``, each its own
  connection and event loop, solana-py's AsyncClient) over pending tips whose transactions the local
  fake RPC node (``chaindb.tips.fakes``, 127.0.0.1) serves, against 1 worker. Includes the RPC round
  trips, the checks and the outcome with its payout, one transaction per tip.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import psycopg

from bench.harness import INFO, Context, Pair, at_least, item

USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
_run = itertools.count()


def _rows(count: int, host: str) -> list[tuple[str, str, str, int, str, str]]:
    """``count`` fresh tips (event id, host, signer, amount, mint, signature), valid keys and signatures."""
    from solders.signature import Signature

    from chaindb.tips import fakes

    batch = next(_run)
    signers = [fakes.pubkey(f"bench signer {n}") for n in range(min(count, 500))]
    out = []
    for n in range(count):
        name = f"bench-{batch}-{n}"
        signature = str(Signature(hashlib.sha512(name.encode()).digest()))
        out.append((name, host, signers[n % len(signers)], 1_000 + n, USDC, signature))
    return out


def _host(url: str) -> str:
    from chaindb.tips import fakes

    wallet = fakes.pubkey("bench host")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO tips.hosts (wallet, handle) VALUES (%s, 'bench_host') ON CONFLICT DO NOTHING",
                     (wallet,))
    return wallet


def _concurrently(callers: int, rows: list[Any], work: Callable[[psycopg.Connection[Any], list[Any]], None],
                  connect: Callable[[], psycopg.Connection[Any]]) -> float:
    """Rows per second for ``callers`` threads, each with its own connection and a share of the rows,
    started together (connections opened before the clock starts)."""
    shares = [rows[i::callers] for i in range(callers)]
    conns = [connect() for _ in range(callers)]
    barrier = threading.Barrier(callers + 1)
    errors: list[BaseException] = []

    def run(conn: psycopg.Connection[Any], share: list[Any]) -> None:
        try:
            barrier.wait()
            work(conn, share)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c, s)) for c, s in zip(conns, shares, strict=True)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for conn in conns:
        conn.close()
    if errors:
        raise errors[0]
    return len(rows) / elapsed


PLAIN_EVENT = "INSERT INTO tips.events (id, host, signer, amount, mint, signature) VALUES (%s, %s, %s, %s, %s, %s)"
PLAIN_VERIFICATION = "INSERT INTO tips.event_verifications (event_id, signature) VALUES (%s, %s)"


def _ingest_item(ctx: Context, callers: int) -> Iterator[Pair]:
    from chaindb import admin, db
    from chaindb.tips import queries as q

    url = ctx.database(f"tips_ingest_{callers}")
    host = _host(url)
    per_round = (200 if ctx.quick else 2_000) * (2 if callers > 1 else 1)

    def generated(conn: psycopg.Connection[Any], share: list[Any]) -> None:
        for event_id, h, signer, amount, mint, sig in share:
            q.event_ingest(conn, event_id=event_id, host=h, signer=signer, amount=amount, mint=mint, signature=sig)

    def plain(conn: psycopg.Connection[Any], share: list[Any]) -> None:
        for row in share:
            with conn.transaction():
                conn.execute(PLAIN_EVENT, row, prepare=True)
                conn.execute(PLAIN_VERIFICATION, (row[0], row[5]), prepare=True)

    def as_app() -> psycopg.Connection[Any]:
        return db.connect(url, role=admin.APP_ROLE, autocommit=True)

    def as_owner() -> psycopg.Connection[Any]:
        return db.connect(url, role=admin.OWNER_ROLE, autocommit=True)

    _concurrently(callers, _rows(100, host), generated, as_app)  # warm up both
    _concurrently(callers, _rows(100, host), plain, as_owner)
    try:
        yield Pair(
            a=lambda: _concurrently(callers, _rows(per_round, host), generated, as_app),
            b=lambda: _concurrently(callers, _rows(per_round, host), plain, as_owner),
        )
    finally:
        ctx.drop(url)


@item(
    "tips_ingest_1",
    "tip ingestion, 1 caller: event_ingest (idempotent, event + verification) / plain INSERT of the same rows",
    a="q.event_ingest as chaindb_app",
    b="INSERT event; INSERT verification (one transaction)",
    unit="tips/s",
    goal=at_least(0.5),
    higher_is_better=True,
)
@contextmanager
def tips_ingest_1(ctx: Context) -> Iterator[Pair]:
    yield from _ingest_item(ctx, 1)


@item(
    "tips_ingest_16",
    "tip ingestion, 16 concurrent callers: event_ingest / plain INSERT of the same rows",
    a="q.event_ingest as chaindb_app, 16 connections",
    b="INSERT event; INSERT verification, 16 connections",
    unit="tips/s",
    goal=at_least(0.5),
    higher_is_better=True,
)
@contextmanager
def tips_ingest_16(ctx: Context) -> Iterator[Pair]:
    yield from _ingest_item(ctx, 16)


def _verify_round(url: str, rpc: Any, reflect: Any, workers: int, count: int, host: str) -> float:
    """Verifications per second of ``workers`` workers over ``count`` new pending tips on the fake chain."""
    from solana.rpc.async_api import AsyncClient

    from chaindb import admin, db
    from chaindb.tips import fakes
    from chaindb.tips import queries as q
    from chaindb.tips.reflect import ReflectClient
    from chaindb.tips.worker import Rate, Settings, TipWorker

    rows = _rows(count, host)
    with db.connect(url, role=admin.APP_ROLE, autocommit=True) as conn:
        for event_id, h, signer, amount, mint, sig in rows:
            q.event_ingest(conn, event_id=event_id, host=h, signer=signer, amount=amount, mint=mint, signature=sig)
            rpc.found(sig, fakes.transfer(sig, signer, h, mint, amount))
    barrier = threading.Barrier(workers + 1)
    done: list[int] = []
    errors: list[BaseException] = []
    settings = Settings(batch_size=32, retry_in=datetime.timedelta(0))

    def one() -> None:
        async def go() -> int:
            async with (
                await db.async_connect(url, role=admin.APP_ROLE, autocommit=True) as aconn,
                AsyncClient(rpc.url, timeout=10) as client,
                ReflectClient(reflect.url, reflect.api_key) as payouts,
            ):
                worker = TipWorker(aconn, client, payouts, rates={USDC: Rate("USDC", 6, Decimal(1))},
                                   settings=settings)
                barrier.wait()
                verified = 0
                while (report := await worker.verify_once()).claimed:
                    verified += report.verified
                return verified

        try:
            done.append(asyncio.run(go()))
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=one) for _ in range(workers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    if sum(done) != count:
        raise AssertionError(f"{sum(done)} of {count} tips verified")
    return count / elapsed


@item(
    "tips_verify",
    "tip verification: 4 workers / 1 worker, against the local fake RPC node",
    a="4 workers (own connections and event loops)",
    b="1 worker",
    unit="verifications/s",
    goal=INFO,
    higher_is_better=True,
    note="the fake RPC node shares the machine's 2 cores (and the GIL) with the workers",
)
@contextmanager
def tips_verify(ctx: Context) -> Iterator[Pair]:
    from chaindb.tips import fakes

    url = ctx.database("tips_verify")
    host = _host(url)
    count = 50 if ctx.quick else 2_000
    with fakes.FakeSolanaRpc() as rpc, fakes.FakeReflect() as reflect:
        try:
            yield Pair(
                a=lambda: _verify_round(url, rpc, reflect, 4, count, host),
                b=lambda: _verify_round(url, rpc, reflect, 1, count, host),
            )
        finally:
            ctx.drop(url)
