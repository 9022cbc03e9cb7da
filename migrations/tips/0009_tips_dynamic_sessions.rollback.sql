-- Undoes 0009_tips_dynamic_sessions: dropping a function drops its grants.

REVOKE ALL ON tips.dynamic_sessions FROM chaindb_app, chaindb_readonly;

REVOKE ALL ON TYPE tips.dynamic_session_status FROM chaindb_app, chaindb_readonly;

DROP FUNCTION tips.fail_dynamic_session(uuid, text);

DROP FUNCTION tips.assign_session_wallet(uuid, varchar);

CALL common.drop_immutable_columns('tips.dynamic_sessions');

CALL common.drop_state_machine('tips.dynamic_sessions', 'status');

DROP TABLE tips.dynamic_sessions;

DROP TYPE tips.dynamic_session_status;
