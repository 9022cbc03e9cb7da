-- depends: 0022_cocopay_grants
-- Writes that carry rules, as functions called by the named queries (queries/cocopay/).
-- Each runs as the caller (SECURITY INVOKER: chaindb_app already holds the table
-- privileges they use), pins its search_path and qualifies every name. Each returns
-- SETOF its table, so the generated code keeps the table's NOT NULL columns; it returns
-- exactly one row or raises. The clock is injectable where time is recorded:
-- p_now, NULL meaning now().
--
--   create_transaction   a transaction with an idempotency key: the same key and the same
--                        payload returns the existing row; the same key with another payload
--                        raises CD002 (idempotency_conflict, DETAIL names the key and the
--                        fields that differ). Race-safe: INSERT ... ON CONFLICT DO NOTHING,
--                        then the winner's row is read and compared (a loser waits for the
--                        winner's commit inside the INSERT).
--   confirm_transaction  pending -> confirmed with the transaction's confirmation code
--                        (CD007 when it does not match), confirmed_at, tx hash and block.
--   fail_transaction     pending -> failed with an error code and message.
--   create_store         the store and its owner's membership (accepted) in one statement.
--   invite_store_member  an admin or staff invitation by an accepted owner or admin (CD007).
--   accept_store_member  sets accepted_at once (CD007 when accepted already).
-- The state changes lock the row (SELECT ... FOR UPDATE), so of two concurrent calls the
-- second sees the first one's result: a repeated move (e.g. confirmed -> confirmed) raises
-- CD001 like any other forbidden move (the triggers of 0019 only see changed statuses).
-- Unknown ids raise CD005 (not_found). Token balance sync, passkey use, session and user
-- upserts are single guarded statements in the query files.
-- Payouts: 0024_cocopay_payout_functions.

CREATE FUNCTION cocopay.create_transaction(
    p_idempotency_key varchar,
    p_type cocopay.transaction_type,
    p_amount_usd numeric,
    p_chain_id cocopay.chain_id,
    p_from_user_id uuid DEFAULT NULL,
    p_to_user_id uuid DEFAULT NULL,
    p_store_id uuid DEFAULT NULL,
    p_tokens_used jsonb DEFAULT NULL,
    p_rewards_earned jsonb DEFAULT NULL,
    p_bundle_id varchar DEFAULT NULL,
    p_now timestamptz DEFAULT NULL
)
RETURNS SETOF cocopay.transactions
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_amount numeric(18, 6) := p_amount_usd;
    v_row cocopay.transactions;
    v_diff text[];
BEGIN
    LOOP
        INSERT INTO cocopay.transactions AS t (
            idempotency_key, type, amount_usd, chain_id, from_user_id, to_user_id, store_id,
            tokens_used, rewards_earned, bundle_id, created_at
        )
        VALUES (
            p_idempotency_key, p_type, v_amount, p_chain_id, p_from_user_id, p_to_user_id, p_store_id,
            p_tokens_used, p_rewards_earned, p_bundle_id, coalesce(p_now, now())
        )
        ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING t.* INTO v_row;
        IF FOUND THEN
            RETURN NEXT v_row;
            RETURN;
        END IF;
        -- The key is taken by a committed row (ON CONFLICT waited for its transaction);
        -- this statement's snapshot sees it. Loop only if it vanished in between.
        SELECT t.* INTO v_row FROM cocopay.transactions AS t WHERE t.idempotency_key = p_idempotency_key;
        EXIT WHEN FOUND;
    END LOOP;

    v_diff := array_remove(ARRAY[
        CASE WHEN v_row.type IS DISTINCT FROM p_type THEN 'type' END,
        CASE WHEN v_row.amount_usd IS DISTINCT FROM v_amount THEN 'amount_usd' END,
        CASE WHEN v_row.chain_id IS DISTINCT FROM p_chain_id THEN 'chain_id' END,
        CASE WHEN v_row.from_user_id IS DISTINCT FROM p_from_user_id THEN 'from_user_id' END,
        CASE WHEN v_row.to_user_id IS DISTINCT FROM p_to_user_id THEN 'to_user_id' END,
        CASE WHEN v_row.store_id IS DISTINCT FROM p_store_id THEN 'store_id' END,
        CASE WHEN v_row.tokens_used IS DISTINCT FROM p_tokens_used THEN 'tokens_used' END,
        CASE WHEN v_row.rewards_earned IS DISTINCT FROM p_rewards_earned THEN 'rewards_earned' END,
        CASE WHEN v_row.bundle_id IS DISTINCT FROM p_bundle_id THEN 'bundle_id' END
    ], NULL);
    IF cardinality(v_diff) > 0 THEN
        RAISE EXCEPTION 'transactions: idempotency key % was used for another payload', p_idempotency_key
            USING ERRCODE = 'CD002',
                  DETAIL = format(
                      'idempotency_key=%s transaction=%s differs in: %s',
                      p_idempotency_key, v_row.id, array_to_string(v_diff, ', ')
                  ),
                  HINT = 'A new payment needs a new idempotency key.',
                  CONSTRAINT = 'transactions_idempotency_key_key',
                  SCHEMA = 'cocopay',
                  TABLE = 'transactions';
    END IF;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.create_transaction(
    varchar, cocopay.transaction_type, numeric, cocopay.chain_id, uuid, uuid, uuid, jsonb, jsonb, varchar, timestamptz
) IS
'Creates a pending transaction (created_at = coalesce(p_now, now())) under an idempotency key. The same key with the '
'same payload (type, amount_usd at 6 decimals, chain, parties, tokens_used, rewards_earned, bundle_id) returns the '
'existing row, whatever its status; another payload raises CD002 with the key in DETAIL. Race-safe. '
'A NULL key creates a row every time.';

