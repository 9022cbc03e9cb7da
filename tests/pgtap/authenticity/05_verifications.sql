-- Verify intents and verifications: issuing, the intent state machine (every allowed and
-- forbidden move), confirmation (SUCCESS once per code, the losing FAIL, batch not ACTIVE),
-- failures, expiry, the append-only and consistency rules of verifications.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(64);
\ir fixtures.psql

SELECT pg_temp.batch('VB', 'ACTIVE');
SELECT pg_temp.batch('VP', 'ACTIVE');
SELECT pg_temp.batch('VC', 'CREATED');
SELECT pg_temp.pack(pg_temp.bid('VB'), 'VBP', 30, 'PRINT_CONFIRMED');
SELECT pg_temp.pack(pg_temp.bid('VP'), 'VPP', 3, 'PRINT_CONFIRMED');
SELECT pg_temp.pack(pg_temp.bid('VC'), 'VCP', 2, 'PRINT_CONFIRMED');
SELECT pg_temp.batch('VQ', 'ACTIVE');
SELECT pg_temp.pack(pg_temp.bid('VQ'), 'VQP', 1, 'PRINT_CONFIRMED');
SELECT pg_temp.intent('q-1', 'VQP:1', '2030-01-01 12:00+00');
SELECT authenticity.pause_batch(pg_temp.bid('VQ'));

-- issuing
SELECT common.freeze_clock('2030-01-01 12:00+00');
SELECT results_eq(
    $$SELECT status::text, reward_lamports, created_at, expires_at, batch_id, commitment::bytea
      FROM authenticity.issue_verify_intent(pg_temp.commit('VBP:1'), 5000, '10 minutes', 'vi-one')$$,
    $$VALUES ('ISSUED', 5000::bigint, '2030-01-01 12:00+00'::timestamptz, '2030-01-01 12:10+00'::timestamptz,
              pg_temp.bid('VB'), pg_temp.commit('VBP:1'))$$,
    'issue_verify_intent: ISSUED in the code''s batch, created at the database''s clock, expiring after the ttl'
);
SELECT matches(
    (authenticity.issue_verify_intent(pg_temp.commit('VBP:2'), 5000)).verify_intent_id, '^vi_[0-9a-f]{32}$',
    'verify_intent_id defaults to vi_ and 32 hex digits'
);
SELECT throws_ok($$SELECT authenticity.issue_verify_intent(pg_temp.commit('no such code'), 5000)$$,
    'CD005', NULL, 'issue_verify_intent: unknown code');
SELECT throws_ok($$SELECT authenticity.issue_verify_intent(pg_temp.commit('VCP:1'), 5000)$$,
    'CD007', NULL, 'issue_verify_intent: only for a code of an ACTIVE batch (verify_intents_batch_active)');
SELECT throws_ok($$SELECT authenticity.issue_verify_intent(pg_temp.commit('VBP:3'), 5000, '0 seconds')$$,
    '23514', 'new row for relation "verify_intents" violates check constraint "verify_intents_expires_at_check"',
    'an intent expires after it is created');
SELECT throws_ok($$SELECT authenticity.issue_verify_intent(pg_temp.commit('VBP:3'), 0)$$,
    '23514', 'new row for relation "verify_intents" violates check constraint "verify_intents_reward_lamports_check"',
    'reward_lamports is positive');
SELECT throws_ok(
    $$SELECT authenticity.issue_verify_intent(pg_temp.commit('VBP:3'), 1, '5 minutes', 'not url safe')$$,
    '23514', 'new row for relation "verify_intents" violates check constraint "verify_intents_verify_intent_id_check"',
    'verify_intent_id is URL-safe');
SELECT throws_ok(
    $$SELECT authenticity.issue_verify_intent(pg_temp.commit('VBP:3'), 1, '5 minutes', 'vi-one')$$,
    '23505', 'duplicate key value violates unique constraint "verify_intents_verify_intent_id_key"',
    'verify_intent_id is unique');
SELECT throws_ok(
    $$INSERT INTO authenticity.verify_intents (batch_id, commitment, reward_lamports, expires_at)
      VALUES (pg_temp.bid('VP'), pg_temp.commit('VBP:3'), 1, common.now() + interval '1 minute')$$,
    '23514', 'verify_intents: the code is not in batch ' || pg_temp.bid('VP'),
    'an intent''s code belongs to its batch (verify_intents_commitment_batch_check)');
