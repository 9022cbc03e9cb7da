-- Disputes: read-only here (opened by escrow_dispute, resolved by escrow_refund or escrow_release).

-- name: dispute_get_by_escrow(escrow_id)^
-- The dispute of an escrow, if it was disputed.
SELECT d.* FROM bloxtr8.disputes AS d
WHERE d.escrow_id = :escrow_id::text;
