-- depends: 0008_bloxtr8_contract_execution_jobs
-- bloxtr8.escrows and their rail details stripe_escrows and stablecoin_escrows (seed: Escrow, StripeEscrow,
-- StablecoinEscrow), and milestone_escrows (referenced by the seed, not defined).
--
-- escrows   verbatim, plus: the amount is positive and the rail matches it: STRIPE up to 1,000,000 cents
--           ($10k), USDC_BASE above (escrows_rail_check); the escrow's offer is its contract's
--           ((contract_id, offer_id) references contracts (id, offer_id)); at most one escrow per contract
--           that is not CANCELLED (escrows_contract_id_key). Exactly the rail's detail row exists: one
--           stripe_escrows row for STRIPE, one stablecoin_escrows row for USDC_BASE, never the other
--           (escrows_rail_detail: deferred constraint triggers on the three tables, checked at commit;
--           bloxtr8.create_escrow writes both rows in one statement).
--           State machine AWAIT_FUNDS -> FUNDS_HELD -> DELIVERED -> RELEASED; FUNDS_HELD | DELIVERED ->
--           DISPUTED -> REFUNDED | RELEASED; AWAIT_FUNDS -> CANCELLED. RELEASED, REFUNDED and CANCELLED are
--           terminal. Moves go through the functions of 0017.
-- stripe_escrows  verbatim; Stripe's id prefixes checked (pi_, tr_, re_); a transfer (release) or a
--           refund, not both, each set once.
-- stablecoin_escrows  verbatim, plus: chain is BASE (the rail is USDC on Base); deposit_addr is unique (the
--           seed's "Unique deposit address") and an EVM address stored in lowercase, so that uniqueness is
--           exact; tx hashes are 0x and 64 lowercase hex digits, the deposit's unique; refund_tx (seed
--           silent: a refund moves funds too, as release_tx records a release); a release or a refund,
--           not both, only after the deposit.
-- milestone_escrows  seed silent: parts of an escrow's amount released one by one (title, amount,
--           released_at set once); their amounts never exceed the escrow's (bloxtr8.add_escrow_milestone).
-- Foreign keys RESTRICT (escrows are history), milestones CASCADE (rows the escrow owns).

CREATE TABLE bloxtr8.escrows (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    rail bloxtr8.escrow_rail NOT NULL,
    amount integer NOT NULL,
    currency bloxtr8.currency NOT NULL DEFAULT 'USD',
    status bloxtr8.escrow_status NOT NULL DEFAULT 'AWAIT_FUNDS',
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    offer_id text NOT NULL,
    contract_id text NOT NULL,
    CONSTRAINT escrows_pkey PRIMARY KEY (id),
    CONSTRAINT escrows_offer_id_fkey FOREIGN KEY (offer_id) REFERENCES bloxtr8.offers (id) ON DELETE RESTRICT,
    CONSTRAINT escrows_contract_id_offer_id_fkey FOREIGN KEY (contract_id, offer_id)
    REFERENCES bloxtr8.contracts (id, offer_id) ON DELETE RESTRICT,
    CONSTRAINT escrows_amount_check CHECK (amount > 0),
    CONSTRAINT escrows_rail_check CHECK ((rail = 'STRIPE') = (amount <= 1000000))
);

CREATE INDEX escrows_offer_id_idx ON bloxtr8.escrows (offer_id);

CREATE INDEX escrows_contract_id_offer_id_idx ON bloxtr8.escrows (contract_id, offer_id);

CREATE UNIQUE INDEX escrows_contract_id_key ON bloxtr8.escrows (contract_id) WHERE status <> 'CANCELLED';

CREATE INDEX escrows_status_idx ON bloxtr8.escrows (status);

CREATE INDEX escrows_rail_idx ON bloxtr8.escrows (rail);

