-- depends: 0004_bloxtr8_listings
-- bloxtr8.offers (seed: Offer): purchase offers and counter-offers. Verbatim, plus, where the seed is silent:
--   the seller owns the listing: (listing_id, seller_id) references listings (id, user_id) (the seed's
--   listing relation, made exact); buyer and seller differ; the amount is positive (cents); the expiry
--   lies after creation (by the database's clock: created_at is always the default).
--   A counter-offer is a new offer whose parent_id is the offer it counters; an offer is countered at most
--   once (offers_parent_id_key) and the counter keeps its parent's listing, buyer and seller
--   (bloxtr8.counter_offer). Offers alternate between the parties: a root offer is the buyer's, a counter
--   is made by the party the countered offer was made to (bloxtr8.offer_proposer).
--   State machine PENDING -> ACCEPTED | COUNTERED | DECLINED | EXPIRED (all terminal); only status
--   changes. Writes go through the functions of 0014 (KYC, sanctions, expiry, turn).
-- Foreign keys RESTRICT: offers are history (contracts, escrows and counters name them).
-- Indexes: the seed's listingId index is offers_listing_id_seller_id_idx (leading listing_id, and it serves
-- the composite foreign key); parentId is indexed by offers_parent_id_key.

CREATE TABLE bloxtr8.offers (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    amount integer NOT NULL,
    currency bloxtr8.currency NOT NULL DEFAULT 'USD',
    conditions text,
    expiry timestamptz NOT NULL,
    status bloxtr8.offer_status NOT NULL DEFAULT 'PENDING',
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    listing_id text NOT NULL,
    buyer_id text NOT NULL,
    seller_id text NOT NULL,

    -- Counter-offers
    parent_id text,

    CONSTRAINT offers_pkey PRIMARY KEY (id),
    CONSTRAINT offers_listing_id_seller_id_fkey FOREIGN KEY (listing_id, seller_id)
    REFERENCES bloxtr8.listings (id, user_id) ON DELETE RESTRICT,
    CONSTRAINT offers_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES bloxtr8.users (id) ON DELETE RESTRICT,
    CONSTRAINT offers_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES bloxtr8.users (id) ON DELETE RESTRICT,
    CONSTRAINT offers_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES bloxtr8.offers (id) ON DELETE RESTRICT,
    CONSTRAINT offers_parent_id_key UNIQUE (parent_id),
    CONSTRAINT offers_amount_check CHECK (amount > 0),
    CONSTRAINT offers_buyer_id_seller_id_check CHECK (buyer_id <> seller_id),
    CONSTRAINT offers_parent_id_check CHECK (parent_id <> id),
    CONSTRAINT offers_expiry_check CHECK (expiry > created_at)
);

CREATE INDEX offers_listing_id_seller_id_idx ON bloxtr8.offers (listing_id, seller_id);

CREATE INDEX offers_buyer_id_idx ON bloxtr8.offers (buyer_id);

CREATE INDEX offers_seller_id_idx ON bloxtr8.offers (seller_id);

CREATE INDEX offers_status_idx ON bloxtr8.offers (status);

CREATE INDEX offers_expiry_idx ON bloxtr8.offers (expiry);

CALL common.define_state_machine(
    'bloxtr8.offers', 'status', '{PENDING>ACCEPTED|COUNTERED|DECLINED|EXPIRED}', '{PENDING}',
    'All four outcomes are terminal. A PENDING offer past its expiry (database clock) can only expire; COUNTERED is '
    'set in the transaction that creates the counter-offer (bloxtr8.counter_offer).'
);

CALL common.define_immutable_columns(
    'bloxtr8.offers',
    '{id, amount, currency, conditions, expiry, created_at, listing_id, buyer_id, seller_id, parent_id}'
);

CREATE TRIGGER offers_updated_at
BEFORE UPDATE ON bloxtr8.offers
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.offers IS 'Purchase offers with negotiation (seed: Offer); a counter-offer names its parent.';
COMMENT ON COLUMN bloxtr8.offers.amount IS 'Amount in cents, positive.';
COMMENT ON COLUMN bloxtr8.offers.expiry IS
'Nothing is accepted, countered or declined from this instant on (database clock); then the offer can only expire.';
COMMENT ON COLUMN bloxtr8.offers.status IS 'PENDING -> ACCEPTED | COUNTERED | DECLINED | EXPIRED (offers_status_transition).';
COMMENT ON COLUMN bloxtr8.offers.seller_id IS 'The listing''s owner (offers_listing_id_seller_id_fkey).';
COMMENT ON COLUMN bloxtr8.offers.parent_id IS
'The offer this one counters (which became COUNTERED in the same transaction); NULL for the buyer''s first offer.';
COMMENT ON CONSTRAINT offers_listing_id_seller_id_fkey ON bloxtr8.offers IS
'The listing exists and the seller owns it (the seed''s listing relation).';
COMMENT ON CONSTRAINT offers_parent_id_key ON bloxtr8.offers IS
'An offer is countered at most once; also the index behind offers_parent_id_fkey.';
COMMENT ON CONSTRAINT offers_amount_check ON bloxtr8.offers IS 'An amount is a positive number of cents.';
COMMENT ON CONSTRAINT offers_buyer_id_seller_id_check ON bloxtr8.offers IS 'Nobody makes an offer on their own listing.';
COMMENT ON CONSTRAINT offers_parent_id_check ON bloxtr8.offers IS 'An offer does not counter itself.';
COMMENT ON CONSTRAINT offers_expiry_check ON bloxtr8.offers IS 'An offer expires after it is made.';
COMMENT ON INDEX bloxtr8.offers_listing_id_seller_id_idx IS
'The seed''s listingId index (leading listing_id), also behind offers_listing_id_seller_id_fkey.';
COMMENT ON INDEX bloxtr8.offers_expiry_idx IS 'Find expired offers (seed): bloxtr8.expire_offers.';
COMMENT ON TRIGGER offers_updated_at ON bloxtr8.offers IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT ON bloxtr8.offers TO chaindb_app, chaindb_readonly;
