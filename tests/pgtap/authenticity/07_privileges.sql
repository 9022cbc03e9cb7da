-- Privileges: nothing for PUBLIC; chaindb_app writes plain columns and goes through the rule
-- functions for everything with a state machine; chaindb_readonly reads everything but the
-- secret codes.code_plaintext.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(73);
\ir fixtures.psql

SELECT pg_temp.batch('AB', 'ACTIVE');
SELECT pg_temp.pack(pg_temp.bid('AB'), 'ABP', 2, 'DOWNLOADED');
SELECT pg_temp.pack(pg_temp.bid('AB'), 'ABQ', 2, 'PRINT_CONFIRMED');

-- Nothing for PUBLIC, and both roles use the schema and its types but create nothing: written once for every
-- schema of the registry (tests/python/test_roles.py).

-- 20: table-level privileges (INSERT and UPDATE of the app are granted per column)
SELECT table_privs_are('authenticity', t, 'chaindb_app', ARRAY['SELECT'], format('chaindb_app: SELECT on %s only at table level', t))
FROM unnest(ARRAY[
    'manufacturers', 'skus', 'batches', 'code_packs', 'codes', 'users', 'user_wallets', 'verify_intents',
    'verifications', 'treasury_ops'
]) AS t;
SELECT table_privs_are(
    'authenticity', t, 'chaindb_readonly', CASE WHEN t = 'codes' THEN '{}'::text[] ELSE ARRAY['SELECT'] END,
    format('chaindb_readonly: %s', CASE WHEN t = 'codes' THEN 'codes only by column' ELSE 'SELECT on ' || t END)
)
FROM unnest(ARRAY[
    'manufacturers', 'skus', 'batches', 'code_packs', 'codes', 'users', 'user_wallets', 'verify_intents',
    'verifications', 'treasury_ops'
]) AS t;

-- 14: column-level privileges that carry rules
SELECT column_privs_are('authenticity', 'codes', 'code_plaintext', 'chaindb_readonly', '{}'::text[],
    'chaindb_readonly cannot read codes.code_plaintext');
SELECT column_privs_are('authenticity', 'codes', c, 'chaindb_readonly', ARRAY['SELECT'],
    format('chaindb_readonly reads codes.%s', c))
FROM unnest(ARRAY['id', 'pack_id', 'qr_payload', 'commitment', 'onchain_code_pda', 'created_at']) AS c;
SELECT column_privs_are('authenticity', 'codes', 'code_plaintext', 'chaindb_app', ARRAY['INSERT', 'SELECT'],
    'chaindb_app writes codes.code_plaintext by INSERT (COPY) only; the purge is confirm_print''s');
SELECT column_privs_are('authenticity', 'code_packs', 'status', 'chaindb_app', ARRAY['SELECT'],
    'chaindb_app changes code_packs.status only through the functions');
SELECT column_privs_are('authenticity', 'batches', 'status', 'chaindb_app', ARRAY['SELECT'],
    'chaindb_app changes batches.status only through the functions');
SELECT column_privs_are('authenticity', 'batches', 'activated_at', 'chaindb_app', ARRAY['SELECT'],
    'chaindb_app sets batches.activated_at only through activate_batch');
SELECT column_privs_are('authenticity', 'batches', 'batch_label', 'chaindb_app', ARRAY['INSERT', 'SELECT', 'UPDATE'],
    'chaindb_app writes batches.batch_label');
SELECT column_privs_are('authenticity', 'user_wallets', 'created_after_first_success', 'chaindb_app', ARRAY['SELECT'],
    'chaindb_app cannot write created_after_first_success');
SELECT column_privs_are('authenticity', 'manufacturers', 'hmac_kms_key_id', 'chaindb_app',
    ARRAY['INSERT', 'SELECT', 'UPDATE'], 'chaindb_app manages the KMS key reference');

-- 22: functions
SELECT function_privs_are('authenticity', f.name, f.args, 'chaindb_app', ARRAY['EXECUTE'],
    format('chaindb_app may execute %s', f.name))
