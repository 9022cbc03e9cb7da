-- depends: 0017_cocopay_audit_logs
-- The seed's three updated_at triggers (names verbatim), plus one the seed forgot:
-- feature_flags has an updated_at column too ("Apply to tables with updated_at").

CREATE TRIGGER update_users_updated_at
BEFORE UPDATE ON cocopay.users
FOR EACH ROW EXECUTE FUNCTION cocopay.update_updated_at();

COMMENT ON TRIGGER update_users_updated_at ON cocopay.users IS 'Keeps users.updated_at at the time of the last update.';

CREATE TRIGGER update_stores_updated_at
BEFORE UPDATE ON cocopay.stores
FOR EACH ROW EXECUTE FUNCTION cocopay.update_updated_at();

COMMENT ON TRIGGER update_stores_updated_at ON cocopay.stores IS 'Keeps stores.updated_at at the time of the last update.';

CREATE TRIGGER update_token_balances_updated_at
BEFORE UPDATE ON cocopay.token_balances
FOR EACH ROW EXECUTE FUNCTION cocopay.update_updated_at();

COMMENT ON TRIGGER update_token_balances_updated_at ON cocopay.token_balances IS
'Keeps token_balances.updated_at at the time of the last update.';

CREATE TRIGGER update_feature_flags_updated_at
BEFORE UPDATE ON cocopay.feature_flags
FOR EACH ROW EXECUTE FUNCTION cocopay.update_updated_at();

COMMENT ON TRIGGER update_feature_flags_updated_at ON cocopay.feature_flags IS
'Keeps feature_flags.updated_at at the time of the last update (not in the seed, which has the column but forgot '
'the trigger).';
