-- Guilds: the Discord servers the marketplace serves, and their members.

-- name: guild_upsert(discord_id, name)<!
-- The guild with this Discord id, created or renamed.
INSERT INTO bloxtr8.guilds AS g (discord_id, name)
VALUES (:discord_id::text, :name::text)
ON CONFLICT ON CONSTRAINT guilds_discord_id_key DO UPDATE SET name = excluded.name
RETURNING g.*;

-- name: guild_get_by_discord_id(discord_id)^
-- One guild by its Discord id.
SELECT g.* FROM bloxtr8.guilds AS g
WHERE g.discord_id = :discord_id::text;

-- name: guild_member_add(guild_id, user_id)<!
-- A user joins a guild. 23505 guild_members_guild_id_user_id_key (a member already), 23503 unknown guild or user.
INSERT INTO bloxtr8.guild_members AS m (guild_id, user_id)
VALUES (:guild_id::text, :user_id::text)
RETURNING m.*;

-- name: guild_member_remove(guild_id, user_id)!
-- A user leaves a guild; returns how many memberships ended (0 or 1).
DELETE FROM bloxtr8.guild_members AS m
WHERE m.guild_id = :guild_id::text AND m.user_id = :user_id::text;

-- name: guild_member_list_by_user(user_id)
-- The guilds a user belongs to, by the time they joined.
SELECT m.* FROM bloxtr8.guild_members AS m
WHERE m.user_id = :user_id::text
ORDER BY m.created_at, m.id;
