-- tips: what never changes, written out as the specification (one line per column) and tried on real
-- rows as the owner would: every fixed column refuses any change, every set-once column refuses a change
-- once set (CD003 <table>_<column>_immutable). Each try is undone (pg_temp.verdict). The declarations
-- (common.immutable_columns) must give exactly this: declaring a column free makes a line fail, and the
-- last test fails when a declared column has no line here.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
\ir ../helpers.psql
\ir fixtures.psql

SELECT pg_temp.tip('im-v');
SELECT pg_temp.decide('im-v', 'verified');
SELECT pg_temp.tip('im-f');
SELECT pg_temp.decide('im-f', 'NOT_FOUND');
SELECT pg_temp.tip('im-other');
SELECT pg_temp.paid('im-p');
SELECT tips.queue_payout(p.id, p.claim_token, 'rfl_im') FROM tips.claim_payouts('pending', 1000, '1 minute') AS p;
INSERT INTO tips.dynamic_sessions (external_id) VALUES ('im-ds-w'), ('im-ds-f');
SELECT tips.assign_session_wallet(id, pg_temp.pubkey('im wallet')) FROM tips.dynamic_sessions
WHERE external_id = 'im-ds-w';
SELECT tips.fail_dynamic_session(id, 'timeout') FROM tips.dynamic_sessions
WHERE external_id = 'im-ds-f';

CREATE TEMP TABLE spec (ord serial, tbl text, col text, set_once boolean, change text, row_filter text) ON COMMIT DROP;
INSERT INTO spec (tbl, col, set_once, change, row_filter) VALUES
('hosts', 'id', false, $$id = gen_random_uuid()$$, $$handle = 'host_a'$$),
('hosts', 'wallet', false, $$wallet = pg_temp.pubkey('other')$$, $$handle = 'host_a'$$),
('hosts', 'created_at', false, $$created_at = created_at - interval '1 day'$$, $$handle = 'host_a'$$),
('event_verifications', 'id', false, $$id = gen_random_uuid()$$, $$event_id = 'im-v'$$),
('event_verifications', 'event_id', false, $$event_id = 'im-other'$$, $$event_id = 'im-v'$$),
('event_verifications', 'signature', false, $$signature = pg_temp.sig('other')$$, $$event_id = 'im-v'$$),
('event_verifications', 'created_at', false, $$created_at = created_at - interval '1 day'$$, $$event_id = 'im-v'$$),
('event_verifications', 'slot', true, $$slot = slot + 1$$, $$event_id = 'im-v'$$),
('event_verifications', 'error_code', true, $$error_code = 'OTHER'$$, $$event_id = 'im-f'$$),
('event_verifications', 'verified_at', true, $$verified_at = verified_at + interval '1 second'$$, $$event_id = 'im-v'$$),
('reflect_payouts', 'id', false, $$id = gen_random_uuid()$$, $$event_id = 'im-p'$$),
('reflect_payouts', 'event_id', false, $$event_id = 'im-v'$$, $$event_id = 'im-p'$$),
('reflect_payouts', 'currency', false, $$currency = 'PYUSD'$$, $$event_id = 'im-p'$$),
('reflect_payouts', 'amount', false, $$amount = amount + 1$$, $$event_id = 'im-p'$$),
('reflect_payouts', 'created_at', false, $$created_at = created_at - interval '1 day'$$, $$event_id = 'im-p'$$),
('reflect_payouts', 'reflect_tip_id', true, $$reflect_tip_id = 'rfl_other'$$, $$event_id = 'im-p'$$),
('dynamic_sessions', 'id', false, $$id = gen_random_uuid()$$, $$external_id = 'im-ds-w'$$),
('dynamic_sessions', 'external_id', false, $$external_id = 'im-ds-other'$$, $$external_id = 'im-ds-w'$$),
('dynamic_sessions', 'created_at', false, $$created_at = created_at - interval '1 day'$$, $$external_id = 'im-ds-w'$$),
('dynamic_sessions', 'custodial_wallet', true, $$custodial_wallet = pg_temp.pubkey('other')$$,
    $$external_id = 'im-ds-w'$$),
('dynamic_sessions', 'failure_reason', true, $$failure_reason = 'other'$$, $$external_id = 'im-ds-f'$$);

SELECT plan((SELECT count(*)::int + 1 FROM spec));

SELECT is(
    pg_temp.verdict(format('UPDATE tips.%I SET %s WHERE %s', s.tbl, s.change, s.row_filter)),
    format('CD003 %s_%s_immutable', s.tbl, s.col),
    format('%s.%s never changes%s', s.tbl, s.col, CASE WHEN s.set_once THEN ' once set' ELSE '' END)
)
FROM spec AS s
ORDER BY s.ord;

-- the specification covers every declared immutable column of the schema
SELECT set_eq(
    $$SELECT table_name::text, column_name::text, set_once FROM common.immutable_columns
      WHERE schema_name = 'tips'$$,
    $$SELECT tbl, col, set_once FROM spec$$,
    'every immutable column declared in tips is specified here, fixed or set-once'
);

SELECT * FROM finish();
ROLLBACK;
