-- depends: 0016_authenticity_declared_rules
-- ON DELETE stated for every foreign key (CONVENTIONS.md). The migrations that created them left it
-- out; each is NO ACTION (the default), which is right: authenticity keeps its history (codes are on
-- chain, verifications are reward records), and a manufacturer or batch is suspended or closed, not
-- deleted. A landed migration is not edited, so the choice is stated where the catalog keeps it: the
-- constraint's comment, 'ON DELETE NO ACTION: <why>' (tests/python/test_conventions.py checks every
-- NO ACTION foreign key says so). No behaviour changes.

COMMENT ON CONSTRAINT skus_manufacturer_id_fkey ON authenticity.skus IS
'ON DELETE NO ACTION: a manufacturer with SKUs is not deleted (suspend it instead).';

COMMENT ON CONSTRAINT batches_manufacturer_id_fkey ON authenticity.batches IS
'ON DELETE NO ACTION: a manufacturer with batches is not deleted (suspend it instead).';

COMMENT ON CONSTRAINT batches_sku_id_manufacturer_id_fkey ON authenticity.batches IS
'ON DELETE NO ACTION: a SKU with batches is not deleted. The SKU belongs to the batch''s manufacturer.';

COMMENT ON CONSTRAINT code_packs_batch_id_fkey ON authenticity.code_packs IS
'ON DELETE NO ACTION: a batch with code packs is not deleted (close it instead).';

COMMENT ON CONSTRAINT codes_pack_id_fkey ON authenticity.codes IS
'ON DELETE NO ACTION: printed codes are never deleted with their pack: their commitments are on chain.';

COMMENT ON CONSTRAINT user_wallets_user_id_fkey ON authenticity.user_wallets IS
'ON DELETE NO ACTION: a user with linked wallets is not deleted (rewards were paid to them).';

COMMENT ON CONSTRAINT verify_intents_batch_id_fkey ON authenticity.verify_intents IS
'ON DELETE NO ACTION: verify intents are history: their batch is not deleted.';

COMMENT ON CONSTRAINT verify_intents_commitment_fkey ON authenticity.verify_intents IS
'ON DELETE NO ACTION: verify intents are history: their code is not deleted.';

COMMENT ON CONSTRAINT verifications_batch_id_fkey ON authenticity.verifications IS
'ON DELETE NO ACTION: verifications are append-only reward records: their batch is not deleted.';

COMMENT ON CONSTRAINT verifications_commitment_fkey ON authenticity.verifications IS
'ON DELETE NO ACTION: verifications are append-only reward records: their code is not deleted.';

COMMENT ON CONSTRAINT verifications_intent_id_fkey ON authenticity.verifications IS
'ON DELETE NO ACTION: verifications are append-only reward records: their intent is not deleted.';

COMMENT ON CONSTRAINT verifications_user_id_fkey ON authenticity.verifications IS
'ON DELETE NO ACTION: verifications are append-only reward records: their user is not deleted.';
