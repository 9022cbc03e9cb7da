-- Undoes 0007_bloxtr8_contracts.

CALL common.drop_immutable_columns('bloxtr8.contract_sign_tokens');

DROP TABLE bloxtr8.contract_sign_tokens;

CALL common.drop_append_only('bloxtr8.signatures');

DROP TABLE bloxtr8.signatures;

CALL common.drop_immutable_columns('bloxtr8.contracts');

CALL common.drop_state_machine('bloxtr8.contracts', 'status');

DROP TABLE bloxtr8.contracts;

-- squawk-ignore ban-drop-function
DROP FUNCTION bloxtr8.tg_contracts__offer_accepted();
