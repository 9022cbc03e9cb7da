-- depends: 0007_bloxtr8_contracts
-- bloxtr8.contract_execution_jobs (seed: ContractExecutionJob): the queue that executes a contract once
-- both parties signed. Verbatim (one job per contract: contract_execution_jobs_contract_id_key, whose index
-- is also the seed's @@index([contractId])), plus, where the seed is silent:
--   next_retry_at is when the job is next due: set while PENDING (now at creation, then now + backoff
--   after a failed attempt) and while PROCESSING (the end of the worker's lease: a job still PROCESSING
--   then is recoverable, bloxtr8.recover_execution_jobs); NULL once COMPLETED or FAILED.
--   attempts counts claimed attempts: 0 <= attempts <= max_attempts, never decreasing; a PENDING job has an
--   attempt left; a PROCESSING one is in attempt attempts (>= 1, processing_started_at set); FAILED means
--   the last attempt failed (attempts = max_attempts); completed_at is set exactly when COMPLETED; a lease is
--   positive and at most a day.
--   State machine PENDING -> PROCESSING (claimed) -> COMPLETED | PENDING (failed or lease lost, an attempt
--   left: retried after a backoff) | FAILED (no attempt left); FAILED -> PENDING (the contract's execution
--   is retried: bloxtr8.retry_contract_execution grants new attempts). The functions of 0016 move the job
--   and its contract together.
-- The contract foreign key is RESTRICT (history).

CREATE TABLE bloxtr8.contract_execution_jobs (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    contract_id text NOT NULL,
    status bloxtr8.job_status NOT NULL DEFAULT 'PENDING',
    attempts integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 3,
    last_error text,
    next_retry_at timestamptz,
    processing_started_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    completed_at timestamptz,
    CONSTRAINT contract_execution_jobs_pkey PRIMARY KEY (id),
    CONSTRAINT contract_execution_jobs_contract_id_key UNIQUE (contract_id),
    CONSTRAINT contract_execution_jobs_contract_id_fkey FOREIGN KEY (contract_id)
    REFERENCES bloxtr8.contracts (id) ON DELETE RESTRICT,
    CONSTRAINT contract_execution_jobs_attempts_check CHECK (attempts >= 0 AND attempts <= max_attempts),
    CONSTRAINT contract_execution_jobs_max_attempts_check CHECK (max_attempts >= 1),
    CONSTRAINT contract_execution_jobs_next_retry_at_check
    CHECK ((next_retry_at IS NOT NULL) = (status IN ('PENDING', 'PROCESSING'))),
    CONSTRAINT contract_execution_jobs_pending_check CHECK (status <> 'PENDING' OR attempts < max_attempts),
    CONSTRAINT contract_execution_jobs_processing_check
    CHECK (status <> 'PROCESSING' OR (attempts >= 1 AND processing_started_at IS NOT NULL)),
    CONSTRAINT contract_execution_jobs_lease_check CHECK (
        status <> 'PROCESSING'
        OR (next_retry_at > processing_started_at AND next_retry_at <= processing_started_at + interval '1 day')
    ),
    CONSTRAINT contract_execution_jobs_completed_at_check CHECK ((completed_at IS NOT NULL) = (status = 'COMPLETED')),
    CONSTRAINT contract_execution_jobs_failed_check CHECK (status <> 'FAILED' OR attempts = max_attempts)
);

CREATE INDEX contract_execution_jobs_status_next_retry_at_idx
ON bloxtr8.contract_execution_jobs (status, next_retry_at);

CALL common.define_state_machine(
    'bloxtr8.contract_execution_jobs', 'status',
    '{PENDING>PROCESSING, PROCESSING>PENDING|COMPLETED|FAILED, FAILED>PENDING}', '{PENDING}',
    'Claimed with FOR UPDATE SKIP LOCKED once next_retry_at has passed; a failed attempt (or a lease that ran out) '
    'goes back to PENDING after an exponential backoff while attempts remain, else FAILED; FAILED -> PENDING only '
    'when the contract''s execution is retried. COMPLETED is terminal.'
);

CALL common.define_immutable_columns(
    'bloxtr8.contract_execution_jobs', '{id, contract_id, created_at}', '{completed_at}'
);

CREATE FUNCTION bloxtr8.tg_contract_execution_jobs__attempts_monotonic()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RAISE EXCEPTION 'contract_execution_jobs: attempts may not decrease (% -> %)', OLD.attempts, NEW.attempts
        USING ERRCODE = 'CD004', CONSTRAINT = 'contract_execution_jobs_attempts_regression',
              SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME, COLUMN = 'attempts',
              DETAIL = format('from=%s to=%s', OLD.attempts, NEW.attempts);
END
$fn$;

COMMENT ON FUNCTION bloxtr8.tg_contract_execution_jobs__attempts_monotonic() IS
'BEFORE UPDATE on contract_execution_jobs when attempts would decrease: raises CD004 '
'(contract_execution_jobs_attempts_regression).';

CREATE TRIGGER contract_execution_jobs_attempts_monotonic
BEFORE UPDATE ON bloxtr8.contract_execution_jobs
FOR EACH ROW
WHEN (new.attempts < old.attempts)
EXECUTE FUNCTION bloxtr8.tg_contract_execution_jobs__attempts_monotonic();

COMMENT ON TRIGGER contract_execution_jobs_attempts_monotonic ON bloxtr8.contract_execution_jobs IS
'attempts never decreases (CD004): every attempt a worker claimed stays counted.';

CREATE TRIGGER contract_execution_jobs_updated_at
BEFORE UPDATE ON bloxtr8.contract_execution_jobs
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.contract_execution_jobs IS
'Queue-based contract execution with retries (seed: ContractExecutionJob): one job per contract, created when both '
'parties have signed, claimed by workers with FOR UPDATE SKIP LOCKED.';
COMMENT ON COLUMN bloxtr8.contract_execution_jobs.attempts IS
'Attempts claimed so far (the current one while PROCESSING); the fencing token a worker passes back.';
COMMENT ON COLUMN bloxtr8.contract_execution_jobs.max_attempts IS 'Attempts allowed before FAILED (3; a retry adds 3).';
COMMENT ON COLUMN bloxtr8.contract_execution_jobs.last_error IS 'The error of the last failed attempt.';
COMMENT ON COLUMN bloxtr8.contract_execution_jobs.next_retry_at IS
'PENDING: when the job is due (creation, or after a backoff); PROCESSING: when the worker''s lease ends; else NULL.';
COMMENT ON COLUMN bloxtr8.contract_execution_jobs.processing_started_at IS 'When the current or last attempt was claimed.';
COMMENT ON COLUMN bloxtr8.contract_execution_jobs.completed_at IS 'When the job completed; set exactly when COMPLETED.';
COMMENT ON CONSTRAINT contract_execution_jobs_contract_id_key ON bloxtr8.contract_execution_jobs IS
'One job per contract (prevents duplicate execution); also the seed''s contractId index.';
COMMENT ON CONSTRAINT contract_execution_jobs_attempts_check ON bloxtr8.contract_execution_jobs IS
'0 <= attempts <= max_attempts.';
COMMENT ON CONSTRAINT contract_execution_jobs_max_attempts_check ON bloxtr8.contract_execution_jobs IS
'A job has at least one attempt.';
COMMENT ON CONSTRAINT contract_execution_jobs_next_retry_at_check ON bloxtr8.contract_execution_jobs IS
'next_retry_at is set exactly while PENDING (due time) or PROCESSING (lease end).';
COMMENT ON CONSTRAINT contract_execution_jobs_pending_check ON bloxtr8.contract_execution_jobs IS
'A PENDING job has an attempt left.';
COMMENT ON CONSTRAINT contract_execution_jobs_processing_check ON bloxtr8.contract_execution_jobs IS
'A PROCESSING job is in a claimed attempt (attempts >= 1) that started at processing_started_at.';
COMMENT ON CONSTRAINT contract_execution_jobs_lease_check ON bloxtr8.contract_execution_jobs IS
'A worker''s lease (PROCESSING: processing_started_at to next_retry_at) is positive and at most one day.';
COMMENT ON CONSTRAINT contract_execution_jobs_completed_at_check ON bloxtr8.contract_execution_jobs IS
'completed_at is set exactly when COMPLETED.';
COMMENT ON CONSTRAINT contract_execution_jobs_failed_check ON bloxtr8.contract_execution_jobs IS
'A job is FAILED only after its last attempt.';
COMMENT ON INDEX bloxtr8.contract_execution_jobs_status_next_retry_at_idx IS
'The claim: PENDING jobs in next_retry_at order (and PROCESSING ones by lease end, for recovery).';
COMMENT ON TRIGGER contract_execution_jobs_updated_at ON bloxtr8.contract_execution_jobs IS
'Keeps updated_at at the time of the last update.';

GRANT SELECT ON bloxtr8.contract_execution_jobs TO chaindb_app, chaindb_readonly;
