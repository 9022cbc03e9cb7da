-- depends: 0009_cocopay_store_deployments
-- cocopay.store_members, verbatim from the seed. Added: one owner per store
-- (store_members_one_owner_key), and an index behind the invited_by FK.

CREATE TABLE cocopay.store_members (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL,
    user_id uuid NOT NULL,

    -- Role
    role cocopay.store_role NOT NULL,

    -- Invitation
    invited_by uuid,
    invited_at timestamptz NOT NULL DEFAULT now(),
    accepted_at timestamptz,

    -- Timestamps
    created_at timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT store_members_pkey PRIMARY KEY (id),
    CONSTRAINT store_members_store_id_fkey FOREIGN KEY (store_id) REFERENCES cocopay.stores (id) ON DELETE CASCADE,
    CONSTRAINT store_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES cocopay.users (id) ON DELETE CASCADE,
    CONSTRAINT store_members_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES cocopay.users (id),
    CONSTRAINT store_members_store_id_user_id_key UNIQUE (store_id, user_id),
    CONSTRAINT store_members_accepted_at_check CHECK (accepted_at >= invited_at)
);

CREATE INDEX idx_store_members_store ON cocopay.store_members (store_id);

CREATE INDEX idx_store_members_user ON cocopay.store_members (user_id);

CREATE UNIQUE INDEX store_members_one_owner_key ON cocopay.store_members (store_id) WHERE role = 'owner';

CREATE INDEX store_members_invited_by_idx ON cocopay.store_members (invited_by);

COMMENT ON TABLE cocopay.store_members IS 'Team membership of stores: one owner, any number of admins and staff.';

COMMENT ON COLUMN cocopay.store_members.invited_by IS 'The member who sent the invitation; NULL for the founding owner.';

COMMENT ON COLUMN cocopay.store_members.accepted_at IS 'When the invitation was accepted; NULL while pending.';

COMMENT ON CONSTRAINT store_members_accepted_at_check ON cocopay.store_members IS
'An invitation is accepted after it is sent.';

COMMENT ON INDEX cocopay.store_members_one_owner_key IS 'A store has at most one owner.';

COMMENT ON INDEX cocopay.store_members_invited_by_idx IS 'Indexes the FK invited_by -> users.';
