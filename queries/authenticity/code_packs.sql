-- Code packs: create, generate (bulk COPY by chaindb.authenticity.packs.generate_pack, then
-- code_pack_mark_ready), download, confirm print (purges every plaintext).

-- name: code_pack_create(batch_id, pack_id, quantity, download_expires_at)<!
-- Create a GENERATING pack of quantity codes in a batch that is not CLOSED; download_expires_at NULL: no deadline.
-- @nullable-param download_expires_at
INSERT INTO authenticity.code_packs AS p (batch_id, pack_id, quantity, download_expires_at)
VALUES (:batch_id::uuid, :pack_id::text, :quantity::integer, :download_expires_at::timestamptz)
RETURNING p.*;

-- name: code_pack_get(id)^
-- One pack by id.
SELECT p.*
FROM authenticity.code_packs AS p
WHERE p.id = :id::uuid;

-- name: code_pack_get_by_pack_id(pack_id)^
-- One pack by its public pack id.
SELECT p.*
FROM authenticity.code_packs AS p
WHERE p.pack_id = :pack_id::text;

-- name: code_pack_list_by_batch(batch_id)
-- The packs of a batch, oldest first, with how many codes each holds.
-- @not-null code_count
SELECT
    p.id,
    p.pack_id,
    p.batch_id,
    p.quantity,
    p.status,
    p.download_count,
    p.download_expires_at,
    p.downloaded_at,
    p.print_confirmed_at,
    p.plaintext_purged_at,
    p.created_at,
    (
        SELECT count(*) FROM authenticity.codes AS c
        WHERE c.pack_id = p.id
    ) AS code_count
FROM authenticity.code_packs AS p
WHERE p.batch_id = :batch_id::uuid
ORDER BY p.created_at, p.id;

-- name: code_pack_mark_ready(id)^
-- GENERATING -> READY, once the pack holds exactly quantity codes.
-- @one
-- @not-null id, pack_id, batch_id, quantity, status, download_count, created_at
SELECT
    p.id,
    p.pack_id,
    p.batch_id,
    p.quantity,
    p.status,
    p.download_count,
    p.download_expires_at,
    p.downloaded_at,
    p.print_confirmed_at,
    p.plaintext_purged_at,
    p.created_at
FROM authenticity.mark_code_pack_ready(:id::uuid) AS p;

-- name: code_pack_download(id)^
-- Count one download (READY or DOWNLOADED, before download_expires_at by the database's clock); READY -> DOWNLOADED. Then read code_pack_codes.
-- @one
-- @not-null id, pack_id, batch_id, quantity, status, download_count, created_at
SELECT
    p.id,
    p.pack_id,
    p.batch_id,
    p.quantity,
    p.status,
    p.download_count,
    p.download_expires_at,
    p.downloaded_at,
    p.print_confirmed_at,
    p.plaintext_purged_at,
    p.created_at
FROM authenticity.record_code_pack_download(:id::uuid) AS p;

-- name: code_pack_codes(id)
-- The codes of a pack for printing: the ciphertext to decrypt with the app's key, the commitment (associated data) and the public payload.
SELECT
    c.id,
    c.commitment,
    c.code_plaintext,
    c.qr_payload,
    c.onchain_code_pda
FROM authenticity.codes AS c
WHERE c.pack_id = :id::uuid;

-- name: code_pack_confirm_print(id)^
-- DOWNLOADED -> PRINT_CONFIRMED at common.now(): purges every code's plaintext in the same transaction.
-- @one
-- @not-null id, pack_id, batch_id, quantity, status, download_count, created_at
SELECT
    p.id,
    p.pack_id,
    p.batch_id,
    p.quantity,
    p.status,
    p.download_count,
    p.download_expires_at,
    p.downloaded_at,
    p.print_confirmed_at,
    p.plaintext_purged_at,
    p.created_at
FROM authenticity.confirm_print(:id::uuid) AS p;
