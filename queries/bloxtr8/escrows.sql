-- Escrows: open on the rail the amount calls for, fund, deliver, release, dispute, refund, cancel; read.

-- name: escrow_create(contract_id, payment_intent_id, deposit_addr)^
-- Opens the escrow of an EXECUTED contract with its rail's detail row (bloxtr8.create_escrow): STRIPE (<= $10k)
-- takes payment_intent_id, USDC_BASE deposit_addr. CD005, CD007 escrows_contract_executed / escrows_rail_detail /
-- users_wallet_sanctioned, 23505 escrows_contract_id_key / stablecoin_escrows_deposit_addr_key.
-- @nullable-param payment_intent_id, deposit_addr
-- @one
SELECT e.* FROM bloxtr8.create_escrow(:contract_id::text, :payment_intent_id::text, :deposit_addr::text) AS e;

-- name: escrow_fund(id, deposit_tx)^
-- The buyer's funds arrived: AWAIT_FUNDS -> FUNDS_HELD (USDC_BASE: with its deposit transaction), the delivery
-- PENDING (bloxtr8.fund_escrow). CD005, CD001, CD007 escrows_rail_detail / users_wallet_sanctioned.
-- @nullable-param deposit_tx
-- @one
SELECT e.* FROM bloxtr8.fund_escrow(:id::text, :deposit_tx::text) AS e;

-- name: escrow_deliver(id, user_id, notes)^
-- The seller delivered: FUNDS_HELD -> DELIVERED, the delivery DELIVERED (bloxtr8.deliver_escrow). CD005, CD001,
-- CD007 escrows_party.
-- @nullable-param notes
-- @one
SELECT e.* FROM bloxtr8.deliver_escrow(:id::text, :user_id::text, :notes::text) AS e;

-- name: escrow_release(id, transfer_id, release_tx, resolution)^
-- Pays the seller: DELIVERED | DISPUTED -> RELEASED with the Stripe transfer or the release transaction; the
-- delivery CONFIRMED, a dispute RESOLVED, the listing SOLD (bloxtr8.release_escrow). CD005, CD001, CD007
-- escrows_rail_detail / users_wallet_sanctioned.
-- @nullable-param transfer_id, release_tx, resolution
-- @one
SELECT e.*
FROM bloxtr8.release_escrow(:id::text, :transfer_id::text, :release_tx::text, :resolution::text) AS e;

-- name: escrow_dispute(id, user_id, reason)^
-- The buyer or the seller disputes: FUNDS_HELD | DELIVERED -> DISPUTED with an OPEN dispute
-- (bloxtr8.dispute_escrow). CD005, CD001, CD007 escrows_party, 23514 disputes_reason_check.
-- @one
SELECT e.* FROM bloxtr8.dispute_escrow(:id::text, :user_id::text, :reason::text) AS e;

-- name: escrow_refund(id, refund_id, refund_tx, resolution)^
-- Refunds the buyer after a dispute: DISPUTED -> REFUNDED with the Stripe refund or the refund transaction, the
-- dispute RESOLVED (bloxtr8.refund_escrow). CD005, CD001, CD007 escrows_rail_detail / users_wallet_sanctioned /
-- escrows_milestone_paid (a milestone was released to the seller: settle by escrow_release).
-- @nullable-param refund_id, refund_tx, resolution
-- @one
SELECT e.* FROM bloxtr8.refund_escrow(:id::text, :refund_id::text, :refund_tx::text, :resolution::text) AS e;

-- name: escrow_cancel(id)^
-- The funds never came: AWAIT_FUNDS -> CANCELLED (bloxtr8.cancel_escrow). CD005, CD001.
-- @one
SELECT e.* FROM bloxtr8.cancel_escrow(:id::text) AS e;

-- name: escrow_get(id)^
-- One escrow by id.
SELECT e.* FROM bloxtr8.escrows AS e
WHERE e.id = :id::text;

-- name: escrow_list_by_contract(contract_id)
-- A contract's escrows (at most one not CANCELLED), oldest first.
SELECT e.* FROM bloxtr8.escrows AS e
WHERE e.contract_id = :contract_id::text
ORDER BY e.created_at, e.id;
