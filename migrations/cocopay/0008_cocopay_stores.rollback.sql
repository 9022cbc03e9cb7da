DROP TABLE cocopay.stores;
