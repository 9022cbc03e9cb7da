-- depends: 0017_authenticity_foreign_keys 0006_common_fast_chain_checks
-- Cheaper CHECKs on codes, same rows accepted (issue 14: a code pack COPYs up to a million
-- rows, and the CHECKs cost more than the insert itself).
--   authenticity.is_solana_address  the same test as common.is_solana_pubkey, through
--       common.base58_has_bytes (common 0003), in plain SQL so that the CHECK on codes inlines it
--       (common.is_solana_pubkey is plpgsql: a call per row). Its own threshold helpers
--       base58_pow256 and base58_takes_bytes stay (granted, tested) but no check uses them.
--   codes_qr_payload_check  one regular expression over the whole URL (~1.7 us a row: the
--       engine's cost grows with the pattern's states times the text's length) becomes the
--       URL rebuilt from its parts, 'https://' || host || '/v/' || batch || '/' || PDA, with a
--       short expression on the host and on the batch part only. Together with
--       codes_onchain_code_pda_check (the PDA is base58, so it holds no '/') it accepts exactly
--       the rows the old expression accepted.
--   codes_code_plaintext_check  the same expression with octet_length() for length(): the text
--       is ASCII (the expression rejects anything else), and octet_length() does not scan it.
-- The new CHECKs are added here NOT VALID, as codes_qr_payload_check_new and
-- codes_code_plaintext_check_new (they hold for new rows at once); 0017 validates them in its
-- own transaction (SHARE UPDATE EXCLUSIVE: reads and writes go on during the scan), then drops
-- the old ones and gives the new ones the old names.

CREATE OR REPLACE FUNCTION authenticity.is_solana_address(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT octet_length(value) BETWEEN 32 AND 44 AND common.base58_has_bytes(value, 32);
END;

COMMENT ON FUNCTION authenticity.is_solana_address(text) IS
'True when the text is base58 of exactly 32 bytes (a Solana public key or PDA): the answer of '
'common.is_solana_pubkey, in plain SQL so that bulk CHECKs (codes) inline it.';

ALTER TABLE authenticity.codes ADD CONSTRAINT codes_code_plaintext_check_new CHECK (
    code_plaintext ~ '^v1:[A-Za-z0-9+/]+={0,2}$'
    AND octet_length(code_plaintext) % 4 = 3
    AND octet_length(code_plaintext) >= 43
) NOT VALID;

ALTER TABLE authenticity.codes ADD CONSTRAINT codes_qr_payload_check_new CHECK (
    qr_payload = 'https://' || split_part(qr_payload, '/', 3) || '/v/' || split_part(qr_payload, '/', 5)
    || '/' || onchain_code_pda
    AND split_part(qr_payload, '/', 3) ~ '^[A-Za-z0-9.-]+(:[0-9]+)?$'
    AND split_part(qr_payload, '/', 5) ~ '^[A-Za-z0-9_-]+$'
) NOT VALID;
