-- Batches: columns' rules, the state machine (every allowed and forbidden move), the
-- activation columns, the lifecycle functions, the fixed and set-once columns.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(55);
\ir fixtures.psql

SELECT pg_temp.batch(b, 'CREATED') FROM unnest(ARRAY['T-C1', 'T-C2', 'T-C3', 'F-C1', 'F-C2', 'F-C3', 'F-C4', 'F-C5']) AS b;
SELECT pg_temp.batch(b, 'ACTIVE') FROM unnest(ARRAY['T-A1', 'T-A2', 'T-A3', 'F-A1', 'F-A2', 'F-A3']) AS b;
SELECT pg_temp.batch(b, 'PAUSED') FROM unnest(ARRAY['T-P1', 'T-P2', 'T-P3', 'F-P1', 'F-P2', 'F-P3']) AS b;
SELECT pg_temp.batch(b, 'CLOSED') FROM unnest(ARRAY['T-X1', 'T-X2', 'T-X3', 'F-X1']) AS b;

-- defaults
SELECT results_eq(
    $$SELECT status::text, reward_usd_target, activated_at, activated_tx_signature FROM authenticity.batches
      WHERE batch_public_id = 'T-C1'$$,
    $$VALUES ('CREATED', 0.10::numeric, NULL::timestamptz, NULL::text)$$,
    'a new batch is CREATED, reward_usd_target 0.10, not activated'
);

-- column rules
SELECT throws_ok(
    $$INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label)
      VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000011', 'not url/safe', 'x')$$,
    '23514', 'new row for relation "batches" violates check constraint "batches_batch_public_id_check"',
    'batch_public_id must be URL-safe'
);
SELECT throws_ok(
    format($$INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label)
      VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000011', %L, 'x')$$,
      repeat('a', 65)),
    '23514', 'new row for relation "batches" violates check constraint "batches_batch_public_id_check"',
    'batch_public_id is at most 64 characters'
);
SELECT lives_ok(
    format($$INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label)
      VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000011', %L, 'x')$$,
      repeat('a', 62) || '_-'),
    'a 64-character batch_public_id of letters, digits, _ and - is accepted'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label)
      VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000011', 'T-C1', 'again')$$,
    '23505', 'duplicate key value violates unique constraint "batches_batch_public_id_key"',
    'batch_public_id is unique'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label)
      VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000011', 'L-1', '  ')$$,
    '23514', 'new row for relation "batches" violates check constraint "batches_batch_label_check"',
    'batch_label is not blank'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label, reward_usd_target)
      VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000011', 'R-1', 'x', -0.01)$$,
    '23514', 'new row for relation "batches" violates check constraint "batches_reward_usd_target_check"',
    'reward_usd_target is not negative'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label, onchain_batch_pubkey)
      VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000011', 'K-1', 'x', 'not-a-key')$$,
    '23514', 'new row for relation "batches" violates check constraint "batches_onchain_batch_pubkey_check"',
    'onchain_batch_pubkey is a Solana public key'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label)
      VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000012', 'S-1', 'x')$$,
    '23503', 'insert or update on table "batches" violates foreign key constraint "batches_sku_id_manufacturer_id_fkey"',
    'the SKU must belong to the batch''s manufacturer'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label, status)
      VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000011', 'S-2', 'x', 'CLOSED')$$,
    'CD007', 'batches: a new row''s status must be one of {CREATED}, not CLOSED',
    'a batch starts CREATED'
);
SELECT throws_ok(
    format($$UPDATE authenticity.batches SET activated_at = now(), activated_tx_signature = %L
      WHERE batch_public_id = 'F-C1'$$, pg_temp.sig('x')),
    '23514', 'new row for relation "batches" violates check constraint "batches_activation_check"',
    'a CREATED batch has no activation'
);
SELECT throws_ok(
    $$UPDATE authenticity.batches SET status = 'ACTIVE' WHERE batch_public_id = 'F-C1'$$,
    '23514', 'new row for relation "batches" violates check constraint "batches_activation_check"',
    'an ACTIVE batch has activated_at and activated_tx_signature'
);
SELECT throws_ok(
    $$UPDATE authenticity.batches SET status = 'ACTIVE', activated_at = now() WHERE batch_public_id = 'F-C1'$$,
    '23514', 'new row for relation "batches" violates check constraint "batches_activation_check"',
    'activated_at and activated_tx_signature go together'
);
SELECT throws_ok(
    $$UPDATE authenticity.batches SET status = 'ACTIVE', activated_at = now(), activated_tx_signature = 'abc'
      WHERE batch_public_id = 'F-C1'$$,
    '23514', 'new row for relation "batches" violates check constraint "batches_activated_tx_signature_check"',
    'activated_tx_signature is a Solana signature'
);

