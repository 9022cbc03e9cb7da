-- depends: 0016_bloxtr8_job_functions
-- Escrows: every write, as SECURITY DEFINER functions that move the escrow, its rail's detail row, its
-- delivery, dispute and listing together and append an audit_logs row for each move (chaindb_app reads
-- these tables and cannot write them).
--
--   create_escrow(contract, payment_intent_id, deposit_addr)   an AWAIT_FUNDS escrow for an EXECUTED
--       contract (CD007 escrows_contract_executed) for the offer's amount, on the rail the amount calls for,
--       with exactly that rail's detail row in the same statement: STRIPE (<= 1,000,000 cents) takes a
--       payment_intent_id, USDC_BASE a deposit_addr (stored lowercase), never the other (CD007
--       escrows_rail_detail). 23505 escrows_contract_id_key while the contract has an escrow not CANCELLED.
--   fund_escrow(escrow, deposit_tx)   AWAIT_FUNDS -> FUNDS_HELD (USDC_BASE: with its deposit transaction);
--       the delivery is created PENDING.
--   deliver_escrow(escrow, user, notes)   FUNDS_HELD -> DELIVERED by the seller (CD007 escrows_party), the
--       delivery DELIVERED.
--   release_escrow(escrow, transfer_id, release_tx, resolution)   DELIVERED | DISPUTED -> RELEASED with the
--       Stripe transfer or the release transaction; the delivery CONFIRMED, an open dispute RESOLVED, the
--       listing SOLD.
--   dispute_escrow(escrow, user, reason)   FUNDS_HELD | DELIVERED -> DISPUTED by the buyer or the seller
--       (CD007 escrows_party), the dispute OPEN.
--   refund_escrow(escrow, refund_id, refund_tx, resolution)   DISPUTED -> REFUNDED with the Stripe refund or
--       the refund transaction; the dispute RESOLVED. Not once a milestone was released (CD007
--       escrows_milestone_paid): the refund returns the whole amount, part of which the seller has.
--   cancel_escrow(escrow)   AWAIT_FUNDS -> CANCELLED (the funds never came).
--   add_escrow_milestone(escrow, title, amount), release_escrow_milestone(milestone)   milestones while
--       funds are expected or held, never adding up to more than the escrow (CD007
--       milestone_escrows_within_amount); released once, while the funds are held.
-- Money moves only with clean wallets: the buyer funds (create, fund) and receives a refund, the seller
-- receives a release or a milestone, each refused with CD007 users_wallet_sanctioned for a SANCTIONED
-- wallet. A move the state machine does not allow is CD001 (from/to in DETAIL), also a repeated one;
-- an unknown escrow CD005. The escrow row is locked first (bloxtr8.lock_escrow), so of concurrent moves
-- one wins and the others see its result.

CREATE FUNCTION bloxtr8.lock_escrow(
    p_escrow_id text, p_to bloxtr8.escrow_status, p_from bloxtr8.escrow_status[]
)
RETURNS bloxtr8.escrows
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_escrow bloxtr8.escrows;
BEGIN
    SELECT e.* INTO v_escrow FROM bloxtr8.escrows AS e WHERE e.id = p_escrow_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.escrows', p_escrow_id);
    END IF;
    IF NOT v_escrow.status = ANY (p_from) THEN
        PERFORM common.raise_forbidden_transition('bloxtr8.escrows', 'status', v_escrow.status::text, p_to::text);
    END IF;
    RETURN v_escrow;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.lock_escrow(text, bloxtr8.escrow_status, bloxtr8.escrow_status[]) IS
'Locks an escrow about to move to p_to: CD005 unknown, CD001 unless its status is one of p_from. Returns the row.';

