-- depends: 0014_game_market_download_events_partitioned
-- game_market.create_payout made race-safe, as 0011 meant it (found by tests/python/game_market/test_races.py):
--   - concurrent calls for one purchase: its INSERT named one arbiter (ON CONFLICT ON CONSTRAINT
--     payouts_purchase_id_key DO NOTHING), but the row also carries payouts_idempotency_key_key, derived
--     from the purchase id: a caller that inserted while another's row was uncommitted waited for it
--     and then failed with 23505 payouts_idempotency_key_key instead of returning the winner's payout.
--     Now ON CONFLICT DO NOTHING with no arbiter named: a conflict on either key (they go together,
--     payouts_idempotency_key_check) is a payout already written, which the call then returns.
--   - a call during the settlement of its purchase: it looked for the payout before it waited for the
--     purchase's lock, and read the developer share in the same statement as the lock (the lock
--     re-reads the purchase, not the ledger), so it found the purchase paid, no payout and no share,
--     and wrote a payout without an amount (23502). Now the purchase is locked (FOR SHARE) first, and
--     the payout and the share are read after the lock: a settlement in flight has committed by then,
--     and its payout is returned.
-- Errors, their SQLSTATEs and constraint names are unchanged. Rollback restores the 0011 body exactly.

CREATE OR REPLACE FUNCTION game_market.create_payout(p_purchase_id uuid)
RETURNS SETOF game_market.payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row game_market.payouts;
    v_status game_market.purchase_status;
    v_source record;
BEGIN
    -- the purchase first: a settlement or refund in flight commits before anything else is read here
    SELECT p.status INTO v_status FROM game_market.purchases AS p WHERE p.id = p_purchase_id FOR SHARE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('game_market.purchases', p_purchase_id::text);
    END IF;
    SELECT po.* INTO v_row FROM game_market.payouts AS po WHERE po.purchase_id = p_purchase_id;
    IF FOUND THEN
        RETURN NEXT v_row;
        RETURN;
    END IF;
    IF v_status <> 'paid' THEN
        PERFORM common.raise_precondition_failed(
            'game_market.payouts', 'payouts_purchase_paid', 'a payout is created only for a paid purchase',
            format('purchase_id=%s status=%s', p_purchase_id, v_status)
        );
    END IF;
    SELECT g.developer_user_id, d.payout_ln_address, e.amount_msat AS developer_share INTO v_source
    FROM game_market.purchases AS p
    INNER JOIN game_market.games AS g ON g.id = p.game_id
    INNER JOIN game_market.developer_profiles AS d ON d.user_id = g.developer_user_id
    LEFT JOIN game_market.ledger_entries AS e ON e.purchase_id = p.id AND e.type = 'developer_share'
    WHERE p.id = p_purchase_id;
    -- no arbiter named: the purchase's payout conflicts on both keys (the idempotency key is derived from it)
    INSERT INTO game_market.payouts AS po (
        purchase_id, developer_user_id, destination_ln_address, amount_msat, idempotency_key
    )
    VALUES (
        p_purchase_id, v_source.developer_user_id, v_source.payout_ln_address, v_source.developer_share,
        'game_market:payout:' || p_purchase_id
    )
    ON CONFLICT DO NOTHING
    RETURNING po.* INTO v_row;
    IF NOT FOUND THEN
        SELECT po.* INTO v_row FROM game_market.payouts AS po WHERE po.purchase_id = p_purchase_id;
    END IF;
    RETURN NEXT v_row;
END
$fn$;
