-- depends: 0010_cocopay_store_members
-- cocopay.token_balances, verbatim from the seed: a cache of on-chain balances.
-- token_address is an EVM address, or exactly '0x0' for the chain's native token (seed).

CREATE TABLE cocopay.token_balances (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,

    -- Token data
    chain_id cocopay.chain_id NOT NULL,
    token_address varchar(42) NOT NULL,
    store_id uuid,

    -- Balance
    balance numeric(78, 0) NOT NULL DEFAULT 0,
    balance_usd numeric(18, 6) NOT NULL DEFAULT 0,

    -- Last update
    last_synced_at timestamptz NOT NULL DEFAULT now(),
    last_synced_block bigint,

    -- Timestamps
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT token_balances_pkey PRIMARY KEY (id),
    CONSTRAINT token_balances_user_id_fkey FOREIGN KEY (user_id) REFERENCES cocopay.users (id) ON DELETE CASCADE,
    CONSTRAINT token_balances_store_id_fkey FOREIGN KEY (store_id) REFERENCES cocopay.stores (id),
    CONSTRAINT token_balances_user_id_chain_id_token_address_key UNIQUE (user_id, chain_id, token_address),
    CONSTRAINT token_balances_token_address_check CHECK (
        token_address = '0x0' OR common.is_evm_address(token_address)
    ),
    CONSTRAINT token_balances_balance_check CHECK (balance >= 0),
    CONSTRAINT token_balances_balance_usd_check CHECK (balance_usd >= 0),
    CONSTRAINT token_balances_last_synced_block_check CHECK (last_synced_block >= 0)
);

CREATE INDEX idx_token_balances_user ON cocopay.token_balances (user_id);

CREATE INDEX idx_token_balances_store ON cocopay.token_balances (store_id) WHERE store_id IS NOT NULL;

CREATE INDEX idx_token_balances_sync ON cocopay.token_balances (last_synced_at);

COMMENT ON TABLE cocopay.token_balances IS 'Cached token balances per user, chain and token, updated from blockchain events.';

COMMENT ON COLUMN cocopay.token_balances.token_address IS '''0x0'' for the native token, the USDC address, or a store token.';

COMMENT ON COLUMN cocopay.token_balances.store_id IS 'The store whose token this is; NULL for USDC and native.';

COMMENT ON COLUMN cocopay.token_balances.balance IS 'Raw on-chain balance in the token''s smallest unit (wei precision).';

COMMENT ON COLUMN cocopay.token_balances.balance_usd IS 'Cached USD value of the balance.';

COMMENT ON COLUMN cocopay.token_balances.last_synced_block IS 'Block number of the last sync.';

COMMENT ON CONSTRAINT token_balances_token_address_check ON cocopay.token_balances IS
'token_address is an EVM address or exactly ''0x0'' (native token).';

COMMENT ON CONSTRAINT token_balances_balance_check ON cocopay.token_balances IS 'Balances are never negative.';

COMMENT ON CONSTRAINT token_balances_balance_usd_check ON cocopay.token_balances IS
'USD values of balances are never negative.';

COMMENT ON CONSTRAINT token_balances_last_synced_block_check ON cocopay.token_balances IS
'Block numbers are never negative.';
