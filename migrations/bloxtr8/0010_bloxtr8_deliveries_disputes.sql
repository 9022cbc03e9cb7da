-- depends: 0009_bloxtr8_escrows
-- bloxtr8.deliveries and disputes: referenced by the seed (Delivery from Listing, Offer, Contract, Escrow and
-- User; Dispute from Escrow and User "DisputeUser"), not defined. Defined minimally from its flow
-- "Escrow (AWAIT_FUNDS -> FUNDS_HELD -> DELIVERED -> RELEASED) -> Delivery (PENDING -> DELIVERED -> CONFIRMED)":
--   deliveries  one per escrow, made PENDING when the escrow's funds are held (the seller must now transfer
--               the game), DELIVERED when the seller says so (the escrow too), CONFIRMED when the escrow is
--               released. It names the listing, offer, contract and escrow it delivers and the seller
--               (user_id), copied from the escrow by the functions of 0017. delivered_at and confirmed_at are
--               set exactly in their states.
--   disputes    one per escrow (an escrow is DISPUTED at most once), opened by the buyer or the seller with a
--               reason; RESOLVED, with resolved_at, when the escrow is refunded or released.
-- Foreign keys RESTRICT: both are history.

CREATE TABLE bloxtr8.deliveries (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    status bloxtr8.delivery_status NOT NULL DEFAULT 'PENDING',
    notes text,
    delivered_at timestamptz,
    confirmed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    listing_id text NOT NULL,
    offer_id text NOT NULL,
    contract_id text NOT NULL,
    escrow_id text NOT NULL,
    user_id text NOT NULL,
    CONSTRAINT deliveries_pkey PRIMARY KEY (id),
    CONSTRAINT deliveries_escrow_id_key UNIQUE (escrow_id),
    CONSTRAINT deliveries_listing_id_fkey FOREIGN KEY (listing_id) REFERENCES bloxtr8.listings (id) ON DELETE RESTRICT,
    CONSTRAINT deliveries_offer_id_fkey FOREIGN KEY (offer_id) REFERENCES bloxtr8.offers (id) ON DELETE RESTRICT,
    CONSTRAINT deliveries_contract_id_fkey FOREIGN KEY (contract_id)
    REFERENCES bloxtr8.contracts (id) ON DELETE RESTRICT,
    CONSTRAINT deliveries_escrow_id_fkey FOREIGN KEY (escrow_id) REFERENCES bloxtr8.escrows (id) ON DELETE RESTRICT,
    CONSTRAINT deliveries_user_id_fkey FOREIGN KEY (user_id) REFERENCES bloxtr8.users (id) ON DELETE RESTRICT,
    CONSTRAINT deliveries_delivered_at_check
    CHECK ((delivered_at IS NOT NULL) = (status IN ('DELIVERED', 'CONFIRMED'))),
    CONSTRAINT deliveries_confirmed_at_check
    CHECK ((confirmed_at IS NOT NULL) = (status = 'CONFIRMED') AND confirmed_at >= delivered_at)
);

CREATE INDEX deliveries_listing_id_idx ON bloxtr8.deliveries (listing_id);

CREATE INDEX deliveries_offer_id_idx ON bloxtr8.deliveries (offer_id);

CREATE INDEX deliveries_contract_id_idx ON bloxtr8.deliveries (contract_id);

CREATE INDEX deliveries_user_id_idx ON bloxtr8.deliveries (user_id);

CALL common.define_state_machine(
    'bloxtr8.deliveries', 'status', '{PENDING>DELIVERED, DELIVERED>CONFIRMED}', '{PENDING}',
    'PENDING when the escrow''s funds are held, DELIVERED with the escrow, CONFIRMED when the escrow is released '
    '(terminal).'
);

CALL common.define_immutable_columns(
    'bloxtr8.deliveries', '{id, created_at, listing_id, offer_id, contract_id, escrow_id, user_id}',
    '{delivered_at, confirmed_at}'
);

