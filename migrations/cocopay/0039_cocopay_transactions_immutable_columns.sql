-- depends: 0038_cocopay_checks_validate
-- A transaction's amount, parties, key and times never change once it is written, for every role
-- (issue 8: the application role lost its UPDATE grant in 0035; this binds the owner too):
-- declared with the common helper (CONVENTIONS.md), CD003 <table>_<column>_immutable.
--   fixed     type, amount_usd, from_user_id, to_user_id, store_id, chain_id, idempotency_key,
--             created_at
--   set once  confirmed_at (set by confirm_transaction; a confirmed payment keeps its time)
-- What may still change, through the rule functions only: status (its state machine), tx_hash,
-- block_number, error_code and error_message.

CALL common.define_immutable_columns(
    'cocopay.transactions',
    '{type, amount_usd, from_user_id, to_user_id, store_id, chain_id, idempotency_key, created_at}',
    '{confirmed_at}'
);
