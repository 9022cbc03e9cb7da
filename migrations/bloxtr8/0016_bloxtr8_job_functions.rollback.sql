-- Undoes 0016_bloxtr8_job_functions (dropping a function drops its grants and comment).

DROP FUNCTION bloxtr8.retry_contract_execution(text);

DROP FUNCTION bloxtr8.recover_execution_jobs();

DROP FUNCTION bloxtr8.fail_execution_job(text, integer, text);

DROP FUNCTION bloxtr8.complete_execution_job(text, integer);

DROP FUNCTION bloxtr8.finish_execution_job_refused(text, integer, bloxtr8.job_status);

DROP FUNCTION bloxtr8.claim_execution_jobs(integer, interval);

DROP FUNCTION bloxtr8.execution_backoff(integer);
