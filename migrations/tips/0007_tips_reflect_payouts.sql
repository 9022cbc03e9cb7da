-- depends: 0006_tips_verification_functions
-- tips.reflect_payouts, verbatim from the seed (crypto.randomUUID() -> gen_random_uuid()): the
-- host's payout of a verified tip in a stablecoin, through Reflect. Seed silent, decided here:
--   NOT NULL   event_id (unique: one payout per event for now, as the seed says), attempt_count,
--              updated_at, created_at (the seed marks them neither NOT NULL nor NULLABLE);
--              status defaults to pending.
--   verified   a payout row can exist only for an event whose verification is verified: the
--              trigger reflect_payouts_event_verified refuses any other insert, by any role (CD007);
--              verified is terminal and event_id never changes, so the rule holds for the row's life.
--   amount     the seed's amount >= 0, and finite (common.is_finite, as every numeric column):
--              numeric(18, 2) takes NaN, and NaN >= 0 is true.
--   states     pending (created, not yet handed to Reflect) -> queued (Reflect accepted it and
--              gave its id, reflect_tip_id) -> settled | failed (Reflect's outcome). cancelled:
--              from pending when the payout is given up before Reflect has it (an operator, a
--              request Reflect refuses, attempts exhausted), and from queued only when Reflect
--              reports it cancelled. settled, failed and cancelled are terminal.
--   reflect_tip_id  Reflect's id, set once when queued (the request carries our payout id as its
--              Idempotency-Key, so a resent request is the same payout at Reflect); unique.
--   last_error Reflect's last error; required when failed or cancelled.
--   the claim  claim_token and available_at, as on event_verifications: the payout worker claims
--              pending rows (to send) or queued ones (to ask Reflect) with FOR UPDATE SKIP LOCKED and
--              holds them by a lease while its HTTP call is in flight; attempt_count counts sends.
-- The app only reads: every write goes through the functions of 0008.

CREATE TYPE tips.payout_status AS ENUM ('pending', 'queued', 'settled', 'failed', 'cancelled');

COMMENT ON TYPE tips.payout_status IS
'A Reflect payout: pending -> queued -> settled | failed, pending | queued -> cancelled (the seed''s states).';

CREATE TABLE tips.reflect_payouts (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    event_id varchar(72) NOT NULL,
    reflect_tip_id varchar(128),
    status tips.payout_status NOT NULL DEFAULT 'pending',
    currency varchar(16) NOT NULL,
    amount numeric(18, 2) NOT NULL,
    attempt_count integer NOT NULL DEFAULT 0,
    last_error text,
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    created_at timestamptz NOT NULL DEFAULT common.now(),
    claim_token uuid,
    available_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT reflect_payouts_pkey PRIMARY KEY (id),
    CONSTRAINT reflect_payouts_event_id_key UNIQUE (event_id),
    CONSTRAINT reflect_payouts_reflect_tip_id_key UNIQUE (reflect_tip_id),
    CONSTRAINT reflect_payouts_event_id_fkey FOREIGN KEY (event_id) REFERENCES tips.events (id) ON DELETE RESTRICT,
    CONSTRAINT reflect_payouts_amount_check CHECK (amount >= 0),
    CONSTRAINT reflect_payouts_amount_finite_check CHECK (common.is_finite(amount)),
    CONSTRAINT reflect_payouts_currency_check CHECK (currency ~ '^[A-Z][A-Z0-9]{1,15}$'),
    CONSTRAINT reflect_payouts_attempt_count_check CHECK (attempt_count >= 0),
    CONSTRAINT reflect_payouts_reflect_tip_id_status_check CHECK (
        (status = 'pending' AND reflect_tip_id IS NULL)
        OR (status IN ('queued', 'settled', 'failed') AND reflect_tip_id IS NOT NULL)
        OR status = 'cancelled'
    ),
    CONSTRAINT reflect_payouts_last_error_check CHECK (status NOT IN ('failed', 'cancelled') OR last_error IS NOT NULL),
    CONSTRAINT reflect_payouts_claim_check CHECK (status IN ('pending', 'queued') OR claim_token IS NULL)
);

CREATE INDEX reflect_payouts_open_idx ON tips.reflect_payouts (status, available_at, id)
WHERE status IN ('pending', 'queued');

CALL common.define_state_machine(
    'tips.reflect_payouts', 'status', '{pending>queued|cancelled, queued>settled|failed|cancelled}', '{pending}',
    'settled, failed and cancelled are terminal. pending -> cancelled: given up before Reflect has it; queued -> '
    'cancelled: Reflect reports it cancelled.'
);

CALL common.define_immutable_columns(
    'tips.reflect_payouts', '{id, event_id, currency, amount, created_at}', '{reflect_tip_id}'
);

CREATE TRIGGER reflect_payouts_updated_at
BEFORE UPDATE ON tips.reflect_payouts
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

