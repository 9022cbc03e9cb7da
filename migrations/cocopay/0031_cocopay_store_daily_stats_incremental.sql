-- depends: 0030_cocopay_payouts_open_list_index
-- store_daily_stats: the same stats, refreshed incrementally (issue 14).
--
-- The seed's materialized view was refreshed with REFRESH MATERIALIZED VIEW CONCURRENTLY,
-- which recomputes every store and day from every transaction and then diffs the whole view:
-- about 1.2 s at 10^6 transactions on two cores, growing with the table (and the diff alone
-- costs ~0.5 s per 70,000 store-days, whatever changed). Decided here: store_daily_stats becomes
-- a table with the view's name, columns, types and unique index, and
-- cocopay.refresh_store_daily_stats() recomputes only the (store, day) pairs whose transactions
-- changed since the last refresh, each with the seed's aggregates over that store and UTC day.
--
-- Kept: what readers see (after a refresh: exactly the seed's query in UTC, tested; between
-- refreshes: the last refresh's snapshot), the refresh function and its callers, SELECT-only
-- access for chaindb_app and chaindb_readonly, readers never blocked (a refresh is a few row
-- writes, under MVCC). Changed: the object is a table, not a materialized view; a refresh costs
-- O(changed store-days) instead of O(transactions); the row triggers below append one queue row
-- per confirmed payment (a row in cocopay.store_daily_stats_changes, no index, no lock taken
-- on other rows), which the next refresh consumes.
-- Rollback restores the materialized view (0021), its refresh function and its grants (0022).

CREATE TABLE cocopay.store_daily_stats_changes (
    id bigint GENERATED ALWAYS AS IDENTITY,
    store_id uuid NOT NULL,
    date date NOT NULL,
    CONSTRAINT store_daily_stats_changes_pkey PRIMARY KEY (id)
);

COMMENT ON TABLE cocopay.store_daily_stats_changes IS
'Queue of (store, UTC day) pairs whose confirmed payments changed since the last refresh of store_daily_stats; '
'appended by triggers on transactions (duplicates allowed, no index: no writer waits on another), '
'consumed by refresh_store_daily_stats().';

GRANT SELECT ON TABLE cocopay.store_daily_stats_changes TO chaindb_readonly;

-- Its readers keep reading the table created under the same name below, in this transaction.
-- squawk-ignore ban-drop-view
DROP MATERIALIZED VIEW cocopay.store_daily_stats;

CREATE TABLE cocopay.store_daily_stats (
    store_id uuid NOT NULL,
    date date NOT NULL,
    transaction_count bigint NOT NULL,
    revenue_usd numeric NOT NULL,
    unique_customers bigint NOT NULL,
    avg_transaction_usd numeric NOT NULL,
    -- the seed's unique index idx_store_daily_stats, now the table's primary key (same name)
    CONSTRAINT idx_store_daily_stats PRIMARY KEY (store_id, date),
    CONSTRAINT store_daily_stats_revenue_usd_finite_check CHECK (common.is_finite(revenue_usd)),
    CONSTRAINT store_daily_stats_avg_transaction_usd_finite_check CHECK (common.is_finite(avg_transaction_usd))
);

COMMENT ON TABLE cocopay.store_daily_stats IS
'Daily stats per store over confirmed payments (the seed''s materialized view, kept as a table): as of the '
'last cocopay.refresh_store_daily_stats(), which recomputes only the changed (store, UTC day) pairs.';

COMMENT ON COLUMN cocopay.store_daily_stats.date IS 'The UTC day.';

COMMENT ON COLUMN cocopay.store_daily_stats.unique_customers IS 'Distinct paying users (from_user_id) that day.';

COMMENT ON CONSTRAINT store_daily_stats_revenue_usd_finite_check ON cocopay.store_daily_stats IS
'Revenue is a finite number: not NaN, not +/-Infinity (common.is_finite).';

COMMENT ON CONSTRAINT store_daily_stats_avg_transaction_usd_finite_check ON cocopay.store_daily_stats IS
'The average is a finite number: not NaN, not +/-Infinity (common.is_finite).';

COMMENT ON INDEX cocopay.idx_store_daily_stats IS
'One row per store and day (the seed''s unique index, kept): the key the refresh upserts on.';

INSERT INTO cocopay.store_daily_stats (
    store_id, date, transaction_count, revenue_usd, unique_customers, avg_transaction_usd
)
SELECT
    t.store_id,
    date(t.created_at AT TIME ZONE 'UTC') AS date,
    count(*) AS transaction_count,
    sum(t.amount_usd) AS revenue_usd,
    count(DISTINCT t.from_user_id) AS unique_customers,
    avg(t.amount_usd) AS avg_transaction_usd
FROM cocopay.transactions AS t
WHERE
    t.type = 'payment'
    AND t.status = 'confirmed'
    AND t.store_id IS NOT NULL
GROUP BY t.store_id, date(t.created_at AT TIME ZONE 'UTC');

GRANT SELECT ON TABLE cocopay.store_daily_stats TO chaindb_app, chaindb_readonly;

CREATE FUNCTION cocopay.tg_transactions__store_daily_stats_changes()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO cocopay.store_daily_stats_changes (store_id, date)
        SELECT s.store_id, s.date FROM cocopay.store_daily_stats AS s;
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.type = 'payment' AND OLD.status = 'confirmed' AND OLD.store_id IS NOT NULL THEN
        INSERT INTO cocopay.store_daily_stats_changes (store_id, date)
        VALUES (OLD.store_id, date(OLD.created_at AT TIME ZONE 'UTC'));
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.type = 'payment' AND NEW.status = 'confirmed' AND NEW.store_id IS NOT NULL
        AND (TG_OP = 'INSERT' OR (NEW.store_id, NEW.created_at) IS DISTINCT FROM (OLD.store_id, OLD.created_at)
            OR NOT (OLD.type = 'payment' AND OLD.status = 'confirmed' AND OLD.store_id IS NOT NULL)) THEN
        INSERT INTO cocopay.store_daily_stats_changes (store_id, date)
        VALUES (NEW.store_id, date(NEW.created_at AT TIME ZONE 'UTC'));
    END IF;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION cocopay.tg_transactions__store_daily_stats_changes() IS
'AFTER trigger on transactions: queues the (store, UTC day) of a confirmed payment that appears, changes or '
'goes (old and new row), or every day in store_daily_stats on TRUNCATE. SECURITY DEFINER: whoever writes '
'transactions, only the owner writes the queue.';

CREATE TRIGGER transactions_store_daily_stats_insert
AFTER INSERT ON cocopay.transactions
FOR EACH ROW
WHEN (new.type = 'payment' AND new.status = 'confirmed' AND new.store_id IS NOT NULL)
EXECUTE FUNCTION cocopay.tg_transactions__store_daily_stats_changes();

CREATE TRIGGER transactions_store_daily_stats_update
AFTER UPDATE ON cocopay.transactions
FOR EACH ROW
WHEN (
    (old.type = 'payment' AND old.status = 'confirmed' AND old.store_id IS NOT NULL)
    OR (new.type = 'payment' AND new.status = 'confirmed' AND new.store_id IS NOT NULL)
)
EXECUTE FUNCTION cocopay.tg_transactions__store_daily_stats_changes();

CREATE TRIGGER transactions_store_daily_stats_delete
AFTER DELETE ON cocopay.transactions
FOR EACH ROW
WHEN (old.type = 'payment' AND old.status = 'confirmed' AND old.store_id IS NOT NULL)
EXECUTE FUNCTION cocopay.tg_transactions__store_daily_stats_changes();

CREATE TRIGGER transactions_store_daily_stats_truncate
AFTER TRUNCATE ON cocopay.transactions
FOR EACH STATEMENT
EXECUTE FUNCTION cocopay.tg_transactions__store_daily_stats_changes();

COMMENT ON TRIGGER transactions_store_daily_stats_insert ON cocopay.transactions IS
'A confirmed payment inserted as such: its store and UTC day are queued for the next stats refresh.';

COMMENT ON TRIGGER transactions_store_daily_stats_update ON cocopay.transactions IS
'A payment confirmed (or a confirmed payment changed): its store and UTC day are queued for the next refresh.';

COMMENT ON TRIGGER transactions_store_daily_stats_delete ON cocopay.transactions IS
'A confirmed payment deleted: its store and UTC day are queued for the next stats refresh.';

COMMENT ON TRIGGER transactions_store_daily_stats_truncate ON cocopay.transactions IS
'transactions truncated: every day in store_daily_stats is queued (the next refresh empties them).';

CREATE OR REPLACE FUNCTION cocopay.refresh_store_daily_stats()
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET timezone = 'UTC'
AS $fn$
BEGIN
    -- One refresh at a time (the lock conflicts with itself only: the triggers' appends and the
    -- readers of store_daily_stats go on). Everything below reads one snapshot: the queue rows it
    -- consumes are those of transactions it sees; later ones stay for the next refresh.
    LOCK TABLE cocopay.store_daily_stats_changes IN SHARE UPDATE EXCLUSIVE MODE;
    WITH claimed AS (
        DELETE FROM cocopay.store_daily_stats_changes
        RETURNING store_id, date
    ),

    changed AS (
        SELECT DISTINCT c.store_id, c.date FROM claimed AS c
    ),

    -- the seed's aggregates, per changed store and UTC day (TimeZone is UTC here); no row: none left
    fresh AS (
        SELECT c.store_id, c.date, s.transaction_count, s.revenue_usd, s.unique_customers, s.avg_transaction_usd
        FROM changed AS c
        LEFT JOIN LATERAL (
            SELECT
                count(*) AS transaction_count,
                sum(t.amount_usd) AS revenue_usd,
                count(DISTINCT t.from_user_id) AS unique_customers,
                avg(t.amount_usd) AS avg_transaction_usd
            FROM cocopay.transactions AS t
            WHERE
                t.store_id = c.store_id
                AND t.created_at >= c.date::timestamptz
                AND t.created_at < (c.date + 1)::timestamptz
                AND t.type = 'payment'
                AND t.status = 'confirmed'
            HAVING count(*) > 0
        ) AS s ON true
    ),

    emptied AS (
        DELETE FROM cocopay.store_daily_stats AS d
        USING fresh AS f
        WHERE d.store_id = f.store_id AND d.date = f.date AND f.transaction_count IS NULL
    )

    INSERT INTO cocopay.store_daily_stats AS d (
        store_id, date, transaction_count, revenue_usd, unique_customers, avg_transaction_usd
    )
    SELECT f.store_id, f.date, f.transaction_count, f.revenue_usd, f.unique_customers, f.avg_transaction_usd
    FROM fresh AS f
    WHERE f.transaction_count IS NOT NULL
    ON CONFLICT (store_id, date) DO UPDATE SET
        transaction_count = excluded.transaction_count,
        revenue_usd = excluded.revenue_usd,
        unique_customers = excluded.unique_customers,
        avg_transaction_usd = excluded.avg_transaction_usd
    WHERE (d.transaction_count, d.revenue_usd, d.unique_customers, d.avg_transaction_usd)
    IS DISTINCT FROM (excluded.transaction_count, excluded.revenue_usd, excluded.unique_customers,
        excluded.avg_transaction_usd);
END
$fn$;

COMMENT ON FUNCTION cocopay.refresh_store_daily_stats() IS
'Brings cocopay.store_daily_stats up to date: recomputes the (store, UTC day) pairs queued by the triggers on '
'transactions since the last refresh, with the seed''s aggregates, in one snapshot; O(changed days). Readers '
'are never blocked. SECURITY DEFINER (the app may only read the stats), TimeZone pinned to UTC. Called daily '
'by the application''s cron job, or more often: a refresh with nothing queued costs nothing.';
