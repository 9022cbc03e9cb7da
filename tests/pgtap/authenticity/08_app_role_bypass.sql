-- authenticity: the ways around the rules that chaindb_app had (issue 8), each tried as chaindb_app
-- and refused. The caller chose the time: issuing an intent "an hour ago" and confirming it "58
-- minutes ago" paid a reward for an intent that had expired in real time. Every function now runs
-- on the database's clock (common.now()), which only the owner can move; a caller still passing
-- p_now gets 42883, moving the clock is 42501. NaN and Infinity are refused as a reward target.
-- Every test here failed before migrations common/0007-0008 and authenticity/0022-0024.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(16);
\ir fixtures.psql

SELECT pg_temp.batch('BY', 'ACTIVE');
SELECT pg_temp.pack(pg_temp.bid('BY'), 'BYP', 3, 'PRINT_CONFIRMED');
SELECT pg_temp.pack(pg_temp.bid('BY'), 'BYR', 1, 'READY');
SELECT pg_temp.batch('BYC', 'CREATED');

SET LOCAL ROLE chaindb_app;

-- The caller's clock is gone from every function
SELECT throws_ok(
    $$SELECT authenticity.issue_verify_intent(pg_temp.commit('BYP:1'), 1000, p_now => now() - interval '1 hour',
                                              p_verify_intent_id => 'by-backdated')$$,
    '42883', NULL, 'an intent cannot be issued "an hour ago" (issue_verify_intent takes no p_now)'
);
SELECT authenticity.issue_verify_intent(pg_temp.commit('BYP:1'), 1000, p_verify_intent_id => 'by-1');
SELECT throws_ok(
    $$SELECT authenticity.confirm_verification('by-1', '00000000-0000-4000-8000-000000000021', pg_temp.sig('tx by-1'),
                                               p_now => now() - interval '58 minutes')$$,
    '42883', NULL, 'an intent cannot be confirmed "58 minutes ago" (confirm_verification takes no p_now)'
);
SELECT throws_ok(
    $$SELECT authenticity.fail_verification('by-1', '00000000-0000-4000-8000-000000000021', pg_temp.sig('tx by-f'),
                                            'x', p_now => '2000-01-01')$$,
    '42883', NULL, 'fail_verification takes no p_now'
);
SELECT throws_ok(
    $$SELECT authenticity.expire_verify_intents(p_now => now() + interval '1 day')$$,
    '42883', NULL, 'expire_verify_intents takes no p_now'
);
SELECT throws_ok(
    $$SELECT authenticity.record_code_pack_download(pg_temp.pid('BYR'), p_now => '2000-01-01')$$,
    '42883', NULL, 'record_code_pack_download takes no p_now (download_expires_at is checked on the database''s clock)'
);
SELECT throws_ok(
    $$SELECT authenticity.confirm_print(pg_temp.pid('BYR'), p_now => '2000-01-01')$$,
    '42883', NULL, 'confirm_print takes no p_now'
);
SELECT throws_ok(
    $$SELECT authenticity.activate_batch(pg_temp.bid('BYC'), pg_temp.sig('x'), p_now => '2000-01-01')$$,
    '42883', NULL, 'activate_batch takes no p_now'
);

-- Nor can the app move the database's clock
SELECT throws_ok(
    $$UPDATE common.clock SET offset_by = interval '-1 hour'$$,
    '42501', NULL, 'the app cannot write common.clock'
);
SELECT throws_ok(
    $$SELECT offset_by FROM common.clock$$,
    '42501', NULL, 'the app cannot even read common.clock'
);
SELECT throws_ok(
    $$SELECT common.set_clock_offset(interval '-1 hour')$$,
    '42501', NULL, 'the app cannot call common.set_clock_offset'
);
SELECT throws_ok(
    $$SELECT common.freeze_clock(now() - interval '1 hour')$$,
    '42501', NULL, 'the app cannot call common.freeze_clock'
);

-- An intent expires in real time: the owner moves the clock an hour on (what waiting would do)
RESET ROLE;
SELECT lives_ok($$SELECT common.set_clock_offset(interval '1 hour')$$, 'the owner may move the database''s clock');
SET LOCAL ROLE chaindb_app;
SELECT throws_ok(
    $$SELECT authenticity.confirm_verification('by-1', '00000000-0000-4000-8000-000000000021', pg_temp.sig('tx by-1'))$$,
    'CD006', NULL, 'an intent past its expires_at by the database''s clock is not confirmed: no reward'
);

-- NaN and Infinity are not a reward target
SELECT throws_ok(
    $$INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label, reward_usd_target)
      VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000011', 'BY-NAN', 'NaN', 'NaN')$$,
    '23514', 'new row for relation "batches" violates check constraint "batches_reward_usd_target_finite_check"',
    'reward_usd_target refuses NaN'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label, reward_usd_target)
      VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000011', 'BY-INF', 'Inf',
              'Infinity')$$,
    '23514', 'new row for relation "batches" violates check constraint "batches_reward_usd_target_finite_check"',
    'reward_usd_target refuses Infinity'
);
SELECT throws_ok(
    $$UPDATE authenticity.batches SET reward_usd_target = 'NaN' WHERE batch_public_id = 'BY'$$,
    '23514', 'new row for relation "batches" violates check constraint "batches_reward_usd_target_finite_check"',
    'nor can an UPDATE set it to NaN'
);
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
