DROP TABLE cocopay.users;
