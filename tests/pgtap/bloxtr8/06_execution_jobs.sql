-- bloxtr8: the execution queue (0016): claims take due PENDING jobs in order with a lease and count the attempt;
-- completing executes the contract; a failure is retried after an exponential backoff until the last attempt,
-- which fails the job and the contract; a lease that runs out is recovered; a stale worker is fenced off by its
-- attempt number; a failed execution is retried or voided. (Concurrency: tests/python/bloxtr8.)
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(50);
\ir ../helpers.psql
\ir fixtures.psql

-- execution_backoff
SELECT is(
    ARRAY[bloxtr8.execution_backoff(0), bloxtr8.execution_backoff(1), bloxtr8.execution_backoff(2),
          bloxtr8.execution_backoff(3), bloxtr8.execution_backoff(7), bloxtr8.execution_backoff(8),
          bloxtr8.execution_backoff(1000000)],
    ARRAY[interval '30 seconds', interval '30 seconds', interval '1 minute', interval '2 minutes',
          interval '32 minutes', interval '1 hour', interval '1 hour'],
    'backoff: 30 s doubled per failed attempt, at most 1 hour (no overflow for any attempt count)'
);

-- A queue: ja due two minutes ago, jb due one minute ago, jc due in an hour, jd PROCESSING.
SELECT pg_temp.deal(n, 500000, 'EXECUTING') FROM unnest(ARRAY['ja', 'jb', 'jc', 'jd']) AS n;
UPDATE bloxtr8.contract_execution_jobs SET next_retry_at = now() - interval '2 minutes'
WHERE id = 'ja_j';
UPDATE bloxtr8.contract_execution_jobs SET next_retry_at = now() - interval '1 minute'
WHERE id = 'jb_j';
UPDATE bloxtr8.contract_execution_jobs SET next_retry_at = now() + interval '1 hour'
WHERE id = 'jc_j';
UPDATE bloxtr8.contract_execution_jobs
SET status = 'PROCESSING', attempts = 1, processing_started_at = now(), next_retry_at = now() + interval '1 hour'
WHERE id = 'jd_j';

SELECT is(pg_temp.try($$SELECT bloxtr8.claim_execution_jobs(1, interval '0 seconds')$$),
    '23514 contract_execution_jobs_lease_check', 'a lease is positive');
SELECT is(pg_temp.try($$SELECT bloxtr8.claim_execution_jobs(1, interval '25 hours')$$),
    '23514 contract_execution_jobs_lease_check', 'a lease is at most a day');
SELECT is(
    (SELECT array_agg(j.id || ' ' || j.status || ' ' || j.attempts || ' ' || (j.processing_started_at = now()) || ' '
                      || (j.next_retry_at - now()))
     FROM bloxtr8.claim_execution_jobs(1, interval '5 minutes') AS j),
    ARRAY['ja_j PROCESSING 1 true 00:05:00'],
    'a claim takes the job due first: PROCESSING, attempt 1, started now, leased for 5 minutes'
);
SELECT is(
    (SELECT array_agg(j.id ORDER BY j.id) FROM bloxtr8.claim_execution_jobs(10, interval '5 minutes') AS j),
    ARRAY['jb_j'],
    'then the other due job; never a job not yet due (jc) or PROCESSING (jd, ja)'
);
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.claim_execution_jobs(10, interval '5 minutes')), 0,
    'nothing else is due'
);

-- complete_execution_job
SELECT is(pg_temp.try($$SELECT bloxtr8.complete_execution_job('j_nobody', 1)$$), 'CD005 ', 'CD005 unknown job');
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.complete_execution_job('jb_j', 2)$$),
    ARRAY['CD007', 'contract_execution_jobs_attempt', 'contract_execution_jobs', 'id=jb_j attempt=2 attempts=1'],
    'a worker completes only the attempt it claimed (CD007 contract_execution_jobs_attempt)'
);
SELECT is(
    (SELECT j.status || ' ' || (j.completed_at = now()) || ' ' || coalesce(j.next_retry_at::text, 'none')
     FROM bloxtr8.complete_execution_job('ja_j', 1) AS j),
    'COMPLETED true none', 'completing the claimed attempt: COMPLETED now, nothing due'
);
SELECT is((SELECT status::text FROM bloxtr8.contracts
           WHERE id = 'ja_c'), 'EXECUTED',
    'and the contract is EXECUTED in the same transaction');
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.complete_execution_job('ja_j', 1)$$),
    ARRAY['CD001', 'contract_execution_jobs_status_transition', 'contract_execution_jobs', 'from=COMPLETED to=COMPLETED'],
    'a job completes once (CD001)'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.fail_execution_job('jc_j', 0, 'x')$$), 'CD001 contract_execution_jobs_status_transition',
    'a PENDING job is not failed (CD001): only a claimed attempt fails');

-- fail_execution_job: retried after the backoff while attempts remain
SELECT is(
    (SELECT j.status || ' ' || j.attempts || ' ' || (j.next_retry_at - now()) || ' ' || j.last_error
     FROM bloxtr8.fail_execution_job('jb_j', 1, 'Roblox API timeout') AS j),
    'PENDING 1 00:00:30 Roblox API timeout',
    'a failed first attempt is PENDING again, due in 30 seconds, its error kept'
);
SELECT is((SELECT status::text FROM bloxtr8.contracts
           WHERE id = 'jb_c'), 'EXECUTING', 'the contract is still EXECUTING');
