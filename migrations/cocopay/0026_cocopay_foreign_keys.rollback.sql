-- Undoes 0026_cocopay_foreign_keys: these constraints had no comment.

COMMENT ON CONSTRAINT store_members_invited_by_fkey ON cocopay.store_members IS NULL;

COMMENT ON CONSTRAINT token_balances_store_id_fkey ON cocopay.token_balances IS NULL;

COMMENT ON CONSTRAINT transactions_from_user_id_fkey ON cocopay.transactions IS NULL;

COMMENT ON CONSTRAINT transactions_to_user_id_fkey ON cocopay.transactions IS NULL;

COMMENT ON CONSTRAINT transactions_store_id_fkey ON cocopay.transactions IS NULL;

COMMENT ON CONSTRAINT payouts_requested_by_fkey ON cocopay.payouts IS NULL;

COMMENT ON CONSTRAINT analytics_events_user_id_fkey ON cocopay.analytics_events IS NULL;

COMMENT ON CONSTRAINT audit_logs_user_id_fkey ON cocopay.audit_logs IS NULL;
