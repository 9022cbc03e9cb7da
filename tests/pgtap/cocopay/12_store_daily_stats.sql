-- cocopay: store_daily_stats (the seed's materialized view, a table refreshed incrementally since
-- 0031) and its refresh function.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(20);

SELECT has_index(
    'cocopay', 'store_daily_stats', 'idx_store_daily_stats', ARRAY['store_id', 'date'],
    'store_daily_stats has idx_store_daily_stats on (store_id, date)'
);
SELECT index_is_unique(
    'cocopay', 'store_daily_stats', 'idx_store_daily_stats', 'idx_store_daily_stats is unique (the refresh upserts on it)'
);
SELECT cocopay.refresh_store_daily_stats();
SELECT is_empty(
    $$SELECT l.mode FROM pg_locks AS l
      WHERE l.pid = pg_backend_pid() AND l.relation = 'cocopay.store_daily_stats'::regclass
        AND l.mode NOT IN ('AccessShareLock', 'RowShareLock', 'RowExclusiveLock')$$,
    'refresh_store_daily_stats takes no lock on store_daily_stats that blocks readers'
);

INSERT INTO cocopay.users (id, phone) VALUES
('00000000-0000-0000-0000-000000001201', '+5511900001201'),
('00000000-0000-0000-0000-000000001202', '+5511900001202'),
('00000000-0000-0000-0000-000000001203', '+5511900001203');
INSERT INTO cocopay.stores (id, name, symbol) VALUES
('00000000-0000-0000-0000-000000001211', 'A', 'A'),
('00000000-0000-0000-0000-000000001212', 'B', 'B');

-- What counts: confirmed payments to a store. Everything else must be left out.
INSERT INTO cocopay.transactions (from_user_id, store_id, type, status, amount_usd, chain_id, created_at, confirmed_at)
VALUES
-- store A, 2024-03-01 (UTC): three confirmed payments by two customers
('00000000-0000-0000-0000-000000001201', '00000000-0000-0000-0000-000000001211', 'payment', 'confirmed', 10, '8453',
 '2024-03-01 09:00Z', '2024-03-01 09:00Z'),
('00000000-0000-0000-0000-000000001201', '00000000-0000-0000-0000-000000001211', 'payment', 'confirmed', 20, '8453',
 '2024-03-01 12:00Z', '2024-03-01 12:00Z'),
('00000000-0000-0000-0000-000000001202', '00000000-0000-0000-0000-000000001211', 'payment', 'confirmed', 30, '8453',
 '2024-03-01 23:30Z', '2024-03-01 23:30Z'),
-- store A, 2024-03-02 00:30 UTC (still 2024-03-01 in Sao Paulo): one payment
('00000000-0000-0000-0000-000000001203', '00000000-0000-0000-0000-000000001211', 'payment', 'confirmed', 5, '10',
 '2024-03-02 00:30Z', '2024-03-02 00:30Z'),
-- store B, 2024-03-01: one payment
('00000000-0000-0000-0000-000000001203', '00000000-0000-0000-0000-000000001212', 'payment', 'confirmed', 7.5, '8453',
 '2024-03-01 10:00Z', '2024-03-01 10:00Z'),
-- left out: pending, failed, not a payment
('00000000-0000-0000-0000-000000001201', '00000000-0000-0000-0000-000000001211', 'payment', 'pending', 100, '8453',
 '2024-03-01 10:00Z', NULL),
('00000000-0000-0000-0000-000000001201', '00000000-0000-0000-0000-000000001211', 'payment', 'failed', 100, '8453',
 '2024-03-01 10:00Z', NULL),
('00000000-0000-0000-0000-000000001201', '00000000-0000-0000-0000-000000001211', 'bonus_claim', 'confirmed', 100,
 '8453', '2024-03-01 10:00Z', '2024-03-01 10:00Z');
-- left out: a payment without a store
INSERT INTO cocopay.transactions (from_user_id, to_user_id, type, status, amount_usd, chain_id, created_at, confirmed_at)
VALUES ('00000000-0000-0000-0000-000000001201', '00000000-0000-0000-0000-000000001202', 'payment', 'confirmed', 100,
        '8453', '2024-03-01 10:00Z', '2024-03-01 10:00Z');

SELECT is_empty(
    $$SELECT * FROM cocopay.store_daily_stats
      WHERE store_id IN ('00000000-0000-0000-0000-000000001211', '00000000-0000-0000-0000-000000001212')$$,
    'the view is a snapshot: new transactions do not show before a refresh'
);

-- The refresh runs in UTC whatever the caller's time zone
SET LOCAL timezone = 'America/Sao_Paulo';
SELECT lives_ok($$SELECT cocopay.refresh_store_daily_stats()$$, 'refresh_store_daily_stats() runs in a transaction');
SELECT is(current_setting('TimeZone'), 'America/Sao_Paulo', 'the caller''s time zone is restored after the refresh');
RESET timezone;

SELECT results_eq(
    $$SELECT store_id, date, transaction_count, revenue_usd, unique_customers, round(avg_transaction_usd, 6)
      FROM cocopay.store_daily_stats
      WHERE store_id IN ('00000000-0000-0000-0000-000000001211', '00000000-0000-0000-0000-000000001212')
      ORDER BY store_id, date$$,
    $$VALUES
        ('00000000-0000-0000-0000-000000001211'::uuid, '2024-03-01'::date, 3::bigint, 60::numeric, 2::bigint, 20::numeric),
        ('00000000-0000-0000-0000-000000001211'::uuid, '2024-03-02'::date, 1::bigint, 5::numeric, 1::bigint, 5::numeric),
        ('00000000-0000-0000-0000-000000001212'::uuid, '2024-03-01'::date, 1::bigint, 7.5::numeric, 1::bigint, 7.5::numeric)$$,
    'stats count confirmed payments per store and UTC day (count, revenue, customers, average)'
);

