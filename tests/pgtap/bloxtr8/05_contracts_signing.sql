-- bloxtr8: templates, contracts, signatures and magic-link tokens (0015): versions only go up and one is active;
-- contracts only from an ACCEPTED offer; only the buyer and the seller sign, once each, and the second signature
-- moves the contract to EXECUTING with its one job; tokens are stored hashed, valid 15 minutes, single use.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(62);
\ir ../helpers.psql
\ir fixtures.psql

-- publish_contract_template, semver_key
SELECT is(bloxtr8.semver_key('1.10.0'), ARRAY[1, 10, 0], 'semver_key: {major, minor, patch}');
SELECT ok(bloxtr8.semver_key('1.10.0') > bloxtr8.semver_key('1.9.9'), 'semantic order: 1.10.0 > 1.9.9');
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.publish_contract_template('1.0.0', 'Again', '{}')$$),
    ARRAY['CD007', 'contract_templates_version_order', 'contract_templates', 'version=1.0.0 newest=1.0.0'],
    'a published version is not published again (CD007 contract_templates_version_order)'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.publish_contract_template('0.9.0', 'Older', '{}')$$),
    'CD007 contract_templates_version_order', 'versions only go up');
SELECT is(pg_temp.try($$SELECT bloxtr8.publish_contract_template('v2', 'Bad', '{}')$$),
    '23514 contract_templates_version_check', 'a version is MAJOR.MINOR.PATCH');
SELECT is(pg_temp.try($$SELECT bloxtr8.publish_contract_template('2.0.0', 'Bad', '"terms"')$$),
    '23514 contract_templates_terms_check', 'terms are a JSON object');
SELECT is(
    (SELECT t.version || ' ' || t.is_active FROM bloxtr8.publish_contract_template('1.10.0', 'Agreement', '{"v": 2}') AS t),
    '1.10.0 true', 'publishing 1.10.0 makes it the active template'
);
SELECT is(
    (SELECT t.is_active || ' ' || (t.deprecated_at = now()) FROM bloxtr8.contract_templates AS t
     WHERE t.version = '1.0.0'),
    'false true', 'the previous active template is deprecated in the same transaction'
);
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.contract_templates
     WHERE is_active), 1, 'exactly one template is active'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.publish_contract_template('1.9.0', 'Older', '{}')$$),
    'CD007 contract_templates_version_order', '1.9.0 is below 1.10.0 (semantic, not text, order)');
SELECT is(pg_temp.try($$UPDATE bloxtr8.contract_templates SET is_active = true WHERE version = '1.0.0'$$),
    '23514 contract_templates_deprecated_at_check', 'a deprecated template is never active again');

-- create_contract
INSERT INTO bloxtr8.listings (id, title, summary, price, category, user_id)
VALUES ('l_c', 'Obby', 'An obby', 700, 'obby', 'u_seller');
INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id)
VALUES ('o_c', 700, now() + interval '1 hour', 'l_c', 'u_buyer', 'u_seller');
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.create_contract('o_c')$$),
    ARRAY['CD007', 'contracts_offer_accepted', 'contracts', 'offer_id=o_c status=PENDING'],
    'a contract only from an ACCEPTED offer (CD007 contracts_offer_accepted)'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.create_contract('o_nobody')$$), 'CD005 ', 'CD005 unknown offer');
UPDATE bloxtr8.offers SET status = 'ACCEPTED'
WHERE id = 'o_c';
SELECT is(
    pg_temp.try($$UPDATE bloxtr8.contract_templates SET is_active = false; SELECT bloxtr8.create_contract('o_c')$$),
    'CD007 contract_templates_active', 'no contract without an active template'
);
INSERT INTO bloxtr8.roblox_snapshots (id, game_id, game_name, listing_id, visits)
VALUES ('s_c', '777', 'Obby Game', 'l_c', 12345);
SELECT pg_temp.keep('c', c.id) FROM bloxtr8.create_contract('o_c') AS c;
SELECT is(
    (SELECT c.status || ' ' || c.template_version || ' ' || (c.roblox_asset_data ->> 'game_name') || ' '
            || (c.roblox_asset_data ->> 'visits')
     FROM bloxtr8.contracts AS c
     WHERE c.id = pg_temp.b8_id('c')),
    'PENDING_SIGNATURE 1.10.0 Obby Game 12345',
    'the contract is PENDING_SIGNATURE on the active template, with the listing''s newest snapshot as asset data'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.create_contract('o_c')$$), '23505 contracts_offer_id_key', 'one contract per offer');
INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id)
VALUES ('o_c2', 700, now() + interval '1 hour', 'l_c', 'u_other', 'u_seller');
UPDATE bloxtr8.offers SET status = 'ACCEPTED'
WHERE id = 'o_c2';
SELECT is(
    (SELECT c.roblox_asset_data FROM bloxtr8.create_contract('o_c2', '{"given": true}') AS c), '{"given": true}'::jsonb,
    'given asset data is kept as given'
);

-- attach_contract_pdf
SELECT is(
    (SELECT c.pdf_url || ' ' || c.sha256
     FROM bloxtr8.attach_contract_pdf(pg_temp.b8_id('c'), 's3://contracts/c.pdf', repeat('ab', 32)) AS c),
    's3://contracts/c.pdf ' || repeat('ab', 32), 'the PDF and its hash are recorded'
);
SELECT is(
    pg_temp.try(format($$SELECT bloxtr8.attach_contract_pdf(%L, 's3://contracts/c.pdf', repeat('ab', 32))$$, pg_temp.b8_id('c'))),
    'ok', 'the same PDF again changes nothing (a retry is harmless)'
);
SELECT is(
    pg_temp.try(format($$SELECT bloxtr8.attach_contract_pdf(%L, 's3://contracts/other.pdf', repeat('ab', 32))$$, pg_temp.b8_id('c'))),
    'CD003 contracts_pdf_url_immutable', 'another PDF is refused (CD003): the signed document does not change'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.attach_contract_pdf('c_nobody', 's3://x/y.pdf', repeat('ab', 32))$$), 'CD005 ',
    'CD005 unknown contract (pdf)');

-- sign_contract
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.sign_contract(%L, 'u_seller', 'WEB_BASED')$$, pg_temp.b8_id('c'))),
    ARRAY['CD007', 'signatures_method', 'signatures',
          format('contract_id=%s signature_method=WEB_BASED', pg_temp.b8_id('c'))],
    'a WEB_BASED signature comes only through a magic link (CD007 signatures_method)'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.sign_contract(%L, 'u_other')$$, pg_temp.b8_id('c'))),
    ARRAY['CD007', 'signatures_party', 'signatures', format('contract_id=%s user_id=u_other', pg_temp.b8_id('c'))],
    'only the buyer and the seller sign (CD007 signatures_party)'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.sign_contract('c_nobody', 'u_seller')$$), 'CD005 ', 'CD005 unknown contract');
UPDATE bloxtr8.users SET kyc_tier = 'TIER_0'
WHERE id = 'u_seller';
SELECT is(pg_temp.try(format($$SELECT bloxtr8.sign_contract(%L, 'u_seller')$$, pg_temp.b8_id('c'))), 'CD007 users_kyc_tier',
    'a party at TIER_0 does not sign');
UPDATE bloxtr8.users SET kyc_tier = 'TIER_1'
WHERE id = 'u_seller';
SELECT is(
    (SELECT c.status::text FROM bloxtr8.sign_contract(pg_temp.b8_id('c'), 'u_seller', 'DISCORD_NATIVE', '10.0.0.1', 'Discord')
     AS c),
    'PENDING_SIGNATURE', 'the first signature leaves the contract PENDING_SIGNATURE'
);
SELECT is(
    (SELECT s.signature_method || ' ' || s.ip_address || ' ' || s.user_agent || ' ' || (s.signed_at = now())
     FROM bloxtr8.signatures AS s
     WHERE s.contract_id = pg_temp.b8_id('c')),
    'DISCORD_NATIVE 10.0.0.1 Discord true', 'the signature keeps its audit trail'
);
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.contract_execution_jobs
     WHERE contract_id = pg_temp.b8_id('c')), 0,
    'one signature queues no execution'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.sign_contract(%L, 'u_seller')$$, pg_temp.b8_id('c'))),
    ARRAY['23505', 'signatures_user_id_contract_id_key', 'signatures', format('Key (user_id, contract_id)=(u_seller, %s) already exists.', pg_temp.b8_id('c'))],
    'a party signs once (23505 signatures_user_id_contract_id_key)'
);
SELECT is(
    (SELECT c.status::text FROM bloxtr8.sign_contract(pg_temp.b8_id('c'), 'u_buyer', 'API') AS c), 'EXECUTING',
    'the second signature moves the contract to EXECUTING'
);
SELECT is(
    (SELECT j.status || ' ' || j.attempts || '/' || j.max_attempts || ' ' || (j.next_retry_at = now())
     FROM bloxtr8.contract_execution_jobs AS j
     WHERE j.contract_id = pg_temp.b8_id('c')),
    'PENDING 0/3 true', 'and creates its one execution job, due now, in the same transaction'
);
SELECT is(
    pg_temp.error_fields(format($$SELECT bloxtr8.sign_contract(%L, 'u_buyer')$$, pg_temp.b8_id('c'))),
    ARRAY['CD007', 'signatures_contract_pending', 'signatures', format('contract_id=%s status=EXECUTING', pg_temp.b8_id('c'))],
    'no signature once the contract left PENDING_SIGNATURE'
);