CREATE FUNCTION bloxtr8.require_escrow_party(p_escrow bloxtr8.escrows, p_user_id text, p_role text, p_action text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_buyer_id text;
    v_seller_id text;
BEGIN
    SELECT o.buyer_id, o.seller_id INTO v_buyer_id, v_seller_id FROM bloxtr8.offers AS o WHERE o.id = p_escrow.offer_id;
    IF NOT (
        (p_role IN ('buyer', 'party') AND p_user_id IS NOT DISTINCT FROM v_buyer_id)
        OR (p_role IN ('seller', 'party') AND p_user_id IS NOT DISTINCT FROM v_seller_id)
    ) THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.escrows', 'escrows_party',
            format('%s of escrow %s is for its %s, not for user %s', p_action, p_escrow.id,
                CASE p_role WHEN 'party' THEN 'buyer or seller' ELSE p_role END, p_user_id),
            format('escrow_id=%s user_id=%s buyer_id=%s seller_id=%s', p_escrow.id, p_user_id, v_buyer_id, v_seller_id)
        );
    END IF;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.require_escrow_party(bloxtr8.escrows, text, text, text) IS
'p_user_id is the escrow offer''s buyer, seller or either (p_role buyer, seller, party), else CD007 escrows_party.';

CREATE FUNCTION bloxtr8.rail_detail_refused(p_escrow bloxtr8.escrows, p_message text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM common.raise_precondition_failed(
        'bloxtr8.escrows', 'escrows_rail_detail', p_message,
        format('escrow_id=%s rail=%s amount=%s', p_escrow.id, p_escrow.rail, p_escrow.amount)
    );
END
$fn$;

COMMENT ON FUNCTION bloxtr8.rail_detail_refused(bloxtr8.escrows, text) IS
'Raises CD007 escrows_rail_detail: the call gave another rail''s details (or none) for this escrow.';

CREATE FUNCTION bloxtr8.settle_escrow_rail(
    p_escrow bloxtr8.escrows, p_refund boolean, p_stripe_id text, p_tx text
)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF p_escrow.rail = 'STRIPE' AND p_stripe_id IS NOT NULL AND p_tx IS NULL THEN
        IF p_refund THEN
            UPDATE bloxtr8.stripe_escrows AS s SET refund_id = p_stripe_id WHERE s.escrow_id = p_escrow.id;
        ELSE
            UPDATE bloxtr8.stripe_escrows AS s SET transfer_id = p_stripe_id WHERE s.escrow_id = p_escrow.id;
        END IF;
    ELSIF p_escrow.rail = 'USDC_BASE' AND p_tx IS NOT NULL AND p_stripe_id IS NULL THEN
        IF p_refund THEN
            UPDATE bloxtr8.stablecoin_escrows AS s SET refund_tx = lower(p_tx) WHERE s.escrow_id = p_escrow.id;
        ELSE
            UPDATE bloxtr8.stablecoin_escrows AS s SET release_tx = lower(p_tx) WHERE s.escrow_id = p_escrow.id;
        END IF;
    ELSE
        PERFORM bloxtr8.rail_detail_refused(
            p_escrow,
            format('a STRIPE escrow is %1$s by a Stripe %2$s id, a USDC_BASE one by a %1$s transaction, not both',
                CASE WHEN p_refund THEN 'refunded' ELSE 'released' END,
                CASE WHEN p_refund THEN 'refund' ELSE 'transfer' END)
        );
    END IF;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.settle_escrow_rail(bloxtr8.escrows, boolean, text, text) IS
'Records how an escrow was settled on its rail, set once: the Stripe transfer (release) or refund id of a STRIPE '
'escrow, the release or refund transaction (lowercase) of a USDC_BASE one; the other rail''s detail, or none, is '
'CD007 escrows_rail_detail. Used by release_escrow and refund_escrow.';

CREATE FUNCTION bloxtr8.create_escrow(
    p_contract_id text, p_payment_intent_id text DEFAULT NULL, p_deposit_addr text DEFAULT NULL
)
RETURNS SETOF bloxtr8.escrows
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_status bloxtr8.contract_status;
    v_offer bloxtr8.offers;
    v_rail bloxtr8.escrow_rail;
BEGIN
    SELECT c.status INTO v_status FROM bloxtr8.contracts AS c WHERE c.id = p_contract_id;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.contracts', p_contract_id);
    END IF;
    SELECT o.* INTO v_offer
    FROM bloxtr8.offers AS o
    INNER JOIN bloxtr8.contracts AS c ON c.offer_id = o.id
    WHERE c.id = p_contract_id;
    IF v_status <> 'EXECUTED' THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.escrows', 'escrows_contract_executed',
            format('contract %s is %s: escrow follows execution', p_contract_id, v_status),
            format('contract_id=%s status=%s', p_contract_id, v_status)
        );
    END IF;
    PERFORM bloxtr8.require_user(v_offer.buyer_id, 'create_escrow', NULL, true);
    v_rail := CASE WHEN v_offer.amount <= 1000000 THEN 'STRIPE' ELSE 'USDC_BASE' END;
    IF (v_rail = 'STRIPE') IS DISTINCT FROM (p_payment_intent_id IS NOT NULL)
        OR (v_rail = 'USDC_BASE') IS DISTINCT FROM (p_deposit_addr IS NOT NULL) THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.escrows', 'escrows_rail_detail',
            format('an escrow of %s cents is on %s: it takes %s only', v_offer.amount, v_rail,
                CASE v_rail WHEN 'STRIPE' THEN 'a payment_intent_id' ELSE 'a deposit_addr' END),
            format('contract_id=%s rail=%s amount=%s', p_contract_id, v_rail, v_offer.amount)
        );
    END IF;
    RETURN QUERY
    WITH escrow AS (
        INSERT INTO bloxtr8.escrows AS e (rail, amount, currency, offer_id, contract_id)
        VALUES (v_rail, v_offer.amount, v_offer.currency, v_offer.id, p_contract_id)
        RETURNING e.*
    ),

    stripe AS (
        INSERT INTO bloxtr8.stripe_escrows (payment_intent_id, escrow_id)
        SELECT p_payment_intent_id, escrow.id FROM escrow WHERE escrow.rail = 'STRIPE'
    ),

    stablecoin AS (
        INSERT INTO bloxtr8.stablecoin_escrows (deposit_addr, escrow_id)
        SELECT lower(p_deposit_addr), escrow.id FROM escrow WHERE escrow.rail = 'USDC_BASE'
    ),

    audit AS (
        INSERT INTO bloxtr8.audit_logs (action, details, user_id, escrow_id)
        SELECT
            'escrow_created',
            jsonb_build_object('rail', escrow.rail, 'amount', escrow.amount, 'contract_id', escrow.contract_id),
            v_offer.buyer_id, escrow.id
        FROM escrow
    )

    SELECT escrow.* FROM escrow;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.create_escrow(text, text, text) IS
