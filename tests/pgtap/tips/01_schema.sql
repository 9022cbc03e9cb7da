-- tips: the catalog as the migrations build it: tables and their columns (types, NOT NULL,
-- defaults, in order), constraints, indexes, triggers, functions, views, enums.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(32);

SELECT has_schema('tips', 'schema tips exists');
SELECT tables_are(
    'tips', ARRAY['hosts', 'events', 'event_verifications', 'reflect_payouts', 'dynamic_sessions'],
    'tips has its five tables'
);
SELECT views_are('tips', ARRAY['verified_tips'], 'tips has the view verified_tips');
SELECT materialized_views_are('tips', ARRAY['host_metrics'], 'tips has the materialized view host_metrics');
SELECT enum_has_labels('tips', 'verification_status', ARRAY['pending', 'verified', 'failed'],
    'verification_status: the seed''s labels, in order');
SELECT enum_has_labels('tips', 'payout_status', ARRAY['pending', 'queued', 'settled', 'failed', 'cancelled'],
    'payout_status: the seed''s labels, in order');
SELECT enum_has_labels('tips', 'dynamic_session_status', ARRAY['initiated', 'wallet_created', 'failed'],
    'dynamic_session_status: the seed''s labels, in order');

-- Columns: name, type, NOT NULL, default, in order (the seed's columns verbatim, then the added ones).
CREATE FUNCTION pg_temp.columns(p_table text)
RETURNS TABLE (name text, type text, not_null boolean, default_value text)
LANGUAGE sql AS $fn$
    SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
    FROM pg_attribute AS a
    LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = ('tips.' || p_table)::regclass AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum
$fn$;

SELECT results_eq(
    $$SELECT * FROM pg_temp.columns('hosts')$$,
    $$VALUES
        ('id', 'uuid', true, 'gen_random_uuid()'),
        ('wallet', 'character varying(44)', true, NULL),
        ('handle', 'character varying(64)', true, NULL),
        ('created_at', 'timestamp with time zone', true, 'common.now()')$$,
    'hosts: columns, types, NOT NULL and defaults'
);
SELECT results_eq(
    $$SELECT * FROM pg_temp.columns('events')$$,
    $$VALUES
        ('id', 'character varying(72)', true, NULL::text),
        ('host', 'character varying(44)', true, NULL),
        ('signer', 'character varying(44)', true, NULL),
        ('amount', 'bigint', true, NULL),
        ('mint', 'character varying(44)', true, NULL),
        ('signature', 'character varying(88)', true, NULL),
        ('created_at', 'timestamp with time zone', true, 'common.now()')$$,
    'events: id VARCHAR(72) (the seed), signer, host, amount, mint, signature'
);
SELECT results_eq(
    $$SELECT * FROM pg_temp.columns('event_verifications')$$,
    $$VALUES
        ('id', 'uuid', true, 'gen_random_uuid()'),
        ('event_id', 'character varying(72)', true, NULL),
        ('status', 'tips.verification_status', true, '''pending''::tips.verification_status'),
        ('signature', 'character varying(128)', true, NULL),
        ('slot', 'bigint', false, NULL),
        ('helius_response', 'jsonb', true, '''{}''::jsonb'),
        ('error_code', 'character varying(64)', false, NULL),
        ('verified_at', 'timestamp with time zone', false, NULL),
        ('created_at', 'timestamp with time zone', true, 'common.now()'),
        ('attempt_count', 'integer', true, '0'),
        ('claim_token', 'uuid', false, NULL),
        ('available_at', 'timestamp with time zone', true, 'common.now()')$$,
    'event_verifications: the seed''s columns verbatim, then the claim (attempt_count, claim_token, available_at)'
);
SELECT results_eq(
    $$SELECT * FROM pg_temp.columns('reflect_payouts')$$,
    $$VALUES
        ('id', 'uuid', true, 'gen_random_uuid()'),
        ('event_id', 'character varying(72)', true, NULL),
        ('reflect_tip_id', 'character varying(128)', false, NULL),
        ('status', 'tips.payout_status', true, '''pending''::tips.payout_status'),
        ('currency', 'character varying(16)', true, NULL),
        ('amount', 'numeric(18,2)', true, NULL),
        ('attempt_count', 'integer', true, '0'),
        ('last_error', 'text', false, NULL),
        ('updated_at', 'timestamp with time zone', true, 'common.now()'),
        ('created_at', 'timestamp with time zone', true, 'common.now()'),
        ('claim_token', 'uuid', false, NULL),
        ('available_at', 'timestamp with time zone', true, 'common.now()')$$,
    'reflect_payouts: the seed''s columns verbatim, then the claim (claim_token, available_at)'
);
SELECT results_eq(
    $$SELECT * FROM pg_temp.columns('dynamic_sessions')$$,
    $$VALUES
        ('id', 'uuid', true, 'gen_random_uuid()'),
        ('external_id', 'character varying(128)', true, NULL),
        ('user_identifier', 'character varying(128)', false, NULL),
        ('custodial_wallet', 'character varying(128)', false, NULL),
        ('status', 'tips.dynamic_session_status', true, '''initiated''::tips.dynamic_session_status'),
        ('created_at', 'timestamp with time zone', true, 'common.now()'),
        ('updated_at', 'timestamp with time zone', true, 'common.now()'),
        ('failure_reason', 'text', false, NULL)$$,
    'dynamic_sessions: the seed''s columns verbatim, then failure_reason'
);

-- Constraints by name and kind (their rules are tested in the files that follow).
CREATE FUNCTION pg_temp.constraints(p_table text)
RETURNS SETOF text
LANGUAGE sql AS $fn$
    SELECT c.conname::text || ' ' || c.contype::text FROM pg_constraint AS c WHERE c.conrelid = ('tips.' || p_table)::regclass
$fn$;

SELECT set_eq(
    $$SELECT * FROM pg_temp.constraints('hosts')$$,
    ARRAY['hosts_pkey p', 'hosts_wallet_key u', 'hosts_handle_key u', 'hosts_wallet_check c', 'hosts_handle_check c'],
    'hosts: its constraints'
);
SELECT set_eq(
    $$SELECT * FROM pg_temp.constraints('events')$$,
    ARRAY[
        'events_pkey p', 'events_signature_key u', 'events_id_signature_key u', 'events_host_fkey f',
        'events_id_check c', 'events_signer_check c', 'events_signer_host_check c', 'events_amount_check c',
        'events_mint_check c', 'events_signature_check c', 'events_verification_required t'
    ],
    'events: its constraints (and the constraint trigger events_verification_required)'
);
SELECT set_eq(
    $$SELECT * FROM pg_temp.constraints('event_verifications')$$,
    ARRAY[
        'event_verifications_pkey p', 'event_verifications_event_id_key u',
        'event_verifications_event_id_signature_fkey f', 'event_verifications_slot_check c',
        'event_verifications_slot_status_check c', 'event_verifications_verified_at_check c',
        'event_verifications_error_code_check c', 'event_verifications_error_code_format_check c',
        'event_verifications_helius_response_check c', 'event_verifications_helius_response_slot_check c',
        'event_verifications_claim_check c', 'event_verifications_attempt_count_check c'
    ],
    'event_verifications: its constraints'
);
SELECT set_eq(
    $$SELECT * FROM pg_temp.constraints('reflect_payouts')$$,
    ARRAY[
        'reflect_payouts_pkey p', 'reflect_payouts_event_id_key u', 'reflect_payouts_reflect_tip_id_key u',
        'reflect_payouts_event_id_fkey f', 'reflect_payouts_amount_check c', 'reflect_payouts_amount_finite_check c',
        'reflect_payouts_currency_check c', 'reflect_payouts_attempt_count_check c',
        'reflect_payouts_reflect_tip_id_status_check c', 'reflect_payouts_last_error_check c',
        'reflect_payouts_claim_check c'
    ],
    'reflect_payouts: its constraints'
);
SELECT set_eq(
    $$SELECT * FROM pg_temp.constraints('dynamic_sessions')$$,
    ARRAY[
        'dynamic_sessions_pkey p', 'dynamic_sessions_external_id_key u', 'dynamic_sessions_external_id_check c',
        'dynamic_sessions_custodial_wallet_check c', 'dynamic_sessions_wallet_created_check c',
        'dynamic_sessions_failure_reason_check c'
    ],
    'dynamic_sessions: its constraints'
);
SELECT fk_ok('tips', 'events', 'host', 'tips', 'hosts', 'wallet', 'events.host references hosts.wallet');
SELECT fk_ok(
    'tips', 'event_verifications', ARRAY['event_id', 'signature'], 'tips', 'events', ARRAY['id', 'signature'],
    'event_verifications (event_id, signature) references events (id, signature)'
);
SELECT fk_ok('tips', 'reflect_payouts', 'event_id', 'tips', 'events', 'id', 'reflect_payouts.event_id references events.id');
SELECT is(
    (SELECT array_agg(c.conname::text || ' ' || c.confdeltype::text ORDER BY c.conname) FROM pg_constraint AS c
     WHERE c.connamespace = 'tips'::regnamespace AND c.contype = 'f'),
    ARRAY[
        'event_verifications_event_id_signature_fkey r', 'events_host_fkey r', 'reflect_payouts_event_id_fkey r'
    ],
    'every foreign key is ON DELETE RESTRICT: tips, verifications and payouts are history'
);

-- Indexes, with their definitions.
SELECT set_eq(
    $$SELECT indexname::text, regexp_replace(indexdef, '^.* USING ', '') FROM pg_indexes WHERE schemaname = 'tips'$$,
    $$VALUES
        ('hosts_pkey', 'btree (id)'),
        ('hosts_wallet_key', 'btree (wallet)'),
        ('hosts_handle_key', 'btree (handle)'),
        ('events_pkey', 'btree (id)'),
        ('events_signature_key', 'btree (signature)'),
        ('events_id_signature_key', 'btree (id, signature)'),
        ('events_host_created_at_id_idx', 'btree (host, created_at, id)'),
        ('events_signer_idx', 'btree (signer)'),
        ('event_verifications_pkey', 'btree (id)'),
        ('event_verifications_event_id_key', 'btree (event_id) INCLUDE (signature)'),
        ('event_verifications_pending_idx',
            'btree (available_at, id) WHERE (status = ''pending''::tips.verification_status)'),
        ('reflect_payouts_pkey', 'btree (id)'),
        ('reflect_payouts_event_id_key', 'btree (event_id)'),
        ('reflect_payouts_reflect_tip_id_key', 'btree (reflect_tip_id)'),
        ('reflect_payouts_open_idx', 'btree (status, available_at, id) WHERE (status = ANY '
            || '(ARRAY[''pending''::tips.payout_status, ''queued''::tips.payout_status]))'),
        ('dynamic_sessions_pkey', 'btree (id)'),
        ('dynamic_sessions_external_id_key', 'btree (external_id)'),
        ('dynamic_sessions_custodial_wallet_idx', 'btree (custodial_wallet) WHERE (custodial_wallet IS NOT NULL)'),
        ('host_metrics_host_mint_key', 'btree (host, mint)'),
        ('host_metrics_mint_verified_amount_idx', 'btree (mint, verified_amount DESC, host)')$$,
    'tips: every index, with its columns and predicate'
);
SELECT is(
    (SELECT array_agg(i.indexrelid::regclass::text ORDER BY i.indexrelid::regclass::text) FROM pg_index AS i
     WHERE i.indisunique AND i.indrelid IN (SELECT c.oid FROM pg_class AS c
                                            WHERE c.relnamespace = 'tips'::regnamespace)
       AND NOT i.indisprimary),
    ARRAY[
        'tips.dynamic_sessions_external_id_key', 'tips.event_verifications_event_id_key', 'tips.events_id_signature_key',
        'tips.events_signature_key', 'tips.host_metrics_host_mint_key', 'tips.hosts_handle_key', 'tips.hosts_wallet_key',
        'tips.reflect_payouts_event_id_key', 'tips.reflect_payouts_reflect_tip_id_key'
    ],
    'the unique indexes (besides primary keys)'
);

-- Triggers, with the function each runs.
SELECT set_eq(
    $$SELECT t.tgrelid::regclass::text, t.tgname::text, t.tgfoid::regproc::text FROM pg_trigger AS t
      WHERE t.tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'tips'::regnamespace) AND NOT t.tgisinternal$$,
    $$VALUES
        ('tips.hosts', 'hosts_immutable_columns', 'common.tg__forbid_change'),
        ('tips.events', 'events_append_only', 'common.tg__append_only'),
        ('tips.events', 'events_append_only_truncate', 'common.tg__append_only'),
        ('tips.events', 'events_verification_required', 'tips.tg_events__verification_required'),
        ('tips.event_verifications', 'event_verifications_immutable_columns', 'common.tg__forbid_change'),
        ('tips.event_verifications', 'event_verifications_initial_status', 'common.tg__forbid_initial_state'),
        ('tips.event_verifications', 'event_verifications_status_transition', 'common.tg__forbid_transition'),
        ('tips.reflect_payouts', 'reflect_payouts_event_verified', 'tips.tg_reflect_payouts__event_verified'),
        ('tips.reflect_payouts', 'reflect_payouts_immutable_columns', 'common.tg__forbid_change'),
        ('tips.reflect_payouts', 'reflect_payouts_initial_status', 'common.tg__forbid_initial_state'),
        ('tips.reflect_payouts', 'reflect_payouts_status_transition', 'common.tg__forbid_transition'),
        ('tips.reflect_payouts', 'reflect_payouts_updated_at', 'common.tg__set_updated_at'),
        ('tips.dynamic_sessions', 'dynamic_sessions_immutable_columns', 'common.tg__forbid_change'),
        ('tips.dynamic_sessions', 'dynamic_sessions_initial_status', 'common.tg__forbid_initial_state'),
        ('tips.dynamic_sessions', 'dynamic_sessions_status_transition', 'common.tg__forbid_transition'),
        ('tips.dynamic_sessions', 'dynamic_sessions_updated_at', 'common.tg__set_updated_at')$$,
    'tips: every trigger and the function it runs'
);
SELECT is(
    (SELECT (tgdeferrable, tginitdeferred, tgtype::int) FROM pg_trigger
     WHERE tgrelid = 'tips.events'::regclass AND tgname = 'events_verification_required'),
    (true, true, 5),
    'events_verification_required is a deferred AFTER INSERT row trigger (checked at commit)'
);
SELECT is(
    (SELECT array_agg(tgname::text ORDER BY tgname) FROM pg_trigger
     WHERE tgrelid = 'tips.reflect_payouts'::regclass AND tgtype::int & 4 = 4 AND tgtype::int & 2 = 2),
    ARRAY['reflect_payouts_event_verified', 'reflect_payouts_initial_status'],
    'reflect_payouts: the verified check and the initial state run BEFORE INSERT'
);

-- Functions: every one, its volatility, and which are SECURITY DEFINER.
SELECT functions_are(
    'tips',
    ARRAY[
        'tg_events__verification_required', 'ingest_tip', 'check_argument', 'lock_claimed_verification', 'claim_verifications',
        'verify_event', 'fail_verification', 'release_verification', 'tg_reflect_payouts__event_verified',
        'lock_claimed_payout', 'create_payout', 'claim_payouts', 'queue_payout', 'settle_payout', 'fail_payout',
        'cancel_payout', 'release_payout', 'assign_session_wallet', 'fail_dynamic_session', 'refresh_host_metrics'
    ],
    'tips: its functions'
);
SELECT set_eq(
    $$SELECT p.proname::text FROM pg_proc AS p WHERE p.pronamespace = 'tips'::regnamespace AND p.prosecdef$$,
    ARRAY[
        'ingest_tip', 'claim_verifications', 'verify_event', 'fail_verification', 'release_verification',
        'create_payout', 'claim_payouts', 'queue_payout', 'settle_payout', 'fail_payout', 'cancel_payout',
        'release_payout', 'assign_session_wallet', 'fail_dynamic_session', 'refresh_host_metrics'
    ],
    'the functions the app calls are SECURITY DEFINER; trigger functions and the lock helpers are not'
);
SELECT is(
    (SELECT count(*)::int FROM pg_proc AS p
     WHERE p.pronamespace = 'tips'::regnamespace
     AND (p.provolatile <> 'v' OR NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false))),
    0,
    'every tips function is VOLATILE with search_path pinned to pg_catalog, pg_temp'
);
SELECT is(
    (SELECT count(*)::int FROM common.state_machines
     WHERE schema_name = 'tips'),
    3,
    'three declared state machines: event_verifications, reflect_payouts, dynamic_sessions'
);
SELECT set_eq(
    $$SELECT table_name || '.' || column_name || CASE WHEN set_once THEN ' (set once)' ELSE '' END
      FROM common.immutable_columns WHERE schema_name = 'tips'$$,
    ARRAY[
        'hosts.id', 'hosts.wallet', 'hosts.created_at',
        'event_verifications.id', 'event_verifications.event_id', 'event_verifications.signature',
        'event_verifications.created_at', 'event_verifications.slot (set once)',
        'event_verifications.verified_at (set once)', 'event_verifications.error_code (set once)',
        'reflect_payouts.id', 'reflect_payouts.event_id', 'reflect_payouts.currency', 'reflect_payouts.amount',
        'reflect_payouts.created_at', 'reflect_payouts.reflect_tip_id (set once)',
        'dynamic_sessions.id', 'dynamic_sessions.external_id', 'dynamic_sessions.created_at',
        'dynamic_sessions.custodial_wallet (set once)', 'dynamic_sessions.failure_reason (set once)'
    ],
    'the declared immutable columns'
);
SELECT set_eq(
    $$SELECT table_name FROM common.append_only_tables WHERE schema_name = 'tips'$$,
    ARRAY['events'],
    'events is declared append-only'
);

SELECT * FROM finish();
ROLLBACK;
