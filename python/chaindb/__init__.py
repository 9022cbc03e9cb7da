"""chaindb: the PostgreSQL data layer of five on-chain payment products.

``chaindb.connect()`` / ``chaindb.async_connect()`` open a connection and ``chaindb.pool()`` /
``chaindb.async_pool()`` a pool, from ``DATABASE_URL`` or else the embedded server
(see :mod:`chaindb.db`). The typed queries are in ``chaindb.<schema>.queries``.
"""

from chaindb.db import async_connect, async_pool, connect, pool

__all__ = ["async_connect", "async_pool", "connect", "pool"]
