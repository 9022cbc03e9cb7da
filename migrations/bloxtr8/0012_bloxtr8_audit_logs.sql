-- depends: 0011_bloxtr8_asset_verifications
-- bloxtr8.audit_logs (seed: AuditLog): the complete audit trail. Verbatim, plus: action is a snake_case
-- name (the seed's 'user_created', 'listing_created'); append-only, for every role (a trail that can be
-- rewritten is no trail). The app writes its own entries (action, details, user and escrow; created_at is
-- the database's clock); the escrow functions of 0017 write one for each move of an escrow.
-- Foreign keys RESTRICT: an append-only row cannot be updated to NULL.

CREATE TABLE bloxtr8.audit_logs (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    action text NOT NULL,
    details jsonb,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    user_id text,
    escrow_id text,
    CONSTRAINT audit_logs_pkey PRIMARY KEY (id),
    CONSTRAINT audit_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES bloxtr8.users (id) ON DELETE RESTRICT,
    CONSTRAINT audit_logs_escrow_id_fkey FOREIGN KEY (escrow_id) REFERENCES bloxtr8.escrows (id) ON DELETE RESTRICT,
    CONSTRAINT audit_logs_action_check CHECK (action ~ '^[a-z][a-z0-9_]{0,63}$')
);

CREATE INDEX audit_logs_user_id_created_at_id_idx ON bloxtr8.audit_logs (user_id, created_at DESC, id);

CREATE INDEX audit_logs_escrow_id_idx ON bloxtr8.audit_logs (escrow_id);

CREATE INDEX audit_logs_action_idx ON bloxtr8.audit_logs (action);

CREATE INDEX audit_logs_created_at_idx ON bloxtr8.audit_logs (created_at);

CALL common.define_append_only('bloxtr8.audit_logs');

COMMENT ON TABLE bloxtr8.audit_logs IS
'Complete audit trail (seed: AuditLog); append-only: rows are never updated or deleted, by any role.';
COMMENT ON COLUMN bloxtr8.audit_logs.action IS 'What happened, snake_case: user_created, escrow_released, ...';
COMMENT ON COLUMN bloxtr8.audit_logs.details IS 'Anything worth keeping about it.';
COMMENT ON CONSTRAINT audit_logs_action_check ON bloxtr8.audit_logs IS
'A snake_case name, 1 to 64 characters, starting with a letter.';
COMMENT ON INDEX bloxtr8.audit_logs_created_at_idx IS 'Time-based queries (seed).';
COMMENT ON INDEX bloxtr8.audit_logs_user_id_created_at_id_idx IS
'The seed''s userId index (leading user_id, behind audit_logs_user_id_fkey), newest first: a user''s trail.';

GRANT SELECT, INSERT (action, details, user_id, escrow_id) ON bloxtr8.audit_logs TO chaindb_app;
GRANT SELECT ON bloxtr8.audit_logs TO chaindb_readonly;
