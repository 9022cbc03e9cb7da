-- depends: 0034_cocopay_definer_account_functions
-- chaindb_app: column-level grants, only what the application truly writes (0022 gave it
-- whole-table INSERT and UPDATE, which let it confirm a payment without its code, rewrite a
-- confirmed payment, or insert a payout for a store it does not manage).
--
--   table              INSERT (columns)                     UPDATE (columns)
--   transactions       -                                    -          (functions of 0033, 0034)
--   payouts            -                                    -          (functions of 0033, 0034)
--   smart_accounts     -                                    -          (functions of 0033, 0034)
--   store_members      -                                    -          (functions; no DELETE either: no query
--                                                                      removes a member, and deleting the owner's
--                                                                      row would leave the store without one)
--   stores             -           (create_store)           the profile and deployment_status (its
--                                                           state machine is a trigger, 0019)
--   users              phone, name, email, locale,          name, email, locale, preferred_chain_id,
--                      preferred_chain_id, backup_owner_phone   backup_owner_phone, last_active_at
--   sessions           user_id, token_hash, auth_method,    -          (revoke_session; DELETE kept)
--                      device_info, ip_address, expires_at
--   passkeys           user_id, credential_id, public_key,  sign_count (never decreases: trigger 0020),
--                      sign_count, derived_address,         last_used_at, device_name (DELETE kept)
--                      device_name
--   signing_keys       user_id, encrypted_private_key,      is_active, revoked_at (as in 0022)
--                      address
--   store_deployments  store_id, chain_id, project_id,      project_id, token_address, terminal_address,
--                      token_address, terminal_address,     status (state machine: trigger 0019),
--                      bundle_id                            bundle_id, deploy_tx_hash, error_message,
--                                                           deployed_at (reported from the chain)
--   token_balances     user_id, chain_id, token_address,    store_id, balance, balance_usd,
--                      store_id, balance, balance_usd,      last_synced_at, last_synced_block
--                      last_synced_block
--   loans              every column but id, is_active,      is_active, repaid_at, repayment_tx_hash
--                      repaid_at, repayment_tx_hash,        (reported from the chain)
--                      created_at
--   feature_flags      name, description, enabled, rules    description, enabled, rules
--   analytics_events,  every column but id and created_at   -          (append-only)
--   audit_logs
-- Never granted: id, created_at and updated_at (defaults and triggers: the database's clock),
-- users.phone_verified_at (verify_user_phone), sessions.revoked_at (revoke_session).
-- SELECT stays on every table; chaindb_readonly is unchanged.
-- Also: the secret columns carry the marker the catalog lint reads (a COMMENT starting with
-- 'SECRET.'), as authenticity.codes.code_plaintext does.

REVOKE INSERT, UPDATE ON TABLE
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
FROM chaindb_app;

REVOKE INSERT ON TABLE cocopay.signing_keys, cocopay.analytics_events, cocopay.audit_logs FROM chaindb_app;

REVOKE DELETE ON TABLE cocopay.store_members FROM chaindb_app;

GRANT INSERT (phone, name, email, locale, preferred_chain_id, backup_owner_phone),
UPDATE (name, email, locale, preferred_chain_id, backup_owner_phone, last_active_at)
ON TABLE cocopay.users TO chaindb_app;

GRANT INSERT (user_id, token_hash, auth_method, device_info, ip_address, expires_at)
ON TABLE cocopay.sessions TO chaindb_app;

GRANT INSERT (user_id, credential_id, public_key, sign_count, derived_address, device_name),
UPDATE (sign_count, last_used_at, device_name)
ON TABLE cocopay.passkeys TO chaindb_app;

GRANT INSERT (user_id, encrypted_private_key, address) ON TABLE cocopay.signing_keys TO chaindb_app;

GRANT UPDATE (
    name, symbol, category, description, latitude, longitude, address, deployment_status, website, instagram,
    qr_code_url, short_code
)
ON TABLE cocopay.stores TO chaindb_app;

GRANT INSERT (store_id, chain_id, project_id, token_address, terminal_address, bundle_id),
UPDATE (
    project_id, token_address, terminal_address, status, bundle_id, deploy_tx_hash, error_message, deployed_at
)
ON TABLE cocopay.store_deployments TO chaindb_app;

GRANT INSERT (user_id, chain_id, token_address, store_id, balance, balance_usd, last_synced_block),
UPDATE (store_id, balance, balance_usd, last_synced_at, last_synced_block)
ON TABLE cocopay.token_balances TO chaindb_app;

GRANT INSERT (
    user_id, chain_id, loan_id_onchain, collateral, collateral_usd_at_origination, borrow_amount,
    borrow_amount_usd, prepaid_fee_percent, prepaid_duration_seconds, project_id, token_address,
    origination_tx_hash
),
UPDATE (is_active, repaid_at, repayment_tx_hash)
ON TABLE cocopay.loans TO chaindb_app;

GRANT INSERT (name, description, enabled, rules), UPDATE (description, enabled, rules)
ON TABLE cocopay.feature_flags TO chaindb_app;

GRANT INSERT (event_name, properties, user_id, session_id, device_id, ip_address, user_agent)
ON TABLE cocopay.analytics_events TO chaindb_app;

GRANT INSERT (
    user_id, ip_address, user_agent, action, resource_type, resource_id, old_values, new_values, metadata
)
ON TABLE cocopay.audit_logs TO chaindb_app;

COMMENT ON COLUMN cocopay.sessions.token_hash IS
'SECRET. SHA-256 of the JWT, 64 lowercase hex digits; the token itself is never stored. chaindb_readonly cannot '
'read it.';

COMMENT ON COLUMN cocopay.signing_keys.encrypted_private_key IS
'SECRET. AES-256-GCM ciphertext of the EOA private key (the encryption key is never in the database). '
'chaindb_readonly cannot read it.';
