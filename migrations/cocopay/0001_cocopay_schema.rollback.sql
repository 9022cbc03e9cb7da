DROP TYPE cocopay.chain_id;

DROP TYPE cocopay.custody_status;

DROP TYPE cocopay.payout_status;

DROP TYPE cocopay.payout_type;

DROP TYPE cocopay.deployment_status;

DROP TYPE cocopay.transaction_status;

DROP TYPE cocopay.transaction_type;

DROP TYPE cocopay.store_role;

DROP TYPE cocopay.auth_method;

DROP SCHEMA cocopay;
