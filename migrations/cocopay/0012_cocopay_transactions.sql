-- depends: 0011_cocopay_token_balances
-- cocopay.transactions, verbatim from the seed. Fix (DESIGN.md §1): the seed's
-- `UNIQUE(idempotency_key) WHERE idempotency_key IS NOT NULL` is not valid inside
-- CREATE TABLE; it is the partial unique index transactions_idempotency_key_key.
-- Seed silent, decided here: confirmation_code defaults to
-- cocopay.generate_confirmation_code(); amounts are never negative and a payment is
-- positive (a bonus claim or consolidation may be worth 0); confirmed_at is set exactly
-- when confirmed. The state machine is enforced by 0019_cocopay_state_machines.

CREATE TABLE cocopay.transactions (
    id uuid NOT NULL DEFAULT gen_random_uuid(),

    -- Parties
    from_user_id uuid,
    to_user_id uuid,
    store_id uuid,

    -- Type and status
    type cocopay.transaction_type NOT NULL,
    status cocopay.transaction_status NOT NULL DEFAULT 'pending',

    -- Amounts
    amount_usd numeric(18, 6) NOT NULL,

    -- Token breakdown (JSONB for flexibility)
    tokens_used jsonb,
    rewards_earned jsonb,

    -- Blockchain
    chain_id cocopay.chain_id NOT NULL,
    bundle_id varchar(255),
    tx_hash varchar(66),
    block_number bigint,

    -- Confirmation
    confirmation_code varchar(6) DEFAULT cocopay.generate_confirmation_code(),

    -- Error handling
    error_code varchar(50),
    error_message text,

    -- Idempotency
    idempotency_key varchar(255),

    -- Timestamps
    created_at timestamptz NOT NULL DEFAULT now(),
    confirmed_at timestamptz,

    CONSTRAINT transactions_pkey PRIMARY KEY (id),
    CONSTRAINT transactions_from_user_id_fkey FOREIGN KEY (from_user_id) REFERENCES cocopay.users (id),
    CONSTRAINT transactions_to_user_id_fkey FOREIGN KEY (to_user_id) REFERENCES cocopay.users (id),
    CONSTRAINT transactions_store_id_fkey FOREIGN KEY (store_id) REFERENCES cocopay.stores (id),
    CONSTRAINT transactions_amount_usd_check CHECK (amount_usd >= 0),
    CONSTRAINT transactions_payment_amount_usd_check CHECK (type <> 'payment' OR amount_usd > 0),
    CONSTRAINT transactions_tokens_used_check CHECK (jsonb_typeof(tokens_used) = 'array'),
    CONSTRAINT transactions_rewards_earned_check CHECK (jsonb_typeof(rewards_earned) = 'object'),
    CONSTRAINT transactions_tx_hash_check CHECK (common.is_evm_hash(tx_hash)),
    CONSTRAINT transactions_block_number_check CHECK (block_number >= 0),
    CONSTRAINT transactions_confirmation_code_check CHECK (confirmation_code ~ '^[A-HJ-NP-Z2-9]{6}$'),
    CONSTRAINT transactions_confirmed_at_check CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL))
);

CREATE UNIQUE INDEX transactions_idempotency_key_key ON cocopay.transactions (idempotency_key)
WHERE idempotency_key IS NOT NULL;

CREATE INDEX idx_transactions_from_user ON cocopay.transactions (from_user_id);

CREATE INDEX idx_transactions_to_user ON cocopay.transactions (to_user_id);

CREATE INDEX idx_transactions_store ON cocopay.transactions (store_id);

CREATE INDEX idx_transactions_status ON cocopay.transactions (status) WHERE status = 'pending';

CREATE INDEX idx_transactions_confirmation ON cocopay.transactions (confirmation_code);

CREATE INDEX idx_transactions_created ON cocopay.transactions (created_at DESC);

CREATE INDEX idx_transactions_bundle ON cocopay.transactions (bundle_id);

COMMENT ON TABLE cocopay.transactions IS
'All payment transactions (payments, receipts, bonus claims, payouts, consolidations).';

COMMENT ON COLUMN cocopay.transactions.status IS 'pending -> confirmed | failed; confirmed and failed are terminal.';

COMMENT ON COLUMN cocopay.transactions.amount_usd IS 'USD value; never negative, positive for a payment.';

COMMENT ON COLUMN cocopay.transactions.tokens_used IS 'JSON array: [{ token_address, amount, amount_usd, store_id }].';

COMMENT ON COLUMN cocopay.transactions.rewards_earned IS 'JSON object: { token_address, amount, amount_usd, store_id }.';

COMMENT ON COLUMN cocopay.transactions.bundle_id IS 'Bundler (ERC-4337) bundle or user operation id.';

COMMENT ON COLUMN cocopay.transactions.confirmation_code IS
'6 characters from A-Z and 2-9 without I, O, 0, 1 (e.g. A7B3C9); defaults to generate_confirmation_code(). Not unique.';

COMMENT ON COLUMN cocopay.transactions.idempotency_key IS
'Client-chosen key; a second insert with the same key fails (transactions_idempotency_key_key).';

COMMENT ON COLUMN cocopay.transactions.confirmed_at IS 'Set exactly when status = confirmed.';

COMMENT ON CONSTRAINT transactions_amount_usd_check ON cocopay.transactions IS 'Amounts are never negative.';

COMMENT ON CONSTRAINT transactions_payment_amount_usd_check ON cocopay.transactions IS
'A payment moves a positive amount (other types may be 0).';

COMMENT ON CONSTRAINT transactions_tokens_used_check ON cocopay.transactions IS
'tokens_used, when present, is a JSON array.';

COMMENT ON CONSTRAINT transactions_rewards_earned_check ON cocopay.transactions IS
'rewards_earned, when present, is a JSON object.';

COMMENT ON CONSTRAINT transactions_tx_hash_check ON cocopay.transactions IS 'tx_hash is a transaction hash: 0x + 64 hex.';

COMMENT ON CONSTRAINT transactions_block_number_check ON cocopay.transactions IS 'Block numbers are never negative.';

COMMENT ON CONSTRAINT transactions_confirmation_code_check ON cocopay.transactions IS
'confirmation_code is 6 characters of the unambiguous alphabet A-H J-N P-Z 2-9.';

COMMENT ON CONSTRAINT transactions_confirmed_at_check ON cocopay.transactions IS
'confirmed_at is set exactly when status = confirmed.';

COMMENT ON INDEX cocopay.transactions_idempotency_key_key IS
'An idempotency key is used by one transaction only (the seed''s UNIQUE ... WHERE idempotency_key IS NOT NULL).';
