-- depends: 0027_cocopay_transactions_store_list_index
-- transactional: false
-- The index behind analytics_event_list_by_user (queries/cocopay/analytics_events.sql): a user's newest events
-- (issue 14: "newest N of a parent" read N rows, not every row of the parent or a filtered walk
-- of the whole table). Built CONCURRENTLY: the table stays writable; outside a transaction.

-- yoyo runs this file outside a transaction (transactional: false above).
-- squawk-ignore ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY analytics_events_user_id_created_at_id_idx ON cocopay.analytics_events (user_id, created_at DESC, id)
WHERE user_id IS NOT NULL;

COMMENT ON INDEX cocopay.analytics_events_user_id_created_at_id_idx IS
'A user''s events newest first (created_at DESC, id): analytics_event_list_by_user reads its N newest rows and stops.';
