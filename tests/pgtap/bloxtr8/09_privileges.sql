-- bloxtr8: privileges. chaindb_app reads every table (but the token hashes) and writes directly only what carries
-- no rule (sign-up fields of users, OAuth accounts, sessions, guilds and memberships, its own audit entries); every
-- other write goes through the SECURITY DEFINER rule functions. chaindb_readonly reads everything but the secrets
-- (OAuth tokens, password hashes, session and sign-token hashes). Nothing for PUBLIC: tests/python/test_roles.py.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(45);
\ir ../helpers.psql
\ir fixtures.psql

SELECT set_eq(
    $$SELECT c.relname::text, r.rolname::text, a.privilege_type::text
      FROM pg_class AS c, aclexplode(c.relacl) AS a, pg_roles AS r
      WHERE c.relnamespace = 'bloxtr8'::regnamespace AND r.oid = a.grantee
        AND r.rolname IN ('chaindb_app', 'chaindb_readonly')$$,
    $$SELECT t, r, p FROM (VALUES
        ('accounts', 'chaindb_app', '{SELECT}'),
        ('asset_verifications', 'chaindb_app', '{SELECT}'),
        ('audit_logs', 'chaindb_app', '{SELECT}'),
        ('contract_execution_jobs', 'chaindb_app', '{SELECT}'),
        ('contract_templates', 'chaindb_app', '{SELECT}'),
        ('contracts', 'chaindb_app', '{SELECT}'),
        ('cuid_counter_seq', 'chaindb_app', '{USAGE}'),
        ('deliveries', 'chaindb_app', '{SELECT}'),
        ('disputes', 'chaindb_app', '{SELECT}'),
        ('escrows', 'chaindb_app', '{SELECT}'),
        ('guild_members', 'chaindb_app', '{DELETE,SELECT}'),
        ('guilds', 'chaindb_app', '{SELECT}'),
        ('listings', 'chaindb_app', '{SELECT}'),
        ('milestone_escrows', 'chaindb_app', '{SELECT}'),
        ('offers', 'chaindb_app', '{SELECT}'),
        ('roblox_snapshots', 'chaindb_app', '{SELECT}'),
        ('sessions', 'chaindb_app', '{DELETE,SELECT}'),
        ('signatures', 'chaindb_app', '{SELECT}'),
        ('stablecoin_escrows', 'chaindb_app', '{SELECT}'),
        ('stripe_escrows', 'chaindb_app', '{SELECT}'),
        ('users', 'chaindb_app', '{SELECT}'),
        ('asset_verifications', 'chaindb_readonly', '{SELECT}'),
        ('audit_logs', 'chaindb_readonly', '{SELECT}'),
        ('contract_execution_jobs', 'chaindb_readonly', '{SELECT}'),
        ('contract_templates', 'chaindb_readonly', '{SELECT}'),
        ('contracts', 'chaindb_readonly', '{SELECT}'),
        ('deliveries', 'chaindb_readonly', '{SELECT}'),
        ('disputes', 'chaindb_readonly', '{SELECT}'),
        ('escrows', 'chaindb_readonly', '{SELECT}'),
        ('guild_members', 'chaindb_readonly', '{SELECT}'),
        ('guilds', 'chaindb_readonly', '{SELECT}'),
        ('listings', 'chaindb_readonly', '{SELECT}'),
        ('milestone_escrows', 'chaindb_readonly', '{SELECT}'),
        ('offers', 'chaindb_readonly', '{SELECT}'),
        ('roblox_snapshots', 'chaindb_readonly', '{SELECT}'),
        ('signatures', 'chaindb_readonly', '{SELECT}'),
        ('stablecoin_escrows', 'chaindb_readonly', '{SELECT}'),
        ('stripe_escrows', 'chaindb_readonly', '{SELECT}'),
        ('users', 'chaindb_readonly', '{SELECT}')
      ) AS g (t, r, ps), unnest(ps::text []) AS p$$,
    'table-level grants to chaindb_app and chaindb_readonly are exactly these'
);
SELECT set_eq(
    $$SELECT c.relname::text, t.attname::text, r.rolname::text, a.privilege_type::text
      FROM pg_class AS c JOIN pg_attribute AS t ON t.attrelid = c.oid, aclexplode(t.attacl) AS a, pg_roles AS r
      WHERE c.relnamespace = 'bloxtr8'::regnamespace AND r.oid = a.grantee$$,
    $$SELECT t, c, r, p FROM (VALUES
        ('accounts', '{id,account_id,provider_id,user_id,access_token,refresh_token,id_token,access_token_expires_at,refresh_token_expires_at,scope,password}', 'chaindb_app', 'INSERT'),
        ('accounts', '{access_token,refresh_token,id_token,access_token_expires_at,refresh_token_expires_at,scope,password}', 'chaindb_app', 'UPDATE'),
        ('accounts', '{id,account_id,provider_id,user_id,access_token_expires_at,refresh_token_expires_at,scope,created_at,updated_at}', 'chaindb_readonly', 'SELECT'),
        ('audit_logs', '{action,details,user_id,escrow_id}', 'chaindb_app', 'INSERT'),
        ('contract_sign_tokens', '{id,contract_id,user_id,expires_at,used_at,created_at}', 'chaindb_app', 'SELECT'),
        ('contract_sign_tokens', '{id,contract_id,user_id,expires_at,used_at,created_at}', 'chaindb_readonly', 'SELECT'),
        ('guild_members', '{guild_id,user_id}', 'chaindb_app', 'INSERT'),
        ('guilds', '{discord_id,name}', 'chaindb_app', 'INSERT'),
        ('guilds', '{name}', 'chaindb_app', 'UPDATE'),
        ('sessions', '{id,expires_at,token,ip_address,user_agent,user_id}', 'chaindb_app', 'INSERT'),
        ('sessions', '{expires_at,ip_address,user_agent}', 'chaindb_app', 'UPDATE'),
        ('sessions', '{id,expires_at,created_at,updated_at,ip_address,user_agent,user_id}', 'chaindb_readonly', 'SELECT'),
        ('users', '{name,email,email_verified,phone,image}', 'chaindb_app', 'INSERT'),
        ('users', '{name,email,email_verified,phone,image}', 'chaindb_app', 'UPDATE')
      ) AS g (t, cs, r, p), unnest(cs::text []) AS c$$,
    'column-level grants are exactly these: the app writes no rule-carrying column, the read-only role no secret'
);
SELECT set_eq(
    $$SELECT p.proname::text FROM pg_proc AS p
      WHERE p.pronamespace = 'bloxtr8'::regnamespace AND has_function_privilege('chaindb_app', p.oid, 'EXECUTE')$$,
    $$VALUES ('accept_offer'), ('add_escrow_milestone'), ('attach_contract_pdf'), ('cancel_escrow'),
        ('claim_execution_jobs'), ('complete_asset_verification'), ('complete_execution_job'), ('counter_offer'),
        ('create_contract'), ('create_escrow'), ('create_listing'), ('create_roblox_snapshot'), ('cuid'),
        ('decline_offer'), ('delete_expired_sign_tokens'), ('deliver_escrow'), ('dispute_escrow'), ('execution_backoff'),
        ('expire_asset_verifications'), ('expire_offers'), ('fail_execution_job'), ('fund_escrow'), ('issue_sign_token'),
        ('listing_has_open_deal'), ('make_offer'), ('offer_proposer_id'), ('publish_contract_template'),
        ('recover_execution_jobs'), ('refund_escrow'), ('release_escrow'), ('release_escrow_milestone'),
        ('retry_contract_execution'), ('semver_key'), ('set_listing_status'), ('set_user_kyc'), ('set_user_wallet'),
        ('set_user_wallet_risk'), ('sign_contract'), ('sign_contract_with_token'), ('start_asset_verification'),
        ('void_contract')$$,
    'chaindb_app executes the rule functions and the id generator; not the internal helpers nor trigger functions'
);
SELECT set_eq(
    $$SELECT p.proname::text FROM pg_proc AS p
      WHERE p.pronamespace = 'bloxtr8'::regnamespace AND has_function_privilege('chaindb_readonly', p.oid, 'EXECUTE')$$,
    $$VALUES ('execution_backoff'), ('listing_has_open_deal'), ('offer_proposer_id'), ('semver_key')$$,
    'chaindb_readonly executes only the read-only helpers'
);
SELECT is(
    (SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc AS p
     WHERE p.pronamespace = 'bloxtr8'::regnamespace AND has_function_privilege('chaindb_app', p.oid, 'EXECUTE')
       AND p.provolatile = 'v' AND NOT p.prosecdef AND p.proname NOT IN ('cuid')),
    NULL,
    'every write function the app calls runs as the owner (SECURITY DEFINER); cuid() only generates'
);

