-- depends: 0029_cocopay_audit_logs_user_list_index
-- transactional: false
-- The index behind payout_list_open (queries/cocopay/payouts.sql): the oldest open payouts
-- (issue 14: "newest N of a parent" read N rows, not every row of the parent or a filtered walk
-- of the whole table). Built CONCURRENTLY: the table stays writable; outside a transaction.

-- yoyo runs this file outside a transaction (transactional: false above).
-- squawk-ignore ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY payouts_created_at_id_idx ON cocopay.payouts (created_at, id)
WHERE status IN ('pending', 'processing');

COMMENT ON INDEX cocopay.payouts_created_at_id_idx IS
'Open payouts (pending, processing) oldest first (created_at, id): payout_list_open reads its N oldest and stops.';
