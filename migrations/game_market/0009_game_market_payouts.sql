-- depends: 0008_game_market_ledger_entries
-- game_market.payouts (seed: payouts). Seed silent, decided here:
--   - one payout per purchase (purchase_id unique, the seed's must-have index): the developer's
--     share of a paid purchase, written by game_market.settle_invoice (0012) in the settlement's
--     statement (game_market.create_payout, 0011, makes the same for a paid purchase without
--     one). It copies, at creation: the game's
--     developer, the developer profile's payout_ln_address (destination_ln_address; a later
--     change of profile does not touch it), the purchase's developer_share ledger entry
--     (amount_msat), and sets idempotency_key = 'game_market:payout:' || purchase_id (a CHECK
--     holds every writer to it). None of those ever changes.
--   - idempotency_key is unique (the seed's must-have index); the payout worker hands it to the
--     Lightning backend with every attempt, so a retried attempt cannot pay twice.
--   - status: pending -> sending -> completed | failed, failed -> sending (a retry),
--     pending | failed -> cancelled (a refund before the money left), sending -> cancelled (an
--     attempt in flight at the refund that failed: nothing left to pay). claim_payouts (0011) moves
--     pending and due failed payouts to sending with FOR UPDATE SKIP LOCKED, adding one to
--     attempt_count; complete_payout and fail_payout (with the error, kept in last_error) end an
--     attempt. A sending payout whose worker vanished is claimed again after 10 minutes (the
--     lease), a failed one after a backoff of 2^(attempt_count - 1) minutes, at most an hour.
--   - attempt_count: 0 while pending, at least 1 once sent; last_error is set when failed
--     (at most 2000 characters) and kept after (the last error seen).
--   - payouts are history: their purchase and developer stay (ON DELETE RESTRICT).

CREATE TABLE game_market.payouts (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    purchase_id uuid NOT NULL,
    developer_user_id uuid NOT NULL,
    destination_ln_address text NOT NULL,
    amount_msat bigint NOT NULL,
    status game_market.payout_status NOT NULL DEFAULT 'pending',
    attempt_count integer NOT NULL DEFAULT 0,
    last_error text,
    idempotency_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT payouts_pkey PRIMARY KEY (id),
    CONSTRAINT payouts_purchase_id_fkey FOREIGN KEY (purchase_id)
    REFERENCES game_market.purchases (id) ON DELETE RESTRICT,
    CONSTRAINT payouts_developer_user_id_fkey FOREIGN KEY (developer_user_id)
    REFERENCES game_market.users (id) ON DELETE RESTRICT,
    CONSTRAINT payouts_purchase_id_key UNIQUE (purchase_id),
    CONSTRAINT payouts_idempotency_key_key UNIQUE (idempotency_key),
    CONSTRAINT payouts_destination_ln_address_check CHECK (game_market.is_lightning_address(destination_ln_address)),
    CONSTRAINT payouts_amount_msat_check CHECK (amount_msat > 0),
    CONSTRAINT payouts_attempt_count_check CHECK (
        CASE status
            WHEN 'pending' THEN attempt_count = 0
            WHEN 'cancelled' THEN attempt_count >= 0
            ELSE attempt_count > 0
        END
    ),
    CONSTRAINT payouts_last_error_check CHECK (
        (status <> 'failed' OR last_error IS NOT NULL) AND char_length(last_error) BETWEEN 1 AND 2000
    ),
    CONSTRAINT payouts_idempotency_key_check CHECK (idempotency_key = 'game_market:payout:' || purchase_id::text)
);

CREATE INDEX payouts_developer_user_id_created_at_id_idx
ON game_market.payouts (developer_user_id, created_at DESC, id);

CREATE INDEX payouts_claimable_idx ON game_market.payouts (updated_at)
WHERE status IN ('pending', 'sending', 'failed');

CALL common.define_state_machine(
    'game_market.payouts', 'status',
    '{pending>sending|cancelled, sending>completed|failed|cancelled, failed>sending|cancelled}', '{pending}',
    'claim_payouts sends pending and due failed payouts (and re-claims a sending one whose lease ran out: same state); '
    'complete_payout and fail_payout end an attempt (a failed attempt of a refunded purchase cancels the payout); '
    'refund_purchase cancels one whose money has not left. completed and cancelled are terminal.'
);

CALL common.define_immutable_columns(
    'game_market.payouts',
    '{id, purchase_id, developer_user_id, destination_ln_address, amount_msat, idempotency_key, created_at}'
);

CREATE TRIGGER payouts_updated_at
BEFORE UPDATE ON game_market.payouts
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE game_market.payouts IS
'The developer''s share of one paid purchase, paid over Lightning with retries; created by the database in the '
'settlement''s transaction (settle_invoice; game_market.create_payout makes the same), moved only by the payout '
'functions.';
COMMENT ON COLUMN game_market.payouts.developer_user_id IS 'The game''s developer, who is paid.';
COMMENT ON COLUMN game_market.payouts.destination_ln_address IS
'The developer profile''s payout_ln_address when the payout was created; never changes.';
COMMENT ON COLUMN game_market.payouts.amount_msat IS
'The purchase''s developer_share ledger entry, in millisatoshis; never changes.';
COMMENT ON COLUMN game_market.payouts.status IS
'pending -> sending -> completed | failed, failed -> sending, pending | sending | failed -> cancelled '
'(common.state_machines).';
COMMENT ON COLUMN game_market.payouts.attempt_count IS
'Attempts so far: each claim adds one. 0 while pending.';
COMMENT ON COLUMN game_market.payouts.last_error IS 'The last failed attempt''s error (at most 2000 characters).';
COMMENT ON COLUMN game_market.payouts.idempotency_key IS
'''game_market:payout:<purchase id>'': handed to the Lightning backend with every attempt, so retries pay once.';
COMMENT ON CONSTRAINT payouts_purchase_id_key ON game_market.payouts IS
'One payout per purchase, however often its settlement is delivered.';
COMMENT ON CONSTRAINT payouts_idempotency_key_key ON game_market.payouts IS 'An idempotency key names one payout.';
COMMENT ON CONSTRAINT payouts_destination_ln_address_check ON game_market.payouts IS
'The destination is a Lightning address, name@domain.';
COMMENT ON CONSTRAINT payouts_amount_msat_check ON game_market.payouts IS 'A payout is for a positive amount.';
COMMENT ON CONSTRAINT payouts_attempt_count_check ON game_market.payouts IS
'No attempt while pending, at least one once sending, completed or failed; never negative.';
COMMENT ON CONSTRAINT payouts_last_error_check ON game_market.payouts IS
'A failed payout says why (last_error); an error has 1 to 2000 characters.';
COMMENT ON CONSTRAINT payouts_idempotency_key_check ON game_market.payouts IS
'The idempotency key is ''game_market:payout:<purchase id>'': derived from the purchase, the same for every attempt '
'and every writer (settle_invoice, create_payout).';
COMMENT ON INDEX game_market.payouts_developer_user_id_created_at_id_idx IS
'A developer''s payouts, newest first: one per sale, so also the developer''s sales (developer_sales_list, '
'payout_list_by_developer) without a sort; indexes the foreign key developer_user_id.';
COMMENT ON INDEX game_market.payouts_claimable_idx IS
'The payouts claim_payouts may pick (pending, sending, failed), oldest update first.';
COMMENT ON TRIGGER payouts_updated_at ON game_market.payouts IS
'Keeps updated_at at the time of the last update (the claim lease and the retry backoff count from it).';

GRANT SELECT ON game_market.payouts TO chaindb_app, chaindb_readonly;
