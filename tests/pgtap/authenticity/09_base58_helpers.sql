-- authenticity: the base58 threshold helpers of 0001 (base58_pow256, base58_takes_bytes). Since 0018 no
-- CHECK uses them, but they stay granted: their answers are pinned here, at the edges of a byte.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(6);

SELECT is(authenticity.base58_pow256(0), '2', 'base58 of 256^0 = 1 is "2"');
SELECT is(authenticity.base58_pow256(1), '5R', 'base58 of 256^1 = 256 is "5R"');
SELECT is(authenticity.base58_pow256(33), NULL, 'NULL beyond 256^32');
SELECT ok(authenticity.base58_takes_bytes('5R', 2), '256 takes exactly 2 bytes');
SELECT ok(
    authenticity.base58_takes_bytes('5Q', 1) AND NOT authenticity.base58_takes_bytes('5Q', 2),
    '255 takes exactly 1 byte'
);
SELECT ok(
    authenticity.base58_takes_bytes('2', 1) AND NOT authenticity.base58_takes_bytes('2', 2),
    '1 takes exactly 1 byte'
);

SELECT * FROM finish();
ROLLBACK;
