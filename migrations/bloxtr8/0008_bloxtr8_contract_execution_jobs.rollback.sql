-- Undoes 0008_bloxtr8_contract_execution_jobs.

CALL common.drop_immutable_columns('bloxtr8.contract_execution_jobs');

CALL common.drop_state_machine('bloxtr8.contract_execution_jobs', 'status');

DROP TABLE bloxtr8.contract_execution_jobs;

DROP FUNCTION bloxtr8.tg_contract_execution_jobs__attempts_monotonic();
