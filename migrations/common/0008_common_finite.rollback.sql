DROP FUNCTION common.is_finite(double precision);

DROP FUNCTION common.is_finite(numeric);
