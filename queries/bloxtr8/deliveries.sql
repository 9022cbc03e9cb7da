-- Deliveries: read-only here (the escrow functions move them with their escrow).

-- name: delivery_get_by_escrow(escrow_id)^
-- The delivery of an escrow (from the moment its funds are held).
SELECT d.* FROM bloxtr8.deliveries AS d
WHERE d.escrow_id = :escrow_id::text;
