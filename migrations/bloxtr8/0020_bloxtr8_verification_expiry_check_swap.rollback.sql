-- Undoes 0020_bloxtr8_verification_expiry_check_swap: the new CHECK back under its 0019 name, NOT VALID as 0019 left
-- it (a validated constraint cannot be made NOT VALID again: it is dropped and added anew), and the old one as
-- 0011_bloxtr8_asset_verifications made it.

ALTER TABLE bloxtr8.asset_verifications DROP CONSTRAINT asset_verifications_expires_at_check;

ALTER TABLE bloxtr8.asset_verifications
ADD CONSTRAINT asset_verifications_expires_at_check_new
CHECK (expires_at IS NOT DISTINCT FROM verified_at + interval '24 hours') NOT VALID;

COMMENT ON CONSTRAINT asset_verifications_expires_at_check_new ON bloxtr8.asset_verifications IS
'A verified result is cached exactly 24 hours: expires_at is verified_at + 24 hours, both or neither set.';

ALTER TABLE bloxtr8.asset_verifications
ADD CONSTRAINT asset_verifications_expires_at_check
CHECK ((expires_at IS NULL AND verified_at IS NULL) OR expires_at = verified_at + interval '24 hours');

COMMENT ON CONSTRAINT asset_verifications_expires_at_check ON bloxtr8.asset_verifications IS
'A verified result is cached exactly 24 hours.';
