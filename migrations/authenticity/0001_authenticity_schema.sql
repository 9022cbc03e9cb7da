-- depends: 0002_common_helpers
-- Schema authenticity (seed 000: QR codes on products, verified on Solana, a SOL reward
-- per code, treasury refills PYUSD -> SOL) and its value types:
--   authenticity.bytes32            the seed's "bytes32": bytea of exactly 32 bytes
--   authenticity.is_solana_address  the answer of common.is_solana_pubkey without decoding:
--                                   a code pack loads up to a million PDAs at a time, and the
--                                   numeric base58 decoder costs ~50 us a row (5 s per 100,000
--                                   codes); this one is a few string comparisons.
--   authenticity.forbid_change      raises SQLSTATE CD003 (immutable) for the guard triggers.
--   authenticity.raise_not_found    raises SQLSTATE CD005 (not_found) for the rule functions.

CREATE SCHEMA authenticity;

COMMENT ON SCHEMA authenticity IS
'Product authenticity (seed 000): manufacturers, SKUs, batches, printed QR code packs, '
'verifications on Solana with a one-time SOL reward per code, treasury refills.';

-- DESIGN.md §1 allows the domain; it is created with the schema, before any table uses it.
CREATE DOMAIN authenticity.bytes32 AS bytea
-- squawk-ignore ban-create-domain-with-constraint
CONSTRAINT bytes32_length_check CHECK (octet_length(value) = 32);

COMMENT ON DOMAIN authenticity.bytes32 IS
'The seed''s bytes32: exactly 32 bytes (a SHA-256 digest, a commitment).';

-- base58(256^k) for k = 0 .. 32: the smallest number that takes k + 1 bytes.
CREATE FUNCTION authenticity.base58_pow256(k integer)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT ('{2,5R,LUw,2UzHM,7YXq9H,VtB5VXd,3CUsUpv9u,Ahg1opVcGX,jpXCZedGfVR,4FzkJ37568tQw,'
        'FPBt6CHo3fovdM,26Uw2Vvq8EnJ7hRH,5qCHTcgbQwpvYZQ9d,NKioeUVktgzXLJ1B3u,2d7dWtQMvj9WttA3mMnX,'
        '8AQGAut7N92awznwCnjuR,YcVfxkQb6JRzqk5kF2tNLw,3QXfYy4b7UPwLJ99wrwKjCyM,BcrMA6SqZZvEpAezV9QmfHqhH,'
        'osEoy933LkHyyBcgjE7v81Kvmd,4ZrjxJnU1LA5xSyrWMNuXTvSYKwu,Gk2Yb7VgCTZ6sjfwWYwgqTpsjGdJX,'
        '2CUupRZfa1aCgvwLsbRzNpuQJuZyEKR,6HgC8KRBEhXYbF4riJyJFLSHt32XBnGw,QLbz7JHiBTspS962RLKV8GndWFwiEaqKM,'
        '2n1XR4oJkmBdJMxhBGQGb96gQ88xUzxLFyH,8qfKFDmPNA1uDdWpLJyhogk4u4W7taoE15Pd,'
        'bbn7XmLuiNnyUkAbvEMH74R6CnTXQgB2PLNqu,3diW7pnisfdBvHTXP7wvW5k5Ky1e5DVuF7aXQpX,'
        'Cd4BX7vopdUjCBe56dfR9Mw86iDpdcAZbJ2yE8jR,tJ93RwaVfE1PEMxd5rpZZuPtLCwbEaDCrNBhAy8Cw,'
        '4uQeVj5tqViQh7yWWGStvkEG1Zmhx6uasJtWCJziofM,JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFH}'
        ::text[])[k + 1];
END;

COMMENT ON FUNCTION authenticity.base58_pow256(integer) IS
'base58 of 256^k (k = 0 .. 32), the smallest number taking k + 1 bytes; NULL outside 0 .. 32. '
'Thresholds for authenticity.is_solana_address.';

-- A base58 numeral without leading '1's compares with another as (length, text COLLATE "C"):
-- the alphabet is in ASCII order. It takes exactly n bytes when it lies in
-- [256^(n-1), 256^n).
CREATE FUNCTION authenticity.base58_takes_bytes(numeral text, n integer)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT ROW(length(numeral), numeral COLLATE "C")
        >= ROW(length(authenticity.base58_pow256(n - 1)), authenticity.base58_pow256(n - 1))
        AND ROW(length(numeral), numeral COLLATE "C")
        < ROW(length(authenticity.base58_pow256(n)), authenticity.base58_pow256(n));
END;

COMMENT ON FUNCTION authenticity.base58_takes_bytes(text, integer) IS
'True when a base58 numeral with no leading ''1'' encodes a number of exactly n bytes (1 <= n <= 32).';

-- Same contract as common.is_solana_pubkey: 32 to 44 base58 characters that decode to
-- exactly 32 bytes (each leading '1' is one zero byte).
CREATE FUNCTION authenticity.is_solana_address(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT length(value) BETWEEN 32 AND 44
        AND value ~ '^[1-9A-HJ-NP-Za-km-z]+$'
        AND CASE
            WHEN length(value) - length(ltrim(value, '1')) >= 32 THEN length(value) = 32
            ELSE authenticity.base58_takes_bytes(
                ltrim(value, '1'), 32 - (length(value) - length(ltrim(value, '1')))
            )
        END;
END;

COMMENT ON FUNCTION authenticity.is_solana_address(text) IS
'True when the text is base58 of exactly 32 bytes (a Solana public key or PDA): the same answer as '
'common.is_solana_pubkey (tested), by string comparison instead of numeric decoding, for bulk CHECKs.';

CREATE FUNCTION authenticity.forbid_change(table_name text, column_name text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RAISE EXCEPTION '%: % may not change', table_name, column_name
        USING ERRCODE = 'CD003',
              CONSTRAINT = table_name || '_' || column_name || '_immutable',
              SCHEMA = 'authenticity',
              TABLE = table_name,
              COLUMN = column_name;
END
$fn$;

COMMENT ON FUNCTION authenticity.forbid_change(text, text) IS
'Raises SQLSTATE CD003 (immutable) naming the pseudo-constraint <table>_<column>_immutable. '
'Called by the guard triggers when a fixed or set-once column would change.';

CREATE FUNCTION authenticity.raise_not_found(table_name text, key text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RAISE EXCEPTION '%: % not found', table_name, key
        USING ERRCODE = 'CD005',
              SCHEMA = 'authenticity',
              TABLE = table_name,
              DETAIL = format('key=%s', key);
END
$fn$;

COMMENT ON FUNCTION authenticity.raise_not_found(text, text) IS
'Raises SQLSTATE CD005 (not_found) for a missing target row of a rule function, the key in DETAIL.';
