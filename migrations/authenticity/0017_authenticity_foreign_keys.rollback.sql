-- Undoes 0017_authenticity_foreign_keys: the comments as they were (one constraint had one, the others none).

COMMENT ON CONSTRAINT skus_manufacturer_id_fkey ON authenticity.skus IS NULL;

COMMENT ON CONSTRAINT batches_manufacturer_id_fkey ON authenticity.batches IS NULL;

COMMENT ON CONSTRAINT batches_sku_id_manufacturer_id_fkey ON authenticity.batches IS 'The SKU belongs to the batch''s manufacturer.';

COMMENT ON CONSTRAINT code_packs_batch_id_fkey ON authenticity.code_packs IS NULL;

COMMENT ON CONSTRAINT codes_pack_id_fkey ON authenticity.codes IS NULL;

COMMENT ON CONSTRAINT user_wallets_user_id_fkey ON authenticity.user_wallets IS NULL;

COMMENT ON CONSTRAINT verify_intents_batch_id_fkey ON authenticity.verify_intents IS NULL;

COMMENT ON CONSTRAINT verify_intents_commitment_fkey ON authenticity.verify_intents IS NULL;

COMMENT ON CONSTRAINT verifications_batch_id_fkey ON authenticity.verifications IS NULL;

COMMENT ON CONSTRAINT verifications_commitment_fkey ON authenticity.verifications IS NULL;

COMMENT ON CONSTRAINT verifications_intent_id_fkey ON authenticity.verifications IS NULL;

COMMENT ON CONSTRAINT verifications_user_id_fkey ON authenticity.verifications IS NULL;
