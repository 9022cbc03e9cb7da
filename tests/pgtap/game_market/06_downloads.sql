-- game_market: downloads (0007, 0013): record_download's rules, the salted IP hash and where its salt lives, the
-- CHECKs and the append-only events.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(32);
\ir ../helpers.psql
\ir fixtures.psql

SELECT pg_temp.gm_store('ida') AS game \gset
SELECT pg_temp.gm_release_of(:'game') AS rel \gset
SELECT pg_temp.gm_user('jon') AS jon \gset
SELECT pg_temp.gm_paid(:'game', :'jon', 'inv-jon', 4000) AS jon_p \gset
SELECT id AS ent FROM game_market.entitlements
WHERE purchase_id = :'jon_p' \gset
CREATE FUNCTION pg_temp.expected_hash(ip text) RETURNS text LANGUAGE sql AS $$
    SELECT encode(extensions.hmac(convert_to(ip, 'UTF8'), s.salt, 'sha256'), 'hex') FROM game_market.ip_hash_salt AS s
$$;

-- the salt
SELECT results_eq(
    $$SELECT count(*), min(octet_length(salt)) FROM game_market.ip_hash_salt$$, $$VALUES (1::bigint, 32)$$,
    'one salt of 32 random bytes, made by the migration'
);
SELECT is(pg_temp.gm_refused($$INSERT INTO game_market.ip_hash_salt (id, salt) VALUES (true, extensions.gen_random_bytes(32))$$),
    '23505 ip_hash_salt_pkey', 'one salt only');
SELECT is(pg_temp.gm_refused($$INSERT INTO game_market.ip_hash_salt (id, salt) VALUES (false, extensions.gen_random_bytes(32))$$),
    '23514 ip_hash_salt_id_check', 'its key is true');
SELECT is(pg_temp.gm_refused($$UPDATE game_market.ip_hash_salt SET salt = extensions.gen_random_bytes(31)$$),
    '23514 ip_hash_salt_salt_check', 'a salt has at least 32 bytes');
SELECT throws_ok(pg_temp.gm_as_app($$SELECT salt FROM game_market.ip_hash_salt$$), '42501', NULL,
    'the application cannot read the salt');
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_readonly', 'SELECT salt FROM game_market.ip_hash_salt')$$, '42501', NULL,
    'the read-only role cannot read the salt');
SELECT lives_ok($$SELECT pg_temp.as_role('chaindb_readonly', 'SELECT id, rotated_at FROM game_market.ip_hash_salt')$$,
    'the read-only role sees when it was rotated');

-- record_download
SELECT * FROM game_market.record_download(:'ent', :'rel', '203.0.113.9', 'curl/8.5') AS d \gset d_
SELECT results_eq(
    format($$SELECT entitlement_id, release_id, ip_hash, user_agent, created_at FROM game_market.download_events
             WHERE id = %L$$, :'d_id'),
    format($$VALUES (%L::uuid, %L::uuid, pg_temp.expected_hash('203.0.113.9'), 'curl/8.5', now())$$, :'ent', :'rel'),
    'record_download: the event, the address as hex(HMAC-SHA256(salt, address))'
);
SELECT isnt(:'d_ip_hash', encode(sha256('203.0.113.9'::bytea), 'hex'), 'the hash is salted, not a bare SHA-256');
SELECT is(
    (SELECT ip_hash FROM game_market.record_download(:'ent', :'rel', '203.0.113.9/24', NULL)), :'d_ip_hash',
    'the same address (any mask) gives the same hash'
);
SELECT isnt(
    (SELECT ip_hash FROM game_market.record_download(:'ent', :'rel', '203.0.113.10', NULL)), :'d_ip_hash',
    'another address gives another hash'
);
SELECT is(
    (SELECT ip_hash FROM game_market.record_download(:'ent', :'rel', '2001:db8::1', NULL)), pg_temp.expected_hash('2001:db8::1'),
    'IPv6 addresses are hashed alike'
);
SELECT is(
    (SELECT count(*)::integer FROM game_market.download_events AS d
     WHERE to_jsonb(d)::text LIKE '%203.0.113.%' OR to_jsonb(d)::text LIKE '%2001:db8%'),
    0, 'no address is stored, in any column'
);
SELECT is(
    (SELECT user_agent FROM game_market.record_download(:'ent', :'rel', '198.51.100.1', repeat('u', 600))), repeat('u', 512),
    'the user agent is cut to 512 characters'
);
SELECT is(
    pg_temp.gm_refused(format($$SELECT game_market.record_download(%L, %L, NULL, 'x')$$, :'ent', :'rel')),
    '23502 ', 'a download without an address is refused'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.record_download('00000000-0000-4000-8000-000000000000', %L, '10.0.0.1', NULL)$$, :'rel')),
    ARRAY['CD005', '', 'entitlements', 'key=00000000-0000-4000-8000-000000000000'], 'an unknown entitlement is CD005'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.record_download(%L, '00000000-0000-4000-8000-000000000000', '10.0.0.1', NULL)$$, :'ent')),
    ARRAY['CD005', '', 'releases', 'key=00000000-0000-4000-8000-000000000000'], 'an unknown release is CD005'
);
SELECT pg_temp.gm_release(:'game', '1.1.0-rc', true, false) AS unpublished \gset
SELECT is(
    pg_temp.error_fields(format($$SELECT game_market.record_download(%L, %L, '10.0.0.1', NULL)$$, :'ent', :'unpublished')),
    ARRAY['CD007', 'download_events_release_published', 'download_events', 'release_id=' || :'unpublished'],
    'an unpublished release is not downloaded (CD007)'
);
SELECT pg_temp.gm_release_of(pg_temp.gm_store('kit')) AS other_rel \gset
SELECT is(
    (pg_temp.error_fields(format($$SELECT game_market.record_download(%L, %L, '10.0.0.1', NULL)$$, :'ent', :'other_rel')))[1:2],
    ARRAY['CD007', 'download_events_release_same_game'], 'another game''s release is not downloaded (CD007)'
);
SELECT pg_temp.gm_release(:'game', '0.9.0', true, true) AS older \gset
SELECT lives_ok(
    format($$SELECT game_market.record_download(%L, %L, '10.0.0.1', NULL)$$, :'ent', :'older'),
    'any published release of the game is downloaded'
);
SELECT id AS guest_p FROM game_market.create_purchase(:'game', NULL, 'lnbits', 'inv-guest', 100) \gset
SELECT FROM game_market.settle_invoice('lnbits', 'inv-guest');
SELECT lives_ok(
    format($$SELECT game_market.record_download(e.id, %L, '10.0.0.2', NULL) FROM game_market.entitlements AS e
             WHERE e.purchase_id = %L$$, :'rel', :'guest_p'),
    'a guest downloads under the entitlement of their receipt'
);
SELECT FROM game_market.refund_purchase(:'jon_p');
SELECT is(
    (pg_temp.error_fields(format($$SELECT game_market.record_download(%L, %L, '10.0.0.1', NULL)$$, :'ent', :'rel')))[1:2],
    ARRAY['CD007', 'download_events_entitlement_active'], 'a revoked entitlement downloads nothing (CD007)'
);
SELECT is(
    (SELECT count(*)::integer FROM game_market.download_events
     WHERE release_id IN (:'unpublished', :'other_rel') OR (entitlement_id = :'ent' AND ip_hash = pg_temp.expected_hash('10.0.0.1')
         AND release_id = :'rel')),
    0, 'refused downloads wrote nothing'
);

