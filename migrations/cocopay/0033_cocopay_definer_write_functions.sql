-- depends: 0032_cocopay_database_clock
-- Every cocopay write that carries a rule runs as the owner (SECURITY DEFINER, search_path
-- pinned to pg_catalog, pg_temp, every name qualified), so that chaindb_app can lose the
-- table privileges that let it step around the rules (0034):
--   transactions    create_transaction (idempotency), confirm_transaction (the confirmation
--                   code), fail_transaction: the only writers; a confirmed or failed row is
--                   never written again, since both moves start from pending.
--   payouts         request_payout (an accepted owner or admin asks), start_payout,
--                   complete_payout, fail_payout: the only writers.
--   stores,         create_store (the store and its owner's membership together),
--   store_members   invite_store_member (by an accepted owner or admin), accept_store_member.
-- (Smart accounts, phone verification and session revocation: 0034.)
-- No function takes a time any more: the ones that took p_now (create_transaction,
-- confirm_transaction, invite_store_member, accept_store_member, request_payout,
-- complete_payout, fail_payout) are dropped and created again without it, using common.now()
-- (same bodies otherwise). fail_transaction, create_store and start_payout only change to
-- SECURITY DEFINER. Comments and EXECUTE grants to chaindb_app follow; nothing to PUBLIC.
-- squawk ban-drop-function is ignored on purpose: the old signatures must go, so that no
-- client can pass a time any more (a caller still passing p_now gets 42883).

-- squawk-ignore ban-drop-function
DROP FUNCTION cocopay.create_transaction(
    varchar, cocopay.transaction_type, numeric, cocopay.chain_id, uuid, uuid, uuid, jsonb, jsonb, varchar, timestamptz
);

-- squawk-ignore ban-drop-function
DROP FUNCTION cocopay.confirm_transaction(uuid, varchar, varchar, bigint, timestamptz);

-- squawk-ignore ban-drop-function
DROP FUNCTION cocopay.invite_store_member(uuid, uuid, cocopay.store_role, uuid, timestamptz);

-- squawk-ignore ban-drop-function
DROP FUNCTION cocopay.accept_store_member(uuid, uuid, timestamptz);

-- squawk-ignore ban-drop-function
DROP FUNCTION cocopay.request_payout(uuid, uuid, numeric, cocopay.payout_type, jsonb, numeric, timestamptz);

-- squawk-ignore ban-drop-function
DROP FUNCTION cocopay.complete_payout(uuid, varchar, timestamptz);

-- squawk-ignore ban-drop-function
DROP FUNCTION cocopay.fail_payout(uuid, text, timestamptz);

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
    p_bundle_id varchar DEFAULT NULL
)
RETURNS SETOF cocopay.transactions
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
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
            p_tokens_used, p_rewards_earned, p_bundle_id, common.now()
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
    varchar, cocopay.transaction_type, numeric, cocopay.chain_id, uuid, uuid, uuid, jsonb, jsonb, varchar
) IS
'Creates a pending transaction (created_at = common.now()) under an idempotency key. The same key with the '
'same payload (type, amount_usd at 6 decimals, chain, parties, tokens_used, rewards_earned, bundle_id) returns the '
'existing row, whatever its status; another payload raises CD002 with the key in DETAIL. Race-safe. '
'A NULL key creates a row every time.';

CREATE FUNCTION cocopay.confirm_transaction(
    p_id uuid,
    p_confirmation_code varchar,
    p_tx_hash varchar DEFAULT NULL,
    p_block_number bigint DEFAULT NULL
)
RETURNS SETOF cocopay.transactions
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
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
        confirmed_at = common.now(),
        tx_hash = coalesce(p_tx_hash, t.tx_hash),
        block_number = coalesce(p_block_number, t.block_number)
    WHERE t.id = p_id
    RETURNING t.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.confirm_transaction(uuid, varchar, varchar, bigint) IS
'pending -> confirmed when p_confirmation_code matches (case-insensitive), with confirmed_at = common.now() '
'and the tx hash and block when given. CD005 unknown id, CD001 not pending (also when confirmed already), '
'CD007 (transactions_confirmation_code_match) wrong code.';

CREATE FUNCTION cocopay.invite_store_member(
    p_store_id uuid,
    p_user_id uuid,
    p_role cocopay.store_role,
    p_invited_by uuid
)
RETURNS SETOF cocopay.store_members
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
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
    VALUES (p_store_id, p_user_id, p_role, p_invited_by, common.now())
    RETURNING m.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.invite_store_member(uuid, uuid, cocopay.store_role, uuid) IS
'Invites a user as admin or staff (invited_at = common.now()); the inviter must be an accepted owner or '
'admin of the store. CD007 store_members_invite_role (owner), CD007 store_members_invited_by_manager, '
'23505 store_members_store_id_user_id_key (a member already).';

CREATE FUNCTION cocopay.accept_store_member(p_store_id uuid, p_user_id uuid)
RETURNS SETOF cocopay.store_members
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
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
    SET accepted_at = common.now()
    WHERE m.store_id = p_store_id AND m.user_id = p_user_id
    RETURNING m.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.accept_store_member(uuid, uuid) IS
'Accepts an invitation (accepted_at = common.now()). CD005 no invitation, '
'CD007 store_members_accepted_once, 23514 store_members_accepted_at_check (before the invitation).';

