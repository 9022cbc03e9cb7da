-- depends: 0011_game_market_payout_functions
-- The purchase functions, called by queries/game_market/purchases.sql: buy, settle, expire,
-- refund. Conventions as in 0010_game_market_catalog_functions.
--
--   create_purchase  a pending purchase of a published game (CD007 purchases_game_published)
--                    for a user, or for a guest when buyer_user_id is NULL (the database makes
--                    the receipt code). Idempotent per invoice: the same invoice with the same
--                    game, buyer, provider and amount returns the existing purchase (the guest
--                    keeps their receipt code); with anything else CD002 naming the fields.
--   settle_invoice   the settlement webhook: pending | expired -> paid, exactly once. In the same
--                    transaction, one statement writes the entitlement (the purchase's buyer and
--                    game), the ledger split (sale, platform_fee, developer_share at the game's
--                    fee rate) and the payout (the developer share to the profile's address, as
--                    create_payout would make it). The move is one guarded UPDATE
--                    (WHERE status IN pending, expired): of concurrent deliveries one moves the
--                    row, the others wait for its commit, find it paid and return it unchanged;
--                    a replay later does the same. A refunded purchase is returned unchanged.
--   expire_invoice   the expiry webhook: pending -> expired (an expired purchase is returned
--                    unchanged; CD001 when paid or refunded).
--   refund_purchase  paid -> refunded; in the same transaction the entitlement is revoked, the
--                    ledger gets the mirror entries (refund, platform_fee_refund,
--                    developer_share_refund) and a payout whose money has not left (pending,
--                    failed) is cancelled. A payout already sending or completed stays: the
--                    developer's balance then owes the share back (developer_balance).
--                    A refunded purchase is returned unchanged; CD001 when pending or expired.
-- Timestamps never precede the row they follow (greatest(common.now(), ...)): a transaction that
-- started before the purchase was committed still records a paid_at after its created_at.

CREATE FUNCTION game_market.create_purchase(
    p_game_id uuid, p_buyer_user_id uuid, p_invoice_provider text, p_invoice_id text, p_amount_msat bigint
)
RETURNS SETOF game_market.purchases
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row game_market.purchases;
    v_game_status game_market.game_status;
    v_diff text[];
BEGIN
    LOOP
        SELECT p.* INTO v_row FROM game_market.purchases AS p WHERE p.invoice_id = p_invoice_id;
        IF FOUND THEN
            v_diff := array_remove(ARRAY[
                CASE WHEN v_row.game_id IS DISTINCT FROM p_game_id THEN 'game_id' END,
                CASE WHEN v_row.buyer_user_id IS DISTINCT FROM p_buyer_user_id THEN 'buyer_user_id' END,
                CASE WHEN v_row.invoice_provider IS DISTINCT FROM p_invoice_provider THEN 'invoice_provider' END,
                CASE WHEN v_row.amount_msat IS DISTINCT FROM p_amount_msat THEN 'amount_msat' END
            ], NULL);
            IF cardinality(v_diff) > 0 THEN
                RAISE EXCEPTION 'purchases: invoice % belongs to another purchase', p_invoice_id
                    USING ERRCODE = 'CD002',
                          DETAIL = format(
                              'invoice_id=%s purchase=%s differs in: %s',
                              p_invoice_id, v_row.id, array_to_string(v_diff, ', ')
                          ),
                          HINT = 'A new purchase needs a new invoice.',
                          CONSTRAINT = 'purchases_invoice_id_key',
                          SCHEMA = 'game_market',
                          TABLE = 'purchases';
            END IF;
            RETURN NEXT v_row;
            RETURN;
        END IF;

        SELECT g.status INTO v_game_status FROM game_market.games AS g WHERE g.id = p_game_id;
        IF NOT FOUND THEN
            PERFORM common.raise_not_found('game_market.games', coalesce(p_game_id::text, 'NULL'));
        ELSIF v_game_status <> 'published' THEN
            PERFORM common.raise_precondition_failed(
                'game_market.purchases', 'purchases_game_published', 'a game is sold only while published',
                format('game_id=%s status=%s', p_game_id, v_game_status)
            );
        END IF;

        INSERT INTO game_market.purchases AS p (
            buyer_user_id, guest_receipt_code, game_id, invoice_provider, invoice_id, amount_msat
        )
        VALUES (
            p_buyer_user_id,
            CASE WHEN p_buyer_user_id IS NULL THEN encode(extensions.gen_random_bytes(16), 'hex') END,
            p_game_id, p_invoice_provider, p_invoice_id, p_amount_msat
        )
        ON CONFLICT ON CONSTRAINT purchases_invoice_id_key DO NOTHING
        RETURNING p.* INTO v_row;
        IF FOUND THEN
            RETURN NEXT v_row;
            RETURN;
        END IF;
        -- another transaction created this invoice's purchase meanwhile: compare with it
    END LOOP;
