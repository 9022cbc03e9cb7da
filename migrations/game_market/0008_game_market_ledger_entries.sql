-- depends: 0007_game_market_download_events
-- game_market.ledger_entries (seed: ledger_entries) and the platform fee it applies,
-- game_market.fee_rates. Seed silent, decided here:
--   - the fee rule: the platform keeps fee_bps basis points (1/100 of a percent) of each sale, the
--     developer the rest: platform_fee = floor(amount_msat * fee_bps / 10000), developer_share =
--     amount_msat - platform_fee (the rounding favours the developer; with fee_bps < 10000 the
--     share is always positive, so a payout is always owed). The rate is the game's row of
--     fee_rates if it has one, else the default row (game_id NULL): 1000 bps (10 %) as installed.
--     The rate in force when a purchase is settled is used, and written into the entries'
--     meta_json (fee_bps); a later change of rate touches only later sales. Rates are set by the
--     platform's operators as the owner (a DBA), never by the application, e.g.
--       INSERT INTO game_market.fee_rates (game_id, fee_bps) VALUES ('<game id>', 500)
--       ON CONFLICT ON CONSTRAINT fee_rates_game_id_key DO UPDATE SET fee_bps = excluded.fee_bps;
--   - ledger entries are written only by the settlement and refund functions (0012): when a
--     purchase is paid, one INSERT writes sale (= the purchase amount), platform_fee and
--     developer_share, in settle_invoice's transaction; a refund writes refund,
--     platform_fee_refund and developer_share_refund with the same three amounts. Amounts are
--     never negative, the type gives the direction.
--   - (purchase_id, type) is unique: one set of entries per purchase whatever the retries, and
--     the index behind the foreign key.
--   - ledger_entries_balanced (a statement trigger, for every role, the owner included): after
--     an INSERT, each purchase it touched has the full sale set, sale = the purchase amount,
--     platform_fee + developer_share = sale, the purchase is paid or refunded, and any refund
--     entry belongs to a refunded purchase whose refund set mirrors the sale set exactly. So the
--     three entries of a set are written by one INSERT. SQLSTATE 23514 (check_violation).
--   - append-only: no UPDATE, DELETE or TRUNCATE by anyone; a correction is a new entry.
--   - meta_json is a JSON object (the invoice on the sale, fee_bps on the split).

CREATE TABLE game_market.fee_rates (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    game_id uuid,
    fee_bps integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT fee_rates_pkey PRIMARY KEY (id),
    CONSTRAINT fee_rates_game_id_fkey FOREIGN KEY (game_id) REFERENCES game_market.games (id) ON DELETE CASCADE,
    CONSTRAINT fee_rates_game_id_key UNIQUE NULLS NOT DISTINCT (game_id),
    CONSTRAINT fee_rates_fee_bps_check CHECK (fee_bps >= 0 AND fee_bps < 10000)
);

INSERT INTO game_market.fee_rates (game_id, fee_bps) VALUES (NULL, 1000);

CALL common.define_immutable_columns('game_market.fee_rates', '{id, game_id, created_at}');

CREATE TRIGGER fee_rates_updated_at
BEFORE UPDATE ON game_market.fee_rates
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE game_market.fee_rates IS
'The platform''s fee, in basis points of a sale: one default row (game_id NULL) and at most one row per game, '
'which wins. Set by operators as the owner; the application reads it.';
COMMENT ON COLUMN game_market.fee_rates.game_id IS 'The game this rate applies to; NULL: the default of every other game.';
COMMENT ON COLUMN game_market.fee_rates.fee_bps IS
'The platform''s share of a sale in basis points (1000 = 10 %); 0 to 9999, so the developer always gets something.';
COMMENT ON CONSTRAINT fee_rates_game_id_key ON game_market.fee_rates IS
'At most one rate per game and one default (NULLS NOT DISTINCT); also serves the foreign key game_id.';
COMMENT ON CONSTRAINT fee_rates_fee_bps_check ON game_market.fee_rates IS
'A fee is 0 to 9999 basis points: never the whole sale.';
COMMENT ON TRIGGER fee_rates_updated_at ON game_market.fee_rates IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT ON game_market.fee_rates TO chaindb_app, chaindb_readonly;

-- PL/pgSQL rather than SQL: settle_invoice calls it for every settlement, and a SQL function that
-- cannot be inlined (this one has sub-selects) is planned again on every call; PL/pgSQL keeps the plan.
CREATE FUNCTION game_market.fee_bps_for_game(p_game_id uuid)
RETURNS integer
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RETURN coalesce(
        (SELECT f.fee_bps FROM game_market.fee_rates AS f WHERE f.game_id = p_game_id),
        (SELECT f.fee_bps FROM game_market.fee_rates AS f WHERE f.game_id IS NULL)
    );
END
$fn$;

COMMENT ON FUNCTION game_market.fee_bps_for_game(uuid) IS
'The platform fee rate of a game in basis points: its own row of fee_rates, else the default row; NULL when '
'neither exists.';

GRANT EXECUTE ON FUNCTION game_market.fee_bps_for_game(uuid) TO chaindb_app, chaindb_readonly;

CREATE TABLE game_market.ledger_entries (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    purchase_id uuid NOT NULL,
    type game_market.ledger_entry_type NOT NULL,
    amount_msat bigint NOT NULL,
    meta_json jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT ledger_entries_pkey PRIMARY KEY (id),
    CONSTRAINT ledger_entries_purchase_id_fkey FOREIGN KEY (purchase_id)
    REFERENCES game_market.purchases (id) ON DELETE RESTRICT,
    CONSTRAINT ledger_entries_purchase_id_type_key UNIQUE (purchase_id, type),
    CONSTRAINT ledger_entries_amount_msat_check CHECK (amount_msat >= 0),
    CONSTRAINT ledger_entries_meta_json_check CHECK (jsonb_typeof(meta_json) = 'object')
);

