-- Undoes 0024_cocopay_payout_functions: dropping a function drops its grants.

DROP FUNCTION cocopay.fail_payout(uuid, text, timestamptz);

DROP FUNCTION cocopay.complete_payout(uuid, varchar, timestamptz);

DROP FUNCTION cocopay.start_payout(uuid, varchar);

DROP FUNCTION cocopay.request_payout(uuid, uuid, numeric, cocopay.payout_type, jsonb, numeric, timestamptz);
