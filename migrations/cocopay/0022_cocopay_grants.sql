-- depends: 0021_cocopay_store_daily_stats
-- Privileges of schema cocopay (roles: migrations/roles.sql).
--   PUBLIC            nothing. The REVOKEs below are a safety net: tables are never
--                     granted to PUBLIC, and 0001_common_extensions revoked the owner's
--                     default EXECUTE/USAGE for PUBLIC, so they change nothing and the
--                     rollback has nothing to give back.
--   chaindb_app       USAGE on the schema and its types; SELECT, INSERT, UPDATE on the
--                     tables it writes; DELETE only where rows are meant to go away
--                     (sessions: logout and expiry clean-up; passkeys: a user removes a
--                     device; store_members: a member leaves a team). analytics_events and
--                     audit_logs are append-only (SELECT, INSERT). signing_keys: the key
--                     material is never rewritten, only is_active/revoked_at are updatable.
--                     Users and stores are not deleted by the app (DBA task: deleting
--                     cascades widely). EXECUTE on the functions it calls: the column default
--                     generate_confirmation_code, ll_to_earth (index expression of stores and
--                     nearby queries) and refresh_store_daily_stats. Trigger functions need no
--                     grant.
--   chaindb_readonly  USAGE on the schema and its types; SELECT on every table and on
--                     store_daily_stats, except the secret columns
--                     signing_keys.encrypted_private_key and sessions.token_hash (column-level
--                     grants on those two tables); EXECUTE on ll_to_earth.

REVOKE ALL ON ALL TABLES IN SCHEMA cocopay FROM PUBLIC;

REVOKE ALL ON ALL SEQUENCES IN SCHEMA cocopay FROM PUBLIC;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA cocopay FROM PUBLIC;

GRANT USAGE ON SCHEMA cocopay TO chaindb_app, chaindb_readonly;

GRANT USAGE ON TYPE
cocopay.auth_method,
cocopay.store_role,
cocopay.transaction_type,
cocopay.transaction_status,
cocopay.deployment_status,
cocopay.payout_type,
cocopay.payout_status,
cocopay.custody_status,
cocopay.chain_id
TO chaindb_app, chaindb_readonly;

GRANT SELECT, INSERT, UPDATE ON TABLE
cocopay.users,
cocopay.smart_accounts,
cocopay.stores,
cocopay.store_deployments,
cocopay.token_balances,
cocopay.transactions,
cocopay.loans,
cocopay.payouts,
cocopay.feature_flags
TO chaindb_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE
cocopay.sessions,
cocopay.passkeys,
cocopay.store_members
TO chaindb_app;

GRANT SELECT, INSERT ON TABLE cocopay.signing_keys, cocopay.analytics_events, cocopay.audit_logs TO chaindb_app;

GRANT UPDATE (is_active, revoked_at) ON TABLE cocopay.signing_keys TO chaindb_app;

GRANT SELECT ON TABLE cocopay.store_daily_stats TO chaindb_app;

GRANT EXECUTE ON FUNCTION
cocopay.generate_confirmation_code(),
cocopay.ll_to_earth(double precision, double precision),
cocopay.refresh_store_daily_stats()
TO chaindb_app;

GRANT SELECT ON TABLE
cocopay.users,
cocopay.passkeys,
cocopay.smart_accounts,
cocopay.stores,
cocopay.store_deployments,
cocopay.store_members,
cocopay.token_balances,
cocopay.transactions,
cocopay.loans,
cocopay.payouts,
cocopay.analytics_events,
cocopay.feature_flags,
cocopay.audit_logs,
cocopay.store_daily_stats
TO chaindb_readonly;

GRANT SELECT (id, user_id, auth_method, device_info, ip_address, expires_at, revoked_at, created_at)
ON TABLE cocopay.sessions TO chaindb_readonly;

GRANT SELECT (id, user_id, address, is_active, revoked_at, created_at)
ON TABLE cocopay.signing_keys TO chaindb_readonly;

GRANT EXECUTE ON FUNCTION cocopay.ll_to_earth(double precision, double precision) TO chaindb_readonly;