END
$fn$;

COMMENT ON FUNCTION game_market.create_purchase(uuid, uuid, text, text, bigint) IS
'A pending purchase of a published game backed by a Lightning invoice, for a user, or for a guest when '
'p_buyer_user_id is NULL (guest_receipt_code: 16 random bytes, hex). CD005 unknown game, CD007 '
'purchases_game_published. The same invoice again: the same game, buyer, provider and amount return the existing '
'purchase, anything else raises CD002 (the fields in DETAIL). Race-safe.';

CREATE FUNCTION game_market.settle_invoice(p_invoice_provider text, p_invoice_id text)
RETURNS SETOF game_market.purchases
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row game_market.purchases;
    v_source record;
    v_fee bigint;
BEGIN
    UPDATE game_market.purchases AS p
    SET status = 'paid', paid_at = greatest(common.now(), p.created_at)
    WHERE p.invoice_id = p_invoice_id AND p.invoice_provider = p_invoice_provider AND p.status IN ('pending', 'expired')
    RETURNING p.* INTO v_row;
    IF NOT FOUND THEN
        -- paid (or refunded) already: a replayed or concurrent delivery changes nothing
        SELECT p.* INTO v_row
        FROM game_market.purchases AS p
        WHERE p.invoice_id = p_invoice_id AND p.invoice_provider = p_invoice_provider;
        IF NOT FOUND THEN
            PERFORM common.raise_not_found(
                'game_market.purchases',
                format('%s:%s', coalesce(p_invoice_provider, 'NULL'), coalesce(p_invoice_id, 'NULL'))
            );
        END IF;
        RETURN NEXT v_row;
        RETURN;
    END IF;

    -- who is paid, where, at which fee rate
    SELECT g.developer_user_id, d.payout_ln_address, game_market.fee_bps_for_game(g.id) AS fee_bps INTO v_source
    FROM game_market.games AS g
    INNER JOIN game_market.developer_profiles AS d ON d.user_id = g.developer_user_id
    WHERE g.id = v_row.game_id;
    IF v_source.fee_bps IS NULL THEN
        PERFORM common.raise_precondition_failed(
            'game_market.fee_rates', 'fee_rates_default_rate', 'no fee rate applies to the game (no default rate)',
            format('game_id=%s', v_row.game_id)
        );
    END IF;
    v_fee := floor(v_row.amount_msat::numeric * v_source.fee_bps / 10000)::bigint;

    -- the entitlement, the ledger split and the payout (as create_payout makes it), in one statement
    WITH entitlement AS (
        INSERT INTO game_market.entitlements (purchase_id, buyer_user_id, guest_receipt_code, game_id, granted_at)
        VALUES (v_row.id, v_row.buyer_user_id, v_row.guest_receipt_code, v_row.game_id, v_row.paid_at)
    ),

    ledger AS (
        INSERT INTO game_market.ledger_entries (purchase_id, type, amount_msat, meta_json)
        VALUES
        (
            v_row.id, 'sale', v_row.amount_msat,
            jsonb_build_object('invoice_provider', v_row.invoice_provider, 'invoice_id', v_row.invoice_id)
        ),
        (v_row.id, 'platform_fee', v_fee, jsonb_build_object('fee_bps', v_source.fee_bps)),
        (v_row.id, 'developer_share', v_row.amount_msat - v_fee, jsonb_build_object('fee_bps', v_source.fee_bps))
    )

    INSERT INTO game_market.payouts (purchase_id, developer_user_id, destination_ln_address, amount_msat, idempotency_key)
    VALUES (
        v_row.id, v_source.developer_user_id, v_source.payout_ln_address, v_row.amount_msat - v_fee,
        'game_market:payout:' || v_row.id
    );
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION game_market.settle_invoice(text, text) IS
'The settlement webhook of an invoice: pending | expired -> paid (paid_at), and in the same transaction the '
'entitlement, the ledger split (sale = amount, platform_fee = floor(amount * fee_bps / 10000), developer_share = '
'the rest) and the payout. Exactly once: a replayed or concurrent delivery returns the purchase unchanged (also '
'when refunded). CD005 unknown invoice (provider and id), CD007 fee_rates_default_rate without a fee rate.';

