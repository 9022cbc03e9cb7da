-- depends: 0007_cocopay_signing_keys
-- cocopay.stores, verbatim from the seed. Its state machine (deployment_status) is
-- enforced by 0019_cocopay_state_machines.
-- idx_stores_location keeps the seed's name and predicate but indexes
-- cocopay.ll_to_earth (see 0002_cocopay_functions): an index on earthdistance's own
-- ll_to_earth is lost by pg_dump/pg_restore on PostgreSQL 15.
-- Seed silent, decided here: symbol is 1-10 uppercase letters/digits (an ERC-20 symbol
-- shown in the app), short_code 4-20 uppercase letters/digits (typed by hand).

CREATE TABLE cocopay.stores (
    id uuid NOT NULL DEFAULT gen_random_uuid(),

    -- Basic info
    name varchar(255) NOT NULL,
    symbol varchar(10) NOT NULL,
    category varchar(100),
    description text,

    -- Location
    latitude numeric(10, 8),
    longitude numeric(11, 8),
    address text,

    -- Revnet data (per chain)
    deployment_status cocopay.deployment_status NOT NULL DEFAULT 'pending',

    -- Links
    website varchar(255),
    instagram varchar(100),

    -- QR code
    qr_code_url varchar(255),
    short_code varchar(20),

    -- Timestamps
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT stores_pkey PRIMARY KEY (id),
    CONSTRAINT stores_short_code_key UNIQUE (short_code),
    CONSTRAINT stores_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT stores_symbol_check CHECK (symbol ~ '^[A-Z0-9]{1,10}$'),
    CONSTRAINT stores_short_code_check CHECK (short_code ~ '^[A-Z0-9]{4,20}$'),
    CONSTRAINT stores_latitude_check CHECK (latitude BETWEEN -90 AND 90),
    CONSTRAINT stores_longitude_check CHECK (longitude BETWEEN -180 AND 180),
    CONSTRAINT stores_location_check CHECK ((latitude IS NULL) = (longitude IS NULL))
);

CREATE INDEX idx_stores_symbol ON cocopay.stores (symbol);

CREATE INDEX idx_stores_short_code ON cocopay.stores (short_code);

CREATE INDEX idx_stores_location ON cocopay.stores USING gist (
    cocopay.ll_to_earth(latitude, longitude)
) WHERE latitude IS NOT NULL;

COMMENT ON TABLE cocopay.stores IS 'Merchant stores; each is a revnet (deployed per chain, see store_deployments).';

COMMENT ON COLUMN cocopay.stores.symbol IS 'Ticker of the store''s revnet token, 1-10 uppercase letters or digits.';

COMMENT ON COLUMN cocopay.stores.latitude IS 'Degrees, -90..90; set together with longitude.';

COMMENT ON COLUMN cocopay.stores.longitude IS 'Degrees, -180..180; set together with latitude.';

COMMENT ON COLUMN cocopay.stores.address IS 'Postal address (free text), not a chain address.';

COMMENT ON COLUMN cocopay.stores.deployment_status IS
'Overall revnet deployment state: pending -> deploying -> deployed | failed, failed -> pending (retry).';

COMMENT ON COLUMN cocopay.stores.instagram IS 'Instagram handle.';

COMMENT ON COLUMN cocopay.stores.short_code IS 'Code for manual entry when the QR code cannot be scanned; unique.';

COMMENT ON CONSTRAINT stores_name_check ON cocopay.stores IS 'A store name is not blank.';

COMMENT ON CONSTRAINT stores_symbol_check ON cocopay.stores IS
'symbol is 1-10 uppercase letters or digits (seed silent: a token ticker).';

COMMENT ON CONSTRAINT stores_short_code_check ON cocopay.stores IS
'short_code is 4-20 uppercase letters or digits, easy to type (seed silent).';

COMMENT ON CONSTRAINT stores_latitude_check ON cocopay.stores IS 'latitude is within -90..90 degrees.';

COMMENT ON CONSTRAINT stores_longitude_check ON cocopay.stores IS 'longitude is within -180..180 degrees.';

COMMENT ON CONSTRAINT stores_location_check ON cocopay.stores IS
'latitude and longitude are both set or both NULL.';

COMMENT ON INDEX cocopay.idx_stores_short_code IS 'From the seed; duplicates stores_short_code_key.';

COMMENT ON INDEX cocopay.idx_stores_location IS
'Nearby stores: GiST on cocopay.ll_to_earth(latitude, longitude), the dump-safe wrapper of earthdistance''s ll_to_earth.';
