-- depends: 0003_tips_events
-- tips.event_verifications, verbatim from the seed (crypto.randomUUID() -> gen_random_uuid()),
-- one per event: the webhook's ingest creates it pending (0005), the worker moves it to verified
-- or failed (0006). Seed silent, decided here:
--   NOT NULL  event_id and created_at (the seed marks neither NOT NULL nor NULLABLE: a verification
--             always has its event and its creation time); status defaults to pending and
--             helius_response to {} (no answer yet).
--   signature the seed's copy of the event's signature "for lookup": the foreign key is on
--             (event_id, signature) -> events (id, signature), so the copy is always the event's.
--             Its index is event_verifications_event_id_key (the seed's unique event_id), which
--             INCLUDEs signature: it also serves the foreign key.
--   states    pending -> verified | failed, both terminal. verified has its slot, verified_at
--             and an answer whose slot is that slot; failed has its error_code (A_CODE_LIKE_THIS);
--             pending has no slot, no verified_at, no error_code and the empty answer {}.
--   the claim (added columns): the worker claims pending rows with FOR UPDATE SKIP LOCKED in a
--             short transaction and holds them by a lease while the RPC call is in flight, not by
--             an open transaction: claim_token is the claim's token, available_at the lease's end
--             (a crashed worker's rows come back when it passes) or, after a retry, the time of
--             the next attempt; attempt_count counts the RPC attempts. Only the holder of the
--             token records the outcome, and a decided row holds no claim.
-- The app only reads: every write goes through the functions of 0005 and 0006.

CREATE TYPE tips.verification_status AS ENUM ('pending', 'verified', 'failed');

COMMENT ON TYPE tips.verification_status IS
'A tip''s verification against the chain: pending -> verified | failed (the seed''s states).';

CREATE TABLE tips.event_verifications (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    event_id varchar(72) NOT NULL,
    status tips.verification_status NOT NULL DEFAULT 'pending',
    signature varchar(128) NOT NULL,
    slot bigint,
    helius_response jsonb NOT NULL DEFAULT '{}',
    error_code varchar(64),
    verified_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    attempt_count integer NOT NULL DEFAULT 0,
    claim_token uuid,
    available_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT event_verifications_pkey PRIMARY KEY (id),
    CONSTRAINT event_verifications_event_id_key UNIQUE (event_id) INCLUDE (signature),
    CONSTRAINT event_verifications_event_id_signature_fkey FOREIGN KEY (event_id, signature)
    REFERENCES tips.events (id, signature) ON DELETE RESTRICT,
    CONSTRAINT event_verifications_slot_check CHECK (slot >= 0),
    CONSTRAINT event_verifications_slot_status_check CHECK (
        (status = 'verified' AND slot IS NOT NULL) OR (status = 'pending' AND slot IS NULL) OR status = 'failed'
    ),
    CONSTRAINT event_verifications_verified_at_check CHECK ((status = 'verified') = (verified_at IS NOT NULL)),
    CONSTRAINT event_verifications_error_code_check CHECK ((status = 'failed') = (error_code IS NOT NULL)),
    CONSTRAINT event_verifications_error_code_format_check CHECK (error_code ~ '^[A-Z][A-Z0-9_]*$'),
    CONSTRAINT event_verifications_helius_response_check CHECK (
        jsonb_typeof(helius_response) = 'object' AND (status = 'pending') = (helius_response = '{}')
    ),
    CONSTRAINT event_verifications_helius_response_slot_check CHECK (
        status <> 'verified' OR helius_response -> 'slot' = to_jsonb(slot)
    ),
    CONSTRAINT event_verifications_claim_check CHECK (status = 'pending' OR claim_token IS NULL),
    CONSTRAINT event_verifications_attempt_count_check CHECK (attempt_count >= 0)
);

CREATE INDEX event_verifications_pending_idx ON tips.event_verifications (available_at, id)
WHERE status = 'pending';

CALL common.define_state_machine(
    'tips.event_verifications', 'status', '{pending>verified|failed}', '{pending}',
    'verified and failed are terminal; only a verified tip is counted or paid out.'
);

CALL common.define_immutable_columns(
    'tips.event_verifications', '{id, event_id, signature, created_at}', '{slot, verified_at, error_code}'
);

COMMENT ON TABLE tips.event_verifications IS
'The seed''s verification of each tip against the chain (Helius getTransaction), one per event: the source of '
'truth before any tip is counted or paid. Written only by the tips functions (ingest, worker).';
COMMENT ON COLUMN tips.event_verifications.status IS
'pending -> verified | failed; verified and failed are terminal.';
COMMENT ON COLUMN tips.event_verifications.signature IS
'Copy of the event''s transaction signature, for lookup (the foreign key keeps it the event''s).';
COMMENT ON COLUMN tips.event_verifications.slot IS 'The slot the transaction was confirmed in; set when verified.';
COMMENT ON COLUMN tips.event_verifications.helius_response IS
'Deterministic subset of the getTransaction answer (chaindb.tips.verify.response_subset): {} while pending.';
COMMENT ON COLUMN tips.event_verifications.error_code IS
'Why the verification failed (TX_NOT_FOUND, TX_FAILED, SIGNER_MISMATCH, DESTINATION_MISMATCH, AMOUNT_MISMATCH, '
'RPC_UNAVAILABLE, ...); set exactly when failed.';
COMMENT ON COLUMN tips.event_verifications.verified_at IS
'When the verification succeeded (the database''s clock); set exactly when verified. For latency metrics.';
COMMENT ON COLUMN tips.event_verifications.attempt_count IS 'RPC attempts so far (each claim counts one).';
COMMENT ON COLUMN tips.event_verifications.claim_token IS
'The token of the worker claim holding this pending row; NULL when unclaimed. Only its holder records the outcome.';
COMMENT ON COLUMN tips.event_verifications.available_at IS
'When the row may be claimed (next): the end of the current claim''s lease, or of a retry''s wait.';
COMMENT ON CONSTRAINT event_verifications_event_id_key ON tips.event_verifications IS
'One verification per event (the seed); includes signature so that it also serves the foreign key.';
COMMENT ON CONSTRAINT event_verifications_event_id_signature_fkey ON tips.event_verifications IS
'The verification''s event, and its signature is the event''s (the seed''s FK event_id -> events.id, widened).';
COMMENT ON CONSTRAINT event_verifications_slot_check ON tips.event_verifications IS 'A slot is never negative.';
COMMENT ON CONSTRAINT event_verifications_slot_status_check ON tips.event_verifications IS
'A verified row has its slot; a pending one has none (a failed one may: the transaction was found).';
COMMENT ON CONSTRAINT event_verifications_verified_at_check ON tips.event_verifications IS
'verified_at is set exactly when verified.';
COMMENT ON CONSTRAINT event_verifications_error_code_check ON tips.event_verifications IS
'error_code is set exactly when failed.';
COMMENT ON CONSTRAINT event_verifications_error_code_format_check ON tips.event_verifications IS
'error_code is an upper-case code: A-Z, 0-9, _ (starting with a letter).';
COMMENT ON CONSTRAINT event_verifications_helius_response_check ON tips.event_verifications IS
'helius_response is a JSON object, empty exactly while pending.';
COMMENT ON CONSTRAINT event_verifications_helius_response_slot_check ON tips.event_verifications IS
'A verified row''s answer is for its slot.';
COMMENT ON CONSTRAINT event_verifications_claim_check ON tips.event_verifications IS
'Only a pending row can be claimed: a decided one holds no claim.';
COMMENT ON CONSTRAINT event_verifications_attempt_count_check ON tips.event_verifications IS
'attempt_count is never negative.';
COMMENT ON INDEX tips.event_verifications_pending_idx IS
'The worker''s queue: pending rows by the time they may be claimed (tips.claim_verifications).';

GRANT USAGE ON TYPE tips.verification_status TO chaindb_app, chaindb_readonly;
GRANT SELECT ON tips.event_verifications TO chaindb_app, chaindb_readonly;