CALL common.define_state_machine(
    'bloxtr8.escrows', 'status',
    '{AWAIT_FUNDS>FUNDS_HELD|CANCELLED, FUNDS_HELD>DELIVERED|DISPUTED, DELIVERED>RELEASED|DISPUTED, '
    'DISPUTED>REFUNDED|RELEASED}',
    '{AWAIT_FUNDS}',
    'RELEASED pays the seller, REFUNDED the buyer (neither to a SANCTIONED wallet); CANCELLED when the funds never '
    'came. All three are terminal.'
);

CALL common.define_immutable_columns(
    'bloxtr8.escrows', '{id, rail, amount, currency, created_at, offer_id, contract_id}'
);

CREATE TRIGGER escrows_updated_at
BEFORE UPDATE ON bloxtr8.escrows
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.escrows IS 'Payment escrow on two rails, Stripe or USDC on Base (seed: Escrow).';
COMMENT ON COLUMN bloxtr8.escrows.rail IS 'STRIPE up to 1,000,000 cents, USDC_BASE above.';
COMMENT ON COLUMN bloxtr8.escrows.amount IS 'Amount in cents: the accepted offer''s.';
COMMENT ON COLUMN bloxtr8.escrows.status IS
'AWAIT_FUNDS -> FUNDS_HELD -> DELIVERED -> RELEASED, FUNDS_HELD | DELIVERED -> DISPUTED -> REFUNDED | RELEASED, '
'AWAIT_FUNDS -> CANCELLED (escrows_status_transition).';
COMMENT ON CONSTRAINT escrows_contract_id_offer_id_fkey ON bloxtr8.escrows IS
'The contract exists and the escrow''s offer is the contract''s (the seed''s contract relation, made exact).';
COMMENT ON CONSTRAINT escrows_amount_check ON bloxtr8.escrows IS 'An amount is a positive number of cents.';
COMMENT ON CONSTRAINT escrows_rail_check ON bloxtr8.escrows IS
'The rail matches the amount: STRIPE exactly when amount <= 1,000,000 cents ($10k), else USDC_BASE.';
COMMENT ON INDEX bloxtr8.escrows_contract_id_offer_id_idx IS
'The seed''s contractId index (leading contract_id), also behind escrows_contract_id_offer_id_fkey.';
COMMENT ON INDEX bloxtr8.escrows_contract_id_key IS 'At most one escrow per contract that is not CANCELLED.';
COMMENT ON TRIGGER escrows_updated_at ON bloxtr8.escrows IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT ON bloxtr8.escrows TO chaindb_app, chaindb_readonly;

CREATE TABLE bloxtr8.stripe_escrows (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    payment_intent_id text NOT NULL,
    transfer_id text,
    refund_id text,
    escrow_id text NOT NULL,
    CONSTRAINT stripe_escrows_pkey PRIMARY KEY (id),
    CONSTRAINT stripe_escrows_payment_intent_id_key UNIQUE (payment_intent_id),
    CONSTRAINT stripe_escrows_escrow_id_key UNIQUE (escrow_id),
    CONSTRAINT stripe_escrows_escrow_id_fkey FOREIGN KEY (escrow_id) REFERENCES bloxtr8.escrows (id) ON DELETE RESTRICT,
    CONSTRAINT stripe_escrows_payment_intent_id_check CHECK (payment_intent_id ~ '^pi_[A-Za-z0-9]+$'),
    CONSTRAINT stripe_escrows_transfer_id_check CHECK (transfer_id ~ '^tr_[A-Za-z0-9]+$'),
    CONSTRAINT stripe_escrows_refund_id_check CHECK (refund_id ~ '^re_[A-Za-z0-9]+$'),
    CONSTRAINT stripe_escrows_settlement_check CHECK (transfer_id IS NULL OR refund_id IS NULL)
);

CALL common.define_immutable_columns(
    'bloxtr8.stripe_escrows', '{id, payment_intent_id, escrow_id}', '{transfer_id, refund_id}'
);

