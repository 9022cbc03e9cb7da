-- depends: 0037_cocopay_payout_fee_within_amount
-- Validates the existing rows against the constraints 0036 and 0037 added NOT VALID (a scan
-- that does not block writes). Fails, naming the constraint, if a row breaks one: fix those
-- rows and migrate again.

ALTER TABLE cocopay.stores VALIDATE CONSTRAINT stores_latitude_finite_check;

ALTER TABLE cocopay.stores VALIDATE CONSTRAINT stores_longitude_finite_check;

ALTER TABLE cocopay.token_balances VALIDATE CONSTRAINT token_balances_balance_finite_check;

ALTER TABLE cocopay.token_balances VALIDATE CONSTRAINT token_balances_balance_usd_finite_check;

ALTER TABLE cocopay.transactions VALIDATE CONSTRAINT transactions_amount_usd_finite_check;

ALTER TABLE cocopay.loans VALIDATE CONSTRAINT loans_loan_id_onchain_finite_check;

ALTER TABLE cocopay.loans VALIDATE CONSTRAINT loans_collateral_finite_check;

ALTER TABLE cocopay.loans VALIDATE CONSTRAINT loans_collateral_usd_at_origination_finite_check;

ALTER TABLE cocopay.loans VALIDATE CONSTRAINT loans_borrow_amount_finite_check;

ALTER TABLE cocopay.loans VALIDATE CONSTRAINT loans_borrow_amount_usd_finite_check;

ALTER TABLE cocopay.payouts VALIDATE CONSTRAINT payouts_amount_usd_finite_check;

ALTER TABLE cocopay.payouts VALIDATE CONSTRAINT payouts_fee_usd_finite_check;

ALTER TABLE cocopay.payouts VALIDATE CONSTRAINT payouts_fee_usd_amount_usd_check;
