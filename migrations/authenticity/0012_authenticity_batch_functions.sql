-- depends: 0011_authenticity_treasury_ops
-- Batch lifecycle functions (SECURITY DEFINER: the app role has no UPDATE on batches).
-- Each locks the batch, refuses a move to the state it is already in (CD001), and lets the
-- state machine trigger judge the move (CD001, CD007); a missing batch is CD005.
--   activate_batch(id, tx_signature, now)  CREATED -> ACTIVE, sets activated_at (the injectable
--                                          clock: p_now, default now()) and the signature; a
--                                          batch activated before is resumed, not re-activated
--                                          (CD007 batches_activated_once)
--   pause_batch(id)   ACTIVE -> PAUSED
--   resume_batch(id)  PAUSED -> ACTIVE
--   close_batch(id)   CREATED | ACTIVE | PAUSED -> CLOSED

CREATE FUNCTION authenticity.activate_batch(
    p_batch_id uuid, p_tx_signature text, p_now timestamptz DEFAULT NULL
)
RETURNS authenticity.batches
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    current_status authenticity.batch_status;
    result authenticity.batches;
BEGIN
    SELECT b.status INTO current_status FROM authenticity.batches AS b WHERE b.id = p_batch_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM authenticity.raise_not_found('batches', p_batch_id::text);
    ELSIF current_status IN ('ACTIVE', 'PAUSED') THEN
        RAISE EXCEPTION 'batches: batch % was activated already (it is %)', p_batch_id, current_status
            USING ERRCODE = 'CD007', CONSTRAINT = 'batches_activated_once', TABLE = 'batches',
                  SCHEMA = 'authenticity', DETAIL = format('from=%s to=ACTIVE', current_status);
    END IF;
    UPDATE authenticity.batches AS b
    SET status = 'ACTIVE', activated_at = coalesce(p_now, now()), activated_tx_signature = p_tx_signature
    WHERE b.id = p_batch_id
    RETURNING b.* INTO result;
    RETURN result;
END
$fn$;

COMMENT ON FUNCTION authenticity.activate_batch(uuid, text, timestamptz) IS
'CREATED -> ACTIVE with activated_at = coalesce(p_now, now()) and the activation transaction''s signature. '
'CD005 missing, CD007 already activated (use resume_batch), CD001 from CLOSED, 23514 bad signature.';

CREATE FUNCTION authenticity.pause_batch(p_batch_id uuid)
RETURNS authenticity.batches
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    current_status authenticity.batch_status;
    result authenticity.batches;
BEGIN
    SELECT b.status INTO current_status FROM authenticity.batches AS b WHERE b.id = p_batch_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM authenticity.raise_not_found('batches', p_batch_id::text);
    ELSIF current_status = 'PAUSED' THEN
        PERFORM common.forbid_transition('batches', current_status::text, 'PAUSED');
    END IF;
    UPDATE authenticity.batches AS b SET status = 'PAUSED' WHERE b.id = p_batch_id RETURNING b.* INTO result;
    RETURN result;
END
$fn$;

COMMENT ON FUNCTION authenticity.pause_batch(uuid) IS
'ACTIVE -> PAUSED: the batch stops verifying codes. CD005 missing, CD001 from any other state.';

CREATE FUNCTION authenticity.resume_batch(p_batch_id uuid)
RETURNS authenticity.batches
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    current_status authenticity.batch_status;
    result authenticity.batches;
BEGIN
    SELECT b.status INTO current_status FROM authenticity.batches AS b WHERE b.id = p_batch_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM authenticity.raise_not_found('batches', p_batch_id::text);
    ELSIF current_status <> 'PAUSED' THEN
        -- CREATED -> ACTIVE is an activation (it needs the transaction signature), not a resume.
        PERFORM common.forbid_transition('batches', current_status::text, 'ACTIVE');
    END IF;
    UPDATE authenticity.batches AS b SET status = 'ACTIVE' WHERE b.id = p_batch_id RETURNING b.* INTO result;
    RETURN result;
END
$fn$;

COMMENT ON FUNCTION authenticity.resume_batch(uuid) IS
'PAUSED -> ACTIVE. CD005 missing, CD001 from any other state (CREATED is activated with activate_batch), '
'CD007 when the manufacturer is suspended.';

CREATE FUNCTION authenticity.close_batch(p_batch_id uuid)
RETURNS authenticity.batches
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    current_status authenticity.batch_status;
    result authenticity.batches;
BEGIN
    SELECT b.status INTO current_status FROM authenticity.batches AS b WHERE b.id = p_batch_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM authenticity.raise_not_found('batches', p_batch_id::text);
    ELSIF current_status = 'CLOSED' THEN
        PERFORM common.forbid_transition('batches', current_status::text, 'CLOSED');
    END IF;
    UPDATE authenticity.batches AS b SET status = 'CLOSED' WHERE b.id = p_batch_id RETURNING b.* INTO result;
    RETURN result;
END
$fn$;

COMMENT ON FUNCTION authenticity.close_batch(uuid) IS
'CREATED | ACTIVE | PAUSED -> CLOSED (terminal). CD005 missing, CD001 when already CLOSED.';
