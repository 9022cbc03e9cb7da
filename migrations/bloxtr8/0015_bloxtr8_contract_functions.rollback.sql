-- Undoes 0015_bloxtr8_contract_functions (dropping a function drops its grants and comment).

DROP FUNCTION bloxtr8.void_contract(text);

DROP FUNCTION bloxtr8.delete_expired_sign_tokens();

DROP FUNCTION bloxtr8.sign_contract_with_token(text, text, text);

DROP FUNCTION bloxtr8.issue_sign_token(text, text);

DROP FUNCTION bloxtr8.sign_contract(text, text, bloxtr8.signature_method, text, text);

DROP FUNCTION bloxtr8.record_signature(text, text, bloxtr8.signature_method, text, text);

DROP FUNCTION bloxtr8.signable_contract(text, text, boolean);

DROP FUNCTION bloxtr8.attach_contract_pdf(text, text, text);

DROP FUNCTION bloxtr8.create_contract(text, jsonb);

DROP FUNCTION bloxtr8.publish_contract_template(text, text, jsonb);

DROP FUNCTION bloxtr8.semver_key(text);
