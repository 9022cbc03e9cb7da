DROP FUNCTION authenticity.confirm_print(uuid, timestamptz);

DROP FUNCTION authenticity.record_code_pack_download(uuid, timestamptz);

DROP FUNCTION authenticity.mark_code_pack_ready(uuid);
