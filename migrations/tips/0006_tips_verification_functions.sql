-- depends: 0005_tips_ingest
-- The verification worker's moves (chaindb.tips.worker), each one short transaction; SECURITY
-- DEFINER with a pinned search_path, SETOF the table, the row locked before it moves.
--   claim_verifications(max_rows, lease)   up to max_rows pending rows whose available_at has
--                    come, oldest first, FOR UPDATE SKIP LOCKED (concurrent workers take disjoint
--                    rows, nobody waits); each gets one new claim token, attempt_count + 1 and
--                    available_at = now + lease. The RPC call happens after this commits: the
--                    lease, not an open transaction, holds the claim, and a crashed worker's rows
--                    are claimable again when it ends.
--   verify_event(id, token, slot, answer)   pending -> verified, verified_at = now.
--   fail_verification(id, token, error_code, slot, answer)   pending -> failed.
--   release_verification(id, token, retry_in)   stays pending, unclaimed, claimable again after
--                    retry_in (an RPC error, a transaction not found yet).
-- Each of the last three needs the claim's token: a worker whose lease ran out and whose rows
-- another worker claimed cannot record anything (CD007 event_verifications_claim_held), so two
-- workers never decide the same tip. CD005 unknown id, CD001 already decided.
-- Arguments out of range (max_rows 1-1000, lease 1 s-1 h, retry_in 0-1 day) raise 22023
-- (tips.check_argument, also used by the payout functions of 0008).