FROM (VALUES
    ('activate_batch', ARRAY['uuid', 'text']),
    ('pause_batch', ARRAY['uuid']),
    ('resume_batch', ARRAY['uuid']),
    ('close_batch', ARRAY['uuid']),
    ('mark_code_pack_ready', ARRAY['uuid']),
    ('record_code_pack_download', ARRAY['uuid']),
    ('confirm_print', ARRAY['uuid']),
    ('issue_verify_intent', ARRAY['bytea', 'bigint', 'interval', 'text']),
    ('confirm_verification', ARRAY['text', 'uuid', 'text']),
    ('fail_verification', ARRAY['text', 'uuid', 'text', 'text']),
    ('expire_verify_intents', ARRAY[]::text[])
) AS f (name, args);
SELECT function_privs_are('authenticity', f.name, f.args, 'chaindb_readonly', '{}'::text[],
    format('chaindb_readonly may not execute %s', f.name))
FROM (VALUES
    ('activate_batch', ARRAY['uuid', 'text']),
    ('pause_batch', ARRAY['uuid']),
    ('resume_batch', ARRAY['uuid']),
    ('close_batch', ARRAY['uuid']),
    ('mark_code_pack_ready', ARRAY['uuid']),
    ('record_code_pack_download', ARRAY['uuid']),
    ('confirm_print', ARRAY['uuid']),
    ('issue_verify_intent', ARRAY['bytea', 'bigint', 'interval', 'text']),
    ('confirm_verification', ARRAY['text', 'uuid', 'text']),
    ('fail_verification', ARRAY['text', 'uuid', 'text', 'text']),
    ('expire_verify_intents', ARRAY[]::text[])
) AS f (name, args);

-- 6: chaindb_readonly, by behaviour
SELECT throws_ok($$SET LOCAL ROLE chaindb_readonly; SELECT code_plaintext FROM authenticity.codes$$,
    '42501', 'permission denied for table codes', 'chaindb_readonly cannot read code_plaintext');
SELECT throws_ok($$SET LOCAL ROLE chaindb_readonly; SELECT * FROM authenticity.codes$$,
    '42501', 'permission denied for table codes', 'chaindb_readonly cannot SELECT * from codes');
SELECT lives_ok(
    $$SET LOCAL ROLE chaindb_readonly;
      SELECT id, pack_id, qr_payload, commitment, onchain_code_pda, created_at FROM authenticity.codes;
      SELECT FROM authenticity.manufacturers, authenticity.skus, authenticity.batches, authenticity.code_packs,
          authenticity.users, authenticity.user_wallets, authenticity.verify_intents, authenticity.verifications,
          authenticity.treasury_ops LIMIT 1;
      RESET ROLE$$,
    'chaindb_readonly reads every other column and table');
SELECT throws_ok(
    $$SET LOCAL ROLE chaindb_readonly; INSERT INTO authenticity.manufacturers (name, hmac_kms_key_id) VALUES ('x', 'y')$$,
    '42501', 'permission denied for table manufacturers', 'chaindb_readonly writes nothing');
SELECT throws_ok($$SET LOCAL ROLE chaindb_readonly; SELECT authenticity.confirm_print(pg_temp.pid('ABP'))$$,
    '42501', 'permission denied for function confirm_print', 'chaindb_readonly calls no rule function');
SELECT throws_ok($$SET LOCAL ROLE chaindb_readonly; SELECT authenticity.expire_verify_intents()$$,
    '42501', 'permission denied for function expire_verify_intents', 'chaindb_readonly expires nothing');

-- 8: chaindb_app, refused
SELECT throws_ok(
    $$SET LOCAL ROLE chaindb_app; UPDATE authenticity.code_packs SET status = 'PRINT_CONFIRMED' WHERE pack_id = 'ABP'$$,
    '42501', 'permission denied for table code_packs', 'chaindb_app cannot move a pack by UPDATE');
SELECT throws_ok(
    $$SET LOCAL ROLE chaindb_app; UPDATE authenticity.codes SET code_plaintext = NULL$$,
    '42501', 'permission denied for table codes', 'chaindb_app cannot touch code_plaintext after insert');
SELECT throws_ok(
    $$SET LOCAL ROLE chaindb_app; UPDATE authenticity.batches SET status = 'CLOSED' WHERE batch_public_id = 'AB'$$,
    '42501', 'permission denied for table batches', 'chaindb_app cannot move a batch by UPDATE');
SELECT throws_ok(
    $$SET LOCAL ROLE chaindb_app; UPDATE authenticity.verify_intents SET status = 'EXPIRED'$$,
    '42501', 'permission denied for table verify_intents', 'chaindb_app cannot move an intent by UPDATE');
SELECT throws_ok(
    $$SET LOCAL ROLE chaindb_app; UPDATE authenticity.verifications SET reward_lamports = 0$$,
    '42501', 'permission denied for table verifications', 'chaindb_app cannot update verifications');