-- issue_sign_token
SELECT pg_temp.deal('t1');
CREATE TEMP TABLE issued ON COMMIT DROP AS SELECT * FROM bloxtr8.issue_sign_token('t1_c', 'u_buyer');
SELECT ok((SELECT token ~ '^[A-Za-z0-9_-]{43}$' FROM issued), 'the token is 32 random bytes in base64url (43 characters)');
SELECT is(
    (SELECT t.token FROM bloxtr8.contract_sign_tokens AS t, issued AS i
     WHERE t.id = i.id),
    (SELECT encode(sha256(convert_to(token, 'UTF8')), 'hex') FROM issued),
    'only its SHA-256 is stored (the seed''s token column holds the hash)'
);
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.contract_sign_tokens AS t, issued AS i
     WHERE t.token = i.token), 0,
    'the token itself is stored nowhere'
);
SELECT is(
    (SELECT i.expires_at - i.created_at || ' ' || (i.created_at = now()) || ' ' || i.user_id || ' ' || i.contract_id FROM issued AS i),
    '00:15:00 true u_buyer t1_c', 'valid 15 minutes from now (database clock), for one user and one contract'
);
SELECT isnt(
    (SELECT token FROM issued), (SELECT t.token FROM bloxtr8.issue_sign_token('t1_c', 'u_buyer') AS t),
    'every token is new'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.issue_sign_token('t1_c', 'u_other')$$), 'CD007 signatures_party',
    'no token for a third user');
SELECT is(pg_temp.try(format($$SELECT bloxtr8.issue_sign_token(%L, 'u_buyer')$$, pg_temp.b8_id('c'))),
    'CD007 signatures_contract_pending', 'no token for a contract past PENDING_SIGNATURE');
SELECT is(pg_temp.try($$SELECT bloxtr8.issue_sign_token('c_nobody', 'u_buyer')$$), 'CD005 ', 'CD005 unknown contract (token)');

-- sign_contract_with_token
SELECT is(pg_temp.try($$SELECT bloxtr8.sign_contract_with_token('no-such-token')$$), 'CD005 ', 'CD005 unknown token');
SELECT is(
    (SELECT c.status::text FROM issued AS i, bloxtr8.sign_contract_with_token(i.token, '192.0.2.7', 'Firefox') AS c),
    'PENDING_SIGNATURE', 'the token signs its contract'
);
SELECT is(
    (SELECT s.user_id || ' ' || s.signature_method || ' ' || s.ip_address FROM bloxtr8.signatures AS s
     WHERE s.contract_id = 't1_c'),
    'u_buyer WEB_BASED 192.0.2.7', 'as the token''s user, WEB_BASED'
);
SELECT is(
    (SELECT t.used_at = now() FROM bloxtr8.contract_sign_tokens AS t, issued AS i
     WHERE t.id = i.id), true,
    'the token is marked used'
);
SELECT is(
    pg_temp.error_fields((SELECT format('SELECT bloxtr8.sign_contract_with_token(%L)', token) FROM issued)),
    ARRAY['CD007', 'contract_sign_tokens_used', 'contract_sign_tokens',
          (SELECT format('id=%s used_at=%s', id, now()) FROM issued)],
    'a token is used once (CD007 contract_sign_tokens_used)'
);
-- a token whose signature is refused stays unused
CREATE TEMP TABLE issued2 ON COMMIT DROP AS SELECT * FROM bloxtr8.issue_sign_token('t1_c', 'u_seller');
SELECT * FROM bloxtr8.sign_contract('t1_c', 'u_seller');
SELECT is(
    pg_temp.try((SELECT format('SELECT bloxtr8.sign_contract_with_token(%L)', token) FROM issued2)),
    'CD007 signatures_contract_pending', 'a token whose contract was signed by both meanwhile signs nothing'
);
SELECT is(
    (SELECT t.used_at FROM bloxtr8.contract_sign_tokens AS t, issued2 AS i
     WHERE t.id = i.id), NULL,
    'and is left unused: nothing is half-written'
);
SELECT is(
    (SELECT status::text FROM bloxtr8.contracts
     WHERE id = 't1_c'), 'EXECUTING',
    'a web signature completing the pair moves the contract to EXECUTING'
);
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.contract_execution_jobs
     WHERE contract_id = 't1_c'), 1, 'with one job'
);
-- an expired token: issued twenty minutes ago
SELECT pg_temp.deal('t2');
-- 16 minutes on by the database's clock, a fresh token has expired
CREATE TEMP TABLE issued3 ON COMMIT DROP AS SELECT * FROM bloxtr8.issue_sign_token('t2_c', 'u_buyer');
SELECT common.set_clock_offset(interval '16 minutes');
SELECT is(pg_temp.try((SELECT format('SELECT bloxtr8.sign_contract_with_token(%L)', token) FROM issued3)),
    'CD006 contract_sign_tokens_expired', 'a token is valid 15 minutes by the database''s clock');