SELECT throws_ok(
    $$INSERT INTO authenticity.verify_intents (batch_id, commitment, reward_lamports, expires_at, status)
      VALUES (pg_temp.bid('VB'), pg_temp.commit('VBP:3'), 1, common.now() + interval '1 minute', 'EXPIRED')$$,
    'CD007', 'verify_intents: a new row''s status must be one of {ISSUED}, not EXPIRED', 'an intent starts ISSUED');

-- confirmation
SELECT pg_temp.intent('ok-1', 'VBP:4', '2030-01-01 12:00+00', reward => 7777);
SELECT common.freeze_clock('2030-01-01 12:01+00');
SELECT results_eq(
    $$SELECT result::text, reward_lamports, code_pda, verified_at, failure_reason, intent_id, user_id, batch_id
      FROM authenticity.confirm_verification('ok-1', '00000000-0000-4000-8000-000000000021', pg_temp.sig('tx ok-1'))$$,
    $$VALUES ('SUCCESS', 7777::bigint, pg_temp.pubkey('pda:VBP:4'), '2030-01-01 12:01+00'::timestamptz, NULL::text,
              pg_temp.iid('ok-1'), '00000000-0000-4000-8000-000000000021'::uuid, pg_temp.bid('VB'))$$,
    'confirm_verification: SUCCESS paying the intent''s reward, with the code''s PDA, at the database''s clock'
);
SELECT is((SELECT status::text FROM authenticity.verify_intents
    WHERE verify_intent_id = 'ok-1'), 'CONFIRMED',
    'the confirmed intent is CONFIRMED');
SELECT lives_ok($$SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED$$,
    'the deferred pairing checks pass after confirm_verification');
SELECT throws_ok(
    $$SELECT authenticity.confirm_verification('ok-1', '00000000-0000-4000-8000-000000000022', pg_temp.sig('tx again'))$$,
    'CD001', 'verify_intents: status may not change from CONFIRMED to CONFIRMED', 'an intent is confirmed once');
SELECT throws_ok($$SELECT authenticity.issue_verify_intent(pg_temp.commit('VBP:4'), 5000)$$,
    'CD007', NULL, 'no new intent for a verified code (verify_intents_code_unverified)');

-- two intents for one code: the second confirmation loses with a FAIL, nothing paid
SELECT pg_temp.intent('race-1', 'VBP:5', '2030-01-01 12:00+00');
SELECT pg_temp.intent('race-2', 'VBP:5', '2030-01-01 12:00+00');
SELECT common.freeze_clock('2030-01-01 12:01+00');
SELECT is(
    (authenticity.confirm_verification('race-1', '00000000-0000-4000-8000-000000000021', pg_temp.sig('tx race-1'))).result::text,
    'SUCCESS', 'the first confirmation of a code succeeds'
);
SELECT results_eq(
    $$SELECT result::text, reward_lamports, failure_reason
      FROM authenticity.confirm_verification('race-2', '00000000-0000-4000-8000-000000000022', pg_temp.sig('tx race-2'))$$,
    $$VALUES ('FAIL', 0::bigint, 'ALREADY_VERIFIED')$$,
    'a later confirmation of the same code records FAIL ALREADY_VERIFIED and pays nothing'
);
SELECT is((SELECT status::text FROM authenticity.verify_intents
    WHERE verify_intent_id = 'race-2'), 'FAILED',
    'the losing intent is FAILED');
