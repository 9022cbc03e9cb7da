-- depends: 0006_game_market_entitlements
-- game_market.download_events (seed: download_events) and the salt of its ip_hash.
-- Seed silent, decided here:
--   - a download event is written only by game_market.record_download (0013), which checks
--     that the entitlement holds (not revoked) and that the release is published and of the
--     entitlement's game; events are append-only (no UPDATE, DELETE or TRUNCATE by anyone).
--   - the client's IP address is never stored: ip_hash is the hex HMAC-SHA256 of the address
--     (its text, host(inet)) under a secret salt, computed inside record_download. Hashing
--     alone would not do: the IPv4 space is small enough to hash whole, so whoever holds the
--     salt can tell an address from its hash. The salt therefore lives where neither the
--     application nor the read-only role can read it: game_market.ip_hash_salt, one row, 32
--     random bytes made here by the database (pgcrypto), readable by the owner only (the
--     column salt is granted to nobody; SECURITY DEFINER record_download reads it as the
--     owner). Equal addresses give equal hashes while the salt stays (downloads per address can
--     be counted); a DBA rotates it with
--       UPDATE game_market.ip_hash_salt SET salt = extensions.gen_random_bytes(32), rotated_at = common.now();
--     after which old and new hashes no longer match. The salt is in the database's backups:
--     treat them as the secret they carry.
--   - user_agent is kept to its first 512 characters (record_download cuts it).
--   - events are history: their entitlement and release stay (ON DELETE RESTRICT).

CREATE TABLE game_market.ip_hash_salt (
    id boolean NOT NULL DEFAULT true,
    salt bytea NOT NULL,
    rotated_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT ip_hash_salt_pkey PRIMARY KEY (id),
    CONSTRAINT ip_hash_salt_id_check CHECK (id),
    CONSTRAINT ip_hash_salt_salt_check CHECK (octet_length(salt) >= 32)
);

INSERT INTO game_market.ip_hash_salt (id, salt) VALUES (true, extensions.gen_random_bytes(32));

COMMENT ON TABLE game_market.ip_hash_salt IS
'One row: the secret salt of download_events.ip_hash (HMAC-SHA256 key), made by the database at migration. '
'Only the owner reads it (game_market.record_download, SECURITY DEFINER): the application and the read-only role '
'cannot, so they cannot reverse a hash by hashing the address space.';
COMMENT ON COLUMN game_market.ip_hash_salt.id IS 'Always true: the table holds one row.';
COMMENT ON COLUMN game_market.ip_hash_salt.salt IS 'SECRET. The HMAC key, at least 32 random bytes; granted to no role.';
COMMENT ON COLUMN game_market.ip_hash_salt.rotated_at IS
'When the salt was set: hashes from before it do not match hashes from after it.';
COMMENT ON CONSTRAINT ip_hash_salt_id_check ON game_market.ip_hash_salt IS 'The table holds one row.';
COMMENT ON CONSTRAINT ip_hash_salt_salt_check ON game_market.ip_hash_salt IS 'A salt has at least 32 bytes.';

GRANT SELECT (id, rotated_at) ON game_market.ip_hash_salt TO chaindb_readonly;

CREATE TABLE game_market.download_events (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    entitlement_id uuid NOT NULL,
    release_id uuid NOT NULL,
    ip_hash text NOT NULL,
    user_agent text,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT download_events_pkey PRIMARY KEY (id),
    CONSTRAINT download_events_entitlement_id_fkey FOREIGN KEY (entitlement_id)
    REFERENCES game_market.entitlements (id) ON DELETE RESTRICT,
    CONSTRAINT download_events_release_id_fkey FOREIGN KEY (release_id)
    REFERENCES game_market.releases (id) ON DELETE RESTRICT,
    CONSTRAINT download_events_ip_hash_check CHECK (char_length(ip_hash) = 64 AND ip_hash ~ '^[0-9a-f]+$'),
    CONSTRAINT download_events_user_agent_check CHECK (char_length(user_agent) <= 512)
);

CREATE INDEX download_events_entitlement_id_created_at_id_idx
ON game_market.download_events (entitlement_id, created_at DESC, id);

CREATE INDEX download_events_release_id_idx ON game_market.download_events (release_id);

CALL common.define_append_only('game_market.download_events');

COMMENT ON TABLE game_market.download_events IS
'One download of a release by an entitlement''s holder; written only by game_market.record_download, append-only.';
COMMENT ON COLUMN game_market.download_events.ip_hash IS
'hex(HMAC-SHA256(salt, host(ip))), the salt in game_market.ip_hash_salt: the address itself is never stored.';
COMMENT ON COLUMN game_market.download_events.user_agent IS 'The client''s User-Agent, its first 512 characters.';
COMMENT ON CONSTRAINT download_events_ip_hash_check ON game_market.download_events IS
'ip_hash is an HMAC-SHA256 in lowercase hex (64 characters): never an address.';
COMMENT ON CONSTRAINT download_events_user_agent_check ON game_market.download_events IS
'A user agent is kept to 512 characters.';
COMMENT ON INDEX game_market.download_events_entitlement_id_created_at_id_idx IS
'An entitlement''s downloads, newest first (download_list_by_entitlement, download_count_by_entitlement); indexes '
'the foreign key entitlement_id.';
COMMENT ON INDEX game_market.download_events_release_id_idx IS
'A release''s downloads; indexes the foreign key release_id.';

GRANT SELECT ON game_market.download_events TO chaindb_app, chaindb_readonly;
