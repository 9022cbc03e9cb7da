-- Users and wallets: email and Privy id rules, wallet keys, and created_after_first_success
-- kept true by the database (insert, update, later and backdated successes).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(24);
\ir fixtures.psql

SELECT pg_temp.batch('UB', 'ACTIVE');
SELECT pg_temp.pack(pg_temp.bid('UB'), 'UBP', 5, 'PRINT_CONFIRMED');
INSERT INTO authenticity.users (id, email) VALUES ('00000000-0000-4000-8000-000000000023', 'carol@example.com');
CREATE FUNCTION pg_temp.flag(seed text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT w.created_after_first_success FROM authenticity.user_wallets AS w WHERE w.wallet_pubkey = pg_temp.pubkey(seed)
$$;

-- users
SELECT throws_ok($$INSERT INTO authenticity.users (email) VALUES ('not an email')$$,
    '23514', 'new row for relation "users" violates check constraint "users_email_check"', 'email looks like an email');
SELECT throws_ok($$INSERT INTO authenticity.users (email) VALUES ('Alice@Example.COM')$$,
    '23505', 'duplicate key value violates unique constraint "users_email_key"', 'email is unique regardless of case');
SELECT lives_ok($$INSERT INTO authenticity.users (email, privy_user_id) VALUES ('dave@example.com', 'did:privy:dave')$$,
    'a user with a Privy id');
SELECT throws_ok($$INSERT INTO authenticity.users (email, privy_user_id) VALUES ('erin@example.com', 'did:privy:dave')$$,
    '23505', 'duplicate key value violates unique constraint "users_privy_user_id_key"', 'privy_user_id is unique');
SELECT throws_ok($$INSERT INTO authenticity.users (email, privy_user_id) VALUES ('erin@example.com', '')$$,
    '23514', 'new row for relation "users" violates check constraint "users_privy_user_id_check"',
    'privy_user_id is not empty');

-- wallets
SELECT throws_ok(
    $$INSERT INTO authenticity.user_wallets (user_id, wallet_pubkey) VALUES ('00000000-0000-4000-8000-000000000021', 'xyz')$$,
    '23514', 'new row for relation "user_wallets" violates check constraint "user_wallets_wallet_pubkey_check"',
    'wallet_pubkey is a base58 32-byte Solana key');
SELECT throws_ok(
    format($$INSERT INTO authenticity.user_wallets (user_id, wallet_pubkey) VALUES ('00000000-0000-4000-8000-000000000021', %L)$$,
        pg_temp.b58(sha512('k'::bytea))),
    '23514', 'new row for relation "user_wallets" violates check constraint "user_wallets_wallet_pubkey_check"',
    'a 64-byte value is not a wallet key');
SELECT throws_ok(
    format($$INSERT INTO authenticity.user_wallets (user_id, chain, wallet_pubkey)
        VALUES ('00000000-0000-4000-8000-000000000021', 'ethereum', %L)$$, pg_temp.pubkey('w-eth')),
    '23514', 'new row for relation "user_wallets" violates check constraint "user_wallets_chain_check"',
    'chain is solana');
SELECT throws_ok(
    format($$INSERT INTO authenticity.user_wallets (user_id, wallet_pubkey) VALUES ('00000000-0000-4000-8000-0000000000ff', %L)$$,
        pg_temp.pubkey('w-nobody')),
    '23503', 'insert or update on table "user_wallets" violates foreign key constraint "user_wallets_user_id_fkey"',
    'a wallet belongs to a user');

-- alice: a wallet before any success, then her first success at 12:00, then more wallets
INSERT INTO authenticity.user_wallets (user_id, wallet_pubkey, created_at, created_after_first_success) VALUES
('00000000-0000-4000-8000-000000000021', pg_temp.pubkey('w-a1'), '2030-01-01 11:00+00', true);
SELECT results_eq(
    format($$SELECT chain, created_after_first_success FROM authenticity.user_wallets WHERE wallet_pubkey = %L$$,
        pg_temp.pubkey('w-a1')),
    $$VALUES ('solana', false)$$,
    'chain defaults to solana; a wallet created before any success is not created_after_first_success, whatever is written'
);
SELECT throws_ok(
    format($$INSERT INTO authenticity.user_wallets (user_id, wallet_pubkey) VALUES ('00000000-0000-4000-8000-000000000022', %L)$$,
        pg_temp.pubkey('w-a1')),
    '23505', 'duplicate key value violates unique constraint "user_wallets_wallet_pubkey_key"', 'wallet_pubkey is unique');
SELECT pg_temp.intent('a-1', 'UBP:1', '2030-01-01 11:59+00');
SELECT common.freeze_clock('2030-01-01 12:00+00');
SELECT authenticity.confirm_verification('a-1', '00000000-0000-4000-8000-000000000021', pg_temp.sig('tx a-1'));
INSERT INTO authenticity.user_wallets (user_id, wallet_pubkey, created_at, created_after_first_success) VALUES
('00000000-0000-4000-8000-000000000021', pg_temp.pubkey('w-a2'), '2030-01-01 13:00+00', false),
('00000000-0000-4000-8000-000000000021', pg_temp.pubkey('w-a3'), '2030-01-01 12:00+00', false);
SELECT is(
    pg_temp.flag('w-a2'), true,
    'a wallet created after the first success is created_after_first_success, whatever is written'
);
SELECT is(
    pg_temp.flag('w-a3'), true,
    'a wallet created at the instant of the first success counts as after it'
);
SELECT is(
    pg_temp.flag('w-a1'), false,
    'the success does not change a wallet created before it'
);
UPDATE authenticity.user_wallets SET created_after_first_success = true
WHERE wallet_pubkey = pg_temp.pubkey('w-a1');
SELECT is(
    pg_temp.flag('w-a1'), false,
    'an UPDATE cannot make the flag lie'
);

-- bob: a wallet at 11:00, then a success recorded later but verified at 10:00 (the wallet row is backdated by the
-- superuser; the app role cannot write created_at)
INSERT INTO authenticity.user_wallets (user_id, wallet_pubkey, created_at) VALUES
('00000000-0000-4000-8000-000000000022', pg_temp.pubkey('w-b1'), '2030-01-01 11:00+00');
SELECT is(
    pg_temp.flag('w-b1'), false,
    'bob''s wallet starts before any success'
);
SELECT pg_temp.intent('b-1', 'UBP:2', '2030-01-01 09:59+00');
SELECT common.freeze_clock('2030-01-01 10:00+00');
SELECT authenticity.confirm_verification('b-1', '00000000-0000-4000-8000-000000000022', pg_temp.sig('tx b-1'));
SELECT is(
    pg_temp.flag('w-b1'), true,
    'a success recorded later with an earlier verified_at makes the wallet created_after_first_success'
);

-- carol: a FAIL is not a success
INSERT INTO authenticity.user_wallets (user_id, wallet_pubkey, created_at) VALUES
('00000000-0000-4000-8000-000000000023', pg_temp.pubkey('w-c1'), '2030-01-01 11:00+00');
SELECT pg_temp.intent('c-1', 'UBP:3', '2030-01-01 09:59+00');
SELECT common.freeze_clock('2030-01-01 10:00+00');
SELECT authenticity.fail_verification('c-1', '00000000-0000-4000-8000-000000000023', pg_temp.sig('tx c-1'), 'refused');
SELECT is(
    pg_temp.flag('w-c1'), false,
    'a FAIL verification is not a first success'
);
SELECT lives_ok($$SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED$$,
    'the deferred checks pass for these verifications');

-- a wallet stays with its user and key
SELECT throws_ok(
    format($$UPDATE authenticity.user_wallets SET user_id = '00000000-0000-4000-8000-000000000022' WHERE wallet_pubkey = %L$$,
        pg_temp.pubkey('w-a2')),
    'CD003', 'user_wallets: user_id may not change', 'a wallet never moves to another user');
SELECT throws_ok(
    format($$UPDATE authenticity.user_wallets SET wallet_pubkey = %L WHERE wallet_pubkey = %L$$,
        pg_temp.pubkey('w-other'), pg_temp.pubkey('w-a2')),
    'CD003', 'user_wallets: wallet_pubkey may not change', 'a wallet''s key never changes');
SELECT throws_ok(
    format($$UPDATE authenticity.user_wallets SET chain = 'solana-devnet' WHERE wallet_pubkey = %L$$, pg_temp.pubkey('w-a2')),
    'CD003', 'user_wallets: chain may not change', 'a wallet''s chain never changes');
SELECT throws_ok(
    format($$UPDATE authenticity.user_wallets SET created_at = now() WHERE wallet_pubkey = %L$$, pg_temp.pubkey('w-a2')),
    'CD003', 'user_wallets: created_at may not change', 'a wallet''s created_at never changes');
SELECT lives_ok(
    $$UPDATE authenticity.users SET privy_user_id = 'did:privy:alice' WHERE id = '00000000-0000-4000-8000-000000000021'$$,
    'a user''s Privy account can be linked later'
);

SELECT * FROM finish();
ROLLBACK;
