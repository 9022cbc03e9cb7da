DROP TRIGGER update_feature_flags_updated_at ON cocopay.feature_flags;

DROP TRIGGER update_token_balances_updated_at ON cocopay.token_balances;

DROP TRIGGER update_stores_updated_at ON cocopay.stores;

DROP TRIGGER update_users_updated_at ON cocopay.users;
