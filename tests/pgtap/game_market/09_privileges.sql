-- game_market: privileges. chaindb_app writes the catalog through column grants and every rule-carrying move through
-- the SECURITY DEFINER functions; chaindb_readonly reads everything but the secrets (the guests' receipt codes, the
-- salt of the IP hashes). Nothing for PUBLIC: tests/python/test_roles.py, for every schema.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(27);
\ir ../helpers.psql
\ir fixtures.psql

SELECT set_eq(
    $$SELECT c.relname::text, r.rolname::text, a.privilege_type::text
      FROM pg_class AS c, aclexplode(c.relacl) AS a, pg_roles AS r
      WHERE c.relnamespace = 'game_market'::regnamespace AND r.oid = a.grantee
        AND r.rolname IN ('chaindb_app', 'chaindb_readonly')$$,
    $$VALUES
        ('users', 'chaindb_app', 'SELECT'), ('developer_profiles', 'chaindb_app', 'SELECT'),
        ('games', 'chaindb_app', 'SELECT'), ('releases', 'chaindb_app', 'SELECT'),
        ('build_assets', 'chaindb_app', 'SELECT'), ('purchases', 'chaindb_app', 'SELECT'),
        ('entitlements', 'chaindb_app', 'SELECT'), ('download_events', 'chaindb_app', 'SELECT'),
        ('ledger_entries', 'chaindb_app', 'SELECT'), ('payouts', 'chaindb_app', 'SELECT'),
        ('fee_rates', 'chaindb_app', 'SELECT'),
        ('users', 'chaindb_readonly', 'SELECT'), ('developer_profiles', 'chaindb_readonly', 'SELECT'),
        ('games', 'chaindb_readonly', 'SELECT'), ('releases', 'chaindb_readonly', 'SELECT'),
        ('build_assets', 'chaindb_readonly', 'SELECT'), ('download_events', 'chaindb_readonly', 'SELECT'),
        ('ledger_entries', 'chaindb_readonly', 'SELECT'), ('payouts', 'chaindb_readonly', 'SELECT'),
        ('fee_rates', 'chaindb_readonly', 'SELECT')
    $$,
    'table-level grants: SELECT only (writes are column grants or functions; no table-wide INSERT, UPDATE or DELETE)'
);
SELECT set_eq(
    $$SELECT c.relname::text, t.attname::text, r.rolname::text, a.privilege_type::text
      FROM pg_class AS c INNER JOIN pg_attribute AS t ON t.attrelid = c.oid, aclexplode(t.attacl) AS a, pg_roles AS r
      WHERE c.relnamespace = 'game_market'::regnamespace AND r.oid = a.grantee$$,
    $$SELECT t, c, r, p FROM (VALUES
        ('users', '{pubkey,display_name,avatar_url}', 'chaindb_app', 'INSERT'),
        ('users', '{display_name,avatar_url}', 'chaindb_app', 'UPDATE'),
        ('developer_profiles', '{user_id,payout_ln_address}', 'chaindb_app', 'INSERT'),
        ('developer_profiles', '{payout_ln_address}', 'chaindb_app', 'UPDATE'),
        ('games', '{developer_user_id,slug,title,summary,description_md}', 'chaindb_app', 'INSERT'),
        ('games', '{slug,title,summary,description_md}', 'chaindb_app', 'UPDATE'),
        ('releases', '{game_id,version,release_notes_md}', 'chaindb_app', 'INSERT'),
        ('releases', '{release_notes_md}', 'chaindb_app', 'UPDATE'),
        ('build_assets', '{release_id,object_key,sha256,size_bytes,content_type}', 'chaindb_app', 'INSERT'),
        ('purchases', '{id,buyer_user_id,game_id,invoice_provider,invoice_id,status,amount_msat,paid_at,created_at,updated_at}',
         'chaindb_readonly', 'SELECT'),
        ('entitlements', '{id,purchase_id,buyer_user_id,game_id,granted_at,revoked_at}', 'chaindb_readonly', 'SELECT'),
        ('ip_hash_salt', '{id,rotated_at}', 'chaindb_readonly', 'SELECT')
      ) AS g (t, cs, r, p), unnest(cs::text []) AS c$$,
    'column grants: the app writes no status, no publication time, no money; readonly reads all but the secrets'
);
SELECT set_eq(
    $$SELECT p.oid::regprocedure::text, r.rolname::text
      FROM pg_proc AS p, aclexplode(p.proacl) AS a, pg_roles AS r
      WHERE p.pronamespace = 'game_market'::regnamespace AND r.oid = a.grantee
        AND r.rolname IN ('chaindb_app', 'chaindb_readonly') AND a.privilege_type = 'EXECUTE'$$,
    $$VALUES
        ('game_market.is_pubkey(text)', 'chaindb_app'), ('game_market.is_pubkey(text)', 'chaindb_readonly'),
        ('game_market.is_lightning_address(text)', 'chaindb_app'),
        ('game_market.is_lightning_address(text)', 'chaindb_readonly'),
        ('game_market.fee_bps_for_game(uuid)', 'chaindb_app'), ('game_market.fee_bps_for_game(uuid)', 'chaindb_readonly'),
        ('game_market.publish_release(uuid)', 'chaindb_app'), ('game_market.publish_game(uuid)', 'chaindb_app'),
        ('game_market.unlist_game(uuid)', 'chaindb_app'), ('game_market.create_payout(uuid)', 'chaindb_app'),
        ('game_market.claim_payouts(integer)', 'chaindb_app'), ('game_market.complete_payout(uuid)', 'chaindb_app'),
        ('game_market.fail_payout(uuid,integer,text)', 'chaindb_app'),
        ('game_market.create_purchase(uuid,uuid,text,text,bigint)', 'chaindb_app'),
        ('game_market.settle_invoice(text,text)', 'chaindb_app'), ('game_market.expire_invoice(text,text)', 'chaindb_app'),
        ('game_market.refund_purchase(uuid)', 'chaindb_app'),
        ('game_market.record_download(uuid,uuid,inet,text)', 'chaindb_app')
    $$,
    'EXECUTE: the rule functions to the app only; the checks and the fee rate to both roles'
);

