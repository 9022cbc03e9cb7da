DROP TABLE cocopay.store_members;
