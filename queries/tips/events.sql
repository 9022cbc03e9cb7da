-- Tip events: ingest a webhook's tip (with its pending verification, idempotently), read one.

-- name: event_ingest(event_id, host, signer, amount, mint, signature)^
-- Stores a webhook's tip and its pending verification in one transaction and returns the verification
-- (tips.ingest_tip). A replay of the same event id with the same tip returns the existing verification, whatever
-- its state, and changes nothing; with another tip, CD002. 23503 events_host_fkey for an unknown host, 23505
-- events_signature_key for a transaction ingested under another id.
-- @one
SELECT v.*
FROM tips.ingest_tip(
    :event_id::varchar,
    :host::varchar,
    :signer::varchar,
    :amount::bigint,
    :mint::varchar,
    :signature::varchar
) AS v;

-- name: event_get(id)^
-- One event by its webhook id; None when there is none.
-- Was this webhook delivery stored? An idempotency check: read on the primary only.
-- @primary
SELECT e.* FROM tips.events AS e
WHERE e.id = :id::varchar;