CREATE FUNCTION game_market.expire_invoice(p_invoice_provider text, p_invoice_id text)
RETURNS SETOF game_market.purchases
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row game_market.purchases;
BEGIN
    SELECT p.* INTO v_row
    FROM game_market.purchases AS p
    WHERE p.invoice_id = p_invoice_id AND p.invoice_provider = p_invoice_provider
    FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found(
            'game_market.purchases',
            format('%s:%s', coalesce(p_invoice_provider, 'NULL'), coalesce(p_invoice_id, 'NULL'))
        );
    ELSIF v_row.status <> 'expired' THEN
        -- the declared state machine refuses paid | refunded -> expired (CD001)
        UPDATE game_market.purchases AS p SET status = 'expired' WHERE p.id = v_row.id RETURNING p.* INTO v_row;
    END IF;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION game_market.expire_invoice(text, text) IS
'The expiry webhook of an invoice: pending -> expired. An expired purchase is returned unchanged. CD005 unknown '
'invoice, CD001 when paid or refunded.';

CREATE FUNCTION game_market.refund_purchase(p_id uuid)
RETURNS SETOF game_market.purchases
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_row game_market.purchases;
BEGIN
    SELECT p.* INTO v_row FROM game_market.purchases AS p WHERE p.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('game_market.purchases', p_id::text);
    ELSIF v_row.status <> 'refunded' THEN
        -- the declared state machine refuses pending | expired -> refunded (CD001)
        UPDATE game_market.purchases AS p SET status = 'refunded' WHERE p.id = p_id RETURNING p.* INTO v_row;

        UPDATE game_market.entitlements AS e SET revoked_at = greatest(common.now(), e.granted_at)
        WHERE e.purchase_id = p_id AND e.revoked_at IS NULL;

        INSERT INTO game_market.ledger_entries (purchase_id, type, amount_msat, meta_json)
        SELECT
            e.purchase_id,
            CASE e.type
                WHEN 'sale' THEN 'refund'
                WHEN 'platform_fee' THEN 'platform_fee_refund'
                ELSE 'developer_share_refund'
            END::game_market.ledger_entry_type,
            e.amount_msat,
            e.meta_json
        FROM game_market.ledger_entries AS e
        WHERE e.purchase_id = p_id AND e.type IN ('sale', 'platform_fee', 'developer_share');

        UPDATE game_market.payouts AS po SET status = 'cancelled'
        WHERE po.purchase_id = p_id AND po.status IN ('pending', 'failed');
    END IF;
    RETURN NEXT v_row;
END
$fn$;

COMMENT ON FUNCTION game_market.refund_purchase(uuid) IS
'paid -> refunded, and in the same transaction: the entitlement revoked, the refund entries mirroring the sale, '
'split and share, the payout cancelled unless its money left (sending, completed: the developer then owes the share '
'back). A refunded purchase is returned unchanged. CD005 unknown purchase, CD001 when pending or expired.';

GRANT EXECUTE ON FUNCTION
game_market.create_purchase(uuid, uuid, text, text, bigint),
game_market.settle_invoice(text, text),
game_market.expire_invoice(text, text),
game_market.refund_purchase(uuid)
TO chaindb_app;