-- the state machine, by direct UPDATE: the 6 allowed moves
SELECT lives_ok(
    format($$UPDATE authenticity.batches SET status = 'ACTIVE', activated_at = now(), activated_tx_signature = %L
      WHERE batch_public_id = 'T-C1'$$, pg_temp.sig('t-c1')),
    'CREATED -> ACTIVE is allowed'
);
SELECT lives_ok($$UPDATE authenticity.batches SET status = 'CLOSED' WHERE batch_public_id = 'T-C2'$$,
    'CREATED -> CLOSED is allowed');
SELECT lives_ok($$UPDATE authenticity.batches SET status = 'PAUSED' WHERE batch_public_id = 'T-A1'$$,
    'ACTIVE -> PAUSED is allowed');
SELECT lives_ok($$UPDATE authenticity.batches SET status = 'CLOSED' WHERE batch_public_id = 'T-A2'$$,
    'ACTIVE -> CLOSED is allowed');
SELECT lives_ok($$UPDATE authenticity.batches SET status = 'ACTIVE' WHERE batch_public_id = 'T-P1'$$,
    'PAUSED -> ACTIVE is allowed');
SELECT lives_ok($$UPDATE authenticity.batches SET status = 'CLOSED' WHERE batch_public_id = 'T-P2'$$,
    'PAUSED -> CLOSED is allowed');
-- the 6 forbidden moves
SELECT throws_ok($$UPDATE authenticity.batches SET status = 'PAUSED' WHERE batch_public_id = 'T-C3'$$,
    'CD001', 'batches: status may not change from CREATED to PAUSED', 'CREATED -> PAUSED is forbidden');
SELECT throws_ok(
    $$UPDATE authenticity.batches SET status = 'CREATED' WHERE batch_public_id = 'T-A3'$$,
    'CD001', 'batches: status may not change from ACTIVE to CREATED', 'ACTIVE -> CREATED is forbidden');
SELECT throws_ok(
    $$UPDATE authenticity.batches SET status = 'CREATED' WHERE batch_public_id = 'T-P3'$$,
    'CD001', 'batches: status may not change from PAUSED to CREATED', 'PAUSED -> CREATED is forbidden');
SELECT throws_ok($$UPDATE authenticity.batches SET status = 'CREATED' WHERE batch_public_id = 'T-X1'$$,
    'CD001', 'batches: status may not change from CLOSED to CREATED', 'CLOSED -> CREATED is forbidden');
SELECT throws_ok($$UPDATE authenticity.batches SET status = 'ACTIVE' WHERE batch_public_id = 'T-X2'$$,
    'CD001', 'batches: status may not change from CLOSED to ACTIVE', 'CLOSED -> ACTIVE is forbidden (terminal)');
SELECT throws_ok($$UPDATE authenticity.batches SET status = 'PAUSED' WHERE batch_public_id = 'T-X3'$$,
    'CD001', 'batches: status may not change from CLOSED to PAUSED', 'CLOSED -> PAUSED is forbidden (terminal)');

