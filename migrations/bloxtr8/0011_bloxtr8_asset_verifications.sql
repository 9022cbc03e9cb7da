-- depends: 0010_bloxtr8_deliveries_disputes
-- bloxtr8.asset_verifications and roblox_snapshots (seed: AssetVerification, RobloxSnapshot).
--
-- asset_verifications  verbatim (unique per user and game: asset_verifications_user_id_game_id_key, which also
--           serves the seed's userId index), plus: game_id is a Roblox id (digits); a VERIFIED result is
--           cached 24 hours: verified_at is set exactly when VERIFIED or EXPIRED and expires_at is exactly
--           verified_at + 24 hours. State machine PENDING -> VERIFIED | FAILED; VERIFIED -> EXPIRED (past
--           expires_at, bloxtr8.expire_asset_verifications) | PENDING (a new check once the cache ran out);
--           FAILED | EXPIRED -> PENDING (a new check). The functions of 0018 make every move and refuse to
--           restart a check whose VERIFIED result is still cached.
-- roblox_snapshots  verbatim, plus: visits is bigint, not the seed's Int (popular games pass 2^31 visits:
--           the least fix); counts are not negative; verification_date is set exactly when
--           verified_ownership. Append-only: a snapshot records the game at one instant. Made by
--           bloxtr8.create_roblox_snapshot, which takes verified_ownership from the listing seller's cached
--           VERIFIED check of the game, never from the caller.
-- Foreign keys RESTRICT (the user of a verification, a snapshot's listing: snapshots are append-only).

CREATE TABLE bloxtr8.asset_verifications (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    user_id text NOT NULL,
    game_id text NOT NULL,
    verification_status bloxtr8.verification_status NOT NULL DEFAULT 'PENDING',
    verification_method bloxtr8.verification_method NOT NULL,
    ownership_type bloxtr8.game_ownership_type NOT NULL DEFAULT 'OWNER',
    verified_at timestamptz,
    expires_at timestamptz,
    metadata jsonb,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT asset_verifications_pkey PRIMARY KEY (id),
    CONSTRAINT asset_verifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES bloxtr8.users (id) ON DELETE RESTRICT,
    CONSTRAINT asset_verifications_user_id_game_id_key UNIQUE (user_id, game_id),
    CONSTRAINT asset_verifications_game_id_check CHECK (game_id ~ '^[1-9][0-9]{0,19}$'),
    CONSTRAINT asset_verifications_verified_at_check
    CHECK ((verified_at IS NOT NULL) = (verification_status IN ('VERIFIED', 'EXPIRED'))),
    CONSTRAINT asset_verifications_expires_at_check
    CHECK ((expires_at IS NULL AND verified_at IS NULL) OR expires_at = verified_at + interval '24 hours')
);

CREATE INDEX asset_verifications_game_id_idx ON bloxtr8.asset_verifications (game_id);

CREATE INDEX asset_verifications_verification_status_idx ON bloxtr8.asset_verifications (verification_status);

CALL common.define_state_machine(
    'bloxtr8.asset_verifications', 'verification_status',
    '{PENDING>VERIFIED|FAILED, VERIFIED>EXPIRED|PENDING, FAILED>PENDING, EXPIRED>PENDING}', '{PENDING}',
    'A check runs PENDING and ends VERIFIED (cached 24 hours) or FAILED; a VERIFIED result past expires_at is EXPIRED '
    'or checked again (PENDING), never while still cached.'
);

CALL common.define_immutable_columns('bloxtr8.asset_verifications', '{id, user_id, game_id, created_at}');

CREATE TRIGGER asset_verifications_updated_at
BEFORE UPDATE ON bloxtr8.asset_verifications
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.asset_verifications IS
'Roblox game ownership checks (seed: AssetVerification), one row per user and game, a VERIFIED result cached 24 hours.';
COMMENT ON COLUMN bloxtr8.asset_verifications.game_id IS 'The Roblox game (universe) id.';
COMMENT ON COLUMN bloxtr8.asset_verifications.verification_status IS
'PENDING -> VERIFIED | FAILED; VERIFIED -> EXPIRED | PENDING; FAILED | EXPIRED -> PENDING '
'(asset_verifications_status_transition).';
COMMENT ON COLUMN bloxtr8.asset_verifications.verified_at IS 'When ownership was verified; set while VERIFIED or EXPIRED.';
COMMENT ON COLUMN bloxtr8.asset_verifications.expires_at IS
'End of the 24-hour cache: verified_at + 24 hours (database clock).';
COMMENT ON COLUMN bloxtr8.asset_verifications.metadata IS 'The API response of the last check.';
COMMENT ON CONSTRAINT asset_verifications_user_id_game_id_key ON bloxtr8.asset_verifications IS
'One verification per user and game; also the seed''s userId index (its leading column).';
COMMENT ON CONSTRAINT asset_verifications_game_id_check ON bloxtr8.asset_verifications IS
'A Roblox id: decimal digits, no leading zero.';
COMMENT ON CONSTRAINT asset_verifications_verified_at_check ON bloxtr8.asset_verifications IS
'verified_at is set exactly when VERIFIED or EXPIRED.';
COMMENT ON CONSTRAINT asset_verifications_expires_at_check ON bloxtr8.asset_verifications IS
'A verified result is cached exactly 24 hours.';
COMMENT ON INDEX bloxtr8.asset_verifications_verification_status_idx IS 'Find verified games (seed).';
COMMENT ON TRIGGER asset_verifications_updated_at ON bloxtr8.asset_verifications IS
'Keeps updated_at at the time of the last update.';

GRANT SELECT ON bloxtr8.asset_verifications TO chaindb_app, chaindb_readonly;

CREATE TABLE bloxtr8.roblox_snapshots (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    game_id text NOT NULL,
    game_name text NOT NULL,
    game_description text,
    thumbnail_url text,
    player_count integer,
    visits bigint,
    created_date timestamptz,
    verified_ownership boolean NOT NULL DEFAULT false,
    ownership_type bloxtr8.game_ownership_type NOT NULL DEFAULT 'OWNER',
    verification_date timestamptz,
    metadata jsonb,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    listing_id text,
    CONSTRAINT roblox_snapshots_pkey PRIMARY KEY (id),
    CONSTRAINT roblox_snapshots_listing_id_fkey FOREIGN KEY (listing_id)
    REFERENCES bloxtr8.listings (id) ON DELETE RESTRICT,
    CONSTRAINT roblox_snapshots_game_id_check CHECK (game_id ~ '^[1-9][0-9]{0,19}$'),
    CONSTRAINT roblox_snapshots_game_name_check CHECK (btrim(game_name) <> ''),
    CONSTRAINT roblox_snapshots_player_count_check CHECK (player_count >= 0),
    CONSTRAINT roblox_snapshots_visits_check CHECK (visits >= 0),
    CONSTRAINT roblox_snapshots_verification_date_check CHECK ((verification_date IS NOT NULL) = verified_ownership)
);

CREATE INDEX roblox_snapshots_game_id_created_at_id_idx ON bloxtr8.roblox_snapshots (game_id, created_at DESC, id);

CREATE INDEX roblox_snapshots_listing_id_created_at_id_idx
ON bloxtr8.roblox_snapshots (listing_id, created_at DESC, id);

CREATE INDEX roblox_snapshots_verified_ownership_idx ON bloxtr8.roblox_snapshots (verified_ownership);

CALL common.define_append_only('bloxtr8.roblox_snapshots');

COMMENT ON TABLE bloxtr8.roblox_snapshots IS
'Game state snapshots for listings (seed: RobloxSnapshot); append-only: a snapshot records the game at one instant.';
COMMENT ON COLUMN bloxtr8.roblox_snapshots.visits IS
'Total visits; bigint where the seed says Int, since popular games pass 2^31 visits.';
COMMENT ON COLUMN bloxtr8.roblox_snapshots.created_date IS 'When the game was created on Roblox.';
COMMENT ON COLUMN bloxtr8.roblox_snapshots.verified_ownership IS
'The listing''s seller had a cached VERIFIED ownership check of the game when the snapshot was taken.';
COMMENT ON COLUMN bloxtr8.roblox_snapshots.verification_date IS 'verified_at of that check; set exactly when verified.';
COMMENT ON INDEX bloxtr8.roblox_snapshots_game_id_created_at_id_idx IS
'The seed''s gameId index (leading game_id), newest first: the latest snapshot of a game.';
COMMENT ON INDEX bloxtr8.roblox_snapshots_listing_id_created_at_id_idx IS
'The seed''s listingId index (leading listing_id, behind roblox_snapshots_listing_id_fkey), newest first.';
COMMENT ON CONSTRAINT roblox_snapshots_game_id_check ON bloxtr8.roblox_snapshots IS
'A Roblox id: decimal digits, no leading zero.';
COMMENT ON CONSTRAINT roblox_snapshots_game_name_check ON bloxtr8.roblox_snapshots IS 'A game has a name.';
COMMENT ON CONSTRAINT roblox_snapshots_player_count_check ON bloxtr8.roblox_snapshots IS 'Not negative.';
COMMENT ON CONSTRAINT roblox_snapshots_visits_check ON bloxtr8.roblox_snapshots IS 'Not negative.';
COMMENT ON CONSTRAINT roblox_snapshots_verification_date_check ON bloxtr8.roblox_snapshots IS
'verification_date is set exactly when ownership is verified.';

GRANT SELECT ON bloxtr8.roblox_snapshots TO chaindb_app, chaindb_readonly;