CREATE FUNCTION cocopay.request_payout(
    p_store_id uuid,
    p_requested_by uuid,
    p_amount_usd numeric,
    p_payout_type cocopay.payout_type,
    p_destination jsonb,
    p_fee_usd numeric DEFAULT NULL
)
RETURNS SETOF cocopay.payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row cocopay.payouts;
BEGIN
    PERFORM
    FROM cocopay.store_members AS m
    WHERE
        m.store_id = p_store_id AND m.user_id = p_requested_by
        AND m.role IN ('owner', 'admin') AND m.accepted_at IS NOT NULL
    FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'payouts: user % is not an owner or admin of store %', p_requested_by, p_store_id
            USING ERRCODE = 'CD007',
                  DETAIL = format('store=%s requested_by=%s', p_store_id, p_requested_by),
                  CONSTRAINT = 'payouts_requested_by_manager',
                  SCHEMA = 'cocopay',
                  TABLE = 'payouts';
    END IF;
    INSERT INTO cocopay.payouts AS p (
        store_id, requested_by, amount_usd, fee_usd, payout_type, destination, created_at
    )
    VALUES (
        p_store_id, p_requested_by, p_amount_usd, coalesce(p_fee_usd, 0), p_payout_type, p_destination,
        common.now()
    )
    RETURNING p.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.request_payout(uuid, uuid, numeric, cocopay.payout_type, jsonb, numeric) IS
'Creates a pending payout asked for by an accepted owner or admin of the store (CD007 payouts_requested_by_manager '
'otherwise); fee NULL means 0. 23514 payouts_amount_usd_check, payouts_destination_check.';

CREATE FUNCTION cocopay.complete_payout(p_id uuid, p_external_id varchar DEFAULT NULL)
RETURNS SETOF cocopay.payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_status cocopay.payout_status;
    v_row cocopay.payouts;
BEGIN
    SELECT p.status INTO v_status FROM cocopay.payouts AS p WHERE p.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'payouts: no payout %', p_id
            USING ERRCODE = 'CD005', DETAIL = format('id=%s', p_id), SCHEMA = 'cocopay', TABLE = 'payouts';
    END IF;
    IF v_status <> 'processing' THEN
        PERFORM common.forbid_transition('payouts', v_status::text, 'completed');
    END IF;
    UPDATE cocopay.payouts AS p
    SET status = 'completed',
        processed_at = common.now(),
        external_id = coalesce(p_external_id, p.external_id)
    WHERE p.id = p_id
    RETURNING p.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.complete_payout(uuid, varchar) IS
'processing -> completed with processed_at = common.now() and the provider''s id when given. '
'CD005 unknown id, CD001 not processing.';

CREATE FUNCTION cocopay.fail_payout(p_id uuid, p_error_message text)
RETURNS SETOF cocopay.payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_status cocopay.payout_status;
    v_row cocopay.payouts;
BEGIN
    SELECT p.status INTO v_status FROM cocopay.payouts AS p WHERE p.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'payouts: no payout %', p_id
            USING ERRCODE = 'CD005', DETAIL = format('id=%s', p_id), SCHEMA = 'cocopay', TABLE = 'payouts';
    END IF;
    IF v_status NOT IN ('pending', 'processing') THEN
        PERFORM common.forbid_transition('payouts', v_status::text, 'failed');
    END IF;
    UPDATE cocopay.payouts AS p
    SET status = 'failed', processed_at = common.now(), error_message = p_error_message
    WHERE p.id = p_id
    RETURNING p.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.fail_payout(uuid, text) IS
'pending | processing -> failed with processed_at = common.now() and the error message. '
'CD005 unknown id, CD001 completed or failed already.';

ALTER FUNCTION cocopay.fail_transaction(uuid, varchar, text) SECURITY DEFINER;

ALTER FUNCTION cocopay.create_store(
    uuid, varchar, varchar, varchar, varchar, text, numeric, numeric, text, varchar, varchar, varchar
) SECURITY DEFINER;

ALTER FUNCTION cocopay.start_payout(uuid, varchar) SECURITY DEFINER;

REVOKE ALL ON FUNCTION
cocopay.create_transaction(
    varchar, cocopay.transaction_type, numeric, cocopay.chain_id, uuid, uuid, uuid, jsonb, jsonb, varchar
),
cocopay.confirm_transaction(uuid, varchar, varchar, bigint),
cocopay.invite_store_member(uuid, uuid, cocopay.store_role, uuid),
cocopay.accept_store_member(uuid, uuid),
cocopay.request_payout(uuid, uuid, numeric, cocopay.payout_type, jsonb, numeric),
cocopay.complete_payout(uuid, varchar),
cocopay.fail_payout(uuid, text)
FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
cocopay.create_transaction(
    varchar, cocopay.transaction_type, numeric, cocopay.chain_id, uuid, uuid, uuid, jsonb, jsonb, varchar
),
cocopay.confirm_transaction(uuid, varchar, varchar, bigint),
cocopay.invite_store_member(uuid, uuid, cocopay.store_role, uuid),
cocopay.accept_store_member(uuid, uuid),
cocopay.request_payout(uuid, uuid, numeric, cocopay.payout_type, jsonb, numeric),
cocopay.complete_payout(uuid, varchar),
cocopay.fail_payout(uuid, text)
TO chaindb_app;
