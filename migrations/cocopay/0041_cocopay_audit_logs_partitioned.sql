-- depends: 0040_cocopay_analytics_events_partitioned
-- cocopay.audit_logs partitioned by month on created_at, like analytics_events in 0040 (issue 16):
-- the same rebuild with its rows, every column, check, foreign key, index (names kept), comment and
-- grant as before; append-only on every partition, TRUNCATE included; 3 months made ahead. No
-- retention (NULL): a security audit trail is kept until a DBA decides otherwise, by declaring one
-- in a migration (CALL common.define_monthly_partitions('cocopay.audit_logs', 3, interval '7 years')).
--
-- The key changes: PRIMARY KEY (id) becomes audit_logs_pkey PRIMARY KEY (id, created_at), as a
-- partitioned table's unique keys must contain the partition key. id stays unique in practice
-- (gen_random_uuid(); chaindb_app may not choose id or created_at, 0035); nothing references
-- audit_logs and it has no idempotency key.
--
-- The renames and drops of the old table and its indexes are this rebuild itself, in one transaction
-- (squawk-ignore on each).

CALL common.drop_append_only('cocopay.audit_logs');

-- squawk-ignore renaming-table
ALTER TABLE cocopay.audit_logs RENAME TO audit_logs_unpartitioned;

-- squawk-ignore renaming-object
ALTER INDEX cocopay.audit_logs_pkey RENAME TO audit_logs_unpartitioned_pkey;

-- squawk-ignore require-concurrent-index-deletion
DROP INDEX cocopay.idx_audit_logs_user;

-- squawk-ignore require-concurrent-index-deletion
DROP INDEX cocopay.idx_audit_logs_action;

-- squawk-ignore require-concurrent-index-deletion
DROP INDEX cocopay.idx_audit_logs_resource;

-- squawk-ignore require-concurrent-index-deletion
DROP INDEX cocopay.idx_audit_logs_created;

-- squawk-ignore require-concurrent-index-deletion
DROP INDEX cocopay.audit_logs_user_id_created_at_id_idx;

CREATE TABLE cocopay.audit_logs (
    id uuid NOT NULL DEFAULT gen_random_uuid(),

    -- Actor
    user_id uuid,
    ip_address inet,
    user_agent text,

    -- Action
    action varchar(100) NOT NULL,
    resource_type varchar(50),
    resource_id uuid,

    -- Data
    old_values jsonb,
    new_values jsonb,
    metadata jsonb,

    -- Timestamp
    created_at timestamptz NOT NULL DEFAULT common.now(),

    CONSTRAINT audit_logs_pkey PRIMARY KEY (id, created_at),
    CONSTRAINT audit_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES cocopay.users (id),
    CONSTRAINT audit_logs_action_check CHECK (action <> ''),
    CONSTRAINT audit_logs_resource_check CHECK (resource_id IS NULL OR resource_type IS NOT NULL)
) PARTITION BY RANGE (created_at);

CREATE INDEX idx_audit_logs_user ON cocopay.audit_logs (user_id);

CREATE INDEX idx_audit_logs_action ON cocopay.audit_logs (action);

CREATE INDEX idx_audit_logs_resource ON cocopay.audit_logs (resource_type, resource_id);

CREATE INDEX idx_audit_logs_created ON cocopay.audit_logs (created_at DESC);

CREATE INDEX audit_logs_user_id_created_at_id_idx ON cocopay.audit_logs (user_id, created_at DESC, id);

COMMENT ON TABLE cocopay.audit_logs IS
'Security audit trail; append-only for the application. Partitioned by month on created_at '
'(audit_logs_pYYYYMM, audit_logs_default; common.partitioned_tables); no retention.';

COMMENT ON COLUMN cocopay.audit_logs.user_id IS 'The acting user; NULL for system actions.';

COMMENT ON COLUMN cocopay.audit_logs.action IS 'What happened: ''login'', ''payment'', ''payout'', ...';

COMMENT ON COLUMN cocopay.audit_logs.resource_type IS 'Kind of the resource acted on: ''user'', ''store'', ''transaction'', ...';

COMMENT ON COLUMN cocopay.audit_logs.resource_id IS 'Id of the resource acted on.';

COMMENT ON COLUMN cocopay.audit_logs.old_values IS 'Changed fields before the action.';

COMMENT ON COLUMN cocopay.audit_logs.new_values IS 'Changed fields after the action.';

COMMENT ON CONSTRAINT audit_logs_pkey ON cocopay.audit_logs IS
'(id, created_at): a partitioned table''s keys contain its partition key; id alone is unique by its default.';

COMMENT ON CONSTRAINT audit_logs_action_check ON cocopay.audit_logs IS 'An audit entry names its action.';

COMMENT ON CONSTRAINT audit_logs_resource_check ON cocopay.audit_logs IS
'A resource id is meaningless without its resource type.';

COMMENT ON CONSTRAINT audit_logs_user_id_fkey ON cocopay.audit_logs IS
'ON DELETE NO ACTION: the audit trail is append-only: a user it names is not deleted.';

COMMENT ON INDEX cocopay.audit_logs_user_id_created_at_id_idx IS
'A user''s audit entries newest first (created_at DESC, id): audit_log_list_by_user reads its N newest rows and stops.';

GRANT SELECT ON TABLE cocopay.audit_logs TO chaindb_app;

GRANT SELECT ON TABLE cocopay.audit_logs TO chaindb_readonly;

GRANT INSERT (user_id, ip_address, user_agent, action, resource_type, resource_id, old_values, new_values, metadata)
ON TABLE cocopay.audit_logs TO chaindb_app;

CALL common.define_append_only('cocopay.audit_logs');

CALL common.define_monthly_partitions('cocopay.audit_logs', 3, NULL);

SELECT count(*) AS months
FROM common.create_partitions('cocopay.audit_logs', (SELECT min(u.created_at) FROM cocopay.audit_logs_unpartitioned AS u));

INSERT INTO cocopay.audit_logs
SELECT u.* FROM cocopay.audit_logs_unpartitioned AS u
ORDER BY u.created_at;

-- squawk-ignore ban-drop-table
DROP TABLE cocopay.audit_logs_unpartitioned;
