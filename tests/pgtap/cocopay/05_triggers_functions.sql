-- cocopay: triggers (names, timing, functions), updated_at maintenance, and
-- generate_confirmation_code() as the transactions.confirmation_code default.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(41);

-- Triggers
SELECT has_trigger('cocopay', 'users', 'update_users_updated_at', 'trigger update_users_updated_at exists');
SELECT has_trigger('cocopay', 'stores', 'update_stores_updated_at', 'trigger update_stores_updated_at exists');
SELECT has_trigger(
    'cocopay', 'token_balances', 'update_token_balances_updated_at', 'trigger update_token_balances_updated_at exists'
);
SELECT has_trigger(
    'cocopay', 'feature_flags', 'update_feature_flags_updated_at', 'trigger update_feature_flags_updated_at exists'
);
SELECT has_trigger('cocopay', 'transactions', 'transactions_status_transition', 'trigger transactions_status_transition exists');
SELECT has_trigger('cocopay', 'payouts', 'payouts_status_transition', 'trigger payouts_status_transition exists');
SELECT has_trigger('cocopay', 'stores', 'stores_status_transition', 'trigger stores_status_transition exists');
SELECT has_trigger(
    'cocopay', 'store_deployments', 'store_deployments_status_transition', 'trigger store_deployments_status_transition exists'
);
SELECT has_trigger('cocopay', 'passkeys', 'passkeys_sign_count_monotonic', 'trigger passkeys_sign_count_monotonic exists');

SELECT trigger_is(
    'cocopay', 'users', 'update_users_updated_at', 'common', 'tg__set_updated_at',
    'update_users_updated_at calls common.tg__set_updated_at()'
);
SELECT trigger_is(
    'cocopay', 'stores', 'update_stores_updated_at', 'common', 'tg__set_updated_at',
    'update_stores_updated_at calls common.tg__set_updated_at()'
);
SELECT trigger_is(
    'cocopay', 'token_balances', 'update_token_balances_updated_at', 'common', 'tg__set_updated_at',
    'update_token_balances_updated_at calls common.tg__set_updated_at()'
);
SELECT trigger_is(
    'cocopay', 'feature_flags', 'update_feature_flags_updated_at', 'common', 'tg__set_updated_at',
    'update_feature_flags_updated_at calls common.tg__set_updated_at()'
);
SELECT trigger_is(
    'cocopay', 'transactions', 'transactions_status_transition', 'common', 'tg__forbid_transition',
    'transactions_status_transition calls common.tg__forbid_transition()'
);
SELECT trigger_is(
    'cocopay', 'payouts', 'payouts_status_transition', 'common', 'tg__forbid_transition',
    'payouts_status_transition calls common.tg__forbid_transition()'
);
SELECT trigger_is(
    'cocopay', 'stores', 'stores_status_transition', 'common', 'tg__forbid_transition',
    'stores_status_transition calls common.tg__forbid_transition()'
);
SELECT trigger_is(
    'cocopay', 'store_deployments', 'store_deployments_status_transition', 'common', 'tg__forbid_transition',
    'store_deployments_status_transition calls common.tg__forbid_transition()'
);
SELECT trigger_is(
    'cocopay', 'passkeys', 'passkeys_sign_count_monotonic', 'cocopay', 'tg_passkeys__sign_count_monotonic',
    'passkeys_sign_count_monotonic calls tg_passkeys__sign_count_monotonic()'
);

-- tgtype 19 = ROW (1) + BEFORE (2) + UPDATE (16); 27 = 19 + DELETE (8); 34 = BEFORE (2) + TRUNCATE (32), per statement;
-- the store_daily_stats queue (0031): AFTER ROW INSERT 5, UPDATE 17, DELETE 9, AFTER STATEMENT TRUNCATE 32
SELECT set_eq(
    $$SELECT c.relname::text, t.tgname::text, t.tgtype::int FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
      WHERE c.relnamespace = 'cocopay'::regnamespace AND NOT t.tgisinternal AND NOT c.relispartition$$,
    $$VALUES ('users', 'update_users_updated_at', 19), ('stores', 'update_stores_updated_at', 19),
             ('token_balances', 'update_token_balances_updated_at', 19),
             ('feature_flags', 'update_feature_flags_updated_at', 19),
             ('transactions', 'transactions_status_transition', 19), ('payouts', 'payouts_status_transition', 19),
             ('stores', 'stores_status_transition', 19),
             ('store_deployments', 'store_deployments_status_transition', 19),
             ('passkeys', 'passkeys_sign_count_monotonic', 19),
             ('audit_logs', 'audit_logs_append_only', 27), ('audit_logs', 'audit_logs_append_only_truncate', 34),
             ('analytics_events', 'analytics_events_append_only', 27),
             ('analytics_events', 'analytics_events_append_only_truncate', 34),
             ('transactions', 'transactions_store_daily_stats_insert', 5),
             ('transactions', 'transactions_store_daily_stats_update', 17),
             ('transactions', 'transactions_store_daily_stats_delete', 9),
             ('transactions', 'transactions_store_daily_stats_truncate', 32),
             ('transactions', 'transactions_immutable_columns', 19)$$,
    'exactly these 18 triggers: 10 BEFORE UPDATE FOR EACH ROW, the append-only ones, 4 AFTER queueing store_daily_stats changes'
);

