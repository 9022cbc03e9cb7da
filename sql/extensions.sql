-- Hand-written (not generated, not a yoyo migration): the extensions the migrations use, for a
-- DBA to install ahead of time where the user who migrates is not a superuser.
--
-- earthdistance is not a trusted extension: only a superuser can create it, and the
-- migration migrations/common/0001_common_extensions.sql creates it otherwise. Run this file
-- as a superuser, after sql/roles.sql (the schema belongs to chaindb_owner, as when the
-- migration creates it):
--
--   psql -v ON_ERROR_STOP=1 -d <database> -f sql/roles.sql -f sql/extensions.sql
--
-- The migration runner then finds the extensions in place, skips their CREATE statements,
-- records them as pre-installed (table _chaindb_migration, column kept) and never drops them:
-- a full rollback leaves this schema and these extensions to the DBA. `make check-db` says
-- whether they are needed.

CREATE SCHEMA IF NOT EXISTS extensions AUTHORIZATION chaindb_owner;

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;

CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;

CREATE EXTENSION IF NOT EXISTS cube WITH SCHEMA extensions;

CREATE EXTENSION IF NOT EXISTS earthdistance WITH SCHEMA extensions;
