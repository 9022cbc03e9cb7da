-- Stripe details of STRIPE escrows.

-- name: stripe_escrow_get_by_escrow(escrow_id)^
-- The Stripe details of an escrow (None for a USDC_BASE escrow).
SELECT s.* FROM bloxtr8.stripe_escrows AS s
WHERE s.escrow_id = :escrow_id::text;

-- name: stripe_escrow_get_by_payment_intent(payment_intent_id)^
-- The Stripe details behind a PaymentIntent (a webhook's look-up).
-- Read on the primary only (a webhook's idempotency).
-- @primary
SELECT s.* FROM bloxtr8.stripe_escrows AS s
WHERE s.payment_intent_id = :payment_intent_id::text;
