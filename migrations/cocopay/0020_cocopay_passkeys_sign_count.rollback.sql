DROP TRIGGER passkeys_sign_count_monotonic ON cocopay.passkeys;

DROP FUNCTION cocopay.tg_passkeys__sign_count_monotonic();