-- The app steps around no rule: every direct write of a rule-carrying column is refused (42501).
CREATE TEMP TABLE bypass (ord serial, what text, statement text) ON COMMIT DROP;
INSERT INTO bypass (what, statement) VALUES
('raise its own KYC tier', $$UPDATE bloxtr8.users SET kyc_tier = 'TIER_2', kyc_verified = true WHERE id = 'u_tier0'$$),
('sign up at TIER_1', $$INSERT INTO bloxtr8.users (email, kyc_tier) VALUES ('x@bloxtr8.test', 'TIER_1')$$),
('clear a sanction', $$UPDATE bloxtr8.users SET wallet_risk = 'LOW' WHERE id = 'u_sanctioned'$$),
('swap a sanctioned wallet', $$UPDATE bloxtr8.users SET wallet_address = NULL WHERE id = 'u_sanctioned'$$),
('list without the KYC check', $$INSERT INTO bloxtr8.listings (title, summary, price, category, user_id)
                                 VALUES ('x', 'x', 1, 'x', 'u_tier0')$$),
('mark a listing SOLD', $$UPDATE bloxtr8.listings SET status = 'SOLD' WHERE id = 'd1_l'$$),
('make an offer without the checks', $$INSERT INTO bloxtr8.offers (amount, expiry, listing_id, buyer_id, seller_id)
                                       VALUES (1, now() + interval '1 hour', 'd1_l', 'u_sanctioned', 'u_seller')$$),
