"""Fixtures of the authenticity tests: a manufacturer, SKU and ACTIVE batch, a code key, and
helpers handed out as fixtures (``--import-mode=importlib``: test modules import nothing from here)."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import pytest
from solders.signature import Signature


def signature() -> str:
    """A fresh, valid Solana transaction signature (base58 of 64 random bytes)."""
    return str(Signature(os.urandom(64)))


@dataclass(frozen=True)
class Batch:
    manufacturer_id: uuid.UUID
    sku_id: uuid.UUID
    id: uuid.UUID
    public_id: str


def make_batch(conn: psycopg.Connection, public_id: str = "ACME-2025-01", *, activate: bool = True) -> Batch:
    manufacturer = conn.execute(
        "INSERT INTO authenticity.manufacturers (name, hmac_kms_key_id) VALUES (%s, 'alias/acme') RETURNING id",
        (f"Acme {public_id}",),
    ).fetchone()[0]
    sku = conn.execute(
        "INSERT INTO authenticity.skus (manufacturer_id, sku_code, sku_name, sku_hash) "
        "VALUES (%s, %s, 'Anvil', %s) RETURNING id",
        (manufacturer, f"SKU-{public_id}", hashlib.sha256(public_id.encode()).digest()),
    ).fetchone()[0]
    batch = conn.execute(
        "INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label) "
        "VALUES (%s, %s, %s, 'Spring run') RETURNING id",
        (manufacturer, sku, public_id),
    ).fetchone()[0]
    if activate:
        conn.execute("SELECT authenticity.activate_batch(%s, %s)", (batch, signature()))
    return Batch(manufacturer, sku, batch, public_id)


@pytest.fixture
def batch(conn: psycopg.Connection) -> Batch:
    return make_batch(conn)


@pytest.fixture
def new_batch() -> Callable[..., Batch]:
    """make_batch(conn, public_id, activate=True): another manufacturer, SKU and batch."""
    return make_batch


@pytest.fixture
def sig() -> Callable[[], str]:
    """signature(): a fresh valid Solana signature."""
    return signature


@pytest.fixture
def key() -> bytes:
    return os.urandom(32)
