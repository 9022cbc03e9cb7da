"""The ``tips`` schema: generated queries (``queries/``), the on-chain check (``verify``), the Reflect client
(``reflect``), the verification and payout worker (``worker``) and local stand-ins for the RPC node and
Reflect (``fakes``)."""