-- updated_at moves on UPDATE (now() is the transaction time; rows start in the past)
INSERT INTO cocopay.users (id, phone, created_at, updated_at)
VALUES ('00000000-0000-0000-0000-000000000501', '+5511900000501', '2020-01-01Z', '2020-01-01Z');
INSERT INTO cocopay.stores (id, name, symbol, created_at, updated_at)
VALUES ('00000000-0000-0000-0000-000000000502', 'Feira', 'FEIRA', '2020-01-01Z', '2020-01-01Z');
INSERT INTO cocopay.token_balances (id, user_id, chain_id, token_address, created_at, updated_at)
VALUES ('00000000-0000-0000-0000-000000000503', '00000000-0000-0000-0000-000000000501', '8453', '0x0',
        '2020-01-01Z', '2020-01-01Z');
INSERT INTO cocopay.feature_flags (id, name, created_at, updated_at)
VALUES ('00000000-0000-0000-0000-000000000504', 'pix_payouts', '2020-01-01Z', '2020-01-01Z');

UPDATE cocopay.users SET name = 'Ana'
WHERE id = '00000000-0000-0000-0000-000000000501';
UPDATE cocopay.stores SET category = 'market'
WHERE id = '00000000-0000-0000-0000-000000000502';
UPDATE cocopay.token_balances SET balance = 10
WHERE id = '00000000-0000-0000-0000-000000000503';
UPDATE cocopay.feature_flags SET enabled = true
WHERE id = '00000000-0000-0000-0000-000000000504';

SELECT is(
    (SELECT updated_at FROM cocopay.users
     WHERE id = '00000000-0000-0000-0000-000000000501'), now(),
    'an UPDATE of users sets updated_at to now()'
);
SELECT is(
    (SELECT created_at FROM cocopay.users
     WHERE id = '00000000-0000-0000-0000-000000000501'), '2020-01-01Z'::timestamptz,
    'an UPDATE of users leaves created_at alone'
);
SELECT is(
    (SELECT updated_at FROM cocopay.stores
     WHERE id = '00000000-0000-0000-0000-000000000502'), now(),
    'an UPDATE of stores sets updated_at to now()'
);
SELECT is(
    (SELECT updated_at FROM cocopay.token_balances
     WHERE id = '00000000-0000-0000-0000-000000000503'), now(),
    'an UPDATE of token_balances sets updated_at to now()'
);
SELECT is(
    (SELECT updated_at FROM cocopay.feature_flags
     WHERE id = '00000000-0000-0000-0000-000000000504'), now(),
    'an UPDATE of feature_flags sets updated_at to now()'
);
UPDATE cocopay.users SET updated_at = '2021-01-01Z'
WHERE id = '00000000-0000-0000-0000-000000000501';
SELECT is(
    (SELECT updated_at FROM cocopay.users
     WHERE id = '00000000-0000-0000-0000-000000000501'), now(),
    'updated_at cannot be set by hand on UPDATE: the trigger wins'
);

-- generate_confirmation_code(): 6 characters of the 32-character alphabet, over many draws
CREATE TEMP TABLE draws ON COMMIT DROP AS
SELECT cocopay.generate_confirmation_code() AS code FROM generate_series(1, 5000);

SELECT is(
    (SELECT count(*)::int FROM draws
     WHERE code ~ '^[A-HJ-NP-Z2-9]{6}$'), 5000,
    '5000 draws are all 6 characters from A-Z and 2-9 without I, O, 0, 1'
);
SELECT is(
    (SELECT string_agg(ch, '' ORDER BY ch COLLATE "C")
     FROM (SELECT DISTINCT regexp_split_to_table(code, '') AS ch FROM draws) AS chars),
    '23456789ABCDEFGHJKLMNPQRSTUVWXYZ',
    'the draws use every one of the 32 characters, and no other'
);
SELECT cmp_ok(
    (SELECT count(DISTINCT code)::int FROM draws), '>', 4900,
    'draws are random: nearly all of 5000 codes differ'
);
SELECT isnt(
    cocopay.generate_confirmation_code(), cocopay.generate_confirmation_code(),
    'generate_confirmation_code is volatile: two calls in one statement differ (almost surely)'
);

