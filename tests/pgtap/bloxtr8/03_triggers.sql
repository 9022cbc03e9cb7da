-- bloxtr8: the triggers. Every column declared immutable (common.immutable_columns) refuses a change (CD003
-- <table>_<column>_immutable), a set-once one may be set from NULL once; the append-only tables refuse UPDATE,
-- DELETE and TRUNCATE to every role; every updated_at trigger stamps the database's time; and the schema's
-- own triggers: contracts_offer_accepted (CD007), contract_execution_jobs_attempts_monotonic (CD004) and the
-- deferred escrows_rail_detail triggers (23514 at commit).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(139);
\ir ../helpers.psql
\ir fixtures.psql

-- A row in every table.
SELECT pg_temp.keep('e_stripe', e.id) FROM bloxtr8.create_escrow('d2_c', 'pi_d2', NULL) AS e;
SELECT pg_temp.keep('e_usdc', e.id)
FROM bloxtr8.create_escrow('d3_c', NULL, '0x00000000000000000000000000000000000000d3') AS e;
SELECT * FROM bloxtr8.fund_escrow(pg_temp.b8_id('e_usdc'), '0x' || repeat('d3', 32));
SELECT * FROM bloxtr8.dispute_escrow(pg_temp.b8_id('e_usdc'), 'u_buyer', 'never delivered');
SELECT * FROM bloxtr8.refund_escrow(pg_temp.b8_id('e_usdc'), NULL, '0x' || repeat('3d', 32), 'refunded');
SELECT * FROM bloxtr8.fund_escrow(pg_temp.b8_id('e_stripe'));
SELECT * FROM bloxtr8.add_escrow_milestone(pg_temp.b8_id('e_stripe'), 'half', 250000);
SELECT * FROM bloxtr8.deliver_escrow(pg_temp.b8_id('e_stripe'), 'u_seller', 'sent');
SELECT * FROM bloxtr8.release_escrow_milestone((SELECT id FROM bloxtr8.milestone_escrows));
SELECT * FROM bloxtr8.release_escrow(pg_temp.b8_id('e_stripe'), 'tr_d2');
INSERT INTO bloxtr8.sessions (id, token, user_id, expires_at)
VALUES ('s_1', encode(sha256('s1'), 'hex'), 'u_buyer', now() + interval '1 day');
SELECT * FROM bloxtr8.attach_contract_pdf('d2_c', 'https://s3.example/d2.pdf', repeat('d2', 32));
SELECT bloxtr8.issue_sign_token('d1_c', 'u_buyer');
UPDATE bloxtr8.contract_sign_tokens SET used_at = now();
SELECT * FROM bloxtr8.complete_asset_verification(
    (SELECT v.id FROM bloxtr8.start_asset_verification('u_seller', '4242', 'ROBLOX_API') AS v), true, 'OWNER', '{}'
);
SELECT * FROM bloxtr8.publish_contract_template('1.1.0', 'Roblox Asset Sale Agreement', '{"clauses": []}');
SELECT * FROM bloxtr8.create_roblox_snapshot('4242', 'Game', 'd2_l');
-- a counter-offer with conditions; a contract with asset data; a USDC escrow released, a Stripe one refunded
SELECT pg_temp.keep('l_open', l.id) FROM bloxtr8.create_listing('u_seller', 'Open', 'Open game', 100, 'obby') AS l;
SELECT pg_temp.keep('o_first', o.id)
FROM bloxtr8.make_offer(pg_temp.b8_id('l_open'), 'u_buyer', 90, interval '1 hour', 'with the group') AS o;
SELECT * FROM bloxtr8.counter_offer(pg_temp.b8_id('o_first'), 'u_seller', 95, interval '1 hour', 'no group');
INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id)
VALUES ('o_data', 1, now() + interval '1 hour', 'd1_l', 'u_other', 'u_seller');
UPDATE bloxtr8.offers SET status = 'ACCEPTED'
WHERE id = 'o_data';
INSERT INTO bloxtr8.contracts (offer_id, roblox_asset_data) VALUES ('o_data', '{"game": "4242"}');
SELECT pg_temp.deal('d8', 3000000, 'EXECUTED');
SELECT pg_temp.keep('e_d8', e.id)
FROM bloxtr8.create_escrow('d8_c', NULL, '0x00000000000000000000000000000000000000d8') AS e;
SELECT * FROM bloxtr8.fund_escrow(pg_temp.b8_id('e_d8'), '0x' || repeat('d8', 32));
SELECT * FROM bloxtr8.deliver_escrow(pg_temp.b8_id('e_d8'), 'u_seller', NULL);
SELECT * FROM bloxtr8.release_escrow(pg_temp.b8_id('e_d8'), NULL, '0x' || repeat('8d', 32));
SELECT pg_temp.deal('d9', 9000, 'EXECUTED');
SELECT pg_temp.keep('e_d9', e.id) FROM bloxtr8.create_escrow('d9_c', 'pi_d9', NULL) AS e;
SELECT * FROM bloxtr8.fund_escrow(pg_temp.b8_id('e_d9'));
SELECT * FROM bloxtr8.dispute_escrow(pg_temp.b8_id('e_d9'), 'u_seller', 'buyer vanished');
SELECT * FROM bloxtr8.refund_escrow(pg_temp.b8_id('e_d9'), 're_d9');

