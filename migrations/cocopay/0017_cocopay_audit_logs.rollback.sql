DROP TABLE cocopay.audit_logs;
