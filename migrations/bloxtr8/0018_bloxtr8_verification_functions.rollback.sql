-- Undoes 0018_bloxtr8_verification_functions (dropping a function drops its grants and comment).

DROP FUNCTION bloxtr8.create_roblox_snapshot(text, text, text, text, text, integer, bigint, timestamptz, jsonb);

DROP FUNCTION bloxtr8.expire_asset_verifications();

DROP FUNCTION bloxtr8.complete_asset_verification(text, boolean, bloxtr8.game_ownership_type, jsonb);

DROP FUNCTION bloxtr8.start_asset_verification(text, text, bloxtr8.verification_method);