CALL common.define_append_only('game_market.ledger_entries');

-- Its one query has no parameter, so PL/pgSQL plans it once per session and keeps that plan: made
-- while ledger_entries is still small (a new database, the first settlements), it would scan the
-- table sequentially for the rest of the session as the table grows. enable_seqscan = off, for
-- this function only, keeps it on the indexes it is written for (purchases_pkey,
-- ledger_entries_purchase_id_type_key) whatever the table's size when it was planned.
CREATE FUNCTION game_market.tg_ledger_entries__balanced()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off
AS $fn$
DECLARE
    v_bad record;
BEGIN
    SELECT p.id, p.status, p.amount_msat, s.* INTO v_bad
    FROM (SELECT DISTINCT n.purchase_id FROM new_rows AS n) AS n
    INNER JOIN game_market.purchases AS p ON p.id = n.purchase_id
    CROSS JOIN LATERAL (
        SELECT
            sum(e.amount_msat) FILTER (WHERE e.type = 'sale') AS sale,
            sum(e.amount_msat) FILTER (WHERE e.type = 'platform_fee') AS platform_fee,
            sum(e.amount_msat) FILTER (WHERE e.type = 'developer_share') AS developer_share,
            sum(e.amount_msat) FILTER (WHERE e.type = 'refund') AS refund,
            sum(e.amount_msat) FILTER (WHERE e.type = 'platform_fee_refund') AS platform_fee_refund,
            sum(e.amount_msat) FILTER (WHERE e.type = 'developer_share_refund') AS developer_share_refund,
            count(*) FILTER (
                WHERE e.type IN ('refund', 'platform_fee_refund', 'developer_share_refund')
            ) AS refund_entries
        FROM game_market.ledger_entries AS e
        WHERE e.purchase_id = p.id
    ) AS s
    WHERE (
        p.status IN ('paid', 'refunded')
        AND s.sale = p.amount_msat
        AND s.platform_fee + s.developer_share = s.sale
        AND (
            s.refund_entries = 0
            OR (
                p.status = 'refunded'
                AND s.refund = s.sale
                AND s.platform_fee_refund = s.platform_fee
                AND s.developer_share_refund = s.developer_share
            )
        )
    ) IS NOT TRUE;  -- SELECT INTO stops at the first row
    IF FOUND THEN
        RAISE EXCEPTION 'ledger_entries: the entries of purchase % do not balance', v_bad.id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'ledger_entries_balanced',
                  SCHEMA = 'game_market',
                  TABLE = 'ledger_entries',
                  DETAIL = format(
                      'purchase_id=%s status=%s amount_msat=%s sale=%s platform_fee=%s developer_share=%s refund=%s '
                      'platform_fee_refund=%s developer_share_refund=%s',
                      v_bad.id, v_bad.status, v_bad.amount_msat, coalesce(v_bad.sale::text, 'none'),
                      coalesce(v_bad.platform_fee::text, 'none'), coalesce(v_bad.developer_share::text, 'none'),
                      coalesce(v_bad.refund::text, 'none'), coalesce(v_bad.platform_fee_refund::text, 'none'),
                      coalesce(v_bad.developer_share_refund::text, 'none')
                  ),
                  HINT = 'Write a purchase''s sale, platform_fee and developer_share (or its three refund entries) '
                  'in one INSERT.';
    END IF;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION game_market.tg_ledger_entries__balanced() IS
'AFTER INSERT statement trigger of ledger_entries (transition table new_rows): every purchase the INSERT touched '
'has sale = its amount, platform_fee + developer_share = sale, is paid or refunded, and refund entries only when '
'refunded, mirroring the sale set. Else SQLSTATE 23514 naming the pseudo-constraint ledger_entries_balanced.';

CREATE TRIGGER ledger_entries_balanced
AFTER INSERT ON game_market.ledger_entries
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION game_market.tg_ledger_entries__balanced();

COMMENT ON TABLE game_market.ledger_entries IS
'The money of each purchase, append-only: when paid, the sale and its split into platform fee and developer share '
'(they sum to the purchase amount); when refunded, the same three amounts given back.';
COMMENT ON COLUMN game_market.ledger_entries.type IS
'sale, platform_fee, developer_share; refund, platform_fee_refund, developer_share_refund. One of each per purchase.';
COMMENT ON COLUMN game_market.ledger_entries.amount_msat IS 'Millisatoshis, never negative: the type gives the direction.';
COMMENT ON COLUMN game_market.ledger_entries.meta_json IS
'A JSON object: the invoice (provider, id) on a sale, the fee rate (fee_bps) on the split entries.';
COMMENT ON CONSTRAINT ledger_entries_purchase_id_type_key ON game_market.ledger_entries IS
'One entry of each type per purchase: one set of entries however often a settlement is delivered. Also serves the '
'foreign key purchase_id.';
COMMENT ON CONSTRAINT ledger_entries_amount_msat_check ON game_market.ledger_entries IS
'Amounts are never negative (a fee may be 0).';
COMMENT ON CONSTRAINT ledger_entries_meta_json_check ON game_market.ledger_entries IS 'meta_json is a JSON object.';
COMMENT ON TRIGGER ledger_entries_balanced ON game_market.ledger_entries IS
'Each purchase an INSERT touches balances: sale = amount, platform_fee + developer_share = sale, refunds mirror the '
'sale (23514 ledger_entries_balanced).';

GRANT SELECT ON game_market.ledger_entries TO chaindb_app, chaindb_readonly;
