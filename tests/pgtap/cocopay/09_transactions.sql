-- cocopay: rules of transactions (state machine, confirmed_at, amounts, idempotency, chain values).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(29);
\ir ../helpers.psql

INSERT INTO cocopay.users (id, phone) VALUES ('00000000-0000-0000-0000-000000000901', '+5511900000901');
INSERT INTO cocopay.stores (id, name, symbol) VALUES ('00000000-0000-0000-0000-000000000911', 'Bar', 'BAR');

-- State machine: every pair of distinct states
CREATE TEMP TABLE moves (n serial, from_state text, to_state text, allowed boolean) ON COMMIT DROP;
INSERT INTO moves (from_state, to_state, allowed)
SELECT
    f AS from_state,
    t AS to_state,
    f = 'pending' AS allowed
FROM unnest(ARRAY['pending', 'confirmed', 'failed']) AS f, unnest(ARRAY['pending', 'confirmed', 'failed']) AS t
WHERE f <> t;

INSERT INTO cocopay.transactions (id, from_user_id, store_id, type, status, amount_usd, chain_id, confirmed_at)
SELECT
    ('00000000-0000-0000-0000-000000009' || to_char(100 + n, 'FM000'))::uuid AS id,
    '00000000-0000-0000-0000-000000000901'::uuid AS from_user_id,
    '00000000-0000-0000-0000-000000000911'::uuid AS store_id,
    'payment' AS type,
    from_state::cocopay.transaction_status AS status,
    10 AS amount_usd,
    '8453' AS chain_id,
    CASE WHEN from_state = 'confirmed' THEN now() END AS confirmed_at
FROM moves;

-- A confirmed row keeps its confirmed_at (set once since 0039_cocopay_transactions_immutable_columns).
SELECT CASE WHEN allowed
    THEN lives_ok(
        format('UPDATE cocopay.transactions SET status = %L, confirmed_at = %s WHERE id = %L', to_state,
               CASE WHEN to_state = 'confirmed' THEN 'now()' WHEN from_state = 'confirmed' THEN 'confirmed_at' ELSE 'NULL' END,
               '00000000-0000-0000-0000-000000009' || to_char(100 + n, 'FM000')),
        format('transactions.status %s -> %s is allowed', from_state, to_state))
    ELSE throws_ok(
        format('UPDATE cocopay.transactions SET status = %L, confirmed_at = %s WHERE id = %L', to_state,
               CASE WHEN to_state = 'confirmed' THEN 'now()' WHEN from_state = 'confirmed' THEN 'confirmed_at' ELSE 'NULL' END,
               '00000000-0000-0000-0000-000000009' || to_char(100 + n, 'FM000')),
        'CD001', format('transactions: status may not change from %s to %s', from_state, to_state),
        format('transactions.status %s -> %s is forbidden: %s is terminal (CD001)', from_state, to_state, from_state))
END
FROM moves
ORDER BY n;

INSERT INTO cocopay.transactions (id, from_user_id, store_id, type, amount_usd, chain_id)
VALUES ('00000000-0000-0000-0000-000000000921', '00000000-0000-0000-0000-000000000901',
        '00000000-0000-0000-0000-000000000911', 'payment', 10, '8453');
SELECT is(
    (SELECT status::text FROM cocopay.transactions
     WHERE id = '00000000-0000-0000-0000-000000000921'), 'pending',
    'a new transaction is pending'
);
SELECT throws_ok(
    $$UPDATE cocopay.transactions SET status = 'confirmed' WHERE id = '00000000-0000-0000-0000-000000000921'$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_confirmed_at_check"',
    'confirming requires confirmed_at'
);
SELECT throws_ok(
    $$UPDATE cocopay.transactions SET confirmed_at = now() WHERE id = '00000000-0000-0000-0000-000000000921'$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_confirmed_at_check"',
    'a pending transaction has no confirmed_at'
);
SELECT throws_ok(
    $$UPDATE cocopay.transactions SET status = 'failed', confirmed_at = now()
      WHERE id = '00000000-0000-0000-0000-000000000921'$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_confirmed_at_check"',
    'a failed transaction has no confirmed_at'
);
SELECT lives_ok(
    $$UPDATE cocopay.transactions
      SET status = 'confirmed', confirmed_at = now(), tx_hash = '0x' || repeat('ab', 32), block_number = 123456
      WHERE id = '00000000-0000-0000-0000-000000000921'$$,
    'a pending transaction is confirmed with its confirmed_at, tx hash and block'
);
SELECT lives_ok(
    $$UPDATE cocopay.transactions SET error_message = NULL, status = 'confirmed'
      WHERE id = '00000000-0000-0000-0000-000000000921'$$,
    'an update that keeps the status passes the state machine'
);

