-- Undoes 0020_bloxtr8_verification_expiry_check_swap: the new CHECK back under its 0019 name, the old one as
-- 0011_bloxtr8_asset_verifications made it.

ALTER TABLE bloxtr8.asset_verifications
RENAME CONSTRAINT asset_verifications_expires_at_check TO asset_verifications_expires_at_check_new;

ALTER TABLE bloxtr8.asset_verifications
ADD CONSTRAINT asset_verifications_expires_at_check
CHECK ((expires_at IS NULL AND verified_at IS NULL) OR expires_at = verified_at + interval '24 hours');

COMMENT ON CONSTRAINT asset_verifications_expires_at_check ON bloxtr8.asset_verifications IS
'A verified result is cached exactly 24 hours.';
