"""Smart accounts per chain: the address is computed here, the row written by the generated query.

``smart_account_get_or_create`` (generated) takes the address and salt; these helpers compute
them with ``chaindb.chain.evm`` (web3's CREATE2 helper, checksummed) from the user, the chain
and the owner EOA, then call it. The same user, chain and owner always give the same address,
so calling again returns the existing row.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from chaindb import errors
from chaindb.chain import evm
from chaindb.cocopay import queries as q


def account_address(
    user_id: uuid.UUID,
    chain_id: q.ChainId,
    owner_address: str,
    *,
    factory: str = evm.DEFAULT_FACTORY,
) -> tuple[str, str]:
    """``(address, salt)`` of the user's account on the chain: checksummed CREATE2 address, 0x + 64 hex salt."""
    try:
        chain = q.ChainId(chain_id)
    except ValueError as exc:
        raise errors.InvalidInput(f"not a supported chain id: {chain_id!r}") from exc
    salt = evm.smart_account_salt(user_id, int(chain.value))
    return evm.smart_account_address(owner_address, salt, factory=factory), salt


def get_or_create_smart_account(
    conn: psycopg.Connection[Any],
    *,
    user_id: uuid.UUID,
    chain_id: q.ChainId,
    owner_address: str,
    custody_status: q.CustodyStatus | None = None,
    factory: str = evm.DEFAULT_FACTORY,
) -> q.SmartAccount:
    """The user's smart account on the chain, created (counterfactual, not deployed) when missing."""
    address, salt = account_address(user_id, chain_id, owner_address, factory=factory)
    return q.smart_account_get_or_create(
        conn,
        user_id=user_id,
        chain_id=chain_id,
        address=address,
        salt=salt,
        owner_address=evm.checksum(owner_address),
        custody_status=custody_status,
    )


async def get_or_create_smart_account_async(
    conn: psycopg.AsyncConnection[Any],
    *,
    user_id: uuid.UUID,
    chain_id: q.ChainId,
    owner_address: str,
    custody_status: q.CustodyStatus | None = None,
    factory: str = evm.DEFAULT_FACTORY,
) -> q.SmartAccount:
    """Async twin of ``get_or_create_smart_account``."""
    address, salt = account_address(user_id, chain_id, owner_address, factory=factory)
    return await q.smart_account_get_or_create_async(
        conn,
        user_id=user_id,
        chain_id=chain_id,
        address=address,
        salt=salt,
        owner_address=evm.checksum(owner_address),
        custody_status=custody_status,
    )
