-- depends: 0014_authenticity_verification_functions
-- Privileges. Nothing is granted to PUBLIC (the REVOKEs are no-ops on a fresh schema, kept
-- so that the intent is explicit). Rule-bearing writes go through the SECURITY DEFINER
-- functions, so chaindb_app writes directly only what carries no state machine:
--   manufacturers, skus, users           SELECT, INSERT and UPDATE of their plain columns
--   batches                              SELECT, INSERT and UPDATE of label, expiry, reward
--                                        target and on-chain pubkey (status via functions)
--   code_packs                           SELECT, INSERT (status via functions)
--   codes                                SELECT, INSERT (bulk COPY; purge via confirm_print)
--   user_wallets                         SELECT, INSERT (wallet linking)
--   verify_intents, verifications        SELECT only (append-only / via functions)
--   treasury_ops                         SELECT, INSERT (append-only)
--   functions                            EXECUTE on the rule functions and on the helpers
--                                        its CHECKs and triggers call
-- chaindb_readonly reads every table, except the secret codes.code_plaintext (column grants).

REVOKE ALL ON SCHEMA authenticity FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA authenticity FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA authenticity FROM PUBLIC;
REVOKE ALL ON DOMAIN authenticity.bytes32 FROM PUBLIC;
REVOKE ALL ON TYPE authenticity.manufacturer_status FROM PUBLIC;
REVOKE ALL ON TYPE authenticity.batch_status FROM PUBLIC;
REVOKE ALL ON TYPE authenticity.code_pack_status FROM PUBLIC;
REVOKE ALL ON TYPE authenticity.verify_intent_status FROM PUBLIC;
REVOKE ALL ON TYPE authenticity.verification_result FROM PUBLIC;
REVOKE ALL ON TYPE authenticity.treasury_op_type FROM PUBLIC;

GRANT USAGE ON SCHEMA authenticity TO chaindb_app, chaindb_readonly;
GRANT USAGE ON DOMAIN authenticity.bytes32 TO chaindb_app, chaindb_readonly;
GRANT USAGE ON TYPE authenticity.manufacturer_status TO chaindb_app, chaindb_readonly;
GRANT USAGE ON TYPE authenticity.batch_status TO chaindb_app, chaindb_readonly;
GRANT USAGE ON TYPE authenticity.code_pack_status TO chaindb_app, chaindb_readonly;
GRANT USAGE ON TYPE authenticity.verify_intent_status TO chaindb_app, chaindb_readonly;
GRANT USAGE ON TYPE authenticity.verification_result TO chaindb_app, chaindb_readonly;
GRANT USAGE ON TYPE authenticity.treasury_op_type TO chaindb_app, chaindb_readonly;

GRANT SELECT ON ALL TABLES IN SCHEMA authenticity TO chaindb_app;
GRANT INSERT (name, status, hmac_kms_key_id), UPDATE (name, status, hmac_kms_key_id)
ON authenticity.manufacturers TO chaindb_app;
GRANT INSERT (manufacturer_id, sku_code, sku_name, sku_hash), UPDATE (sku_name)
ON authenticity.skus TO chaindb_app;
GRANT INSERT (
    manufacturer_id, sku_id, batch_public_id, batch_label, expiry_date, reward_usd_target, onchain_batch_pubkey
),
UPDATE (batch_label, expiry_date, reward_usd_target, onchain_batch_pubkey)
ON authenticity.batches TO chaindb_app;
GRANT INSERT (pack_id, batch_id, quantity, download_expires_at) ON authenticity.code_packs TO chaindb_app;
GRANT INSERT (id, pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
ON authenticity.codes TO chaindb_app;
GRANT INSERT (email, privy_user_id), UPDATE (email, privy_user_id) ON authenticity.users TO chaindb_app;
GRANT INSERT (user_id, chain, wallet_pubkey) ON authenticity.user_wallets TO chaindb_app;
GRANT INSERT (type, pyusd_in, sol_out_lamports, jupiter_route, tx_signature)
ON authenticity.treasury_ops TO chaindb_app;

GRANT EXECUTE ON FUNCTION
authenticity.activate_batch(uuid, text, timestamptz),
authenticity.pause_batch(uuid),
authenticity.resume_batch(uuid),
authenticity.close_batch(uuid),
authenticity.mark_code_pack_ready(uuid),
authenticity.record_code_pack_download(uuid, timestamptz),
authenticity.confirm_print(uuid, timestamptz),
authenticity.issue_verify_intent(bytea, bigint, interval, timestamptz, text),
authenticity.confirm_verification(text, uuid, text, timestamptz),
authenticity.fail_verification(text, uuid, text, text, timestamptz),
authenticity.expire_verify_intents(timestamptz),
authenticity.is_solana_address(text),
authenticity.base58_takes_bytes(text, integer),
authenticity.base58_pow256(integer),
authenticity.forbid_change(text, text),
authenticity.raise_not_found(text, text)
TO chaindb_app;

GRANT SELECT ON
authenticity.manufacturers,
authenticity.skus,
authenticity.batches,
authenticity.code_packs,
authenticity.users,
authenticity.user_wallets,
authenticity.verify_intents,
authenticity.verifications,
authenticity.treasury_ops
TO chaindb_readonly;
GRANT SELECT (id, pack_id, qr_payload, commitment, onchain_code_pda, created_at)
ON authenticity.codes TO chaindb_readonly;
GRANT EXECUTE ON FUNCTION
authenticity.is_solana_address(text),
authenticity.base58_takes_bytes(text, integer),
authenticity.base58_pow256(integer)
TO chaindb_readonly;