-- activate_batch
SELECT common.freeze_clock('2030-01-02 03:04:05+00');
SELECT results_eq(
    format($$SELECT status::text, activated_at, activated_tx_signature
      FROM authenticity.activate_batch(pg_temp.bid('F-C2'), %L)$$, pg_temp.sig('f-c2')),
    format($$VALUES ('ACTIVE', '2030-01-02 03:04:05+00'::timestamptz, %L)$$, pg_temp.sig('f-c2')),
    'activate_batch: CREATED -> ACTIVE at the database''s clock (common.now()), with the signature'
);
SELECT common.set_clock_offset('0');
SELECT throws_ok(
    format($$SELECT authenticity.activate_batch(pg_temp.bid('F-C2'), %L)$$, pg_temp.sig('again')),
    'CD007', NULL, 'activate_batch: a batch is activated once'
);
SELECT throws_ok(
    format($$SELECT authenticity.activate_batch(pg_temp.bid('F-P1'), %L)$$, pg_temp.sig('again')),
    'CD007', NULL, 'activate_batch: a PAUSED batch is resumed, not re-activated'
);
SELECT throws_ok(
    format($$SELECT authenticity.activate_batch(pg_temp.bid('F-X1'), %L)$$, pg_temp.sig('again')),
    'CD001', 'batches: status may not change from CLOSED to ACTIVE', 'activate_batch: not from CLOSED'
);
SELECT throws_ok(
    format($$SELECT authenticity.activate_batch('00000000-0000-4000-8000-0000000000ff', %L)$$, pg_temp.sig('x')),
    'CD005', 'batches: 00000000-0000-4000-8000-0000000000ff not found', 'activate_batch: unknown batch'
);
SELECT throws_ok(
    $$SELECT authenticity.activate_batch(pg_temp.bid('F-C3'), 'not-a-signature')$$,
    '23514', 'new row for relation "batches" violates check constraint "batches_activated_tx_signature_check"',
    'activate_batch: the signature must be a Solana signature'
);
INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label) VALUES
('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000012', 'M2-C', 'x'),
('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000012', 'M2-P', 'x');
SELECT authenticity.activate_batch(pg_temp.bid('M2-P'), pg_temp.sig('m2-p'));
SELECT authenticity.pause_batch(pg_temp.bid('M2-P'));
UPDATE authenticity.manufacturers SET status = 'suspended'
WHERE id = '00000000-0000-4000-8000-000000000002';
SELECT throws_ok(
    format($$SELECT authenticity.activate_batch(pg_temp.bid('M2-C'), %L)$$, pg_temp.sig('m2-c')),
    'CD007', 'batches: the manufacturer of batch M2-C is suspended',
    'a suspended manufacturer cannot activate a batch'
);
SELECT throws_ok(
    $$SELECT authenticity.resume_batch(pg_temp.bid('M2-P'))$$,
    'CD007', 'batches: the manufacturer of batch M2-P is suspended',
    'a suspended manufacturer cannot resume a batch'
);

-- pause, resume, close
SELECT is((authenticity.pause_batch(pg_temp.bid('F-A1'))).status::text, 'PAUSED', 'pause_batch: ACTIVE -> PAUSED');
SELECT isnt(
    (SELECT activated_at FROM authenticity.batches
        WHERE batch_public_id = 'F-A1'), NULL,
    'pausing keeps activated_at'
);
SELECT throws_ok($$SELECT authenticity.pause_batch(pg_temp.bid('F-A1'))$$,
    'CD001', 'batches: status may not change from PAUSED to PAUSED', 'pause_batch: not twice');
SELECT throws_ok($$SELECT authenticity.pause_batch(pg_temp.bid('F-C4'))$$,
    'CD001', 'batches: status may not change from CREATED to PAUSED', 'pause_batch: not from CREATED');
SELECT is((authenticity.resume_batch(pg_temp.bid('F-P2'))).status::text, 'ACTIVE', 'resume_batch: PAUSED -> ACTIVE');
SELECT throws_ok($$SELECT authenticity.resume_batch(pg_temp.bid('F-C4'))$$,
    'CD001', 'batches: status may not change from CREATED to ACTIVE', 'resume_batch: CREATED is activated, not resumed');
