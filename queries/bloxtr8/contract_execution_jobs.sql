-- The execution queue: workers claim due jobs (FOR UPDATE SKIP LOCKED), then complete or fail the attempt they
-- claimed; stuck jobs are recovered after their lease.

-- name: execution_job_claim(max_jobs, lease)
-- Claims up to max_jobs due PENDING jobs for lease (None: 5 minutes) (bloxtr8.claim_execution_jobs): each comes
-- back PROCESSING, its attempts the fencing token to pass to execution_job_complete / execution_job_fail.
-- 23514 contract_execution_jobs_lease_check (lease not within (0, 1 day]).
-- @nullable-param lease
SELECT j.* FROM bloxtr8.claim_execution_jobs(:max_jobs::integer, coalesce(:lease::interval, interval '5 minutes')) AS j;

-- name: execution_job_complete(id, attempt)^
-- Attempt `attempt` succeeded: the job COMPLETED and its contract EXECUTED (bloxtr8.complete_execution_job).
-- CD005, CD001 not PROCESSING, CD007 contract_execution_jobs_attempt (the lease was lost to another attempt).
-- @one
SELECT j.* FROM bloxtr8.complete_execution_job(:id::text, :attempt::integer) AS j;

-- name: execution_job_fail(id, attempt, error)^
-- Attempt `attempt` failed: retried after a backoff while attempts remain, else FAILED with the contract
-- EXECUTION_FAILED (bloxtr8.fail_execution_job). CD005, CD001, CD007 contract_execution_jobs_attempt.
-- @one
SELECT j.* FROM bloxtr8.fail_execution_job(:id::text, :attempt::integer, :error::text) AS j;

-- name: execution_job_recover()
-- Recovers the jobs stuck in PROCESSING past their lease (bloxtr8.recover_execution_jobs): each counts as a
-- failed attempt. Returns them.
SELECT j.* FROM bloxtr8.recover_execution_jobs() AS j;

-- name: execution_job_get_by_contract(contract_id)^
-- The execution job of a contract.
SELECT j.* FROM bloxtr8.contract_execution_jobs AS j
WHERE j.contract_id = :contract_id::text;
