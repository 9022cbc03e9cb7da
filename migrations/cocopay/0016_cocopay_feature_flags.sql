-- depends: 0015_cocopay_analytics_events
-- cocopay.feature_flags, verbatim from the seed. The seed keeps updated_at here but
-- forgets its trigger: 0018_cocopay_updated_at_triggers adds one like the others.

CREATE TABLE cocopay.feature_flags (
    id uuid NOT NULL DEFAULT gen_random_uuid(),

    -- Flag data
    name varchar(100) NOT NULL,
    description text,

    -- State
    enabled boolean NOT NULL DEFAULT false,

    -- Targeting
    rules jsonb NOT NULL DEFAULT '[]',

    -- Timestamps
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT feature_flags_pkey PRIMARY KEY (id),
    CONSTRAINT feature_flags_name_key UNIQUE (name),
    CONSTRAINT feature_flags_name_check CHECK (name <> ''),
    CONSTRAINT feature_flags_rules_check CHECK (jsonb_typeof(rules) = 'array')
);

CREATE INDEX idx_feature_flags_name ON cocopay.feature_flags (name);

COMMENT ON TABLE cocopay.feature_flags IS 'Feature flag configuration.';

COMMENT ON COLUMN cocopay.feature_flags.enabled IS 'Global switch; rules narrow who sees an enabled flag.';

COMMENT ON COLUMN cocopay.feature_flags.rules IS
'Targeting rules, a JSON array: [{ type: ''user_id'', values: [...] }, { type: ''percentage'', value: 10 }].';

COMMENT ON CONSTRAINT feature_flags_name_check ON cocopay.feature_flags IS 'A flag has a name.';

COMMENT ON CONSTRAINT feature_flags_rules_check ON cocopay.feature_flags IS 'rules is a JSON array.';

COMMENT ON INDEX cocopay.idx_feature_flags_name IS 'From the seed; duplicates feature_flags_name_key.';