COMMENT ON TABLE bloxtr8.stripe_escrows IS
'Stripe details of a STRIPE escrow (<= $10k; seed: StripeEscrow); exactly one per STRIPE escrow, none for another rail.';
COMMENT ON COLUMN bloxtr8.stripe_escrows.payment_intent_id IS 'The buyer''s PaymentIntent (pi_...).';
COMMENT ON COLUMN bloxtr8.stripe_escrows.transfer_id IS 'The transfer to the seller (tr_...), set once on release.';
COMMENT ON COLUMN bloxtr8.stripe_escrows.refund_id IS 'The refund to the buyer (re_...), set once on refund.';
COMMENT ON CONSTRAINT stripe_escrows_escrow_id_key ON bloxtr8.stripe_escrows IS
'One Stripe row per escrow; also the index behind stripe_escrows_escrow_id_fkey.';
COMMENT ON CONSTRAINT stripe_escrows_payment_intent_id_check ON bloxtr8.stripe_escrows IS 'A Stripe PaymentIntent id.';
COMMENT ON CONSTRAINT stripe_escrows_transfer_id_check ON bloxtr8.stripe_escrows IS 'A Stripe Transfer id.';
COMMENT ON CONSTRAINT stripe_escrows_refund_id_check ON bloxtr8.stripe_escrows IS 'A Stripe Refund id.';
COMMENT ON CONSTRAINT stripe_escrows_settlement_check ON bloxtr8.stripe_escrows IS
'An escrow is settled once: transferred to the seller or refunded to the buyer, not both.';

GRANT SELECT ON bloxtr8.stripe_escrows TO chaindb_app, chaindb_readonly;

CREATE TABLE bloxtr8.stablecoin_escrows (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    chain text NOT NULL DEFAULT 'BASE',
    deposit_addr text NOT NULL,
    deposit_tx text,
    release_tx text,
    refund_tx text,
    escrow_id text NOT NULL,
    CONSTRAINT stablecoin_escrows_pkey PRIMARY KEY (id),
    CONSTRAINT stablecoin_escrows_deposit_addr_key UNIQUE (deposit_addr),
    CONSTRAINT stablecoin_escrows_deposit_tx_key UNIQUE (deposit_tx),
    CONSTRAINT stablecoin_escrows_escrow_id_key UNIQUE (escrow_id),
    CONSTRAINT stablecoin_escrows_escrow_id_fkey FOREIGN KEY (escrow_id)
    REFERENCES bloxtr8.escrows (id) ON DELETE RESTRICT,
    CONSTRAINT stablecoin_escrows_chain_check CHECK (chain = 'BASE'),
    CONSTRAINT stablecoin_escrows_deposit_addr_check CHECK (deposit_addr ~ '^0x[0-9a-f]{40}$'),
    CONSTRAINT stablecoin_escrows_deposit_tx_check CHECK (deposit_tx ~ '^0x[0-9a-f]{64}$'),
    CONSTRAINT stablecoin_escrows_release_tx_check CHECK (release_tx ~ '^0x[0-9a-f]{64}$'),
    CONSTRAINT stablecoin_escrows_refund_tx_check CHECK (refund_tx ~ '^0x[0-9a-f]{64}$'),
    CONSTRAINT stablecoin_escrows_settlement_check CHECK (release_tx IS NULL OR refund_tx IS NULL),
    CONSTRAINT stablecoin_escrows_deposit_check CHECK (deposit_tx IS NOT NULL OR (release_tx IS NULL AND refund_tx IS NULL))
);

CALL common.define_immutable_columns(
    'bloxtr8.stablecoin_escrows', '{id, chain, deposit_addr, escrow_id}', '{deposit_tx, release_tx, refund_tx}'
);

