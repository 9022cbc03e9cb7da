-- game_market: its append-only tables (ledger_entries, download_events) refuse UPDATE, DELETE and TRUNCATE
-- to everyone, their owner included (CD003), each partition of download_events on its own too: PostgreSQL
-- clones row triggers to partitions but not TRUNCATE triggers, which common.compile_append_only puts on
-- each partition, so a partition truncated by name is refused by its own trigger. The triggers (all running
-- common.tg__append_only): ledger_entries_append_only, ledger_entries_append_only_truncate,
-- download_events_append_only (cloned to each partition), download_events_append_only_truncate (on the
-- table, and on each partition: download_events_pYYYYMM, download_events_default).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
\ir ../helpers.psql
\ir fixtures.psql

-- a download (one row in download_events' month partition) and a paid purchase's ledger entries
SELECT pg_temp.gm_paid(pg_temp.gm_store('app'), pg_temp.gm_user('apb'), 'inv-app', 5000) AS paid \gset
SELECT game_market.record_download(e.id, pg_temp.gm_release_of(e.game_id), '10.0.0.1', 'curl/8') AS download
FROM game_market.entitlements AS e
WHERE e.purchase_id = :'paid';

-- every append-only table of game_market and every partition of one: the statements tried on each
CREATE TEMP TABLE target ON COMMIT DROP AS
SELECT
    format('%I.%I', a.schema_name, a.table_name)::regclass AS tbl,
    a.table_name AS rule_table,
    0 AS level
FROM common.append_only_tables AS a
WHERE a.schema_name = 'game_market'
UNION ALL
SELECT
    p.relid::regclass AS tbl,
    a.table_name AS rule_table,
    p.level
FROM common.append_only_tables AS a,
    pg_partition_tree(format('%I.%I', a.schema_name, a.table_name)::regclass) AS p
WHERE a.schema_name = 'game_market' AND p.level > 0;

-- on an append-only table, each of the three; on a partition, TRUNCATE (its own statement trigger: UPDATE and
-- DELETE are refused by the row triggers cloned from the table, tried on the table's rows)
SELECT plan((SELECT sum(CASE WHEN level = 0 THEN 3 ELSE 1 END)::int + 2 FROM target));

SELECT cmp_ok(
    (
        SELECT count(*)::int FROM target
        WHERE level > 0
    ), '>=', 4,
    'download_events has its partitions (the months made ahead and the default)'
);

SELECT is(
    pg_temp.verdict(format('SELECT pg_temp.as_role(%L, %L)', 'chaindb_owner', format(w.statement, t.tbl))),
    format('CD003 %s_append_only', t.rule_table),
    format('the owner cannot %s %s', w.op, t.tbl)
)
FROM target AS t,
    (VALUES (1, 'update', 'UPDATE %s SET created_at = created_at'), (2, 'delete from', 'DELETE FROM %s'),
        (3, 'truncate', 'TRUNCATE %s')) AS w (ord, op, statement)
WHERE t.level = 0 OR w.op = 'truncate'
ORDER BY t.tbl::text, w.ord;

SELECT results_eq(
    $$SELECT (SELECT count(*) FROM game_market.download_events), (SELECT count(*) FROM game_market.ledger_entries)$$,
    $$VALUES (1::bigint, 3::bigint)$$,
    'every row is still there'
);

SELECT * FROM finish();
ROLLBACK;