-- rotating the salt
SELECT ip_hash AS before_rotation FROM game_market.download_events
WHERE id = :'d_id' \gset
UPDATE game_market.ip_hash_salt SET salt = extensions.gen_random_bytes(32), rotated_at = now();
SELECT isnt(
    (SELECT r.ip_hash FROM game_market.entitlements AS e, game_market.record_download(e.id, :'rel', '203.0.113.9', NULL) AS r
     WHERE e.purchase_id = :'guest_p'),
    :'before_rotation', 'after a rotation the same address hashes differently'
);

-- CHECKs and append-only (written directly, as the owner could)
SELECT id AS guest_ent FROM game_market.entitlements
WHERE purchase_id = :'guest_p' \gset
PREPARE download (text, text) AS
INSERT INTO game_market.download_events (entitlement_id, release_id, ip_hash, user_agent)
VALUES (:'guest_ent', :'older', $1, $2);
SELECT is(pg_temp.gm_refused($$EXECUTE download('203.0.113.9', NULL)$$),
    '23514 download_events_ip_hash_check', 'a bare address is refused in ip_hash');
SELECT is(pg_temp.gm_refused($$EXECUTE download(upper(repeat('ab', 32)), NULL)$$),
    '23514 download_events_ip_hash_check', 'an uppercase hash is refused');
SELECT is(pg_temp.gm_refused($$EXECUTE download(repeat('ab', 32), repeat('u', 513))$$),
    '23514 download_events_user_agent_check', 'a user agent over 512 characters is refused');
SELECT is(pg_temp.gm_refused($$UPDATE game_market.download_events SET user_agent = 'forged'$$),
    'CD003 download_events_append_only', 'download events are never updated (not even by the owner)');
SELECT is(pg_temp.gm_refused($$DELETE FROM game_market.download_events$$),
    'CD003 download_events_append_only', 'download events are never deleted');
SELECT is(pg_temp.gm_refused($$TRUNCATE game_market.download_events$$),
    'CD003 download_events_append_only', 'download events are never truncated');
SELECT throws_ok(
    pg_temp.gm_as_app(format($$INSERT INTO game_market.download_events (entitlement_id, release_id, ip_hash)
                               VALUES (%L, %L, repeat('ab', 32))$$, :'ent', :'rel')),
    '42501', NULL, 'the application records downloads only through record_download'
);
SELECT pg_temp.gm_paid(:'game', :'jon', 'inv-jon-2', 4000) AS jon_p2 \gset
SELECT lives_ok(
    pg_temp.gm_as_app(format($$SELECT game_market.record_download(e.id, %L, '10.1.1.1', 'app')
                               FROM game_market.entitlements AS e WHERE e.purchase_id = %L$$, :'rel', :'jon_p2')),
    'the application calls record_download (and hashes with a salt it cannot read)'
);

SELECT * FROM finish();
ROLLBACK;
