BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(24);

SELECT has_schema('common', 'schema common exists');
SELECT has_schema('extensions', 'schema extensions exists');
SELECT has_extension('extensions', 'pgcrypto', 'pgcrypto is installed in extensions');
SELECT has_extension('extensions', 'uuid-ossp', 'uuid-ossp is installed in extensions');
SELECT has_extension('extensions', 'cube', 'cube is installed in extensions');
SELECT has_extension('extensions', 'earthdistance', 'earthdistance is installed in extensions');

SELECT is(
    encode(common.base58_decode('2NEpo7TZRRrLZSi2U'), 'escape'), 'Hello World!',
    'base58_decode decodes the reference vector'
);
SELECT is(
    common.base58_decode('1112'), '\x00000001'::bytea,
    'base58_decode keeps one zero byte per leading 1'
);
SELECT is(common.base58_decode('0OIl'), NULL, 'base58_decode returns NULL outside the alphabet');

SELECT ok(common.is_solana_pubkey('11111111111111111111111111111111'), 'the system program id is a pubkey');
SELECT ok(
    common.is_solana_pubkey('So11111111111111111111111111111111111111112'), 'the wrapped SOL mint is a pubkey'
);
SELECT ok(NOT common.is_solana_pubkey('1111111111111111111111111111111'), 'base58 of 31 bytes is not a pubkey');
SELECT ok(NOT common.is_solana_pubkey('not-base58-at-all-0OIl-not-base58'), 'non-base58 text is not a pubkey');
SELECT is(common.is_solana_pubkey(NULL), NULL, 'is_solana_pubkey is NULL on NULL');
SELECT ok(
    common.is_solana_signature(repeat('1', 64)), 'base58 of 64 zero bytes is a signature'
);
SELECT ok(
    NOT common.is_solana_signature('11111111111111111111111111111111'), 'a pubkey is not a signature'
);

SELECT ok(common.is_evm_address('0x' || repeat('aB', 20)), 'mixed-case 40 hex digits is an address');
SELECT ok(NOT common.is_evm_address('0x' || repeat('a', 39)), '39 hex digits is not an address');
SELECT ok(NOT common.is_evm_address(repeat('a', 42)), 'an address needs its 0x prefix');
SELECT ok(common.is_evm_hash('0x' || repeat('f', 64)), '64 hex digits is a hash');
SELECT ok(NOT common.is_evm_hash('0x' || repeat('g', 64)), 'non-hex is not a hash');

SELECT throws_ok(
    $$SELECT common.forbid_transition('widgets', 'done', 'new')$$,
    'CD001', 'widgets: status may not change from done to new',
    'forbid_transition raises CD001 naming both states'
);

SELECT has_function('common', 'tg__set_updated_at', 'the updated_at trigger function exists');

SELECT ok(
    NOT has_function_privilege('public', 'common.base58_decode(text)', 'EXECUTE'),
    'PUBLIC may not execute common functions'
);

SELECT * FROM finish();
ROLLBACK;
