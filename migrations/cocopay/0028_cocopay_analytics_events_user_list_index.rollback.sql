-- transactional: false

DROP INDEX CONCURRENTLY cocopay.analytics_events_user_id_created_at_id_idx;
