"""Run every product's demo flow: ``python -m chaindb.demo`` (``make demo`` migrates first).

Connects with ``chaindb.db.connect()``: ``DATABASE_URL``, else the embedded server.
To add a product, import its flow module and append its ``run`` to ``FLOWS``.
"""

from __future__ import annotations

import sys

from chaindb import db
from chaindb.demo import Flow, Reporter, authenticity, cocopay

#: (product, flow), in order. One line per product.
FLOWS: list[tuple[str, Flow]] = [
    ("cocopay", cocopay.run),
    ("authenticity", authenticity.run),
]


def main() -> int:
    failed = 0
    with db.connect(autocommit=True) as conn:
        for product, flow in FLOWS:
            report = Reporter(product)
            try:
                flow(conn, report)
            except Exception as exc:  # report it and go on with the next product
                report.failed("flow stopped", exc)
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
