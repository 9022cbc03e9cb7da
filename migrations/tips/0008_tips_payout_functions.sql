-- depends: 0007_tips_reflect_payouts
-- The payout lifecycle (chaindb.tips.worker), each move one short transaction; SECURITY DEFINER
-- with a pinned search_path, SETOF the table, the row locked before it moves.
--   create_payout(event_id, currency, amount)   a pending payout of a verified event (the
--                    worker calls it in the transaction that verifies the event). 23505
--                    reflect_payouts_event_id_key when the event has one already, CD007
--                    reflect_payouts_event_verified when the event is not verified.
--   claim_payouts(status, max_rows, lease)   pending payouts (to send to Reflect; attempt_count
--                    + 1) or queued ones (to ask Reflect how they went), FOR UPDATE SKIP LOCKED,
--                    held by a lease as in claim_verifications.
--   queue_payout(id, token, reflect_tip_id)   pending -> queued: Reflect accepted it; the claim
--                    stays, so the same step can settle, fail or release it.
--   settle_payout(id, token)                  queued -> settled.
--   fail_payout(id, token, error)             queued -> failed.
--   cancel_payout(id, token, reason)          pending | queued -> cancelled by the claim's holder
--                    (Reflect refused the request or reports it cancelled; attempts exhausted);
--                    with no token (an operator), only a pending payout never sent
--                    (attempt_count = 0), since Reflect may hold one that was sent
--                    (CD007 reflect_payouts_cancel_unsent).
--   release_payout(id, token, retry_in, error) keeps its state, unclaimed, claimable again after
--                    retry_in; records Reflect's error when given.
-- A move by a worker whose claim is gone raises CD007 reflect_payouts_claim_held; CD005 unknown
-- id; CD001 a move the state forbids. Arguments out of range raise 22023.

CREATE FUNCTION tips.lock_claimed_payout(
    p_id uuid, p_claim_token uuid, p_from tips.payout_status[], p_to tips.payout_status
)
RETURNS tips.reflect_payouts
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row tips.reflect_payouts;
BEGIN
    SELECT p.* INTO v_row FROM tips.reflect_payouts AS p WHERE p.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('tips.reflect_payouts', p_id::text);
    ELSIF NOT v_row.status = ANY (p_from) THEN
        PERFORM common.raise_forbidden_transition('tips.reflect_payouts', 'status', v_row.status::text, p_to::text);
    ELSIF v_row.claim_token IS DISTINCT FROM p_claim_token OR p_claim_token IS NULL THEN
        PERFORM common.raise_precondition_failed(
            'tips.reflect_payouts', 'reflect_payouts_claim_held',
            format('payout %s is not held by claim %s', p_id, coalesce(p_claim_token::text, 'NULL')),
            format('id=%s claim_token=%s', p_id, coalesce(p_claim_token::text, 'NULL'))
        );
    END IF;
    RETURN v_row;
END
$fn$;

COMMENT ON FUNCTION tips.lock_claimed_payout(uuid, uuid, tips.payout_status[], tips.payout_status) IS
'Locks a payout in one of p_from held by the given claim token and returns it, for the worker''s moves: CD005 '
'unknown id, CD001 in another state (from its state to p_to), CD007 reflect_payouts_claim_held when another claim '
'(or none) holds it.';

CREATE FUNCTION tips.create_payout(p_event_id varchar, p_currency varchar, p_amount numeric)
RETURNS SETOF tips.reflect_payouts
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    INSERT INTO tips.reflect_payouts AS p (event_id, currency, amount, created_at, updated_at, available_at)
    VALUES (p_event_id, p_currency, p_amount, common.now(), common.now(), common.now())
    RETURNING p.*
$fn$;

COMMENT ON FUNCTION tips.create_payout(varchar, varchar, numeric) IS
'A pending payout of a verified event (amount rounded to cents by numeric(18, 2)). CD007 '
'reflect_payouts_event_verified when the event is not verified, 23505 reflect_payouts_event_id_key when it has a '
'payout already, 23514 reflect_payouts_amount_check (negative), reflect_payouts_amount_finite_check (NaN), '
'reflect_payouts_currency_check.';

