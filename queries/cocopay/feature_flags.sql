-- Feature flags: upsert, read, list the enabled ones.

-- name: feature_flag_upsert(name, description, enabled, rules)<!
-- Create or replace a flag by name; rules NULL means none ([]).
-- @nullable-param description, rules
-- @one
INSERT INTO cocopay.feature_flags AS f (name, description, enabled, rules)
VALUES (:name::varchar, :description::text, :enabled::boolean, coalesce(:rules::jsonb, '[]'::jsonb))
ON CONFLICT (name) DO UPDATE
    SET description = excluded.description, enabled = excluded.enabled, rules = excluded.rules
RETURNING f.*;

-- name: feature_flag_get(name)^
-- One flag by name.
SELECT f.* FROM cocopay.feature_flags AS f
WHERE f.name = :name::varchar;

-- name: feature_flag_list_enabled()
-- The enabled flags, by name.
SELECT f.* FROM cocopay.feature_flags AS f
WHERE f.enabled
ORDER BY f.name;
