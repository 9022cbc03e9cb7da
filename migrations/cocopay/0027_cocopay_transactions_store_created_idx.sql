-- depends: 0026_cocopay_foreign_keys
-- transactional: false
-- A store's transactions, newest first (queries/cocopay/transactions.sql: transaction_list_by_store and each
-- variant of transaction_search that filters by store): an index in exactly that order, so such a listing reads
-- only the rows it returns instead of walking idx_transactions_created and filtering by store. Built
-- CONCURRENTLY: writes to cocopay.transactions go on while it builds (statement by statement, outside a
-- transaction: squawk assumes one for every file, .squawk.toml).

-- squawk-ignore ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY transactions_store_id_created_at_idx
ON cocopay.transactions (store_id, created_at DESC, id);

COMMENT ON INDEX cocopay.transactions_store_id_created_at_idx IS
'A store''s transactions newest first (ORDER BY created_at DESC, id): store listings read only what they return.';