SELECT results_eq(
    $$SELECT count(*) FILTER (WHERE result = 'SUCCESS'), sum(reward_lamports)::bigint
      FROM authenticity.verifications WHERE commitment = pg_temp.commit('VBP:5')$$,
    $$VALUES (1::bigint, 1000::bigint)$$,
    'one SUCCESS per code and one reward'
);
SELECT pg_temp.intent('late-1', 'VBP:6', '2030-01-01 12:00+00');
SELECT common.freeze_clock('2030-01-01 12:05+00');
SELECT throws_ok(
    $$SELECT authenticity.confirm_verification('late-1', '00000000-0000-4000-8000-000000000021', pg_temp.sig('tx late'))$$,
    'CD006', NULL, 'an intent cannot be confirmed at or after expires_at by the database''s clock'
);
SELECT throws_ok(
    $$SELECT authenticity.confirm_verification('nope', '00000000-0000-4000-8000-000000000021', pg_temp.sig('tx nope'))$$,
    'CD005', 'verify_intents: nope not found', 'confirm_verification: unknown intent'
);
SELECT pg_temp.intent('paused-1', 'VPP:1', '2030-01-01 12:00+00');
SELECT authenticity.pause_batch(pg_temp.bid('VP'));
SELECT common.freeze_clock('2030-01-01 12:01+00');
SELECT results_eq(
    $$SELECT result::text, reward_lamports, failure_reason
      FROM authenticity.confirm_verification('paused-1', '00000000-0000-4000-8000-000000000021',
                                             pg_temp.sig('tx paused'))$$,
    $$VALUES ('FAIL', 0::bigint, 'BATCH_NOT_ACTIVE')$$,
    'only an ACTIVE batch verifies codes: a paused batch''s confirmation is a FAIL'
);
SELECT throws_ok($$SELECT authenticity.issue_verify_intent(pg_temp.commit('VPP:2'), 5000)$$,
    'CD007', NULL, 'no intent is issued in a paused batch');

-- fail_verification
SELECT pg_temp.intent('fail-1', 'VBP:7', '2030-01-01 12:00+00');
SELECT results_eq(
    $$SELECT result::text, reward_lamports, failure_reason
      FROM authenticity.fail_verification('fail-1', '00000000-0000-4000-8000-000000000021', pg_temp.sig('tx fail-1'),
                                          'chain: custom program error 0x1')$$,
    $$VALUES ('FAIL', 0::bigint, 'chain: custom program error 0x1')$$,
    'fail_verification records a FAIL with its reason'
);
SELECT is((SELECT status::text FROM authenticity.verify_intents
    WHERE verify_intent_id = 'fail-1'), 'FAILED',
    'the failed intent is FAILED');
SELECT pg_temp.intent('fail-2', 'VBP:8', '2030-01-01 12:00+00');
SELECT throws_ok(
    $$SELECT authenticity.fail_verification('fail-2', '00000000-0000-4000-8000-000000000021', pg_temp.sig('tx fail-2'), ' ')$$,
    '23514', 'new row for relation "verifications" violates check constraint "verifications_failure_reason_check"',
    'a FAIL carries a non-blank failure_reason');
SELECT throws_ok(
    $$SELECT authenticity.fail_verification('ok-1', '00000000-0000-4000-8000-000000000021', pg_temp.sig('tx x'), 'x')$$,
    'CD001', 'verify_intents: status may not change from CONFIRMED to FAILED', 'a CONFIRMED intent cannot fail');
SELECT throws_ok(
    $$SELECT authenticity.fail_verification('nope', '00000000-0000-4000-8000-000000000021', pg_temp.sig('tx x'), 'x')$$,
    'CD005', NULL, 'fail_verification: unknown intent');

-- expiry
SELECT pg_temp.intent('old-1', 'VBP:9', '2020-01-01 00:00+00');
SELECT pg_temp.intent('old-2', 'VBP:10', '2020-01-01 00:00+00');
SELECT pg_temp.intent('old-3', 'VBP:11', '2020-01-01 00:00+00', '1 day');
SELECT common.freeze_clock('2020-01-01 01:00+00');
SELECT is(authenticity.expire_verify_intents(), 2,
    'expire_verify_intents expires the ISSUED intents past expires_at by the database''s clock and says how many');
SELECT results_eq(
    $$SELECT verify_intent_id, status::text FROM authenticity.verify_intents
      WHERE verify_intent_id IN ('old-1', 'old-2', 'old-3') ORDER BY verify_intent_id$$,
    $$VALUES ('old-1', 'EXPIRED'), ('old-2', 'EXPIRED'), ('old-3', 'ISSUED')$$,
    'stale intents are EXPIRED, live ones stay ISSUED'
);
SELECT throws_ok(
    $$SELECT common.freeze_clock('2020-01-01 00:01+00');
      SELECT authenticity.confirm_verification('old-1', '00000000-0000-4000-8000-000000000021', pg_temp.sig('tx old'))$$,
    'CD001', 'verify_intents: status may not change from EXPIRED to CONFIRMED', 'an EXPIRED intent cannot be confirmed');

