DROP TABLE authenticity.user_wallets;

DROP FUNCTION authenticity.tg_user_wallets__immutable_columns();

DROP TABLE authenticity.users;
