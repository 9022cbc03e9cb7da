-- Undoes 0032: defaults back to now().

ALTER TABLE cocopay.audit_logs ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.feature_flags ALTER COLUMN updated_at SET DEFAULT now();

ALTER TABLE cocopay.feature_flags ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.analytics_events ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.payouts ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.loans ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.transactions ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.token_balances ALTER COLUMN updated_at SET DEFAULT now();

ALTER TABLE cocopay.token_balances ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.token_balances ALTER COLUMN last_synced_at SET DEFAULT now();

ALTER TABLE cocopay.store_members ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.store_members ALTER COLUMN invited_at SET DEFAULT now();

ALTER TABLE cocopay.store_deployments ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.stores ALTER COLUMN updated_at SET DEFAULT now();

ALTER TABLE cocopay.stores ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.signing_keys ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.smart_accounts ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.passkeys ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.sessions ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.users ALTER COLUMN updated_at SET DEFAULT now();

ALTER TABLE cocopay.users ALTER COLUMN created_at SET DEFAULT now();

ALTER TABLE cocopay.users ALTER COLUMN last_active_at SET DEFAULT now();
