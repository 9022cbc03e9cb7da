-- depends: 0001_authenticity_schema
-- The seed's value sets as enums, labels verbatim (including the seed's lower-case
-- manufacturer statuses next to the upper-case ones).

CREATE TYPE authenticity.manufacturer_status AS ENUM ('active', 'suspended');

COMMENT ON TYPE authenticity.manufacturer_status IS
'active: may activate or resume batches; suspended: its batches cannot be (re)activated.';

CREATE TYPE authenticity.batch_status AS ENUM ('CREATED', 'ACTIVE', 'PAUSED', 'CLOSED');

COMMENT ON TYPE authenticity.batch_status IS
'Batch state machine: CREATED -> ACTIVE, ACTIVE <-> PAUSED, CREATED | ACTIVE | PAUSED -> CLOSED (terminal). '
'Only an ACTIVE batch verifies codes.';

CREATE TYPE authenticity.code_pack_status AS ENUM ('GENERATING', 'READY', 'DOWNLOADED', 'PRINT_CONFIRMED');

COMMENT ON TYPE authenticity.code_pack_status IS
'Code pack state machine: GENERATING -> READY -> DOWNLOADED -> PRINT_CONFIRMED (terminal; plaintext purged).';

CREATE TYPE authenticity.verify_intent_status AS ENUM ('ISSUED', 'CONFIRMED', 'EXPIRED', 'FAILED');

COMMENT ON TYPE authenticity.verify_intent_status IS
'Verify intent state machine: ISSUED -> CONFIRMED | EXPIRED | FAILED; the last three are terminal.';

CREATE TYPE authenticity.verification_result AS ENUM ('SUCCESS', 'FAIL');

COMMENT ON TYPE authenticity.verification_result IS
'Outcome of a verification: SUCCESS (at most one per commitment, the reward is paid) or FAIL (with a reason).';

CREATE TYPE authenticity.treasury_op_type AS ENUM ('REFILL_SWAP');

COMMENT ON TYPE authenticity.treasury_op_type IS
'Treasury operations: REFILL_SWAP swaps PYUSD for SOL (through Jupiter) to refill the reward treasury.';
