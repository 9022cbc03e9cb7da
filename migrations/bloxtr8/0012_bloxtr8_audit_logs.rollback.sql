-- Undoes 0012_bloxtr8_audit_logs.

CALL common.drop_append_only('bloxtr8.audit_logs');

DROP TABLE bloxtr8.audit_logs;
