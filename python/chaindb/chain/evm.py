"""EVM helpers for CocoPay smart accounts (ERC-4337), on web3's own CREATE2 helper.

A smart account's address is the CREATE2 address of the account factory deploying
the account proxy for its owner:

    salt      = keccak256(user_id (16 bytes) || chain_id (32-byte big-endian))
    init_code = ACCOUNT_PROXY_CREATION_CODE || owner address (left-padded to 32 bytes)
    address   = web3.utils.address.get_create2_address(factory, salt, init_code)

so the same user, chain and owner always give the same, checksummed address, which
the database stores with the salt (``cocopay.smart_accounts.address`` / ``salt``).
The factory address and the proxy creation code are the deployment's: override them
with the keyword arguments; the defaults are this project's test deployment.

web3 is imported lazily: it takes most of a second to import. Bad values raise
``errors.InvalidInput`` (a ``ValueError``).
"""

from __future__ import annotations

import re
from uuid import UUID

from chaindb.errors import InvalidInput

#: Account factory of the project's test deployment (override per deployment).
DEFAULT_FACTORY = "0x9406Cc6185a346906296840746125a0E44976454"
#: Minimal-proxy (EIP-1167 style) creation code prefix; the owner is appended as the constructor argument.
ACCOUNT_PROXY_CREATION_CODE = (
    "0x3d602d80600a3d3981f3363d3d373d3d3d363d73"
    "bebebebebebebebebebebebebebebebebebebebe"
    "5af43d82803e903d91602b57fd5bf3"
)

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def is_address(value: str) -> bool:
    """True for 0x and 40 hex digits (the database's ``common.is_evm_address``)."""
    return isinstance(value, str) and _ADDRESS.fullmatch(value) is not None


def checksum(address: str) -> str:
    """The EIP-55 checksummed form of an address; ``errors.InvalidInput`` when it is not one."""
    if not is_address(address):
        raise InvalidInput(f"not an EVM address: {address!r}")
    from web3 import Web3

    return str(Web3.to_checksum_address(address))


def smart_account_salt(user_id: UUID, chain_id: int) -> str:
    """The deterministic 32-byte salt of a user's account on a chain, 0x-prefixed hex (66 chars)."""
    from eth_utils.crypto import keccak

    if not 0 <= chain_id < 2**256:
        raise InvalidInput(f"a chain id is an unsigned 256-bit integer, got {chain_id}")
    return "0x" + keccak(user_id.bytes + chain_id.to_bytes(32, "big")).hex()


def smart_account_address(
    owner: str,
    salt: str,
    *,
    factory: str = DEFAULT_FACTORY,
    proxy_creation_code: str = ACCOUNT_PROXY_CREATION_CODE,
) -> str:
    """The checksummed CREATE2 address of ``owner``'s account proxy deployed by ``factory`` with ``salt``."""
    from web3.utils.address import get_create2_address

    if not isinstance(salt, str) or re.fullmatch(r"0x[0-9a-fA-F]{64}", salt) is None:
        raise InvalidInput(f"a salt is 0x and 64 hex digits, got {salt!r}")
    if not isinstance(proxy_creation_code, str) or re.fullmatch(r"0x(?:[0-9a-fA-F]{2})*", proxy_creation_code) is None:
        raise InvalidInput("the proxy creation code is 0x and hex bytes")
    init_code = proxy_creation_code + checksum(owner)[2:].lower().rjust(64, "0")
    return str(get_create2_address(checksum(factory), salt, init_code))  # type: ignore[arg-type]
