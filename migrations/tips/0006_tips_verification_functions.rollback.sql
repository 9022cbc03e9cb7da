-- Undoes 0006_tips_verification_functions: dropping a function drops its grants.

DROP FUNCTION tips.release_verification(uuid, uuid, interval);

DROP FUNCTION tips.fail_verification(uuid, uuid, varchar, bigint, jsonb);

DROP FUNCTION tips.verify_event(uuid, uuid, bigint, jsonb);

DROP FUNCTION tips.claim_verifications(integer, interval);

DROP FUNCTION tips.lock_claimed_verification(uuid, uuid, tips.verification_status);

DROP FUNCTION tips.check_argument(regclass, text, boolean, text, text);
