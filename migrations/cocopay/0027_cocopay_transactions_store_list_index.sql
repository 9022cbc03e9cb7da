-- depends: 0026_cocopay_foreign_keys
-- transactional: false
-- The index behind transaction_list_by_store (queries/cocopay/transactions.sql): a store's newest transactions
-- (issue 14: "newest N of a parent" read N rows, not every row of the parent or a filtered walk
-- of the whole table). Built CONCURRENTLY: the table stays writable; outside a transaction.

-- yoyo runs this file outside a transaction (transactional: false above).
-- squawk-ignore ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY transactions_store_id_created_at_id_idx ON cocopay.transactions (store_id, created_at DESC, id);

COMMENT ON INDEX cocopay.transactions_store_id_created_at_id_idx IS
'A store''s transactions newest first (created_at DESC, id): transaction_list_by_store reads its N newest rows and stops.';
