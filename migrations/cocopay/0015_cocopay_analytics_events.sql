-- depends: 0014_cocopay_payouts
-- cocopay.analytics_events, verbatim from the seed. Append-only: chaindb_app may only
-- INSERT and SELECT (0022_cocopay_grants). The seed's "Partition by month" note is not
-- applied: partitioning would change the primary key to (id, created_at), which the seed
-- fixes as id alone. session_id has no FK on purpose: events outlive their sessions.
-- The FK user_id -> users is served by the partial idx_analytics_events_user (a lookup
-- by user_id = $1 implies user_id IS NOT NULL).

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
    created_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT analytics_events_pkey PRIMARY KEY (id),
    CONSTRAINT analytics_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES cocopay.users (id),
    CONSTRAINT analytics_events_event_name_check CHECK (event_name <> ''),
    CONSTRAINT analytics_events_properties_check CHECK (jsonb_typeof(properties) = 'object')
);

CREATE INDEX idx_analytics_events_name ON cocopay.analytics_events (event_name);

CREATE INDEX idx_analytics_events_user ON cocopay.analytics_events (user_id) WHERE user_id IS NOT NULL;

CREATE INDEX idx_analytics_events_created ON cocopay.analytics_events (created_at DESC);

COMMENT ON TABLE cocopay.analytics_events IS 'Raw analytics events; append-only for the application.';

COMMENT ON COLUMN cocopay.analytics_events.properties IS 'Event properties, a JSON object.';

COMMENT ON COLUMN cocopay.analytics_events.session_id IS 'The sessions.id in use, if any; not a FK (events outlive sessions).';

COMMENT ON COLUMN cocopay.analytics_events.device_id IS 'Client device identifier (also for anonymous events).';

COMMENT ON CONSTRAINT analytics_events_event_name_check ON cocopay.analytics_events IS 'An event has a name.';

COMMENT ON CONSTRAINT analytics_events_properties_check ON cocopay.analytics_events IS
'properties is a JSON object.';