'Opens the escrow of an EXECUTED contract for its offer''s amount: STRIPE up to 1,000,000 cents with its '
'stripe_escrows row (p_payment_intent_id), else USDC_BASE with its stablecoin_escrows row (p_deposit_addr, stored '
'lowercase), in one statement. CD005 unknown contract, CD007 escrows_contract_executed, CD007 users_wallet_sanctioned '
'(buyer), CD007 escrows_rail_detail (the other rail''s detail, or none), 23505 escrows_contract_id_key, '
'stripe_escrows_payment_intent_id_key, stablecoin_escrows_deposit_addr_key, 23514 their CHECKs.';

CREATE FUNCTION bloxtr8.fund_escrow(p_escrow_id text, p_deposit_tx text DEFAULT NULL)
RETURNS SETOF bloxtr8.escrows
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_escrow bloxtr8.escrows := bloxtr8.lock_escrow(p_escrow_id, 'FUNDS_HELD', '{AWAIT_FUNDS}');
    v_offer bloxtr8.offers;
BEGIN
    SELECT o.* INTO v_offer FROM bloxtr8.offers AS o WHERE o.id = v_escrow.offer_id;
    PERFORM bloxtr8.require_user(v_offer.buyer_id, 'fund_escrow', NULL, true);
    IF v_escrow.rail = 'USDC_BASE' THEN
        IF p_deposit_tx IS NULL THEN
            PERFORM bloxtr8.rail_detail_refused(v_escrow, 'a USDC_BASE escrow is funded by its deposit transaction');
        END IF;
        UPDATE bloxtr8.stablecoin_escrows AS s SET deposit_tx = lower(p_deposit_tx) WHERE s.escrow_id = p_escrow_id;
    ELSIF p_deposit_tx IS NOT NULL THEN
        PERFORM bloxtr8.rail_detail_refused(v_escrow, 'a STRIPE escrow has no deposit transaction');
    END IF;
    INSERT INTO bloxtr8.deliveries (listing_id, offer_id, contract_id, escrow_id, user_id)
    VALUES (v_offer.listing_id, v_offer.id, v_escrow.contract_id, p_escrow_id, v_offer.seller_id);
    INSERT INTO bloxtr8.audit_logs (action, details, user_id, escrow_id)
    VALUES ('escrow_funds_held', jsonb_build_object('deposit_tx', lower(p_deposit_tx)), v_offer.buyer_id, p_escrow_id);
    RETURN QUERY
    UPDATE bloxtr8.escrows AS e SET status = 'FUNDS_HELD' WHERE e.id = p_escrow_id RETURNING e.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.fund_escrow(text, text) IS