('accept an offer directly', $$UPDATE bloxtr8.offers SET status = 'ACCEPTED' WHERE id = 'd1_o'$$),
('make a contract directly', $$INSERT INTO bloxtr8.contracts (offer_id) VALUES ('d1_o')$$),
('execute a contract directly', $$UPDATE bloxtr8.contracts SET status = 'EXECUTING' WHERE id = 'd1_c'$$),
('forge a signature', $$INSERT INTO bloxtr8.signatures (user_id, contract_id) VALUES ('u_other', 'd1_c')$$),
('queue a second job', $$INSERT INTO bloxtr8.contract_execution_jobs (contract_id, next_retry_at) VALUES ('d1_c', now())$$),
('complete a job directly', $$UPDATE bloxtr8.contract_execution_jobs SET status = 'COMPLETED' WHERE id = 'd2_j'$$),
('issue a token directly', $$INSERT INTO bloxtr8.contract_sign_tokens (token, contract_id, user_id, expires_at)
                             VALUES (repeat('ab', 32), 'd1_c', 'u_buyer', now() + interval '15 minutes')$$),
('reuse a token', $$UPDATE bloxtr8.contract_sign_tokens SET used_at = NULL$$),
('read the sign-token hashes', $$SELECT token FROM bloxtr8.contract_sign_tokens$$),
('open an escrow on any rail', $$INSERT INTO bloxtr8.escrows (rail, amount, offer_id, contract_id)
                                 VALUES ('STRIPE', 1, 'd2_o', 'd2_c')$$),
('release an escrow directly', $$UPDATE bloxtr8.escrows SET status = 'RELEASED'$$),
('rewrite a payment intent', $$UPDATE bloxtr8.stripe_escrows SET transfer_id = 'tr_x'$$),
('rewrite a deposit address', $$UPDATE bloxtr8.stablecoin_escrows SET deposit_addr = '0x' || repeat('00', 20)$$),
('confirm a delivery directly', $$UPDATE bloxtr8.deliveries SET status = 'CONFIRMED'$$),
('close a dispute directly', $$UPDATE bloxtr8.disputes SET status = 'RESOLVED'$$),
('add a milestone beyond the amount', $$INSERT INTO bloxtr8.milestone_escrows (escrow_id, title, amount)
                                        SELECT id, 'x', 999999999 FROM bloxtr8.escrows LIMIT 1$$),
