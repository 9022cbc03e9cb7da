-- depends: 0005_common_raise_helpers
-- Faster chain-value checks, same answers (issue 14: the CHECKs that call them cost more than
-- the rows they guard).
--   common.base58_pow256(k)  new: base58 of 256^k (k = 0 .. 64), the smallest number taking k + 1
--       bytes.
--   common.base58_has_bytes(value, n)  new: true when value is base58 of exactly n bytes
--       (1 <= n <= 64). A numeral without leading '1' decodes to exactly n bytes when
--       base58(256^(n-1)) <= value < base58(256^n), and base58 numerals compare as
--       (length, text in the C collation): the alphabet is in ASCII order. So two comparisons
--       decide; only a value with leading '1's (zero bytes: 1 key in 256) is still decoded by
--       common.base58_decode, the plpgsql loop over numeric (~35 us for a key, ~0.5 ms for a
--       signature) that 0002's checks ran on every value. Plain SQL, so that a bulk CHECK
--       (authenticity.is_solana_address on codes) inlines it: no call per row.
--   is_solana_pubkey, is_solana_signature  length bounds and base58_has_bytes.
--   is_evm_address, is_evm_hash  the counted repetitions ({40}, {64}) made PostgreSQL's regex
--       engine build one state per repetition (~5 and ~14 us a value); now a length test and an
--       uncounted character class (~0.5 us).
-- These four become plpgsql (still IMMUTABLE STRICT PARALLEL SAFE): a CHECK is planned again for
-- every INSERT statement, and an inlined SQL body is parsed again with it, which costs a
-- single-row INSERT more than the check itself; a plpgsql function is compiled once per session.
-- No SET search_path on them (a SET clause costs every call a configuration save and restore):
-- they are not SECURITY DEFINER and every name in them is qualified or in pg_catalog.
-- Lengths are octet_length (O(1)): where they decide, the text is ASCII (the expressions reject
-- anything else), so they equal length(), which scans the text.
-- Rollback restores the 0002 bodies exactly and drops the two new functions.

