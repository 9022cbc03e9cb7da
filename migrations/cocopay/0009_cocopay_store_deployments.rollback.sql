DROP TABLE cocopay.store_deployments;
