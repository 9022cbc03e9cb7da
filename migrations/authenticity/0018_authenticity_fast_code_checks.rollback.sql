-- Drops the two CHECKs added NOT VALID and restores 0001's authenticity.is_solana_address exactly.

ALTER TABLE authenticity.codes DROP CONSTRAINT codes_qr_payload_check_new;

ALTER TABLE authenticity.codes DROP CONSTRAINT codes_code_plaintext_check_new;

CREATE OR REPLACE FUNCTION authenticity.is_solana_address(value text)
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