SELECT throws_ok(
    $$SET LOCAL ROLE chaindb_app; DELETE FROM authenticity.treasury_ops$$,
    '42501', 'permission denied for table treasury_ops', 'chaindb_app cannot delete treasury operations');
SELECT throws_ok(
    format($$SET LOCAL ROLE chaindb_app;
      INSERT INTO authenticity.verifications (batch_id, user_id, commitment, code_pda, reward_lamports, tx_signature,
          result, intent_id)
      VALUES (pg_temp.bid('AB'), '00000000-0000-4000-8000-000000000021', pg_temp.commit('ABP:1'),
              pg_temp.pubkey('pda:ABP:1'), 1, %L, 'SUCCESS', gen_random_uuid())$$, pg_temp.sig('tx')),
    '42501', 'permission denied for table verifications', 'chaindb_app records verifications only through the functions');
SELECT throws_ok(
    $$SET LOCAL ROLE chaindb_app;
      INSERT INTO authenticity.code_packs (pack_id, batch_id, quantity, status) VALUES ('x', pg_temp.bid('AB'), 1, 'READY')$$,
    '42501', 'permission denied for table code_packs', 'chaindb_app cannot choose a pack''s status');

-- 3: chaindb_app, the flows
SELECT lives_ok(
    format($$SET LOCAL ROLE chaindb_app;
      INSERT INTO authenticity.manufacturers (name, hmac_kms_key_id) VALUES ('App Co', 'alias/app-co');
      INSERT INTO authenticity.skus (manufacturer_id, sku_code, sku_name, sku_hash)
      SELECT id, 'APP-1', 'App product', sha256('app-1'::bytea) FROM authenticity.manufacturers WHERE name = 'App Co';
      INSERT INTO authenticity.batches (manufacturer_id, sku_id, batch_public_id, batch_label)
      SELECT s.manufacturer_id, s.id, 'APPB', 'App batch' FROM authenticity.skus AS s WHERE s.sku_code = 'APP-1';
      SELECT authenticity.activate_batch(pg_temp.bid('APPB'), %L);
      INSERT INTO authenticity.code_packs (pack_id, batch_id, quantity) VALUES ('APPP', pg_temp.bid('APPB'), 1);
      INSERT INTO authenticity.codes (id, pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
      VALUES (gen_random_uuid(), pg_temp.pid('APPP'), pg_temp.cipher('APPP:1'), pg_temp.payload('APPB', 'APPP:1'),
              pg_temp.commit('APPP:1'), pg_temp.pubkey('pda:APPP:1'));
      SELECT authenticity.mark_code_pack_ready(pg_temp.pid('APPP'));
      SELECT authenticity.record_code_pack_download(pg_temp.pid('APPP'));
      SELECT authenticity.confirm_print(pg_temp.pid('APPP'));
      SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED;
      RESET ROLE$$, pg_temp.sig('app activation')),
    'chaindb_app sets up a manufacturer, SKU, batch and pack, loads codes, downloads and confirms the print'
);
SELECT lives_ok(
    format($$SET LOCAL ROLE chaindb_app;
      INSERT INTO authenticity.users (email) VALUES ('app-user@example.com');
      INSERT INTO authenticity.user_wallets (user_id, wallet_pubkey)
      SELECT id, %L FROM authenticity.users WHERE email = 'app-user@example.com';
      SELECT authenticity.issue_verify_intent(pg_temp.commit('APPP:1'), 1000, '5 minutes', 'app-intent');
      SELECT authenticity.confirm_verification('app-intent', (SELECT id FROM authenticity.users
          WHERE email = 'app-user@example.com'), %L);
      SELECT authenticity.expire_verify_intents();
      SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED;
      RESET ROLE$$, pg_temp.pubkey('app wallet'), pg_temp.sig('app verification')),
    'chaindb_app creates a user, links a wallet, issues and confirms an intent, expires stale ones'
);
SELECT lives_ok(
    format($$SET LOCAL ROLE chaindb_app;
      INSERT INTO authenticity.treasury_ops (type, pyusd_in, sol_out_lamports, jupiter_route, tx_signature)
      VALUES ('REFILL_SWAP', 10, 20, '{}', %L);
      RESET ROLE$$, pg_temp.sig('app swap')),
    'chaindb_app records a treasury refill'
);

SELECT * FROM finish();
ROLLBACK;
