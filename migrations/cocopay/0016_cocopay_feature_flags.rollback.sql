DROP TABLE cocopay.feature_flags;
