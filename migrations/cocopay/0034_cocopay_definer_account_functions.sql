-- depends: 0033_cocopay_definer_write_functions
-- Writes of cocopay that became functions (SECURITY DEFINER, search_path pinned to
-- pg_catalog, pg_temp, every name qualified), so that chaindb_app needs no UPDATE on the
-- columns they guard (0035). Before, the named queries wrote these tables directly.
--   smart_accounts  get_or_create_smart_account (no UPDATE grant needed for the upsert),
--                   mark_smart_account_deployed (false -> true, never back): the only writers.
--   users           verify_user_phone: phone_verified_at is set once, by the database's clock.
--   sessions        revoke_session, revoke_user_sessions: revoked_at is set once, by the
--                   database's clock (a revoked session cannot be revived by the application).
-- EXECUTE to chaindb_app; nothing to PUBLIC.

CREATE FUNCTION cocopay.get_or_create_smart_account(
    p_user_id uuid,
    p_chain_id cocopay.chain_id,
    p_address varchar,
    p_salt varchar,
    p_owner_address varchar,
    p_custody_status cocopay.custody_status DEFAULT NULL
)
RETURNS SETOF cocopay.smart_accounts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row cocopay.smart_accounts;
BEGIN
    LOOP
        INSERT INTO cocopay.smart_accounts AS a (user_id, chain_id, address, salt, owner_address, custody_status)
        VALUES (p_user_id, p_chain_id, p_address, p_salt, p_owner_address, coalesce(p_custody_status, 'managed'))
        ON CONFLICT (user_id, chain_id) DO NOTHING
        RETURNING a.* INTO v_row;
        EXIT WHEN FOUND;
        -- Taken by a committed row (ON CONFLICT waited for its transaction); this new
        -- statement sees it. Loop only if it vanished in between.
        SELECT a.* INTO v_row FROM cocopay.smart_accounts AS a
        WHERE a.user_id = p_user_id AND a.chain_id = p_chain_id;
        EXIT WHEN FOUND;
    END LOOP;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.get_or_create_smart_account(
    uuid, cocopay.chain_id, varchar, varchar, varchar, cocopay.custody_status
) IS
'The user''s smart account on the chain, created with this address, salt and owner (custody NULL: managed) when '
'missing; an existing account is returned unchanged. Race-safe (ON CONFLICT). 23514 the address, salt and owner '
'CHECKs, 23505 smart_accounts_chain_id_address_key (the address belongs to another user).';

CREATE FUNCTION cocopay.mark_smart_account_deployed(p_id uuid, p_deploy_tx_hash varchar)
RETURNS SETOF cocopay.smart_accounts
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    UPDATE cocopay.smart_accounts AS a
    SET deployed = true, deploy_tx_hash = p_deploy_tx_hash, deployed_at = common.now()
    WHERE a.id = p_id AND NOT a.deployed
    RETURNING a.*
$fn$;

COMMENT ON FUNCTION cocopay.mark_smart_account_deployed(uuid, varchar) IS
'Records the deployment of a counterfactual account (deployed_at = common.now()); no row when the account is '
'unknown or deployed already. The only writer of deployed, deploy_tx_hash and deployed_at: a deployed account '
'never goes back. 23514 smart_accounts_deploy_tx_hash_check.';

CREATE FUNCTION cocopay.verify_user_phone(p_id uuid)
RETURNS SETOF cocopay.users
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    UPDATE cocopay.users AS u
    SET phone_verified_at = coalesce(u.phone_verified_at, common.now())
    WHERE u.id = p_id
    RETURNING u.*
$fn$;

COMMENT ON FUNCTION cocopay.verify_user_phone(uuid) IS
'Records that the user''s phone was verified (OTP) at common.now(); the first verification time is kept. No row '
'for an unknown user.';

CREATE FUNCTION cocopay.revoke_session(p_id uuid)
RETURNS SETOF cocopay.sessions
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    UPDATE cocopay.sessions AS s
    SET revoked_at = common.now()
    WHERE s.id = p_id AND s.revoked_at IS NULL
    RETURNING s.*
$fn$;

COMMENT ON FUNCTION cocopay.revoke_session(uuid) IS
'Revokes a session (logout) at common.now(); no row when it is unknown or revoked already. Revocation is final.';

CREATE FUNCTION cocopay.revoke_user_sessions(p_user_id uuid)
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH revoked AS (
        UPDATE cocopay.sessions AS s
        SET revoked_at = common.now()
        WHERE s.user_id = p_user_id AND s.revoked_at IS NULL
        RETURNING 1
    )
    SELECT count(*)::integer FROM revoked
$fn$;

COMMENT ON FUNCTION cocopay.revoke_user_sessions(uuid) IS
'Revokes every unrevoked session of a user at common.now() (logout everywhere); returns how many.';

REVOKE ALL ON FUNCTION
cocopay.get_or_create_smart_account(uuid, cocopay.chain_id, varchar, varchar, varchar, cocopay.custody_status),
cocopay.mark_smart_account_deployed(uuid, varchar),
cocopay.verify_user_phone(uuid),
cocopay.revoke_session(uuid),
cocopay.revoke_user_sessions(uuid)
FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
cocopay.get_or_create_smart_account(uuid, cocopay.chain_id, varchar, varchar, varchar, cocopay.custody_status),
cocopay.mark_smart_account_deployed(uuid, varchar),
cocopay.verify_user_phone(uuid),
cocopay.revoke_session(uuid),
cocopay.revoke_user_sessions(uuid)
TO chaindb_app;
