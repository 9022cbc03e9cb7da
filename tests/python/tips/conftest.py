"""Fixtures of the tips tests: a host, tips ingested as the app, the local fakes of the RPC node and Reflect,
and workers built on the real clients (``--import-mode=importlib``: test modules import nothing from here;
helpers are handed out as fixtures)."""

from __future__ import annotations

import asyncio
import datetime
import itertools
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from solana.rpc.async_api import AsyncClient

from chaindb import admin, db
from chaindb.tips import fakes, verify
from chaindb.tips import queries as q
from chaindb.tips.reflect import ReflectClient
from chaindb.tips.worker import DEFAULT_RATES, Rate, Settings, TipWorker

RATES = {**DEFAULT_RATES, verify.WSOL_MINT: Rate("USDC", 9, Decimal(150))}
#: Tests decide retries at once (no waiting) and give up after two attempts.
FAST = Settings(batch_size=32, retry_in=datetime.timedelta(0), poll_in=datetime.timedelta(0), max_attempts=2)


@dataclass(frozen=True)
class Tip:
    """A tip ingested by a test: its event, its verification, and who sent it."""

    event_id: str
    signer: str
    amount: int
    mint: str
    signature: str
    verification: q.EventVerification


@pytest.fixture
def host(app: psycopg.Connection[Any]) -> q.Host:
    return q.host_create(app, wallet=fakes.pubkey("test host"), handle="test_host")


@pytest.fixture
def ingest(app: psycopg.Connection[Any], host: q.Host) -> Callable[..., Tip]:
    """ingest(amount=1_000_000, mint=USDC, name=None): a new tip to ``host``, through event_ingest as the app."""
    counter = itertools.count(1)

    def make(amount: int = 1_000_000, mint: str = verify.USDC_MINT, name: str | None = None) -> Tip:
        name = name or f"tip-{next(counter)}"
        signer, signature = fakes.pubkey(f"signer of {name}"), fakes.signature(name)
        verification = q.event_ingest(app, event_id=name, host=host.wallet, signer=signer, amount=amount, mint=mint,
                                      signature=signature)
        return Tip(name, signer, amount, mint, signature, verification)

    return make


@pytest.fixture
def chain() -> Iterator[fakes.FakeSolanaRpc]:
    with fakes.FakeSolanaRpc() as rpc:
        yield rpc


@pytest.fixture
def reflect() -> Iterator[fakes.FakeReflect]:
    with fakes.FakeReflect() as payouts:
        yield payouts


@pytest.fixture
def on_chain(chain: fakes.FakeSolanaRpc, host: q.Host) -> Callable[..., None]:
    """on_chain(tip, amount=None, signer=None, destination=None): the chain has the tip's transfer (as reported,
    or with the given differences)."""

    def record(tip: Tip, amount: int | None = None, signer: str | None = None, destination: str | None = None,
               **kwargs: Any) -> None:
        chain.found(tip.signature, fakes.transfer(tip.signature, signer or tip.signer, destination or host.wallet,
                                                  tip.mint, tip.amount if amount is None else amount, **kwargs))

    return record


@pytest.fixture
def worker(db_url: str, chain: fakes.FakeSolanaRpc,
           reflect: fakes.FakeReflect) -> Callable[..., Any]:
    """``async with worker(settings=FAST) as w``: a TipWorker as the app, on the fakes, with real clients."""

    @asynccontextmanager
    async def build(settings: Settings = FAST, rates: dict[str, Rate] | None = None) -> Any:
        async with (
            await db.async_connect(db_url, role=admin.APP_ROLE, autocommit=True) as conn,
            AsyncClient(chain.url, timeout=10) as rpc,
            ReflectClient(reflect.url, reflect.api_key) as client,
        ):
            yield TipWorker(conn, rpc, client, rates=RATES if rates is None else rates, settings=settings)

    return build


@pytest.fixture
def run() -> Callable[..., Any]:
    """run(coroutine_function, *args): runs it to completion on a new event loop."""

    def go(fn: Callable[..., Any], *args: Any) -> Any:
        return asyncio.run(fn(*args))

    return go
