-- Restores the body of game_market.create_payout from 0011 exactly.

CREATE OR REPLACE FUNCTION game_market.create_payout(p_purchase_id uuid)
RETURNS SETOF game_market.payouts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row game_market.payouts;
    v_source record;
BEGIN
    SELECT po.* INTO v_row FROM game_market.payouts AS po WHERE po.purchase_id = p_purchase_id;
    IF FOUND THEN
        RETURN NEXT v_row;
        RETURN;
    END IF;
    SELECT p.status, g.developer_user_id, d.payout_ln_address, e.amount_msat AS developer_share INTO v_source
    FROM game_market.purchases AS p
    INNER JOIN game_market.games AS g ON g.id = p.game_id
    INNER JOIN game_market.developer_profiles AS d ON d.user_id = g.developer_user_id
    LEFT JOIN game_market.ledger_entries AS e ON e.purchase_id = p.id AND e.type = 'developer_share'
    WHERE p.id = p_purchase_id
    FOR SHARE OF p;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('game_market.purchases', p_purchase_id::text);
    ELSIF v_source.status <> 'paid' THEN
        PERFORM common.raise_precondition_failed(
            'game_market.payouts', 'payouts_purchase_paid', 'a payout is created only for a paid purchase',
            format('purchase_id=%s status=%s', p_purchase_id, v_source.status)
        );
    END IF;
    INSERT INTO game_market.payouts AS po (
        purchase_id, developer_user_id, destination_ln_address, amount_msat, idempotency_key
    )
    VALUES (
        p_purchase_id, v_source.developer_user_id, v_source.payout_ln_address, v_source.developer_share,
        'game_market:payout:' || p_purchase_id
    )
    ON CONFLICT ON CONSTRAINT payouts_purchase_id_key DO NOTHING
    RETURNING po.* INTO v_row;
    IF NOT FOUND THEN
        SELECT po.* INTO v_row FROM game_market.payouts AS po WHERE po.purchase_id = p_purchase_id;
    END IF;
    RETURN NEXT v_row;
END
$fn$;
