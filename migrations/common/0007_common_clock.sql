-- depends: 0006_common_fast_chain_checks
-- The database's clock, one helper for every schema: common.now().
--
-- Deadlines and recorded timestamps are taken from the database server, never from the
-- caller: no function or query the application role can call takes a "now" argument.
-- common.now() is pg_catalog.now() (the transaction's start time), unless the one-row table
-- common.clock says otherwise: offset_by moves the clock by an interval, frozen_at
-- stops it at an instant. In production the row says neither (offset 0, not frozen); tests
-- move the clock with common.set_clock_offset(interval) or common.freeze_clock(timestamptz)
-- to reach a deadline without waiting, and to assert exact timestamps.
--
-- Who can move the clock: only the owner (chaindb_owner, that is the migrations) and
-- superusers. chaindb_app and chaindb_readonly have no privilege on common.clock and
-- no EXECUTE on the two setters; they may only call common.now(), which reads the row as its
-- owner (SECURITY DEFINER, pinned search_path). A session setting (GUC) would not do: any role
-- may SET a custom setting.
--
-- Cost: common.now() is a STABLE SQL function reading one row by its key, about 2 us per
-- call. In a WHERE clause it is evaluated once per statement; as a column DEFAULT once per
-- row (2.3 us a row measured on a 100,000-row INSERT ... SELECT, against 0.25 us for now()).
-- Also: common.tg__set_updated_at() now stamps updated_at with common.now().

CREATE TABLE common.clock (
    id boolean NOT NULL DEFAULT true,
    offset_by interval NOT NULL DEFAULT interval '0',
    frozen_at timestamptz,
    CONSTRAINT clock_pkey PRIMARY KEY (id),
    CONSTRAINT clock_id_check CHECK (id)
);

COMMENT ON TABLE common.clock IS
'One row: how common.now() differs from the server clock (offset 0 and not frozen in production); set by tests '
'through common.set_clock_offset() and common.freeze_clock(). Only the owner and superusers can read or write it.';
COMMENT ON COLUMN common.clock.id IS 'Always true: the table holds one row.';
COMMENT ON COLUMN common.clock.offset_by IS 'Added to pg_catalog.now() by common.now() (when not frozen).';
COMMENT ON COLUMN common.clock.frozen_at IS 'When set, common.now() returns exactly this instant.';

INSERT INTO common.clock (id, offset_by, frozen_at) VALUES (true, interval '0', NULL);

CREATE FUNCTION common.now()
RETURNS timestamptz
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT coalesce(
        (SELECT coalesce(o.frozen_at, pg_catalog.now() + o.offset_by) FROM common.clock AS o WHERE o.id),
        pg_catalog.now()
    )
$fn$;

COMMENT ON FUNCTION common.now() IS
'The database''s clock: now() (transaction start) plus common.clock.offset_by, or frozen_at when set (in '
'production: offset 0, not frozen). '
'Every deadline and recorded timestamp of the product schemas uses it. SECURITY DEFINER only to read the '
'offset, which the application roles cannot see or change.';

CREATE FUNCTION common.set_clock_offset(p_offset_by interval)
RETURNS timestamptz
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
    UPDATE common.clock AS o SET offset_by = p_offset_by, frozen_at = NULL WHERE o.id;
    SELECT common.now();
$fn$;

COMMENT ON FUNCTION common.set_clock_offset(interval) IS
'Runs common.now() at now() + p_offset_by (tests: reach a deadline without waiting; 0 restores the server clock); '
'returns the new common.now(). Runs as the caller (SECURITY INVOKER): only the owner and superusers may update '
'common.clock, and chaindb_app / chaindb_readonly have no EXECUTE on it (42501).';

CREATE FUNCTION common.freeze_clock(p_at timestamptz)
RETURNS timestamptz
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
    UPDATE common.clock AS o SET offset_by = interval '0', frozen_at = p_at WHERE o.id;
    SELECT common.now();
$fn$;

COMMENT ON FUNCTION common.freeze_clock(timestamptz) IS
'Stops common.now() at p_at (tests: exact timestamps); NULL restores the server clock. Returns the new '
'common.now(). SECURITY INVOKER like common.set_clock_offset: the owner and superusers only (42501 otherwise).';

REVOKE ALL ON TABLE common.clock FROM PUBLIC;
REVOKE ALL ON FUNCTION common.set_clock_offset(interval), common.freeze_clock(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION common.now() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION common.now() TO chaindb_app, chaindb_readonly;

CREATE OR REPLACE FUNCTION common.tg__set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    NEW.updated_at := common.now();
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION common.tg__set_updated_at() IS
'BEFORE UPDATE trigger: sets updated_at to the database''s clock, common.now() (Prisma''s @updatedAt).';