-- Immutable columns, generically: every declared column of a row that has a value is changed to another value
-- of its type (enums with one label aside); the trigger refuses it, naming the column.
CREATE FUNCTION pg_temp.changed(p_table regclass, p_column name)
RETURNS text
LANGUAGE sql
AS $fn$
    SELECT CASE format_type(a.atttypid, NULL)
        WHEN 'text' THEN format('%I || ''x''', p_column)
        WHEN 'integer' THEN format('%I + 1', p_column)
        WHEN 'bigint' THEN format('%I + 1', p_column)
        WHEN 'timestamp with time zone' THEN format('%I + interval ''1 second''', p_column)
        WHEN 'jsonb' THEN format('%I || ''{"changed": true}''', p_column)
        WHEN 'bloxtr8.escrow_rail' THEN format('CASE %1$I WHEN ''STRIPE'' THEN ''USDC_BASE'' ELSE ''STRIPE'' END::%2$s',
            p_column, format_type(a.atttypid, NULL))
    END
    FROM pg_attribute AS a
    WHERE a.attrelid = p_table AND a.attname = p_column
$fn$;

CREATE TEMP TABLE immutable_case ON COMMIT DROP AS
SELECT
    i.table_name,
    i.column_name,
    i.set_once,
    format(
        'UPDATE bloxtr8.%I SET %I = %s WHERE ctid = (SELECT ctid FROM bloxtr8.%1$I WHERE %2$I IS NOT NULL LIMIT 1)',
        i.table_name, i.column_name, pg_temp.changed(format('bloxtr8.%I', i.table_name)::regclass, i.column_name))
        AS statement
FROM common.immutable_columns AS i
WHERE i.schema_name = 'bloxtr8' AND pg_temp.changed(format('bloxtr8.%I', i.table_name)::regclass, i.column_name) IS NOT NULL;

CREATE FUNCTION pg_temp.has_value(p_table text, p_column text)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_found boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT FROM bloxtr8.%I WHERE %I IS NOT NULL)', p_table, p_column) INTO v_found;
    RETURN v_found;
END
$fn$;

SELECT is(
    CASE WHEN pg_temp.has_value(c.table_name, c.column_name) THEN pg_temp.try(c.statement) ELSE 'no row to try' END,
    format('CD003 %s_%s_immutable', c.table_name, c.column_name),
    format('%s.%s %s', c.table_name, c.column_name,
        CASE WHEN c.set_once THEN 'never changes once set' ELSE 'never changes' END)
)
FROM pg_temp.immutable_case AS c
ORDER BY c.table_name, c.column_name;
SELECT is(
    (SELECT count(*)::integer FROM common.immutable_columns AS i
     WHERE i.schema_name = 'bloxtr8')
    - (SELECT count(*)::integer FROM pg_temp.immutable_case),
    2,
    'every immutable column of bloxtr8 is tested above but offers.currency and escrows.currency (USD, the only label)'
);
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.contracts
     WHERE pdf_url IS NULL AND id = 'd1_c'), 1,
    'd1_c has no PDF yet'
);
SELECT is(
    pg_temp.try($$UPDATE bloxtr8.contracts SET pdf_url = 's3://b/d1.pdf', sha256 = repeat('d1', 32) WHERE id = 'd1_c'$$),
    'ok',
    'a set-once column may be set from NULL (contracts.pdf_url and sha256)'
);
SELECT is(
    pg_temp.try($$UPDATE bloxtr8.users SET name = 'Renamed', phone = '+1' WHERE id = 'u_buyer'$$), 'ok',
    'columns not declared immutable change freely (users.name, phone)'
);

