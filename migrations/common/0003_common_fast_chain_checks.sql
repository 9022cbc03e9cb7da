-- depends: 0002_common_helpers
-- Faster chain-value checks, same answers (issue 14: the CHECKs that call them cost more
-- than the rows they guard).
--   is_solana_pubkey, is_solana_signature  0002 decoded every value with common.base58_decode, a
--       plpgsql loop over numeric (~35 us for a key, ~0.5 ms for a signature). Now: length and
--       alphabet first; a numeral without leading '1' decodes to exactly n bytes when
--       base58(256^(n-1)) <= value < base58(256^n), and base58 numerals of equal length compare
--       as text in the C collation (the alphabet is in ASCII order), so two string comparisons
--       decide. Only a value with leading '1's (zero bytes: 1 key in 256) is still decoded.
--   is_evm_address, is_evm_hash  the counted repetitions ({40}, {64}) made PostgreSQL's regex
--       engine build one state per repetition (~5 and ~14 us a value); now a length test and
--       an uncounted character class (~0.5 us).
-- Lengths are octet_length (O(1)): where they matter the text is ASCII (the expressions
-- reject anything else), so they equal length(), which counts characters by scanning.
-- All four become non-STRICT so that the planner can inline them into the CHECKs that call
-- them (an inlined function costs no call); NULL still gives NULL.
-- Rollback restores the 0002 bodies exactly.

CREATE OR REPLACE FUNCTION common.is_solana_pubkey(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT octet_length(value) BETWEEN 32 AND 44
        AND value ~ '^[1-9A-HJ-NP-Za-km-z]+$'
        AND CASE
            WHEN left(value, 1) = '1' THEN octet_length(common.base58_decode(value)) = 32
            WHEN octet_length(value) = 44 THEN value COLLATE "C" < 'JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFH'
            ELSE octet_length(value) = 43 AND value COLLATE "C" >= '4uQeVj5tqViQh7yWWGStvkEG1Zmhx6uasJtWCJziofM'
        END
$fn$;

COMMENT ON FUNCTION common.is_solana_pubkey(text) IS
'True when the text is base58 of exactly 32 bytes (a Solana public key or PDA). NULL in, NULL out. '
'Without a leading ''1'' it compares with base58(256^31) and base58(256^32) instead of decoding.';

CREATE OR REPLACE FUNCTION common.is_solana_signature(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT octet_length(value) BETWEEN 64 AND 88
        AND value ~ '^[1-9A-HJ-NP-Za-km-z]+$'
        AND CASE
            WHEN left(value, 1) = '1' THEN octet_length(common.base58_decode(value)) = 64
            WHEN octet_length(value) = 88 THEN value COLLATE "C"
                < '67rpwLCuS5DGA8KGZXKsVQ7dnPb9goRLoKfgGbLfQg9WoLUgNY77E2jT11fem3coV9nAkguBACzrU1iyZM4B8roR'
            ELSE octet_length(value) = 87 AND value COLLATE "C"
                >= '2AFv15MNPuA84RmU66xw2uMzGipcVxNpzAffoacGVvjFue3CBmf633fAWuiP9cwL9C3z3CJiGgRSFjJfeEcA6QX'
        END
$fn$;

COMMENT ON FUNCTION common.is_solana_signature(text) IS
'True when the text is base58 of exactly 64 bytes (a Solana transaction signature). NULL in, NULL out. '
'Without a leading ''1'' it compares with base58(256^63) and base58(256^64) instead of decoding.';

CREATE OR REPLACE FUNCTION common.is_evm_address(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT octet_length(value) = 42 AND value ~ '^0x[0-9a-fA-F]+$'
$fn$;

COMMENT ON FUNCTION common.is_evm_address(text) IS
'True when the text is an EVM address: 0x and 40 hex digits (any case). NULL in, NULL out.';

CREATE OR REPLACE FUNCTION common.is_evm_hash(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT octet_length(value) = 66 AND value ~ '^0x[0-9a-fA-F]+$'
$fn$;

COMMENT ON FUNCTION common.is_evm_hash(text) IS
'True when the text is a 32-byte hash or id in hex: 0x and 64 hex digits. NULL in, NULL out.';
