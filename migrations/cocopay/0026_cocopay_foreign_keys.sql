-- depends: 0025_cocopay_declared_rules
-- ON DELETE stated for every foreign key (CONVENTIONS.md). The migrations that created these eight
-- left it out; each is NO ACTION (the default), which is right: they point from payment history,
-- append-only events and invitations to users and stores, which must not vanish under them (the
-- other ten cascade from the user or store that owns the rows). A landed migration is not edited, so
-- the choice is stated where the catalog keeps it: the constraint's comment, 'ON DELETE NO ACTION:
-- <why>' (tests/python/test_conventions.py checks every NO ACTION foreign key says so). No behaviour
-- changes.

COMMENT ON CONSTRAINT store_members_invited_by_fkey ON cocopay.store_members IS
'ON DELETE NO ACTION: a user who invited members is not deleted while an invitation names them (deleting users is a DBA task).';

COMMENT ON CONSTRAINT token_balances_store_id_fkey ON cocopay.token_balances IS
'ON DELETE NO ACTION: a store whose token balances are cached is not deleted (stores are not deleted by the app).';

COMMENT ON CONSTRAINT transactions_from_user_id_fkey ON cocopay.transactions IS
'ON DELETE NO ACTION: transactions are payment history: their payer is not deleted.';

COMMENT ON CONSTRAINT transactions_to_user_id_fkey ON cocopay.transactions IS
'ON DELETE NO ACTION: transactions are payment history: their payee is not deleted.';

COMMENT ON CONSTRAINT transactions_store_id_fkey ON cocopay.transactions IS
'ON DELETE NO ACTION: transactions are payment history: their store is not deleted.';

COMMENT ON CONSTRAINT payouts_requested_by_fkey ON cocopay.payouts IS
'ON DELETE NO ACTION: payouts are payment history: whoever requested one is not deleted.';

COMMENT ON CONSTRAINT analytics_events_user_id_fkey ON cocopay.analytics_events IS
'ON DELETE NO ACTION: analytics events are append-only: a user with events is not deleted.';

COMMENT ON CONSTRAINT audit_logs_user_id_fkey ON cocopay.audit_logs IS
'ON DELETE NO ACTION: the audit trail is append-only: a user it names is not deleted.';
