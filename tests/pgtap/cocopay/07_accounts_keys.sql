-- cocopay: rules of smart_accounts and signing_keys.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(30);

INSERT INTO cocopay.users (id, phone) VALUES
('00000000-0000-0000-0000-000000000701', '+5511900000701'),
('00000000-0000-0000-0000-000000000702', '+5511900000702');

-- smart_accounts
SELECT lives_ok(
    $$INSERT INTO cocopay.smart_accounts (id, user_id, chain_id, address, salt, owner_address)
      VALUES ('00000000-0000-0000-0000-000000000711', '00000000-0000-0000-0000-000000000701', '8453',
              '0x' || repeat('a1', 20), '0x' || repeat('0', 64), '0x' || repeat('b2', 20))$$,
    'a counterfactual (undeployed) smart account is accepted'
);
SELECT is(
    (SELECT (custody_status::text, deployed) FROM cocopay.smart_accounts
     WHERE id = '00000000-0000-0000-0000-000000000711'),
    ('managed'::text, false),
    'a new smart account is managed and not deployed'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.smart_accounts (user_id, chain_id, address, salt, owner_address)
      VALUES ('00000000-0000-0000-0000-000000000701', '8453',
              '0x' || repeat('c3', 20), '0x' || repeat('1', 64), '0x' || repeat('b2', 20))$$,
    '23505', 'duplicate key value violates unique constraint "smart_accounts_user_id_chain_id_key"',
    'one smart account per user per chain'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.smart_accounts (user_id, chain_id, address, salt, owner_address)
      VALUES ('00000000-0000-0000-0000-000000000702', '8453',
              '0x' || repeat('a1', 20), '0x' || repeat('1', 64), '0x' || repeat('b2', 20))$$,
    '23505', 'duplicate key value violates unique constraint "smart_accounts_chain_id_address_key"',
    'an address belongs to one account per chain'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.smart_accounts (user_id, chain_id, address, salt, owner_address)
      VALUES ('00000000-0000-0000-0000-000000000701', '10',
              '0x' || repeat('a1', 20), '0x' || repeat('0', 64), '0x' || repeat('b2', 20))$$,
    'the same counterfactual address on another chain is accepted'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.smart_accounts (user_id, chain_id, address, salt, owner_address)
      VALUES ('00000000-0000-0000-0000-000000000702', '1', '0xabc', '0x' || repeat('1', 64), '0x' || repeat('b2', 20))$$,
    '23514', 'new row for relation "smart_accounts" violates check constraint "smart_accounts_address_check"',
    'address must be an EVM address'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.smart_accounts (user_id, chain_id, address, salt, owner_address)
      VALUES ('00000000-0000-0000-0000-000000000702', '1', '0x' || repeat('d4', 20), '0x' || repeat('1', 63),
              '0x' || repeat('b2', 20))$$,
    '23514', 'new row for relation "smart_accounts" violates check constraint "smart_accounts_salt_check"',
    'salt must be 0x + 64 hex'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.smart_accounts (user_id, chain_id, address, salt, owner_address)
      VALUES ('00000000-0000-0000-0000-000000000702', '1', '0x' || repeat('d4', 20), '0x' || repeat('1', 64),
              repeat('b2', 21))$$,
    '23514', 'new row for relation "smart_accounts" violates check constraint "smart_accounts_owner_address_check"',
    'owner_address must be an EVM address'
);
SELECT throws_ok(
    $$UPDATE cocopay.smart_accounts SET deployed = true WHERE id = '00000000-0000-0000-0000-000000000711'$$,
    '23514', 'new row for relation "smart_accounts" violates check constraint "smart_accounts_deployed_check"',
    'deployed needs deploy_tx_hash and deployed_at'
);
SELECT throws_ok(
    $$UPDATE cocopay.smart_accounts SET deployed = true, deploy_tx_hash = '0x' || repeat('e', 64)
      WHERE id = '00000000-0000-0000-0000-000000000711'$$,
    '23514', 'new row for relation "smart_accounts" violates check constraint "smart_accounts_deployed_check"',
    'deployed needs deployed_at too'
);
SELECT throws_ok(
    $$UPDATE cocopay.smart_accounts SET deployed_at = now() WHERE id = '00000000-0000-0000-0000-000000000711'$$,
    '23514', 'new row for relation "smart_accounts" violates check constraint "smart_accounts_deployed_check"',
    'an undeployed account has no deployed_at'
);
SELECT throws_ok(
    $$UPDATE cocopay.smart_accounts SET deploy_tx_hash = '0x' || repeat('e', 64)
      WHERE id = '00000000-0000-0000-0000-000000000711'$$,
    '23514', 'new row for relation "smart_accounts" violates check constraint "smart_accounts_deployed_check"',
    'an undeployed account has no deploy_tx_hash'
);
SELECT throws_ok(
    $$UPDATE cocopay.smart_accounts SET deployed = true, deploy_tx_hash = '0x1234', deployed_at = now()
      WHERE id = '00000000-0000-0000-0000-000000000711'$$,
    '23514', 'new row for relation "smart_accounts" violates check constraint "smart_accounts_deploy_tx_hash_check"',
    'deploy_tx_hash must be 0x + 64 hex'
);
SELECT lives_ok(
    $$UPDATE cocopay.smart_accounts SET deployed = true, deploy_tx_hash = '0x' || repeat('e', 64), deployed_at = now()
      WHERE id = '00000000-0000-0000-0000-000000000711'$$,
    'deploying sets deployed, deploy_tx_hash and deployed_at together'
);
SELECT lives_ok(
    $$UPDATE cocopay.smart_accounts SET custody_status = 'self_custody' WHERE id = '00000000-0000-0000-0000-000000000711'$$,
    'custody can move to self_custody'
);

