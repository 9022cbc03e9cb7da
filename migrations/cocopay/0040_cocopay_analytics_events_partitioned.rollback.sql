-- Undoes 0040 exactly: the unpartitioned cocopay.analytics_events as 0015-0035 left it, with every
-- row (a row whose id is not unique, which PRIMARY KEY (id, created_at) allowed and only the owner
-- could write, makes this rollback fail rather than lose it).

CALL common.drop_monthly_partitions('cocopay.analytics_events');

CALL common.drop_append_only('cocopay.analytics_events');

ALTER TABLE cocopay.analytics_events RENAME TO analytics_events_partitioned;

ALTER INDEX cocopay.analytics_events_pkey RENAME TO analytics_events_partitioned_pkey;

DROP INDEX cocopay.idx_analytics_events_name;

DROP INDEX cocopay.idx_analytics_events_user;

DROP INDEX cocopay.idx_analytics_events_created;

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

    CONSTRAINT analytics_events_pkey PRIMARY KEY (id),
    CONSTRAINT analytics_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES cocopay.users (id),
    CONSTRAINT analytics_events_event_name_check CHECK (event_name <> ''),
    CONSTRAINT analytics_events_properties_check CHECK (jsonb_typeof(properties) = 'object')
);

CREATE INDEX idx_analytics_events_name ON cocopay.analytics_events (event_name);

CREATE INDEX idx_analytics_events_user ON cocopay.analytics_events (user_id) WHERE user_id IS NOT NULL;

CREATE INDEX idx_analytics_events_created ON cocopay.analytics_events (created_at DESC);

CREATE INDEX analytics_events_user_id_created_at_id_idx ON cocopay.analytics_events (user_id, created_at DESC, id)
WHERE user_id IS NOT NULL;

COMMENT ON TABLE cocopay.analytics_events IS 'Raw analytics events; append-only for the application.';

COMMENT ON COLUMN cocopay.analytics_events.properties IS 'Event properties, a JSON object.';

COMMENT ON COLUMN cocopay.analytics_events.session_id IS 'The sessions.id in use, if any; not a FK (events outlive sessions).';

COMMENT ON COLUMN cocopay.analytics_events.device_id IS 'Client device identifier (also for anonymous events).';

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

INSERT INTO cocopay.analytics_events
SELECT p.* FROM cocopay.analytics_events_partitioned AS p
ORDER BY p.created_at;

DROP TABLE cocopay.analytics_events_partitioned;

CALL common.define_append_only('cocopay.analytics_events');
