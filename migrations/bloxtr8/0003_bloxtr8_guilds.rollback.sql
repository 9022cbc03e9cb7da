-- Undoes 0003_bloxtr8_guilds.

CALL common.drop_immutable_columns('bloxtr8.guild_members');

DROP TABLE bloxtr8.guild_members;

CALL common.drop_immutable_columns('bloxtr8.guilds');

DROP TABLE bloxtr8.guilds;
