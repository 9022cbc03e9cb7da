-- depends: 0023_cocopay_write_functions
-- Payout functions, called by queries/cocopay/payouts.sql; conventions as in
-- 0023_cocopay_write_functions (SECURITY INVOKER, pinned search_path, SETOF the table,
-- injectable clock p_now, row locked before a move, CD005 for an unknown id, CD001 for a
-- forbidden or repeated move).
--
--   request_payout       a pending payout asked for by an accepted owner or admin of the
--                        store (CD007 payouts_requested_by_manager otherwise).
--   start_payout         pending -> processing (the provider's id, if known).
--   complete_payout      processing -> completed with processed_at.
--   fail_payout          pending | processing -> failed with processed_at and a message.

CREATE FUNCTION cocopay.request_payout(
    p_store_id uuid,
    p_requested_by uuid,
    p_amount_usd numeric,
    p_payout_type cocopay.payout_type,
    p_destination jsonb,
    p_fee_usd numeric DEFAULT NULL,
    p_now timestamptz DEFAULT NULL
)
RETURNS SETOF cocopay.payouts
LANGUAGE plpgsql
VOLATILE
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
        coalesce(p_now, now())
    )
    RETURNING p.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.request_payout(uuid, uuid, numeric, cocopay.payout_type, jsonb, numeric, timestamptz) IS
'Creates a pending payout asked for by an accepted owner or admin of the store (CD007 payouts_requested_by_manager '
'otherwise); fee NULL means 0. 23514 payouts_amount_usd_check, payouts_destination_check.';

CREATE FUNCTION cocopay.start_payout(p_id uuid, p_external_id varchar DEFAULT NULL)
RETURNS SETOF cocopay.payouts
LANGUAGE plpgsql
VOLATILE
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
    IF v_status <> 'pending' THEN
        PERFORM common.forbid_transition('payouts', v_status::text, 'processing');
    END IF;
    UPDATE cocopay.payouts AS p
    SET status = 'processing', external_id = coalesce(p_external_id, p.external_id)
    WHERE p.id = p_id
    RETURNING p.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.start_payout(uuid, varchar) IS
'pending -> processing, recording the provider''s id when given. CD005 unknown id, CD001 not pending '
'(of two workers starting the same payout, exactly one wins).';

CREATE FUNCTION cocopay.complete_payout(p_id uuid, p_external_id varchar DEFAULT NULL, p_now timestamptz DEFAULT NULL)
RETURNS SETOF cocopay.payouts
LANGUAGE plpgsql
VOLATILE
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
        processed_at = coalesce(p_now, now()),
        external_id = coalesce(p_external_id, p.external_id)
    WHERE p.id = p_id
    RETURNING p.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.complete_payout(uuid, varchar, timestamptz) IS
'processing -> completed with processed_at = coalesce(p_now, now()) and the provider''s id when given. '
'CD005 unknown id, CD001 not processing.';

CREATE FUNCTION cocopay.fail_payout(p_id uuid, p_error_message text, p_now timestamptz DEFAULT NULL)
RETURNS SETOF cocopay.payouts
LANGUAGE plpgsql
VOLATILE
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
    SET status = 'failed', processed_at = coalesce(p_now, now()), error_message = p_error_message
    WHERE p.id = p_id
    RETURNING p.* INTO v_row;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION cocopay.fail_payout(uuid, text, timestamptz) IS
'pending | processing -> failed with processed_at = coalesce(p_now, now()) and the error message. '
'CD005 unknown id, CD001 completed or failed already.';

-- Nothing is granted to PUBLIC (0001_common_extensions revoked the owner's default EXECUTE).
GRANT EXECUTE ON FUNCTION
cocopay.request_payout(uuid, uuid, numeric, cocopay.payout_type, jsonb, numeric, timestamptz),
cocopay.start_payout(uuid, varchar),
cocopay.complete_payout(uuid, varchar, timestamptz),
cocopay.fail_payout(uuid, text, timestamptz)
TO chaindb_app;
