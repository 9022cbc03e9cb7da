-- Undoes 0019_bloxtr8_verification_expiry_check: the CHECK as 0011_bloxtr8_asset_verifications made it.

ALTER TABLE bloxtr8.asset_verifications
DROP CONSTRAINT asset_verifications_expires_at_check,
ADD CONSTRAINT asset_verifications_expires_at_check
CHECK ((expires_at IS NULL AND verified_at IS NULL) OR expires_at = verified_at + interval '24 hours');

COMMENT ON CONSTRAINT asset_verifications_expires_at_check ON bloxtr8.asset_verifications IS
'A verified result is cached exactly 24 hours.';
