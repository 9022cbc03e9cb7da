-- depends: 0018_authenticity_fast_code_checks
-- Validates the CHECKs added NOT VALID by 0016 (a scan of codes under SHARE UPDATE EXCLUSIVE:
-- reads and writes go on meanwhile), then drops the old ones and gives the new ones their names,
-- codes_code_plaintext_check and codes_qr_payload_check (a brief ACCESS EXCLUSIVE lock, at the end).

ALTER TABLE authenticity.codes VALIDATE CONSTRAINT codes_code_plaintext_check_new;

ALTER TABLE authenticity.codes VALIDATE CONSTRAINT codes_qr_payload_check_new;

-- The guarantees stay: each dropped CHECK has its validated equivalent, which takes its name
-- (the name clients see in errors) in the same transaction.
-- squawk-ignore ban-drop-constraint
ALTER TABLE authenticity.codes DROP CONSTRAINT codes_code_plaintext_check;

-- squawk-ignore ban-drop-constraint
ALTER TABLE authenticity.codes DROP CONSTRAINT codes_qr_payload_check;

-- squawk-ignore renaming-object
ALTER TABLE authenticity.codes RENAME CONSTRAINT codes_code_plaintext_check_new TO codes_code_plaintext_check;

-- squawk-ignore renaming-object
ALTER TABLE authenticity.codes RENAME CONSTRAINT codes_qr_payload_check_new TO codes_qr_payload_check;

COMMENT ON CONSTRAINT codes_code_plaintext_check ON authenticity.codes IS
'Only ciphertext in the v1 format fits: ''v1:'' and padded base64 (length a multiple of 4) of at least '
'30 bytes (nonce, tag, code).';

COMMENT ON CONSTRAINT codes_qr_payload_check ON authenticity.codes IS
'The payload is https://<host>/v/<batch_public_id>/<onchain_code_pda> for this row''s PDA, with no code in it.';
