-- Undoes 0011_bloxtr8_asset_verifications.

CALL common.drop_append_only('bloxtr8.roblox_snapshots');

DROP TABLE bloxtr8.roblox_snapshots;

CALL common.drop_immutable_columns('bloxtr8.asset_verifications');

CALL common.drop_state_machine('bloxtr8.asset_verifications', 'verification_status');

DROP TABLE bloxtr8.asset_verifications;
