-- A developer's sales and balance, from the ledger and the payouts.

-- name: developer_sales_list(developer_user_id, max_rows)
-- A developer's sales (paid or refunded purchases of their games), newest first: the amount, its split, the payout's
-- status. Every sale has exactly one payout, created with it, so the list walks the developer's payouts by an index.
-- @not-null paid_at, platform_fee_msat
SELECT
    p.id AS purchase_id,
    g.id AS game_id,
    g.slug,
    g.title,
    p.status,
    p.amount_msat,
    p.paid_at,
    f.amount_msat AS platform_fee_msat,
    po.amount_msat AS developer_share_msat,
    po.status AS payout_status
FROM game_market.payouts AS po
INNER JOIN game_market.purchases AS p ON po.purchase_id = p.id
INNER JOIN game_market.games AS g ON p.game_id = g.id
LEFT JOIN game_market.ledger_entries AS f ON po.purchase_id = f.purchase_id AND f.type = 'platform_fee'
WHERE po.developer_user_id = :developer_user_id::uuid
ORDER BY po.created_at DESC, po.id ASC
LIMIT :max_rows::integer;

-- name: developer_balance_get(developer_user_id)^
-- A developer's totals in millisatoshis: sales and refunds, the platform's fees and the developer's earnings net of
-- refunds, what payouts completed and what they still carry (pending, sending, failed), and the balance: earnings
-- minus completed payouts (what the store owes the developer; negative when a refund came after the payout).
-- @one
-- @not-null *
WITH ledger AS (
    SELECT
        count(*) FILTER (WHERE e.type = 'sale') AS sales_count,
        count(*) FILTER (WHERE e.type = 'refund') AS refund_count,
        coalesce(sum(e.amount_msat) FILTER (WHERE e.type = 'sale'), 0) AS gross_msat,
        coalesce(sum(e.amount_msat) FILTER (WHERE e.type = 'refund'), 0) AS refunded_msat,
        coalesce(sum(e.amount_msat) FILTER (WHERE e.type = 'platform_fee'), 0)
        - coalesce(sum(e.amount_msat) FILTER (WHERE e.type = 'platform_fee_refund'), 0) AS platform_fee_msat,
        coalesce(sum(e.amount_msat) FILTER (WHERE e.type = 'developer_share'), 0)
        - coalesce(sum(e.amount_msat) FILTER (WHERE e.type = 'developer_share_refund'), 0) AS earned_msat
    FROM game_market.games AS g
    INNER JOIN game_market.purchases AS p ON g.id = p.game_id
    INNER JOIN game_market.ledger_entries AS e ON p.id = e.purchase_id
    WHERE g.developer_user_id = :developer_user_id::uuid
),

payouts AS (
    SELECT
        coalesce(sum(po.amount_msat) FILTER (WHERE po.status = 'completed'), 0) AS paid_out_msat,
        coalesce(sum(po.amount_msat) FILTER (WHERE po.status IN ('pending', 'sending', 'failed')), 0)
        AS payout_open_msat
    FROM game_market.payouts AS po
    WHERE po.developer_user_id = :developer_user_id::uuid
)

SELECT
    l.sales_count,
    l.refund_count,
    l.gross_msat::bigint AS gross_msat,
    l.refunded_msat::bigint AS refunded_msat,
    l.platform_fee_msat::bigint AS platform_fee_msat,
    l.earned_msat::bigint AS earned_msat,
    po.paid_out_msat::bigint AS paid_out_msat,
    po.payout_open_msat::bigint AS payout_open_msat,
    (l.earned_msat - po.paid_out_msat)::bigint AS balance_msat
FROM ledger AS l
CROSS JOIN payouts AS po;