COMMENT ON TABLE bloxtr8.stablecoin_escrows IS
'USDC-on-Base details of a USDC_BASE escrow (> $10k; seed: StablecoinEscrow); exactly one per USDC_BASE escrow, '
'none for another rail.';
COMMENT ON COLUMN bloxtr8.stablecoin_escrows.chain IS 'BASE (the only chain of the USDC_BASE rail).';
COMMENT ON COLUMN bloxtr8.stablecoin_escrows.deposit_addr IS
'The escrow''s own deposit address: unique, an EVM address in lowercase (functions store it so).';
COMMENT ON COLUMN bloxtr8.stablecoin_escrows.deposit_tx IS 'The buyer''s deposit transaction hash; unique, set once.';
COMMENT ON COLUMN bloxtr8.stablecoin_escrows.release_tx IS 'The release to the seller, set once.';
COMMENT ON COLUMN bloxtr8.stablecoin_escrows.refund_tx IS
'Seed silent: the refund to the buyer, set once (a refund moves funds as a release does).';
COMMENT ON CONSTRAINT stablecoin_escrows_deposit_addr_key ON bloxtr8.stablecoin_escrows IS
'Unique deposit address (seed): each escrow is paid to an address of its own.';
COMMENT ON CONSTRAINT stablecoin_escrows_deposit_tx_key ON bloxtr8.stablecoin_escrows IS
'A deposit transaction funds one escrow.';
COMMENT ON CONSTRAINT stablecoin_escrows_escrow_id_key ON bloxtr8.stablecoin_escrows IS
'One stablecoin row per escrow; also the index behind stablecoin_escrows_escrow_id_fkey.';
COMMENT ON CONSTRAINT stablecoin_escrows_chain_check ON bloxtr8.stablecoin_escrows IS 'The USDC_BASE rail is on Base.';
COMMENT ON CONSTRAINT stablecoin_escrows_deposit_addr_check ON bloxtr8.stablecoin_escrows IS
'An EVM address: 0x and 40 lowercase hex digits.';
COMMENT ON CONSTRAINT stablecoin_escrows_deposit_tx_check ON bloxtr8.stablecoin_escrows IS
'A transaction hash: 0x and 64 lowercase hex digits.';
COMMENT ON CONSTRAINT stablecoin_escrows_release_tx_check ON bloxtr8.stablecoin_escrows IS
'A transaction hash: 0x and 64 lowercase hex digits.';
COMMENT ON CONSTRAINT stablecoin_escrows_refund_tx_check ON bloxtr8.stablecoin_escrows IS
'A transaction hash: 0x and 64 lowercase hex digits.';
COMMENT ON CONSTRAINT stablecoin_escrows_settlement_check ON bloxtr8.stablecoin_escrows IS
'An escrow is settled once: released to the seller or refunded to the buyer, not both.';
COMMENT ON CONSTRAINT stablecoin_escrows_deposit_check ON bloxtr8.stablecoin_escrows IS
'Nothing is released or refunded before the deposit.';

GRANT SELECT ON bloxtr8.stablecoin_escrows TO chaindb_app, chaindb_readonly;

CREATE FUNCTION bloxtr8.tg_escrows__rail_detail()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_escrow_id text := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END ->> TG_ARGV[0];
    v_rail bloxtr8.escrow_rail;
    v_stripe boolean;
    v_stablecoin boolean;
BEGIN
    SELECT
        e.rail,
        EXISTS (SELECT FROM bloxtr8.stripe_escrows AS s WHERE s.escrow_id = e.id),
        EXISTS (SELECT FROM bloxtr8.stablecoin_escrows AS c WHERE c.escrow_id = e.id)
    INTO v_rail, v_stripe, v_stablecoin
    FROM bloxtr8.escrows AS e
    WHERE e.id = v_escrow_id;
    IF FOUND AND (v_stripe, v_stablecoin) IS DISTINCT FROM (v_rail = 'STRIPE', v_rail = 'USDC_BASE') THEN
        RAISE EXCEPTION 'escrows: escrow % on rail % must have exactly its rail''s detail row', v_escrow_id, v_rail
            USING ERRCODE = 'check_violation', CONSTRAINT = 'escrows_rail_detail', SCHEMA = 'bloxtr8',
                  TABLE = 'escrows',
                  DETAIL = format('escrow_id=%s rail=%s stripe_escrows=%s stablecoin_escrows=%s',
                      v_escrow_id, v_rail, v_stripe::integer, v_stablecoin::integer);
    END IF;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.tg_escrows__rail_detail() IS
