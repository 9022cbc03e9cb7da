-- depends: 0039_cocopay_transactions_immutable_columns 0009_common_partitions
-- cocopay.analytics_events partitioned by month on created_at: the seed's "Partition by month for
-- performance", left out by 0015 (issue 16). The table is rebuilt with its rows: same columns,
-- defaults, checks, foreign key, indexes (names kept), comments and grants; declared append-only
-- again (now on every partition, TRUNCATE included) and monthly (common.define_monthly_partitions):
-- 3 months made ahead, months dropped by `make retention` once all their rows are 13 months old
-- (a year back, and the month before, for year-over-year comparisons).
--
-- The key changes. PostgreSQL requires every unique index of a partitioned table to contain the
-- partition key, so PRIMARY KEY (id) becomes analytics_events_pkey PRIMARY KEY (id, created_at).
-- id stays unique in practice (gen_random_uuid(); chaindb_app may not choose id or created_at,
-- 0035), but no index says so any more: a row is found by (id, created_at), or by id with a scan
-- of every partition's index. No table references analytics_events, and no key of it is an
-- idempotency key (docs/scaling.md: how one would survive partitioning: a small unpartitioned key
-- table written in the same transaction).
--
-- Rows: copied once, each straight into its month (the months from the oldest row's to 3 ahead
-- are made first); a row later than that lands in analytics_events_default, which `make
-- partitions` empties into its month. The copy holds the table's lock for its duration: fine for
-- the sizes of today; for a large live table, attach it as one old partition instead (docs/scaling.md).
--
-- The renames and drops of the old table and its indexes are this rebuild itself, in one transaction
-- (squawk-ignore on each).

CALL common.drop_append_only('cocopay.analytics_events');

-- squawk-ignore renaming-table
ALTER TABLE cocopay.analytics_events RENAME TO analytics_events_unpartitioned;

-- squawk-ignore renaming-object
ALTER INDEX cocopay.analytics_events_pkey RENAME TO analytics_events_unpartitioned_pkey;

-- squawk-ignore require-concurrent-index-deletion
DROP INDEX cocopay.idx_analytics_events_name;

-- squawk-ignore require-concurrent-index-deletion
DROP INDEX cocopay.idx_analytics_events_user;

-- squawk-ignore require-concurrent-index-deletion
DROP INDEX cocopay.idx_analytics_events_created;

-- squawk-ignore require-concurrent-index-deletion
DROP INDEX cocopay.analytics_events_user_id_created_at_id_idx;

CREATE TABLE cocopay.analytics_events (
    id uuid NOT NULL DEFAULT gen_random_uuid(),

    -- Event data
    event_name varchar(100) NOT NULL,
    properties jsonb NOT NULL DEFAULT '{}',

    -- Context
    user_id uuid,
    session_id uuid,
    device_id varchar(255),

    -- Request context
    ip_address inet,
    user_agent text,

    -- Timestamp
    created_at timestamptz NOT NULL DEFAULT common.now(),

    CONSTRAINT analytics_events_pkey PRIMARY KEY (id, created_at),
    CONSTRAINT analytics_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES cocopay.users (id),
    CONSTRAINT analytics_events_event_name_check CHECK (event_name <> ''),
    CONSTRAINT analytics_events_properties_check CHECK (jsonb_typeof(properties) = 'object')
) PARTITION BY RANGE (created_at);

CREATE INDEX idx_analytics_events_name ON cocopay.analytics_events (event_name);

CREATE INDEX idx_analytics_events_user ON cocopay.analytics_events (user_id) WHERE user_id IS NOT NULL;

CREATE INDEX idx_analytics_events_created ON cocopay.analytics_events (created_at DESC);

CREATE INDEX analytics_events_user_id_created_at_id_idx ON cocopay.analytics_events (user_id, created_at DESC, id)
WHERE user_id IS NOT NULL;

COMMENT ON TABLE cocopay.analytics_events IS
'Raw analytics events; append-only for the application. Partitioned by month on created_at '
'(analytics_events_pYYYYMM, analytics_events_default; common.partitioned_tables).';

COMMENT ON COLUMN cocopay.analytics_events.properties IS 'Event properties, a JSON object.';

COMMENT ON COLUMN cocopay.analytics_events.session_id IS 'The sessions.id in use, if any; not a FK (events outlive sessions).';

COMMENT ON COLUMN cocopay.analytics_events.device_id IS 'Client device identifier (also for anonymous events).';

COMMENT ON CONSTRAINT analytics_events_pkey ON cocopay.analytics_events IS
'(id, created_at): a partitioned table''s keys contain its partition key; id alone is unique by its default.';

COMMENT ON CONSTRAINT analytics_events_event_name_check ON cocopay.analytics_events IS 'An event has a name.';

COMMENT ON CONSTRAINT analytics_events_properties_check ON cocopay.analytics_events IS
'properties is a JSON object.';

COMMENT ON CONSTRAINT analytics_events_user_id_fkey ON cocopay.analytics_events IS
'ON DELETE NO ACTION: analytics events are append-only: a user with events is not deleted.';

COMMENT ON INDEX cocopay.analytics_events_user_id_created_at_id_idx IS
'A user''s events newest first (created_at DESC, id): analytics_event_list_by_user reads its N newest rows and stops.';

GRANT SELECT ON TABLE cocopay.analytics_events TO chaindb_app;

GRANT SELECT ON TABLE cocopay.analytics_events TO chaindb_readonly;

GRANT INSERT (event_name, properties, user_id, session_id, device_id, ip_address, user_agent)
ON TABLE cocopay.analytics_events TO chaindb_app;

CALL common.define_append_only('cocopay.analytics_events');

CALL common.define_monthly_partitions('cocopay.analytics_events', 3, interval '13 months');

SELECT count(*) AS months
FROM common.create_partitions(
    'cocopay.analytics_events', (SELECT min(u.created_at) FROM cocopay.analytics_events_unpartitioned AS u)
);

INSERT INTO cocopay.analytics_events
SELECT u.* FROM cocopay.analytics_events_unpartitioned AS u
ORDER BY u.created_at;

-- squawk-ignore ban-drop-table
DROP TABLE cocopay.analytics_events_unpartitioned;
