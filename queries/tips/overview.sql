-- Overview queries for dashboards, live: they read tips.verified_tips, so only verified tips ever count.

-- name: overview_totals()
-- Per mint: verified tips, their amount, hosts and tippers, and the payout completion counts.
-- @not-null *
SELECT
    t.mint,
    count(*) AS verified_tips,
    sum(t.amount) AS verified_amount,
    count(DISTINCT t.host) AS hosts,
    count(DISTINCT t.signer) AS tippers,
    count(p.id) FILTER (WHERE p.status = 'settled') AS payouts_settled,
    count(p.id) FILTER (WHERE p.status IN ('pending', 'queued')) AS payouts_open,
    count(p.id) FILTER (WHERE p.status = 'failed') AS payouts_failed,
    count(p.id) FILTER (WHERE p.status = 'cancelled') AS payouts_cancelled
FROM tips.verified_tips AS t
LEFT JOIN tips.reflect_payouts AS p ON t.event_id = p.event_id
GROUP BY t.mint
ORDER BY t.mint;

-- name: overview_host(host)
-- One host, per mint: verified tips, their amount, tippers, and the payout completion counts with the settled sum.
-- @not-null *
SELECT
    t.mint,
    count(*) AS verified_tips,
    sum(t.amount) AS verified_amount,
    count(DISTINCT t.signer) AS tippers,
    count(p.id) FILTER (WHERE p.status = 'settled') AS payouts_settled,
    count(p.id) FILTER (WHERE p.status IN ('pending', 'queued')) AS payouts_open,
    count(p.id) FILTER (WHERE p.status = 'failed') AS payouts_failed,
    count(p.id) FILTER (WHERE p.status = 'cancelled') AS payouts_cancelled,
    coalesce(sum(p.amount) FILTER (WHERE p.status = 'settled'), 0) AS settled_amount
FROM tips.verified_tips AS t
LEFT JOIN tips.reflect_payouts AS p ON t.event_id = p.event_id
WHERE t.host = :host::varchar
GROUP BY t.mint
ORDER BY t.mint;

-- name: overview_recent_tips(host, max_rows)
-- A host's latest verified tips, newest first, with their payout's state and amount (None: no payout yet).
-- @not-null event_id, signer, amount, mint, signature, slot, received_at, verified_at
SELECT
    t.event_id,
    t.signer,
    t.amount,
    t.mint,
    t.signature,
    t.slot,
    t.received_at,
    t.verified_at,
    p.status AS payout_status,
    p.currency AS payout_currency,
    p.amount AS payout_amount
FROM tips.verified_tips AS t
LEFT JOIN tips.reflect_payouts AS p ON t.event_id = p.event_id
WHERE t.host = :host::varchar
ORDER BY t.received_at DESC, t.event_id DESC
LIMIT :max_rows::integer;

-- name: overview_session_tips(session_id)
-- The verified tips signed by a Dynamic session's custodial wallet, newest first (none before wallet_created).
-- @not-null *
SELECT t.*
FROM tips.dynamic_sessions AS s
INNER JOIN tips.verified_tips AS t ON s.custodial_wallet = t.signer
WHERE s.id = :session_id::uuid
ORDER BY t.received_at DESC, t.event_id DESC;
