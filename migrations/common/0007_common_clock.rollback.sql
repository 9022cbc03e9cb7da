CREATE OR REPLACE FUNCTION common.tg__set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION common.tg__set_updated_at() IS
'BEFORE UPDATE trigger: sets updated_at to the transaction time (Prisma''s @updatedAt).';

DROP FUNCTION common.freeze_clock(timestamptz);

DROP FUNCTION common.set_clock_offset(interval);

DROP FUNCTION common.now();

DROP TABLE common.clock;
