-- depends: 0024_authenticity_finite_numbers_validate
-- Purged ciphertext, vacuumed promptly. authenticity.confirm_print() sets code_plaintext to
-- NULL: PostgreSQL writes new row versions and the old ones, ciphertext included, stay in the
-- table's pages as dead tuples until VACUUM removes them. With the defaults (20% of the
-- table plus 50 rows) a pack purged in a table of 50 million codes would wait for 10 million
-- dead rows. codes is insert-only apart from the purge, so every dead tuple is purged
-- ciphertext (or an aborted load): autovacuum takes the table at its next round (within
-- autovacuum_naptime, 1 minute by default) after any purge.
-- What VACUUM does not do: the freed space is reused, not zeroed, so the bytes stay in the
-- data files until overwritten or the table is rewritten (VACUUM FULL); WAL segments and
-- physical backups keep them as long as they are kept. See the README, "Security".

ALTER TABLE authenticity.codes SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 0);
