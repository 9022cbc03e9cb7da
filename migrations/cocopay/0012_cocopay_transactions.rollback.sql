DROP TABLE cocopay.transactions;