-- the intent state machine by direct UPDATE: ISSUED -> CONFIRMED | EXPIRED | FAILED
SELECT pg_temp.intent('t-' || g, 'VBP:' || (11 + g), '2030-01-01 12:00+00') FROM generate_series(1, 6) AS g;
SELECT lives_ok(
    $$INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, intent_id)
      VALUES (pg_temp.bid('VB'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VBP:12'),
              pg_temp.pubkey('pda:VBP:12'), 1000, pg_temp.sig('tx t-1'), 'SUCCESS', pg_temp.iid('t-1'));
      UPDATE authenticity.verify_intents SET status = 'CONFIRMED' WHERE verify_intent_id = 't-1';
      SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED$$,
    'ISSUED -> CONFIRMED is allowed, with its SUCCESS row in the same transaction'
);
SELECT lives_ok($$UPDATE authenticity.verify_intents SET status = 'EXPIRED' WHERE verify_intent_id = 't-2'$$,
    'ISSUED -> EXPIRED is allowed');
SELECT lives_ok(
    $$INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, failure_reason, intent_id)
      VALUES (pg_temp.bid('VB'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VBP:14'),
              pg_temp.pubkey('pda:VBP:14'), 0, pg_temp.sig('tx t-3'), 'FAIL', 'refused', pg_temp.iid('t-3'));
      UPDATE authenticity.verify_intents SET status = 'FAILED' WHERE verify_intent_id = 't-3';
      SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED$$,
    'ISSUED -> FAILED is allowed, with its FAIL row in the same transaction'
);
SELECT throws_ok(
    $$UPDATE authenticity.verify_intents SET status = 'CONFIRMED' WHERE verify_intent_id = 't-4';
      SET CONSTRAINTS authenticity.verify_intents_outcome_recorded IMMEDIATE$$,
    'CD007', 'verify_intents: intent t-4 is CONFIRMED without its verification row',
    'an intent is not CONFIRMED without its SUCCESS row (deferred verify_intents_outcome_recorded)'
);
SELECT throws_ok(
    $$UPDATE authenticity.verify_intents SET status = 'FAILED' WHERE verify_intent_id = 't-4';
      SET CONSTRAINTS authenticity.verify_intents_outcome_recorded IMMEDIATE$$,
    'CD007', 'verify_intents: intent t-4 is FAILED without its verification row',
    'an intent is not FAILED without its FAIL row'
);
SELECT throws_ok($$UPDATE authenticity.verify_intents SET status = 'ISSUED' WHERE verify_intent_id = 'ok-1'$$,
    'CD001', 'verify_intents: status may not change from CONFIRMED to ISSUED', 'CONFIRMED -> ISSUED is forbidden');
SELECT throws_ok($$UPDATE authenticity.verify_intents SET status = 'EXPIRED' WHERE verify_intent_id = 'ok-1'$$,
    'CD001', 'verify_intents: status may not change from CONFIRMED to EXPIRED', 'CONFIRMED -> EXPIRED is forbidden');
SELECT throws_ok($$UPDATE authenticity.verify_intents SET status = 'FAILED' WHERE verify_intent_id = 'ok-1'$$,
    'CD001', 'verify_intents: status may not change from CONFIRMED to FAILED', 'CONFIRMED -> FAILED is forbidden');
SELECT throws_ok($$UPDATE authenticity.verify_intents SET status = 'ISSUED' WHERE verify_intent_id = 'old-1'$$,
    'CD001', 'verify_intents: status may not change from EXPIRED to ISSUED', 'EXPIRED -> ISSUED is forbidden');
SELECT throws_ok($$UPDATE authenticity.verify_intents SET status = 'CONFIRMED' WHERE verify_intent_id = 'old-1'$$,
    'CD001', 'verify_intents: status may not change from EXPIRED to CONFIRMED', 'EXPIRED -> CONFIRMED is forbidden');
SELECT throws_ok($$UPDATE authenticity.verify_intents SET status = 'FAILED' WHERE verify_intent_id = 'old-1'$$,
    'CD001', 'verify_intents: status may not change from EXPIRED to FAILED', 'EXPIRED -> FAILED is forbidden');
SELECT throws_ok($$UPDATE authenticity.verify_intents SET status = 'ISSUED' WHERE verify_intent_id = 'fail-1'$$,
    'CD001', 'verify_intents: status may not change from FAILED to ISSUED', 'FAILED -> ISSUED is forbidden');
