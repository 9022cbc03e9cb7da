-- Back to the state after 0016: 0006's CHECKs under their names, validated, and the new ones
-- as codes_*_check_new, NOT VALID.

ALTER TABLE authenticity.codes DROP CONSTRAINT codes_qr_payload_check;

ALTER TABLE authenticity.codes DROP CONSTRAINT codes_code_plaintext_check;

ALTER TABLE authenticity.codes ADD CONSTRAINT codes_code_plaintext_check CHECK (
    code_plaintext ~ '^v1:[A-Za-z0-9+/]+={0,2}$'
    AND length(code_plaintext) % 4 = 3
    AND length(code_plaintext) >= 43
);

ALTER TABLE authenticity.codes ADD CONSTRAINT codes_qr_payload_check CHECK (
    qr_payload ~ '^https://[A-Za-z0-9.-]+(:[0-9]+)?/v/[A-Za-z0-9_-]+/[1-9A-HJ-NP-Za-km-z]+$'
    AND right(qr_payload, length(onchain_code_pda) + 1) = '/' || onchain_code_pda
);

COMMENT ON CONSTRAINT codes_code_plaintext_check ON authenticity.codes IS
'Only ciphertext in the v1 format fits: ''v1:'' and padded base64 (length a multiple of 4) of at least '
'30 bytes (nonce, tag, code).';

COMMENT ON CONSTRAINT codes_qr_payload_check ON authenticity.codes IS
'The payload is https://<host>/v/<batch_public_id>/<onchain_code_pda> for this row''s PDA, with no code in it.';

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
