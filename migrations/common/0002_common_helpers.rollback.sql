REVOKE ALL ON ALL FUNCTIONS IN SCHEMA common FROM chaindb_app, chaindb_readonly;

REVOKE USAGE ON SCHEMA common FROM chaindb_app, chaindb_readonly;

DROP FUNCTION common.tg__set_updated_at();

DROP FUNCTION common.forbid_transition(text, text, text);

DROP FUNCTION common.is_evm_hash(text);

DROP FUNCTION common.is_evm_address(text);

DROP FUNCTION common.is_solana_signature(text);

DROP FUNCTION common.is_solana_pubkey(text);

DROP FUNCTION common.base58_decode(text);

DROP SCHEMA common;