CREATE FUNCTION common.base58_pow256(k integer)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT ('{2,5R,LUw,2UzHM,7YXq9H,VtB5VXd,3CUsUpv9u,Ahg1opVcGX,jpXCZedGfVR,4FzkJ37568tQw,'
        'FPBt6CHo3fovdM,26Uw2Vvq8EnJ7hRH,5qCHTcgbQwpvYZQ9d,NKioeUVktgzXLJ1B3u,2d7dWtQMvj9WttA3mMnX,'
        '8AQGAut7N92awznwCnjuR,YcVfxkQb6JRzqk5kF2tNLw,3QXfYy4b7UPwLJ99wrwKjCyM,'
        'BcrMA6SqZZvEpAezV9QmfHqhH,osEoy933LkHyyBcgjE7v81Kvmd,4ZrjxJnU1LA5xSyrWMNuXTvSYKwu,'
        'Gk2Yb7VgCTZ6sjfwWYwgqTpsjGdJX,2CUupRZfa1aCgvwLsbRzNpuQJuZyEKR,'
        '6HgC8KRBEhXYbF4riJyJFLSHt32XBnGw,QLbz7JHiBTspS962RLKV8GndWFwiEaqKM,'
        '2n1XR4oJkmBdJMxhBGQGb96gQ88xUzxLFyH,8qfKFDmPNA1uDdWpLJyhogk4u4W7taoE15Pd,'
        'bbn7XmLuiNnyUkAbvEMH74R6CnTXQgB2PLNqu,3diW7pnisfdBvHTXP7wvW5k5Ky1e5DVuF7aXQpX,'
        'Cd4BX7vopdUjCBe56dfR9Mw86iDpdcAZbJ2yE8jR,tJ93RwaVfE1PEMxd5rpZZuPtLCwbEaDCrNBhAy8Cw,'
        '4uQeVj5tqViQh7yWWGStvkEG1Zmhx6uasJtWCJziofM,JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFH,'
        '2K3n5t4wSaF5mj27Tw9vStXWLWyRjjiH5Cp3CFLpKVCr1d,'
        '6nfFzYQPHsjA4QTuXt2NuGReV9J4BdXBwZ8cgeJTrbVHKju,'
        'SYXsAycDPUu4z2ZksJD5fh5nTDcH3vCFHnpcVye5XuDq3iLX,'
        '2wkBET2rRgE8pahuaczxKbmv7ciehqsne57F9gtzf1PVd4yT9R,'
        '9adaAMuB9v8yX1mZ5PtoB6VFSCeqRGjASd8ZTM6VUkiHLCYAQ8w,'
        'esSRNKFHpMYCTUPeaQ3coZDgiERzi8R6g6UNFHhEhVwD5jvYV81M,'
        '3t9dCZ5Y5E1ehZqtxrQiZ2VCzGzHKiXjN3Z9nn4gbTkiGKvTKy7vXH,'
        'Dim4mzb29eRsQ3xpMX5gQMZVuoZq3cJdytGuo3uFm75w8eWwCihZEdd,'
        'y9KVfbBA5ACmSk5N1Zmev5kSc4Xu4WprE5KE2Foe9frmvkb8Ej41HAdu,'
        '5GoidXKqq3McwAd8FjVe6MHxk1kbNnWeCGi3SUYLryGWhJFPcwacGEMXrX,'
        'KrmCkCrAX3Q1c5UT22ZQicZs2rKQj9sqAkL9mSZLfZMU4s8WqduLeDwdBZR,'
        '2SEe6qhJ11baZfpk9qXt3gfz3qAgFj4BMc2FXh9ojoBoLU4GAhft1hJ86hc4w,'
        '7LPCkmvr33dd9CMjU1DJJr74oVbiFzd2hwaX8UDsHtrfWvRPwpWcA4raLADnMM,'
        'UxYztDJfS2ceXB8WSBwHPmjmnDED7BL2Xhtwyy9nyZtD14ngGxhgB21p7ZhRAoH,'
        '38QCEV3JxdU8LcBi8vBGbMWTneYyJSGaykXWHgSqovg91yHicMSrXuDUawyKPgFFd,'
        'APfNaWmCGXxjPYJGZwiKpdX3EUk7VxXnyV7eGd74S7ukPHSnf3F7dPU4kqdaB6DuXu,'
        'iT2NEvN4jZez6V9DiQVQ5EBarVTHgp6uvK6KVxMk9sVpVMapWtuJFcATaVeRRY3xsNX,'
        '49ws2kSXyUs8f1DDH7kgLqfBiRSb2eiu6aJrUeoLZU9tCc9rGix5q9UCkJqSAoJ45bKyR,'
        'EvV9pijhiHzGnjvuC8oneZmYHpswCHVvwc1oP3qXLJrCzEA4UQA8KWP4r9in6FLGbGWjzw,'
        '24T5FwdDUhFyngtUuN9TWUodb7GKpCoph61YXiKXAtDnBub4zKwDHJggPywVQ2AG3pFUGnhM,'
        '5gE5nx6r5Eh7ef4EA8LL17ipVYee3M7fVw7QAZNkAd5QT97Nc2aHCy48tSKWLc7sRRYsNgh5H,'
        'Me8k9pCobhS4MCyF5HNJsWfaczh8VMnQvhqFFBtyXUESWNo8MbwtXpQqp2kgVY1KYoMfLiBssd,'
        '2a6uBTuM6g9TbnBqF7uF3swwHPse84AjSc3Dwsd6QVVCKafCbTwFGT2GESajoJwrQsMcCDzo1YRu,'
        '7w73KBk3i3nLQWSowKTb1hsUbMxWr8yxL1ep9CSJrgjSy1ZcB7tRyBraEKuuuQD76MFxLYN65PitX,'
        'XbofDGQzxBH6ekxvAkUM87PnnfW2jtEPCusu5BUhpJNMcDUvFfQ1CzuofpUYWHSRtcR1FFS5QPHtPR,'
        '3L4cwf92vnYN3wf3og2shpPDb6Yw8gH851aPeqTFH9mfFxS6E3iUXuxc4zLYa4FZEroJx5thgSDPXovw,'
        'BH8yeFLTWQ1RuzEwP1HGoA94ZVVwvtNAChYNyzrr2Hi7s1fk4az4XSkRnc5GLuMFJAoQE8bCZ4HgSz93M,'
        'nNED1QGszkYtxseX28EpijLaiQnmSqiPcdwW2aP1NgkVHjx14pzrZNegQHopir4N6nFoWxVwzVWd7hCVMH,'
        '4TEhHzmj65uDnMcYbVxx1dBsRon11B41gpJ3Z7xL8eiSwrtZmHtrMjtZJuoBfdhXr8WkLKDxmikqkQYRi8Vd,'
        'GEoSr1zQmSdVRBytTGqwokiyaVTd1mNJ2jkEGmhDSmTwX9CbcVZrrYJZc42r5Wyu9rAJGFSDAPJWAaui4Y5Ku,'
        '2AFv15MNPuA84RmU66xw2uMzGipcVxNpzAffoacGVvjFue3CBmf633fAWuiP9cwL9C3z3CJiGgRSFjJfeEcA6QX,'
        '67rpwLCuS5DGA8KGZXKsVQ7dnPb9goRLoKfgGbLfQg9WoLUgNY77E2jT11fem3coV9nAkguBACzrU1iyZM4B8roR}'
        ::text[])[k + 1];
