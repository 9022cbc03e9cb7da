DROP TABLE cocopay.passkeys;
