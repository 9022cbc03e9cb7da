DROP TRIGGER verify_intents_outcome_recorded ON authenticity.verify_intents;

DROP FUNCTION authenticity.tg_verify_intents__outcome_recorded();

DROP TABLE authenticity.verifications;

DROP FUNCTION authenticity.tg_verifications__intent_outcome();

DROP FUNCTION authenticity.tg_verifications__check_insert();

DROP FUNCTION authenticity.tg__append_only();
