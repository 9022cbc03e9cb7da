-- depends: 0009_authenticity_verifications
-- user_wallets.created_after_first_success, kept true by the database:
--   true exactly when the user has a SUCCESS verification with verified_at <= the wallet's
--   created_at ("created after the first success"; the same instant counts as after, since a
--   wallet created in the transaction that records the first success is created for it).
-- On INSERT or UPDATE of a wallet the flag is computed (any value written is replaced).
-- Verifications are append-only, so the first success can only move earlier: a new SUCCESS
-- row flips the user's wallets created at or after it to true; nothing ever flips one back.

CREATE FUNCTION authenticity.tg_user_wallets__first_success()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    NEW.created_after_first_success := EXISTS (
        SELECT FROM authenticity.verifications AS v
        WHERE v.user_id = NEW.user_id AND v.result = 'SUCCESS' AND v.verified_at <= NEW.created_at
    );
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_user_wallets__first_success() IS
'BEFORE INSERT OR UPDATE on user_wallets: computes created_after_first_success (a SUCCESS of the user '
'verified at or before created_at exists).';

CREATE TRIGGER user_wallets_first_success
BEFORE INSERT OR UPDATE ON authenticity.user_wallets
FOR EACH ROW
EXECUTE FUNCTION authenticity.tg_user_wallets__first_success();

COMMENT ON TRIGGER user_wallets_first_success ON authenticity.user_wallets IS
'created_after_first_success is computed, never taken from the writer.';

CREATE FUNCTION authenticity.tg_verifications__first_success()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    UPDATE authenticity.user_wallets AS w
    SET created_after_first_success = true
    WHERE w.user_id = NEW.user_id AND NOT w.created_after_first_success AND w.created_at >= NEW.verified_at;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION authenticity.tg_verifications__first_success() IS
'AFTER INSERT of a SUCCESS verification: the user''s wallets created at or after it become '
'created_after_first_success (recomputed by user_wallets_first_success).';

CREATE TRIGGER verifications_first_success
AFTER INSERT ON authenticity.verifications
FOR EACH ROW
WHEN (new.result = 'SUCCESS')
EXECUTE FUNCTION authenticity.tg_verifications__first_success();

COMMENT ON TRIGGER verifications_first_success ON authenticity.verifications IS
'Keeps user_wallets.created_after_first_success true when a success is recorded.';
