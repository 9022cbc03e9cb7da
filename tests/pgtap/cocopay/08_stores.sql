-- cocopay: rules of stores, store_deployments (both deployment state machines) and store_members.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(59);

INSERT INTO cocopay.users (id, phone) VALUES
('00000000-0000-0000-0000-000000000801', '+5511900000801'),
('00000000-0000-0000-0000-000000000802', '+5511900000802'),
('00000000-0000-0000-0000-000000000803', '+5511900000803');
INSERT INTO cocopay.stores (id, name, symbol, short_code)
VALUES ('00000000-0000-0000-0000-000000000811', 'Padaria Coco', 'COCO', 'COCO1');

-- stores: location, symbol, short code, name
SELECT lives_ok(
    $$INSERT INTO cocopay.stores (name, symbol, latitude, longitude) VALUES ('Sul', 'SUL', -90, -180),
                                                                           ('Norte', 'NORTE', 90, 180)$$,
    'latitude and longitude at their bounds are accepted'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.stores (name, symbol, latitude, longitude) VALUES ('X', 'X', 90.00000001, 0)$$,
    '23514', 'new row for relation "stores" violates check constraint "stores_latitude_check"',
    'latitude above 90 is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.stores (name, symbol, latitude, longitude) VALUES ('X', 'X', -91, 0)$$,
    '23514', 'new row for relation "stores" violates check constraint "stores_latitude_check"',
    'latitude below -90 is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.stores (name, symbol, latitude, longitude) VALUES ('X', 'X', 0, 180.5)$$,
    '23514', 'new row for relation "stores" violates check constraint "stores_longitude_check"',
    'longitude above 180 is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.stores (name, symbol, latitude, longitude) VALUES ('X', 'X', 0, -180.5)$$,
    '23514', 'new row for relation "stores" violates check constraint "stores_longitude_check"',
    'longitude below -180 is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.stores (name, symbol, latitude) VALUES ('X', 'X', -23.5)$$,
    '23514', 'new row for relation "stores" violates check constraint "stores_location_check"',
    'latitude without longitude is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.stores (name, symbol, longitude) VALUES ('X', 'X', -46.6)$$,
    '23514', 'new row for relation "stores" violates check constraint "stores_location_check"',
    'longitude without latitude is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.stores (name, symbol) VALUES ('X', 'coco')$$,
    '23514', 'new row for relation "stores" violates check constraint "stores_symbol_check"',
    'a lowercase symbol is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.stores (name, symbol) VALUES ('X', '')$$,
    '23514', 'new row for relation "stores" violates check constraint "stores_symbol_check"',
    'an empty symbol is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.stores (name, symbol) VALUES ('   ', 'X')$$,
    '23514', 'new row for relation "stores" violates check constraint "stores_name_check"',
    'a blank name is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.stores (name, symbol, short_code) VALUES ('X', 'X', 'AB1')$$,
    '23514', 'new row for relation "stores" violates check constraint "stores_short_code_check"',
    'a 3-character short code is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.stores (name, symbol, short_code) VALUES ('X', 'X', 'coco-2')$$,
    '23514', 'new row for relation "stores" violates check constraint "stores_short_code_check"',
    'a short code with lowercase letters or punctuation is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.stores (name, symbol, short_code) VALUES ('X', 'X', 'COCO1')$$,
    '23505', 'duplicate key value violates unique constraint "stores_short_code_key"',
    'a short code identifies one store'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.stores (name, symbol, short_code) VALUES ('Y', 'Y', NULL), ('Z', 'Z', NULL)$$,
    'many stores may have no short code'
);
SELECT is(
    (SELECT deployment_status::text FROM cocopay.stores
     WHERE id = '00000000-0000-0000-0000-000000000811'), 'pending',
    'a new store''s deployment is pending'
);

-- Both deployment state machines: every pair of distinct states
CREATE TEMP TABLE moves (n serial, from_state text, to_state text, allowed boolean) ON COMMIT DROP;
INSERT INTO moves (from_state, to_state, allowed)
SELECT
    f AS from_state,
    t AS to_state,
    (f, t) IN (('pending', 'deploying'), ('deploying', 'deployed'), ('deploying', 'failed'), ('failed', 'pending'))
    AS allowed
FROM unnest(ARRAY['pending', 'deploying', 'deployed', 'failed']) AS f,
     unnest(ARRAY['pending', 'deploying', 'deployed', 'failed']) AS t
WHERE f <> t;

INSERT INTO cocopay.stores (id, name, symbol, deployment_status)
SELECT
    ('00000000-0000-0000-0000-000000008' || to_char(100 + n, 'FM000'))::uuid AS id,
    'Move ' || n AS name,
    'M' || n AS symbol,
    from_state::cocopay.deployment_status AS deployment_status
FROM moves;

