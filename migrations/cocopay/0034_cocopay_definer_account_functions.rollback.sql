DROP FUNCTION cocopay.revoke_user_sessions(uuid);

DROP FUNCTION cocopay.revoke_session(uuid);

DROP FUNCTION cocopay.verify_user_phone(uuid);

DROP FUNCTION cocopay.mark_smart_account_deployed(uuid, varchar);

DROP FUNCTION cocopay.get_or_create_smart_account(
    uuid, cocopay.chain_id, varchar, varchar, varchar, cocopay.custody_status
);
