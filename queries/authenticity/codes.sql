-- Codes: lookups of the public side of a code (never its plaintext).

-- name: code_get_by_commitment(commitment)^
-- A code by its commitment, with its pack and batch (the scan lookup).
SELECT
    c.id,
    c.pack_id,
    c.qr_payload,
    c.commitment,
    c.onchain_code_pda,
    c.created_at,
    p.pack_id AS public_pack_id,
    p.status AS pack_status,
    b.id AS batch_id,
    b.batch_public_id,
    b.status AS batch_status,
    b.reward_usd_target
FROM authenticity.codes AS c
INNER JOIN authenticity.code_packs AS p ON c.pack_id = p.id
INNER JOIN authenticity.batches AS b ON p.batch_id = b.id
WHERE c.commitment = :commitment::bytea;

-- name: code_get_by_pda(onchain_code_pda)^
-- A code by its on-chain PDA, with its pack and batch.
SELECT
    c.id,
    c.pack_id,
    c.qr_payload,
    c.commitment,
    c.onchain_code_pda,
    c.created_at,
    p.pack_id AS public_pack_id,
    p.status AS pack_status,
    b.id AS batch_id,
    b.batch_public_id,
    b.status AS batch_status,
    b.reward_usd_target
FROM authenticity.codes AS c
INNER JOIN authenticity.code_packs AS p ON c.pack_id = p.id
INNER JOIN authenticity.batches AS b ON p.batch_id = b.id
WHERE c.onchain_code_pda = :onchain_code_pda::text;

-- name: code_count_by_pack(pack_id)^
-- How many codes a pack holds, and how many of them still hold (encrypted) plaintext (0 and 0 for an unknown pack).
-- @one
-- @not-null total, with_plaintext
SELECT
    count(*) AS total,
    count(c.code_plaintext) AS with_plaintext
FROM authenticity.codes AS c
WHERE c.pack_id = :pack_id::uuid;

-- name: code_list_by_pack(pack_id, after_id, max_rows)
-- A page of a pack's codes (public columns), by id after after_id (NULL: from the start).
-- @nullable-param after_id
SELECT
    c.id,
    c.pack_id,
    c.qr_payload,
    c.commitment,
    c.onchain_code_pda,
    c.created_at
FROM authenticity.codes AS c
WHERE c.pack_id = :pack_id::uuid AND (:after_id::uuid IS NULL OR c.id > :after_id::uuid)
ORDER BY c.id
LIMIT :max_rows::integer;
