-- Extensions every schema may use, kept out of the product schemas in their own
-- schema `extensions`. Plain CREATE (no IF NOT EXISTS): an extension already
-- installed elsewhere is an error here rather than something a rollback would drop.
-- pgcrypto, uuid-ossp and cube are trusted extensions: the owner role creates
-- them. earthdistance is not trusted: it is created by the session user (who
-- must be a superuser for this one statement), then the owner role is resumed.
--
-- Also: the owner's future functions and types are not granted to PUBLIC
-- (PostgreSQL's default); each schema grants what its roles need.

CREATE SCHEMA extensions;

COMMENT ON SCHEMA extensions IS 'Extensions (pgcrypto, uuid-ossp, cube, earthdistance), kept out of the product schemas.';

CREATE EXTENSION pgcrypto WITH SCHEMA extensions;

CREATE EXTENSION "uuid-ossp" WITH SCHEMA extensions;

CREATE EXTENSION cube WITH SCHEMA extensions;

SET ROLE NONE;

CREATE EXTENSION earthdistance WITH SCHEMA extensions;

SET ROLE chaindb_owner;

ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

ALTER DEFAULT PRIVILEGES REVOKE USAGE ON TYPES FROM PUBLIC;

GRANT USAGE ON SCHEMA extensions TO chaindb_app, chaindb_readonly;
