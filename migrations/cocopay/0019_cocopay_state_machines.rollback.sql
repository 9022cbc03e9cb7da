DROP TRIGGER store_deployments_status_transition ON cocopay.store_deployments;

DROP FUNCTION cocopay.tg_store_deployments__status_transition();

DROP TRIGGER stores_status_transition ON cocopay.stores;

DROP FUNCTION cocopay.tg_stores__status_transition();

DROP TRIGGER payouts_status_transition ON cocopay.payouts;

DROP FUNCTION cocopay.tg_payouts__status_transition();

DROP TRIGGER transactions_status_transition ON cocopay.transactions;

DROP FUNCTION cocopay.tg_transactions__status_transition();
