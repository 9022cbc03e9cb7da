-- Batches: create, then activate / pause / resume / close through the rule functions.

-- name: batch_create(manufacturer_id, sku_id, batch_public_id, batch_label, expiry_date, reward_usd_target, onchain_batch_pubkey)<!
-- Create a CREATED batch of a SKU of the manufacturer; reward_usd_target NULL means the default 0.10, expiry_date and onchain_batch_pubkey may be NULL.
-- @nullable-param expiry_date, reward_usd_target, onchain_batch_pubkey
INSERT INTO authenticity.batches AS b (
    manufacturer_id, sku_id, batch_public_id, batch_label, expiry_date, reward_usd_target, onchain_batch_pubkey
)
VALUES (
    :manufacturer_id::uuid,
    :sku_id::uuid,
    :batch_public_id::text,
    :batch_label::text,
    :expiry_date::date,
    coalesce(:reward_usd_target::numeric, 0.10),
    :onchain_batch_pubkey::text
)
RETURNING b.*;

-- name: batch_get(id)^
-- One batch by id.
SELECT b.*
FROM authenticity.batches AS b
WHERE b.id = :id::uuid;

-- name: batch_get_by_public_id(batch_public_id)^
-- One batch by the public id printed in its QR payloads.
SELECT b.*
FROM authenticity.batches AS b
WHERE b.batch_public_id = :batch_public_id::text;

-- name: batch_list_by_manufacturer(manufacturer_id)
-- The batches of a manufacturer, newest first.
SELECT b.*
FROM authenticity.batches AS b
WHERE b.manufacturer_id = :manufacturer_id::uuid
ORDER BY b.created_at DESC, b.id ASC;

-- name: batch_set_onchain_pubkey(id, onchain_batch_pubkey)<!
-- Record the address of the batch account on Solana (set once); None when there is no such batch.
UPDATE authenticity.batches AS b
SET onchain_batch_pubkey = :onchain_batch_pubkey::text
WHERE b.id = :id::uuid
RETURNING b.*;

-- name: batch_activate(id, tx_signature)^
-- CREATED -> ACTIVE, recording the activation transaction and when (activated_at = common.now()).
-- @one
-- @not-null id, manufacturer_id, sku_id, batch_public_id, batch_label, reward_usd_target, status, created_at
SELECT
    b.id,
    b.manufacturer_id,
    b.sku_id,
    b.batch_public_id,
    b.batch_label,
    b.expiry_date,
    b.reward_usd_target,
    b.onchain_batch_pubkey,
    b.status,
    b.activated_at,
    b.activated_tx_signature,
    b.created_at
FROM authenticity.activate_batch(:id::uuid, :tx_signature::text) AS b;

-- name: batch_pause(id)^
-- ACTIVE -> PAUSED: the batch stops verifying codes.
-- @one
-- @not-null id, manufacturer_id, sku_id, batch_public_id, batch_label, reward_usd_target, status, created_at
SELECT
    b.id,
    b.manufacturer_id,
    b.sku_id,
    b.batch_public_id,
    b.batch_label,
    b.expiry_date,
    b.reward_usd_target,
    b.onchain_batch_pubkey,
    b.status,
    b.activated_at,
    b.activated_tx_signature,
    b.created_at
FROM authenticity.pause_batch(:id::uuid) AS b;

-- name: batch_resume(id)^
-- PAUSED -> ACTIVE.
-- @one
-- @not-null id, manufacturer_id, sku_id, batch_public_id, batch_label, reward_usd_target, status, created_at
SELECT
    b.id,
    b.manufacturer_id,
    b.sku_id,
    b.batch_public_id,
    b.batch_label,
    b.expiry_date,
    b.reward_usd_target,
    b.onchain_batch_pubkey,
    b.status,
    b.activated_at,
    b.activated_tx_signature,
    b.created_at
FROM authenticity.resume_batch(:id::uuid) AS b;

-- name: batch_close(id)^
-- CREATED | ACTIVE | PAUSED -> CLOSED, for good.
-- @one
-- @not-null id, manufacturer_id, sku_id, batch_public_id, batch_label, reward_usd_target, status, created_at
SELECT
    b.id,
    b.manufacturer_id,
    b.sku_id,
    b.batch_public_id,
    b.batch_label,
    b.expiry_date,
    b.reward_usd_target,
    b.onchain_batch_pubkey,
    b.status,
    b.activated_at,
    b.activated_tx_signature,
    b.created_at
FROM authenticity.close_batch(:id::uuid) AS b;
