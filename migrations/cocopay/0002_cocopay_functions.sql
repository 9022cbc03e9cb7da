-- depends: 0001_cocopay_schema
-- The seed's two functions (bodies verbatim, now schema-qualified, with a pinned
-- search_path and declared volatility) and a wrapper around earthdistance's
-- ll_to_earth for the stores location index.
--
-- Why the wrapper: on PostgreSQL 15, earthdistance 1.1's ll_to_earth() is a SQL
-- function whose body names cube()/earth() without a schema. pg_restore runs with an
-- empty search_path, so an index on extensions.ll_to_earth(...) fails to restore
-- ("type "earth" does not exist") and is silently lost by a dump/restore.
-- cocopay.ll_to_earth pins its search_path, so the index restores cleanly.

CREATE FUNCTION cocopay.generate_confirmation_code()
RETURNS varchar(6)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  chars VARCHAR := 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';  -- No I, O, 0, 1
  result VARCHAR := '';
  i INTEGER;
BEGIN
  FOR i IN 1..6 LOOP
    result := result || substr(chars, floor(random() * length(chars) + 1)::int, 1);
  END LOOP;
  RETURN result;
END;
$fn$;

COMMENT ON FUNCTION cocopay.generate_confirmation_code() IS
'A random 6-character confirmation code (e.g. A7B3C9) from A-Z and 2-9 without I, O, 0 and 1, '
'shown to payer and merchant. VOLATILE (random()); not a secret and not unique: 32^6 codes, '
'looked up together with the store or user. Default of transactions.confirmation_code.';

CREATE FUNCTION cocopay.update_updated_at()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  NEW.updated_at = NOW();
  RETURN NEW;
END;
$fn$;

COMMENT ON FUNCTION cocopay.update_updated_at() IS
'BEFORE UPDATE trigger function: sets updated_at to the transaction time (now()).';

CREATE FUNCTION cocopay.ll_to_earth(latitude double precision, longitude double precision)
RETURNS extensions.earth
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = extensions, pg_catalog
AS $fn$
    SELECT extensions.ll_to_earth($1, $2)
$fn$;

COMMENT ON FUNCTION cocopay.ll_to_earth(double precision, double precision) IS
'extensions.ll_to_earth with a pinned search_path, so that idx_stores_location survives '
'pg_dump/pg_restore on PostgreSQL 15 (earthdistance 1.1 names its types unqualified). '
'Use it, with extensions.earth_box/earth_distance, in nearby-store queries so the index applies.';
