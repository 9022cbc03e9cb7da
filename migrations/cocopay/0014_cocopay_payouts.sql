-- depends: 0013_cocopay_loans
-- cocopay.payouts, verbatim from the seed. Seed silent, decided here: a payout is for
-- a positive amount, its fee is never negative; processed_at is set exactly when the
-- payout is completed or failed; the destination holds the key its payout_type needs.
-- The state machine is enforced by 0019_cocopay_state_machines. payouts_requested_by_idx
-- indexes the FK requested_by -> users.

CREATE TABLE cocopay.payouts (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL,
    requested_by uuid NOT NULL,

    -- Amount
    amount_usd numeric(18, 6) NOT NULL,
    fee_usd numeric(18, 6) NOT NULL DEFAULT 0,

    -- Destination
    payout_type cocopay.payout_type NOT NULL,
    destination jsonb NOT NULL,

    -- Status
    status cocopay.payout_status NOT NULL DEFAULT 'pending',

    -- Processing
    external_id varchar(255),
    processed_at timestamptz,
    error_message text,

    -- Timestamps
    created_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT payouts_pkey PRIMARY KEY (id),
    CONSTRAINT payouts_store_id_fkey FOREIGN KEY (store_id) REFERENCES cocopay.stores (id) ON DELETE CASCADE,
    CONSTRAINT payouts_requested_by_fkey FOREIGN KEY (requested_by) REFERENCES cocopay.users (id),
    CONSTRAINT payouts_amount_usd_check CHECK (amount_usd > 0),
    CONSTRAINT payouts_fee_usd_check CHECK (fee_usd >= 0),
    CONSTRAINT payouts_destination_check CHECK (
        jsonb_typeof(destination) = 'object'
        AND CASE payout_type
            WHEN 'pix' THEN coalesce(destination ->> 'pix_key', '') <> ''
            WHEN 'bank' THEN destination -> 'bank_account' IS NOT NULL
            WHEN 'wallet' THEN coalesce(common.is_evm_address(destination ->> 'wallet_address'), false)
        END
    ),
    CONSTRAINT payouts_processed_at_check CHECK (
        (status IN ('completed', 'failed')) = (processed_at IS NOT NULL)
    )
);

CREATE INDEX idx_payouts_store ON cocopay.payouts (store_id);

CREATE INDEX idx_payouts_status ON cocopay.payouts (status) WHERE status IN ('pending', 'processing');

CREATE INDEX payouts_requested_by_idx ON cocopay.payouts (requested_by);

COMMENT ON TABLE cocopay.payouts IS 'Store payouts to external accounts (PIX, bank, wallet).';

COMMENT ON COLUMN cocopay.payouts.requested_by IS 'The store member who asked for the payout.';

COMMENT ON COLUMN cocopay.payouts.fee_usd IS 'Fee charged for the payout, in USD.';

COMMENT ON COLUMN cocopay.payouts.destination IS
'JSON object: { pix_key } for pix, { bank_account } for bank, { wallet_address } for wallet.';

COMMENT ON COLUMN cocopay.payouts.status IS
'pending -> processing -> completed | failed, pending -> failed; completed and failed are terminal.';

COMMENT ON COLUMN cocopay.payouts.external_id IS 'The provider''s id (PIX end-to-end id, bank reference, tx hash).';

COMMENT ON COLUMN cocopay.payouts.processed_at IS 'When the payout completed or failed; set exactly then.';

COMMENT ON CONSTRAINT payouts_amount_usd_check ON cocopay.payouts IS 'A payout is for a positive amount.';

COMMENT ON CONSTRAINT payouts_fee_usd_check ON cocopay.payouts IS 'Fees are never negative.';

COMMENT ON CONSTRAINT payouts_destination_check ON cocopay.payouts IS
'destination is a JSON object with the key its payout_type needs: a non-empty pix_key, a bank_account, '
'or an EVM wallet_address.';

COMMENT ON CONSTRAINT payouts_processed_at_check ON cocopay.payouts IS
'processed_at is set exactly when status is completed or failed.';

COMMENT ON INDEX cocopay.payouts_requested_by_idx IS 'Indexes the FK requested_by -> users.';
