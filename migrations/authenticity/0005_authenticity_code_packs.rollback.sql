DROP TABLE authenticity.code_packs;

DROP FUNCTION authenticity.tg_code_packs__immutable_columns();

DROP FUNCTION authenticity.tg_code_packs__status_transition();

DROP FUNCTION authenticity.tg_code_packs__check_insert();