CREATE TRIGGER deliveries_updated_at
BEFORE UPDATE ON bloxtr8.deliveries
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.deliveries IS
'Seed silent (Delivery is referenced, not defined): the transfer of the game to the buyer, one per escrow.';
COMMENT ON COLUMN bloxtr8.deliveries.status IS 'PENDING -> DELIVERED -> CONFIRMED (deliveries_status_transition).';
COMMENT ON COLUMN bloxtr8.deliveries.notes IS 'The seller''s delivery notes.';
COMMENT ON COLUMN bloxtr8.deliveries.user_id IS 'The seller, who delivers (the seed''s User.deliveries).';
COMMENT ON CONSTRAINT deliveries_escrow_id_key ON bloxtr8.deliveries IS
'One delivery per escrow; also the index behind deliveries_escrow_id_fkey.';
COMMENT ON CONSTRAINT deliveries_delivered_at_check ON bloxtr8.deliveries IS
'delivered_at is set exactly when DELIVERED or CONFIRMED.';
COMMENT ON CONSTRAINT deliveries_confirmed_at_check ON bloxtr8.deliveries IS
'confirmed_at is set exactly when CONFIRMED, not before the delivery.';
COMMENT ON TRIGGER deliveries_updated_at ON bloxtr8.deliveries IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT ON bloxtr8.deliveries TO chaindb_app, chaindb_readonly;

CREATE TABLE bloxtr8.disputes (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    status bloxtr8.dispute_status NOT NULL DEFAULT 'OPEN',
    reason text NOT NULL,
    resolution text,
    resolved_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    escrow_id text NOT NULL,
    user_id text NOT NULL,
    CONSTRAINT disputes_pkey PRIMARY KEY (id),
    CONSTRAINT disputes_escrow_id_key UNIQUE (escrow_id),
    CONSTRAINT disputes_escrow_id_fkey FOREIGN KEY (escrow_id) REFERENCES bloxtr8.escrows (id) ON DELETE RESTRICT,
    CONSTRAINT disputes_user_id_fkey FOREIGN KEY (user_id) REFERENCES bloxtr8.users (id) ON DELETE RESTRICT,
    CONSTRAINT disputes_reason_check CHECK (btrim(reason) <> ''),
    CONSTRAINT disputes_resolved_at_check
    CHECK ((resolved_at IS NOT NULL) = (status = 'RESOLVED') AND resolved_at >= created_at)
);

CREATE INDEX disputes_user_id_idx ON bloxtr8.disputes (user_id);

CALL common.define_state_machine(
    'bloxtr8.disputes', 'status', '{OPEN>RESOLVED}', '{OPEN}',
    'RESOLVED when its escrow is refunded or released (the outcome is the escrow''s status); terminal.'
);

CALL common.define_immutable_columns(
    'bloxtr8.disputes', '{id, reason, created_at, escrow_id, user_id}', '{resolution, resolved_at}'
);

CREATE TRIGGER disputes_updated_at
BEFORE UPDATE ON bloxtr8.disputes
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.disputes IS
'Seed silent (Dispute is referenced, not defined): a party''s dispute of an escrow, at most one per escrow.';
COMMENT ON COLUMN bloxtr8.disputes.status IS 'OPEN -> RESOLVED (disputes_status_transition).';
COMMENT ON COLUMN bloxtr8.disputes.resolution IS 'How it was resolved (free text); set once.';
COMMENT ON COLUMN bloxtr8.disputes.user_id IS 'The party who opened it, buyer or seller (the seed''s DisputeUser).';
COMMENT ON CONSTRAINT disputes_escrow_id_key ON bloxtr8.disputes IS
'An escrow is disputed at most once; also the index behind disputes_escrow_id_fkey.';
COMMENT ON CONSTRAINT disputes_reason_check ON bloxtr8.disputes IS 'A dispute gives its reason.';
COMMENT ON CONSTRAINT disputes_resolved_at_check ON bloxtr8.disputes IS
'resolved_at is set exactly when RESOLVED, after the dispute was opened.';
COMMENT ON TRIGGER disputes_updated_at ON bloxtr8.disputes IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT ON bloxtr8.disputes TO chaindb_app, chaindb_readonly;
