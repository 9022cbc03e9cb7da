-- depends: 0036_cocopay_finite_numbers
-- A payout's fee cannot exceed its amount (seed silent; decided: the fee is taken from the
-- amount paid out, so a larger fee is a mistake). Added NOT VALID; 0038 validates.

ALTER TABLE cocopay.payouts
ADD CONSTRAINT payouts_fee_usd_amount_usd_check CHECK (fee_usd <= amount_usd) NOT VALID;

COMMENT ON CONSTRAINT payouts_fee_usd_amount_usd_check ON cocopay.payouts IS
'The fee of a payout is at most its amount.';
