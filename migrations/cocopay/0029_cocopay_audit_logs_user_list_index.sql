-- depends: 0028_cocopay_analytics_events_user_list_index
-- transactional: false
-- The index behind audit_log_list_by_user (queries/cocopay/audit_logs.sql): a user's newest audit entries
-- (issue 14: "newest N of a parent" read N rows, not every row of the parent or a filtered walk
-- of the whole table). Built CONCURRENTLY: the table stays writable; outside a transaction.

-- yoyo runs this file outside a transaction (transactional: false above).
-- squawk-ignore ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY audit_logs_user_id_created_at_id_idx ON cocopay.audit_logs (user_id, created_at DESC, id);

COMMENT ON INDEX cocopay.audit_logs_user_id_created_at_id_idx IS
'A user''s audit entries newest first (created_at DESC, id): audit_log_list_by_user reads its N newest rows and stops.';
