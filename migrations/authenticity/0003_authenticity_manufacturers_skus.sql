-- depends: 0002_authenticity_enums
-- Manufacturers and their SKUs (seed: manufacturers, skus).
-- Decided where the seed is silent: a SKU code is unique per manufacturer, the SKU hash
-- (the SKU's on-chain identifier) is unique, and (id, manufacturer_id) is a key so that a
-- batch can reference a SKU of its own manufacturer only.

CREATE TABLE authenticity.manufacturers (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL,
    status authenticity.manufacturer_status NOT NULL DEFAULT 'active',
    hmac_kms_key_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT manufacturers_pkey PRIMARY KEY (id),
    CONSTRAINT manufacturers_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT manufacturers_hmac_kms_key_id_check CHECK (
        hmac_kms_key_id ~ '^[A-Za-z0-9:/_.@-]+$' AND length(hmac_kms_key_id) <= 2048
    )
);

COMMENT ON TABLE authenticity.manufacturers IS 'Brands that print authenticity codes on their products.';
COMMENT ON COLUMN authenticity.manufacturers.status IS
'active, or suspended: a suspended manufacturer cannot activate or resume batches (SQLSTATE CD007).';
COMMENT ON COLUMN authenticity.manufacturers.hmac_kms_key_id IS
'Identifier of the manufacturer''s HMAC key in a KMS (key id, ARN, alias or resource path): a reference, '
'never key material. The CHECK refuses whitespace, ''+'' and ''='' so that a pasted base64 or PEM secret '
'does not fit.';

CREATE TABLE authenticity.skus (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    manufacturer_id uuid NOT NULL,
    sku_code text NOT NULL,
    sku_name text NOT NULL,
    sku_hash authenticity.bytes32 NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT skus_pkey PRIMARY KEY (id),
    CONSTRAINT skus_manufacturer_id_fkey FOREIGN KEY (manufacturer_id)
    REFERENCES authenticity.manufacturers (id),
    CONSTRAINT skus_manufacturer_id_sku_code_key UNIQUE (manufacturer_id, sku_code),
    CONSTRAINT skus_id_manufacturer_id_key UNIQUE (id, manufacturer_id),
    CONSTRAINT skus_sku_hash_key UNIQUE (sku_hash),
    CONSTRAINT skus_sku_code_check CHECK (sku_code ~ '^\S(.*\S)?$'),
    CONSTRAINT skus_sku_name_check CHECK (btrim(sku_name) <> '')
);

COMMENT ON TABLE authenticity.skus IS 'Products (stock keeping units) of a manufacturer.';
COMMENT ON COLUMN authenticity.skus.sku_code IS
'The manufacturer''s own product code: unique per manufacturer, no surrounding blanks.';
COMMENT ON COLUMN authenticity.skus.sku_hash IS
'32-byte identifier of the SKU on chain (computed by the application, e.g. SHA-256 of the manufacturer '
'and SKU code); unique.';
COMMENT ON CONSTRAINT skus_id_manufacturer_id_key ON authenticity.skus IS
'Target of batches_sku_id_manufacturer_id_fkey: a batch''s SKU belongs to the batch''s manufacturer.';
COMMENT ON CONSTRAINT skus_manufacturer_id_sku_code_key ON authenticity.skus IS
'A SKU code is unique per manufacturer; its index also serves skus_manufacturer_id_fkey.';
