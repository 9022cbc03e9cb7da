ALTER TABLE cocopay.payouts DROP CONSTRAINT payouts_fee_usd_finite_check;

ALTER TABLE cocopay.payouts DROP CONSTRAINT payouts_amount_usd_finite_check;

ALTER TABLE cocopay.loans DROP CONSTRAINT loans_borrow_amount_usd_finite_check;

ALTER TABLE cocopay.loans DROP CONSTRAINT loans_borrow_amount_finite_check;

ALTER TABLE cocopay.loans DROP CONSTRAINT loans_collateral_usd_at_origination_finite_check;

ALTER TABLE cocopay.loans DROP CONSTRAINT loans_collateral_finite_check;

ALTER TABLE cocopay.loans DROP CONSTRAINT loans_loan_id_onchain_finite_check;

ALTER TABLE cocopay.transactions DROP CONSTRAINT transactions_amount_usd_finite_check;

ALTER TABLE cocopay.token_balances DROP CONSTRAINT token_balances_balance_usd_finite_check;

ALTER TABLE cocopay.token_balances DROP CONSTRAINT token_balances_balance_finite_check;

ALTER TABLE cocopay.stores DROP CONSTRAINT stores_longitude_finite_check;

ALTER TABLE cocopay.stores DROP CONSTRAINT stores_latitude_finite_check;
