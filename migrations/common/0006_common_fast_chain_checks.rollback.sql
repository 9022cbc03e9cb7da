-- Restores the 0002_common_helpers bodies, language, strictness and comments of the four checks
-- exactly, and drops base58_has_bytes and base58_pow256.

CREATE OR REPLACE FUNCTION common.is_solana_pubkey(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT coalesce(
        length(value) BETWEEN 32 AND 44 AND length(common.base58_decode(value)) = 32, false
    )
$fn$;

COMMENT ON FUNCTION common.is_solana_pubkey(text) IS
'True when the text is base58 of exactly 32 bytes (a Solana public key or PDA). NULL in, NULL out.';

CREATE OR REPLACE FUNCTION common.is_solana_signature(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT coalesce(
        length(value) BETWEEN 64 AND 88 AND length(common.base58_decode(value)) = 64, false
    )
$fn$;

COMMENT ON FUNCTION common.is_solana_signature(text) IS
'True when the text is base58 of exactly 64 bytes (a Solana transaction signature). NULL in, NULL out.';

CREATE OR REPLACE FUNCTION common.is_evm_address(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT value ~ '^0x[0-9a-fA-F]{40}$'
$fn$;

COMMENT ON FUNCTION common.is_evm_address(text) IS
'True when the text is an EVM address: 0x and 40 hex digits (any case). NULL in, NULL out.';

CREATE OR REPLACE FUNCTION common.is_evm_hash(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT value ~ '^0x[0-9a-fA-F]{64}$'
$fn$;

COMMENT ON FUNCTION common.is_evm_hash(text) IS
'True when the text is a 32-byte hash or id in hex: 0x and 64 hex digits. NULL in, NULL out.';

REVOKE ALL ON FUNCTION common.base58_pow256(integer), common.base58_has_bytes(text, integer)
FROM chaindb_app, chaindb_readonly;

DROP FUNCTION common.base58_has_bytes(text, integer);

DROP FUNCTION common.base58_pow256(integer);
