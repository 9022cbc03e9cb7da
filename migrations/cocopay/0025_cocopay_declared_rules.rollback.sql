-- Undoes 0025_cocopay_declared_rules: back to the hand-written triggers of 0018 and 0019,
-- restored verbatim (functions, triggers and comments).

CALL common.drop_append_only('cocopay.analytics_events');

CALL common.drop_append_only('cocopay.audit_logs');

CREATE FUNCTION cocopay.tg_store_deployments__status_transition()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT (CASE OLD.status
        WHEN 'pending' THEN NEW.status = 'deploying'
        WHEN 'deploying' THEN NEW.status IN ('deployed', 'failed')
        WHEN 'failed' THEN NEW.status = 'pending'
        ELSE false
    END) THEN
        PERFORM common.forbid_transition(TG_TABLE_NAME, OLD.status::text, NEW.status::text);
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION cocopay.tg_store_deployments__status_transition() IS
'Allows store_deployments.status pending -> deploying -> deployed | failed and failed -> pending only; '
'else SQLSTATE CD001.';

CALL common.drop_state_machine('cocopay.store_deployments', 'status');

CREATE TRIGGER store_deployments_status_transition
BEFORE UPDATE ON cocopay.store_deployments
FOR EACH ROW
WHEN (old.status IS DISTINCT FROM new.status)
EXECUTE FUNCTION cocopay.tg_store_deployments__status_transition();

COMMENT ON TRIGGER store_deployments_status_transition ON cocopay.store_deployments IS
'State machine of store_deployments.status (pending -> deploying -> deployed | failed, failed -> pending); '
'CD001 otherwise.';

CREATE FUNCTION cocopay.tg_stores__status_transition()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT (CASE OLD.deployment_status
        WHEN 'pending' THEN NEW.deployment_status = 'deploying'
        WHEN 'deploying' THEN NEW.deployment_status IN ('deployed', 'failed')
        WHEN 'failed' THEN NEW.deployment_status = 'pending'
        ELSE false
    END) THEN
        PERFORM common.forbid_transition(
            TG_TABLE_NAME, OLD.deployment_status::text, NEW.deployment_status::text
        );
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION cocopay.tg_stores__status_transition() IS
'Allows stores.deployment_status pending -> deploying -> deployed | failed and failed -> pending only; '
'else SQLSTATE CD001.';

CALL common.drop_state_machine('cocopay.stores', 'deployment_status');

CREATE TRIGGER stores_status_transition
BEFORE UPDATE ON cocopay.stores
FOR EACH ROW
WHEN (old.deployment_status IS DISTINCT FROM new.deployment_status)
EXECUTE FUNCTION cocopay.tg_stores__status_transition();

COMMENT ON TRIGGER stores_status_transition ON cocopay.stores IS
'State machine of stores.deployment_status (pending -> deploying -> deployed | failed, failed -> pending); '
'CD001 otherwise.';

CREATE FUNCTION cocopay.tg_payouts__status_transition()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT (CASE OLD.status
        WHEN 'pending' THEN NEW.status IN ('processing', 'failed')
        WHEN 'processing' THEN NEW.status IN ('completed', 'failed')
        ELSE false
    END) THEN
        PERFORM common.forbid_transition(TG_TABLE_NAME, OLD.status::text, NEW.status::text);
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION cocopay.tg_payouts__status_transition() IS
'Allows payouts.status pending -> processing | failed and processing -> completed | failed only; else SQLSTATE CD001.';

CALL common.drop_state_machine('cocopay.payouts', 'status');

CREATE TRIGGER payouts_status_transition
BEFORE UPDATE ON cocopay.payouts
FOR EACH ROW
WHEN (old.status IS DISTINCT FROM new.status)
EXECUTE FUNCTION cocopay.tg_payouts__status_transition();

COMMENT ON TRIGGER payouts_status_transition ON cocopay.payouts IS
'State machine of payouts.status (pending -> processing -> completed | failed, pending -> failed); CD001 otherwise.';

CREATE FUNCTION cocopay.tg_transactions__status_transition()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT (OLD.status = 'pending' AND NEW.status IN ('confirmed', 'failed')) THEN
        PERFORM common.forbid_transition(TG_TABLE_NAME, OLD.status::text, NEW.status::text);
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION cocopay.tg_transactions__status_transition() IS
'Allows transactions.status pending -> confirmed | failed only; else SQLSTATE CD001.';

CALL common.drop_state_machine('cocopay.transactions', 'status');

CREATE TRIGGER transactions_status_transition
BEFORE UPDATE ON cocopay.transactions
FOR EACH ROW
WHEN (old.status IS DISTINCT FROM new.status)
EXECUTE FUNCTION cocopay.tg_transactions__status_transition();

COMMENT ON TRIGGER transactions_status_transition ON cocopay.transactions IS
'State machine of transactions.status (pending -> confirmed | failed); CD001 otherwise.';

CREATE FUNCTION cocopay.update_updated_at()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  NEW.updated_at = NOW();
  RETURN NEW;
END;
$fn$;

COMMENT ON FUNCTION cocopay.update_updated_at() IS
'BEFORE UPDATE trigger function: sets updated_at to the transaction time (now()).';

CREATE OR REPLACE TRIGGER update_users_updated_at
BEFORE UPDATE ON cocopay.users
FOR EACH ROW EXECUTE FUNCTION cocopay.update_updated_at();

CREATE OR REPLACE TRIGGER update_stores_updated_at
BEFORE UPDATE ON cocopay.stores
FOR EACH ROW EXECUTE FUNCTION cocopay.update_updated_at();

CREATE OR REPLACE TRIGGER update_token_balances_updated_at
BEFORE UPDATE ON cocopay.token_balances
FOR EACH ROW EXECUTE FUNCTION cocopay.update_updated_at();

CREATE OR REPLACE TRIGGER update_feature_flags_updated_at
BEFORE UPDATE ON cocopay.feature_flags
FOR EACH ROW EXECUTE FUNCTION cocopay.update_updated_at();