'The buyer''s funds arrived: AWAIT_FUNDS -> FUNDS_HELD (a USDC_BASE escrow records p_deposit_tx; a STRIPE one takes '
'none: CD007 escrows_rail_detail), the delivery created PENDING. CD005, CD001, CD007 users_wallet_sanctioned (buyer), '
'23505 stablecoin_escrows_deposit_tx_key, 23514 stablecoin_escrows_deposit_tx_check.';

CREATE FUNCTION bloxtr8.deliver_escrow(p_escrow_id text, p_user_id text, p_notes text DEFAULT NULL)
RETURNS SETOF bloxtr8.escrows
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_escrow bloxtr8.escrows := bloxtr8.lock_escrow(p_escrow_id, 'DELIVERED', '{FUNDS_HELD}');
BEGIN
    PERFORM bloxtr8.require_escrow_party(v_escrow, p_user_id, 'seller', 'delivery');
    UPDATE bloxtr8.deliveries AS d SET status = 'DELIVERED', delivered_at = common.now(), notes = p_notes
    WHERE d.escrow_id = p_escrow_id;
    INSERT INTO bloxtr8.audit_logs (action, details, user_id, escrow_id)
    VALUES ('escrow_delivered', jsonb_build_object('notes', p_notes), p_user_id, p_escrow_id);
    RETURN QUERY
    UPDATE bloxtr8.escrows AS e SET status = 'DELIVERED' WHERE e.id = p_escrow_id RETURNING e.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.deliver_escrow(text, text, text) IS
'The seller delivered the game: FUNDS_HELD -> DELIVERED and the delivery DELIVERED (delivered_at now, notes). CD005, '
'CD001, CD007 escrows_party (not the seller).';

CREATE FUNCTION bloxtr8.release_escrow(
    p_escrow_id text, p_transfer_id text DEFAULT NULL, p_release_tx text DEFAULT NULL, p_resolution text DEFAULT NULL
)
RETURNS SETOF bloxtr8.escrows
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_escrow bloxtr8.escrows := bloxtr8.lock_escrow(p_escrow_id, 'RELEASED', '{DELIVERED, DISPUTED}');
    v_offer bloxtr8.offers;
