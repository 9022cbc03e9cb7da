-- bloxtr8: asset verifications (a VERIFIED result cached 24 hours by the database's clock), Roblox snapshots
-- (ownership taken from the seller's cached check, never from the caller), and the id generator bloxtr8.cuid().
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(29);
\ir ../helpers.psql
\ir fixtures.psql

-- cuid
CREATE TEMP TABLE cuids ON COMMIT DROP AS
SELECT
    g,
    bloxtr8.cuid() AS id
FROM generate_series(1, 2000) AS g;
SELECT is((SELECT count(*)::integer FROM cuids
           WHERE id ~ '^c[0-9a-f]{24}$'), 2000,
    'a cuid is c and 24 lowercase hex digits (25 characters: the shape of Prisma''s cuid(), ^c[0-9a-z]{24}$)');
SELECT is((SELECT count(DISTINCT id)::integer FROM cuids), 2000, '2,000 cuids made in one statement are distinct');
SELECT is(
    (SELECT count(*)::integer FROM cuids AS a INNER JOIN cuids AS b ON a.g + 1 = b.g
     WHERE b.id <= a.id), 0,
    'cuids made one after the other sort in the order they were made (time, then counter)'
);
SELECT ok(
    (SELECT abs(extract(epoch FROM clock_timestamp()) * 1000 - ('x' || lpad(substr(max(id), 2, 11), 16, '0'))::bit(64)::bigint)
     < 60000 FROM cuids),
    'the 11 digits after c are the wall clock in milliseconds'
);
SELECT is(
    (SELECT count(DISTINCT substr(id, 13, 4))::integer FROM cuids), 2000,
    'the counter differs for every id (so ids of one millisecond differ by construction)'
);
SELECT is((SELECT count(DISTINCT substr(id, 17, 9))::integer FROM cuids), 2000, 'the random part differs every time');

-- start / complete / expire asset verifications
SELECT pg_temp.keep('v', v.id) FROM bloxtr8.start_asset_verification('u_seller', '920587237', 'ROBLOX_OAUTH') AS v;
SELECT is(
    (SELECT v.verification_status || ' ' || v.verification_method || ' ' || coalesce(v.verified_at::text, 'none')
     FROM bloxtr8.asset_verifications AS v
     WHERE v.id = pg_temp.b8_id('v')),
    'PENDING ROBLOX_OAUTH none', 'a first check is PENDING'
);
SELECT is(
    (SELECT v.id || ' ' || v.verification_status FROM bloxtr8.start_asset_verification('u_seller', '920587237', 'MANUAL') AS v),
    pg_temp.b8_id('v') || ' PENDING', 'a running check is returned as it is (one row per user and game)'
);
SELECT is(
    pg_temp.try(format($$SELECT bloxtr8.complete_asset_verification(%L, NULL)$$, pg_temp.b8_id('v'))), '23502 ',
    'an outcome that is neither verified nor failed is refused (23502), not taken for FAILED'
);
SELECT is(
    (SELECT v.verification_status || ' ' || (v.verified_at = now()) || ' ' || (v.expires_at - v.verified_at) || ' '
            || v.ownership_type || ' ' || (v.metadata ->> 'source')
     FROM bloxtr8.complete_asset_verification(pg_temp.b8_id('v'), true, 'ADMIN', '{"source": "roblox"}') AS v),
    'VERIFIED true 1 day ADMIN roblox', 'a verified check is cached 24 hours from now (database clock)'
);
SELECT is(
    (SELECT v.verification_status::text FROM bloxtr8.start_asset_verification('u_seller', '920587237', 'MANUAL') AS v),
    'VERIFIED', 'a cached VERIFIED result is returned: no new check'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.complete_asset_verification(%L, false)$$, pg_temp.b8_id('v'))),
    ARRAY['CD001', 'asset_verifications_status_transition', 'asset_verifications', 'from=VERIFIED to=FAILED'],
    'only a PENDING check is completed (CD001)'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.complete_asset_verification('v_nobody', true)$$), 'CD005 ', 'CD005 unknown check');
SELECT common.set_clock_offset(interval '24 hours');
SELECT is(
    (SELECT v.verification_status::text FROM bloxtr8.start_asset_verification('u_seller', '920587237', 'MANUAL') AS v),
    'PENDING', '24 hours on by the database''s clock the cache is over: checked again'
);
SELECT common.set_clock_offset(interval '0');
UPDATE bloxtr8.asset_verifications
SET verification_status = 'VERIFIED', verified_at = now(), expires_at = now() + interval '24 hours',
    verification_method = 'ROBLOX_OAUTH'
