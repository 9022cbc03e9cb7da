-- Undoes the GRANTs of 0022_cocopay_grants. Its REVOKEs from PUBLIC revoked nothing
-- that existed (see there), so nothing is granted back to PUBLIC.

REVOKE EXECUTE ON FUNCTION cocopay.ll_to_earth(double precision, double precision) FROM chaindb_readonly;

REVOKE SELECT (id, user_id, address, is_active, revoked_at, created_at)
ON TABLE cocopay.signing_keys FROM chaindb_readonly;

REVOKE SELECT (id, user_id, auth_method, device_info, ip_address, expires_at, revoked_at, created_at)
ON TABLE cocopay.sessions FROM chaindb_readonly;

REVOKE SELECT ON TABLE
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
FROM chaindb_readonly;

REVOKE EXECUTE ON FUNCTION
cocopay.generate_confirmation_code(),
cocopay.ll_to_earth(double precision, double precision),
cocopay.refresh_store_daily_stats()
FROM chaindb_app;

REVOKE SELECT ON TABLE cocopay.store_daily_stats FROM chaindb_app;

REVOKE UPDATE (is_active, revoked_at) ON TABLE cocopay.signing_keys FROM chaindb_app;

REVOKE SELECT, INSERT ON TABLE cocopay.signing_keys, cocopay.analytics_events, cocopay.audit_logs FROM chaindb_app;

REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLE
cocopay.sessions,
cocopay.passkeys,
cocopay.store_members
FROM chaindb_app;

REVOKE SELECT, INSERT, UPDATE ON TABLE
cocopay.users,
cocopay.smart_accounts,
cocopay.stores,
cocopay.store_deployments,
cocopay.token_balances,
cocopay.transactions,
cocopay.loans,
cocopay.payouts,
cocopay.feature_flags
FROM chaindb_app;

REVOKE USAGE ON TYPE
cocopay.auth_method,
cocopay.store_role,
cocopay.transaction_type,
cocopay.transaction_status,
cocopay.deployment_status,
cocopay.payout_type,
cocopay.payout_status,
cocopay.custody_status,
cocopay.chain_id
FROM chaindb_app, chaindb_readonly;

REVOKE USAGE ON SCHEMA cocopay FROM chaindb_app, chaindb_readonly;
