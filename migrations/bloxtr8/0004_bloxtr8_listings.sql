-- depends: 0003_bloxtr8_guilds
-- bloxtr8.listings (seed: Listing): games for sale. Verbatim, plus, where the seed is silent:
--   price is positive (cents); title and category are not empty; the seller (user_id) never changes, and
--   (id, user_id) is unique so that an offer's seller is the listing's owner by a foreign key (0005).
--   State machine: ACTIVE -> INACTIVE (hidden by the seller, or under contract: bloxtr8.accept_offer moves
--   it), INACTIVE -> ACTIVE (bloxtr8.set_listing_status, only without an open deal) | SOLD (its escrow
--   was released). SOLD is terminal. Listings are created ACTIVE by bloxtr8.create_listing (KYC TIER_1+,
--   a guild only of the seller's).
-- Foreign keys: the seller is RESTRICT (history keeps who sold), the guild SET NULL (optional).

CREATE TABLE bloxtr8.listings (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    title text NOT NULL,
    summary text NOT NULL,
    price integer NOT NULL,
    category text NOT NULL,
    status bloxtr8.listing_status NOT NULL DEFAULT 'ACTIVE',
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    user_id text NOT NULL,
    guild_id text,
    CONSTRAINT listings_pkey PRIMARY KEY (id),
    CONSTRAINT listings_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT listings_user_id_fkey FOREIGN KEY (user_id) REFERENCES bloxtr8.users (id) ON DELETE RESTRICT,
    CONSTRAINT listings_guild_id_fkey FOREIGN KEY (guild_id) REFERENCES bloxtr8.guilds (id) ON DELETE SET NULL,
    CONSTRAINT listings_title_check CHECK (btrim(title) <> ''),
    CONSTRAINT listings_price_check CHECK (price > 0),
    CONSTRAINT listings_category_check CHECK (btrim(category) <> '')
);

CREATE INDEX listings_user_id_idx ON bloxtr8.listings (user_id);

CREATE INDEX listings_guild_id_idx ON bloxtr8.listings (guild_id);

CREATE INDEX listings_status_idx ON bloxtr8.listings (status);

CREATE INDEX listings_category_idx ON bloxtr8.listings (category);

CREATE INDEX listings_created_at_id_active_idx ON bloxtr8.listings (created_at DESC, id) WHERE status = 'ACTIVE';

CREATE INDEX listings_category_created_at_id_active_idx ON bloxtr8.listings (category, created_at DESC, id)
WHERE status = 'ACTIVE';

CALL common.define_state_machine(
    'bloxtr8.listings', 'status', '{ACTIVE>INACTIVE, INACTIVE>ACTIVE|SOLD}', '{ACTIVE}',
    'INACTIVE: hidden by the seller or under contract (an accepted offer); back to ACTIVE only without an open deal '
    '(bloxtr8.set_listing_status); SOLD when its escrow is released, terminal.'
);

CALL common.define_immutable_columns('bloxtr8.listings', '{id, user_id, created_at}');

CREATE TRIGGER listings_updated_at
BEFORE UPDATE ON bloxtr8.listings
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.listings IS 'Game listings for sale (seed: Listing).';
COMMENT ON COLUMN bloxtr8.listings.price IS 'Price in cents (USD), positive.';
COMMENT ON COLUMN bloxtr8.listings.status IS
'ACTIVE -> INACTIVE -> ACTIVE | SOLD (listings_status_transition); only an ACTIVE listing takes offers.';
COMMENT ON COLUMN bloxtr8.listings.user_id IS 'The seller; never changes.';
COMMENT ON COLUMN bloxtr8.listings.guild_id IS 'The Discord guild the listing is posted in, if any (one of the seller''s).';
COMMENT ON CONSTRAINT listings_id_user_id_key ON bloxtr8.listings IS
'Target of offers_listing_id_seller_id_fkey: an offer''s seller owns its listing.';
COMMENT ON CONSTRAINT listings_price_check ON bloxtr8.listings IS 'A price is a positive number of cents.';
COMMENT ON CONSTRAINT listings_title_check ON bloxtr8.listings IS 'A listing has a title.';
COMMENT ON CONSTRAINT listings_category_check ON bloxtr8.listings IS 'A listing has a category.';
COMMENT ON INDEX bloxtr8.listings_status_idx IS 'Filter active listings (seed).';
COMMENT ON INDEX bloxtr8.listings_category_idx IS 'Category browsing (seed).';
COMMENT ON INDEX bloxtr8.listings_created_at_id_active_idx IS
'The newest ACTIVE listings, read in order (listing_list_active).';
COMMENT ON INDEX bloxtr8.listings_category_created_at_id_active_idx IS
'The newest ACTIVE listings of a category, read in order (listing_list_active_by_category).';
COMMENT ON TRIGGER listings_updated_at ON bloxtr8.listings IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT ON bloxtr8.listings TO chaindb_app, chaindb_readonly;
