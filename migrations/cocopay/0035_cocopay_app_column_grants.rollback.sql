-- Undoes 0035: the column grants revoked, the whole-table grants of 0022 given back, the
-- comments of 0004 and 0007 restored.

COMMENT ON COLUMN cocopay.signing_keys.encrypted_private_key IS
'AES-256-GCM ciphertext of the EOA private key (the encryption key is never in the database). Secret.';

COMMENT ON COLUMN cocopay.sessions.token_hash IS
'SHA-256 of the JWT, 64 lowercase hex digits; the token itself is never stored. Secret.';

REVOKE INSERT (
    user_id, ip_address, user_agent, action, resource_type, resource_id, old_values, new_values, metadata
)
ON TABLE cocopay.audit_logs FROM chaindb_app;

REVOKE INSERT (event_name, properties, user_id, session_id, device_id, ip_address, user_agent)
ON TABLE cocopay.analytics_events FROM chaindb_app;

REVOKE INSERT (name, description, enabled, rules), UPDATE (description, enabled, rules)
ON TABLE cocopay.feature_flags FROM chaindb_app;

REVOKE INSERT (
    user_id, chain_id, loan_id_onchain, collateral, collateral_usd_at_origination, borrow_amount,
    borrow_amount_usd, prepaid_fee_percent, prepaid_duration_seconds, project_id, token_address,
    origination_tx_hash
),
UPDATE (is_active, repaid_at, repayment_tx_hash)
ON TABLE cocopay.loans FROM chaindb_app;

REVOKE INSERT (user_id, chain_id, token_address, store_id, balance, balance_usd, last_synced_block),
UPDATE (store_id, balance, balance_usd, last_synced_at, last_synced_block)
ON TABLE cocopay.token_balances FROM chaindb_app;

REVOKE INSERT (store_id, chain_id, project_id, token_address, terminal_address, bundle_id),
UPDATE (
    project_id, token_address, terminal_address, status, bundle_id, deploy_tx_hash, error_message, deployed_at
)
ON TABLE cocopay.store_deployments FROM chaindb_app;

REVOKE UPDATE (
    name, symbol, category, description, latitude, longitude, address, deployment_status, website, instagram,
    qr_code_url, short_code
)
ON TABLE cocopay.stores FROM chaindb_app;

REVOKE INSERT (user_id, encrypted_private_key, address) ON TABLE cocopay.signing_keys FROM chaindb_app;

REVOKE INSERT (user_id, credential_id, public_key, sign_count, derived_address, device_name),
UPDATE (sign_count, last_used_at, device_name)
ON TABLE cocopay.passkeys FROM chaindb_app;

REVOKE INSERT (user_id, token_hash, auth_method, device_info, ip_address, expires_at)
ON TABLE cocopay.sessions FROM chaindb_app;

REVOKE INSERT (phone, name, email, locale, preferred_chain_id, backup_owner_phone),
UPDATE (name, email, locale, preferred_chain_id, backup_owner_phone, last_active_at)
ON TABLE cocopay.users FROM chaindb_app;

GRANT DELETE ON TABLE cocopay.store_members TO chaindb_app;

GRANT INSERT ON TABLE cocopay.signing_keys, cocopay.analytics_events, cocopay.audit_logs TO chaindb_app;

GRANT INSERT, UPDATE ON TABLE
cocopay.users,
cocopay.smart_accounts,
cocopay.stores,
cocopay.store_deployments,
cocopay.token_balances,
cocopay.transactions,
cocopay.loans,
cocopay.payouts,
cocopay.feature_flags,
cocopay.sessions,
cocopay.passkeys,
cocopay.store_members
TO chaindb_app;
