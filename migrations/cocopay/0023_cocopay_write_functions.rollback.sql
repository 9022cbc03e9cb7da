-- Undoes 0023_cocopay_write_functions: dropping a function drops its grants.

DROP FUNCTION cocopay.accept_store_member(uuid, uuid, timestamptz);

DROP FUNCTION cocopay.invite_store_member(uuid, uuid, cocopay.store_role, uuid, timestamptz);

DROP FUNCTION cocopay.create_store(
    uuid, varchar, varchar, varchar, varchar, text, numeric, numeric, text, varchar, varchar, varchar
);

DROP FUNCTION cocopay.fail_transaction(uuid, varchar, text);

DROP FUNCTION cocopay.confirm_transaction(uuid, varchar, varchar, bigint, timestamptz);

DROP FUNCTION cocopay.create_transaction(
    varchar, cocopay.transaction_type, numeric, cocopay.chain_id, uuid, uuid, uuid, jsonb, jsonb, varchar, timestamptz
);