-- signing_keys
SELECT lives_ok(
    $$INSERT INTO cocopay.signing_keys (id, user_id, encrypted_private_key, address)
      VALUES ('00000000-0000-0000-0000-000000000721', '00000000-0000-0000-0000-000000000701', 'ciphertext-1',
              '0x' || repeat('b2', 20))$$,
    'a first active key is accepted'
);
SELECT is(
    (SELECT (is_active, revoked_at IS NULL) FROM cocopay.signing_keys
     WHERE id = '00000000-0000-0000-0000-000000000721'),
    (true, true),
    'a new key is active and not revoked'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.signing_keys (user_id, encrypted_private_key, address)
      VALUES ('00000000-0000-0000-0000-000000000701', 'ciphertext-2', '0x' || repeat('c3', 20))$$,
    '23505', 'duplicate key value violates unique constraint "signing_keys_user_id_active_key"',
    'a user has at most one active key'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.signing_keys (user_id, encrypted_private_key, address)
      VALUES ('00000000-0000-0000-0000-000000000702', 'ciphertext-3', '0x' || repeat('c3', 20))$$,
    'another user has an active key of their own'
);
SELECT throws_ok(
    $$UPDATE cocopay.signing_keys SET is_active = false WHERE id = '00000000-0000-0000-0000-000000000721'$$,
    '23514', 'new row for relation "signing_keys" violates check constraint "signing_keys_revoked_at_check"',
    'deactivating a key requires revoked_at'
);
SELECT throws_ok(
    $$UPDATE cocopay.signing_keys SET revoked_at = now() WHERE id = '00000000-0000-0000-0000-000000000721'$$,
    '23514', 'new row for relation "signing_keys" violates check constraint "signing_keys_revoked_at_check"',
    'an active key cannot carry revoked_at'
);
SELECT lives_ok(
    $$UPDATE cocopay.signing_keys SET is_active = false, revoked_at = now()
      WHERE id = '00000000-0000-0000-0000-000000000721'$$,
    'a key is revoked by clearing is_active and setting revoked_at'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.signing_keys (user_id, encrypted_private_key, address)
      VALUES ('00000000-0000-0000-0000-000000000701', 'ciphertext-4', '0x' || repeat('d4', 20))$$,
    'after revoking, the user gets a new active key (rotation)'
);
SELECT lives_ok(
    $$INSERT INTO cocopay.signing_keys (user_id, encrypted_private_key, address, is_active, revoked_at)
      VALUES ('00000000-0000-0000-0000-000000000701', 'ciphertext-5', '0x' || repeat('e5', 20), false, now())$$,
    'any number of revoked keys may be kept'
);
SELECT is(
    (SELECT count(*)::int FROM cocopay.signing_keys
     WHERE user_id = '00000000-0000-0000-0000-000000000701'), 3,
    'the user has three keys, one active'
);
SELECT throws_ok(
    $$UPDATE cocopay.signing_keys SET is_active = true, revoked_at = NULL
      WHERE id = '00000000-0000-0000-0000-000000000721'$$,
    '23505', 'duplicate key value violates unique constraint "signing_keys_user_id_active_key"',
    'a revoked key cannot be reactivated while another key is active'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.signing_keys (user_id, encrypted_private_key, address)
      VALUES ('00000000-0000-0000-0000-000000000702', '', '0x' || repeat('f6', 20))$$,
    '23514', 'new row for relation "signing_keys" violates check constraint "signing_keys_encrypted_private_key_check"',
    'an empty ciphertext is rejected'
);
SELECT throws_ok(
    $$INSERT INTO cocopay.signing_keys (user_id, encrypted_private_key, address, is_active, revoked_at)
      VALUES ('00000000-0000-0000-0000-000000000702', 'ciphertext-6', '0xnot', false, now())$$,
    '23514', 'new row for relation "signing_keys" violates check constraint "signing_keys_address_check"',
    'the key''s address must be an EVM address'
);

SELECT lives_ok(
    $$DELETE FROM cocopay.users WHERE id = '00000000-0000-0000-0000-000000000701'$$,
    'a user with keys and accounts can be deleted'
);
SELECT is(
    (SELECT count(*)::int FROM cocopay.signing_keys
     WHERE user_id = '00000000-0000-0000-0000-000000000701')
    + (SELECT count(*)::int FROM cocopay.smart_accounts
       WHERE user_id = '00000000-0000-0000-0000-000000000701'),
    0,
    'deleting the user deleted its keys (revoked ones too) and smart accounts'
);

SELECT * FROM finish();
ROLLBACK;