SELECT is(pg_temp.try($$SELECT bloxtr8.fail_execution_job('jb_j', 1, 'again')$$), 'CD001 contract_execution_jobs_status_transition',
    'the same attempt does not fail twice');
SELECT is((SELECT count(*)::integer FROM bloxtr8.claim_execution_jobs(10, interval '5 minutes')), 0,
    'a job waits out its backoff (database clock)');
SELECT common.set_clock_offset(interval '29 seconds');
SELECT is((SELECT count(*)::integer FROM bloxtr8.claim_execution_jobs(10, interval '5 minutes')), 0,
    '29 seconds later (the database''s clock) the job is still waiting');
SELECT common.set_clock_offset(interval '30 seconds');
SELECT is((SELECT j.attempts FROM bloxtr8.claim_execution_jobs(10, interval '5 minutes') AS j), 2,
    'after its 30 seconds, attempt 2 is claimed');
SELECT common.set_clock_offset(interval '0');
UPDATE bloxtr8.contract_execution_jobs SET next_retry_at = now() + interval '5 minutes', processing_started_at = now()
WHERE id = 'jb_j';
SELECT is(
    (SELECT j.next_retry_at - now() FROM bloxtr8.fail_execution_job('jb_j', 2, 'timeout again') AS j), interval '1 minute',
    'the backoff doubles: 1 minute after the second failure'
);
UPDATE bloxtr8.contract_execution_jobs SET next_retry_at = now()
WHERE id = 'jb_j';
SELECT is((SELECT j.attempts FROM bloxtr8.claim_execution_jobs(10, interval '5 minutes') AS j), 3, 'attempt 3, the last');
SELECT is(
    (SELECT j.status || ' ' || j.attempts || '/' || j.max_attempts || ' ' || coalesce(j.next_retry_at::text, 'none')
     FROM bloxtr8.fail_execution_job('jb_j', 3, 'gave up') AS j),
    'FAILED 3/3 none', 'after the last attempt the job is FAILED'
);
SELECT is((SELECT status::text FROM bloxtr8.contracts
           WHERE id = 'jb_c'), 'EXECUTION_FAILED',
    'and its contract EXECUTION_FAILED, in the same transaction');
SELECT is((SELECT count(*)::integer FROM bloxtr8.claim_execution_jobs(10, interval '5 minutes')), 0,
    'a FAILED job is not claimed');

-- retry_contract_execution
SELECT is(
    (SELECT c.status::text FROM bloxtr8.retry_contract_execution('jb_c') AS c), 'EXECUTING',
    'a failed execution is retried: the contract EXECUTING again'
);
SELECT is(
    (SELECT j.status || ' ' || j.attempts || '/' || j.max_attempts || ' ' || (j.next_retry_at = now()) || ' ' || j.last_error
     FROM bloxtr8.contract_execution_jobs AS j
     WHERE j.id = 'jb_j'),
    'PENDING 3/6 true gave up', 'its job PENDING, due now, with 3 more attempts; the history stays'
);
SELECT is((SELECT j.attempts FROM bloxtr8.claim_execution_jobs(10, interval '5 minutes') AS j), 4, 'attempt 4 is claimed');
SELECT is(pg_temp.try($$SELECT bloxtr8.retry_contract_execution('jb_c')$$), 'CD001 contracts_status_transition',
    'only an EXECUTION_FAILED contract is retried (CD001)');
SELECT is(pg_temp.try($$SELECT bloxtr8.retry_contract_execution('d1_c')$$), 'CD001 contracts_status_transition',
    'a PENDING_SIGNATURE contract is not retried');
SELECT is(pg_temp.try($$SELECT bloxtr8.retry_contract_execution('c_nobody')$$), 'CD005 ', 'CD005 unknown contract (retry)');
SELECT is((SELECT j.status::text FROM bloxtr8.complete_execution_job('jb_j', 4) AS j), 'COMPLETED',
    'the retried execution completes');
SELECT is((SELECT status::text FROM bloxtr8.contracts
           WHERE id = 'jb_c'), 'EXECUTED', 'its contract is EXECUTED');

-- voiding a failed execution
SELECT pg_temp.deal('jv', 500000, 'EXECUTING');
UPDATE bloxtr8.contract_execution_jobs SET max_attempts = 1
WHERE id = 'jv_j';
SELECT is((SELECT j.id FROM bloxtr8.claim_execution_jobs(10, interval '5 minutes') AS j), 'jv_j', 'a one-attempt job is claimed');
SELECT is((SELECT j.status::text FROM bloxtr8.fail_execution_job('jv_j', 1, 'no') AS j), 'FAILED',
    'its only attempt fails: FAILED');
SELECT is((SELECT c.status::text FROM bloxtr8.void_contract('jv_c') AS c), 'VOID', 'an EXECUTION_FAILED contract is voided');
SELECT is(pg_temp.try($$SELECT bloxtr8.retry_contract_execution('jv_c')$$), 'CD001 contracts_status_transition',
    'a VOID contract is not retried');