CREATE FUNCTION tips.tg_reflect_payouts__event_verified()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_status tips.verification_status;
BEGIN
    SELECT v.status INTO v_status FROM tips.event_verifications AS v WHERE v.event_id = NEW.event_id;
    IF v_status IS DISTINCT FROM 'verified' THEN
        PERFORM common.raise_precondition_failed(
            'tips.reflect_payouts', 'reflect_payouts_event_verified',
            format('event %s is not verified: no payout', NEW.event_id),
            format('event_id=%s verification=%s', NEW.event_id, coalesce(v_status::text, 'none'))
        );
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION tips.tg_reflect_payouts__event_verified() IS
'BEFORE INSERT of reflect_payouts: the event''s verification is verified, else CD007 '
'reflect_payouts_event_verified (DETAIL: the verification''s state, or none).';

CREATE TRIGGER reflect_payouts_event_verified
BEFORE INSERT ON tips.reflect_payouts
FOR EACH ROW EXECUTE FUNCTION tips.tg_reflect_payouts__event_verified();

COMMENT ON TABLE tips.reflect_payouts IS
'The seed''s stablecoin payout (Reflect) of a verified tip to its host, one per event for now. Written only by '
'the tips payout functions.';
COMMENT ON COLUMN tips.reflect_payouts.event_id IS 'The tip (events.id); its verification must be verified.';
COMMENT ON COLUMN tips.reflect_payouts.reflect_tip_id IS
'Reflect''s id of the payout, set once when Reflect accepts it (queued); unique.';
COMMENT ON COLUMN tips.reflect_payouts.status IS
'pending -> queued -> settled | failed; pending | queued -> cancelled. Mirrors Reflect''s lifecycle.';
COMMENT ON COLUMN tips.reflect_payouts.currency IS 'Stablecoin ticker (USDC, PYUSD, ...): A-Z and digits.';
COMMENT ON COLUMN tips.reflect_payouts.amount IS 'Stablecoin settlement amount; >= 0 and finite.';
COMMENT ON COLUMN tips.reflect_payouts.attempt_count IS 'Requests sent to Reflect for it so far (retries).';
COMMENT ON COLUMN tips.reflect_payouts.last_error IS 'Reflect''s last error; required when failed or cancelled.';
COMMENT ON COLUMN tips.reflect_payouts.updated_at IS 'Last change (common.tg__set_updated_at).';
COMMENT ON COLUMN tips.reflect_payouts.claim_token IS
'The token of the payout worker claim holding this row (pending or queued); NULL when unclaimed.';
COMMENT ON COLUMN tips.reflect_payouts.available_at IS
'When the row may be claimed (next): the end of the current claim''s lease, or of a retry''s wait.';
COMMENT ON CONSTRAINT reflect_payouts_event_id_key ON tips.reflect_payouts IS
'One payout per event (the seed''s MVP; multi-settlement would drop it).';
COMMENT ON CONSTRAINT reflect_payouts_reflect_tip_id_key ON tips.reflect_payouts IS
'Reflect''s id names one payout (idempotency).';
COMMENT ON CONSTRAINT reflect_payouts_event_id_fkey ON tips.reflect_payouts IS
'The payout''s tip; RESTRICT: payouts are history.';
COMMENT ON CONSTRAINT reflect_payouts_amount_check ON tips.reflect_payouts IS 'amount >= 0 (the seed).';
COMMENT ON CONSTRAINT reflect_payouts_amount_finite_check ON tips.reflect_payouts IS
'amount is finite (common.is_finite): NaN would pass amount >= 0.';
COMMENT ON CONSTRAINT reflect_payouts_currency_check ON tips.reflect_payouts IS
'currency is a ticker: an upper-case letter, then 1-15 upper-case letters or digits.';
COMMENT ON CONSTRAINT reflect_payouts_attempt_count_check ON tips.reflect_payouts IS 'attempt_count is never negative.';
COMMENT ON CONSTRAINT reflect_payouts_reflect_tip_id_status_check ON tips.reflect_payouts IS
'A pending payout has no Reflect id; a queued, settled or failed one has it (cancelled: either).';
COMMENT ON CONSTRAINT reflect_payouts_last_error_check ON tips.reflect_payouts IS
'A failed or cancelled payout says why (last_error).';
COMMENT ON CONSTRAINT reflect_payouts_claim_check ON tips.reflect_payouts IS
'Only a pending or queued payout can be claimed.';
COMMENT ON INDEX tips.reflect_payouts_open_idx IS
'The payout worker''s queues: pending and queued payouts by the time they may be claimed (tips.claim_payouts).';
COMMENT ON TRIGGER reflect_payouts_updated_at ON tips.reflect_payouts IS
'Keeps updated_at at the time of the last change (each status change).';
COMMENT ON TRIGGER reflect_payouts_event_verified ON tips.reflect_payouts IS
'A payout is created only for a verified event (CD007 reflect_payouts_event_verified).';

GRANT USAGE ON TYPE tips.payout_status TO chaindb_app, chaindb_readonly;
GRANT SELECT ON tips.reflect_payouts TO chaindb_app, chaindb_readonly;