'Deferred constraint trigger of escrows, stripe_escrows and stablecoin_escrows (argument: the column holding the '
'escrow''s id): at commit, the escrow has exactly its rail''s detail row, a stripe_escrows row for STRIPE and a '
'stablecoin_escrows row for USDC_BASE, never the other (else 23514 escrows_rail_detail). An escrow deleted in the '
'same transaction is not checked.';

CREATE CONSTRAINT TRIGGER escrows_rail_detail
AFTER INSERT ON bloxtr8.escrows
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION bloxtr8.tg_escrows__rail_detail('id');

COMMENT ON TRIGGER escrows_rail_detail ON bloxtr8.escrows IS
'At commit: a new escrow has exactly its rail''s detail row (23514 escrows_rail_detail).';

CREATE CONSTRAINT TRIGGER stripe_escrows_rail_detail
AFTER INSERT OR DELETE ON bloxtr8.stripe_escrows
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION bloxtr8.tg_escrows__rail_detail('escrow_id');

COMMENT ON TRIGGER stripe_escrows_rail_detail ON bloxtr8.stripe_escrows IS
'At commit: a Stripe row belongs to a STRIPE escrow, and one is not removed from it (23514 escrows_rail_detail).';

CREATE CONSTRAINT TRIGGER stablecoin_escrows_rail_detail
AFTER INSERT OR DELETE ON bloxtr8.stablecoin_escrows
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION bloxtr8.tg_escrows__rail_detail('escrow_id');

COMMENT ON TRIGGER stablecoin_escrows_rail_detail ON bloxtr8.stablecoin_escrows IS
'At commit: a stablecoin row belongs to a USDC_BASE escrow, and one is not removed from it (23514 '
'escrows_rail_detail).';

CREATE TABLE bloxtr8.milestone_escrows (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    escrow_id text NOT NULL,
    title text NOT NULL,
    amount integer NOT NULL,
    released_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT milestone_escrows_pkey PRIMARY KEY (id),
    CONSTRAINT milestone_escrows_escrow_id_fkey FOREIGN KEY (escrow_id)
    REFERENCES bloxtr8.escrows (id) ON DELETE CASCADE,
    CONSTRAINT milestone_escrows_title_check CHECK (btrim(title) <> ''),
    CONSTRAINT milestone_escrows_amount_check CHECK (amount > 0),
    CONSTRAINT milestone_escrows_released_at_check CHECK (released_at >= created_at)
);

CREATE INDEX milestone_escrows_escrow_id_idx ON bloxtr8.milestone_escrows (escrow_id);

CALL common.define_immutable_columns(
    'bloxtr8.milestone_escrows', '{id, escrow_id, title, amount, created_at}', '{released_at}'
);

CREATE TRIGGER milestone_escrows_updated_at
BEFORE UPDATE ON bloxtr8.milestone_escrows
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.milestone_escrows IS
'Seed silent (MilestoneEscrow is referenced, not defined): parts of an escrow''s amount, released one by one while '
'its funds are held; together never more than the escrow''s amount (bloxtr8.add_escrow_milestone).';
COMMENT ON COLUMN bloxtr8.milestone_escrows.amount IS 'Cents, positive.';
COMMENT ON COLUMN bloxtr8.milestone_escrows.released_at IS 'When this part was released to the seller; set once.';
COMMENT ON CONSTRAINT milestone_escrows_title_check ON bloxtr8.milestone_escrows IS 'A milestone has a title.';
COMMENT ON CONSTRAINT milestone_escrows_amount_check ON bloxtr8.milestone_escrows IS 'A positive number of cents.';
COMMENT ON CONSTRAINT milestone_escrows_released_at_check ON bloxtr8.milestone_escrows IS
'A milestone is released after it is created.';
COMMENT ON TRIGGER milestone_escrows_updated_at ON bloxtr8.milestone_escrows IS
'Keeps updated_at at the time of the last update.';

GRANT SELECT ON bloxtr8.milestone_escrows TO chaindb_app, chaindb_readonly;
