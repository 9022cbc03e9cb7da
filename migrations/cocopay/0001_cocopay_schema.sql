-- depends: 0002_common_helpers
-- Schema cocopay (seed 004: a payments app for stores) and its enums, labels verbatim.
-- The seed's extensions live in schema `extensions` (migrations/common/0001), where
-- cube is created before earthdistance (the seed's order would fail).

CREATE SCHEMA cocopay;

COMMENT ON SCHEMA cocopay IS
'CocoPay: users, passkeys, smart accounts per chain, stores (revnets), transactions, loans, payouts, daily stats.';

CREATE TYPE cocopay.auth_method AS ENUM ('phone', 'passkey', 'wallet');

COMMENT ON TYPE cocopay.auth_method IS 'How a session was authenticated.';

CREATE TYPE cocopay.store_role AS ENUM ('owner', 'admin', 'staff');

COMMENT ON TYPE cocopay.store_role IS 'A member''s role in a store team; a store has at most one owner.';

CREATE TYPE cocopay.transaction_type AS ENUM ('payment', 'received', 'bonus_claim', 'payout', 'consolidation');

COMMENT ON TYPE cocopay.transaction_type IS 'What a transaction is, from the point of view of the app.';

CREATE TYPE cocopay.transaction_status AS ENUM ('pending', 'confirmed', 'failed');

COMMENT ON TYPE cocopay.transaction_status IS
'Transaction state machine: pending -> confirmed | failed; confirmed and failed are terminal.';

CREATE TYPE cocopay.deployment_status AS ENUM ('pending', 'deploying', 'deployed', 'failed');

COMMENT ON TYPE cocopay.deployment_status IS
'Revnet deployment state machine: pending -> deploying -> deployed | failed; failed -> pending (retry); deployed is terminal.';

CREATE TYPE cocopay.payout_type AS ENUM ('pix', 'bank', 'wallet');

COMMENT ON TYPE cocopay.payout_type IS 'Where a payout goes: a PIX key, a bank account or an EVM wallet.';

CREATE TYPE cocopay.payout_status AS ENUM ('pending', 'processing', 'completed', 'failed');

COMMENT ON TYPE cocopay.payout_status IS
'Payout state machine: pending -> processing -> completed | failed, and pending -> failed (rejected before processing).';

CREATE TYPE cocopay.custody_status AS ENUM ('managed', 'self_custody');

COMMENT ON TYPE cocopay.custody_status IS
'managed: CocoPay holds the owner key (signing_keys); self_custody: the user''s own EOA owns the smart account.';

CREATE TYPE cocopay.chain_id AS ENUM ('1', '10', '8453', '42161', '11155111', '11155420', '84532', '421614');

COMMENT ON TYPE cocopay.chain_id IS
'Supported EVM chain ids, as text labels: Ethereum, Optimism, Base, Arbitrum and their Sepolia testnets.';
