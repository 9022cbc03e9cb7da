"""The project's error hierarchy and its SQLSTATEs.

Project SQLSTATEs are class ``CD``. This table is the one list of them: SQL
functions and triggers raise them (``RAISE ... USING ERRCODE = 'CD001'``), and
each maps to one exception class below. Add a new code here, at the end of the
table, before using it in SQL.

| SQLSTATE | name                  | raised when                                                        |
|----------|-----------------------|--------------------------------------------------------------------|
| CD001    | forbidden_transition  | a status change the state machine does not allow (DETAIL: from/to)  |
| CD002    | idempotency_conflict  | an idempotency key is reused with a different payload              |
| CD003    | immutable             | an update touches a row or column that may not change              |
| CD004    | counter_regression    | a counter that may only grow would decrease                        |
| CD005    | not_found             | a function's target row does not exist                             |
| CD006    | expired               | an operation comes after its deadline                              |
| CD007    | precondition_failed   | the operation is not allowed in the row's current state            |
| CD008    | secret_retained       | purged secret data would be kept or written back                   |
"""

from __future__ import annotations

PROJECT_SQLSTATES: dict[str, str] = {
    "CD001": "forbidden_transition",
    "CD002": "idempotency_conflict",
    "CD003": "immutable",
    "CD004": "counter_regression",
    "CD005": "not_found",
    "CD006": "expired",
    "CD007": "precondition_failed",
    "CD008": "secret_retained",
}