CREATE FUNCTION tips.claim_payouts(p_status tips.payout_status, p_max_rows integer, p_lease interval)
RETURNS SETOF tips.reflect_payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_token uuid := gen_random_uuid();
BEGIN
    PERFORM tips.check_argument('tips.reflect_payouts', 'status', p_status IN ('pending', 'queued'),
        'pending or queued', p_status::text);
    PERFORM tips.check_argument('tips.reflect_payouts', 'max_rows', p_max_rows BETWEEN 1 AND 1000, '1 to 1000',
        p_max_rows::text);
    PERFORM tips.check_argument('tips.reflect_payouts', 'lease', p_lease BETWEEN interval '1 second' AND
        interval '1 hour', '1 second to 1 hour', p_lease::text);
    RETURN QUERY
    WITH picked AS (
        SELECT p.id
        FROM tips.reflect_payouts AS p
        WHERE p.status = p_status AND p.available_at <= common.now()
        ORDER BY p.available_at, p.id
        LIMIT p_max_rows
        FOR UPDATE SKIP LOCKED
    )
    UPDATE tips.reflect_payouts AS p
    SET claim_token = v_token,
        available_at = common.now() + p_lease,
        attempt_count = p.attempt_count + CASE WHEN p_status = 'pending' THEN 1 ELSE 0 END
    FROM picked
    WHERE p.id = picked.id
    RETURNING p.*;
END
$fn$;

COMMENT ON FUNCTION tips.claim_payouts(tips.payout_status, integer, interval) IS
'Claims up to p_max_rows payouts in p_status (pending: to send, attempt_count + 1; queued: to ask Reflect) whose '
'available_at has come, oldest first, FOR UPDATE SKIP LOCKED: one new claim_token, available_at = now + p_lease. '
'22023 for another status, max_rows outside 1-1000 or a lease outside 1 second-1 hour.';

CREATE FUNCTION tips.queue_payout(p_id uuid, p_claim_token uuid, p_reflect_tip_id varchar)
RETURNS SETOF tips.reflect_payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM tips.lock_claimed_payout(p_id, p_claim_token, '{pending}', 'queued');
    RETURN QUERY
    UPDATE tips.reflect_payouts AS p
    SET status = 'queued', reflect_tip_id = p_reflect_tip_id, last_error = NULL
    WHERE p.id = p_id
    RETURNING p.*;
END
$fn$;

COMMENT ON FUNCTION tips.queue_payout(uuid, uuid, varchar) IS
'pending -> queued by the claim''s holder: Reflect accepted the payout under its id (reflect_tip_id, unique: 23505 '
'reflect_payouts_reflect_tip_id_key; required: 23514 reflect_payouts_reflect_tip_id_status_check). The claim stays '
'with the caller. CD005, CD001 not pending, CD007 reflect_payouts_claim_held.';

CREATE FUNCTION tips.settle_payout(p_id uuid, p_claim_token uuid)
RETURNS SETOF tips.reflect_payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM tips.lock_claimed_payout(p_id, p_claim_token, '{queued}', 'settled');
    RETURN QUERY
    UPDATE tips.reflect_payouts AS p
    SET status = 'settled', claim_token = NULL
    WHERE p.id = p_id
    RETURNING p.*;
END
$fn$;

COMMENT ON FUNCTION tips.settle_payout(uuid, uuid) IS
'queued -> settled by the claim''s holder (Reflect paid the host). CD005, CD001 not queued, CD007 '
'reflect_payouts_claim_held.';

CREATE FUNCTION tips.fail_payout(p_id uuid, p_claim_token uuid, p_error text)
RETURNS SETOF tips.reflect_payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM tips.lock_claimed_payout(p_id, p_claim_token, '{queued}', 'failed');
    RETURN QUERY
    UPDATE tips.reflect_payouts AS p
    SET status = 'failed', last_error = p_error, claim_token = NULL
    WHERE p.id = p_id
    RETURNING p.*;
END
$fn$;

