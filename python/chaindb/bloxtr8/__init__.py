"""The ``bloxtr8`` schema: generated queries (``queries/``) and hand-written helpers."""
