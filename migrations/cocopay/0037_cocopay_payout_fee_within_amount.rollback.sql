ALTER TABLE cocopay.payouts DROP CONSTRAINT payouts_fee_usd_amount_usd_check;
