-- depends: 0008_tips_payout_functions
-- tips.dynamic_sessions, verbatim from the seed (crypto.randomUUID() -> gen_random_uuid()):
-- walletless onboarding through Dynamic, linked to tips indirectly (events.signer is the
-- custodial wallet Dynamic issued). Seed silent, decided here:
--   NOT NULL   external_id (unique; the Dynamic SDK's session id, which a session always has),
--              created_at, updated_at (the seed marks them neither NOT NULL nor NULLABLE);
--              status defaults to initiated.
--   states     initiated -> wallet_created | failed, both terminal. custodial_wallet is set
--              exactly when wallet_created, and is a Solana public key; failure_reason (added:
--              "failure logs remain for troubleshooting") exactly when failed. Both are set once:
--              the same assignment again changes nothing (Dynamic retries its webhooks), another
--              one raises CD003.
--   writes     the app creates a session (INSERT of external_id, user_identifier) and may correct
--              user_identifier; the moves go through assign_session_wallet and fail_dynamic_session.
--   index      dynamic_sessions_custodial_wallet_idx joins sessions to the tips they signed.

CREATE TYPE tips.dynamic_session_status AS ENUM ('initiated', 'wallet_created', 'failed');

COMMENT ON TYPE tips.dynamic_session_status IS
'A Dynamic onboarding session: initiated -> wallet_created | failed (the seed''s states).';

CREATE TABLE tips.dynamic_sessions (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    external_id varchar(128) NOT NULL,
    user_identifier varchar(128),
    custodial_wallet varchar(128),
    status tips.dynamic_session_status NOT NULL DEFAULT 'initiated',
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    failure_reason text,
    CONSTRAINT dynamic_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT dynamic_sessions_external_id_key UNIQUE (external_id),
    CONSTRAINT dynamic_sessions_external_id_check CHECK (btrim(external_id) <> ''),
    CONSTRAINT dynamic_sessions_custodial_wallet_check CHECK (common.is_solana_pubkey(custodial_wallet)),
    CONSTRAINT dynamic_sessions_wallet_created_check CHECK (
        (status = 'wallet_created') = (custodial_wallet IS NOT NULL)
    ),
    CONSTRAINT dynamic_sessions_failure_reason_check CHECK ((status = 'failed') = (failure_reason IS NOT NULL))
);

CREATE INDEX dynamic_sessions_custodial_wallet_idx ON tips.dynamic_sessions (custodial_wallet)
WHERE custodial_wallet IS NOT NULL;

CALL common.define_state_machine(
    'tips.dynamic_sessions', 'status', '{initiated>wallet_created|failed}', '{initiated}',
    'wallet_created and failed are terminal; failed sessions stay for troubleshooting.'
);

CALL common.define_immutable_columns(
    'tips.dynamic_sessions', '{id, external_id, created_at}', '{custodial_wallet, failure_reason}'
);

CREATE TRIGGER dynamic_sessions_updated_at
BEFORE UPDATE ON tips.dynamic_sessions
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

CREATE FUNCTION tips.assign_session_wallet(p_id uuid, p_custodial_wallet varchar)
RETURNS SETOF tips.dynamic_sessions
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row tips.dynamic_sessions;
BEGIN
    SELECT s.* INTO v_row FROM tips.dynamic_sessions AS s WHERE s.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('tips.dynamic_sessions', p_id::text);
    ELSIF v_row.status = 'failed' THEN
        PERFORM common.raise_forbidden_transition('tips.dynamic_sessions', 'status', 'failed', 'wallet_created');
    ELSIF v_row.status = 'wallet_created' AND v_row.custodial_wallet = p_custodial_wallet THEN
        RETURN NEXT v_row;  -- a retried webhook: nothing changes
        RETURN;
    END IF;
    RETURN QUERY
    UPDATE tips.dynamic_sessions AS s
    SET status = 'wallet_created', custodial_wallet = p_custodial_wallet
    WHERE s.id = p_id
    RETURNING s.*;
END
$fn$;

COMMENT ON FUNCTION tips.assign_session_wallet(uuid, varchar) IS
'initiated -> wallet_created with the custodial wallet Dynamic issued (a Solana public key: 23514 '
'dynamic_sessions_custodial_wallet_check; required: dynamic_sessions_wallet_created_check). The same wallet again '
'changes nothing; another one raises CD003 dynamic_sessions_custodial_wallet_immutable. CD005 unknown id, CD001 '
'failed.';

CREATE FUNCTION tips.fail_dynamic_session(p_id uuid, p_failure_reason text)
RETURNS SETOF tips.dynamic_sessions
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row tips.dynamic_sessions;
BEGIN
    SELECT s.* INTO v_row FROM tips.dynamic_sessions AS s WHERE s.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('tips.dynamic_sessions', p_id::text);
    ELSIF v_row.status = 'wallet_created' THEN
        PERFORM common.raise_forbidden_transition('tips.dynamic_sessions', 'status', 'wallet_created', 'failed');
    ELSIF v_row.status = 'failed' AND v_row.failure_reason = p_failure_reason THEN
        RETURN NEXT v_row;  -- a retried webhook: nothing changes
        RETURN;
    END IF;
    RETURN QUERY
    UPDATE tips.dynamic_sessions AS s
    SET status = 'failed', failure_reason = p_failure_reason
    WHERE s.id = p_id
    RETURNING s.*;
END
$fn$;

COMMENT ON FUNCTION tips.fail_dynamic_session(uuid, text) IS
'initiated -> failed with the reason (required: 23514 dynamic_sessions_failure_reason_check); the session stays for '
'troubleshooting. The same reason again changes nothing; another one raises CD003 '
'dynamic_sessions_failure_reason_immutable. CD005 unknown id, CD001 wallet_created.';

COMMENT ON TABLE tips.dynamic_sessions IS
'The seed''s Dynamic onboarding sessions (walletless tippers); linked to tips through events.signer = '
'custodial_wallet.';
COMMENT ON COLUMN tips.dynamic_sessions.external_id IS 'The Dynamic SDK''s session id; unique.';
COMMENT ON COLUMN tips.dynamic_sessions.user_identifier IS 'Email or alias provided by Dynamic, if any.';
COMMENT ON COLUMN tips.dynamic_sessions.custodial_wallet IS
'The Solana wallet Dynamic issued; set once, exactly when wallet_created.';
COMMENT ON COLUMN tips.dynamic_sessions.status IS 'initiated -> wallet_created | failed; both terminal.';
COMMENT ON COLUMN tips.dynamic_sessions.updated_at IS 'Last change (common.tg__set_updated_at); for cleanup and expiry.';
COMMENT ON COLUMN tips.dynamic_sessions.failure_reason IS
'Why the session failed; set once, exactly when failed (not in the seed: its failures stay for troubleshooting).';
COMMENT ON CONSTRAINT dynamic_sessions_external_id_check ON tips.dynamic_sessions IS 'external_id is not blank.';
COMMENT ON CONSTRAINT dynamic_sessions_custodial_wallet_check ON tips.dynamic_sessions IS
'custodial_wallet is a Solana public key (base58 of 32 bytes).';
COMMENT ON CONSTRAINT dynamic_sessions_wallet_created_check ON tips.dynamic_sessions IS
'A custodial wallet is set exactly when wallet_created.';
COMMENT ON CONSTRAINT dynamic_sessions_failure_reason_check ON tips.dynamic_sessions IS
'failure_reason is set exactly when failed.';
COMMENT ON INDEX tips.dynamic_sessions_custodial_wallet_idx IS
'Sessions by custodial wallet: the tips a walletless tipper signed (events.signer).';
COMMENT ON TRIGGER dynamic_sessions_updated_at ON tips.dynamic_sessions IS
'Keeps updated_at at the time of the last change.';

GRANT USAGE ON TYPE tips.dynamic_session_status TO chaindb_app, chaindb_readonly;
GRANT SELECT, INSERT (external_id, user_identifier), UPDATE (user_identifier) ON tips.dynamic_sessions TO chaindb_app;
GRANT SELECT ON tips.dynamic_sessions TO chaindb_readonly;
GRANT EXECUTE ON FUNCTION
tips.assign_session_wallet(uuid, varchar),
tips.fail_dynamic_session(uuid, text)
TO chaindb_app;
