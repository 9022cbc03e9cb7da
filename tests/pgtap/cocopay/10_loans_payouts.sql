-- cocopay: rules of loans (repayment consistency, amounts, terms) and payouts (state machine,
-- processed_at, amounts, destinations).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(52);

INSERT INTO cocopay.users (id, phone) VALUES ('00000000-0000-0000-0000-000000001001', '+5511900001001');
INSERT INTO cocopay.stores (id, name, symbol) VALUES ('00000000-0000-0000-0000-000000001011', 'Feira', 'FEIRA');

CREATE FUNCTION pg_temp.loan(overrides text DEFAULT '') RETURNS text LANGUAGE sql AS $fn$
    SELECT format(
        'INSERT INTO cocopay.loans (user_id, chain_id, loan_id_onchain, collateral, collateral_usd_at_origination, '
        'borrow_amount, borrow_amount_usd, prepaid_fee_percent, prepaid_duration_seconds, project_id, token_address, '
        'origination_tx_hash, is_active, repaid_at, repayment_tx_hash) '
        'SELECT user_id, chain_id::cocopay.chain_id, loan_id_onchain, collateral, collateral_usd_at_origination, '
        'borrow_amount, borrow_amount_usd, prepaid_fee_percent, prepaid_duration_seconds, project_id, token_address, '
        'origination_tx_hash, is_active, repaid_at, repayment_tx_hash FROM (SELECT '
        '''00000000-0000-0000-0000-000000001001''::uuid AS user_id, ''8453'' AS chain_id, '
        '(floor(random() * 1e12))::numeric AS loan_id_onchain, 1000::numeric AS collateral, '
        '10::numeric AS collateral_usd_at_origination, 5::numeric AS borrow_amount, 5::numeric AS borrow_amount_usd, '
        '250 AS prepaid_fee_percent, 15552000::bigint AS prepaid_duration_seconds, 7 AS project_id, '
        '''0x%s'' AS token_address, ''0x%s'' AS origination_tx_hash, true AS is_active, '
        'NULL::timestamptz AS repaid_at, NULL::text AS repayment_tx_hash) AS d %s',
        repeat('1a', 20), repeat('ab', 32), overrides)
$fn$;

