-- Undoes 0002_tips_hosts.

REVOKE ALL ON tips.hosts FROM chaindb_app, chaindb_readonly;

CALL common.drop_immutable_columns('tips.hosts');

DROP TABLE tips.hosts;
