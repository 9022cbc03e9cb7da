"""Small stand-ins for the tips product's two outside services, served on 127.0.0.1.

The worker talks to them through its real clients, solana-py's ``AsyncClient`` (JSON-RPC over HTTP) and
:class:`chaindb.tips.reflect.ReflectClient` (httpx), exactly as to Helius and Reflect; only the URL
differs. Tests, ``make demo`` and ``make bench`` use them, since nothing here reaches the internet.

- :class:`FakeSolanaRpc` answers ``getTransaction`` from recorded answers: per signature, a
  transaction (:func:`sol_transfer`, :func:`token_transfer`: the shape of a real mainnet answer in
  JSON encoding, with the tip's keys and amounts put in), ``null`` (not found), a JSON-RPC error
  (:data:`NODE_BEHIND`) or an HTTP status. It counts the requests per signature.
- :class:`FakeReflect` is the payout API the worker speaks (see :mod:`chaindb.tips.reflect`): ``POST
  /v1/payouts`` (idempotent on the ``Idempotency-Key`` header) and ``GET /v1/payouts/{id}``. Each
  payout's fate is chosen by :attr:`FakeReflect.decide` (settle at once, stay queued until asked,
  fail, refuse with 422, answer 503).

Both are ``ThreadingHTTPServer``s with keep-alive, started in a daemon thread by ``with``; each
request is answered from memory under a lock.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from solders.pubkey import Pubkey
from solders.signature import Signature

from chaindb.tips.verify import WSOL_MINT

SYSTEM_PROGRAM = "11111111111111111111111111111111"
TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
ASSOCIATED_TOKEN_PROGRAM = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
#: A recorded JSON-RPC error of an RPC node that fell behind (Helius answers it while catching up).
NODE_BEHIND = {"code": -32005, "message": "Node is behind by 42 slots", "data": {"numSlotsBehind": 42}}


def pubkey(seed: str) -> str:
    """A deterministic, valid Solana public key for a name (sha256 of it)."""
    return str(Pubkey(hashlib.sha256(seed.encode()).digest()))


def signature(seed: str) -> str:
    """A deterministic, valid transaction signature for a name (64 bytes from sha256)."""
    digest = hashlib.sha256(seed.encode()).digest()
    return str(Signature(digest + hashlib.sha256(digest).digest()))


def associated_token_account(owner: str, mint: str) -> str:
    """The owner's associated token account of a mint (the address wallets send tokens to)."""
    seeds = [bytes(Pubkey.from_string(k)) for k in (owner, TOKEN_PROGRAM, mint)]
    return str(Pubkey.find_program_address(seeds, Pubkey.from_string(ASSOCIATED_TOKEN_PROGRAM))[0])