END;

COMMENT ON FUNCTION common.base58_pow256(integer) IS
'base58 of 256^k (k = 0 .. 64), the smallest number taking k + 1 bytes; NULL outside 0 .. 64. '
'Thresholds for common.base58_has_bytes.';

CREATE FUNCTION common.base58_has_bytes(value text, n integer)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT value ~ '^[1-9A-HJ-NP-Za-km-z]+$'
        AND CASE
            WHEN left(value, 1) = '1' THEN octet_length(common.base58_decode(value)) = n
            ELSE ROW(octet_length(value), value COLLATE "C")
                >= ROW(octet_length(common.base58_pow256(n - 1)), common.base58_pow256(n - 1))
                AND ROW(octet_length(value), value COLLATE "C")
                < ROW(octet_length(common.base58_pow256(n)), common.base58_pow256(n))
        END;
END;

COMMENT ON FUNCTION common.base58_has_bytes(text, integer) IS
'True when the text is base58 (Bitcoin alphabet) of exactly n bytes, 1 <= n <= 64: by comparison with '
'base58(256^(n-1)) and base58(256^n), decoding only values with leading ''1''s. NULL in, NULL out.';

CREATE OR REPLACE FUNCTION common.is_solana_pubkey(value text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
BEGIN
    RETURN octet_length(value) BETWEEN 32 AND 44 AND common.base58_has_bytes(value, 32);
END
$fn$;

COMMENT ON FUNCTION common.is_solana_pubkey(text) IS
'True when the text is base58 of exactly 32 bytes (a Solana public key or PDA). NULL in, NULL out.';

CREATE OR REPLACE FUNCTION common.is_solana_signature(value text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
BEGIN
    RETURN octet_length(value) BETWEEN 64 AND 88 AND common.base58_has_bytes(value, 64);
END
$fn$;

COMMENT ON FUNCTION common.is_solana_signature(text) IS
'True when the text is base58 of exactly 64 bytes (a Solana transaction signature). NULL in, NULL out.';

CREATE OR REPLACE FUNCTION common.is_evm_address(value text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
BEGIN
    RETURN octet_length(value) = 42 AND value ~ '^0x[0-9a-fA-F]+$';
END
$fn$;

COMMENT ON FUNCTION common.is_evm_address(text) IS
'True when the text is an EVM address: 0x and 40 hex digits (any case). NULL in, NULL out.';

CREATE OR REPLACE FUNCTION common.is_evm_hash(value text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
BEGIN
    RETURN octet_length(value) = 66 AND value ~ '^0x[0-9a-fA-F]+$';
END
$fn$;

COMMENT ON FUNCTION common.is_evm_hash(text) IS
'True when the text is a 32-byte hash or id in hex: 0x and 64 hex digits. NULL in, NULL out.';

GRANT EXECUTE ON FUNCTION common.base58_pow256(integer), common.base58_has_bytes(text, integer)
TO chaindb_app, chaindb_readonly;
