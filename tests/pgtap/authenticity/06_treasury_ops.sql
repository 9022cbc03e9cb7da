-- Treasury operations: REFILL_SWAP rows with positive amounts, a JSON-object route, a unique
-- Solana transaction, append-only.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(11);
\ir fixtures.psql

SELECT lives_ok(
    format($$INSERT INTO authenticity.treasury_ops (type, pyusd_in, sol_out_lamports, jupiter_route, tx_signature)
      VALUES ('REFILL_SWAP', 25000000, 150000000, '{"inputMint": "PYUSD", "outputMint": "SOL", "routePlan": []}', %L)$$,
      pg_temp.sig('swap-1')),
    'a REFILL_SWAP with positive amounts, a route object and a signature is recorded'
);
SELECT throws_ok(
    format($$INSERT INTO authenticity.treasury_ops (pyusd_in, sol_out_lamports, jupiter_route, tx_signature)
      VALUES (1, 1, '{}', %L)$$, pg_temp.sig('swap-2')),
    '23502', NULL, 'type is required'
);
SELECT throws_ok(
    format($$INSERT INTO authenticity.treasury_ops (type, pyusd_in, sol_out_lamports, jupiter_route, tx_signature)
      VALUES ('REFILL_SWAP', 0, 1, '{}', %L)$$, pg_temp.sig('swap-2')),
    '23514', 'new row for relation "treasury_ops" violates check constraint "treasury_ops_pyusd_in_check"',
    'pyusd_in is positive'
);
SELECT throws_ok(
    format($$INSERT INTO authenticity.treasury_ops (type, pyusd_in, sol_out_lamports, jupiter_route, tx_signature)
      VALUES ('REFILL_SWAP', 1, -5, '{}', %L)$$, pg_temp.sig('swap-2')),
    '23514', 'new row for relation "treasury_ops" violates check constraint "treasury_ops_sol_out_lamports_check"',
    'sol_out_lamports is positive'
);
SELECT throws_ok(
    format($$INSERT INTO authenticity.treasury_ops (type, pyusd_in, sol_out_lamports, jupiter_route, tx_signature)
      VALUES ('REFILL_SWAP', 1, 1, '[1, 2]', %L)$$, pg_temp.sig('swap-2')),
    '23514', 'new row for relation "treasury_ops" violates check constraint "treasury_ops_jupiter_route_check"',
    'jupiter_route is a JSON object'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.treasury_ops (type, pyusd_in, sol_out_lamports, jupiter_route, tx_signature)
      VALUES ('REFILL_SWAP', 1, 1, '{}', 'sig')$$,
    '23514', 'new row for relation "treasury_ops" violates check constraint "treasury_ops_tx_signature_check"',
    'tx_signature is a Solana signature'
);
SELECT throws_ok(
    format($$INSERT INTO authenticity.treasury_ops (type, pyusd_in, sol_out_lamports, jupiter_route, tx_signature)
      VALUES ('REFILL_SWAP', 1, 1, '{}', %L)$$, pg_temp.sig('swap-1')),
    '23505', 'duplicate key value violates unique constraint "treasury_ops_tx_signature_key"',
    'a swap transaction is recorded once'
);
SELECT throws_ok(
    $$INSERT INTO authenticity.treasury_ops (type, pyusd_in, sol_out_lamports, jupiter_route, tx_signature)
      VALUES ('REFILL', 1, 1, '{}', 'x')$$,
    '22P02', NULL, 'REFILL_SWAP is the only operation type'
);
SELECT throws_ok($$UPDATE authenticity.treasury_ops SET pyusd_in = 2$$,
    'CD003', 'treasury_ops: rows are append-only (UPDATE refused)', 'treasury operations are never updated');
SELECT throws_ok($$DELETE FROM authenticity.treasury_ops$$,
    'CD003', 'treasury_ops: rows are append-only (DELETE refused)', 'treasury operations are never deleted');
SELECT throws_ok($$TRUNCATE authenticity.treasury_ops$$,
    'CD003', 'treasury_ops: rows are append-only (TRUNCATE refused)', 'treasury operations are never truncated');

SELECT * FROM finish();
ROLLBACK;
