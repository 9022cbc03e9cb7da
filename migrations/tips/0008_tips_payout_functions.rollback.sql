-- Undoes 0008_tips_payout_functions: dropping a function drops its grants.

DROP FUNCTION tips.release_payout(uuid, uuid, interval, text);

DROP FUNCTION tips.cancel_payout(uuid, uuid, text);

DROP FUNCTION tips.fail_payout(uuid, uuid, text);

DROP FUNCTION tips.settle_payout(uuid, uuid);

DROP FUNCTION tips.queue_payout(uuid, uuid, varchar);

DROP FUNCTION tips.claim_payouts(tips.payout_status, integer, interval);

DROP FUNCTION tips.create_payout(varchar, varchar, numeric);

DROP FUNCTION tips.lock_claimed_payout(uuid, uuid, tips.payout_status[], tips.payout_status);
