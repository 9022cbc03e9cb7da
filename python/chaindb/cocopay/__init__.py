"""The ``cocopay`` schema: generated queries (``queries/``) and hand-written helpers."""
