-- transactional: false

DROP INDEX CONCURRENTLY cocopay.transactions_store_id_created_at_id_idx;
