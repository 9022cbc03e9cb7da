DROP TABLE authenticity.batches;

DROP FUNCTION authenticity.tg_batches__immutable_columns();

DROP FUNCTION authenticity.tg_batches__status_transition();

DROP FUNCTION authenticity.tg_batches__check_insert();
