-- depends: 0019_bloxtr8_verification_expiry_check
-- Validates the CHECK 0019 added NOT VALID (a scan under SHARE UPDATE EXCLUSIVE: reads and writes go on meanwhile),
-- then drops the old one and gives the new one its name, asset_verifications_expires_at_check (a brief ACCESS
-- EXCLUSIVE lock, at the end). Fails, naming the constraint, if a row has one of the two times without the other.

ALTER TABLE bloxtr8.asset_verifications VALIDATE CONSTRAINT asset_verifications_expires_at_check_new;

-- The guarantee stays: the dropped CHECK has its validated, stricter successor, which takes its name (the name
-- clients see in errors) in the same transaction.
-- squawk-ignore ban-drop-constraint
ALTER TABLE bloxtr8.asset_verifications DROP CONSTRAINT asset_verifications_expires_at_check;

ALTER TABLE bloxtr8.asset_verifications
-- squawk-ignore renaming-object
RENAME CONSTRAINT asset_verifications_expires_at_check_new TO asset_verifications_expires_at_check;
