-- transactional: false

DROP INDEX CONCURRENTLY authenticity.manufacturers_name_created_at_id_idx;
