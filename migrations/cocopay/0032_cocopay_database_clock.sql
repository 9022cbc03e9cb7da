-- depends: 0031_cocopay_store_daily_stats_incremental 0007_common_clock
-- The database's clock (common.now(), migrations/common/0007) for every recorded timestamp of
-- cocopay: the column defaults below and the updated_at trigger function. The functions and
-- named queries stop taking a caller's "now" in 0033 and the queries; chaindb_app loses
-- INSERT and UPDATE on these columns in 0034 (except users.last_active_at,
-- passkeys.last_used_at and token_balances.last_synced_at, activity marks the queries set to
-- common.now(); and the deployment and loan times the application reports from the chain).
-- updated_at follows the same clock: common.tg__set_updated_at() (the trigger function of every
-- updated_at since 0025_cocopay_declared_rules) uses common.now() since common/0007.

ALTER TABLE cocopay.users ALTER COLUMN last_active_at SET DEFAULT common.now();

ALTER TABLE cocopay.users ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.users ALTER COLUMN updated_at SET DEFAULT common.now();

ALTER TABLE cocopay.sessions ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.passkeys ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.smart_accounts ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.signing_keys ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.stores ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.stores ALTER COLUMN updated_at SET DEFAULT common.now();

ALTER TABLE cocopay.store_deployments ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.store_members ALTER COLUMN invited_at SET DEFAULT common.now();

ALTER TABLE cocopay.store_members ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.token_balances ALTER COLUMN last_synced_at SET DEFAULT common.now();

ALTER TABLE cocopay.token_balances ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.token_balances ALTER COLUMN updated_at SET DEFAULT common.now();

ALTER TABLE cocopay.transactions ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.loans ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.payouts ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.analytics_events ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.feature_flags ALTER COLUMN created_at SET DEFAULT common.now();

ALTER TABLE cocopay.feature_flags ALTER COLUMN updated_at SET DEFAULT common.now();

ALTER TABLE cocopay.audit_logs ALTER COLUMN created_at SET DEFAULT common.now();
