DROP TABLE cocopay.payouts;