CREATE FUNCTION cocopay.confirm_transaction(
    p_id uuid,
    p_confirmation_code varchar,
    p_tx_hash varchar DEFAULT NULL,
    p_block_number bigint DEFAULT NULL,
    p_now timestamptz DEFAULT NULL
)
RETURNS SETOF cocopay.transactions
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_status cocopay.transaction_status;
    v_code varchar;
    v_row cocopay.transactions;
BEGIN
    SELECT t.status, t.confirmation_code INTO v_status, v_code
    FROM cocopay.transactions AS t
    WHERE t.id = p_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transactions: no transaction %', p_id
            USING ERRCODE = 'CD005', DETAIL = format('id=%s', p_id), SCHEMA = 'cocopay', TABLE = 'transactions';
    END IF;
    IF v_status <> 'pending' THEN
        PERFORM common.forbid_transition('transactions', v_status::text, 'confirmed');
    END IF;
    IF v_code IS NULL OR v_code IS DISTINCT FROM upper(p_confirmation_code) THEN
        RAISE EXCEPTION 'transactions: wrong confirmation code for transaction %', p_id
            USING ERRCODE = 'CD007',
                  DETAIL = format('id=%s', p_id),
                  CONSTRAINT = 'transactions_confirmation_code_match',
                  SCHEMA = 'cocopay',
                  TABLE = 'transactions';
    END IF;
    UPDATE cocopay.transactions AS t
    SET status = 'confirmed',
        confirmed_at = coalesce(p_now, now()),
        tx_hash = coalesce(p_tx_hash, t.tx_hash),
        block_number = coalesce(p_block_number, t.block_number)
    WHERE t.id = p_id
    RETURNING t.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.confirm_transaction(uuid, varchar, varchar, bigint, timestamptz) IS
'pending -> confirmed when p_confirmation_code matches (case-insensitive), with confirmed_at = coalesce(p_now, now()) '
'and the tx hash and block when given. CD005 unknown id, CD001 not pending (also when confirmed already), '
'CD007 (transactions_confirmation_code_match) wrong code.';

CREATE FUNCTION cocopay.fail_transaction(p_id uuid, p_error_code varchar, p_error_message text DEFAULT NULL)
RETURNS SETOF cocopay.transactions
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_status cocopay.transaction_status;
    v_row cocopay.transactions;
BEGIN
    SELECT t.status INTO v_status FROM cocopay.transactions AS t WHERE t.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transactions: no transaction %', p_id
            USING ERRCODE = 'CD005', DETAIL = format('id=%s', p_id), SCHEMA = 'cocopay', TABLE = 'transactions';
    END IF;
    IF v_status <> 'pending' THEN
        PERFORM common.forbid_transition('transactions', v_status::text, 'failed');
    END IF;
    UPDATE cocopay.transactions AS t
    SET status = 'failed', error_code = p_error_code, error_message = p_error_message
    WHERE t.id = p_id
    RETURNING t.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.fail_transaction(uuid, varchar, text) IS
'pending -> failed with an error code and message. CD005 unknown id, CD001 not pending.';

CREATE FUNCTION cocopay.create_store(
    p_owner_id uuid,
    p_name varchar,
    p_symbol varchar,
    p_short_code varchar DEFAULT NULL,
    p_category varchar DEFAULT NULL,
    p_description text DEFAULT NULL,
    p_latitude numeric DEFAULT NULL,
    p_longitude numeric DEFAULT NULL,
    p_address text DEFAULT NULL,
    p_website varchar DEFAULT NULL,
    p_instagram varchar DEFAULT NULL,
    p_qr_code_url varchar DEFAULT NULL
)
RETURNS SETOF cocopay.stores
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH store AS (
        INSERT INTO cocopay.stores (
            name, symbol, short_code, category, description, latitude, longitude, address, website, instagram,
            qr_code_url
        )
        VALUES (
            p_name, p_symbol, p_short_code, p_category, p_description, p_latitude, p_longitude, p_address,
            p_website, p_instagram, p_qr_code_url
        )
        RETURNING *
    ),

    owner_membership AS (
        INSERT INTO cocopay.store_members (store_id, user_id, role, invited_at, accepted_at)
        SELECT store.id, p_owner_id, 'owner', store.created_at, store.created_at
        FROM store
    )

    SELECT * FROM store