-- recover_execution_jobs: leases that ran out
SELECT pg_temp.deal(n, 500000, 'EXECUTING') FROM unnest(ARRAY['jr', 'jl', 'jk']) AS n;
UPDATE bloxtr8.contract_execution_jobs
SET status = 'PROCESSING', attempts = 1, processing_started_at = now() - interval '10 minutes',
    next_retry_at = now() - interval '5 minutes'
WHERE id = 'jr_j';
UPDATE bloxtr8.contract_execution_jobs
SET status = 'PROCESSING', attempts = 3, processing_started_at = now() - interval '10 minutes',
    next_retry_at = now() - interval '5 minutes'
WHERE id = 'jl_j';
UPDATE bloxtr8.contract_execution_jobs
SET status = 'PROCESSING', attempts = 1, processing_started_at = now() - interval '10 minutes',
    next_retry_at = now() + interval '5 minutes'
WHERE id = 'jk_j';
SELECT is(
    (SELECT array_agg(j.id || ' ' || j.status ORDER BY j.id) FROM bloxtr8.recover_execution_jobs() AS j),
    ARRAY['jl_j FAILED', 'jr_j PENDING'],
    'recovery moves exactly the jobs whose lease ran out: back to PENDING, or FAILED after the last attempt'
);
SELECT is(
    (SELECT (j.next_retry_at - now()) || ' ' || j.last_error FROM bloxtr8.contract_execution_jobs AS j
     WHERE j.id = 'jr_j'),
    format('00:00:30 lease expired at %s (attempt 1)', now() - interval '5 minutes'),
    'a recovered attempt counts as failed: retried after the backoff, the lease in last_error'
);
SELECT is((SELECT status::text FROM bloxtr8.contracts
           WHERE id = 'jl_c'), 'EXECUTION_FAILED',
    'a recovered last attempt fails the contract');
SELECT is((SELECT status::text FROM bloxtr8.contract_execution_jobs
           WHERE id = 'jk_j'), 'PROCESSING',
    'a job within its lease is left to its worker');
SELECT is((SELECT count(*)::integer FROM bloxtr8.recover_execution_jobs()), 0, 'a second recovery finds nothing');
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.complete_execution_job('jr_j', 1)$$),
    ARRAY['CD001', 'contract_execution_jobs_status_transition', 'contract_execution_jobs', 'from=PENDING to=COMPLETED'],
    'the worker whose lease ran out cannot complete it any more'
);
UPDATE bloxtr8.contract_execution_jobs SET next_retry_at = now()
WHERE id = 'jr_j';
SELECT is((SELECT j.attempts FROM bloxtr8.claim_execution_jobs(1, interval '5 minutes') AS j
           WHERE j.id = 'jr_j'), 2,
    'another worker claims attempt 2');
SELECT is(pg_temp.try($$SELECT bloxtr8.complete_execution_job('jr_j', 1)$$), 'CD007 contract_execution_jobs_attempt',
    'the stale worker of attempt 1 is fenced off');
SELECT is(pg_temp.try($$SELECT bloxtr8.fail_execution_job('jr_j', 1, 'late')$$), 'CD007 contract_execution_jobs_attempt',
    'nor can it fail attempt 2');
SELECT is((SELECT j.status::text FROM bloxtr8.complete_execution_job('jr_j', 2) AS j), 'COMPLETED',
    'attempt 2 completes: each attempt ended once');

-- The state of every job and contract fits: a job's status goes with its contract's.
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.contract_execution_jobs AS j
     INNER JOIN bloxtr8.contracts AS c ON j.contract_id = c.id
     WHERE NOT (
         (j.status IN ('PENDING', 'PROCESSING') AND c.status = 'EXECUTING')
         OR (j.status = 'COMPLETED' AND c.status = 'EXECUTED')
         OR (j.status = 'FAILED' AND c.status IN ('EXECUTION_FAILED', 'VOID'))
     )),
    0,
    'every job agrees with its contract (PENDING/PROCESSING-EXECUTING, COMPLETED-EXECUTED, FAILED-EXECUTION_FAILED/VOID)'
);
SELECT is((SELECT count(*)::integer FROM bloxtr8.contracts
           WHERE status = 'EXECUTING' AND id NOT IN (
    SELECT j.contract_id FROM bloxtr8.contract_execution_jobs AS j)), 0, 'every EXECUTING contract has its job');
SELECT is(
    (SELECT array_agg(id ORDER BY id) FROM bloxtr8.contract_execution_jobs
     WHERE status = 'PROCESSING'),
    ARRAY['jd_j', 'jk_j'], 'only the jobs within their lease are PROCESSING'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.fail_execution_job('j_nobody', 1, 'x')$$), 'CD005 ', 'CD005 unknown job (fail)');
SELECT is((SELECT count(*)::integer FROM bloxtr8.claim_execution_jobs(0, interval '5 minutes')), 0, 'a claim of 0 jobs takes none');

SELECT * FROM finish();
ROLLBACK;