WHERE id = pg_temp.b8_id('v');
-- a result verified 25 hours ago: its cache ran out
INSERT INTO bloxtr8.asset_verifications (id, user_id, game_id, verification_method) VALUES ('v_old', 'u_buyer', '1818', 'ROBLOX_API');
UPDATE bloxtr8.asset_verifications
SET verification_status = 'VERIFIED', verified_at = now() - interval '25 hours', expires_at = now() - interval '1 hour'
WHERE id = 'v_old';
INSERT INTO bloxtr8.asset_verifications (id, user_id, game_id, verification_method) VALUES ('v_old2', 'u_other', '1818', 'ROBLOX_API');
UPDATE bloxtr8.asset_verifications
SET verification_status = 'VERIFIED', verified_at = now() - interval '24 hours', expires_at = now()
WHERE id = 'v_old2';
SELECT is(bloxtr8.expire_asset_verifications(), 2,
    'results whose 24 hours are over (also exactly now) are EXPIRED by the sweep');
SELECT is(
    (SELECT array_agg(v.id || ' ' || v.verification_status ORDER BY v.id) FROM bloxtr8.asset_verifications AS v),
    ARRAY[pg_temp.b8_id('v') || ' VERIFIED', 'v_old EXPIRED', 'v_old2 EXPIRED'], 'a result within its cache stays VERIFIED'
);
SELECT is(
    (SELECT v.verification_status || ' ' || v.verification_method || ' ' || coalesce(v.expires_at::text, 'none')
     FROM bloxtr8.start_asset_verification('u_buyer', '1818', 'MANUAL') AS v),
    'PENDING MANUAL none', 'an EXPIRED result is checked again: PENDING, by the new method'
);
SELECT is(
    (SELECT v.verification_status::text FROM bloxtr8.complete_asset_verification('v_old', false) AS v), 'FAILED',
    'a check fails: FAILED'
);
SELECT is(
    (SELECT v.verification_status::text FROM bloxtr8.start_asset_verification('u_buyer', '1818', 'ROBLOX_API') AS v),
    'PENDING', 'a FAILED check is tried again'
);
UPDATE bloxtr8.asset_verifications
SET verification_status = 'VERIFIED', verified_at = now() - interval '30 hours', expires_at = now() - interval '6 hours'
WHERE id = 'v_old';
SELECT is(
    (SELECT v.verification_status::text FROM bloxtr8.start_asset_verification('u_buyer', '1818', 'ROBLOX_API') AS v),
    'PENDING', 'a VERIFIED result past its cache, not swept yet, is checked again'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.start_asset_verification('u_nobody', '1', 'MANUAL')$$),
    '23503 asset_verifications_user_id_fkey', 'a check is of a known user');
SELECT is(pg_temp.try($$SELECT bloxtr8.start_asset_verification('u_buyer', 'abc', 'MANUAL')$$),
    '23514 asset_verifications_game_id_check', 'a check is of a Roblox game id');

-- create_roblox_snapshot
SELECT is(
    (SELECT s.verified_ownership || ' ' || s.ownership_type || ' ' || (s.verification_date = now()) || ' ' || s.visits
     FROM bloxtr8.create_roblox_snapshot('920587237', 'Tycoon', 'd1_l', 'desc', 'https://t.rbxcdn.com/x', 12, 30000000000)
     AS s),
    'true ADMIN true 30000000000',
    'a snapshot of a listing whose seller''s check is cached: verified, with the check''s type and time (visits beyond 2^31)'
);
SELECT is(
    (SELECT s.verified_ownership::text FROM bloxtr8.create_roblox_snapshot('555', 'Other game', 'd1_l') AS s), 'false',
    'a game the seller has not verified is not verified'
);
SELECT is(
    (SELECT s.verified_ownership::text FROM bloxtr8.create_roblox_snapshot('920587237', 'Tycoon') AS s), 'false',
    'a snapshot without a listing has no seller to verify'
);
UPDATE bloxtr8.asset_verifications SET verification_status = 'EXPIRED'
WHERE id = pg_temp.b8_id('v');
SELECT is(
    (SELECT s.verified_ownership::text FROM bloxtr8.create_roblox_snapshot('920587237', 'Tycoon', 'd1_l') AS s), 'false',
    'an expired check verifies nothing'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.create_roblox_snapshot('1', 'x', 'l_nobody')$$), 'CD005 ', 'CD005 unknown listing');
SELECT is(pg_temp.try($$SELECT bloxtr8.create_roblox_snapshot('1', 'x', NULL, NULL, NULL, -1)$$),
    '23514 roblox_snapshots_player_count_check', 'counts are not negative');
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.roblox_snapshots
     WHERE listing_id = 'd1_l'), 3, 'the listing has its three snapshots'
);

SELECT * FROM finish();
ROLLBACK;
