-- Manufacturers and their SKUs: setup of the brands that print codes.

-- name: manufacturer_create(name, hmac_kms_key_id)<!
-- Register an active manufacturer with the id (a reference, never the key) of its HMAC key in the KMS.
INSERT INTO authenticity.manufacturers AS m (name, hmac_kms_key_id)
VALUES (:name::text, :hmac_kms_key_id::text)
RETURNING m.*;

-- name: manufacturer_get(id)^
-- One manufacturer by id.
SELECT m.*
FROM authenticity.manufacturers AS m
WHERE m.id = :id::uuid;

-- name: manufacturer_get_by_name(name)^
-- The oldest manufacturer with this name (names are not unique), for create-or-get.
SELECT m.*
FROM authenticity.manufacturers AS m
WHERE m.name = :name::text
ORDER BY m.created_at, m.id
LIMIT 1;

-- name: manufacturer_list()
-- Every manufacturer, by name.
SELECT m.*
FROM authenticity.manufacturers AS m
ORDER BY m.name, m.id;

-- name: manufacturer_set_status(id, status)<!
-- Suspend or reactivate a manufacturer (a suspended one cannot activate or resume batches); None when there is no such manufacturer.
UPDATE authenticity.manufacturers AS m
SET status = :status::authenticity.manufacturer_status
WHERE m.id = :id::uuid
RETURNING m.*;

-- name: sku_create(manufacturer_id, sku_code, sku_name, sku_hash)<!
-- Add a SKU to a manufacturer; sku_code is unique per manufacturer, sku_hash (32 bytes) unique.
INSERT INTO authenticity.skus AS s (manufacturer_id, sku_code, sku_name, sku_hash)
VALUES (:manufacturer_id::uuid, :sku_code::text, :sku_name::text, :sku_hash::bytea)
RETURNING s.*;

-- name: sku_get(id)^
-- One SKU by id.
SELECT s.*
FROM authenticity.skus AS s
WHERE s.id = :id::uuid;

-- name: sku_get_by_code(manufacturer_id, sku_code)^
-- A manufacturer's SKU by its code (unique per manufacturer).
SELECT s.*
FROM authenticity.skus AS s
WHERE s.manufacturer_id = :manufacturer_id::uuid AND s.sku_code = :sku_code::text;

-- name: sku_list_by_manufacturer(manufacturer_id)
-- The SKUs of a manufacturer, by code.
SELECT s.*
FROM authenticity.skus AS s
WHERE s.manufacturer_id = :manufacturer_id::uuid
ORDER BY s.sku_code;
