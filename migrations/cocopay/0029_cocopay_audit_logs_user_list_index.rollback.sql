-- transactional: false

DROP INDEX CONCURRENTLY cocopay.audit_logs_user_id_created_at_id_idx;
