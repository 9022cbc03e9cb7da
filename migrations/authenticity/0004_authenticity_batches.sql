-- depends: 0003_authenticity_manufacturers_skus
-- Batches (seed: batches) and their state machine:
--   CREATED -> ACTIVE, ACTIVE -> PAUSED, PAUSED -> ACTIVE, CREATED | ACTIVE | PAUSED -> CLOSED.
-- CLOSED is terminal. A forbidden move raises CD001 (batches_status_transition).
-- activated_at and activated_tx_signature are NULL while CREATED, set together by the
-- activation and never changed afterwards (a batch closed before activation keeps them NULL).
-- Decided where the seed is silent: a batch starts CREATED; only an active manufacturer can
-- (re)activate a batch (CD007); batch_public_id, manufacturer and SKU never change (CD003),
-- nor does onchain_batch_pubkey once set; batch_public_id is URL-safe since QR payloads carry it.

CREATE TABLE authenticity.batches (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    manufacturer_id uuid NOT NULL,
    sku_id uuid NOT NULL,
    batch_public_id text NOT NULL,
    batch_label text NOT NULL,
    expiry_date date,
    reward_usd_target numeric NOT NULL DEFAULT 0.10,
    onchain_batch_pubkey text,
    status authenticity.batch_status NOT NULL DEFAULT 'CREATED',
    activated_at timestamptz,
    activated_tx_signature text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT batches_pkey PRIMARY KEY (id),
    CONSTRAINT batches_batch_public_id_key UNIQUE (batch_public_id),
    CONSTRAINT batches_manufacturer_id_fkey FOREIGN KEY (manufacturer_id)
    REFERENCES authenticity.manufacturers (id),
    CONSTRAINT batches_sku_id_manufacturer_id_fkey FOREIGN KEY (sku_id, manufacturer_id)
    REFERENCES authenticity.skus (id, manufacturer_id),
    CONSTRAINT batches_batch_public_id_check CHECK (batch_public_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    CONSTRAINT batches_batch_label_check CHECK (btrim(batch_label) <> ''),
    CONSTRAINT batches_reward_usd_target_check CHECK (reward_usd_target >= 0),
    CONSTRAINT batches_onchain_batch_pubkey_check CHECK (common.is_solana_pubkey(onchain_batch_pubkey)),
    CONSTRAINT batches_activated_tx_signature_check CHECK (common.is_solana_signature(activated_tx_signature)),
    CONSTRAINT batches_activation_check CHECK (
        (activated_at IS NULL) = (activated_tx_signature IS NULL)
        AND CASE status
            WHEN 'CREATED' THEN activated_at IS NULL
            WHEN 'CLOSED' THEN true
            ELSE activated_at IS NOT NULL
        END
    )
);

CREATE INDEX batches_manufacturer_id_idx ON authenticity.batches (manufacturer_id);

CREATE INDEX batches_sku_id_manufacturer_id_idx ON authenticity.batches (sku_id, manufacturer_id);

COMMENT ON TABLE authenticity.batches IS
'A production batch of one SKU; its codes are printed in packs and verify only while the batch is ACTIVE.';
COMMENT ON COLUMN authenticity.batches.batch_public_id IS
'Public identifier printed in every QR payload of the batch: 1 to 64 of A-Z a-z 0-9 _ - (URL-safe), unique, '
'never changes.';
COMMENT ON COLUMN authenticity.batches.expiry_date IS
'Best-before date of the products, informational: verification does not depend on it.';
COMMENT ON COLUMN authenticity.batches.reward_usd_target IS
'Target value in USD of the SOL reward per verified code; the lamports of each intent are computed from it.';
COMMENT ON COLUMN authenticity.batches.onchain_batch_pubkey IS
'Address of the batch account on Solana, once created there; set once.';
COMMENT ON COLUMN authenticity.batches.status IS
'CREATED -> ACTIVE, ACTIVE <-> PAUSED, CREATED | ACTIVE | PAUSED -> CLOSED (terminal); see batches_status_transition.';
COMMENT ON COLUMN authenticity.batches.activated_at IS
'When the batch was first activated: NULL while CREATED, set with activated_tx_signature, then never changed.';
COMMENT ON COLUMN authenticity.batches.activated_tx_signature IS
'Solana signature of the activation transaction: NULL while CREATED, set once with activated_at.';
COMMENT ON CONSTRAINT batches_activation_check ON authenticity.batches IS
'activated_at and activated_tx_signature are set together: never while CREATED, always while ACTIVE or PAUSED.';
COMMENT ON CONSTRAINT batches_sku_id_manufacturer_id_fkey ON authenticity.batches IS
'The SKU belongs to the batch''s manufacturer.';

CREATE FUNCTION authenticity.tg_batches__check_insert()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.status <> 'CREATED' THEN
        RAISE EXCEPTION 'batches: a batch starts CREATED, not %', NEW.status
            USING ERRCODE = 'CD007', CONSTRAINT = 'batches_initial_status', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_batches__check_insert() IS
'BEFORE INSERT on batches: a new batch is CREATED (else CD007, batches_initial_status).';

CREATE TRIGGER batches_check_insert
BEFORE INSERT ON authenticity.batches
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_batches__check_insert();

COMMENT ON TRIGGER batches_check_insert ON authenticity.batches IS
'A new batch starts CREATED (CD007 otherwise).';

CREATE FUNCTION authenticity.tg_batches__status_transition()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT (CASE OLD.status
        WHEN 'CREATED' THEN NEW.status IN ('ACTIVE', 'CLOSED')
        WHEN 'ACTIVE' THEN NEW.status IN ('PAUSED', 'CLOSED')
        WHEN 'PAUSED' THEN NEW.status IN ('ACTIVE', 'CLOSED')
        ELSE false
    END) THEN
        PERFORM common.forbid_transition(TG_TABLE_NAME, OLD.status::text, NEW.status::text);
    END IF;
    IF NEW.status = 'ACTIVE' AND NOT EXISTS (
        SELECT FROM authenticity.manufacturers AS m
        WHERE m.id = NEW.manufacturer_id AND m.status = 'active'
    ) THEN
        RAISE EXCEPTION 'batches: the manufacturer of batch % is suspended', NEW.batch_public_id
            USING ERRCODE = 'CD007', CONSTRAINT = 'batches_manufacturer_active', TABLE = TG_TABLE_NAME,
                  SCHEMA = TG_TABLE_SCHEMA, DETAIL = format('from=%s to=%s', OLD.status, NEW.status);
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_batches__status_transition() IS
'Batch state machine: CREATED -> ACTIVE | CLOSED, ACTIVE -> PAUSED | CLOSED, PAUSED -> ACTIVE | CLOSED; '
'else CD001. Entering ACTIVE needs an active manufacturer (CD007, batches_manufacturer_active).';

CREATE TRIGGER batches_status_transition
BEFORE UPDATE ON authenticity.batches
FOR EACH ROW
WHEN (old.status IS DISTINCT FROM new.status)
EXECUTE FUNCTION authenticity.tg_batches__status_transition();

COMMENT ON TRIGGER batches_status_transition ON authenticity.batches IS
'State machine of batches.status; CD001 for a forbidden move, CD007 when activating for a suspended manufacturer.';

CREATE FUNCTION authenticity.tg_batches__immutable_columns()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.manufacturer_id IS DISTINCT FROM OLD.manufacturer_id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'manufacturer_id');
    ELSIF NEW.sku_id IS DISTINCT FROM OLD.sku_id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'sku_id');
    ELSIF NEW.batch_public_id IS DISTINCT FROM OLD.batch_public_id THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'batch_public_id');
    ELSIF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'created_at');
    ELSIF OLD.onchain_batch_pubkey IS NOT NULL
        AND NEW.onchain_batch_pubkey IS DISTINCT FROM OLD.onchain_batch_pubkey THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'onchain_batch_pubkey');
    ELSIF OLD.activated_at IS NOT NULL AND NEW.activated_at IS DISTINCT FROM OLD.activated_at THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'activated_at');
    ELSIF OLD.activated_tx_signature IS NOT NULL
        AND NEW.activated_tx_signature IS DISTINCT FROM OLD.activated_tx_signature THEN
        PERFORM authenticity.forbid_change(TG_TABLE_NAME, 'activated_tx_signature');
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_batches__immutable_columns() IS
'BEFORE UPDATE on batches: manufacturer_id, sku_id, batch_public_id, created_at never change; '
'onchain_batch_pubkey, activated_at, activated_tx_signature never change once set (CD003).';

CREATE TRIGGER batches_immutable_columns
BEFORE UPDATE ON authenticity.batches
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_batches__immutable_columns();

COMMENT ON TRIGGER batches_immutable_columns ON authenticity.batches IS
'Fixed and set-once columns of batches (CD003, <table>_<column>_immutable).';