SELECT throws_ok($$SELECT authenticity.resume_batch(pg_temp.bid('F-A2'))$$,
    'CD001', 'batches: status may not change from ACTIVE to ACTIVE', 'resume_batch: not from ACTIVE');
SELECT is((authenticity.close_batch(pg_temp.bid('F-A3'))).status::text, 'CLOSED', 'close_batch: ACTIVE -> CLOSED');
SELECT isnt(
    (SELECT activated_tx_signature FROM authenticity.batches
        WHERE batch_public_id = 'F-A3'), NULL,
    'closing keeps the activation'
);
SELECT throws_ok($$SELECT authenticity.close_batch(pg_temp.bid('F-A3'))$$,
    'CD001', 'batches: status may not change from CLOSED to CLOSED', 'close_batch: CLOSED is terminal');
SELECT throws_ok($$SELECT authenticity.pause_batch('00000000-0000-4000-8000-0000000000ff')$$,
    'CD005', NULL, 'pause_batch: unknown batch');
SELECT throws_ok($$SELECT authenticity.resume_batch('00000000-0000-4000-8000-0000000000ff')$$,
    'CD005', NULL, 'resume_batch: unknown batch');
SELECT throws_ok($$SELECT authenticity.close_batch('00000000-0000-4000-8000-0000000000ff')$$,
    'CD005', NULL, 'close_batch: unknown batch');

-- fixed and set-once columns
SELECT throws_ok($$UPDATE authenticity.batches SET batch_public_id = 'renamed' WHERE batch_public_id = 'F-C5'$$,
    'CD003', 'batches: batch_public_id may not change', 'batch_public_id never changes');
SELECT throws_ok(
    $$UPDATE authenticity.batches SET manufacturer_id = '00000000-0000-4000-8000-000000000002',
      sku_id = '00000000-0000-4000-8000-000000000012' WHERE batch_public_id = 'F-C5'$$,
    'CD003', 'batches: manufacturer_id may not change', 'manufacturer_id never changes');
INSERT INTO authenticity.skus (id, manufacturer_id, sku_code, sku_name, sku_hash) VALUES
('00000000-0000-4000-8000-000000000013', '00000000-0000-4000-8000-000000000001', 'ACME-2', 'Hammer',
    sha256('acme-2'::bytea));
SELECT throws_ok(
    $$UPDATE authenticity.batches SET sku_id = '00000000-0000-4000-8000-000000000013' WHERE batch_public_id = 'F-C5'$$,
    'CD003', 'batches: sku_id may not change', 'sku_id never changes');
SELECT throws_ok($$UPDATE authenticity.batches SET created_at = created_at - interval '1 day' WHERE batch_public_id = 'F-C5'$$,
    'CD003', 'batches: created_at may not change', 'created_at never changes');
SELECT throws_ok($$UPDATE authenticity.batches SET activated_at = activated_at + interval '1 second' WHERE batch_public_id = 'F-P3'$$,
    'CD003', 'batches: activated_at may not change', 'activated_at never changes once set');
SELECT throws_ok(
    format($$UPDATE authenticity.batches SET activated_tx_signature = %L WHERE batch_public_id = 'F-P3'$$, pg_temp.sig('other')),
    'CD003', 'batches: activated_tx_signature may not change', 'activated_tx_signature never changes once set');
SELECT lives_ok(
    format($$UPDATE authenticity.batches SET onchain_batch_pubkey = %L, batch_label = 'relabelled'
      WHERE batch_public_id = 'F-C5'$$, pg_temp.pubkey('batch account')),
    'onchain_batch_pubkey is set once, batch_label may change'
);
SELECT throws_ok(
    format($$UPDATE authenticity.batches SET onchain_batch_pubkey = %L WHERE batch_public_id = 'F-C5'$$,
      pg_temp.pubkey('another account')),
    'CD003', 'batches: onchain_batch_pubkey may not change', 'onchain_batch_pubkey never changes once set');

SELECT * FROM finish();
ROLLBACK;
