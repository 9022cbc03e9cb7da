-- Milestones: parts of an escrow's amount, released one by one while its funds are held.

-- name: escrow_milestone_add(escrow_id, title, amount)^
-- Plans a milestone of an AWAIT_FUNDS or FUNDS_HELD escrow (bloxtr8.add_escrow_milestone); milestones never add
-- up to more than the escrow. CD005, CD007 milestone_escrows_escrow_open / milestone_escrows_within_amount.
-- @one
SELECT m.* FROM bloxtr8.add_escrow_milestone(:escrow_id::text, :title::text, :amount::integer) AS m;

-- name: escrow_milestone_release(id)^
-- Releases a milestone to the seller, once, while the escrow's funds are held
-- (bloxtr8.release_escrow_milestone). CD005, CD007 milestone_escrows_unreleased / milestone_escrows_funds_held /
-- users_wallet_sanctioned.
-- @one
SELECT m.* FROM bloxtr8.release_escrow_milestone(:id::text) AS m;

-- name: escrow_milestone_list(escrow_id)
-- An escrow's milestones, in the order they were planned.
SELECT m.* FROM bloxtr8.milestone_escrows AS m
WHERE m.escrow_id = :escrow_id::text
ORDER BY m.created_at, m.id;
