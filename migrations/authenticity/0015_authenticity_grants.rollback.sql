-- Revokes what 0015 granted. Its REVOKEs from PUBLIC removed nothing (PUBLIC held no
-- privilege on these objects: the owner's default privileges grant none), so nothing is
-- given back to PUBLIC.

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA authenticity FROM chaindb_app, chaindb_readonly;
REVOKE ALL ON ALL TABLES IN SCHEMA authenticity FROM chaindb_app, chaindb_readonly;
REVOKE ALL ON TYPE authenticity.treasury_op_type FROM chaindb_app, chaindb_readonly;
REVOKE ALL ON TYPE authenticity.verification_result FROM chaindb_app, chaindb_readonly;
REVOKE ALL ON TYPE authenticity.verify_intent_status FROM chaindb_app, chaindb_readonly;
REVOKE ALL ON TYPE authenticity.code_pack_status FROM chaindb_app, chaindb_readonly;
REVOKE ALL ON TYPE authenticity.batch_status FROM chaindb_app, chaindb_readonly;
REVOKE ALL ON TYPE authenticity.manufacturer_status FROM chaindb_app, chaindb_readonly;
REVOKE ALL ON DOMAIN authenticity.bytes32 FROM chaindb_app, chaindb_readonly;
REVOKE ALL ON SCHEMA authenticity FROM chaindb_app, chaindb_readonly;
