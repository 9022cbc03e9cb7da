-- Undoes 0013_bloxtr8_user_functions (dropping a function drops its grants and comment).

DROP FUNCTION bloxtr8.set_user_wallet_risk(text, bloxtr8.wallet_risk);

DROP FUNCTION bloxtr8.set_user_wallet(text, text);

DROP FUNCTION bloxtr8.set_user_kyc(text, bloxtr8.kyc_tier, boolean);

DROP FUNCTION bloxtr8.require_user(text, text, bloxtr8.kyc_tier, boolean);
