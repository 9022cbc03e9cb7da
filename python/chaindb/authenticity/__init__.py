"""The ``authenticity`` schema: generated queries (``queries.py``) and hand-written helpers."""
