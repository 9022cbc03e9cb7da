-- depends: 0007_common_clock
-- The guard every numeric column carries: common.is_finite().
--
-- In PostgreSQL 'NaN'::numeric equals itself and sorts above every number, so
-- 'NaN'::numeric > 0 is true and a CHECK (amount > 0) lets NaN in; an unconstrained numeric
-- (and double precision) also holds 'Infinity' and '-Infinity'. Every numeric or floating
-- point column of every product schema gets CHECK (common.is_finite(column)), named
-- <table>_<column>_finite_check; tests/python/test_finite_numbers.py enumerates those
-- columns from the catalog and proves each refuses NaN and both infinities.
-- The functions are IMMUTABLE one-expression SQL functions, so PostgreSQL inlines them in
-- the CHECKs. NULL in, NULL out: a CHECK passes NULL, as NOT NULL is a separate rule.

CREATE FUNCTION common.is_finite(value numeric)
RETURNS boolean
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT value NOT IN ('NaN'::numeric, 'Infinity'::numeric, '-Infinity'::numeric)
$fn$;

COMMENT ON FUNCTION common.is_finite(numeric) IS
'True when the number is neither NaN nor +/-Infinity; NULL on NULL. The guard of every numeric column '
'(<table>_<column>_finite_check).';

CREATE FUNCTION common.is_finite(value double precision)
RETURNS boolean
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT value NOT IN ('NaN'::double precision, 'Infinity'::double precision, '-Infinity'::double precision)
$fn$;

COMMENT ON FUNCTION common.is_finite(double precision) IS
'True when the number is neither NaN nor +/-Infinity; NULL on NULL. The guard of every floating point '
'column (<table>_<column>_finite_check).';

REVOKE ALL ON FUNCTION common.is_finite(numeric), common.is_finite(double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION common.is_finite(numeric), common.is_finite(double precision)
TO chaindb_app, chaindb_readonly;
