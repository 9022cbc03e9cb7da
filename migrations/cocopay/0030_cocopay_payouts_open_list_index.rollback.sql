-- transactional: false

DROP INDEX CONCURRENTLY cocopay.payouts_created_at_id_idx;
