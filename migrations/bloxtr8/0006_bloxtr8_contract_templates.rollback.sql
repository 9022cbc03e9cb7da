-- Undoes 0006_bloxtr8_contract_templates.

CALL common.drop_immutable_columns('bloxtr8.contract_templates');

DROP TABLE bloxtr8.contract_templates;
