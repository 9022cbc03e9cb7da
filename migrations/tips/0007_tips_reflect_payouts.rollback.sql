-- Undoes 0007_tips_reflect_payouts.

REVOKE ALL ON tips.reflect_payouts FROM chaindb_app, chaindb_readonly;

REVOKE ALL ON TYPE tips.payout_status FROM chaindb_app, chaindb_readonly;

CALL common.drop_immutable_columns('tips.reflect_payouts');

CALL common.drop_state_machine('tips.reflect_payouts', 'status');

DROP TABLE tips.reflect_payouts;

DROP FUNCTION tips.tg_reflect_payouts__event_verified();

DROP TYPE tips.payout_status;
