-- Undoes 0001_tips_schema.

REVOKE ALL ON SCHEMA tips FROM chaindb_app, chaindb_readonly;

DROP SCHEMA tips;