SELECT is(
    pg_temp.error_fields(
        $$UPDATE cocopay.transactions SET status = 'failed'
          WHERE id = '00000000-0000-0000-0000-000000000921'$$
    ),
    ARRAY['CD001', 'transactions_status_transition', 'transactions', 'from=confirmed to=failed'],
    'a forbidden transition names constraint transactions_status_transition and from/to in DETAIL'
);

-- Amounts
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id)
      VALUES ('00000000-0000-0000-0000-000000000911', 'received', -0.01, '8453')$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_amount_usd_check"',
    'a negative amount is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id)
      VALUES ('00000000-0000-0000-0000-000000000911', 'payment', 0, '8453')$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_payment_amount_usd_check"',
    'a payment of 0 is rejected'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.transactions (to_user_id, type, amount_usd, chain_id)
      VALUES ('00000000-0000-0000-0000-000000000901', 'bonus_claim', 0, '8453')$$,
    'a bonus claim of 0 is accepted (only payments must be positive)'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id)
      VALUES ('00000000-0000-0000-0000-000000000911', 'payment', 0.000001, '8453')$$,
    'the smallest positive payment (1e-6 USD) is accepted'
);

-- Idempotency
SELECT lives_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, idempotency_key)
      VALUES ('00000000-0000-0000-0000-000000000911', 'payment', 1, '8453', 'req-1')$$,
    'a transaction with an idempotency key is accepted'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, idempotency_key)
      VALUES ('00000000-0000-0000-0000-000000000911', 'payment', 1, '8453', 'req-1')$$,
    '23505', 'duplicate key value violates unique constraint "transactions_idempotency_key_key"',
    'a second transaction with the same idempotency key is rejected'
);
SELECT is(
    (SELECT count(*)::int FROM cocopay.transactions
     WHERE idempotency_key = 'req-1'), 1,
    'exactly one transaction carries the key'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id)
      VALUES ('00000000-0000-0000-0000-000000000911', 'payment', 1, '8453'),
             ('00000000-0000-0000-0000-000000000911', 'payment', 1, '8453')$$,
    'any number of transactions have no idempotency key'
);

-- Chain values and JSON shapes
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, tx_hash)
      VALUES ('00000000-0000-0000-0000-000000000911', 'payment', 1, '8453', '0x' || repeat('z', 64))$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_tx_hash_check"',
    'tx_hash must be 0x + 64 hex'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, block_number)
      VALUES ('00000000-0000-0000-0000-000000000911', 'payment', 1, '8453', -1)$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_block_number_check"',
    'a negative block number is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, tokens_used)
      VALUES ('00000000-0000-0000-0000-000000000911', 'payment', 1, '8453', '{"token_address": "0x0"}')$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_tokens_used_check"',
    'tokens_used must be a JSON array'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, rewards_earned)
      VALUES ('00000000-0000-0000-0000-000000000911', 'payment', 1, '8453', '[]')$$,
    '23514', 'new row for relation "transactions" violates check constraint "transactions_rewards_earned_check"',
    'rewards_earned must be a JSON object'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id, tokens_used, rewards_earned)
      VALUES ('00000000-0000-0000-0000-000000000911', 'payment', 3, '8453',
              '[{"token_address": "0x0", "amount": "1", "amount_usd": "3"}]',
              '{"token_address": "0x0", "amount": "1", "amount_usd": "0.1"}')$$,
    'the seed''s token breakdown shapes are accepted'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id)
      VALUES ('00000000-0000-0000-0000-000000000911', 'payment', 1, '137')$$,
    '22P02', 'invalid input value for enum cocopay.chain_id: "137"',
    'an unsupported chain is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (store_id, type, amount_usd, chain_id)
      VALUES ('00000000-0000-0000-0000-0000000009ff', 'payment', 1, '8453')$$,
    '23503', 'insert or update on table "transactions" violates foreign key constraint "transactions_store_id_fkey"',
    'a transaction''s store must exist'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.transactions (to_user_id, type, amount_usd, chain_id)
      VALUES ('00000000-0000-0000-0000-0000000009ff', 'received', 1, '8453')$$,
    '23503', 'insert or update on table "transactions" violates foreign key constraint "transactions_to_user_id_fkey"',
    'a transaction''s recipient must exist'
);

SELECT * FROM finish();
ROLLBACK;
