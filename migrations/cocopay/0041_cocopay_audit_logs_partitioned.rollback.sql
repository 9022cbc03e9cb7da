-- Undoes 0041 exactly: the unpartitioned cocopay.audit_logs as 0017-0035 left it, with every row
-- (a row whose id is not unique, which PRIMARY KEY (id, created_at) allowed and only the owner could
-- write, makes this rollback fail rather than lose it).

CALL common.drop_monthly_partitions('cocopay.audit_logs');

CALL common.drop_append_only('cocopay.audit_logs');

ALTER TABLE cocopay.audit_logs RENAME TO audit_logs_partitioned;

ALTER INDEX cocopay.audit_logs_pkey RENAME TO audit_logs_partitioned_pkey;

DROP INDEX cocopay.idx_audit_logs_user;

DROP INDEX cocopay.idx_audit_logs_action;

DROP INDEX cocopay.idx_audit_logs_resource;

DROP INDEX cocopay.idx_audit_logs_created;

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

    CONSTRAINT audit_logs_pkey PRIMARY KEY (id),
    CONSTRAINT audit_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES cocopay.users (id),
    CONSTRAINT audit_logs_action_check CHECK (action <> ''),
    CONSTRAINT audit_logs_resource_check CHECK (resource_id IS NULL OR resource_type IS NOT NULL)
);

CREATE INDEX idx_audit_logs_user ON cocopay.audit_logs (user_id);

CREATE INDEX idx_audit_logs_action ON cocopay.audit_logs (action);

CREATE INDEX idx_audit_logs_resource ON cocopay.audit_logs (resource_type, resource_id);

CREATE INDEX idx_audit_logs_created ON cocopay.audit_logs (created_at DESC);

CREATE INDEX audit_logs_user_id_created_at_id_idx ON cocopay.audit_logs (user_id, created_at DESC, id);

COMMENT ON TABLE cocopay.audit_logs IS 'Security audit trail; append-only for the application.';

COMMENT ON COLUMN cocopay.audit_logs.user_id IS 'The acting user; NULL for system actions.';

COMMENT ON COLUMN cocopay.audit_logs.action IS 'What happened: ''login'', ''payment'', ''payout'', ...';

COMMENT ON COLUMN cocopay.audit_logs.resource_type IS 'Kind of the resource acted on: ''user'', ''store'', ''transaction'', ...';

COMMENT ON COLUMN cocopay.audit_logs.resource_id IS 'Id of the resource acted on.';

COMMENT ON COLUMN cocopay.audit_logs.old_values IS 'Changed fields before the action.';

COMMENT ON COLUMN cocopay.audit_logs.new_values IS 'Changed fields after the action.';

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

INSERT INTO cocopay.audit_logs
SELECT p.* FROM cocopay.audit_logs_partitioned AS p
ORDER BY p.created_at;

DROP TABLE cocopay.audit_logs_partitioned;

CALL common.define_append_only('cocopay.audit_logs');
