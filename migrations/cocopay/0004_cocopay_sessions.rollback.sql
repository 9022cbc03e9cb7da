DROP TABLE cocopay.sessions;
