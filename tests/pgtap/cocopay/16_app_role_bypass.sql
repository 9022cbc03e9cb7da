-- cocopay: the ways around the rules that chaindb_app had (issue 8), each tried as chaindb_app and
-- refused: 42501 where the app role may no longer write the table or column, the rule's
-- SQLSTATE (23514, CD...) where it may call the function. Every test here failed before
-- migrations 0032-0038 (whole-table grants, SECURITY INVOKER functions, a caller's clock, NaN).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(22);

-- Fixtures, as the owner: a store owner, a customer, a stranger, their store, a pending and a
-- confirmed payment, a deployed smart account, a revoked session.
INSERT INTO cocopay.users (id, phone) VALUES
('00000000-0000-0000-0000-000000001601', '+5511900001601'),
('00000000-0000-0000-0000-000000001602', '+5511900001602'),
('00000000-0000-0000-0000-000000001603', '+5511900001603');
CREATE TEMP TABLE bypass (label text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON bypass TO chaindb_app;
CREATE FUNCTION pg_temp.bypass_id(wanted text) RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT b.id FROM bypass AS b WHERE b.label = wanted $$;
INSERT INTO bypass (label, id)
VALUES ('store', (SELECT s.id FROM cocopay.create_store(
    '00000000-0000-0000-0000-000000001601', 'Padaria', 'PADA'
) AS s));
INSERT INTO bypass (label, id)
SELECT
    k.label,
    (
        SELECT t.id FROM cocopay.create_transaction(
            'bypass-' || k.label, 'payment', 10, '8453', '00000000-0000-0000-0000-000000001602',
            p_store_id => pg_temp.bypass_id('store')
        ) AS t
    ) AS id
FROM unnest(ARRAY['pending', 'confirmed']) AS k (label);
SELECT t.id
FROM cocopay.confirm_transaction(
    pg_temp.bypass_id('confirmed'),
    (
        SELECT t.confirmation_code FROM cocopay.transactions AS t
        WHERE t.id = pg_temp.bypass_id('confirmed')
    )
) AS t;
INSERT INTO cocopay.smart_accounts (id, user_id, chain_id, address, salt, owner_address, deployed, deploy_tx_hash,
                                    deployed_at)
VALUES ('00000000-0000-0000-0000-000000001611', '00000000-0000-0000-0000-000000001602', '8453',
        '0x' || repeat('16', 20), '0x' || repeat('61', 32), '0x' || repeat('17', 20), true, '0x' || repeat('71', 32),
        now());
INSERT INTO cocopay.sessions (id, user_id, token_hash, auth_method, expires_at, revoked_at)
VALUES ('00000000-0000-0000-0000-000000001621', '00000000-0000-0000-0000-000000001602', repeat('16', 32), 'phone',
        now() + interval '1 day', now());

SET LOCAL ROLE chaindb_app;

-- 1. A payment confirmed without its confirmation code
SELECT throws_ok(
    $$UPDATE cocopay.transactions SET status = 'confirmed', confirmed_at = now()
      WHERE id = pg_temp.bypass_id('pending')$$,
    '42501', NULL, 'the app cannot confirm a payment by UPDATE, without its code (confirm_transaction only)'
);
-- 2. A confirmed payment rewritten
SELECT throws_ok(
    $$UPDATE cocopay.transactions SET amount_usd = 99999, idempotency_key = 'x', created_at = '2000-01-01'
      WHERE status = 'confirmed' AND id = pg_temp.bypass_id('confirmed')$$,
    '42501', NULL, 'the app cannot rewrite a confirmed payment (amount, key, times)'
);
SELECT throws_ok(
    $$UPDATE cocopay.transactions SET from_user_id = '00000000-0000-0000-0000-000000001603'
      WHERE id = pg_temp.bypass_id('confirmed')$$,
    '42501', NULL, 'the app cannot move a confirmed payment to other parties'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (type, status, amount_usd, chain_id, confirmed_at)
      VALUES ('payment', 'confirmed', 5, '8453', now())$$,
    '42501', NULL, 'the app cannot insert a payment directly (past the idempotency key and the pending start)'
);
-- 3. A payout asked for by a user who does not manage the store
SELECT throws_ok(
    $$INSERT INTO cocopay.payouts (store_id, requested_by, amount_usd, payout_type, destination)
      VALUES (pg_temp.bypass_id('store'), '00000000-0000-0000-0000-000000001603', 100,
              'pix', '{"pix_key": "thief"}')$$,
    '42501', NULL, 'a stranger''s payout cannot be inserted directly'
);
-- A store, or a store's ownership, taken without create_store
SELECT throws_ok(
    $$INSERT INTO cocopay.store_members (store_id, user_id, role, accepted_at)
      VALUES (pg_temp.bypass_id('store'), '00000000-0000-0000-0000-000000001603', 'admin',
              now())$$,
    '42501', NULL, 'the app cannot make itself a store''s manager by INSERT (invite_store_member only)'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.stores (name, symbol) VALUES ('Orphan', 'ORPH')$$,
    '42501', NULL, 'the app cannot create a store without its owner (create_store only)'
);
-- A deployed smart account cannot go back
SELECT throws_ok(
    $$UPDATE cocopay.smart_accounts SET deployed = false, deploy_tx_hash = NULL, deployed_at = NULL
      WHERE id = '00000000-0000-0000-0000-000000001611'$$,
    '42501', NULL, 'a deployed smart account cannot be made undeployed (mark_smart_account_deployed only)'
);
-- Recorded times are the database's
SELECT throws_ok(
    $$INSERT INTO cocopay.audit_logs (action, created_at) VALUES ('backdated', '2000-01-01')$$,
    '42501', NULL, 'the app cannot backdate an audit entry'
);
SELECT throws_ok(
    $$UPDATE cocopay.sessions SET revoked_at = NULL WHERE id = '00000000-0000-0000-0000-000000001621'$$,
    '42501', NULL, 'the app cannot revive a revoked session'
);
SELECT throws_ok(
    $$UPDATE cocopay.users SET phone_verified_at = '2000-01-01' WHERE id = '00000000-0000-0000-0000-000000001602'$$,
    '42501', NULL, 'the app cannot set or backdate a phone verification (verify_user_phone only)'
);
-- The caller no longer chooses the time
SELECT throws_ok(
    $$SELECT * FROM cocopay.create_transaction('bypass-clock', 'payment', 1, '8453',
          p_now => now() - interval '1 year')$$,
    '42883', NULL, 'create_transaction takes no caller time (p_now is gone)'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.request_payout(pg_temp.bypass_id('store'),
          '00000000-0000-0000-0000-000000001601', 10, 'pix', '{"pix_key": "k"}', p_now => '2000-01-01')$$,
    '42883', NULL, 'request_payout takes no caller time'
);
SELECT throws_ok(
    $$SELECT common.set_clock_offset('-1 hour')$$,
    '42501', NULL, 'the app cannot move the database''s clock'
);
-- NaN and Infinity are not money
SELECT throws_ok(
    $$SELECT * FROM cocopay.create_transaction('bypass-nan', 'payment', 'NaN', '8453')$$,
    '23514', NULL, 'a NaN payment is refused (transactions_amount_usd_finite_check)'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.request_payout(pg_temp.bypass_id('store'),
          '00000000-0000-0000-0000-000000001601', 'NaN', 'pix', '{"pix_key": "k"}')$$,
    '23514', NULL, 'a NaN payout is refused (payouts_amount_usd_finite_check)'
);
SELECT throws_ok(
    $$SELECT * FROM cocopay.request_payout(pg_temp.bypass_id('store'),
          '00000000-0000-0000-0000-000000001601', 10, 'pix', '{"pix_key": "k"}', 'NaN')$$,
    '23514', NULL, 'a NaN fee is refused (payouts_fee_usd_finite_check)'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.token_balances (user_id, chain_id, token_address, balance, balance_usd)
      VALUES ('00000000-0000-0000-0000-000000001602', '8453', '0x0', 'NaN', 1)$$,
    '23514', NULL, 'a NaN token balance is refused'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.token_balances (user_id, chain_id, token_address, balance, balance_usd)
      VALUES ('00000000-0000-0000-0000-000000001602', '8453', '0x' || repeat('0a', 20), 1, 'NaN')$$,
    '23514', NULL, 'a NaN balance in USD is refused'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.loans (user_id, chain_id, loan_id_onchain, collateral, collateral_usd_at_origination,
          borrow_amount, borrow_amount_usd, prepaid_fee_percent, prepaid_duration_seconds, project_id, token_address,
          origination_tx_hash)
      VALUES ('00000000-0000-0000-0000-000000001602', '8453', 'NaN', 'NaN', 'NaN', 'NaN', 'NaN', 0, 0, 7,
              '0x' || repeat('1a', 20), '0x' || repeat('ab', 32))$$,
    '23514', NULL, 'a loan of NaN is refused'
);
-- A payout fee cannot exceed its amount
SELECT throws_ok(
    $$SELECT * FROM cocopay.request_payout(pg_temp.bypass_id('store'),
          '00000000-0000-0000-0000-000000001601', 10, 'pix', '{"pix_key": "k"}', 11)$$,
    '23514', 'new row for relation "payouts" violates check constraint "payouts_fee_usd_amount_usd_check"',
    'a payout fee above its amount is refused'
);
RESET ROLE;

SELECT results_eq(
    $$SELECT status::text, amount_usd, idempotency_key::text FROM cocopay.transactions
      WHERE id IN (SELECT b.id FROM bypass AS b WHERE b.label IN ('pending', 'confirmed')) ORDER BY status$$,
    $$VALUES ('confirmed', 10.000000::numeric, 'bypass-confirmed'), ('pending', 10.000000::numeric, 'bypass-pending')$$,
    'after every attempt: the payments are as they were'
);

SELECT * FROM finish();
ROLLBACK;
