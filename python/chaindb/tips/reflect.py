"""The payout provider's HTTP API as the worker uses it (Reflect), over httpx.

Two calls, JSON both ways, ``Authorization: Bearer <api key>``:

- ``POST /v1/payouts`` with ``{"reference", "amount", "currency", "recipient"}`` and the header
  ``Idempotency-Key: <our payout id>``: creates the payout, or returns the one already created under
  that key (so a request resent after a crash or a timeout never pays twice). 201 or 200 with the
  payout; 4xx refuses it for good (:class:`ReflectRejected`); 5xx and transport errors are worth a
  retry (:class:`ReflectUnavailable`).
- ``GET /v1/payouts/{id}``: the payout as Reflect has it now.

A payout's ``status`` at Reflect is ``queued`` (accepted, not paid yet), ``settled``, ``failed`` or
``cancelled``; ``id`` is Reflect's id, stored as ``reflect_payouts.reflect_tip_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import httpx

RemoteStatus = Literal["queued", "settled", "failed", "cancelled"]
_STATUSES = ("queued", "settled", "failed", "cancelled")


class ReflectError(Exception):
    """A payout request that did not give an answer."""


class ReflectRejected(ReflectError):
    """Reflect refused the request (4xx): sending it again will not help."""


class ReflectUnavailable(ReflectError):
    """No usable answer (5xx, a timeout, no connection, a malformed body): try again later."""


@dataclass(frozen=True)
class RemotePayout:
    """A payout as Reflect reports it."""

    id: str
    status: RemoteStatus
    error: str | None


class ReflectClient:
    """An async client of the payout API at ``base_url`` (use as ``async with``)."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 10.0,
                 max_connections: int = 32) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=timeout,
            limits=httpx.Limits(max_connections=max_connections),
        )

    async def __aenter__(self) -> ReflectClient:
        await self._http.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._http.__aexit__(*exc)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def create_payout(self, *, idempotency_key: str, reference: str, amount: Decimal, currency: str,
                            recipient: str) -> RemotePayout:
        """Creates the payout (or finds the one created under ``idempotency_key``)."""
        body = {"reference": reference, "amount": str(amount), "currency": currency, "recipient": recipient}
        return await self._call("POST", "/v1/payouts", json=body, headers={"Idempotency-Key": idempotency_key})

    async def get_payout(self, payout_id: str) -> RemotePayout:
        """The payout ``payout_id`` (Reflect's id) as Reflect has it now."""
        return await self._call("GET", f"/v1/payouts/{payout_id}")

    async def _call(self, method: str, path: str, **kwargs: Any) -> RemotePayout:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ReflectUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if 400 <= response.status_code < 500:
            raise ReflectRejected(f"HTTP {response.status_code}: {_error_text(response)}")
        if response.status_code >= 300:
            raise ReflectUnavailable(f"HTTP {response.status_code}: {_error_text(response)}")
        try:
            data = response.json()
            status = data["status"]
            if status not in _STATUSES or not isinstance(data["id"], str) or not data["id"]:
                raise ValueError(f"unexpected payout {data!r}")
            return RemotePayout(id=data["id"], status=status, error=data.get("error"))
        except (ValueError, KeyError, TypeError) as exc:
            raise ReflectUnavailable(f"malformed answer: {exc}") from exc


def _error_text(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error") or response.text)[:200]
    except ValueError:
        return response.text[:200]
