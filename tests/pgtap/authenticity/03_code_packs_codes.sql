-- Code packs and codes: column rules, the pack state machine (every allowed and forbidden
-- move), download counting, print confirmation and the plaintext purge rules.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(71);
\ir fixtures.psql

SELECT pg_temp.batch('PB', 'ACTIVE');
SELECT pg_temp.batch('PX', 'CLOSED');
INSERT INTO authenticity.code_packs (pack_id, batch_id, quantity) VALUES ('G1', pg_temp.bid('PB'), 3);
SELECT pg_temp.add_code(pg_temp.pid('G1'), 'G1:' || g) FROM generate_series(1, 2) AS g;
SELECT pg_temp.pack(pg_temp.bid('PB'), p, 1, 'GENERATING') FROM unnest(ARRAY['G2', 'G3', 'G4']) AS p;
SELECT pg_temp.pack(pg_temp.bid('PB'), p, 1, 'READY') FROM unnest(ARRAY['R1', 'R2', 'R3', 'R4']) AS p;
SELECT pg_temp.pack(pg_temp.bid('PB'), 'R5', 1, 'READY', '2030-01-01 00:00:00+00');
SELECT pg_temp.pack(pg_temp.bid('PB'), p, 2, 'DOWNLOADED')
FROM unnest(ARRAY['D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7', 'D8', 'D9']) AS p;
SELECT pg_temp.pack(pg_temp.bid('PB'), 'P1', 2, 'PRINT_CONFIRMED');

-- packs: defaults and column rules
SELECT results_eq(
    $$SELECT status::text, download_count, downloaded_at, print_confirmed_at, plaintext_purged_at
      FROM authenticity.code_packs WHERE pack_id = 'G1'$$,
    $$VALUES ('GENERATING', 0, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz)$$,
    'a new pack is GENERATING, never downloaded, printed or purged'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.code_packs (pack_id, batch_id, quantity) VALUES ('bad id', pg_temp.bid('PB'), 1)$$,
    '23514', 'new row for relation "code_packs" violates check constraint "code_packs_pack_id_check"',
    'pack_id is URL-safe'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.code_packs (pack_id, batch_id, quantity) VALUES ('Q0', pg_temp.bid('PB'), 0)$$,
    '23514', 'new row for relation "code_packs" violates check constraint "code_packs_quantity_check"',
    'quantity is positive'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.code_packs (pack_id, batch_id, quantity) VALUES ('G1', pg_temp.bid('PB'), 1)$$,
    '23505', 'duplicate key value violates unique constraint "code_packs_pack_id_key"',
    'pack_id is unique'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.code_packs (pack_id, batch_id, quantity) VALUES ('X1', pg_temp.bid('PX'), 1)$$,
    'CD007', NULL, 'no pack in a CLOSED batch'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.code_packs (pack_id, batch_id, quantity, status) VALUES ('X2', pg_temp.bid('PB'), 1, 'READY')$$,
    'CD007', 'code_packs: a new row''s status must be one of {GENERATING}, not READY', 'a pack starts GENERATING'
);

