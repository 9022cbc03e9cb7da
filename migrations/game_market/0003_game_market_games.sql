-- depends: 0002_game_market_users
-- game_market.games (seed: games). Seed silent, decided here:
--   - developer_user_id references users (the seed) and also developer_profiles: only a user with
--     a developer profile (a payout address) sells games. Both are RESTRICT: a developer with
--     games stays. One index serves both foreign keys.
--   - slug is unique (the seed's must-have index) and URL-safe: lowercase letters and digits in
--     words joined by single hyphens, at most 64 characters. It may change (old links break).
--   - title is required (1 to 200 characters, something visible); summary at most 500 characters.
--   - status: draft -> published <-> unlisted (declared below). A new game is a draft; it is
--     published by game_market.publish_game (0010), which asks for a published release. Only a
--     published game is sold (0012); owners download whatever the game's status.

CREATE TABLE game_market.games (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    developer_user_id uuid NOT NULL,
    slug text NOT NULL,
    title text NOT NULL,
    summary text,
    description_md text,
    status game_market.game_status NOT NULL DEFAULT 'draft',
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT games_pkey PRIMARY KEY (id),
    CONSTRAINT games_developer_user_id_fkey FOREIGN KEY (developer_user_id)
    REFERENCES game_market.users (id) ON DELETE RESTRICT,
    CONSTRAINT games_developer_profile_fkey FOREIGN KEY (developer_user_id)
    REFERENCES game_market.developer_profiles (user_id) ON DELETE RESTRICT,
    CONSTRAINT games_slug_key UNIQUE (slug),
    CONSTRAINT games_slug_check CHECK (char_length(slug) <= 64 AND slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT games_title_check CHECK (
        char_length(title) <= 200 AND title ~ '[^[:space:]]' AND title !~ '[[:cntrl:]]'
    ),
    CONSTRAINT games_summary_check CHECK (char_length(summary) <= 500)
);

CREATE INDEX games_developer_user_id_idx ON game_market.games (developer_user_id);

CREATE INDEX games_published_created_at_id_idx ON game_market.games (created_at DESC, id)
WHERE status = 'published';

CALL common.define_state_machine(
    'game_market.games', 'status', '{draft>published, published>unlisted, unlisted>published}', '{draft}',
    'A game starts as a draft; publish_game moves it to published (with a published release); unlist_game takes it '
    'out of the catalog and off sale, publish_game brings it back. No way back to draft once shown.'
);

CALL common.define_immutable_columns('game_market.games', '{id, developer_user_id, created_at}');

CREATE TRIGGER games_updated_at
BEFORE UPDATE ON game_market.games
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE game_market.games IS 'A game a developer sells: its store page and its status.';
COMMENT ON COLUMN game_market.games.developer_user_id IS
'The developer (a user with a developer profile); never changes: sales and payouts follow it.';
COMMENT ON COLUMN game_market.games.slug IS 'The game''s URL name: unique, lowercase words of a-z 0-9 joined by hyphens.';
COMMENT ON COLUMN game_market.games.description_md IS 'The store page''s long description, Markdown.';
COMMENT ON COLUMN game_market.games.status IS
'draft -> published <-> unlisted (common.state_machines). Sold only while published.';
COMMENT ON CONSTRAINT games_developer_profile_fkey ON game_market.games IS
'The developer has a developer profile (a payout address): only developers sell games.';
COMMENT ON CONSTRAINT games_slug_check ON game_market.games IS
'A slug is URL-safe: lowercase letters and digits, words joined by single hyphens, at most 64 characters.';
COMMENT ON CONSTRAINT games_title_check ON game_market.games IS
'A title has 1 to 200 characters, at least one visible, no control character.';
COMMENT ON CONSTRAINT games_summary_check ON game_market.games IS 'A summary has at most 500 characters.';
COMMENT ON INDEX game_market.games_developer_user_id_idx IS
'A developer''s games; serves both foreign keys on developer_user_id.';
COMMENT ON INDEX game_market.games_published_created_at_id_idx IS
'The catalog, newest first (game_list_published): the published games in the order the store lists them.';
COMMENT ON TRIGGER games_updated_at ON game_market.games IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT, INSERT (developer_user_id, slug, title, summary, description_md),
UPDATE (slug, title, summary, description_md)
ON game_market.games TO chaindb_app;
GRANT SELECT ON game_market.games TO chaindb_readonly;