-- The seed's query (the materialized view's definition), evaluated when read
CREATE TEMP VIEW seed_stats AS
SELECT
    store_id,
    date(created_at) AS date,
    count(*) AS transaction_count,
    sum(amount_usd) AS revenue_usd,
    count(DISTINCT from_user_id) AS unique_customers,
    avg(amount_usd) AS avg_transaction_usd
FROM cocopay.transactions
WHERE type = 'payment' AND status = 'confirmed' AND store_id IS NOT NULL
GROUP BY store_id, date(created_at);

SET LOCAL timezone = 'UTC';
SELECT set_eq(
    $$SELECT * FROM cocopay.store_daily_stats$$,
    'SELECT * FROM pg_temp.seed_stats',
    'after a refresh the view equals the live aggregate (the seed''s query, in UTC)'
);
RESET timezone;

-- A transaction confirmed later shows after the next refresh
UPDATE cocopay.transactions SET status = 'confirmed', confirmed_at = '2024-03-01 11:00Z'
WHERE store_id = '00000000-0000-0000-0000-000000001211' AND status = 'pending';
SELECT is(
    (SELECT transaction_count FROM cocopay.store_daily_stats
     WHERE store_id = '00000000-0000-0000-0000-000000001211' AND date = '2024-03-01'),
    3::bigint, 'before the next refresh the confirmation is not counted'
);

-- The application refreshes through the SECURITY DEFINER function, never directly
SET LOCAL ROLE chaindb_app;
SELECT lives_ok($$SELECT cocopay.refresh_store_daily_stats()$$, 'chaindb_app can call refresh_store_daily_stats()');
SELECT throws_ok(
    $$INSERT INTO cocopay.store_daily_stats VALUES ('00000000-0000-0000-0000-000000001211', '2024-03-05', 1, 1, 1, 1)$$,
    '42501', 'permission denied for table store_daily_stats',
    'chaindb_app cannot write the stats directly'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.store_daily_stats_changes (store_id, date) VALUES ('00000000-0000-0000-0000-000000001211', '2024-03-05')$$,
    '42501', 'permission denied for table store_daily_stats_changes',
    'chaindb_app cannot write the change queue directly'
);
SELECT is(
    (SELECT (transaction_count, revenue_usd) FROM cocopay.store_daily_stats
     WHERE store_id = '00000000-0000-0000-0000-000000001211' AND date = '2024-03-01'),
    (4::bigint, 160::numeric), 'after the app''s refresh the confirmed payment is counted'
);
RESET ROLE;

-- Incremental: a refresh consumes the queue and rewrites only the changed store-days
SELECT is_empty($$SELECT * FROM cocopay.store_daily_stats_changes$$, 'a refresh consumes the change queue');
CREATE TEMP TABLE before_refresh AS
SELECT
    s.store_id,
    s.date,
    s.xmin::text AS version
FROM cocopay.store_daily_stats AS s;
INSERT INTO cocopay.transactions (from_user_id, store_id, type, status, amount_usd, chain_id, created_at)
VALUES ('00000000-0000-0000-0000-000000001203', '00000000-0000-0000-0000-000000001211', 'payment', 'pending', 12,
        '8453', '2024-03-01 15:00Z');
SELECT is_empty($$SELECT * FROM cocopay.store_daily_stats_changes$$, 'a pending payment queues nothing');
UPDATE cocopay.transactions SET status = 'confirmed', confirmed_at = '2024-03-03 08:00Z'
WHERE store_id = '00000000-0000-0000-0000-000000001211' AND status = 'pending';
SELECT results_eq(
    $$SELECT store_id, date FROM cocopay.store_daily_stats_changes$$,
    $$VALUES ('00000000-0000-0000-0000-000000001211'::uuid, '2024-03-01'::date)$$,
    'confirming a payment queues its store and UTC day (of created_at)'
);
SELECT cocopay.refresh_store_daily_stats();
SELECT results_eq(
    $$SELECT b.store_id, b.date FROM before_refresh AS b
      INNER JOIN cocopay.store_daily_stats AS s ON s.store_id = b.store_id AND s.date = b.date
      WHERE s.xmin::text <> b.version$$,
    $$VALUES ('00000000-0000-0000-0000-000000001211'::uuid, '2024-03-01'::date)$$,
    'the refresh rewrote the changed store-day only'
);
-- A confirmed payment deleted (by the owner; the app cannot): its day shrinks or disappears
DELETE FROM cocopay.transactions
WHERE store_id = '00000000-0000-0000-0000-000000001212';
SELECT cocopay.refresh_store_daily_stats();
SET LOCAL timezone = 'UTC';
SELECT set_eq(
    $$SELECT * FROM cocopay.store_daily_stats$$,
    'SELECT * FROM pg_temp.seed_stats',
    'after updates, deletes and incremental refreshes the stats still equal the seed''s query'
);
RESET timezone;
SELECT is_empty(
    $$SELECT * FROM cocopay.store_daily_stats WHERE store_id = '00000000-0000-0000-0000-000000001212'$$,
    'a store-day whose payments are all gone disappears'
);
TRUNCATE cocopay.transactions CASCADE;
SELECT cocopay.refresh_store_daily_stats();
SELECT is_empty($$SELECT * FROM cocopay.store_daily_stats$$, 'after TRUNCATE transactions the next refresh empties the stats');

SELECT * FROM finish();
ROLLBACK;
