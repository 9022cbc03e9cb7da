-- depends: 0020_authenticity_verification_lookups
-- transactional: false
-- The index behind manufacturer_get_by_name (queries/authenticity/manufacturers.sql): the oldest manufacturer of a name
-- (issue 14: "newest N of a parent" read N rows, not every row of the parent or a filtered walk
-- of the whole table). Built CONCURRENTLY: the table stays writable; outside a transaction.

-- yoyo runs this file outside a transaction (transactional: false above).
-- squawk-ignore ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY manufacturers_name_created_at_id_idx ON authenticity.manufacturers (name, created_at, id);

COMMENT ON INDEX authenticity.manufacturers_name_created_at_id_idx IS
'Manufacturers by name, oldest first (created_at, id): manufacturer_get_by_name reads one row.';