-- Append-only tables: UPDATE, DELETE, TRUNCATE refused to the owner as well (CD003 <table>_append_only).
SELECT is(pg_temp.try(format('UPDATE bloxtr8.%I SET id = id', t)), format('CD003 %s_append_only', t),
    format('%s rows are never updated', t))
FROM unnest(ARRAY['signatures', 'roblox_snapshots', 'audit_logs']) AS t;
SELECT is(pg_temp.try(format('DELETE FROM bloxtr8.%I', t)), format('CD003 %s_append_only', t),
    format('%s rows are never deleted', t))
FROM unnest(ARRAY['signatures', 'roblox_snapshots', 'audit_logs']) AS t;
SELECT throws_ok(
    format($$SELECT pg_temp.as_role('chaindb_owner', 'TRUNCATE bloxtr8.%I CASCADE')$$, t),
    'CD003', NULL, format('not even the owner truncates %s', t)
)
FROM unnest(ARRAY['signatures', 'roblox_snapshots', 'audit_logs']) AS t;
SELECT is(
    (SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class AS c
     WHERE c.relnamespace = 'bloxtr8'::regnamespace AND obj_description(c.oid, 'pg_class') ILIKE '%append-only%'),
    (SELECT array_agg(a.table_name ORDER BY a.table_name) FROM common.append_only_tables AS a
     WHERE a.schema_name = 'bloxtr8'),
    'the tables that say they are append-only are exactly those declared so'
);

-- updated_at: every trigger stamps the database's time, whatever the statement writes.
CREATE FUNCTION pg_temp.stamped(p_table text)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_stamp timestamptz;
BEGIN
    EXECUTE format(
        'UPDATE bloxtr8.%1$I SET updated_at = ''2000-01-01'' WHERE ctid = (SELECT ctid FROM bloxtr8.%1$I LIMIT 1) '
        'RETURNING updated_at', p_table
    ) INTO v_stamp;
    RETURN v_stamp = now();
END
$fn$;

SELECT ok(pg_temp.stamped(c.relname), format('%s_updated_at stamps updated_at with the database''s time', c.relname))
FROM pg_class AS c
WHERE c.relnamespace = 'bloxtr8'::regnamespace AND c.relkind = 'r'
  AND EXISTS (
      SELECT FROM pg_attribute AS a
      WHERE a.attrelid = c.oid AND a.attname = 'updated_at'
  )
ORDER BY c.relname;

-- contracts_offer_accepted
INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id)
VALUES ('o_pending', 1, now() + interval '1 hour', 'd1_l', 'u_other', 'u_seller');
SELECT is(
    pg_temp.error_fields($$INSERT INTO bloxtr8.contracts (offer_id) VALUES ('o_pending')$$),
    ARRAY['CD007', 'contracts_offer_accepted', 'contracts', 'offer_id=o_pending status=PENDING'],
    'a contract is made only from an ACCEPTED offer (CD007 contracts_offer_accepted)'
);
UPDATE bloxtr8.offers SET status = 'ACCEPTED'
WHERE id = 'o_pending';
SELECT is(
    pg_temp.try($$INSERT INTO bloxtr8.contracts (offer_id) VALUES ('o_pending')$$), 'ok',
    'once the offer is ACCEPTED, its contract is made'
);

-- contract_execution_jobs_attempts_monotonic
SELECT is(
    pg_temp.error_fields($$UPDATE bloxtr8.contract_execution_jobs SET attempts = 0 WHERE id = 'd2_j'$$),
    ARRAY['CD004', 'contract_execution_jobs_attempts_regression', 'contract_execution_jobs', 'from=1 to=0'],
    'attempts never decreases (CD004)'
);
SELECT is(
    pg_temp.try($$UPDATE bloxtr8.contract_execution_jobs SET attempts = 2 WHERE id = 'd2_j'$$), 'ok',
    'attempts may grow'
);

