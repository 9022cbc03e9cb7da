DROP FUNCTION authenticity.expire_verify_intents(timestamptz);

DROP FUNCTION authenticity.fail_verification(text, uuid, text, text, timestamptz);

DROP FUNCTION authenticity.confirm_verification(text, uuid, text, timestamptz);

DROP FUNCTION authenticity.issue_verify_intent(bytea, bigint, interval, timestamptz, text);
