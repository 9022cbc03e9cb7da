-- depends: 0005_cocopay_passkeys
-- cocopay.smart_accounts, verbatim from the seed: one ERC-4337 account per user per chain.
-- Added: EVM address/hash formats, and deployed tied to its tx hash and time.

CREATE TABLE cocopay.smart_accounts (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,

    -- Account data
    chain_id cocopay.chain_id NOT NULL,
    address varchar(42) NOT NULL,
    salt varchar(66) NOT NULL,

    -- Ownership
    owner_address varchar(42) NOT NULL,
    custody_status cocopay.custody_status NOT NULL DEFAULT 'managed',

    -- Deployment
    deployed boolean NOT NULL DEFAULT false,
    deploy_tx_hash varchar(66),
    deployed_at timestamptz,

    -- Timestamps
    created_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT smart_accounts_pkey PRIMARY KEY (id),
    CONSTRAINT smart_accounts_user_id_fkey FOREIGN KEY (user_id) REFERENCES cocopay.users (id) ON DELETE CASCADE,
    CONSTRAINT smart_accounts_user_id_chain_id_key UNIQUE (user_id, chain_id),
    CONSTRAINT smart_accounts_chain_id_address_key UNIQUE (chain_id, address),
    CONSTRAINT smart_accounts_address_check CHECK (common.is_evm_address(address)),
    CONSTRAINT smart_accounts_salt_check CHECK (common.is_evm_hash(salt)),
    CONSTRAINT smart_accounts_owner_address_check CHECK (common.is_evm_address(owner_address)),
    CONSTRAINT smart_accounts_deploy_tx_hash_check CHECK (common.is_evm_hash(deploy_tx_hash)),
    CONSTRAINT smart_accounts_deployed_check CHECK (
        deployed = (deploy_tx_hash IS NOT NULL) AND deployed = (deployed_at IS NOT NULL)
    )
);

CREATE INDEX idx_smart_accounts_user ON cocopay.smart_accounts (user_id);

CREATE INDEX idx_smart_accounts_address ON cocopay.smart_accounts (address);

COMMENT ON TABLE cocopay.smart_accounts IS
'ERC-4337 smart accounts, one per user per chain; the address is counterfactual until deployed.';

COMMENT ON COLUMN cocopay.smart_accounts.address IS 'The (counterfactual) smart account address.';

COMMENT ON COLUMN cocopay.smart_accounts.salt IS 'Deterministic CREATE2 salt, 32 bytes as 0x + 64 hex.';

COMMENT ON COLUMN cocopay.smart_accounts.owner_address IS 'Owner EOA: the managed (signing_keys) EOA or the user''s own.';

COMMENT ON COLUMN cocopay.smart_accounts.custody_status IS 'managed or self_custody (who holds the owner key).';

COMMENT ON COLUMN cocopay.smart_accounts.deployed IS 'True once the account contract is deployed on chain.';

COMMENT ON CONSTRAINT smart_accounts_address_check ON cocopay.smart_accounts IS 'address is an EVM address.';

COMMENT ON CONSTRAINT smart_accounts_salt_check ON cocopay.smart_accounts IS 'salt is 32 bytes in hex: 0x + 64 hex.';

COMMENT ON CONSTRAINT smart_accounts_owner_address_check ON cocopay.smart_accounts IS
'owner_address is an EVM address.';

COMMENT ON CONSTRAINT smart_accounts_deploy_tx_hash_check ON cocopay.smart_accounts IS
'deploy_tx_hash is a transaction hash: 0x + 64 hex.';

COMMENT ON CONSTRAINT smart_accounts_deployed_check ON cocopay.smart_accounts IS
'A deployed account has its deploy_tx_hash and deployed_at; an undeployed one has neither.';