def _answer(sig: str, slot: int, block_time: int, keys: list[str], header: dict[str, int],
            instructions: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    """A getTransaction result in JSON encoding, as mainnet nodes answer it (version 0, no lookups)."""
    return {
        "blockTime": block_time,
        "meta": {
            "computeUnitsConsumed": 150 if meta.get("postTokenBalances") == [] else 4644,
            "err": None,
            "fee": 5000,
            "innerInstructions": [],
            "loadedAddresses": {"readonly": [], "writable": []},
            "logMessages": [f"Program {instructions[0]['program']} invoke [1]",
                            f"Program {instructions[0]['program']} success"],
            "rewards": [],
            "status": {"Ok": None},
            **meta,
        },
        "slot": slot,
        "transaction": {
            "message": {
                "accountKeys": keys,
                "addressTableLookups": [],
                "header": header,
                "instructions": [
                    {"accounts": i["accounts"], "data": i["data"], "programIdIndex": keys.index(i["program"]),
                     "stackHeight": None}
                    for i in instructions
                ],
                "recentBlockhash": "Gc6vVEQaBZjFBmMVvujnbbqpcgASXed8JCDFpK4LZmKb",
            },
            "signatures": [sig],
        },
        "version": 0,
    }


def sol_transfer(sig: str, signer: str, destination: str, lamports: int, *, slot: int = 312_000_000,
                 block_time: int = 1_736_000_000, failed: bool = False) -> dict[str, Any]:
    """A recorded System Program transfer of ``lamports`` from ``signer`` (fee payer) to ``destination``;
    with ``failed`` the transaction errored (meta.err set, no transfer)."""
    moved = 0 if failed else lamports
    answer = _answer(
        sig, slot, block_time, [signer, destination, SYSTEM_PROGRAM],
        {"numReadonlySignedAccounts": 0, "numReadonlyUnsignedAccounts": 1, "numRequiredSignatures": 1},
        [{"program": SYSTEM_PROGRAM, "accounts": [0, 1], "data": "3Bxs4NN8M2Yn4TLb"}],
        {
            "preBalances": [50_000_000_000, 10_000_000_000, 1],
            "postBalances": [50_000_000_000 - moved - 5000, 10_000_000_000 + moved, 1],
            "preTokenBalances": [],
            "postTokenBalances": [],
        },
    )
    if failed:
        answer["meta"]["err"] = {"InstructionError": [0, {"Custom": 1}]}
        answer["meta"]["status"] = {"Err": {"InstructionError": [0, {"Custom": 1}]}}
    return answer


def token_transfer(sig: str, signer: str, destination: str, mint: str, amount: int, *, decimals: int = 6,
                   slot: int = 312_000_000, block_time: int = 1_736_000_000) -> dict[str, Any]:
    """A recorded SPL Token transfer of ``amount`` (smallest unit) of ``mint`` from the signer's associated
    token account to the destination owner's."""
    source, target = associated_token_account(signer, mint), associated_token_account(destination, mint)

    def balance(index: int, owner: str, units: int) -> dict[str, Any]:
        ui = units / 10**decimals
        return {"accountIndex": index, "mint": mint, "owner": owner, "programId": TOKEN_PROGRAM,
                "uiTokenAmount": {"amount": str(units), "decimals": decimals, "uiAmount": ui,
                                  "uiAmountString": f"{ui:g}"}}

    return _answer(
        sig, slot, block_time, [signer, source, target, TOKEN_PROGRAM],
        {"numReadonlySignedAccounts": 0, "numReadonlyUnsignedAccounts": 1, "numRequiredSignatures": 1},
        [{"program": TOKEN_PROGRAM, "accounts": [1, 2, 0], "data": "3DdGGhkhJbjm"}],
        {
            "preBalances": [50_000_000_000, 2_039_280, 2_039_280, 934_087_680],
            "postBalances": [49_999_995_000, 2_039_280, 2_039_280, 934_087_680],
            "preTokenBalances": [balance(1, signer, 900_000_000), balance(2, destination, 5_000_000)],
            "postTokenBalances": [
                balance(1, signer, 900_000_000 - amount), balance(2, destination, 5_000_000 + amount)
            ],
        },
    )


def transfer(sig: str, signer: str, destination: str, mint: str, amount: int, **kwargs: Any) -> dict[str, Any]:
    """:func:`sol_transfer` for the wrapped SOL mint, else :func:`token_transfer`."""
    if mint == WSOL_MINT:
        return sol_transfer(sig, signer, destination, amount, **kwargs)
    return token_transfer(sig, signer, destination, mint, amount, **kwargs)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the clients pool connections
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _reply(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"null")


class _Serving:
    """Runs a handler on 127.0.0.1, a free port, in a daemon thread while the ``with`` lasts."""

    handler: type[_Handler]

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._server: _Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "not serving: use `with`"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> _Serving:
        owner = self

        class Bound(self.handler):  # type: ignore[name-defined, misc]
            fake = owner

        self._server = _Server(("127.0.0.1", 0), Bound)
        threading.Thread(target=self._server.serve_forever, name=type(self).__name__, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
        self._server = None


#: A recorded answer: ("result", getTransaction result or None) | ("error", JSON-RPC error) | ("http", status).
Answer = tuple[str, Any]


class _RpcHandler(_Handler):
    fake: FakeSolanaRpc

    def do_POST(self) -> None:
        request = self._body()
        if request.get("method") != "getTransaction":
            self._reply(200, {"jsonrpc": "2.0", "id": request.get("id"),
                              "error": {"code": -32601, "message": "Method not found"}})
            return
        sig = request["params"][0]
        with self.fake.lock:
            self.fake.requests[sig] += 1
            kind, value = self.fake.answers.get(sig, ("result", None))
        if kind == "http":
            self._reply(value, {"error": "unavailable"})
        elif kind == "error":
            self._reply(200, {"jsonrpc": "2.0", "id": request["id"], "error": value})
        else:
            self._reply(200, {"jsonrpc": "2.0", "id": request["id"], "result": value})


class FakeSolanaRpc(_Serving):
    """A JSON-RPC node that answers ``getTransaction`` from :attr:`answers` (by signature; unknown
    signatures are not found) and counts :attr:`requests` per signature."""

    handler = _RpcHandler

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[str, Answer] = {}
        self.requests: Counter[str] = Counter()

    def __enter__(self) -> FakeSolanaRpc:
        super().__enter__()
        return self

    def found(self, sig: str, result: dict[str, Any]) -> None:
        self.answers[sig] = ("result", result)

    def not_found(self, sig: str) -> None:
        self.answers[sig] = ("result", None)

    def error(self, sig: str, error: dict[str, Any] = NODE_BEHIND) -> None:
        self.answers[sig] = ("error", error)

    def http_error(self, sig: str, status: int = 503) -> None:
        self.answers[sig] = ("http", status)


@dataclass
class ReflectPayout:
    """A payout as the fake Reflect holds it."""

    id: str
    key: str
    body: dict[str, Any]
    status: str
    error: str | None = None
    #: the status a GET reports next (a queued payout settles when asked, unless told otherwise)
    then: str | None = None
    polls: int = 0

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "error": self.error, "amount": self.body.get("amount"),
                "currency": self.body.get("currency"), "recipient": self.body.get("recipient"),
                "reference": self.body.get("reference")}


#: What the fake does with a new payout request: ("settled" | "queued" | "failed" | "cancelled", then)
#: with ``then`` the status a later GET reports; or ("reject", message) for a 422, ("unavailable", None) for a 503.
Decision = tuple[str, str | None]


def settle_at_once(body: dict[str, Any]) -> Decision:
    return ("settled", None)


class _ReflectHandler(_Handler):
    fake: FakeReflect

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.fake.api_key}":
            self._reply(401, {"error": "unauthorized"})
            return False
        return True

    def do_POST(self) -> None:
        body = self._body()
        if not self._authorized():
            return
        if self.path != "/v1/payouts":
            self._reply(404, {"error": "not found"})
            return
        key = self.headers.get("Idempotency-Key")
        if not key:
            self._reply(400, {"error": "Idempotency-Key is required"})
            return
        with self.fake.lock:
            self.fake.posts[key] += 1
            existing = self.fake.by_key.get(key)
            if existing is not None:
                self._reply(200, existing.json())
                return
            decision, detail = self.fake.decide(body)
            if decision == "unavailable":
                self._reply(503, {"error": "try again later"})
                return
            if decision == "reject":
                self._reply(422, {"error": detail or "rejected"})
                return
            payout = ReflectPayout(
                id="rfl_" + hashlib.sha256(key.encode()).hexdigest()[:24], key=key, body=body, status=decision,
                error=f"recipient {body.get('recipient')} cannot receive {body.get('currency')}"
                if decision == "failed" else None,
                then=detail,
            )
            self.fake.by_key[key] = payout
            self.fake.by_id[payout.id] = payout
        self._reply(201, payout.json())

    def do_GET(self) -> None:
        if not self._authorized():
            return
        with self.fake.lock:
            payout = self.fake.by_id.get(self.path.removeprefix("/v1/payouts/"))
            if payout is not None:
                payout.polls += 1
                if payout.status == "queued" and payout.then:
                    payout.status = payout.then
                    if payout.status in ("failed", "cancelled"):
                        payout.error = f"payout {payout.status} by the provider"
                answer = payout.json()
        if payout is None:
            self._reply(404, {"error": "no such payout"})
        else:
            self._reply(200, answer)


