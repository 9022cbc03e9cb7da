-- depends: 0016_cocopay_feature_flags
-- cocopay.audit_logs, verbatim from the seed. Append-only: chaindb_app may only INSERT
-- and SELECT (0022_cocopay_grants).

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
    created_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT audit_logs_pkey PRIMARY KEY (id),
    CONSTRAINT audit_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES cocopay.users (id),
    CONSTRAINT audit_logs_action_check CHECK (action <> ''),
    CONSTRAINT audit_logs_resource_check CHECK (resource_id IS NULL OR resource_type IS NOT NULL)
);

CREATE INDEX idx_audit_logs_user ON cocopay.audit_logs (user_id);

CREATE INDEX idx_audit_logs_action ON cocopay.audit_logs (action);

CREATE INDEX idx_audit_logs_resource ON cocopay.audit_logs (resource_type, resource_id);

CREATE INDEX idx_audit_logs_created ON cocopay.audit_logs (created_at DESC);

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