BEGIN
    SELECT o.* INTO v_offer FROM bloxtr8.offers AS o WHERE o.id = v_escrow.offer_id;
    PERFORM bloxtr8.require_user(v_offer.seller_id, 'release_escrow', NULL, true);
    PERFORM bloxtr8.settle_escrow_rail(v_escrow, false, p_transfer_id, p_release_tx);
    UPDATE bloxtr8.deliveries AS d SET status = 'CONFIRMED', confirmed_at = common.now()
    WHERE d.escrow_id = p_escrow_id AND d.status = 'DELIVERED';
    UPDATE bloxtr8.disputes AS d
    SET status = 'RESOLVED', resolved_at = common.now(), resolution = coalesce(p_resolution, 'released to the seller')
    WHERE d.escrow_id = p_escrow_id AND d.status = 'OPEN';
    UPDATE bloxtr8.listings AS l SET status = 'SOLD' WHERE l.id = v_offer.listing_id;
    INSERT INTO bloxtr8.audit_logs (action, details, user_id, escrow_id)
    VALUES (
        'escrow_released',
        jsonb_build_object('transfer_id', p_transfer_id, 'release_tx', lower(p_release_tx), 'from', v_escrow.status),
        v_offer.seller_id, p_escrow_id
    );
    RETURN QUERY
    UPDATE bloxtr8.escrows AS e SET status = 'RELEASED' WHERE e.id = p_escrow_id RETURNING e.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.release_escrow(text, text, text, text) IS
'Pays the seller: DELIVERED | DISPUTED -> RELEASED with the Stripe p_transfer_id or the p_release_tx (CD007 '
'escrows_rail_detail otherwise); the delivery CONFIRMED, an open dispute RESOLVED (p_resolution), the listing SOLD. '
'CD005, CD001, CD007 users_wallet_sanctioned (seller), 23514 the detail CHECKs.';

CREATE FUNCTION bloxtr8.dispute_escrow(p_escrow_id text, p_user_id text, p_reason text)
RETURNS SETOF bloxtr8.escrows
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_escrow bloxtr8.escrows := bloxtr8.lock_escrow(p_escrow_id, 'DISPUTED', '{FUNDS_HELD, DELIVERED}');
BEGIN
    PERFORM bloxtr8.require_escrow_party(v_escrow, p_user_id, 'party', 'a dispute');
    INSERT INTO bloxtr8.disputes (escrow_id, user_id, reason) VALUES (p_escrow_id, p_user_id, p_reason);
    INSERT INTO bloxtr8.audit_logs (action, details, user_id, escrow_id)
    VALUES ('escrow_disputed', jsonb_build_object('reason', p_reason, 'from', v_escrow.status), p_user_id, p_escrow_id);
    RETURN QUERY
    UPDATE bloxtr8.escrows AS e SET status = 'DISPUTED' WHERE e.id = p_escrow_id RETURNING e.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.dispute_escrow(text, text, text) IS
'The buyer or the seller disputes: FUNDS_HELD | DELIVERED -> DISPUTED with an OPEN dispute (p_reason). CD005, CD001, '
'CD007 escrows_party, 23514 disputes_reason_check.';

CREATE FUNCTION bloxtr8.refund_escrow(
    p_escrow_id text, p_refund_id text DEFAULT NULL, p_refund_tx text DEFAULT NULL, p_resolution text DEFAULT NULL
)
RETURNS SETOF bloxtr8.escrows
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_escrow bloxtr8.escrows := bloxtr8.lock_escrow(p_escrow_id, 'REFUNDED', '{DISPUTED}');
    v_buyer_id text;
    v_paid bigint;