-- escrows_rail_detail: deferred to commit (SET CONSTRAINTS ... IMMEDIATE checks now).
SELECT is(
    pg_temp.try($$SET CONSTRAINTS ALL IMMEDIATE$$), 'ok',
    'the escrows made by bloxtr8.create_escrow have exactly their rail''s detail row'
);
SELECT pg_temp.deal('d5', 500000, 'EXECUTED');
SELECT pg_temp.deal('d6', 5000000, 'EXECUTED');
SELECT is(
    pg_temp.try($$INSERT INTO bloxtr8.escrows (rail, amount, offer_id, contract_id) VALUES ('STRIPE', 500000, 'd5_o', 'd5_c');
                  SET CONSTRAINTS ALL IMMEDIATE$$),
    '23514 escrows_rail_detail',
    'a STRIPE escrow without its stripe_escrows row is refused at commit'
);
SELECT is(
    pg_temp.try($$WITH e AS (INSERT INTO bloxtr8.escrows (rail, amount, offer_id, contract_id)
                             VALUES ('STRIPE', 500000, 'd5_o', 'd5_c') RETURNING id)
                  INSERT INTO bloxtr8.stripe_escrows (payment_intent_id, escrow_id) SELECT 'pi_d5', id FROM e;
                  SET CONSTRAINTS ALL IMMEDIATE$$),
    'ok',
    'a STRIPE escrow with its stripe_escrows row passes'
);
SELECT is(
    pg_temp.try($$WITH e AS (INSERT INTO bloxtr8.escrows (rail, amount, offer_id, contract_id)
                             VALUES ('STRIPE', 500000, 'd5_o', 'd5_c') RETURNING id),
                  s AS (INSERT INTO bloxtr8.stripe_escrows (payment_intent_id, escrow_id) SELECT 'pi_d5', id FROM e)
                  INSERT INTO bloxtr8.stablecoin_escrows (deposit_addr, escrow_id) SELECT '0x' || repeat('d5', 20), id FROM e;
                  SET CONSTRAINTS ALL IMMEDIATE$$),
    '23514 escrows_rail_detail',
    'a STRIPE escrow with a stablecoin_escrows row as well is refused'
);
SELECT is(
    pg_temp.try($$WITH e AS (INSERT INTO bloxtr8.escrows (rail, amount, offer_id, contract_id)
                             VALUES ('USDC_BASE', 5000000, 'd6_o', 'd6_c') RETURNING id)
                  INSERT INTO bloxtr8.stripe_escrows (payment_intent_id, escrow_id) SELECT 'pi_d6', id FROM e;
                  SET CONSTRAINTS ALL IMMEDIATE$$),
    '23514 escrows_rail_detail',
    'a USDC_BASE escrow with a Stripe row instead of its stablecoin row is refused'
);
SELECT is(
    pg_temp.try($$WITH e AS (INSERT INTO bloxtr8.escrows (rail, amount, offer_id, contract_id)
                             VALUES ('USDC_BASE', 5000000, 'd6_o', 'd6_c') RETURNING id)
                  INSERT INTO bloxtr8.stablecoin_escrows (deposit_addr, escrow_id) SELECT '0x' || repeat('d6', 20), id FROM e;
                  SET CONSTRAINTS ALL IMMEDIATE$$),
    'ok',
    'a USDC_BASE escrow with its stablecoin_escrows row passes'
);
-- The escrows created above are checked now, for good (their escrows_rail_detail events fire and pass): from here
-- on a detail row's own trigger (stripe_escrows_rail_detail, stablecoin_escrows_rail_detail) is the one that refuses.
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT is(
    pg_temp.try($$DELETE FROM bloxtr8.stripe_escrows WHERE payment_intent_id = 'pi_d2'; SET CONSTRAINTS ALL IMMEDIATE$$),
    '23514 escrows_rail_detail',
    'a STRIPE escrow''s detail row is not removed'
);
SELECT is(
    pg_temp.try(format($$DELETE FROM bloxtr8.stablecoin_escrows WHERE escrow_id = %L; SET CONSTRAINTS ALL IMMEDIATE$$,
        pg_temp.b8_id('e_usdc'))),
    '23514 escrows_rail_detail',
    'a USDC_BASE escrow''s detail row is not removed'
);
SELECT is(
    pg_temp.try(format($$INSERT INTO bloxtr8.stablecoin_escrows (deposit_addr, escrow_id) VALUES ('0x' || repeat('ee', 20), %L);
                  SET CONSTRAINTS ALL IMMEDIATE$$, pg_temp.b8_id('e_stripe'))),
    '23514 escrows_rail_detail',
    'a stablecoin row is not added to a STRIPE escrow'
);

SELECT * FROM finish();
ROLLBACK;
