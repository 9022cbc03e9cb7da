-- depends: 0015_bloxtr8_contract_functions
-- The execution queue: workers claim, complete and fail jobs through SECURITY DEFINER functions, which
-- move each job and its contract together (chaindb_app reads both tables and cannot write them).
--
--   claim_execution_jobs(limit, lease)   up to limit PENDING jobs whose next_retry_at has passed (database
--       clock), oldest due first, locked with FOR UPDATE SKIP LOCKED (concurrent workers never wait for
--       nor take each other's jobs) and moved to PROCESSING: attempts + 1, processing_started_at now,
--       next_retry_at now + lease (23514 contract_execution_jobs_lease_check unless 0 < lease <= 1 day).
--       The returned attempts is the worker's fencing token.
--   complete_execution_job(job, attempt)   PROCESSING -> COMPLETED, and the contract EXECUTING -> EXECUTED.
--   fail_execution_job(job, attempt, error)   PROCESSING -> PENDING after a backoff while attempts remain
--       (bloxtr8.execution_backoff: 30 s, 1 min, 2 min, ... at most 1 hour), else -> FAILED and the
--       contract -> EXECUTION_FAILED.
--   recover_execution_jobs()   every PROCESSING job whose lease has ended (its worker died or hangs) counts
--       as a failed attempt ('lease expired'): back to PENDING after the backoff, or FAILED with its contract
--       (skipping jobs locked by a worker finishing them right now). Returns the jobs it moved.
--   retry_contract_execution(contract)   an EXECUTION_FAILED contract -> EXECUTING, its FAILED job -> PENDING,
--       due now, with max_attempts raised by 3 (attempts are never reset: the history stays).
-- complete and fail take the attempt the claim returned: a worker whose lease ran out and whose job was
-- recovered (and maybe claimed again) is refused with CD001 (not PROCESSING) or CD007
-- contract_execution_jobs_attempt (another attempt holds it), so each attempt ends once. CD005 unknown job.

CREATE FUNCTION bloxtr8.execution_backoff(p_attempts integer)
RETURNS interval
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT least(interval '30 seconds' * power(2, least(greatest(p_attempts, 1), 8) - 1), interval '1 hour')
$fn$;

COMMENT ON FUNCTION bloxtr8.execution_backoff(integer) IS
'The wait before retrying a job after its p_attempts-th attempt failed: 30 seconds doubled per attempt (30 s, 1 min, '
'2 min, ...), at most 1 hour.';

CREATE FUNCTION bloxtr8.claim_execution_jobs(p_limit integer, p_lease interval)
RETURNS SETOF bloxtr8.contract_execution_jobs
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    -- id = ANY(ARRAY(...)): the jobs are found through the (status, next_retry_at) index and updated through the
    -- primary key whatever p_limit is (a join would be planned for an unknown LIMIT: a scan of the whole table).
    RETURN QUERY
    UPDATE bloxtr8.contract_execution_jobs AS j
    SET status = 'PROCESSING', attempts = j.attempts + 1, processing_started_at = common.now(), next_retry_at = common.now() + p_lease
    WHERE j.id = ANY(ARRAY(
        SELECT d.id
        FROM bloxtr8.contract_execution_jobs AS d
        WHERE d.status = 'PENDING' AND d.next_retry_at <= common.now()
        ORDER BY d.next_retry_at
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    ))
    RETURNING j.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.claim_execution_jobs(integer, interval) IS
'Claims up to p_limit due PENDING jobs (next_retry_at passed, database clock), oldest due first, with FOR UPDATE SKIP '
'LOCKED, and returns them PROCESSING with attempts + 1 (the worker''s fencing token) and a lease of p_lease (23514 '
'contract_execution_jobs_lease_check unless 0 < p_lease <= 1 day).';

CREATE FUNCTION bloxtr8.finish_execution_job_refused(p_job_id text, p_attempt integer, p_to bloxtr8.job_status)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_status bloxtr8.job_status;
    v_attempts integer;
BEGIN
    SELECT j.status, j.attempts INTO v_status, v_attempts FROM bloxtr8.contract_execution_jobs AS j WHERE j.id = p_job_id;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.contract_execution_jobs', p_job_id);
    ELSIF v_status <> 'PROCESSING' THEN
        PERFORM common.raise_forbidden_transition(
            'bloxtr8.contract_execution_jobs', 'status', v_status::text, p_to::text
        );
    END IF;
    PERFORM common.raise_precondition_failed(
        'bloxtr8.contract_execution_jobs', 'contract_execution_jobs_attempt',
        format('job %s is in attempt %s, not %s (the lease of attempt %s ran out)', p_job_id, v_attempts, p_attempt,
            p_attempt),
        format('id=%s attempt=%s attempts=%s', p_job_id, p_attempt, v_attempts)
    );
END
$fn$;

COMMENT ON FUNCTION bloxtr8.finish_execution_job_refused(text, integer, bloxtr8.job_status) IS
'Why a job could not be completed or failed by attempt p_attempt (always raises): CD005 unknown job, CD001 not '
'PROCESSING (from=<status> to=p_to), else CD007 contract_execution_jobs_attempt (another attempt holds it).';

CREATE FUNCTION bloxtr8.complete_execution_job(p_job_id text, p_attempt integer)
RETURNS SETOF bloxtr8.contract_execution_jobs
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_job bloxtr8.contract_execution_jobs;
BEGIN
    UPDATE bloxtr8.contract_execution_jobs AS j
    SET status = 'COMPLETED', completed_at = common.now(), next_retry_at = NULL
    WHERE j.id = p_job_id AND j.status = 'PROCESSING' AND j.attempts = p_attempt
    RETURNING j.* INTO v_job;
    IF NOT FOUND THEN
        PERFORM bloxtr8.finish_execution_job_refused(p_job_id, p_attempt, 'COMPLETED');
    END IF;
    UPDATE bloxtr8.contracts AS c SET status = 'EXECUTED' WHERE c.id = v_job.contract_id;
    RETURN NEXT v_job;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.complete_execution_job(text, integer) IS
'The worker of attempt p_attempt completed the job: PROCESSING -> COMPLETED (completed_at now) and its contract '
'EXECUTING -> EXECUTED, in one transaction. Refusals of bloxtr8.finish_execution_job_refused.';

CREATE FUNCTION bloxtr8.fail_execution_job(p_job_id text, p_attempt integer, p_error text)
RETURNS SETOF bloxtr8.contract_execution_jobs
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_job bloxtr8.contract_execution_jobs;
BEGIN
    UPDATE bloxtr8.contract_execution_jobs AS j
    SET status = CASE WHEN j.attempts < j.max_attempts THEN 'PENDING' ELSE 'FAILED' END::bloxtr8.job_status,
        last_error = coalesce(p_error, 'no error given'),
        next_retry_at = CASE WHEN j.attempts < j.max_attempts THEN common.now() + bloxtr8.execution_backoff(j.attempts) END
    WHERE j.id = p_job_id AND j.status = 'PROCESSING' AND j.attempts = p_attempt
    RETURNING j.* INTO v_job;
    IF NOT FOUND THEN
        PERFORM bloxtr8.finish_execution_job_refused(p_job_id, p_attempt, 'FAILED');
    END IF;
    IF v_job.status = 'FAILED' THEN
        UPDATE bloxtr8.contracts AS c SET status = 'EXECUTION_FAILED' WHERE c.id = v_job.contract_id;
    END IF;
    RETURN NEXT v_job;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.fail_execution_job(text, integer, text) IS
'The worker of attempt p_attempt failed (p_error kept in last_error): back to PENDING, due after '
'bloxtr8.execution_backoff(attempts), while attempts remain; after the last one FAILED and the contract '
'EXECUTION_FAILED, in one transaction. Refusals of bloxtr8.finish_execution_job_refused.';

CREATE FUNCTION bloxtr8.recover_execution_jobs()
RETURNS SETOF bloxtr8.contract_execution_jobs
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RETURN QUERY
    WITH moved AS (
        UPDATE bloxtr8.contract_execution_jobs AS j
        SET status = CASE WHEN j.attempts < j.max_attempts THEN 'PENDING' ELSE 'FAILED' END::bloxtr8.job_status,
            last_error = format('lease expired at %s (attempt %s)', j.next_retry_at, j.attempts),
            next_retry_at = CASE WHEN j.attempts < j.max_attempts THEN common.now() + bloxtr8.execution_backoff(j.attempts) END
        WHERE j.id = ANY(ARRAY(
            SELECT d.id
            FROM bloxtr8.contract_execution_jobs AS d
            WHERE d.status = 'PROCESSING' AND d.next_retry_at <= common.now()
            FOR UPDATE SKIP LOCKED
        ))
        RETURNING j.*
    ),

    failed AS (
        UPDATE bloxtr8.contracts AS c SET status = 'EXECUTION_FAILED'
        WHERE c.id = ANY(ARRAY(SELECT m.contract_id FROM moved AS m WHERE m.status = 'FAILED'))
    )

    SELECT m.* FROM moved AS m;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.recover_execution_jobs() IS
'Recovers the jobs stuck in PROCESSING past their lease (database clock): each counts as a failed attempt (last_error '
'''lease expired ...''), back to PENDING after the backoff or FAILED with its contract EXECUTION_FAILED. Jobs locked '
'by a worker right now are skipped. Returns the jobs it moved.';

CREATE FUNCTION bloxtr8.retry_contract_execution(p_contract_id text)
RETURNS SETOF bloxtr8.contracts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_status bloxtr8.contract_status;
BEGIN
    SELECT c.status INTO v_status FROM bloxtr8.contracts AS c WHERE c.id = p_contract_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.contracts', p_contract_id);
    ELSIF v_status <> 'EXECUTION_FAILED' THEN
        PERFORM common.raise_forbidden_transition('bloxtr8.contracts', 'status', v_status::text, 'EXECUTING');
    END IF;
    UPDATE bloxtr8.contract_execution_jobs AS j
    SET status = 'PENDING', max_attempts = j.attempts + 3, next_retry_at = common.now()
    WHERE j.contract_id = p_contract_id;
    RETURN QUERY
    UPDATE bloxtr8.contracts AS c SET status = 'EXECUTING' WHERE c.id = p_contract_id RETURNING c.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.retry_contract_execution(text) IS
'Retries a failed execution: the contract EXECUTION_FAILED -> EXECUTING and its job FAILED -> PENDING, due now, with '
'3 more attempts (max_attempts = attempts + 3). CD005 unknown contract, CD001 unless EXECUTION_FAILED.';

REVOKE ALL ON FUNCTION
bloxtr8.execution_backoff(integer),
bloxtr8.claim_execution_jobs(integer, interval),
bloxtr8.finish_execution_job_refused(text, integer, bloxtr8.job_status),
bloxtr8.complete_execution_job(text, integer),
bloxtr8.fail_execution_job(text, integer, text),
bloxtr8.recover_execution_jobs(),
bloxtr8.retry_contract_execution(text)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
bloxtr8.execution_backoff(integer),
bloxtr8.claim_execution_jobs(integer, interval),
bloxtr8.complete_execution_job(text, integer),
bloxtr8.fail_execution_job(text, integer, text),
bloxtr8.recover_execution_jobs(),
bloxtr8.retry_contract_execution(text)
TO chaindb_app;
GRANT EXECUTE ON FUNCTION bloxtr8.execution_backoff(integer) TO chaindb_readonly;
