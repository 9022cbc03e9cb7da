-- Undoes 0002_bloxtr8_users (dropping a table drops its indexes, triggers, grants and comments).

CALL common.drop_immutable_columns('bloxtr8.sessions');

DROP TABLE bloxtr8.sessions;

CALL common.drop_immutable_columns('bloxtr8.accounts');

DROP TABLE bloxtr8.accounts;

CALL common.drop_immutable_columns('bloxtr8.users');

DROP TABLE bloxtr8.users;