('verify ownership itself', $$INSERT INTO bloxtr8.asset_verifications (user_id, game_id, verification_method)
                              VALUES ('u_buyer', '1', 'MANUAL')$$),
('extend a verification cache', $$UPDATE bloxtr8.asset_verifications SET expires_at = now() + interval '1 year'$$),
('claim verified ownership in a snapshot', $$INSERT INTO bloxtr8.roblox_snapshots (game_id, game_name, verified_ownership,
                                               verification_date) VALUES ('1', 'x', true, now())$$),
('publish a template directly', $$INSERT INTO bloxtr8.contract_templates (version, name, terms) VALUES ('9.0.0', 'x', '{}')$$),
('backdate an audit entry', $$INSERT INTO bloxtr8.audit_logs (action, created_at) VALUES ('x', '2000-01-01')$$),
('rewrite the audit trail', $$UPDATE bloxtr8.audit_logs SET action = 'forged'$$),
('delete the audit trail', $$DELETE FROM bloxtr8.audit_logs$$),
('move an account to another user', $$UPDATE bloxtr8.accounts SET user_id = 'u_other' WHERE id = 'a_buyer'$$),
('skip the actor checks', $$SELECT bloxtr8.require_user('u_tier0', 'x', NULL, false)$$),
('sign without the checks', $$SELECT bloxtr8.record_signature('d1_c', 'u_other', 'API', NULL, NULL)$$),
('move an escrow without its function', $$SELECT bloxtr8.lock_escrow('x', 'RELEASED', '{AWAIT_FUNDS}')$$);
SELECT throws_ok(
    format('SELECT pg_temp.as_role(%L, %L)', 'chaindb_app', b.statement), '42501', NULL,
    format('chaindb_app cannot %s (42501)', b.what)
)
FROM pg_temp.bypass AS b
ORDER BY b.ord;

-- What the app may do directly, it can (and the rule functions work as the app).
SELECT lives_ok(
    $$SELECT pg_temp.as_role('chaindb_app', $x$
        INSERT INTO bloxtr8.users (email, name) VALUES ('new@bloxtr8.test', 'New');
        INSERT INTO bloxtr8.audit_logs (action, user_id) VALUES ('user_created', 'u_buyer');
        SELECT bloxtr8.create_listing('u_seller', 'As app', 'Listed by the app', 100, 'rpg')
    $x$)$$,
    'chaindb_app signs users up, appends to the audit trail and lists through create_listing'
);
SELECT is(
    (SELECT a.created_at = now() FROM bloxtr8.audit_logs AS a
     WHERE a.action = 'user_created'), true,
    'the app''s audit entry carries the database''s time'
);
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_readonly', 'SELECT access_token FROM bloxtr8.accounts')$$, '42501', NULL,
    'chaindb_readonly cannot read OAuth tokens'
);
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_readonly', 'SELECT token FROM bloxtr8.sessions')$$, '42501', NULL,
    'chaindb_readonly cannot read session token hashes'
);
SELECT throws_ok(
    $$SELECT pg_temp.as_role('chaindb_readonly', 'SELECT bloxtr8.expire_offers()')$$, '42501', NULL,
    'chaindb_readonly calls no write function'
);
SELECT is(
    (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute AS a
     WHERE a.attrelid IN ('bloxtr8.accounts'::regclass, 'bloxtr8.sessions'::regclass, 'bloxtr8.contract_sign_tokens'::regclass)
       AND col_description(a.attrelid, a.attnum) LIKE 'SECRET.%'),
    ARRAY['access_token', 'id_token', 'password', 'refresh_token', 'token', 'token'],
    'the secret columns say so in their comment (SECRET.)'
);

SELECT * FROM finish();
ROLLBACK;
