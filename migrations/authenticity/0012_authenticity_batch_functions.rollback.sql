DROP FUNCTION authenticity.close_batch(uuid);

DROP FUNCTION authenticity.resume_batch(uuid);

DROP FUNCTION authenticity.pause_batch(uuid);

DROP FUNCTION authenticity.activate_batch(uuid, text, timestamptz);