$fn$;

COMMENT ON FUNCTION cocopay.create_store(
    uuid, varchar, varchar, varchar, varchar, text, numeric, numeric, text, varchar, varchar, varchar
) IS
'Creates a store and its owner''s membership (role owner, invited and accepted at creation, invited_by NULL) in one '
'statement. 23503 unknown owner, 23505 stores_short_code_key, 23514 the stores CHECKs.';

CREATE FUNCTION cocopay.invite_store_member(
    p_store_id uuid,
    p_user_id uuid,
    p_role cocopay.store_role,
    p_invited_by uuid,
    p_now timestamptz DEFAULT NULL
)
RETURNS SETOF cocopay.store_members
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row cocopay.store_members;
BEGIN
    IF p_role = 'owner' THEN
        RAISE EXCEPTION 'store_members: a store''s owner is made with the store, not invited'
            USING ERRCODE = 'CD007',
                  DETAIL = format('store=%s user=%s role=%s', p_store_id, p_user_id, p_role),
                  CONSTRAINT = 'store_members_invite_role',
                  SCHEMA = 'cocopay',
                  TABLE = 'store_members';
    END IF;
    -- FOR SHARE: the inviter's membership cannot go away while the invitation is written.
    PERFORM
    FROM cocopay.store_members AS m
    WHERE
        m.store_id = p_store_id AND m.user_id = p_invited_by
        AND m.role IN ('owner', 'admin') AND m.accepted_at IS NOT NULL
    FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'store_members: user % is not an owner or admin of store %', p_invited_by, p_store_id
            USING ERRCODE = 'CD007',
                  DETAIL = format('store=%s invited_by=%s', p_store_id, p_invited_by),
                  CONSTRAINT = 'store_members_invited_by_manager',
                  SCHEMA = 'cocopay',
                  TABLE = 'store_members';
    END IF;
    INSERT INTO cocopay.store_members AS m (store_id, user_id, role, invited_by, invited_at)
    VALUES (p_store_id, p_user_id, p_role, p_invited_by, coalesce(p_now, now()))
    RETURNING m.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.invite_store_member(uuid, uuid, cocopay.store_role, uuid, timestamptz) IS
'Invites a user as admin or staff (invited_at = coalesce(p_now, now())); the inviter must be an accepted owner or '
'admin of the store. CD007 store_members_invite_role (owner), CD007 store_members_invited_by_manager, '
'23505 store_members_store_id_user_id_key (a member already).';

CREATE FUNCTION cocopay.accept_store_member(p_store_id uuid, p_user_id uuid, p_now timestamptz DEFAULT NULL)
RETURNS SETOF cocopay.store_members
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_accepted_at timestamptz;
    v_row cocopay.store_members;
BEGIN
    SELECT m.accepted_at INTO v_accepted_at
    FROM cocopay.store_members AS m
    WHERE m.store_id = p_store_id AND m.user_id = p_user_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'store_members: user % has no invitation to store %', p_user_id, p_store_id
            USING ERRCODE = 'CD005',
                  DETAIL = format('store=%s user=%s', p_store_id, p_user_id),
                  SCHEMA = 'cocopay',
                  TABLE = 'store_members';
    END IF;
    IF v_accepted_at IS NOT NULL THEN
        RAISE EXCEPTION 'store_members: user % accepted already', p_user_id
            USING ERRCODE = 'CD007',
                  DETAIL = format('store=%s user=%s accepted_at=%s', p_store_id, p_user_id, v_accepted_at),
                  CONSTRAINT = 'store_members_accepted_once',
                  SCHEMA = 'cocopay',
                  TABLE = 'store_members';
    END IF;
    UPDATE cocopay.store_members AS m
    SET accepted_at = coalesce(p_now, now())
    WHERE m.store_id = p_store_id AND m.user_id = p_user_id
    RETURNING m.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.accept_store_member(uuid, uuid, timestamptz) IS
'Accepts an invitation (accepted_at = coalesce(p_now, now())). CD005 no invitation, '
'CD007 store_members_accepted_once, 23514 store_members_accepted_at_check (before the invitation).';

-- Nothing is granted to PUBLIC (0001_common_extensions revoked the owner's default EXECUTE);
-- chaindb_app calls every function above, chaindb_readonly none.
GRANT EXECUTE ON FUNCTION
cocopay.create_transaction(
    varchar, cocopay.transaction_type, numeric, cocopay.chain_id, uuid, uuid, uuid, jsonb, jsonb, varchar, timestamptz
),
cocopay.confirm_transaction(uuid, varchar, varchar, bigint, timestamptz),
cocopay.fail_transaction(uuid, varchar, text),
cocopay.create_store(uuid, varchar, varchar, varchar, varchar, text, numeric, numeric, text, varchar, varchar, varchar),
cocopay.invite_store_member(uuid, uuid, cocopay.store_role, uuid, timestamptz),
cocopay.accept_store_member(uuid, uuid, timestamptz)
TO chaindb_app;