SELECT pg_temp.gm_store('pia') AS game \gset
SELECT id AS guest_p FROM game_market.create_purchase(:'game', NULL, 'lnbits', 'inv-guest', 100) \gset
SELECT FROM game_market.settle_invoice('lnbits', 'inv-guest');
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_readonly', 'SELECT guest_receipt_code FROM game_market.purchases')$$,
    '42501', NULL, 'readonly cannot read a purchase''s receipt code');
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_readonly', 'SELECT guest_receipt_code FROM game_market.entitlements')$$,
    '42501', NULL, 'readonly cannot read an entitlement''s receipt code');
SELECT lives_ok(
    $$SELECT pg_temp.as_role('chaindb_readonly',
        'SELECT p.id, p.status, p.amount_msat, e.revoked_at FROM game_market.purchases AS p
         JOIN game_market.entitlements AS e ON e.purchase_id = p.id')$$,
    'readonly reads the rest of purchases and entitlements'
);
SELECT throws_ok(pg_temp.gm_as_app($$UPDATE game_market.users SET pubkey = 'x'$$), '42501', NULL,
    'the app does not change a user''s key');
SELECT throws_ok(pg_temp.gm_as_app($$UPDATE game_market.games SET developer_user_id = NULL$$), '42501', NULL,
    'the app does not move a game to another developer');
SELECT throws_ok(pg_temp.gm_as_app($$UPDATE game_market.payouts SET destination_ln_address = 'x@y.example.com'$$), '42501',
    NULL, 'the app does not redirect a payout');
SELECT throws_ok(pg_temp.gm_as_app($$UPDATE game_market.purchases SET amount_msat = 1$$), '42501', NULL,
    'the app does not change what was paid');
SELECT throws_ok(pg_temp.gm_as_app($$DELETE FROM game_market.games$$), '42501', NULL, 'the app deletes nothing');
SELECT throws_ok(pg_temp.gm_as_app($$UPDATE game_market.build_assets SET sha256 = repeat('0', 64)$$), '42501', NULL,
    'the app does not swap a build');
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_readonly', 'SELECT game_market.settle_invoice(''lnbits'', ''x'')')$$,
    '42501', NULL, 'readonly runs no rule function');
