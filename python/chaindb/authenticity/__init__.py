"""The ``authenticity`` schema: generated queries (``queries/``) and hand-written helpers."""
