DROP TABLE cocopay.smart_accounts;