-- ... as the default of transactions.confirmation_code
INSERT INTO cocopay.transactions (id, store_id, type, amount_usd, chain_id)
VALUES ('00000000-0000-0000-0000-000000000505', '00000000-0000-0000-0000-000000000502', 'payment', 1, '8453');
SELECT matches(
    (SELECT confirmation_code::text FROM cocopay.transactions
     WHERE id = '00000000-0000-0000-0000-000000000505'),
    '^[A-HJ-NP-Z2-9]{6}$',
    'a new transaction gets a generated confirmation code'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, confirmation_code)
      VALUES ('00000000-0000-0000-0000-000000000502', 'payment', 1, '8453', 'A7B3C9'),
             ('00000000-0000-0000-0000-000000000502', 'payment', 2, '8453', 'A7B3C9')$$,
    'confirmation codes are not unique (looked up with the store): the same code twice is allowed'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, confirmation_code)
      VALUES ('00000000-0000-0000-0000-000000000502', 'payment', 1, '8453', NULL)$$,
    'confirmation_code may be NULL (the seed leaves it nullable)'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, confirmation_code)
      VALUES ('00000000-0000-0000-0000-000000000502', 'payment', 1, '8453', 'A1B3C9')$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_confirmation_code_check"',
    'a code with 1 is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, confirmation_code)
      VALUES ('00000000-0000-0000-0000-000000000502', 'payment', 1, '8453', 'AOB3C9')$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_confirmation_code_check"',
    'a code with O is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, confirmation_code)
      VALUES ('00000000-0000-0000-0000-000000000502', 'payment', 1, '8453', 'AIB3C9')$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_confirmation_code_check"',
    'a code with I is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, confirmation_code)
      VALUES ('00000000-0000-0000-0000-000000000502', 'payment', 1, '8453', 'A0B3C9')$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_confirmation_code_check"',
    'a code with 0 is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, confirmation_code)
      VALUES ('00000000-0000-0000-0000-000000000502', 'payment', 1, '8453', 'a7b3c9')$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_confirmation_code_check"',
    'a lowercase code is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, confirmation_code)
      VALUES ('00000000-0000-0000-0000-000000000502', 'payment', 1, '8453', 'A7B3C')$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_confirmation_code_check"',
    'a 5-character code is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, confirmation_code)
      VALUES ('00000000-0000-0000-0000-000000000502', 'payment', 1, '8453', 'A7B3C9D')$$,
    '22001', 'value too long for type character varying(6)',
    'a 7-character code does not fit varchar(6)'
);

-- The nearby-stores query uses idx_stores_location through cocopay.ll_to_earth
INSERT INTO cocopay.stores (name, symbol, latitude, longitude)
SELECT
    'Loja ' || i AS name,
    'L' || i AS symbol,
    -23.5 + i / 1000.0 AS latitude,
    -46.6 + i / 1000.0 AS longitude
FROM generate_series(1, 200) AS i;
ANALYZE cocopay.stores;
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS SETOF text LANGUAGE plpgsql AS $fn$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || query;
END
$fn$;
SET LOCAL enable_seqscan = off;
SET LOCAL search_path = public, extensions;
SELECT ok(
    (SELECT bool_or(line LIKE '%idx_stores_location%') FROM pg_temp.plan_of(
        $$SELECT id FROM cocopay.stores
          WHERE latitude IS NOT NULL
            AND cocopay.ll_to_earth(latitude, longitude) <@ earth_box(cocopay.ll_to_earth(-23.5, -46.6), 5000)$$
    ) AS plan (line)),
    'a nearby-stores query (earth_box around cocopay.ll_to_earth) uses idx_stores_location'
);
SELECT is(
    (SELECT count(*)::int FROM cocopay.stores
     WHERE latitude IS NOT NULL
       AND cocopay.ll_to_earth(latitude, longitude) <@ earth_box(cocopay.ll_to_earth(-23.5, -46.6), 5000)
       AND earth_distance(cocopay.ll_to_earth(latitude, longitude), cocopay.ll_to_earth(-23.5, -46.6)) < 5000),
    (SELECT count(*)::int FROM cocopay.stores
     WHERE latitude IS NOT NULL
       AND earth_distance(ll_to_earth(latitude, longitude), ll_to_earth(-23.5, -46.6)) < 5000),
    'the indexed nearby query finds the same stores as a full scan with earthdistance'
);
RESET search_path;
RESET enable_seqscan;

SELECT * FROM finish();
ROLLBACK;
