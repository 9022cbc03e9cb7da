DROP FUNCTION cocopay.ll_to_earth(double precision, double precision);

DROP FUNCTION cocopay.update_updated_at();

DROP FUNCTION cocopay.generate_confirmation_code();