SELECT throws_ok($$UPDATE authenticity.verify_intents SET status = 'CONFIRMED' WHERE verify_intent_id = 'fail-1'$$,
    'CD001', 'verify_intents: status may not change from FAILED to CONFIRMED', 'FAILED -> CONFIRMED is forbidden');
SELECT throws_ok($$UPDATE authenticity.verify_intents SET status = 'EXPIRED' WHERE verify_intent_id = 'fail-1'$$,
    'CD001', 'verify_intents: status may not change from FAILED to EXPIRED', 'FAILED -> EXPIRED is forbidden');
-- only the status of an intent changes
SELECT throws_ok($$UPDATE authenticity.verify_intents SET reward_lamports = 1 WHERE verify_intent_id = 't-5'$$,
    'CD003', 'verify_intents: reward_lamports may not change', 'reward_lamports never changes');
SELECT throws_ok(
    $$UPDATE authenticity.verify_intents SET expires_at = expires_at + interval '1 hour' WHERE verify_intent_id = 't-5'$$,
    'CD003', 'verify_intents: expires_at may not change', 'expires_at never changes');
SELECT throws_ok(
    $$UPDATE authenticity.verify_intents SET commitment = pg_temp.commit('VBP:30') WHERE verify_intent_id = 't-5'$$,
    'CD003', 'verify_intents: commitment may not change', 'commitment never changes');
SELECT throws_ok($$UPDATE authenticity.verify_intents SET verify_intent_id = 't-5b' WHERE verify_intent_id = 't-5'$$,
    'CD003', 'verify_intents: verify_intent_id may not change', 'verify_intent_id never changes');

-- verifications: consistency with the intent and the code
SELECT throws_ok(
    $$INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, intent_id)
      VALUES (pg_temp.bid('VB'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VBP:16'),
              pg_temp.pubkey('pda:VBP:16'), 999, pg_temp.sig('tx t-5'), 'SUCCESS', pg_temp.iid('t-5'))$$,
    '23514', 'verifications: reward_lamports 999 is not the intent''s 1000',
    'a SUCCESS pays exactly the intent''s reward_lamports');
SELECT throws_ok(
    $$INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, intent_id)
      VALUES (pg_temp.bid('VB'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VBP:16'),
              pg_temp.pubkey('pda:VBP:17'), 1000, pg_temp.sig('tx t-5'), 'SUCCESS', pg_temp.iid('t-5'))$$,
    '23514', 'verifications: code_pda ' || pg_temp.pubkey('pda:VBP:17') || ' is not the PDA of the code',
    'code_pda is the code''s onchain_code_pda');
SELECT throws_ok(
    $$INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, intent_id)
      VALUES (pg_temp.bid('VB'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VBP:17'),
              pg_temp.pubkey('pda:VBP:17'), 1000, pg_temp.sig('tx t-5'), 'SUCCESS', pg_temp.iid('t-5'))$$,
    '23514', 'verifications: batch and commitment must be those of intent t-5',
    'batch and commitment are the intent''s');
SELECT throws_ok(
    $$INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, failure_reason, intent_id)
      VALUES (pg_temp.bid('VB'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VBP:16'),
              pg_temp.pubkey('pda:VBP:16'), 5, pg_temp.sig('tx t-5'), 'FAIL', 'x', pg_temp.iid('t-5'))$$,
    '23514', 'new row for relation "verifications" violates check constraint "verifications_reward_lamports_check"',
    'a FAIL pays nothing');
SELECT throws_ok(
    $$INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, failure_reason, intent_id)
      VALUES (pg_temp.bid('VB'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VBP:16'),
              pg_temp.pubkey('pda:VBP:16'), 1000, pg_temp.sig('tx t-5'), 'SUCCESS', 'why?', pg_temp.iid('t-5'))$$,
    '23514', 'new row for relation "verifications" violates check constraint "verifications_failure_reason_check"',
    'a SUCCESS has no failure_reason');
SELECT throws_ok(
    $$INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, intent_id)
      VALUES (pg_temp.bid('VB'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VBP:16'),
              pg_temp.pubkey('pda:VBP:16'), 0, pg_temp.sig('tx t-5'), 'FAIL', pg_temp.iid('t-5'))$$,
    '23514', 'new row for relation "verifications" violates check constraint "verifications_failure_reason_check"',
    'a FAIL has a failure_reason');
