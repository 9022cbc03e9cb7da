-- Audit logs: append-only.

-- name: audit_log_append(user_id, ip_address, user_agent, action, resource_type, resource_id, old_values, new_values, metadata)<!
-- Append an audit entry (user_id NULL: a system action); created_at is the database's clock (common.now()).
-- @nullable-param user_id, ip_address, user_agent, resource_type, resource_id, old_values, new_values, metadata
INSERT INTO cocopay.audit_logs AS a (
    user_id, ip_address, user_agent, action, resource_type, resource_id, old_values, new_values, metadata
)
VALUES (
    :user_id::uuid,
    :ip_address::inet,
    :user_agent::text,
    :action::varchar,
    :resource_type::varchar,
    :resource_id::uuid,
    :old_values::jsonb,
    :new_values::jsonb,
    :metadata::jsonb
)
RETURNING a.*;

-- name: audit_log_list_by_resource(resource_type, resource_id)
-- The audit trail of one resource, oldest first.
SELECT a.*
FROM cocopay.audit_logs AS a
WHERE a.resource_type = :resource_type::varchar AND a.resource_id = :resource_id::uuid
ORDER BY a.created_at, a.id;

-- name: audit_log_list_by_user(user_id, max_rows)
-- A user's latest audit entries, newest first.
SELECT a.*
FROM cocopay.audit_logs AS a
WHERE a.user_id = :user_id::uuid
ORDER BY a.created_at DESC, a.id ASC
LIMIT :max_rows::integer;
