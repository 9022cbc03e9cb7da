-- depends: 0010_game_market_catalog_functions
-- The payout functions, called by queries/game_market/payouts.sql (and create_payout by
-- settle_invoice, 0012). Conventions as in 0010_game_market_catalog_functions.
--
--   create_payout    the payout of a paid purchase, once (settle_invoice writes it with the same
--                    values, in the settlement's statement): the game's developer, the profile's
--                    payout address, the purchase's developer_share entry, the idempotency key
--                    'game_market:payout:<purchase id>'. The purchase's payout when it has one
--                    (whatever its status); CD007 payouts_purchase_paid when the purchase is not
--                    paid. Race-safe: INSERT ... ON CONFLICT DO NOTHING, then the winner's row.
--   claim_payouts    up to max_rows payouts for a worker, oldest update first, each moved to
--                    sending with attempt_count + 1, FOR UPDATE SKIP LOCKED (concurrent workers
--                    never get the same payout, nor wait for each other): pending ones; failed
--                    ones whose backoff has passed (2^(attempt_count - 1) minutes, at most an
--                    hour, since the failure); sending ones whose lease ran out (10 minutes since
--                    the claim: the worker is presumed gone; the idempotency key makes the
--                    repeated attempt safe).
--   complete_payout  sending -> completed (a completed payout is returned unchanged; CD001 from
--                    pending, failed or cancelled).
--   fail_payout      sending -> failed with the error, for the attempt the worker claimed
--                    (attempt_count as claim_payouts returned it): a worker whose payout was
--                    claimed again since gets CD007 payouts_attempt_current and changes nothing.
--                    When the purchase was refunded while the attempt was in flight, the payout is
--                    cancelled instead (nothing is left to pay; it is not retried); the purchase is
--                    locked FOR SHARE before the payout (refund_purchase's order), so a refund in
--                    flight is waited for. A failed or cancelled payout is returned unchanged.

CREATE FUNCTION game_market.create_payout(p_purchase_id uuid)
RETURNS SETOF game_market.payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row game_market.payouts;
    v_source record;
BEGIN
    SELECT po.* INTO v_row FROM game_market.payouts AS po WHERE po.purchase_id = p_purchase_id;
    IF FOUND THEN
        RETURN NEXT v_row;
        RETURN;
    END IF;
    SELECT p.status, g.developer_user_id, d.payout_ln_address, e.amount_msat AS developer_share INTO v_source
    FROM game_market.purchases AS p
    INNER JOIN game_market.games AS g ON g.id = p.game_id
    INNER JOIN game_market.developer_profiles AS d ON d.user_id = g.developer_user_id
    LEFT JOIN game_market.ledger_entries AS e ON e.purchase_id = p.id AND e.type = 'developer_share'
    WHERE p.id = p_purchase_id
    FOR SHARE OF p;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('game_market.purchases', p_purchase_id::text);
    ELSIF v_source.status <> 'paid' THEN
        PERFORM common.raise_precondition_failed(
            'game_market.payouts', 'payouts_purchase_paid', 'a payout is created only for a paid purchase',
            format('purchase_id=%s status=%s', p_purchase_id, v_source.status)
        );
    END IF;
    INSERT INTO game_market.payouts AS po (
        purchase_id, developer_user_id, destination_ln_address, amount_msat, idempotency_key
    )
    VALUES (
        p_purchase_id, v_source.developer_user_id, v_source.payout_ln_address, v_source.developer_share,
        'game_market:payout:' || p_purchase_id
    )
    ON CONFLICT ON CONSTRAINT payouts_purchase_id_key DO NOTHING
    RETURNING po.* INTO v_row;
    IF NOT FOUND THEN
        SELECT po.* INTO v_row FROM game_market.payouts AS po WHERE po.purchase_id = p_purchase_id;
    END IF;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION game_market.create_payout(uuid) IS
'The payout of a paid purchase, created once (settle_invoice writes the same in the settlement): developer, '
'destination (the profile''s payout_ln_address), amount (the developer_share entry) and idempotency key copied at '
'creation. Returns the existing payout when there is one. CD005 unknown purchase, CD007 payouts_purchase_paid when '
'not paid.';

CREATE FUNCTION game_market.claim_payouts(p_max_rows integer)
RETURNS SETOF game_market.payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF p_max_rows IS NULL OR p_max_rows NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'payouts: max_rows must be 1 to 1000, not %', coalesce(p_max_rows::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'game_market', TABLE = 'payouts';
    END IF;
    RETURN QUERY
    WITH due AS (
        SELECT po.id
        FROM game_market.payouts AS po
        WHERE
            po.status IN ('pending', 'sending', 'failed')
            AND CASE po.status
                WHEN 'pending' THEN true
                WHEN 'sending' THEN po.updated_at <= common.now() - interval '10 minutes'
                ELSE po.updated_at <= common.now() - least(
                    interval '1 minute' * power(2, least(po.attempt_count, 7) - 1), interval '1 hour'
                )
            END
        ORDER BY po.updated_at, po.id
        LIMIT p_max_rows
        FOR UPDATE SKIP LOCKED
    )
    UPDATE game_market.payouts AS po
    SET status = 'sending', attempt_count = po.attempt_count + 1
    FROM due
    WHERE po.id = due.id
    RETURNING po.*;
END
$fn$;

COMMENT ON FUNCTION game_market.claim_payouts(integer) IS
'Claims up to p_max_rows (1 to 1000, else 22023) payouts for a worker, oldest update first, FOR UPDATE SKIP LOCKED: '
'pending ones, failed ones after their backoff (2^(attempt_count - 1) minutes, at most 1 hour), sending ones whose '
'10-minute lease ran out. Each becomes sending with attempt_count + 1. Returns the claimed payouts (maybe none).';

CREATE FUNCTION game_market.complete_payout(p_id uuid)
RETURNS SETOF game_market.payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row game_market.payouts;
BEGIN
    SELECT po.* INTO v_row FROM game_market.payouts AS po WHERE po.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('game_market.payouts', p_id::text);
    ELSIF v_row.status <> 'completed' THEN
        -- the declared state machine refuses any other move than sending -> completed (CD001)
        UPDATE game_market.payouts AS po SET status = 'completed' WHERE po.id = p_id RETURNING po.* INTO v_row;
    END IF;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION game_market.complete_payout(uuid) IS
'sending -> completed: the Lightning payment went through (whichever attempt: they share the idempotency key). '
'A completed payout is returned unchanged. CD005 unknown payout, CD001 from pending, failed or cancelled.';

CREATE FUNCTION game_market.fail_payout(p_id uuid, p_attempt_count integer, p_error text)
RETURNS SETOF game_market.payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row game_market.payouts;
    v_purchase_status game_market.purchase_status;
BEGIN
    -- the purchase first, FOR SHARE, as refund_purchase locks it before the payout: a refund in flight
    -- commits before its status is read here (else the attempt would be failed, and retried, after the refund)
    SELECT p.status INTO v_purchase_status
    FROM game_market.purchases AS p
    WHERE p.id = (SELECT po.purchase_id FROM game_market.payouts AS po WHERE po.id = p_id)
    FOR SHARE;
    SELECT po.* INTO v_row FROM game_market.payouts AS po WHERE po.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('game_market.payouts', p_id::text);
    ELSIF v_row.attempt_count IS DISTINCT FROM p_attempt_count THEN
        PERFORM common.raise_precondition_failed(
            'game_market.payouts', 'payouts_attempt_current',
            format('attempt %s is not the payout''s current attempt', coalesce(p_attempt_count::text, 'NULL')),
            format('payout_id=%s attempt_count=%s current=%s', p_id, p_attempt_count, v_row.attempt_count)
        );
    ELSIF v_row.status NOT IN ('failed', 'cancelled') THEN
        -- the declared state machine refuses any other move than from sending (CD001); a refunded purchase's
        -- attempt that failed leaves nothing to pay: cancelled, not retried
        UPDATE game_market.payouts AS po
        SET
            status = CASE
                WHEN v_purchase_status = 'refunded' THEN 'cancelled'
                ELSE 'failed'
            END::game_market.payout_status,
            last_error = left(p_error, 2000)
        WHERE po.id = p_id
        RETURNING po.* INTO v_row;
    END IF;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION game_market.fail_payout(uuid, integer, text) IS
'sending -> failed with the error (its first 2000 characters; 23514 payouts_last_error_check when empty), or '
'sending -> cancelled when the purchase was refunded meanwhile (nothing left to pay), for the attempt the worker '
'claimed: CD007 payouts_attempt_current when the payout was claimed again since. A failed or cancelled payout is '
'returned unchanged. CD005 unknown payout, CD001 from pending or completed.';

GRANT EXECUTE ON FUNCTION
game_market.create_payout(uuid),
game_market.claim_payouts(integer),
game_market.complete_payout(uuid),
game_market.fail_payout(uuid, integer, text)
TO chaindb_app;