-- loans
SELECT lives_ok(pg_temp.loan(), 'an active loan is accepted');
SELECT lives_ok(
    $$INSERT INTO cocopay.loans (id, user_id, chain_id, loan_id_onchain, collateral, collateral_usd_at_origination,
                                 borrow_amount, borrow_amount_usd, prepaid_fee_percent, prepaid_duration_seconds,
                                 project_id, token_address, origination_tx_hash)
      VALUES ('00000000-0000-0000-0000-000000001021', '00000000-0000-0000-0000-000000001001', '8453', 1, 1000, 10, 5, 5,
              0, 0, 7, '0x' || repeat('1a', 20), '0x' || repeat('ab', 32))$$,
    'a loan with no prepaid fee or duration is accepted'
);
SELECT is(
    (SELECT (is_active, repaid_at IS NULL) FROM cocopay.loans
     WHERE id = '00000000-0000-0000-0000-000000001021'),
    (true, true), 'a new loan is active and not repaid'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.loans (user_id, chain_id, loan_id_onchain, collateral, collateral_usd_at_origination,
                                 borrow_amount, borrow_amount_usd, prepaid_fee_percent, prepaid_duration_seconds,
                                 project_id, token_address, origination_tx_hash)
      VALUES ('00000000-0000-0000-0000-000000001001', '8453', 1, 1, 1, 1, 1, 0, 0, 7, '0x' || repeat('1a', 20),
              '0x' || repeat('ab', 32))$$,
    '23505', 'duplicate key value violates unique constraint "loans_chain_id_loan_id_onchain_key"',
    'a loan NFT id is recorded once per chain'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.loans (user_id, chain_id, loan_id_onchain, collateral, collateral_usd_at_origination,
                                 borrow_amount, borrow_amount_usd, prepaid_fee_percent, prepaid_duration_seconds,
                                 project_id, token_address, origination_tx_hash)
      VALUES ('00000000-0000-0000-0000-000000001001', '10', 1, 1, 1, 1, 1, 0, 0, 7, '0x' || repeat('1a', 20),
              '0x' || repeat('ab', 32))$$,
    'the same loan id on another chain is another loan'
);
SELECT throws_ok(
    $$UPDATE cocopay.loans SET is_active = false WHERE id = '00000000-0000-0000-0000-000000001021'$$,
    '23514', 'new row for relation "loans" violates check constraint "loans_repaid_at_check"',
    'a loan cannot become inactive without being repaid'
);
SELECT throws_ok(
    $$UPDATE cocopay.loans SET repaid_at = now(), repayment_tx_hash = '0x' || repeat('cd', 32)
      WHERE id = '00000000-0000-0000-0000-000000001021'$$,
    '23514', 'new row for relation "loans" violates check constraint "loans_repaid_at_check"',
    'a repaid loan cannot stay active'
);
SELECT throws_ok(
    $$UPDATE cocopay.loans SET is_active = false, repaid_at = now() WHERE id = '00000000-0000-0000-0000-000000001021'$$,
    '23514', 'new row for relation "loans" violates check constraint "loans_repayment_check"',
    'a repaid loan records its repayment transaction'
);
SELECT throws_ok(
    $$UPDATE cocopay.loans SET repayment_tx_hash = '0x' || repeat('cd', 32)
      WHERE id = '00000000-0000-0000-0000-000000001021'$$,
    '23514', 'new row for relation "loans" violates check constraint "loans_repayment_check"',
    'an unrepaid loan has no repayment transaction'
);
SELECT throws_ok(
    $$UPDATE cocopay.loans SET is_active = false, repaid_at = now(), repayment_tx_hash = '0xcd'
      WHERE id = '00000000-0000-0000-0000-000000001021'$$,
    '23514', 'new row for relation "loans" violates check constraint "loans_repayment_tx_hash_check"',
    'repayment_tx_hash must be 0x + 64 hex'
);
SELECT lives_ok(
    $$UPDATE cocopay.loans SET is_active = false, repaid_at = now(), repayment_tx_hash = '0x' || repeat('cd', 32)
      WHERE id = '00000000-0000-0000-0000-000000001021'$$,
    'repaying sets is_active = false, repaid_at and repayment_tx_hash together'
);
SELECT throws_ok(
    replace(pg_temp.loan(), '250 AS prepaid_fee_percent', '10001 AS prepaid_fee_percent'),
    '23514', 'new row for relation "loans" violates check constraint "loans_prepaid_fee_percent_check"',
    'a prepaid fee above 10000 basis points is rejected'
);
SELECT lives_ok(
    replace(pg_temp.loan(), '250 AS prepaid_fee_percent', '10000 AS prepaid_fee_percent'),
    'a prepaid fee of exactly 10000 basis points is accepted'
);
SELECT throws_ok(
    replace(pg_temp.loan(), '250 AS prepaid_fee_percent', '-1 AS prepaid_fee_percent'),
    '23514', 'new row for relation "loans" violates check constraint "loans_prepaid_fee_percent_check"',
    'a negative prepaid fee is rejected'
);
SELECT throws_ok(
    replace(pg_temp.loan(), '15552000::bigint', '-1::bigint'),
    '23514', 'new row for relation "loans" violates check constraint "loans_prepaid_duration_seconds_check"',
    'a negative prepaid duration is rejected'
);
SELECT throws_ok(
    replace(pg_temp.loan(), '1000::numeric AS collateral', '-1::numeric AS collateral'),
    '23514', 'new row for relation "loans" violates check constraint "loans_collateral_check"',
    'negative collateral is rejected'
);
SELECT throws_ok(
    replace(pg_temp.loan(), '10::numeric AS collateral_usd', '-1::numeric AS collateral_usd'),
    '23514', 'new row for relation "loans" violates check constraint "loans_collateral_usd_at_origination_check"',
    'a negative collateral USD value is rejected'
);
SELECT throws_ok(
    replace(pg_temp.loan(), '5::numeric AS borrow_amount,', '-5::numeric AS borrow_amount,'),
    '23514', 'new row for relation "loans" violates check constraint "loans_borrow_amount_check"',
    'a negative borrowed amount is rejected'
);
SELECT throws_ok(
    replace(pg_temp.loan(), '5::numeric AS borrow_amount_usd', '-5::numeric AS borrow_amount_usd'),
    '23514', 'new row for relation "loans" violates check constraint "loans_borrow_amount_usd_check"',
    'a negative borrowed USD value is rejected'
);
SELECT throws_ok(
    replace(pg_temp.loan(), '(floor(random() * 1e12))::numeric', '-1::numeric'),
    '23514', 'new row for relation "loans" violates check constraint "loans_loan_id_onchain_check"',
    'a negative loan NFT id is rejected'
);
SELECT throws_ok(
    replace(pg_temp.loan(), '7 AS project_id', '0 AS project_id'),
    '23514', 'new row for relation "loans" violates check constraint "loans_project_id_check"',
    'project id 0 is rejected'
);
SELECT throws_ok(
    replace(pg_temp.loan(), '''0x' || repeat('1a', 20) || '''', '''0x0'''),
    '23514', 'new row for relation "loans" violates check constraint "loans_token_address_check"',
    'the loan''s token_address must be an EVM address'
);
SELECT throws_ok(
    replace(pg_temp.loan(), '''0x' || repeat('ab', 32) || '''', '''0xab'''),
    '23514', 'new row for relation "loans" violates check constraint "loans_origination_tx_hash_check"',
    'origination_tx_hash must be 0x + 64 hex'
);
SELECT lives_ok(
    $$DELETE FROM cocopay.users WHERE id = '00000000-0000-0000-0000-000000001001'$$,
    'a user with loans can be deleted'
);
SELECT is(
    (SELECT count(*)::int FROM cocopay.loans
     WHERE user_id = '00000000-0000-0000-0000-000000001001'), 0,
    'deleting the user deleted its loans, repaid ones too'
);
INSERT INTO cocopay.users (id, phone) VALUES ('00000000-0000-0000-0000-000000001001', '+5511900001001');

-- payouts: state machine, every pair of distinct states
CREATE TEMP TABLE moves (n serial, from_state text, to_state text, allowed boolean) ON COMMIT DROP;
INSERT INTO moves (from_state, to_state, allowed)
SELECT
    f AS from_state,
    t AS to_state,
    (f, t) IN (('pending', 'processing'), ('pending', 'failed'), ('processing', 'completed'), ('processing', 'failed'))
    AS allowed
FROM unnest(ARRAY['pending', 'processing', 'completed', 'failed']) AS f,
     unnest(ARRAY['pending', 'processing', 'completed', 'failed']) AS t
WHERE f <> t;

INSERT INTO cocopay.payouts (id, store_id, requested_by, amount_usd, payout_type, destination, status, processed_at)
SELECT
    ('00000000-0000-0000-0000-000000010' || to_char(100 + n, 'FM000'))::uuid AS id,
    '00000000-0000-0000-0000-000000001011'::uuid AS store_id,
    '00000000-0000-0000-0000-000000001001'::uuid AS requested_by,
    50 AS amount_usd,
    'pix' AS payout_type,
    '{"pix_key": "ana@example.com"}'::jsonb AS destination,
    from_state::cocopay.payout_status AS status,
    CASE WHEN from_state IN ('completed', 'failed') THEN now() END AS processed_at
FROM moves;

SELECT CASE WHEN allowed
    THEN lives_ok(
        format('UPDATE cocopay.payouts SET status = %L, processed_at = %s WHERE id = %L', to_state,
               CASE WHEN to_state IN ('completed', 'failed') THEN 'now()' ELSE 'NULL' END,
               '00000000-0000-0000-0000-000000010' || to_char(100 + n, 'FM000')),
        format('payouts.status %s -> %s is allowed', from_state, to_state))
    ELSE throws_ok(
        format('UPDATE cocopay.payouts SET status = %L, processed_at = %s WHERE id = %L', to_state,
               CASE WHEN to_state IN ('completed', 'failed') THEN 'now()' ELSE 'NULL' END,
               '00000000-0000-0000-0000-000000010' || to_char(100 + n, 'FM000')),
        'CD001', format('payouts: status may not change from %s to %s', from_state, to_state),
        format('payouts.status %s -> %s is forbidden (CD001)', from_state, to_state))
END
FROM moves
ORDER BY n;

INSERT INTO cocopay.payouts (id, store_id, requested_by, amount_usd, payout_type, destination)
VALUES ('00000000-0000-0000-0000-000000001031', '00000000-0000-0000-0000-000000001011',
        '00000000-0000-0000-0000-000000001001', 50, 'wallet', jsonb_build_object('wallet_address', '0x' || repeat('9f', 20)));
SELECT is(
    (SELECT (status::text, fee_usd) FROM cocopay.payouts
     WHERE id = '00000000-0000-0000-0000-000000001031'),
    ('pending'::text, 0::numeric), 'a new payout is pending with no fee'
);
SELECT lives_ok(
    $$UPDATE cocopay.payouts SET status = 'processing' WHERE id = '00000000-0000-0000-0000-000000001031'$$,
    'processing starts without processed_at'
);
SELECT throws_ok(
    $$UPDATE cocopay.payouts SET status = 'completed' WHERE id = '00000000-0000-0000-0000-000000001031'$$,
    '23514', 'new row for relation "payouts" violates check constraint "payouts_processed_at_check"',
    'completing requires processed_at'
);
SELECT throws_ok(
    $$UPDATE cocopay.payouts SET processed_at = now() WHERE id = '00000000-0000-0000-0000-000000001031'$$,
    '23514', 'new row for relation "payouts" violates check constraint "payouts_processed_at_check"',
    'a processing payout has no processed_at'
);
SELECT lives_ok(
    $$UPDATE cocopay.payouts SET status = 'completed', processed_at = now(), external_id = 'E2E-1'
      WHERE id = '00000000-0000-0000-0000-000000001031'$$,
    'a payout completes with processed_at'
);

-- payouts: amounts and destinations
SELECT throws_ok(
    $$INSERT INTO cocopay.payouts (store_id, requested_by, amount_usd, payout_type, destination)
      VALUES ('00000000-0000-0000-0000-000000001011', '00000000-0000-0000-0000-000000001001', 0, 'pix',
              '{"pix_key": "k"}')$$,
    '23514', 'new row for relation "payouts" violates check constraint "payouts_amount_usd_check"',
    'a payout of 0 is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.payouts (store_id, requested_by, amount_usd, fee_usd, payout_type, destination)
      VALUES ('00000000-0000-0000-0000-000000001011', '00000000-0000-0000-0000-000000001001', 10, -1, 'pix',
              '{"pix_key": "k"}')$$,
    '23514', 'new row for relation "payouts" violates check constraint "payouts_fee_usd_check"',
    'a negative fee is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.payouts (store_id, requested_by, amount_usd, payout_type, destination)
      VALUES ('00000000-0000-0000-0000-000000001011', '00000000-0000-0000-0000-000000001001', 10, 'pix',
              '{"bank_account": {"agency": "0001"}}')$$,
    '23514', 'new row for relation "payouts" violates check constraint "payouts_destination_check"',
    'a PIX payout needs a pix_key'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.payouts (store_id, requested_by, amount_usd, payout_type, destination)
      VALUES ('00000000-0000-0000-0000-000000001011', '00000000-0000-0000-0000-000000001001', 10, 'bank',
              '{"pix_key": "k"}')$$,
    '23514', 'new row for relation "payouts" violates check constraint "payouts_destination_check"',
    'a bank payout needs a bank_account'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.payouts (store_id, requested_by, amount_usd, payout_type, destination)
      VALUES ('00000000-0000-0000-0000-000000001011', '00000000-0000-0000-0000-000000001001', 10, 'wallet',
              '{"wallet_address": "0x123"}')$$,
    '23514', 'new row for relation "payouts" violates check constraint "payouts_destination_check"',
    'a wallet payout needs an EVM wallet_address'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.payouts (store_id, requested_by, amount_usd, payout_type, destination)
      VALUES ('00000000-0000-0000-0000-000000001011', '00000000-0000-0000-0000-000000001001', 10, 'pix',
              '["k"]')$$,
    '23514', 'new row for relation "payouts" violates check constraint "payouts_destination_check"',
    'a destination must be a JSON object'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.payouts (store_id, requested_by, amount_usd, fee_usd, payout_type, destination)
      VALUES ('00000000-0000-0000-0000-000000001011', '00000000-0000-0000-0000-000000001001', 10, 0.5, 'bank',
              '{"bank_account": {"bank": "260", "agency": "0001", "account": "12345-6"}}')$$,
    'a bank payout with its account is accepted'
);
SELECT throws_ok(
    $$DELETE FROM cocopay.users WHERE id = '00000000-0000-0000-0000-000000001001'$$,
    '23503',
    'update or delete on table "users" violates foreign key constraint "payouts_requested_by_fkey" on table "payouts"',
    'a user who requested payouts cannot be deleted'
);
SELECT lives_ok(
    $$DELETE FROM cocopay.stores WHERE id = '00000000-0000-0000-0000-000000001011'$$,
    'a store with payouts can be deleted'
);
SELECT is(
    (SELECT count(*)::int FROM cocopay.payouts
     WHERE store_id = '00000000-0000-0000-0000-000000001011'), 0,
    'deleting the store deleted its payouts'
);

SELECT * FROM finish();
ROLLBACK;