CREATE FUNCTION tips.check_argument(p_table regclass, p_name text, p_ok boolean, p_range text, p_value text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF p_ok IS NOT TRUE THEN
        RAISE EXCEPTION '%: % must be %, not %', (common.relation_name(p_table)).table_name, p_name, p_range,
            coalesce(p_value, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$fn$;

COMMENT ON FUNCTION tips.check_argument(regclass, text, boolean, text, text) IS
'Raises 22023 (invalid_parameter_value) ''<table>: <name> must be <range>, not <value>'' unless p_ok is true (NULL '
'is not): the range checks of the claim and release functions.';

CREATE FUNCTION tips.lock_claimed_verification(p_id uuid, p_claim_token uuid, p_to tips.verification_status)
RETURNS tips.event_verifications
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row tips.event_verifications;
BEGIN
    SELECT v.* INTO v_row FROM tips.event_verifications AS v WHERE v.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('tips.event_verifications', p_id::text);
    ELSIF v_row.status <> 'pending' THEN
        PERFORM common.raise_forbidden_transition('tips.event_verifications', 'status', v_row.status::text, p_to::text);
    ELSIF v_row.claim_token IS DISTINCT FROM p_claim_token OR p_claim_token IS NULL THEN
        PERFORM common.raise_precondition_failed(
            'tips.event_verifications', 'event_verifications_claim_held',
            format('verification %s is not held by claim %s', p_id, coalesce(p_claim_token::text, 'NULL')),
            format('id=%s claim_token=%s', p_id, coalesce(p_claim_token::text, 'NULL'))
        );
    END IF;
    RETURN v_row;
END
$fn$;

COMMENT ON FUNCTION tips.lock_claimed_verification(uuid, uuid, tips.verification_status) IS
'Locks a pending verification held by the given claim token and returns it, for the worker''s moves: CD005 '
'unknown id, CD001 already decided (from its state to p_to), CD007 event_verifications_claim_held when another '
'claim (or none) holds it.';

CREATE FUNCTION tips.claim_verifications(p_max_rows integer, p_lease interval)
RETURNS SETOF tips.event_verifications
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_token uuid := gen_random_uuid();
BEGIN
    PERFORM tips.check_argument('tips.event_verifications', 'max_rows', p_max_rows BETWEEN 1 AND 1000, '1 to 1000',
        p_max_rows::text);
    PERFORM tips.check_argument('tips.event_verifications', 'lease', p_lease BETWEEN interval '1 second' AND
        interval '1 hour', '1 second to 1 hour', p_lease::text);
    RETURN QUERY
    WITH picked AS (
        SELECT v.id
        FROM tips.event_verifications AS v
        WHERE v.status = 'pending' AND v.available_at <= common.now()
        ORDER BY v.available_at, v.id
        LIMIT p_max_rows
        FOR UPDATE SKIP LOCKED
    )
    UPDATE tips.event_verifications AS v
    SET claim_token = v_token, available_at = common.now() + p_lease, attempt_count = v.attempt_count + 1
    FROM picked
    WHERE v.id = picked.id
    RETURNING v.*;
END
$fn$;

COMMENT ON FUNCTION tips.claim_verifications(integer, interval) IS
'Claims up to p_max_rows pending verifications whose available_at has come (oldest first; FOR UPDATE SKIP LOCKED: '
'concurrent workers get disjoint rows): one new claim_token for all, attempt_count + 1, available_at = now + '
'p_lease (when a crashed worker''s rows come back). Returns the claimed rows. 22023 for max_rows outside 1-1000 '
'or a lease outside 1 second-1 hour.';

CREATE FUNCTION tips.verify_event(p_id uuid, p_claim_token uuid, p_slot bigint, p_helius_response jsonb)
RETURNS SETOF tips.event_verifications
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM tips.lock_claimed_verification(p_id, p_claim_token, 'verified');
    RETURN QUERY
    UPDATE tips.event_verifications AS v
    SET status = 'verified', slot = p_slot, helius_response = p_helius_response, verified_at = common.now(),
        claim_token = NULL
    WHERE v.id = p_id
    RETURNING v.*;
END
$fn$;

COMMENT ON FUNCTION tips.verify_event(uuid, uuid, bigint, jsonb) IS
'pending -> verified by the claim''s holder: the slot, the answer''s subset (its slot must be p_slot) and '
'verified_at = now. CD005 unknown, CD001 decided already, CD007 event_verifications_claim_held; 23514 '
'event_verifications_slot_status_check (no slot), event_verifications_helius_response_slot_check.';

CREATE FUNCTION tips.fail_verification(
    p_id uuid, p_claim_token uuid, p_error_code varchar, p_slot bigint, p_helius_response jsonb
)
RETURNS SETOF tips.event_verifications
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM tips.lock_claimed_verification(p_id, p_claim_token, 'failed');
    RETURN QUERY
    UPDATE tips.event_verifications AS v
    SET status = 'failed', error_code = p_error_code, slot = p_slot, helius_response = p_helius_response,
        claim_token = NULL
    WHERE v.id = p_id
    RETURNING v.*;
END
$fn$;

COMMENT ON FUNCTION tips.fail_verification(uuid, uuid, varchar, bigint, jsonb) IS
'pending -> failed by the claim''s holder, with the error code, the slot when the transaction was found (else '
'NULL) and the answer''s subset. No payout can ever be created for it. CD005, CD001, CD007 as verify_event; 23514 '
'event_verifications_error_code_check (no code), event_verifications_error_code_format_check.';

CREATE FUNCTION tips.release_verification(p_id uuid, p_claim_token uuid, p_retry_in interval)
RETURNS SETOF tips.event_verifications
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM tips.check_argument('tips.event_verifications', 'retry_in', p_retry_in BETWEEN interval '0' AND
        interval '1 day', '0 to 1 day', p_retry_in::text);
    PERFORM tips.lock_claimed_verification(p_id, p_claim_token, 'pending');
    RETURN QUERY
    UPDATE tips.event_verifications AS v
    SET claim_token = NULL, available_at = common.now() + p_retry_in
    WHERE v.id = p_id
    RETURNING v.*;
END
$fn$;

COMMENT ON FUNCTION tips.release_verification(uuid, uuid, interval) IS
'Gives a claimed verification back undecided (an RPC error, a transaction not found yet): still pending, '
'unclaimed, claimable again after p_retry_in (0 to 1 day, else 22023). CD005, CD001 (decided: from its state to '
'pending), CD007 event_verifications_claim_held.';

GRANT EXECUTE ON FUNCTION
tips.claim_verifications(integer, interval),
tips.verify_event(uuid, uuid, bigint, jsonb),
tips.fail_verification(uuid, uuid, varchar, bigint, jsonb),
tips.release_verification(uuid, uuid, interval)
TO chaindb_app;
