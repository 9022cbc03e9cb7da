DROP TABLE cocopay.loans;