BEGIN
    -- a refund returns the whole amount: not after a milestone paid part of it to the seller (milestones are
    -- released only while the escrow is FUNDS_HELD or DELIVERED, and the escrow is locked: the sum is final)
    SELECT sum(m.amount) INTO v_paid
    FROM bloxtr8.milestone_escrows AS m
    WHERE m.escrow_id = p_escrow_id AND m.released_at IS NOT NULL;
    IF v_paid IS NOT NULL THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.escrows', 'escrows_milestone_paid',
            format('escrow %s paid %s of its %s cents to the seller as milestones: a refund would pay them twice',
                p_escrow_id, v_paid, v_escrow.amount),
            format('escrow_id=%s amount=%s milestones_paid=%s', p_escrow_id, v_escrow.amount, v_paid)
        );
    END IF;
    SELECT o.buyer_id INTO v_buyer_id FROM bloxtr8.offers AS o WHERE o.id = v_escrow.offer_id;
    PERFORM bloxtr8.require_user(v_buyer_id, 'refund_escrow', NULL, true);
    PERFORM bloxtr8.settle_escrow_rail(v_escrow, true, p_refund_id, p_refund_tx);
    UPDATE bloxtr8.disputes AS d
    SET status = 'RESOLVED', resolved_at = common.now(), resolution = coalesce(p_resolution, 'refunded to the buyer')
    WHERE d.escrow_id = p_escrow_id AND d.status = 'OPEN';
    INSERT INTO bloxtr8.audit_logs (action, details, user_id, escrow_id)
    VALUES (
        'escrow_refunded', jsonb_build_object('refund_id', p_refund_id, 'refund_tx', lower(p_refund_tx)),
        v_buyer_id, p_escrow_id
    );
    RETURN QUERY
    UPDATE bloxtr8.escrows AS e SET status = 'REFUNDED' WHERE e.id = p_escrow_id RETURNING e.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.refund_escrow(text, text, text, text) IS
'Refunds the buyer after a dispute: DISPUTED -> REFUNDED with the Stripe p_refund_id or the p_refund_tx (CD007 '
'escrows_rail_detail otherwise), the dispute RESOLVED (p_resolution). CD005, CD001, CD007 users_wallet_sanctioned '
'(buyer), CD007 escrows_milestone_paid (a milestone was released to the seller: a refund of the whole amount would '
'pay it twice; such a dispute is settled by release_escrow), 23514 the detail CHECKs.';

CREATE FUNCTION bloxtr8.cancel_escrow(p_escrow_id text)
RETURNS SETOF bloxtr8.escrows
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_escrow bloxtr8.escrows := bloxtr8.lock_escrow(p_escrow_id, 'CANCELLED', '{AWAIT_FUNDS}');
BEGIN
    INSERT INTO bloxtr8.audit_logs (action, details, escrow_id)
    VALUES ('escrow_cancelled', jsonb_build_object('contract_id', v_escrow.contract_id), p_escrow_id);
    RETURN QUERY
    UPDATE bloxtr8.escrows AS e SET status = 'CANCELLED' WHERE e.id = p_escrow_id RETURNING e.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.cancel_escrow(text) IS
'The funds never came: AWAIT_FUNDS -> CANCELLED (the contract may open another escrow). CD005, CD001.';

CREATE FUNCTION bloxtr8.add_escrow_milestone(p_escrow_id text, p_title text, p_amount integer)
RETURNS SETOF bloxtr8.milestone_escrows
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_escrow bloxtr8.escrows;
    v_planned bigint;
BEGIN
    SELECT e.* INTO v_escrow FROM bloxtr8.escrows AS e WHERE e.id = p_escrow_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.escrows', p_escrow_id);
    END IF;
    IF v_escrow.status NOT IN ('AWAIT_FUNDS', 'FUNDS_HELD') THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.milestone_escrows', 'milestone_escrows_escrow_open',
            format('escrow %s is %s: milestones are planned while funds are expected or held', p_escrow_id,
                v_escrow.status),
            format('escrow_id=%s status=%s', p_escrow_id, v_escrow.status)
        );
    END IF;
    SELECT coalesce(sum(m.amount), 0) INTO v_planned FROM bloxtr8.milestone_escrows AS m WHERE m.escrow_id = p_escrow_id;
    IF v_planned + p_amount > v_escrow.amount THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.milestone_escrows', 'milestone_escrows_within_amount',
            format('milestones of escrow %s would add up to %s cents, above its %s', p_escrow_id, v_planned + p_amount,
                v_escrow.amount),
            format('escrow_id=%s amount=%s planned=%s added=%s', p_escrow_id, v_escrow.amount, v_planned, p_amount)
        );
    END IF;
    RETURN QUERY
    INSERT INTO bloxtr8.milestone_escrows AS m (escrow_id, title, amount)
    VALUES (p_escrow_id, p_title, p_amount)
    RETURNING m.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.add_escrow_milestone(text, text, integer) IS
