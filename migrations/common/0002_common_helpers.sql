-- depends: 0001_common_extensions
-- Helpers shared by the product schemas, in schema `common`:
--   base58 decoding and Solana key/signature checks (for CHECK constraints),
--   EVM address/hash checks, the state-machine error (SQLSTATE CD001),
--   and the updated_at trigger function.

CREATE SCHEMA common;

COMMENT ON SCHEMA common IS 'Helpers shared by every product schema: chain value checks, state-machine errors, triggers.';

CREATE FUNCTION common.base58_decode(value text)
RETURNS bytea
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    alphabet constant text := '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
    acc numeric := 0;
    digit integer;
    body bytea := '\x'::bytea;
    position integer;
BEGIN
    IF value !~ '^[1-9A-HJ-NP-Za-km-z]+$' THEN
        RETURN NULL;
    END IF;
    FOR position IN 1 .. length(value) LOOP
        digit := strpos(alphabet, substr(value, position, 1)) - 1;
        acc := acc * 58 + digit;
    END LOOP;
    WHILE acc > 0 LOOP
        body := set_byte('\x00'::bytea, 0, mod(acc, 256)::integer) || body;
        acc := div(acc, 256);
    END LOOP;
    -- each leading '1' stands for one leading zero byte
    RETURN decode(repeat('00', length(value) - length(ltrim(value, '1'))), 'hex') || body;
END
$fn$;

COMMENT ON FUNCTION common.base58_decode(text) IS
'Decodes Bitcoin-alphabet base58 (as Solana uses) to bytes; NULL when the text is not base58.';

CREATE FUNCTION common.is_solana_pubkey(value text)
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

CREATE FUNCTION common.is_solana_signature(value text)
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

CREATE FUNCTION common.is_evm_address(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT value ~ '^0x[0-9a-fA-F]{40}$'
$fn$;

COMMENT ON FUNCTION common.is_evm_address(text) IS
'True when the text is an EVM address: 0x and 40 hex digits (any case). NULL in, NULL out.';

CREATE FUNCTION common.is_evm_hash(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT value ~ '^0x[0-9a-fA-F]{64}$'
$fn$;

COMMENT ON FUNCTION common.is_evm_hash(text) IS
'True when the text is a 32-byte hash or id in hex: 0x and 64 hex digits. NULL in, NULL out.';

CREATE FUNCTION common.forbid_transition(
    table_name text, from_state text, to_state text
)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RAISE EXCEPTION '%: status may not change from % to %', table_name, from_state, to_state
        USING ERRCODE = 'CD001',
              DETAIL = format('from=%s to=%s', from_state, to_state),
              CONSTRAINT = table_name || '_status_transition',
              TABLE = table_name;
END
$fn$;

COMMENT ON FUNCTION common.forbid_transition(text, text, text) IS
'Raises SQLSTATE CD001 (forbidden_transition) naming the pseudo-constraint <table>_status_transition, '
'with the from/to states in DETAIL. Called by the state-machine triggers.';

CREATE FUNCTION common.tg__set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION common.tg__set_updated_at() IS
'BEFORE UPDATE trigger: sets updated_at to the transaction time (Prisma''s @updatedAt).';

GRANT USAGE ON SCHEMA common TO chaindb_app, chaindb_readonly;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA common TO chaindb_app, chaindb_readonly;