@dataclass
class FakeReflect(_Serving):
    """Reflect's payout API in memory: idempotent on ``Idempotency-Key``, with a bearer API key.
    :attr:`decide` chooses each new payout's fate from the request body (default: settled at once)."""

    api_key: str = "test-reflect-key"
    decide: Callable[[dict[str, Any]], Decision] = settle_at_once
    by_key: dict[str, ReflectPayout] = field(default_factory=dict)
    by_id: dict[str, ReflectPayout] = field(default_factory=dict)
    posts: Counter[str] = field(default_factory=Counter)
    handler = _ReflectHandler

    def __post_init__(self) -> None:
        super().__init__()

    def __enter__(self) -> FakeReflect:
        super().__enter__()
        return self

    def remember(self, payout_id: str, status: str = "queued", key: str | None = None) -> None:
        """A payout Reflect holds from before (e.g. a fixture's queued payout), known by its id."""
        payout = ReflectPayout(id=payout_id, key=key or payout_id, body={}, status=status)
        with self.lock:
            self.by_id[payout_id] = payout
            self.by_key[payout.key] = payout


@contextmanager
def serving() -> Iterator[tuple[FakeSolanaRpc, FakeReflect]]:
    """Both fakes, started and stopped together."""
    with FakeSolanaRpc() as rpc, FakeReflect() as reflect:
        yield rpc, reflect

