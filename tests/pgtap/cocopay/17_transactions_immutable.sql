-- cocopay.transactions: amount, parties, key and times are immutable for every role, the owner
-- included (0039, common.define_immutable_columns); the columns the rule functions move stay movable.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(12);
\ir ../helpers.psql

INSERT INTO cocopay.users (id, phone) VALUES ('00000000-0000-0000-0000-000000001701', '+5511900001701');
CREATE TEMP TABLE tx AS
SELECT t.id
FROM cocopay.create_transaction(
    'immutable-1701', 'payment', 10, '8453', '00000000-0000-0000-0000-000000001701'
) AS t;
CREATE FUNCTION pg_temp.tx_id() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT x.id FROM tx AS x $$;
SELECT t.id
FROM cocopay.confirm_transaction(
    pg_temp.tx_id(),
    (
        SELECT c.confirmation_code FROM cocopay.transactions AS c
        WHERE c.id = pg_temp.tx_id()
    )
) AS t;
GRANT SELECT ON tx TO chaindb_owner;
SET ROLE chaindb_owner;

SELECT is(
    pg_temp.error_fields(
        format('UPDATE cocopay.transactions SET %I = %s WHERE id = %L', c.col, c.val, pg_temp.tx_id())
    ),
    ARRAY['CD003', 'transactions_' || c.col || '_immutable', 'transactions', ''],
    format('the owner cannot change transactions.%s of a confirmed payment (CD003)', c.col)
)
FROM (VALUES
    ('type', $$'received'$$),
    ('amount_usd', '99999'),
    ('from_user_id', 'NULL'),
    ('to_user_id', $$'00000000-0000-0000-0000-000000001701'$$),
    ('store_id', 'gen_random_uuid()'),
    ('chain_id', $$'10'$$),
    ('idempotency_key', $$'x'$$),
    ('created_at', $$'2000-01-01'$$),
    ('confirmed_at', $$'2000-01-01'$$)
) AS c (col, val);

SELECT lives_ok(
    format(
        $$UPDATE cocopay.transactions SET tx_hash = '0x%s', block_number = 7 WHERE id = %L$$,
        repeat('ab', 32), pg_temp.tx_id()
    ),
    'tx_hash and block_number may still be recorded'
);
SELECT is(
    (
        SELECT t.amount_usd FROM cocopay.transactions AS t
        WHERE t.id = pg_temp.tx_id()
    ),
    10.000000::numeric,
    'the confirmed amount is the one written'
);
SELECT is(
    (
        SELECT c.set_once FROM common.immutable_columns AS c
        WHERE (c.schema_name, c.table_name, c.column_name) = ('cocopay', 'transactions', 'confirmed_at')
    ),
    true,
    'confirmed_at is declared set-once'
);

SELECT * FROM finish();
ROLLBACK;
