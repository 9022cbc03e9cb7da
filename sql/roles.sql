-- Hand-written (not generated, not a yoyo migration): the cluster-wide roles, created idempotently by set-up
-- (`make migrate` runs it first; it needs CREATEROLE). Migrations only grant.
--
--   chaindb_owner     NOLOGIN  owns every object; migrations run as this role (SET ROLE)
--   chaindb_app       NOLOGIN  what applications need: granted per table by each schema's migrations
--   chaindb_readonly  NOLOGIN  reads everything except secret columns
--
-- Login roles for applications and analysts are created by the DBA and granted
-- membership in chaindb_app or chaindb_readonly.
DO $roles$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['chaindb_owner', 'chaindb_app', 'chaindb_readonly'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
        END IF;
    END LOOP;
    -- The owner creates schemas in this database, and yoyo's bookkeeping tables in public.
    EXECUTE format('GRANT CREATE ON DATABASE %I TO chaindb_owner', current_database());
END
$roles$;

GRANT USAGE, CREATE ON SCHEMA public TO chaindb_owner;
