-- Store members: invite (by an accepted owner or admin), accept, list.

-- name: store_member_invite(store_id, user_id, role, invited_by)^
-- Invite a user as admin or staff (cocopay.invite_store_member): CD007 when the role is owner or the inviter is
-- not an accepted owner or admin of the store; 23505 store_members_store_id_user_id_key for a member already.
-- invited_at is common.now().
-- @one
SELECT m.*
FROM cocopay.invite_store_member(:store_id::uuid, :user_id::uuid, :role::cocopay.store_role, :invited_by::uuid) AS m;

-- name: store_member_accept(store_id, user_id)^
-- Accept an invitation at common.now() (cocopay.accept_store_member): CD005 no invitation, CD007 accepted already.
-- @one
SELECT m.*
FROM cocopay.accept_store_member(:store_id::uuid, :user_id::uuid) AS m;

-- name: store_member_get(store_id, user_id)^
-- One membership (or invitation).
SELECT m.*
FROM cocopay.store_members AS m
WHERE m.store_id = :store_id::uuid AND m.user_id = :user_id::uuid;

-- name: store_member_list(store_id)
-- The members and open invitations of a store, owner first, then by invitation time.
SELECT m.*
FROM cocopay.store_members AS m
WHERE m.store_id = :store_id::uuid
ORDER BY m.role, m.invited_at, m.id;