'Plans a part of an AWAIT_FUNDS or FUNDS_HELD escrow; the escrow row is locked, so concurrent additions never add up '
'to more than its amount (CD007 milestone_escrows_within_amount). CD005, CD007 milestone_escrows_escrow_open, 23514 '
'the milestone CHECKs.';

CREATE FUNCTION bloxtr8.release_escrow_milestone(p_milestone_id text)
RETURNS SETOF bloxtr8.milestone_escrows
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_milestone bloxtr8.milestone_escrows;
    v_escrow bloxtr8.escrows;
    v_seller_id text;
BEGIN
    SELECT m.* INTO v_milestone FROM bloxtr8.milestone_escrows AS m WHERE m.id = p_milestone_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.milestone_escrows', p_milestone_id);
    END IF;
    IF v_milestone.released_at IS NOT NULL THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.milestone_escrows', 'milestone_escrows_unreleased',
            format('milestone %s was released at %s', p_milestone_id, v_milestone.released_at),
            format('id=%s released_at=%s', p_milestone_id, v_milestone.released_at)
        );
    END IF;
    SELECT e.* INTO v_escrow FROM bloxtr8.escrows AS e WHERE e.id = v_milestone.escrow_id FOR SHARE;
    IF v_escrow.status NOT IN ('FUNDS_HELD', 'DELIVERED') THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.milestone_escrows', 'milestone_escrows_funds_held',
            format('escrow %s is %s: a milestone is released while the funds are held', v_escrow.id, v_escrow.status),
            format('escrow_id=%s status=%s', v_escrow.id, v_escrow.status)
        );
    END IF;
    SELECT o.seller_id INTO v_seller_id FROM bloxtr8.offers AS o WHERE o.id = v_escrow.offer_id;
    PERFORM bloxtr8.require_user(v_seller_id, 'release_escrow_milestone', NULL, true);
    INSERT INTO bloxtr8.audit_logs (action, details, user_id, escrow_id)
    VALUES (
        'escrow_milestone_released',
        jsonb_build_object('milestone_id', p_milestone_id, 'amount', v_milestone.amount), v_seller_id, v_escrow.id
    );
    RETURN QUERY
    UPDATE bloxtr8.milestone_escrows AS m SET released_at = common.now() WHERE m.id = p_milestone_id RETURNING m.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.release_escrow_milestone(text) IS
'Releases a milestone to the seller, once (CD007 milestone_escrows_unreleased), while its escrow''s funds are held '
'(CD007 milestone_escrows_funds_held). CD005 unknown milestone, CD007 users_wallet_sanctioned (seller).';

REVOKE ALL ON FUNCTION
bloxtr8.lock_escrow(text, bloxtr8.escrow_status, bloxtr8.escrow_status[]),
bloxtr8.require_escrow_party(bloxtr8.escrows, text, text, text),
bloxtr8.rail_detail_refused(bloxtr8.escrows, text),
bloxtr8.settle_escrow_rail(bloxtr8.escrows, boolean, text, text),
bloxtr8.create_escrow(text, text, text),
bloxtr8.fund_escrow(text, text),
bloxtr8.deliver_escrow(text, text, text),
bloxtr8.release_escrow(text, text, text, text),
bloxtr8.dispute_escrow(text, text, text),
bloxtr8.refund_escrow(text, text, text, text),
bloxtr8.cancel_escrow(text),
bloxtr8.add_escrow_milestone(text, text, integer),
bloxtr8.release_escrow_milestone(text)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
bloxtr8.create_escrow(text, text, text),
bloxtr8.fund_escrow(text, text),
bloxtr8.deliver_escrow(text, text, text),
bloxtr8.release_escrow(text, text, text, text),
bloxtr8.dispute_escrow(text, text, text),
bloxtr8.refund_escrow(text, text, text, text),
bloxtr8.cancel_escrow(text),
bloxtr8.add_escrow_milestone(text, text, integer),
bloxtr8.release_escrow_milestone(text)
TO chaindb_app;
