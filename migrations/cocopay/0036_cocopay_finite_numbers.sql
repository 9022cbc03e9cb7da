-- depends: 0035_cocopay_app_column_grants 0008_common_finite
-- Every numeric column of cocopay refuses NaN (common.is_finite, 0008_common_finite): in
-- PostgreSQL 'NaN'::numeric > 0 is true, so amount_usd > 0 and the other sign CHECKs let it
-- in, and the generated layer wrote the row before pydantic refused to read it back. (Every
-- cocopay numeric has a precision, which already refuses +/-Infinity with 22003; the guard
-- covers them anyway.) Added NOT VALID: new rows are checked at once, without a scan under an
-- exclusive lock; 0038 validates the existing rows.

ALTER TABLE cocopay.stores
ADD CONSTRAINT stores_latitude_finite_check CHECK (common.is_finite(latitude)) NOT VALID;

COMMENT ON CONSTRAINT stores_latitude_finite_check ON cocopay.stores IS
'The latitude is a finite number: not NaN, not +/-Infinity.';

ALTER TABLE cocopay.stores
ADD CONSTRAINT stores_longitude_finite_check CHECK (common.is_finite(longitude)) NOT VALID;

COMMENT ON CONSTRAINT stores_longitude_finite_check ON cocopay.stores IS
'The longitude is a finite number: not NaN, not +/-Infinity.';

ALTER TABLE cocopay.token_balances
ADD CONSTRAINT token_balances_balance_finite_check CHECK (common.is_finite(balance)) NOT VALID;

COMMENT ON CONSTRAINT token_balances_balance_finite_check ON cocopay.token_balances IS
'A balance is a finite number: not NaN.';

ALTER TABLE cocopay.token_balances
ADD CONSTRAINT token_balances_balance_usd_finite_check CHECK (common.is_finite(balance_usd)) NOT VALID;

COMMENT ON CONSTRAINT token_balances_balance_usd_finite_check ON cocopay.token_balances IS
'A balance''s USD value is a finite number: not NaN.';

ALTER TABLE cocopay.transactions
ADD CONSTRAINT transactions_amount_usd_finite_check CHECK (common.is_finite(amount_usd)) NOT VALID;

COMMENT ON CONSTRAINT transactions_amount_usd_finite_check ON cocopay.transactions IS
'An amount is a finite number: not NaN (''NaN'' > 0 is true in PostgreSQL).';

ALTER TABLE cocopay.loans
ADD CONSTRAINT loans_loan_id_onchain_finite_check CHECK (common.is_finite(loan_id_onchain)) NOT VALID;

COMMENT ON CONSTRAINT loans_loan_id_onchain_finite_check ON cocopay.loans IS
'A token id is a finite number: not NaN.';

ALTER TABLE cocopay.loans
ADD CONSTRAINT loans_collateral_finite_check CHECK (common.is_finite(collateral)) NOT VALID;

COMMENT ON CONSTRAINT loans_collateral_finite_check ON cocopay.loans IS
'Collateral is a finite number: not NaN.';

ALTER TABLE cocopay.loans
ADD CONSTRAINT loans_collateral_usd_at_origination_finite_check CHECK (common.is_finite(collateral_usd_at_origination)) NOT VALID;

COMMENT ON CONSTRAINT loans_collateral_usd_at_origination_finite_check ON cocopay.loans IS
'The collateral''s USD value is a finite number: not NaN.';

ALTER TABLE cocopay.loans
ADD CONSTRAINT loans_borrow_amount_finite_check CHECK (common.is_finite(borrow_amount)) NOT VALID;

COMMENT ON CONSTRAINT loans_borrow_amount_finite_check ON cocopay.loans IS
'The borrowed amount is a finite number: not NaN.';

ALTER TABLE cocopay.loans
ADD CONSTRAINT loans_borrow_amount_usd_finite_check CHECK (common.is_finite(borrow_amount_usd)) NOT VALID;

COMMENT ON CONSTRAINT loans_borrow_amount_usd_finite_check ON cocopay.loans IS
'The borrowed amount''s USD value is a finite number: not NaN.';

ALTER TABLE cocopay.payouts
ADD CONSTRAINT payouts_amount_usd_finite_check CHECK (common.is_finite(amount_usd)) NOT VALID;

COMMENT ON CONSTRAINT payouts_amount_usd_finite_check ON cocopay.payouts IS
'A payout amount is a finite number: not NaN (''NaN'' > 0 is true in PostgreSQL).';

ALTER TABLE cocopay.payouts
ADD CONSTRAINT payouts_fee_usd_finite_check CHECK (common.is_finite(fee_usd)) NOT VALID;

COMMENT ON CONSTRAINT payouts_fee_usd_finite_check ON cocopay.payouts IS
'A fee is a finite number: not NaN.';
