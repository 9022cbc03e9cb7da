-- Undoes 0003_tips_events.

REVOKE ALL ON tips.events FROM chaindb_app, chaindb_readonly;

CALL common.drop_append_only('tips.events');

DROP TABLE tips.events;
