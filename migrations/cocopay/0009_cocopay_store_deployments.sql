-- depends: 0008_cocopay_stores
-- cocopay.store_deployments, verbatim from the seed: one revnet deployment per store per
-- chain. Its state machine (status) is enforced by 0019_cocopay_state_machines.

CREATE TABLE cocopay.store_deployments (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL,

    -- Chain data
    chain_id cocopay.chain_id NOT NULL,

    -- Revnet data
    project_id integer,
    token_address varchar(42),
    terminal_address varchar(42),

    -- Deployment
    status cocopay.deployment_status NOT NULL DEFAULT 'pending',
    bundle_id varchar(255),
    deploy_tx_hash varchar(66),
    error_message text,

    -- Timestamps
    deployed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT store_deployments_pkey PRIMARY KEY (id),
    CONSTRAINT store_deployments_store_id_fkey FOREIGN KEY (store_id)
    REFERENCES cocopay.stores (id) ON DELETE CASCADE,
    CONSTRAINT store_deployments_store_id_chain_id_key UNIQUE (store_id, chain_id),
    CONSTRAINT store_deployments_project_id_check CHECK (project_id > 0),
    CONSTRAINT store_deployments_token_address_check CHECK (common.is_evm_address(token_address)),
    CONSTRAINT store_deployments_terminal_address_check CHECK (common.is_evm_address(terminal_address)),
    CONSTRAINT store_deployments_deploy_tx_hash_check CHECK (common.is_evm_hash(deploy_tx_hash)),
    CONSTRAINT store_deployments_deployed_check CHECK (
        (status = 'deployed') = (deployed_at IS NOT NULL)
        AND (status = 'deployed') = (deploy_tx_hash IS NOT NULL)
    )
);

CREATE INDEX idx_store_deployments_store ON cocopay.store_deployments (store_id);

CREATE INDEX idx_store_deployments_token ON cocopay.store_deployments (token_address);

COMMENT ON TABLE cocopay.store_deployments IS 'Revnet deployment of a store on one chain (one row per store per chain).';

COMMENT ON COLUMN cocopay.store_deployments.project_id IS 'Juicebox project id of the revnet on this chain.';

COMMENT ON COLUMN cocopay.store_deployments.token_address IS 'The store token (ERC-20) on this chain.';

COMMENT ON COLUMN cocopay.store_deployments.terminal_address IS 'The revnet''s payment terminal on this chain.';

COMMENT ON COLUMN cocopay.store_deployments.status IS
'pending -> deploying -> deployed | failed, failed -> pending (retry); deployed is terminal.';

COMMENT ON COLUMN cocopay.store_deployments.bundle_id IS 'Relayer/bundler id of the deployment bundle.';

COMMENT ON COLUMN cocopay.store_deployments.deploy_tx_hash IS 'Deployment transaction; set exactly when deployed.';

COMMENT ON COLUMN cocopay.store_deployments.deployed_at IS 'Set exactly when deployed.';

COMMENT ON CONSTRAINT store_deployments_project_id_check ON cocopay.store_deployments IS
'Juicebox project ids start at 1.';

COMMENT ON CONSTRAINT store_deployments_token_address_check ON cocopay.store_deployments IS
'token_address is an EVM address.';

COMMENT ON CONSTRAINT store_deployments_terminal_address_check ON cocopay.store_deployments IS
'terminal_address is an EVM address.';

COMMENT ON CONSTRAINT store_deployments_deploy_tx_hash_check ON cocopay.store_deployments IS
'deploy_tx_hash is a transaction hash: 0x + 64 hex.';

COMMENT ON CONSTRAINT store_deployments_deployed_check ON cocopay.store_deployments IS
'deployed_at and deploy_tx_hash are present exactly when status = deployed (a retry clears them).';
