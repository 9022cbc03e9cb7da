-- Undoes 0005_tips_ingest: dropping a function drops its grants.

DROP FUNCTION tips.ingest_tip(varchar, varchar, varchar, bigint, varchar, varchar);

DROP TRIGGER events_verification_required ON tips.events;

DROP FUNCTION tips.tg_events__verification_required();