SELECT CASE WHEN allowed
    THEN lives_ok(
        format('UPDATE cocopay.stores SET deployment_status = %L WHERE id = %L', to_state,
               '00000000-0000-0000-0000-000000008' || to_char(100 + n, 'FM000')),
        format('stores.deployment_status %s -> %s is allowed', from_state, to_state))
    ELSE throws_ok(
        format('UPDATE cocopay.stores SET deployment_status = %L WHERE id = %L', to_state,
               '00000000-0000-0000-0000-000000008' || to_char(100 + n, 'FM000')),
        'CD001', format('stores: status may not change from %s to %s', from_state, to_state),
        format('stores.deployment_status %s -> %s is forbidden (CD001)', from_state, to_state))
END
FROM moves
ORDER BY n;

SELECT lives_ok(
    $$UPDATE cocopay.stores SET deployment_status = 'pending', name = 'Padaria' WHERE id = '00000000-0000-0000-0000-000000000811'$$,
    'an update that keeps deployment_status passes the state machine'
);

INSERT INTO cocopay.store_deployments (id, store_id, chain_id, status, deployed_at, deploy_tx_hash)
SELECT
    ('00000000-0000-0000-0000-000000008' || to_char(200 + n, 'FM000'))::uuid AS id,
    ('00000000-0000-0000-0000-000000008' || to_char(100 + n, 'FM000'))::uuid AS store_id,
    '8453' AS chain_id,
    from_state::cocopay.deployment_status AS status,
    CASE WHEN from_state = 'deployed' THEN now() END AS deployed_at,
    CASE WHEN from_state = 'deployed' THEN '0x' || repeat('d', 64) END AS deploy_tx_hash
FROM moves;

SELECT CASE WHEN allowed
    THEN lives_ok(
        format('UPDATE cocopay.store_deployments SET status = %L, deployed_at = %s, deploy_tx_hash = %s WHERE id = %L',
               to_state, CASE WHEN to_state = 'deployed' THEN 'now()' ELSE 'NULL' END,
               CASE WHEN to_state = 'deployed' THEN quote_literal('0x' || repeat('d', 64)) ELSE 'NULL' END,
               '00000000-0000-0000-0000-000000008' || to_char(200 + n, 'FM000')),
        format('store_deployments.status %s -> %s is allowed', from_state, to_state))
    ELSE throws_ok(
        format('UPDATE cocopay.store_deployments SET status = %L, deployed_at = %s, deploy_tx_hash = %s WHERE id = %L',
               to_state, CASE WHEN to_state = 'deployed' THEN 'now()' ELSE 'NULL' END,
               CASE WHEN to_state = 'deployed' THEN quote_literal('0x' || repeat('d', 64)) ELSE 'NULL' END,
               '00000000-0000-0000-0000-000000008' || to_char(200 + n, 'FM000')),
        'CD001', format('store_deployments: status may not change from %s to %s', from_state, to_state),
        format('store_deployments.status %s -> %s is forbidden (CD001)', from_state, to_state))
END
FROM moves
ORDER BY n;

-- store_deployments: deployment facts tied to status, formats, uniqueness
INSERT INTO cocopay.store_deployments (id, store_id, chain_id, status)
VALUES ('00000000-0000-0000-0000-000000000821', '00000000-0000-0000-0000-000000000811', '8453', 'deploying');
SELECT throws_ok(
    $$UPDATE cocopay.store_deployments SET status = 'deployed' WHERE id = '00000000-0000-0000-0000-000000000821'$$,
    '23514', 'new row for relation "store_deployments" violates check constraint "store_deployments_deployed_check"',
    'deployed needs deployed_at and deploy_tx_hash'
);
SELECT throws_ok(
    $$UPDATE cocopay.store_deployments SET status = 'deployed', deployed_at = now()
      WHERE id = '00000000-0000-0000-0000-000000000821'$$,
    '23514', 'new row for relation "store_deployments" violates check constraint "store_deployments_deployed_check"',
    'deployed needs deploy_tx_hash too'
);
SELECT throws_ok(
    $$UPDATE cocopay.store_deployments SET deploy_tx_hash = '0x' || repeat('d', 64)
      WHERE id = '00000000-0000-0000-0000-000000000821'$$,
    '23514', 'new row for relation "store_deployments" violates check constraint "store_deployments_deployed_check"',
    'a deployment that is not deployed has no deploy_tx_hash'
);
SELECT throws_ok(
    $$UPDATE cocopay.store_deployments SET status = 'failed', deployed_at = now()
      WHERE id = '00000000-0000-0000-0000-000000000821'$$,
    '23514', 'new row for relation "store_deployments" violates check constraint "store_deployments_deployed_check"',
    'a failed deployment has no deployed_at'
);
SELECT lives_ok(
    $$UPDATE cocopay.store_deployments
      SET status = 'deployed', deployed_at = now(), deploy_tx_hash = '0x' || repeat('d', 64), project_id = 42,
          token_address = '0x' || repeat('1a', 20), terminal_address = '0x' || repeat('2b', 20)
      WHERE id = '00000000-0000-0000-0000-000000000821'$$,
    'a deployment completes with its tx hash, time, project and addresses'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.store_deployments (store_id, chain_id) VALUES ('00000000-0000-0000-0000-000000000811', '8453')$$,
    '23505', 'duplicate key value violates unique constraint "store_deployments_store_id_chain_id_key"',
    'one deployment per store per chain'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.store_deployments (store_id, chain_id, project_id)
      VALUES ('00000000-0000-0000-0000-000000000811', '10', 0)$$,
    '23514', 'new row for relation "store_deployments" violates check constraint "store_deployments_project_id_check"',
    'project ids start at 1'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.store_deployments (store_id, chain_id, token_address)
      VALUES ('00000000-0000-0000-0000-000000000811', '10', '0x0')$$,
    '23514', 'new row for relation "store_deployments" violates check constraint "store_deployments_token_address_check"',
    'token_address must be an EVM address'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.store_deployments (store_id, chain_id, terminal_address)
      VALUES ('00000000-0000-0000-0000-000000000811', '10', 'terminal')$$,
    '23514',
    'new row for relation "store_deployments" violates check constraint "store_deployments_terminal_address_check"',
    'terminal_address must be an EVM address'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.store_deployments (store_id, chain_id, status, deployed_at, deploy_tx_hash)
      VALUES ('00000000-0000-0000-0000-000000000811', '10', 'deployed', now(), '0x' || repeat('g', 64))$$,
    '23514',
    'new row for relation "store_deployments" violates check constraint "store_deployments_deploy_tx_hash_check"',
    'deploy_tx_hash must be 0x + 64 hex'
);

