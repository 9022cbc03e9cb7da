"""Checking a tip against the chain: the rule the verification worker applies to a ``getTransaction`` answer.

A tip (an ``events`` row) says: ``signer`` sent ``amount`` of ``mint`` to ``host`` in the transaction
``signature``. The answer of ``getTransaction`` (JSON encoding, as solana-py's ``AsyncClient`` parses it
with solders) verifies it when, in this order:

1. the transaction exists (else :data:`TX_NOT_FOUND`, which the worker retries first: a webhook may
   come before the RPC node has the transaction at its commitment);
2. it succeeded, ``meta.err`` is null (else :data:`TX_FAILED`);
3. the tip's signer is one of its signers, the first ``header.numRequiredSignatures`` account keys
   (else :data:`SIGNER_MISMATCH`);
4. the host received the mint in it: for SOL (the wrapped SOL mint stands for SOL) the host is one of
   its accounts; for an SPL token, one of its token balances is of that mint and owned by the host
   (else :data:`DESTINATION_MISMATCH`);
5. what the host received is exactly the tip's amount, in the mint's smallest unit: the change of the
   host's lamports for SOL, the change of the host's token accounts of the mint for a token (else
   :data:`AMOUNT_MISMATCH`).

``helius_response`` stores :func:`response_subset` of the answer: only what the checks read and the
verification proves, as plain JSON, so that the same answer always gives the same JSON (no log
messages, no instruction data, no node-dependent fields) and a stored verification can be checked
again without the RPC node.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from solders.transaction_status import EncodedConfirmedTransactionWithStatusMeta, UiRawMessage, UiTransaction

#: The wrapped SOL mint: a tip in this "mint" is a tip in SOL (lamports).
WSOL_MINT = "So11111111111111111111111111111111111111112"
#: USDC on Solana mainnet.
USDC_MINT = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"

# error_code values (event_verifications.error_code)
TX_NOT_FOUND = "TX_NOT_FOUND"
TX_FAILED = "TX_FAILED"
TX_UNREADABLE = "TX_UNREADABLE"
SIGNER_MISMATCH = "SIGNER_MISMATCH"
DESTINATION_MISMATCH = "DESTINATION_MISMATCH"
AMOUNT_MISMATCH = "AMOUNT_MISMATCH"
RPC_UNAVAILABLE = "RPC_UNAVAILABLE"


class Tip(Protocol):
    """What a verification checks: the claimed row's event (``VerificationClaimRow``)."""

    @property
    def host(self) -> str: ...
    @property
    def signer(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def mint(self) -> str: ...


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one answer: ``error_code`` None means verified; ``slot`` is the
    transaction's slot when it was found; ``subset`` goes to ``helius_response``."""

    error_code: str | None
    slot: int | None
    subset: dict[str, Any]

    @property
    def verified(self) -> bool:
        return self.error_code is None


def not_found() -> Verdict:
    """The verdict for a ``getTransaction`` answer of ``null``: no such transaction (yet)."""
    return Verdict(TX_NOT_FOUND, None, {"found": False})


def unavailable(kind: str, message: str) -> Verdict:
    """The verdict for an RPC error (a JSON-RPC error, an HTTP error, no connection)."""
    return Verdict(RPC_UNAVAILABLE, None, {"found": None, "error": {"kind": kind, "message": message[:200]}})


def _account_keys(tx: EncodedConfirmedTransactionWithStatusMeta) -> tuple[list[str], int] | None:
    """All account keys of the transaction (static, then loaded writable, then loaded read-only, the
    order balances are indexed by) and its number of signers; None when not JSON-encoded."""
    inner = tx.transaction.transaction
    if not isinstance(inner, UiTransaction) or not isinstance(inner.message, UiRawMessage):
        return None
    message = inner.message
    keys = [str(key) for key in message.account_keys]
    meta = tx.transaction.meta
    loaded = meta.loaded_addresses if meta is not None else None
    if loaded is not None:
        keys += [str(key) for key in loaded.writable] + [str(key) for key in loaded.readonly]
    return keys, message.header.num_required_signatures


def _received(tip: Tip, keys: list[str], tx: EncodedConfirmedTransactionWithStatusMeta) -> int | None:
    """What the host received of the tip's mint in the transaction; None when the host is not in it."""
    meta = tx.transaction.meta
    assert meta is not None
    if tip.mint == WSOL_MINT:
        indexes = [i for i, key in enumerate(keys) if key == tip.host]
        if not indexes:
            return None
        return sum(meta.post_balances[i] - meta.pre_balances[i] for i in indexes)

    def held(balances: list[Any] | None) -> dict[int, int]:
        return {
            b.account_index: int(b.ui_token_amount.amount)
            for b in balances or []
            if str(b.mint) == tip.mint and b.owner is not None and str(b.owner) == tip.host
        }

    pre, post = held(meta.pre_token_balances), held(meta.post_token_balances)
    if not post and not pre:
        return None
    return sum(post.get(i, 0) - pre.get(i, 0) for i in set(pre) | set(post))


def check_transaction(tip: Tip, tx: EncodedConfirmedTransactionWithStatusMeta | None) -> Verdict:
    """The verdict on ``tip`` of the answer ``tx`` (``GetTransactionResp.value``; None: not found)."""
    if tx is None:
        return not_found()
    meta = tx.transaction.meta
    found = _account_keys(tx)
    subset: dict[str, Any] = {"found": True, "slot": tx.slot, "blockTime": tx.block_time}
    if meta is None or found is None:
        return Verdict(TX_UNREADABLE, tx.slot, subset)
    keys, signer_count = found
    signers = keys[:signer_count]
    err = json.loads(meta.to_json()).get("err") if meta.err is not None else None
    subset |= {"err": err, "fee": meta.fee, "signers": signers, "destination": tip.host, "mint": tip.mint}
    if err is not None:
        return Verdict(TX_FAILED, tx.slot, subset)
    if tip.signer not in signers:
        return Verdict(SIGNER_MISMATCH, tx.slot, subset)
    received = _received(tip, keys, tx)
    subset["received"] = received
    if received is None:
        return Verdict(DESTINATION_MISMATCH, tx.slot, subset)
    if received != tip.amount:
        return Verdict(AMOUNT_MISMATCH, tx.slot, subset)
    return Verdict(None, tx.slot, subset)


def response_subset(tip: Tip, tx: EncodedConfirmedTransactionWithStatusMeta | None) -> dict[str, Any]:
    """The deterministic subset of an answer that ``helius_response`` keeps (see the module docstring)."""
    return check_transaction(tip, tx).subset
