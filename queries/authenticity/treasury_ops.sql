-- Treasury operations: the append-only log of PYUSD -> SOL refills.

-- name: treasury_op_record_refill_swap(pyusd_in, sol_out_lamports, jupiter_route, tx_signature)<!
-- Record a REFILL_SWAP: PYUSD spent (base units), lamports received, the Jupiter route (a JSON object), the swap transaction.
INSERT INTO authenticity.treasury_ops AS t (type, pyusd_in, sol_out_lamports, jupiter_route, tx_signature)
VALUES ('REFILL_SWAP', :pyusd_in::bigint, :sol_out_lamports::bigint, :jupiter_route::jsonb, :tx_signature::text)
RETURNING t.*;

-- name: treasury_op_get_by_tx_signature(tx_signature)^
-- One operation by its transaction signature (was this swap recorded?): read on the primary only.
-- @primary
SELECT t.*
FROM authenticity.treasury_ops AS t
WHERE t.tx_signature = :tx_signature::text;

-- name: treasury_op_list_recent(max_rows)
-- The latest operations, newest first.
SELECT t.*
FROM authenticity.treasury_ops AS t
ORDER BY t.created_at DESC, t.id ASC
LIMIT :max_rows::integer;

-- name: treasury_op_totals(since)^
-- PYUSD spent and lamports bought since an instant (NULL: ever), and how many swaps.
-- @nullable-param since
-- @one
-- @not-null operations, pyusd_in, sol_out_lamports
SELECT
    count(*) AS operations,
    coalesce(sum(t.pyusd_in), 0)::bigint AS pyusd_in,
    coalesce(sum(t.sol_out_lamports), 0)::bigint AS sol_out_lamports
FROM authenticity.treasury_ops AS t
WHERE :since::timestamptz IS NULL OR t.created_at >= :since::timestamptz;