SELECT throws_ok(
    $$INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, intent_id)
      VALUES (pg_temp.bid('VB'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VBP:16'),
              pg_temp.pubkey('pda:VBP:16'), 1000, 'not-a-signature', 'SUCCESS', pg_temp.iid('t-5'))$$,
    '23514', 'new row for relation "verifications" violates check constraint "verifications_tx_signature_check"',
    'tx_signature is a Solana signature');
SELECT throws_ok(
    $$INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, intent_id)
      VALUES (pg_temp.bid('VB'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VBP:16'),
              pg_temp.pubkey('pda:VBP:16'), 1000, pg_temp.sig('tx t-5'), 'SUCCESS', pg_temp.iid('t-5'));
      SET CONSTRAINTS authenticity.verifications_intent_outcome IMMEDIATE$$,
    'CD007', 'verifications: a SUCCESS verification needs its intent CONFIRMED',
    'a SUCCESS needs its intent CONFIRMED in the same transaction (deferred verifications_intent_outcome)');
SELECT throws_ok(
    $$INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, intent_id)
      VALUES (pg_temp.bid('VB'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VBP:12'),
              pg_temp.pubkey('pda:VBP:12'), 1000, pg_temp.sig('tx t-1 bis'), 'SUCCESS', pg_temp.iid('t-1'))$$,
    '23505', 'duplicate key value violates unique constraint "verifications_intent_id_key"',
    'one verification per intent');
INSERT INTO authenticity.verify_intents (verify_intent_id, batch_id, commitment, reward_lamports, expires_at)
VALUES ('dup-1', pg_temp.bid('VB'), pg_temp.commit('VBP:12'), 1000, common.now() + interval '5 minutes');
SELECT throws_ok(
    $$UPDATE authenticity.verify_intents SET status = 'CONFIRMED' WHERE verify_intent_id = 'dup-1';
      INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, intent_id)
      VALUES (pg_temp.bid('VB'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VBP:12'),
              pg_temp.pubkey('pda:VBP:12'), 1000, pg_temp.sig('tx dup-1'), 'SUCCESS', pg_temp.iid('dup-1'))$$,
    '23505', 'duplicate key value violates unique constraint "verifications_commitment_success_key"',
    'exactly one SUCCESS per commitment, ever');
SELECT throws_ok(
    $$UPDATE authenticity.verify_intents SET status = 'CONFIRMED' WHERE verify_intent_id = 't-6';
      INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, intent_id)
      VALUES (pg_temp.bid('VB'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VBP:17'),
              pg_temp.pubkey('pda:VBP:17'), 1000, pg_temp.sig('tx t-1'), 'SUCCESS', pg_temp.iid('t-6'))$$,
    '23505', 'duplicate key value violates unique constraint "verifications_tx_signature_success_key"',
    'a transaction pays one successful verification');
SELECT throws_ok(
    $$UPDATE authenticity.verify_intents SET status = 'CONFIRMED' WHERE verify_intent_id = 'q-1';
      INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, intent_id)
      VALUES (pg_temp.bid('VQ'), '00000000-0000-4000-8000-000000000022', pg_temp.commit('VQP:1'),
              pg_temp.pubkey('pda:VQP:1'), 1000, pg_temp.sig('tx q-1'), 'SUCCESS', pg_temp.iid('q-1'))$$,
    'CD007', 'verifications: batch ' || pg_temp.bid('VQ') || ' is not ACTIVE; only an ACTIVE batch verifies codes',
    'no SUCCESS in a batch that is not ACTIVE, even written directly (verifications_batch_active)');

-- append-only
SELECT throws_ok($$UPDATE authenticity.verifications SET reward_lamports = 1 WHERE intent_id = pg_temp.iid('ok-1')$$,
    'CD003', 'verifications: rows are append-only (UPDATE refused)', 'verifications are never updated');
SELECT throws_ok($$DELETE FROM authenticity.verifications WHERE intent_id = pg_temp.iid('ok-1')$$,
    'CD003', 'verifications: rows are append-only (DELETE refused)', 'verifications are never deleted');
SELECT throws_ok($$TRUNCATE authenticity.verifications$$,
    'CD003', 'verifications: rows are append-only (TRUNCATE refused)', 'verifications are never truncated');

SELECT * FROM finish();
ROLLBACK;
