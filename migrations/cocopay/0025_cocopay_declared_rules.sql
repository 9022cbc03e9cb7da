-- depends: 0024_cocopay_payout_functions 0005_common_raise_helpers
-- cocopay onto the common helpers (CONVENTIONS.md): its rules declared once, as data.
--   updated_at       the seed's four trigger names now run common.tg__set_updated_at();
--                    cocopay.update_updated_at() is gone.
--   state machines   the four hand-written trigger functions of 0019 are replaced by
--                    declarations (common.define_state_machine), same trigger and pseudo-constraint
--                    names (stores.deployment_status is labelled status: stores_status_transition),
--                    same moves, same error (CD001, from/to in DETAIL). No initial state is
--                    enforced (as before): rows may be created in any state.
--   append-only      audit_logs and analytics_events refuse UPDATE, DELETE and TRUNCATE for every
--                    role, the owner included (CD003); chaindb_app could already only insert.
-- The functions dropped here are trigger functions and helpers no client calls
-- (squawk-ignore ban-drop-function).

CREATE OR REPLACE TRIGGER update_users_updated_at
BEFORE UPDATE ON cocopay.users
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

CREATE OR REPLACE TRIGGER update_stores_updated_at
BEFORE UPDATE ON cocopay.stores
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

CREATE OR REPLACE TRIGGER update_token_balances_updated_at
BEFORE UPDATE ON cocopay.token_balances
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

CREATE OR REPLACE TRIGGER update_feature_flags_updated_at
BEFORE UPDATE ON cocopay.feature_flags
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

-- squawk-ignore ban-drop-function
DROP FUNCTION cocopay.update_updated_at();

-- Each declaration replaces the trigger of the same name that 0019 created.
CALL common.define_state_machine(
    'cocopay.transactions', 'status', '{pending>confirmed|failed}', NULL,
    'confirmed and failed are terminal (seed).'
);

CALL common.define_state_machine(
    'cocopay.payouts', 'status', '{pending>processing|failed, processing>completed|failed}', NULL,
    'pending -> failed decided: a request can be rejected before processing starts (an invalid PIX key, '
    'insufficient balance).'
);

CALL common.define_state_machine(
    'cocopay.stores', 'deployment_status', '{pending>deploying, deploying>deployed|failed, failed>pending}', NULL,
    'failed -> pending decided: a failed deployment is retried; deployed is terminal.'
);

CALL common.define_state_machine(
    'cocopay.store_deployments', 'status', '{pending>deploying, deploying>deployed|failed, failed>pending}', NULL,
    'failed -> pending decided: a failed deployment is retried in place ((store_id, chain_id) is unique); '
    'deployed is terminal.'
);

-- squawk-ignore ban-drop-function
DROP FUNCTION cocopay.tg_transactions__status_transition();

-- squawk-ignore ban-drop-function
DROP FUNCTION cocopay.tg_payouts__status_transition();

-- squawk-ignore ban-drop-function
DROP FUNCTION cocopay.tg_stores__status_transition();

-- squawk-ignore ban-drop-function
DROP FUNCTION cocopay.tg_store_deployments__status_transition();

CALL common.define_append_only('cocopay.audit_logs');

CALL common.define_append_only('cocopay.analytics_events');
