-- Audit logs: append-only. The escrow functions write one entry per escrow move; the application writes its own.

-- name: audit_log_create(action, details, user_id, escrow_id)<!
-- Appends an entry (created_at: the database's clock). 23514 audit_logs_action_check (not snake_case), 23503
-- unknown user or escrow.
-- @nullable-param details, user_id, escrow_id
INSERT INTO bloxtr8.audit_logs AS a (action, details, user_id, escrow_id)
VALUES (:action::text, :details::jsonb, :user_id::text, :escrow_id::text)
RETURNING a.*;

-- name: audit_log_list_by_escrow(escrow_id)
-- An escrow's trail, oldest first.
SELECT a.* FROM bloxtr8.audit_logs AS a
WHERE a.escrow_id = :escrow_id::text
ORDER BY a.created_at, a.id;

-- name: audit_log_list_by_user(user_id, max_rows)
-- A user's newest entries.
SELECT a.* FROM bloxtr8.audit_logs AS a
WHERE a.user_id = :user_id::text
ORDER BY a.created_at DESC, a.id ASC
LIMIT :max_rows::integer;
