-- Undoes 0004_tips_event_verifications.

REVOKE ALL ON tips.event_verifications FROM chaindb_app, chaindb_readonly;

REVOKE ALL ON TYPE tips.verification_status FROM chaindb_app, chaindb_readonly;

CALL common.drop_immutable_columns('tips.event_verifications');

CALL common.drop_state_machine('tips.event_verifications', 'status');

DROP TABLE tips.event_verifications;

DROP TYPE tips.verification_status;
