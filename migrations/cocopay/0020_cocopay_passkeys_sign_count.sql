-- depends: 0019_cocopay_state_machines
-- WebAuthn: a passkey's signature counter never decreases (a lower counter suggests a
-- cloned authenticator). Equal is allowed: authenticators without a counter always
-- report 0. Raises SQLSTATE CD004 (counter_regression) naming the pseudo-constraint
-- passkeys_sign_count_monotonic.

CREATE FUNCTION cocopay.tg_passkeys__sign_count_monotonic()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.sign_count < OLD.sign_count THEN
        RAISE EXCEPTION 'passkeys: sign_count may not decrease from % to %', OLD.sign_count, NEW.sign_count
            USING ERRCODE = 'CD004',
                  DETAIL = format('from=%s to=%s', OLD.sign_count, NEW.sign_count),
                  CONSTRAINT = 'passkeys_sign_count_monotonic',
                  SCHEMA = TG_TABLE_SCHEMA,
                  TABLE = TG_TABLE_NAME,
                  COLUMN = 'sign_count';
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION cocopay.tg_passkeys__sign_count_monotonic() IS
'Raises SQLSTATE CD004 (counter_regression, constraint passkeys_sign_count_monotonic) when sign_count would decrease.';

CREATE TRIGGER passkeys_sign_count_monotonic
BEFORE UPDATE ON cocopay.passkeys
FOR EACH ROW
WHEN (new.sign_count < old.sign_count)
EXECUTE FUNCTION cocopay.tg_passkeys__sign_count_monotonic();

COMMENT ON TRIGGER passkeys_sign_count_monotonic ON cocopay.passkeys IS
'A passkey''s WebAuthn sign_count never decreases (SQLSTATE CD004).';
