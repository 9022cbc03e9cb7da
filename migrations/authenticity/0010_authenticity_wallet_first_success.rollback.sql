DROP TRIGGER verifications_first_success ON authenticity.verifications;

DROP FUNCTION authenticity.tg_verifications__first_success();

DROP TRIGGER user_wallets_first_success ON authenticity.user_wallets;

DROP FUNCTION authenticity.tg_user_wallets__first_success();
