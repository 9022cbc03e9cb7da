DROP TABLE cocopay.token_balances;