SELECT common.set_clock_offset(interval '14 minutes');
SELECT is(pg_temp.try((SELECT format('SELECT bloxtr8.sign_contract_with_token(%L)', token) FROM issued3)), 'ok',
    'and signs within them');
SELECT common.set_clock_offset(interval '0');
DELETE FROM bloxtr8.contract_sign_tokens
WHERE id = (SELECT id FROM issued3);
INSERT INTO bloxtr8.contract_sign_tokens (id, token, contract_id, user_id, expires_at, created_at)
VALUES ('tok_old', encode(sha256('old-token'), 'hex'), 't2_c', 'u_buyer', now() - interval '5 minutes',
        now() - interval '20 minutes');
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.sign_contract_with_token('old-token')$$),
    ARRAY['CD006', 'contract_sign_tokens_expired', 'contract_sign_tokens',
          format('id=tok_old expires_at=%s now=%s', now() - interval '5 minutes', now())],
    'a token past its 15 minutes signs nothing (CD006 contract_sign_tokens_expired, database clock)'
);
SELECT is(pg_temp.try($$SELECT bloxtr8.issue_sign_token('t2_c', 'u_seller')$$), 'ok', 'another token may be issued');
SELECT * FROM bloxtr8.sign_contract('t2_c', 'u_buyer');
SELECT is(pg_temp.try($$SELECT bloxtr8.issue_sign_token('t2_c', 'u_buyer')$$), 'CD007 contract_sign_tokens_unsigned',
    'no token for a party who signed already');

-- delete_expired_sign_tokens
SELECT is(bloxtr8.delete_expired_sign_tokens(), 1, 'the clean-up deletes the expired token');
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.contract_sign_tokens
     WHERE id = 'tok_old'), 0, 'it is gone'
);
SELECT ok((SELECT count(*) > 0 FROM bloxtr8.contract_sign_tokens), 'valid tokens stay');

-- void_contract
SELECT is((SELECT c.status::text FROM bloxtr8.void_contract('t2_c') AS c), 'VOID', 'a PENDING_SIGNATURE contract is voided');
SELECT is(
    pg_temp.error_fields($$SELECT bloxtr8.void_contract('t2_c')$$),
    ARRAY['CD001', 'contracts_status_transition', 'contracts', 'from=VOID to=VOID'], 'a VOID contract is not voided again'
);
SELECT is(pg_temp.try(format($$SELECT bloxtr8.void_contract(%L)$$, pg_temp.b8_id('c'))), 'CD001 contracts_status_transition',
    'an EXECUTING contract is not voided');
SELECT is(pg_temp.try($$SELECT bloxtr8.void_contract('d2_c')$$), 'CD001 contracts_status_transition',
    'an EXECUTED contract is not voided');
SELECT is(pg_temp.try($$SELECT bloxtr8.void_contract('c_nobody')$$), 'CD005 ', 'CD005 unknown contract (void)');

SELECT * FROM finish();
ROLLBACK;
