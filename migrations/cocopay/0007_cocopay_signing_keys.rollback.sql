DROP TABLE cocopay.signing_keys;
