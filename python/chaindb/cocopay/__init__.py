"""The ``cocopay`` schema: generated queries (``queries.py``) and hand-written helpers."""
