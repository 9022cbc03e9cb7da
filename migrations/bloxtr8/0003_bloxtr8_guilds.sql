-- depends: 0002_bloxtr8_users
-- bloxtr8.guilds and guild_members: the seed references Guild (Listing.guild) and GuildMember
-- (User.guildMemberships) without defining them. Defined minimally: a guild is a Discord server the
-- marketplace bot serves (its snowflake id, unique) and a membership links a user to it once. A listing
-- may be posted in a guild its seller belongs to (bloxtr8.create_listing).

CREATE TABLE bloxtr8.guilds (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    discord_id text NOT NULL,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT guilds_pkey PRIMARY KEY (id),
    CONSTRAINT guilds_discord_id_key UNIQUE (discord_id),
    CONSTRAINT guilds_discord_id_check CHECK (discord_id ~ '^[0-9]{17,20}$'),
    CONSTRAINT guilds_name_check CHECK (name <> '')
);

CALL common.define_immutable_columns('bloxtr8.guilds', '{id, discord_id, created_at}');

CREATE TRIGGER guilds_updated_at
BEFORE UPDATE ON bloxtr8.guilds
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.guilds IS
'Seed silent (Guild is referenced, not defined): a Discord server the marketplace serves; listings may be posted in it.';
COMMENT ON COLUMN bloxtr8.guilds.discord_id IS 'The Discord guild id (a snowflake: 17 to 20 digits).';
COMMENT ON CONSTRAINT guilds_discord_id_check ON bloxtr8.guilds IS 'A Discord snowflake: 17 to 20 decimal digits.';
COMMENT ON TRIGGER guilds_updated_at ON bloxtr8.guilds IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT, INSERT (discord_id, name), UPDATE (name) ON bloxtr8.guilds TO chaindb_app;
GRANT SELECT ON bloxtr8.guilds TO chaindb_readonly;

CREATE TABLE bloxtr8.guild_members (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    guild_id text NOT NULL,
    user_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT guild_members_pkey PRIMARY KEY (id),
    CONSTRAINT guild_members_guild_id_fkey FOREIGN KEY (guild_id) REFERENCES bloxtr8.guilds (id) ON DELETE CASCADE,
    CONSTRAINT guild_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES bloxtr8.users (id) ON DELETE CASCADE,
    CONSTRAINT guild_members_guild_id_user_id_key UNIQUE (guild_id, user_id)
);

CREATE INDEX guild_members_user_id_idx ON bloxtr8.guild_members (user_id);

CALL common.define_immutable_columns('bloxtr8.guild_members', '{id, guild_id, user_id, created_at}');

COMMENT ON TABLE bloxtr8.guild_members IS
'Seed silent (GuildMember is referenced, not defined): a user''s membership of a guild, once per guild; joining '
'is an INSERT, leaving a DELETE.';
COMMENT ON CONSTRAINT guild_members_guild_id_user_id_key ON bloxtr8.guild_members IS
'A user is a member of a guild once; also the index behind guild_members_guild_id_fkey.';

GRANT SELECT, INSERT (guild_id, user_id), DELETE ON bloxtr8.guild_members TO chaindb_app;
GRANT SELECT ON bloxtr8.guild_members TO chaindb_readonly;
