DROP TABLE authenticity.verify_intents;

DROP FUNCTION authenticity.tg_verify_intents__immutable_columns();

DROP FUNCTION authenticity.tg_verify_intents__status_transition();

DROP FUNCTION authenticity.tg_verify_intents__check_insert();
