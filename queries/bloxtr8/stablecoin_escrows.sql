-- USDC-on-Base details of USDC_BASE escrows.

-- name: stablecoin_escrow_get_by_escrow(escrow_id)^
-- The stablecoin details of an escrow (None for a STRIPE escrow).
SELECT s.* FROM bloxtr8.stablecoin_escrows AS s
WHERE s.escrow_id = :escrow_id::text;

-- name: stablecoin_escrow_get_by_deposit_addr(deposit_addr)^
-- The escrow details of a deposit address, in any case (addresses are stored lowercase): a deposit watcher's
-- look-up.
-- Read on the primary only (a deposit is credited once).
-- @primary
SELECT s.* FROM bloxtr8.stablecoin_escrows AS s
WHERE s.deposit_addr = lower(:deposit_addr::text);