-- codes: column rules
SELECT lives_ok($$SELECT pg_temp.add_code(pg_temp.pid('G1'), 'G1:3')$$, 'a well-formed code goes into a GENERATING pack');
SELECT throws_ok(
    $$INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
      VALUES (pg_temp.pid('G2'), pg_temp.cipher('c'), pg_temp.payload('PB', 'c'), substr(pg_temp.commit('c'), 1, 31),
              pg_temp.pubkey('pda:c'))$$,
    '23514', 'value for domain authenticity.bytes32 violates check constraint "bytes32_length_check"',
    'commitment is exactly 32 bytes'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
      VALUES (pg_temp.pid('G2'), pg_temp.cipher('c'), pg_temp.payload('PB', 'c'), pg_temp.commit('G1:1'),
              pg_temp.pubkey('pda:c'))$$,
    '23505', 'duplicate key value violates unique constraint "codes_commitment_key"',
    'commitment is unique'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
      VALUES (pg_temp.pid('G2'), pg_temp.cipher('c'), 'https://verify.example/v/PB/0OIl', pg_temp.commit('c'), '0OIl')$$,
    '23514', 'new row for relation "codes" violates check constraint "codes_onchain_code_pda_check"',
    'onchain_code_pda is a Solana address'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
      VALUES (pg_temp.pid('G2'), pg_temp.cipher('c'), pg_temp.payload('PB', 'G1:1'), pg_temp.commit('c'),
              pg_temp.pubkey('pda:G1:1'))$$,
    '23505', 'duplicate key value violates unique constraint "codes_onchain_code_pda_key"',
    'onchain_code_pda is unique'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
      VALUES (pg_temp.pid('G2'), pg_temp.cipher('c'), pg_temp.payload('PB', 'other'), pg_temp.commit('c'),
              pg_temp.pubkey('pda:c'))$$,
    '23514', 'new row for relation "codes" violates check constraint "codes_qr_payload_check"',
    'qr_payload ends with the row''s own PDA'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
      VALUES (pg_temp.pid('G2'), pg_temp.cipher('c'), pg_temp.payload('PB', 'c') || '#ABCDEFGHIJKLMNOPQRSTUVWXYZ',
              pg_temp.commit('c'), pg_temp.pubkey('pda:c'))$$,
    '23514', 'new row for relation "codes" violates check constraint "codes_qr_payload_check"',
    'qr_payload never carries the code itself'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
      VALUES (pg_temp.pid('G2'), pg_temp.cipher('c'), 'ftp://verify.example/v/PB/' || pg_temp.pubkey('pda:c'),
              pg_temp.commit('c'), pg_temp.pubkey('pda:c'))$$,
    '23514', 'new row for relation "codes" violates check constraint "codes_qr_payload_check"',
    'qr_payload is an https URL'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
      VALUES (pg_temp.pid('G2'), pg_temp.cipher('c'), pg_temp.payload('PX', 'c'), pg_temp.commit('c'),
              pg_temp.pubkey('pda:c'))$$,
    '23514', NULL,
    'qr_payload carries the public id of the code''s own batch (codes_qr_payload_batch_check)'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
      VALUES (pg_temp.pid('G2'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', pg_temp.payload('PB', 'c'), pg_temp.commit('c'),
              pg_temp.pubkey('pda:c'))$$,
    '23514', 'new row for relation "codes" violates check constraint "codes_code_plaintext_check"',
    'a clear code cannot be stored as code_plaintext'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
      VALUES (pg_temp.pid('G2'), substr(pg_temp.cipher('c'), 4), pg_temp.payload('PB', 'c'), pg_temp.commit('c'),
              pg_temp.pubkey('pda:c'))$$,
    '23514', 'new row for relation "codes" violates check constraint "codes_code_plaintext_check"',
    'code_plaintext needs the v1: ciphertext format'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
      VALUES (pg_temp.pid('G2'), 'v1:QUJDREVGR0g=', pg_temp.payload('PB', 'c'), pg_temp.commit('c'),
              pg_temp.pubkey('pda:c'))$$,
    '23514', 'new row for relation "codes" violates check constraint "codes_code_plaintext_check"',
    'code_plaintext is too short to hold a nonce, a tag and a code'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.codes (pack_id, code_plaintext, qr_payload, commitment, onchain_code_pda)
      VALUES ('00000000-0000-4000-8000-0000000000ff', NULL, pg_temp.payload('PB', 'c'), pg_temp.commit('c'),
              pg_temp.pubkey('pda:c'))$$,
    '23503', 'insert or update on table "codes" violates foreign key constraint "codes_pack_id_fkey"',
    'codes.pack_id references code_packs.id'
);

-- mark_code_pack_ready
SELECT throws_ok(
    $$SELECT authenticity.mark_code_pack_ready(pg_temp.pid('G2')) FROM (SELECT pg_temp.add_code(pg_temp.pid('G2'), 'extra')) AS x$$,
    'CD007', 'code_packs: pack G2 has 2 codes, not 1', 'READY needs exactly quantity codes (more fail)'
);
DELETE FROM authenticity.codes
WHERE commitment = pg_temp.commit('G1:3');
SELECT throws_ok($$SELECT authenticity.mark_code_pack_ready(pg_temp.pid('G1'))$$,
    'CD007', 'code_packs: pack G1 has 2 codes, not 3', 'READY needs exactly quantity codes (fewer fail)');
SELECT is((authenticity.mark_code_pack_ready(pg_temp.pid('G3'))).status::text, 'READY',
    'mark_code_pack_ready: GENERATING -> READY with all codes');
SELECT throws_ok($$SELECT pg_temp.add_code(pg_temp.pid('R1'), 'late')$$,
    'CD007', 'codes: pack R1 is READY, codes are added only while GENERATING', 'no code is added to a READY pack');
SELECT throws_ok($$SELECT authenticity.mark_code_pack_ready(pg_temp.pid('R1'))$$,
    'CD001', 'code_packs: status may not change from READY to READY', 'mark_code_pack_ready: not twice');
SELECT throws_ok($$SELECT authenticity.mark_code_pack_ready('00000000-0000-4000-8000-0000000000ff')$$,
    'CD005', NULL, 'mark_code_pack_ready: unknown pack');

-- the state machine by direct UPDATE: the 3 allowed moves
SELECT lives_ok($$UPDATE authenticity.code_packs SET status = 'READY' WHERE pack_id = 'G4'$$,
    'GENERATING -> READY is allowed');
SELECT lives_ok(
    $$UPDATE authenticity.code_packs SET status = 'DOWNLOADED', download_count = 1, downloaded_at = now()
      WHERE pack_id = 'R2'$$,
    'READY -> DOWNLOADED is allowed');
SELECT lives_ok(
    $$UPDATE authenticity.codes SET code_plaintext = NULL WHERE pack_id = pg_temp.pid('D1');
      UPDATE authenticity.code_packs SET status = 'PRINT_CONFIRMED', print_confirmed_at = now(), plaintext_purged_at = now()
      WHERE pack_id = 'D1';
      SET CONSTRAINTS authenticity.code_packs_plaintext_purged IMMEDIATE;
      SET CONSTRAINTS authenticity.code_packs_plaintext_purged DEFERRED$$,
    'DOWNLOADED -> PRINT_CONFIRMED is allowed once every plaintext is purged');
-- the 9 forbidden moves
SELECT throws_ok($$UPDATE authenticity.code_packs SET status = 'DOWNLOADED' WHERE pack_id = 'G2'$$,
    'CD001', 'code_packs: status may not change from GENERATING to DOWNLOADED', 'GENERATING -> DOWNLOADED is forbidden');
SELECT throws_ok($$UPDATE authenticity.code_packs SET status = 'PRINT_CONFIRMED' WHERE pack_id = 'G2'$$,
    'CD001', 'code_packs: status may not change from GENERATING to PRINT_CONFIRMED',
    'GENERATING -> PRINT_CONFIRMED is forbidden');
SELECT throws_ok($$UPDATE authenticity.code_packs SET status = 'GENERATING' WHERE pack_id = 'R3'$$,
    'CD001', 'code_packs: status may not change from READY to GENERATING', 'READY -> GENERATING is forbidden');
SELECT throws_ok($$UPDATE authenticity.code_packs SET status = 'PRINT_CONFIRMED' WHERE pack_id = 'R3'$$,
    'CD001', 'code_packs: status may not change from READY to PRINT_CONFIRMED', 'READY -> PRINT_CONFIRMED is forbidden');
SELECT throws_ok($$UPDATE authenticity.code_packs SET status = 'GENERATING' WHERE pack_id = 'D2'$$,
    'CD001', 'code_packs: status may not change from DOWNLOADED to GENERATING', 'DOWNLOADED -> GENERATING is forbidden');
SELECT throws_ok($$UPDATE authenticity.code_packs SET status = 'READY' WHERE pack_id = 'D2'$$,
    'CD001', 'code_packs: status may not change from DOWNLOADED to READY', 'DOWNLOADED -> READY is forbidden');
SELECT throws_ok($$UPDATE authenticity.code_packs SET status = 'GENERATING' WHERE pack_id = 'P1'$$,
    'CD001', 'code_packs: status may not change from PRINT_CONFIRMED to GENERATING',
    'PRINT_CONFIRMED -> GENERATING is forbidden');
SELECT throws_ok($$UPDATE authenticity.code_packs SET status = 'READY' WHERE pack_id = 'P1'$$,
    'CD001', 'code_packs: status may not change from PRINT_CONFIRMED to READY', 'PRINT_CONFIRMED -> READY is forbidden');
SELECT throws_ok($$UPDATE authenticity.code_packs SET status = 'DOWNLOADED' WHERE pack_id = 'P1'$$,
    'CD001', 'code_packs: status may not change from PRINT_CONFIRMED to DOWNLOADED',
    'PRINT_CONFIRMED -> DOWNLOADED is forbidden');

-- timestamps tied to statuses
SELECT throws_ok(
    $$UPDATE authenticity.code_packs SET status = 'DOWNLOADED', downloaded_at = now() WHERE pack_id = 'R3'$$,
    '23514', 'new row for relation "code_packs" violates check constraint "code_packs_download_count_check"',
    'a downloaded pack has a positive download_count'
);
SELECT throws_ok(
    $$UPDATE authenticity.code_packs SET download_count = 1, downloaded_at = now() WHERE pack_id = 'R3'$$,
    '23514', 'new row for relation "code_packs" violates check constraint "code_packs_downloaded_at_check"',
    'downloaded_at is set exactly from DOWNLOADED on'
);
SELECT throws_ok(
    $$UPDATE authenticity.codes SET code_plaintext = NULL WHERE pack_id = pg_temp.pid('D3');
      UPDATE authenticity.code_packs SET status = 'PRINT_CONFIRMED', print_confirmed_at = now() WHERE pack_id = 'D3'$$,
    '23514', 'new row for relation "code_packs" violates check constraint "code_packs_plaintext_purged_at_check"',
    'a PRINT_CONFIRMED pack has plaintext_purged_at'
);
SELECT throws_ok(
    $$UPDATE authenticity.codes SET code_plaintext = NULL WHERE pack_id = pg_temp.pid('D3');
      UPDATE authenticity.code_packs SET status = 'PRINT_CONFIRMED', print_confirmed_at = downloaded_at - interval '1 hour',
          plaintext_purged_at = now()
      WHERE pack_id = 'D3'$$,
    '23514', 'new row for relation "code_packs" violates check constraint "code_packs_print_confirmed_at_check"',
    'print_confirmed_at is not before downloaded_at'
);

-- record_code_pack_download
SELECT throws_ok($$SELECT authenticity.record_code_pack_download(pg_temp.pid('G2'))$$,
    'CD007', 'code_packs: pack G2 is GENERATING; downloads are counted from READY or DOWNLOADED',
    'no download while GENERATING');
SELECT common.freeze_clock('2030-01-01 10:00:00+00');
SELECT results_eq(
    $$SELECT status::text, download_count, downloaded_at
      FROM authenticity.record_code_pack_download(pg_temp.pid('R4'))$$,
    $$VALUES ('DOWNLOADED', 1, '2030-01-01 10:00:00+00'::timestamptz)$$,
    'the first download: READY -> DOWNLOADED, count 1, downloaded_at = the database''s clock'
);
SELECT common.freeze_clock('2030-01-01 11:00:00+00');
SELECT results_eq(
    $$SELECT status::text, download_count, downloaded_at
      FROM authenticity.record_code_pack_download(pg_temp.pid('R4'))$$,
    $$VALUES ('DOWNLOADED', 2, '2030-01-01 10:00:00+00'::timestamptz)$$,
    'a later download counts, downloaded_at keeps the first'
);
SELECT common.freeze_clock('2030-01-01 00:00:00+00');
SELECT throws_ok(
    $$SELECT authenticity.record_code_pack_download(pg_temp.pid('R5'))$$,
    'CD006', NULL, 'no download at download_expires_at'
);
SELECT common.freeze_clock('2029-12-31 23:59:59+00');
SELECT is(
    (authenticity.record_code_pack_download(pg_temp.pid('R5'))).download_count, 1,
    'a download before download_expires_at counts'
);
SELECT common.freeze_clock('2030-06-01 00:00:00+00');
SELECT throws_ok(
    $$SELECT authenticity.record_code_pack_download(pg_temp.pid('R5'))$$,
    'CD006', NULL, 'no download after download_expires_at, even once DOWNLOADED'
);
SELECT common.set_clock_offset('0');
SELECT throws_ok($$SELECT authenticity.record_code_pack_download(pg_temp.pid('P1'))$$,
    'CD007', 'code_packs: pack P1 is PRINT_CONFIRMED; downloads are counted from READY or DOWNLOADED',
    'no download after the print is confirmed');
SELECT throws_ok($$SELECT authenticity.record_code_pack_download('00000000-0000-4000-8000-0000000000ff')$$,
    'CD005', NULL, 'record_code_pack_download: unknown pack');

-- fixed columns and the growing counter
SELECT throws_ok($$UPDATE authenticity.code_packs SET download_count = download_count - 1 WHERE pack_id = 'D4'$$,
    'CD004', 'code_packs: download_count may not decrease (1 -> 0)', 'download_count never decreases');
SELECT throws_ok($$UPDATE authenticity.code_packs SET downloaded_at = downloaded_at + interval '1 minute' WHERE pack_id = 'D4'$$,
    'CD003', 'code_packs: downloaded_at may not change', 'downloaded_at never changes once set');
SELECT throws_ok($$UPDATE authenticity.code_packs SET pack_id = 'D4-renamed' WHERE pack_id = 'D4'$$,
    'CD003', 'code_packs: pack_id may not change', 'pack_id never changes');
SELECT throws_ok($$UPDATE authenticity.code_packs SET quantity = 5 WHERE pack_id = 'D4'$$,
    'CD003', 'code_packs: quantity may not change', 'quantity never changes');
SELECT throws_ok($$UPDATE authenticity.code_packs SET batch_id = pg_temp.bid('PX') WHERE pack_id = 'D4'$$,
    'CD003', 'code_packs: batch_id may not change', 'batch_id never changes');
SELECT throws_ok($$UPDATE authenticity.code_packs SET created_at = now() - interval '1 day' WHERE pack_id = 'D4'$$,
    'CD003', 'code_packs: created_at may not change', 'created_at never changes');

-- confirm_print and the purge
SELECT throws_ok($$SELECT authenticity.confirm_print(pg_temp.pid('R3'))$$,
    'CD001', 'code_packs: status may not change from READY to PRINT_CONFIRMED', 'confirm_print: only from DOWNLOADED');
SELECT common.freeze_clock('2031-01-01 00:00:00+00');
SELECT results_eq(
    $$SELECT status::text, print_confirmed_at, plaintext_purged_at
      FROM authenticity.confirm_print(pg_temp.pid('D5'))$$,
    $$VALUES ('PRINT_CONFIRMED', '2031-01-01 00:00:00+00'::timestamptz, '2031-01-01 00:00:00+00'::timestamptz)$$,
    'confirm_print: DOWNLOADED -> PRINT_CONFIRMED, print_confirmed_at = plaintext_purged_at = the database''s clock'
);
SELECT common.set_clock_offset('0');
SELECT is(
    (SELECT count(code_plaintext)::int FROM authenticity.codes
        WHERE pack_id = pg_temp.pid('D5')), 0,
    'confirm_print purges every code''s plaintext in the same transaction'
);
SELECT is(
    (SELECT count(code_plaintext)::int FROM authenticity.codes
        WHERE pack_id = pg_temp.pid('D6')), 2,
    'the codes of other packs keep theirs'
);
SELECT lives_ok($$SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED$$,
    'the deferred purge check passes after confirm_print');
SELECT throws_ok($$SELECT authenticity.confirm_print(pg_temp.pid('D5'))$$,
    'CD001', 'code_packs: status may not change from PRINT_CONFIRMED to PRINT_CONFIRMED', 'confirm_print: not twice');
SELECT throws_ok($$SELECT authenticity.confirm_print('00000000-0000-4000-8000-0000000000ff')$$,
    'CD005', NULL, 'confirm_print: unknown pack');
SELECT throws_ok(
    $$UPDATE authenticity.codes SET code_plaintext = pg_temp.cipher('back') WHERE pack_id = pg_temp.pid('D5')$$,
    'CD008', NULL, 'plaintext is never written back to a code of a confirmed pack (codes_plaintext_purged)'
);
SELECT throws_ok($$SELECT pg_temp.add_code(pg_temp.pid('P1'), 'late with plaintext')$$,
    'CD008', 'codes: pack P1 is purged; plaintext may not be written to it',
    'no code with plaintext enters a purged pack');
SELECT throws_ok($$SELECT pg_temp.add_code(pg_temp.pid('P1'), 'late without plaintext', false)$$,
    'CD007', 'codes: pack P1 is PRINT_CONFIRMED, codes are added only while GENERATING',
    'no code at all enters a confirmed pack');
SELECT throws_ok(
    $$UPDATE authenticity.code_packs SET status = 'PRINT_CONFIRMED', print_confirmed_at = now(), plaintext_purged_at = now()
      WHERE pack_id = 'D7';
      SET CONSTRAINTS authenticity.code_packs_plaintext_purged IMMEDIATE$$,
    'CD008', 'code_packs: pack D7 is PRINT_CONFIRMED but codes still hold plaintext',
    'a PRINT_CONFIRMED pack whose codes keep plaintext is refused (deferred check)'
);
SELECT lives_ok(
    $$UPDATE authenticity.codes SET code_plaintext = pg_temp.cipher('rotated') WHERE pack_id = pg_temp.pid('D6')$$,
    'before the print is confirmed, plaintext may be re-encrypted'
);

-- codes never change otherwise
SELECT throws_ok(
    $$UPDATE authenticity.codes SET qr_payload = pg_temp.payload('PB', 'D8:1') || 'x' WHERE commitment = pg_temp.commit('D8:1')$$,
    'CD003', 'codes: qr_payload may not change', 'qr_payload never changes');
SELECT throws_ok(
    $$UPDATE authenticity.codes SET commitment = pg_temp.commit('moved') WHERE commitment = pg_temp.commit('D8:1')$$,
    'CD003', 'codes: commitment may not change', 'commitment never changes');
SELECT throws_ok(
    $$UPDATE authenticity.codes SET onchain_code_pda = pg_temp.pubkey('moved') WHERE commitment = pg_temp.commit('D8:1')$$,
    'CD003', 'codes: onchain_code_pda may not change', 'onchain_code_pda never changes');
SELECT throws_ok(
    $$UPDATE authenticity.codes SET pack_id = pg_temp.pid('D9') WHERE commitment = pg_temp.commit('D8:1')$$,
    'CD003', 'codes: pack_id may not change', 'a code never moves to another pack');

SELECT * FROM finish();
ROLLBACK;
