DROP TRIGGER code_packs_plaintext_purged ON authenticity.code_packs;

DROP FUNCTION authenticity.tg_code_packs__plaintext_purged();

DROP TRIGGER code_packs_codes_complete ON authenticity.code_packs;

DROP FUNCTION authenticity.tg_code_packs__codes_complete();

DROP TABLE authenticity.codes;

DROP FUNCTION authenticity.tg_codes__guard_update();

DROP FUNCTION authenticity.tg_codes__check_insert();