-- store_members: one owner per store
INSERT INTO cocopay.store_members (store_id, user_id, role)
VALUES ('00000000-0000-0000-0000-000000000811', '00000000-0000-0000-0000-000000000801', 'owner');
SELECT throws_ok(
    $$INSERT INTO cocopay.store_members (store_id, user_id, role, invited_by)
      VALUES ('00000000-0000-0000-0000-000000000811', '00000000-0000-0000-0000-000000000802', 'owner',
              '00000000-0000-0000-0000-000000000801')$$,
    '23505', 'duplicate key value violates unique constraint "store_members_one_owner_key"',
    'a store has at most one owner'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.store_members (store_id, user_id, role, invited_by)
      VALUES ('00000000-0000-0000-0000-000000000811', '00000000-0000-0000-0000-000000000802', 'admin',
              '00000000-0000-0000-0000-000000000801'),
             ('00000000-0000-0000-0000-000000000811', '00000000-0000-0000-0000-000000000803', 'admin',
              '00000000-0000-0000-0000-000000000801')$$,
    'a store may have several admins'
);
SELECT throws_ok(
    $$UPDATE cocopay.store_members SET role = 'owner'
      WHERE store_id = '00000000-0000-0000-0000-000000000811' AND user_id = '00000000-0000-0000-0000-000000000802'$$,
    '23505', 'duplicate key value violates unique constraint "store_members_one_owner_key"',
    'promoting a second owner is rejected'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.store_members (store_id, user_id, role)
      VALUES ('00000000-0000-0000-0000-000000008101', '00000000-0000-0000-0000-000000000801', 'owner')$$,
    'the same user may own another store'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.store_members (store_id, user_id, role)
      VALUES ('00000000-0000-0000-0000-000000000811', '00000000-0000-0000-0000-000000000802', 'staff')$$,
    '23505', 'duplicate key value violates unique constraint "store_members_store_id_user_id_key"',
    'a user is a member of a store once'
);
SELECT throws_ok(
    $$UPDATE cocopay.store_members SET accepted_at = invited_at - interval '1 second'
      WHERE store_id = '00000000-0000-0000-0000-000000000811' AND user_id = '00000000-0000-0000-0000-000000000803'$$,
    '23514', 'new row for relation "store_members" violates check constraint "store_members_accepted_at_check"',
    'an invitation cannot be accepted before it was sent'
);
SELECT throws_ok(
    $$DELETE FROM cocopay.users WHERE id = '00000000-0000-0000-0000-000000000801'$$,
    '23503',
    'update or delete on table "users" violates foreign key constraint "store_members_invited_by_fkey" on table "store_members"',
    'a user who invited members cannot be deleted (invited_by has no ON DELETE in the seed)'
);
SELECT lives_ok(
    $$DELETE FROM cocopay.stores WHERE id = '00000000-0000-0000-0000-000000000811'$$,
    'a store without transactions can be deleted'
);
SELECT is(
    (SELECT count(*)::int FROM cocopay.store_members
     WHERE store_id = '00000000-0000-0000-0000-000000000811')
    + (SELECT count(*)::int FROM cocopay.store_deployments
       WHERE store_id = '00000000-0000-0000-0000-000000000811'),
    0,
    'deleting the store deleted its members and deployments'
);

SELECT * FROM finish();
ROLLBACK;
