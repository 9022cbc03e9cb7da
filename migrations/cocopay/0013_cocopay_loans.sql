-- depends: 0012_cocopay_transactions
-- cocopay.loans (REVLoans), verbatim from the seed. Seed silent, decided here: a loan
-- is inactive exactly when repaid, and the repayment transaction is recorded exactly
-- when repaid; amounts and terms are never negative; the prepaid fee is basis points
-- (0..10000). idx_loans_user is partial (active loans only), so loans_user_id_idx
-- indexes the FK to users for the ON DELETE CASCADE.

CREATE TABLE cocopay.loans (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,

    -- Loan data
    chain_id cocopay.chain_id NOT NULL,
    loan_id_onchain numeric(78, 0) NOT NULL,

    -- Amounts
    collateral numeric(78, 0) NOT NULL,
    collateral_usd_at_origination numeric(18, 6) NOT NULL,
    borrow_amount numeric(78, 0) NOT NULL,
    borrow_amount_usd numeric(18, 6) NOT NULL,

    -- Terms
    prepaid_fee_percent integer NOT NULL,
    prepaid_duration_seconds bigint NOT NULL,

    -- Project
    project_id integer NOT NULL,
    token_address varchar(42) NOT NULL,

    -- Status
    is_active boolean NOT NULL DEFAULT true,
    repaid_at timestamptz,

    -- Blockchain
    origination_tx_hash varchar(66) NOT NULL,
    repayment_tx_hash varchar(66),

    -- Timestamps
    created_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT loans_pkey PRIMARY KEY (id),
    CONSTRAINT loans_user_id_fkey FOREIGN KEY (user_id) REFERENCES cocopay.users (id) ON DELETE CASCADE,
    CONSTRAINT loans_chain_id_loan_id_onchain_key UNIQUE (chain_id, loan_id_onchain),
    CONSTRAINT loans_loan_id_onchain_check CHECK (loan_id_onchain >= 0),
    CONSTRAINT loans_collateral_check CHECK (collateral >= 0),
    CONSTRAINT loans_collateral_usd_at_origination_check CHECK (collateral_usd_at_origination >= 0),
    CONSTRAINT loans_borrow_amount_check CHECK (borrow_amount >= 0),
    CONSTRAINT loans_borrow_amount_usd_check CHECK (borrow_amount_usd >= 0),
    CONSTRAINT loans_prepaid_fee_percent_check CHECK (prepaid_fee_percent BETWEEN 0 AND 10000),
    CONSTRAINT loans_prepaid_duration_seconds_check CHECK (prepaid_duration_seconds >= 0),
    CONSTRAINT loans_project_id_check CHECK (project_id > 0),
    CONSTRAINT loans_token_address_check CHECK (common.is_evm_address(token_address)),
    CONSTRAINT loans_origination_tx_hash_check CHECK (common.is_evm_hash(origination_tx_hash)),
    CONSTRAINT loans_repayment_tx_hash_check CHECK (common.is_evm_hash(repayment_tx_hash)),
    CONSTRAINT loans_repaid_at_check CHECK (is_active = (repaid_at IS NULL)),
    CONSTRAINT loans_repayment_check CHECK ((repaid_at IS NULL) = (repayment_tx_hash IS NULL))
);

CREATE INDEX idx_loans_user ON cocopay.loans (user_id) WHERE is_active = true;

CREATE INDEX idx_loans_project ON cocopay.loans (project_id);

CREATE INDEX loans_user_id_idx ON cocopay.loans (user_id);

COMMENT ON TABLE cocopay.loans IS 'REVLoans: loans against burned store tokens, one row per on-chain loan NFT.';

COMMENT ON COLUMN cocopay.loans.loan_id_onchain IS 'ERC-721 token id of the loan on its chain.';

COMMENT ON COLUMN cocopay.loans.collateral IS 'Store tokens burned as collateral (smallest unit).';

COMMENT ON COLUMN cocopay.loans.collateral_usd_at_origination IS 'USD value of the collateral when the loan was taken.';

COMMENT ON COLUMN cocopay.loans.borrow_amount IS 'Amount borrowed (smallest unit of the borrowed token).';

COMMENT ON COLUMN cocopay.loans.prepaid_fee_percent IS 'Prepaid fee in basis points (0..10000).';

COMMENT ON COLUMN cocopay.loans.prepaid_duration_seconds IS 'How long the prepaid fee covers the loan.';

COMMENT ON COLUMN cocopay.loans.project_id IS 'Juicebox project id of the store''s revnet.';

COMMENT ON COLUMN cocopay.loans.token_address IS 'The store token burned as collateral.';

COMMENT ON COLUMN cocopay.loans.is_active IS 'True until repaid (loans_repaid_at_check).';

COMMENT ON CONSTRAINT loans_loan_id_onchain_check ON cocopay.loans IS 'Token ids are never negative.';

COMMENT ON CONSTRAINT loans_collateral_check ON cocopay.loans IS 'Collateral is never negative.';

COMMENT ON CONSTRAINT loans_collateral_usd_at_origination_check ON cocopay.loans IS
'The collateral''s USD value is never negative.';

COMMENT ON CONSTRAINT loans_borrow_amount_check ON cocopay.loans IS 'The borrowed amount is never negative.';

COMMENT ON CONSTRAINT loans_borrow_amount_usd_check ON cocopay.loans IS
'The borrowed amount''s USD value is never negative.';

COMMENT ON CONSTRAINT loans_prepaid_fee_percent_check ON cocopay.loans IS
'The prepaid fee is 0..10000 basis points (0..100%).';

COMMENT ON CONSTRAINT loans_prepaid_duration_seconds_check ON cocopay.loans IS 'Durations are never negative.';

COMMENT ON CONSTRAINT loans_project_id_check ON cocopay.loans IS 'Juicebox project ids start at 1.';

COMMENT ON CONSTRAINT loans_token_address_check ON cocopay.loans IS 'token_address is an EVM address.';

COMMENT ON CONSTRAINT loans_origination_tx_hash_check ON cocopay.loans IS
'origination_tx_hash is a transaction hash: 0x + 64 hex.';

COMMENT ON CONSTRAINT loans_repayment_tx_hash_check ON cocopay.loans IS
'repayment_tx_hash is a transaction hash: 0x + 64 hex.';

COMMENT ON CONSTRAINT loans_repaid_at_check ON cocopay.loans IS
'A loan is inactive exactly when repaid (repaid_at set).';

COMMENT ON CONSTRAINT loans_repayment_check ON cocopay.loans IS
'The repayment transaction is recorded exactly when the loan is repaid.';

COMMENT ON INDEX cocopay.loans_user_id_idx IS
'Indexes the FK to users for every loan (idx_loans_user covers active loans only).';
