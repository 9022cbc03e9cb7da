-- depends: 0018_bloxtr8_verification_functions
-- asset_verifications_expires_at_check says "(expires_at IS NULL AND verified_at IS NULL) OR expires_at =
-- verified_at + 24 hours", but a comparison with a NULL is NULL, which a CHECK admits: a row with verified_at and no
-- expires_at (or the reverse) passes, so its first operand refuses nothing (make mutate: dropping either half of it
-- changes no verdict). IS NOT DISTINCT FROM says what is meant: both NULL, or expires_at exactly 24 hours after
-- verified_at. Every row the functions write keeps it (complete_asset_verification sets both, or neither). Added
-- NOT VALID under a new name; 0020 validates it and gives it the old one's name.

ALTER TABLE bloxtr8.asset_verifications
ADD CONSTRAINT asset_verifications_expires_at_check_new
CHECK (expires_at IS NOT DISTINCT FROM verified_at + interval '24 hours') NOT VALID;

COMMENT ON CONSTRAINT asset_verifications_expires_at_check_new ON bloxtr8.asset_verifications IS
'A verified result is cached exactly 24 hours: expires_at is verified_at + 24 hours, both or neither set.';
