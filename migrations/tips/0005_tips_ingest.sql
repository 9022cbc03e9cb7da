-- depends: 0004_tips_event_verifications
-- Ingest: a webhook's tip is stored with its pending verification in one transaction, or not at
-- all, and a replayed webhook changes nothing.
--   tips.ingest_tip(...)  inserts the event and its pending verification; the same event id again
--                         with the same tip returns the existing verification, whatever its state
--                         (idempotent: 64 concurrent deliveries make one event and one
--                         verification); with another tip, CD002 naming the fields that differ.
--                         The only writer of events (SECURITY DEFINER; the app has no INSERT).
--   events_verification_required  a deferred constraint trigger: at commit, every new event has
--                         its verification, whoever inserted it (CD007), so "a tip is never
--                         stored without its pending verification" binds the owner too.

CREATE FUNCTION tips.tg_events__verification_required()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT EXISTS (SELECT FROM tips.event_verifications AS v WHERE v.event_id = NEW.id) THEN
        PERFORM common.raise_precondition_failed(
            'tips.events', 'events_verification_required',
            format('event %s was stored without its verification', NEW.id), format('event_id=%s', NEW.id)
        );
    END IF;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION tips.tg_events__verification_required() IS
'Deferred AFTER INSERT constraint trigger of events: at commit the event has its verification, else CD007 '
'events_verification_required (the webhook may not store a tip without a pending verification).';

CREATE CONSTRAINT TRIGGER events_verification_required
AFTER INSERT ON tips.events
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION tips.tg_events__verification_required();

COMMENT ON TRIGGER events_verification_required ON tips.events IS
'At commit, every new event has its verification row (CD007 events_verification_required otherwise).';

CREATE FUNCTION tips.ingest_tip(
    p_event_id varchar,
    p_host varchar,
    p_signer varchar,
    p_amount bigint,
    p_mint varchar,
    p_signature varchar
)
RETURNS SETOF tips.event_verifications
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_event tips.events;
    v_row tips.event_verifications;
    v_diff text[];
BEGIN
    LOOP
        -- One statement: the event and its verification, whose foreign key and the events'
        -- verification_required trigger are checked at its end (even with SET CONSTRAINTS IMMEDIATE).
        -- DO NOTHING on any unique conflict, not only the id's: concurrent deliveries of one webhook
        -- also collide on events_signature_key, which an arbiter on (id) alone would raise.
        WITH inserted AS (
            INSERT INTO tips.events AS e (id, host, signer, amount, mint, signature, created_at)
            VALUES (p_event_id, p_host, p_signer, p_amount, p_mint, p_signature, common.now())
            ON CONFLICT DO NOTHING
            RETURNING e.id, e.signature, e.created_at
        )
        INSERT INTO tips.event_verifications AS v (event_id, signature, created_at, available_at)
        SELECT i.id, i.signature, i.created_at, i.created_at FROM inserted AS i
        RETURNING v.* INTO v_row;
        IF FOUND THEN
            RETURN NEXT v_row;
            RETURN;
        END IF;
        -- A committed event holds the id or the signature (ON CONFLICT waited for its transaction,
        -- which also committed its verification); this statement's snapshot sees it. Events are
        -- never deleted, so one more turn is only for an insert that rolled back meanwhile.
        SELECT e.* INTO v_event FROM tips.events AS e WHERE e.id = p_event_id;
        EXIT WHEN FOUND;
        IF EXISTS (SELECT FROM tips.events AS e WHERE e.signature = p_signature) THEN
            RAISE EXCEPTION 'events: transaction % was ingested under another event id', p_signature
                USING ERRCODE = 'unique_violation',
                      DETAIL = format('Key (signature)=(%s) already exists.', p_signature),
                      CONSTRAINT = 'events_signature_key',
                      SCHEMA = 'tips',
                      TABLE = 'events';
        END IF;
    END LOOP;

    v_diff := array_remove(ARRAY[
        CASE WHEN v_event.host IS DISTINCT FROM p_host THEN 'host' END,
        CASE WHEN v_event.signer IS DISTINCT FROM p_signer THEN 'signer' END,
        CASE WHEN v_event.amount IS DISTINCT FROM p_amount THEN 'amount' END,
        CASE WHEN v_event.mint IS DISTINCT FROM p_mint THEN 'mint' END,
        CASE WHEN v_event.signature IS DISTINCT FROM p_signature THEN 'signature' END
    ], NULL);
    IF cardinality(v_diff) > 0 THEN
        RAISE EXCEPTION 'events: event % was ingested with another tip', p_event_id
            USING ERRCODE = 'CD002',
                  DETAIL = format('event_id=%s differs in: %s', p_event_id, array_to_string(v_diff, ', ')),
                  HINT = 'A new tip needs a new event id.',
                  CONSTRAINT = 'events_pkey',
                  SCHEMA = 'tips',
                  TABLE = 'events';
    END IF;
    RETURN QUERY SELECT v.* FROM tips.event_verifications AS v WHERE v.event_id = p_event_id;
END
$fn$;

COMMENT ON FUNCTION tips.ingest_tip(varchar, varchar, varchar, bigint, varchar, varchar) IS
'Stores a webhook''s tip (events) and its pending verification in one transaction, and returns the verification. '
'Idempotent on the event id: the same tip again returns the existing verification (whatever its state) and '
'changes nothing; another tip under the same id raises CD002 (DETAIL: the fields that differ). 23503 '
'events_host_fkey for an unknown host, 23505 events_signature_key for a transaction already ingested under '
'another id, 23514 for malformed keys, signature or amount.';

GRANT EXECUTE ON FUNCTION tips.ingest_tip(varchar, varchar, varchar, bigint, varchar, varchar) TO chaindb_app;
