"""The ``game_market`` schema: generated queries (``queries/``) and hand-written helpers."""