COMMENT ON FUNCTION tips.fail_payout(uuid, uuid, text) IS
'queued -> failed by the claim''s holder, with Reflect''s error (required: 23514 reflect_payouts_last_error_check). '
'CD005, CD001 not queued, CD007 reflect_payouts_claim_held.';

CREATE FUNCTION tips.cancel_payout(p_id uuid, p_claim_token uuid, p_reason text)
RETURNS SETOF tips.reflect_payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row tips.reflect_payouts;
BEGIN
    IF p_claim_token IS NOT NULL THEN
        PERFORM tips.lock_claimed_payout(p_id, p_claim_token, '{pending, queued}', 'cancelled');
    ELSE
        SELECT p.* INTO v_row FROM tips.reflect_payouts AS p WHERE p.id = p_id FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM common.raise_not_found('tips.reflect_payouts', p_id::text);
        ELSIF v_row.status NOT IN ('pending', 'queued') THEN
            PERFORM common.raise_forbidden_transition('tips.reflect_payouts', 'status', v_row.status::text, 'cancelled');
        ELSIF v_row.status <> 'pending' OR v_row.attempt_count > 0 THEN
            PERFORM common.raise_precondition_failed(
                'tips.reflect_payouts', 'reflect_payouts_cancel_unsent',
                format('payout %s may be at Reflect already: only its worker cancels it', p_id),
                format('id=%s status=%s attempt_count=%s', p_id, v_row.status, v_row.attempt_count)
            );
        END IF;
    END IF;
    RETURN QUERY
    UPDATE tips.reflect_payouts AS p
    SET status = 'cancelled', last_error = p_reason, claim_token = NULL
    WHERE p.id = p_id
    RETURNING p.*;
END
$fn$;

COMMENT ON FUNCTION tips.cancel_payout(uuid, uuid, text) IS
'pending | queued -> cancelled with the reason in last_error (required: 23514 reflect_payouts_last_error_check). '
'With a claim token, by its holder (Reflect refused the request or reports the payout cancelled; attempts '
'exhausted). Without one (an operator), only a pending payout never sent: CD007 reflect_payouts_cancel_unsent '
'otherwise, since Reflect may hold it. CD005, CD001 settled, failed or cancelled, CD007 reflect_payouts_claim_held.';

CREATE FUNCTION tips.release_payout(p_id uuid, p_claim_token uuid, p_retry_in interval, p_error text)
RETURNS SETOF tips.reflect_payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row tips.reflect_payouts;
BEGIN
    PERFORM tips.check_argument('tips.reflect_payouts', 'retry_in', p_retry_in BETWEEN interval '0' AND
        interval '1 day', '0 to 1 day', p_retry_in::text);
    SELECT p.* INTO v_row FROM tips.reflect_payouts AS p WHERE p.id = p_id;
    PERFORM tips.lock_claimed_payout(p_id, p_claim_token, '{pending, queued}', coalesce(v_row.status, 'pending'));
    RETURN QUERY
    UPDATE tips.reflect_payouts AS p
    SET claim_token = NULL, available_at = common.now() + p_retry_in, last_error = coalesce(p_error, p.last_error)
    WHERE p.id = p_id
    RETURNING p.*;
END
$fn$;

COMMENT ON FUNCTION tips.release_payout(uuid, uuid, interval, text) IS
'Gives a claimed payout back in its state (a transient Reflect error, or still queued at Reflect): unclaimed, '
'claimable again after p_retry_in (0 to 1 day, else 22023), Reflect''s error recorded when given. CD005, CD001 '
'settled, failed or cancelled, CD007 reflect_payouts_claim_held.';

GRANT EXECUTE ON FUNCTION
tips.create_payout(varchar, varchar, numeric),
tips.claim_payouts(tips.payout_status, integer, interval),
tips.queue_payout(uuid, uuid, varchar),
tips.settle_payout(uuid, uuid),
tips.fail_payout(uuid, uuid, text),
tips.cancel_payout(uuid, uuid, text),
tips.release_payout(uuid, uuid, interval, text)
TO chaindb_app;
