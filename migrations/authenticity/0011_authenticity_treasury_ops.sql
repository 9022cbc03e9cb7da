-- depends: 0010_authenticity_wallet_first_success
-- Treasury operations (seed: treasury_ops): refills of the reward treasury, swapping PYUSD
-- for SOL through Jupiter. Append-only (CD003).
-- Decided where the seed is silent: pyusd_in is in PYUSD base units (6 decimals), both amounts
-- are positive, the route is a JSON object (Jupiter's quote/route response), and a swap
-- transaction is recorded once (tx_signature unique).

CREATE TABLE authenticity.treasury_ops (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    type authenticity.treasury_op_type NOT NULL,
    pyusd_in bigint NOT NULL,
    sol_out_lamports bigint NOT NULL,
    jupiter_route jsonb NOT NULL,
    tx_signature text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT treasury_ops_pkey PRIMARY KEY (id),
    CONSTRAINT treasury_ops_tx_signature_key UNIQUE (tx_signature),
    CONSTRAINT treasury_ops_pyusd_in_check CHECK (pyusd_in > 0),
    CONSTRAINT treasury_ops_sol_out_lamports_check CHECK (sol_out_lamports > 0),
    CONSTRAINT treasury_ops_jupiter_route_check CHECK (jsonb_typeof(jupiter_route) = 'object'),
    CONSTRAINT treasury_ops_tx_signature_check CHECK (common.is_solana_signature(tx_signature))
);

CREATE INDEX treasury_ops_created_at_idx ON authenticity.treasury_ops (created_at);

COMMENT ON TABLE authenticity.treasury_ops IS
'Append-only log of treasury refills: REFILL_SWAP swaps PYUSD for SOL (Jupiter) to fund rewards.';
COMMENT ON COLUMN authenticity.treasury_ops.pyusd_in IS 'PYUSD spent, in base units (6 decimals); positive.';
COMMENT ON COLUMN authenticity.treasury_ops.sol_out_lamports IS 'SOL received, in lamports; positive.';
COMMENT ON COLUMN authenticity.treasury_ops.jupiter_route IS 'The Jupiter route of the swap, as a JSON object.';
COMMENT ON COLUMN authenticity.treasury_ops.tx_signature IS 'Solana signature of the swap transaction; unique.';
COMMENT ON INDEX authenticity.treasury_ops_created_at_idx IS 'Listing of recent treasury operations.';

CREATE TRIGGER treasury_ops_append_only
BEFORE UPDATE OR DELETE ON authenticity.treasury_ops
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg__append_only();

COMMENT ON TRIGGER treasury_ops_append_only ON authenticity.treasury_ops IS
'Treasury operations are never updated or deleted (CD003).';

CREATE TRIGGER treasury_ops_append_only_truncate
BEFORE TRUNCATE ON authenticity.treasury_ops
FOR EACH STATEMENT
EXECUTE FUNCTION authenticity.tg__append_only();

COMMENT ON TRIGGER treasury_ops_append_only_truncate ON authenticity.treasury_ops IS
'Treasury operations are never truncated (CD003).';