SELECT throws_ok($$SELECT pg_temp.as_role('chaindb_readonly', 'INSERT INTO game_market.users (pubkey) VALUES (''x'')')$$,
    '42501', NULL, 'readonly writes nothing');

-- the app runs every rule function, each as its owner (SECURITY DEFINER): the app may not write what they write
SELECT pg_temp.gm_game(pg_temp.gm_developer('pid'), 'pid-game') AS ag \gset
SELECT pg_temp.gm_release(:'ag', '1.0.0', true, false) AS ar \gset
SELECT lives_ok(pg_temp.gm_as_app(format('SELECT game_market.publish_release(%L)', :'ar')),
    'the app publishes a release (publish_release)');
SELECT lives_ok(pg_temp.gm_as_app(format('SELECT game_market.publish_game(%L)', :'ag')),
    'the app publishes a game (publish_game)');
SELECT lives_ok(
    pg_temp.gm_as_app(format($$SELECT game_market.create_purchase(%L, NULL, 'lnbits', 'inv-app-1', 1000)$$, :'ag')),
    'the app creates a purchase (create_purchase)'
);
SELECT pg_temp.gm_buy(:'ag', NULL, 'inv-app-2', 1000) AS app2 \gset
SELECT lives_ok(pg_temp.gm_as_app($$SELECT game_market.settle_invoice('lnbits', 'inv-app-1')$$),
    'the app settles an invoice (settle_invoice)');
SELECT lives_ok(pg_temp.gm_as_app($$SELECT game_market.expire_invoice('lnbits', 'inv-app-2')$$),
    'the app expires an invoice (expire_invoice)');
SELECT
    p.id AS app1,
    e.id AS app1_e
FROM game_market.purchases AS p INNER JOIN game_market.entitlements AS e ON p.id = e.purchase_id
WHERE p.invoice_id = 'inv-app-1' \gset
SELECT lives_ok(
    pg_temp.gm_as_app(format($$SELECT game_market.record_download(%L, %L, '10.0.0.1', 'ua')$$, :'app1_e', :'ar')),
    'the app records a download (record_download)'
);
SELECT lives_ok(pg_temp.gm_as_app('SELECT game_market.claim_payouts(10)'), 'the app claims payouts (claim_payouts)');
SELECT lives_ok(
    pg_temp.gm_as_app(format(
        'SELECT game_market.complete_payout(po.id) FROM game_market.payouts AS po WHERE po.purchase_id = %L', :'guest_p'
    )),
    'the app completes a payout (complete_payout)'
);
SELECT lives_ok(
    pg_temp.gm_as_app(format(
        $$SELECT game_market.fail_payout(po.id, 1, 'no route') FROM game_market.payouts AS po WHERE po.purchase_id = %L$$,
        :'app1'
    )),
    'the app fails a payout attempt (fail_payout)'
);
SELECT lives_ok(pg_temp.gm_as_app(format('SELECT game_market.refund_purchase(%L)', :'app1')),
    'the app refunds a purchase (refund_purchase)');
DELETE FROM game_market.payouts
WHERE purchase_id = :'guest_p';
SELECT lives_ok(pg_temp.gm_as_app(format('SELECT game_market.create_payout(%L)', :'guest_p')),
    'the app creates a paid purchase''s missing payout (create_payout)');
SELECT lives_ok(pg_temp.gm_as_app(format('SELECT game_market.unlist_game(%L)', :'ag')),
    'the app unlists a game (unlist_game)');
SELECT results_eq(
    format($$SELECT
        (SELECT status::text FROM game_market.purchases WHERE id = %1$L),
        (SELECT status::text FROM game_market.purchases WHERE id = %2$L),
        (SELECT status::text FROM game_market.payouts WHERE purchase_id = %1$L),
        (SELECT status::text FROM game_market.payouts WHERE purchase_id = %3$L),
        (SELECT count(*) FROM game_market.download_events WHERE entitlement_id = %4$L),
        (SELECT status::text FROM game_market.games WHERE id = %5$L)$$,
        :'app1', :'app2', :'guest_p', :'app1_e', :'ag'),
    $$VALUES ('refunded', 'expired', 'cancelled', 'pending', 1::bigint, 'unlisted')$$,
    'each call did its move'
);

SELECT * FROM finish();
ROLLBACK;
