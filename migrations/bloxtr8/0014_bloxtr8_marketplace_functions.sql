-- depends: 0013_bloxtr8_user_functions
-- Listings and offers: every write, as SECURITY DEFINER functions (chaindb_app has SELECT only on both
-- tables). Actors are users the application has authenticated; the database checks that each is the
-- right party, at the right KYC tier, with a wallet that is not SANCTIONED where money is offered.
--
--   create_listing(user, title, summary, price, category, guild)   an ACTIVE listing; the seller at
--       TIER_1 or above (CD007 users_kyc_tier); a guild only one the seller is a member of (CD007
--       listings_guild_member).
--   set_listing_status(listing, user, status)   the seller hides (INACTIVE) or shows (ACTIVE) the listing:
--       CD007 listings_seller for anyone else; ACTIVE only without an open deal (CD007 listings_open_deal,
--       bloxtr8.listing_has_open_deal); SOLD only by releasing the escrow (CD007 listings_sold_by_escrow).
--   make_offer(listing, buyer, amount, expires_in, conditions)   a PENDING offer on an ACTIVE listing (CD007
--       listings_active) by a buyer at TIER_1+ without a SANCTIONED wallet; the seller is the listing's;
--       buyer = seller is 23514 offers_buyer_id_seller_id_check.
--   counter_offer(offer, user, amount, expires_in, conditions)   in one transaction, the offer becomes
--       COUNTERED and a new PENDING offer with parent_id = it is made, same listing and parties, by the
--       party the offer was made to.
--   The caller gives how long an offer stays open (expires_in, an interval), never an instant: its expiry
--   is common.now() + expires_in, the database's clock (a positive interval, else 23514 offers_expiry_check;
--   NULL is 23502).
--   accept_offer(offer, user)    PENDING -> ACCEPTED, and its listing ACTIVE -> INACTIVE (under contract),
--       by the party the offer was made to; the buyer's wallet must not be SANCTIONED.
--   decline_offer(offer, user)   PENDING -> DECLINED by the party the offer was made to.
--   expire_offers()              every PENDING offer past its expiry -> EXPIRED; returns how many.
-- counter, accept and decline lock the offer (bloxtr8.lock_pending_offer) and refuse: CD005 unknown;
-- CD001 not PENDING (also a second accept: of concurrent calls one wins, the others see its result);
-- CD006 offers_expired at or after expiry (database clock); CD007 offers_recipient for a user other than
-- the one the offer was made to (a buyer's offer is answered by the seller, a counter by the other party:
-- bloxtr8.offer_proposer_id). Accepting also locks the listing: of two offers on one listing, one is
-- accepted, the other finds it no longer ACTIVE.

CREATE FUNCTION bloxtr8.offer_proposer_id(p_offer_id text)
RETURNS text
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH RECURSIVE chain AS (
        SELECT o.id, o.parent_id, 0 AS depth FROM bloxtr8.offers AS o WHERE o.id = p_offer_id
        UNION ALL
        SELECT p.id, p.parent_id, c.depth + 1
        FROM bloxtr8.offers AS p
        INNER JOIN chain AS c ON p.id = c.parent_id
    )

    SELECT CASE WHEN max(c.depth) % 2 = 0 THEN o.buyer_id ELSE o.seller_id END
    FROM chain AS c
    CROSS JOIN bloxtr8.offers AS o
    WHERE o.id = p_offer_id
    GROUP BY o.buyer_id, o.seller_id
$fn$;

COMMENT ON FUNCTION bloxtr8.offer_proposer_id(text) IS
'Who made the offer: the buyer for a first offer, then each counter by the other party (the buyer when the offer has '
'an even number of ancestors, else the seller). NULL for an unknown offer.';

CREATE FUNCTION bloxtr8.listing_has_open_deal(p_listing_id text)
RETURNS boolean
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT EXISTS (
        SELECT FROM bloxtr8.offers AS o
        WHERE
            o.listing_id = p_listing_id
            AND o.status = 'ACCEPTED'
            AND NOT EXISTS (SELECT FROM bloxtr8.contracts AS c WHERE c.offer_id = o.id AND c.status = 'VOID')
            AND NOT EXISTS (SELECT FROM bloxtr8.escrows AS e WHERE e.offer_id = o.id AND e.status = 'REFUNDED')
    )
$fn$;

COMMENT ON FUNCTION bloxtr8.listing_has_open_deal(text) IS
'True while an ACCEPTED offer of the listing is still a deal: its contract is not VOID and its escrow not REFUNDED '
'(an accepted offer without a contract yet is a deal too). A listing with an open deal stays INACTIVE.';

CREATE FUNCTION bloxtr8.lock_pending_offer(p_offer_id text, p_user_id text, p_to bloxtr8.offer_status)
RETURNS bloxtr8.offers
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_offer bloxtr8.offers;
    v_recipient text;
BEGIN
    SELECT o.* INTO v_offer FROM bloxtr8.offers AS o WHERE o.id = p_offer_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.offers', p_offer_id);
    END IF;
    IF v_offer.status <> 'PENDING' THEN
        PERFORM common.raise_forbidden_transition('bloxtr8.offers', 'status', v_offer.status::text, p_to::text);
    END IF;
    IF v_offer.expiry <= common.now() THEN
        RAISE EXCEPTION 'offers: offer % expired at %', p_offer_id, v_offer.expiry
            USING ERRCODE = 'CD006', CONSTRAINT = 'offers_expired', SCHEMA = 'bloxtr8', TABLE = 'offers',
                  DETAIL = format('offer_id=%s expiry=%s now=%s', p_offer_id, v_offer.expiry, common.now());
    END IF;
    v_recipient := CASE bloxtr8.offer_proposer_id(p_offer_id)
        WHEN v_offer.buyer_id THEN v_offer.seller_id ELSE v_offer.buyer_id
    END;
    IF p_user_id IS DISTINCT FROM v_recipient THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.offers', 'offers_recipient',
            format('offer %s was made to %s, not to %s', p_offer_id, v_recipient, p_user_id),
            format('offer_id=%s user_id=%s recipient=%s', p_offer_id, p_user_id, v_recipient)
        );
    END IF;
    RETURN v_offer;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.lock_pending_offer(text, text, bloxtr8.offer_status) IS
'Locks an offer that p_user_id may answer now (moving it to p_to): CD005 unknown, CD001 not PENDING, CD006 '
'offers_expired at or after its expiry (database clock), CD007 offers_recipient unless p_user_id is the party it was '
'made to. Returns the locked row. Used by counter_offer, accept_offer and decline_offer.';

CREATE FUNCTION bloxtr8.lock_active_listing(p_listing_id text, p_for_update boolean)
RETURNS bloxtr8.listings
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_listing bloxtr8.listings;
BEGIN
    IF p_for_update THEN
        SELECT l.* INTO v_listing FROM bloxtr8.listings AS l WHERE l.id = p_listing_id FOR UPDATE;
    ELSE
        SELECT l.* INTO v_listing FROM bloxtr8.listings AS l WHERE l.id = p_listing_id FOR SHARE;
    END IF;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.listings', p_listing_id);
    ELSIF v_listing.status <> 'ACTIVE' THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.listings', 'listings_active', format('listing %s is %s, not ACTIVE', p_listing_id, v_listing.status),
            format('listing_id=%s status=%s', p_listing_id, v_listing.status)
        );
    END IF;
    RETURN v_listing;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.lock_active_listing(text, boolean) IS
'Locks a listing that takes offers (FOR SHARE, or FOR UPDATE when p_for_update: accepting changes it): CD005 unknown, '
'CD007 listings_active unless ACTIVE. Returns the row. Used by make_offer, counter_offer and accept_offer.';

CREATE FUNCTION bloxtr8.create_listing(
    p_user_id text,
    p_title text,
    p_summary text,
    p_price integer,
    p_category text,
    p_guild_id text DEFAULT NULL
)
RETURNS SETOF bloxtr8.listings
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM bloxtr8.require_user(p_user_id, 'create_listing', 'TIER_1', false);
    IF p_guild_id IS NOT NULL AND NOT EXISTS (
        SELECT FROM bloxtr8.guild_members AS m WHERE m.guild_id = p_guild_id AND m.user_id = p_user_id
    ) THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.listings', 'listings_guild_member',
            format('user %s is not a member of guild %s', p_user_id, p_guild_id),
            format('user_id=%s guild_id=%s', p_user_id, p_guild_id)
        );
    END IF;
    RETURN QUERY
    INSERT INTO bloxtr8.listings AS l (title, summary, price, category, user_id, guild_id)
    VALUES (p_title, p_summary, p_price, p_category, p_user_id, p_guild_id)
    RETURNING l.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.create_listing(text, text, text, integer, text, text) IS
'Lists a game: an ACTIVE listing by p_user_id. CD005 unknown user, CD007 users_kyc_tier below TIER_1, CD007 '
'listings_guild_member when p_guild_id is not one of the seller''s guilds; 23514 the listings CHECKs.';

CREATE FUNCTION bloxtr8.set_listing_status(p_listing_id text, p_user_id text, p_status bloxtr8.listing_status)
RETURNS SETOF bloxtr8.listings
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_listing bloxtr8.listings;
BEGIN
    SELECT l.* INTO v_listing FROM bloxtr8.listings AS l WHERE l.id = p_listing_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.listings', p_listing_id);
    END IF;
    IF p_user_id IS DISTINCT FROM v_listing.user_id THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.listings', 'listings_seller',
            format('listing %s is not %s''s', p_listing_id, p_user_id),
            format('listing_id=%s user_id=%s seller_id=%s', p_listing_id, p_user_id, v_listing.user_id)
        );
    END IF;
    IF p_status = 'SOLD' AND v_listing.status <> 'SOLD' THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.listings', 'listings_sold_by_escrow', 'a listing is SOLD only by releasing its escrow',
            format('listing_id=%s status=%s', p_listing_id, v_listing.status)
        );
    END IF;
    IF p_status = 'ACTIVE' AND v_listing.status = 'INACTIVE' AND bloxtr8.listing_has_open_deal(p_listing_id) THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.listings', 'listings_open_deal',
            format('listing %s is under contract (an accepted offer''s deal is open)', p_listing_id),
            format('listing_id=%s', p_listing_id)
        );
    END IF;
    RETURN QUERY
    UPDATE bloxtr8.listings AS l SET status = p_status WHERE l.id = p_listing_id RETURNING l.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.set_listing_status(text, text, bloxtr8.listing_status) IS
'The seller hides (INACTIVE) or shows again (ACTIVE) a listing; the same status is a no-op. CD005 unknown listing, '
'CD007 listings_seller for another user, CD007 listings_open_deal to show a listing under contract, CD007 '
'listings_sold_by_escrow for SOLD, CD001 for a move the state machine forbids (from SOLD).';

CREATE FUNCTION bloxtr8.make_offer(
    p_listing_id text,
    p_buyer_id text,
    p_amount integer,
    p_expires_in interval,
    p_conditions text DEFAULT NULL
)
RETURNS SETOF bloxtr8.offers
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_listing bloxtr8.listings;
BEGIN
    PERFORM bloxtr8.require_user(p_buyer_id, 'make_offer', 'TIER_1', true);
    v_listing := bloxtr8.lock_active_listing(p_listing_id, false);
    RETURN QUERY
    INSERT INTO bloxtr8.offers AS o (amount, conditions, expiry, listing_id, buyer_id, seller_id)
    VALUES (p_amount, p_conditions, common.now() + p_expires_in, p_listing_id, p_buyer_id, v_listing.user_id)
    RETURNING o.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.make_offer(text, text, integer, interval, text) IS
'A buyer''s PENDING offer on an ACTIVE listing, open for p_expires_in (expiry = common.now() + p_expires_in, the '
'database''s clock); the seller is the listing''s. CD005 unknown buyer or listing, CD007 users_kyc_tier / '
'users_wallet_sanctioned for the buyer, CD007 listings_active; 23514 offers_buyer_id_seller_id_check (own listing), '
'offers_amount_check, offers_expiry_check (p_expires_in not positive).';

CREATE FUNCTION bloxtr8.counter_offer(
    p_offer_id text,
    p_user_id text,
    p_amount integer,
    p_expires_in interval,
    p_conditions text DEFAULT NULL
)
RETURNS SETOF bloxtr8.offers
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_parent bloxtr8.offers := bloxtr8.lock_pending_offer(p_offer_id, p_user_id, 'COUNTERED');
BEGIN
    PERFORM bloxtr8.require_user(p_user_id, 'counter_offer', 'TIER_1', true);
    PERFORM bloxtr8.lock_active_listing(v_parent.listing_id, false);
    UPDATE bloxtr8.offers AS o SET status = 'COUNTERED' WHERE o.id = p_offer_id;
    RETURN QUERY
    INSERT INTO bloxtr8.offers AS o (amount, conditions, expiry, listing_id, buyer_id, seller_id, parent_id)
    VALUES (
        p_amount, p_conditions, common.now() + p_expires_in, v_parent.listing_id, v_parent.buyer_id, v_parent.seller_id,
        p_offer_id
    )
    RETURNING o.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.counter_offer(text, text, integer, interval, text) IS
'Counters a PENDING offer: it becomes COUNTERED and the returned new PENDING offer (same listing, buyer and seller, '
'parent_id = p_offer_id, open for p_expires_in by the database''s clock) is p_user_id''s, in one transaction. '
'Refusals of bloxtr8.lock_pending_offer (CD005, CD001, CD006 offers_expired, CD007 offers_recipient), CD007 '
'users_kyc_tier / users_wallet_sanctioned, CD007 listings_active; 23514 offers_amount_check, offers_expiry_check.';

CREATE FUNCTION bloxtr8.accept_offer(p_offer_id text, p_user_id text)
RETURNS SETOF bloxtr8.offers
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_offer bloxtr8.offers := bloxtr8.lock_pending_offer(p_offer_id, p_user_id, 'ACCEPTED');
BEGIN
    PERFORM bloxtr8.require_user(p_user_id, 'accept_offer', 'TIER_1', false);
    PERFORM bloxtr8.require_user(v_offer.buyer_id, 'accept_offer', NULL, true);
    PERFORM bloxtr8.lock_active_listing(v_offer.listing_id, true);
    UPDATE bloxtr8.listings AS l SET status = 'INACTIVE' WHERE l.id = v_offer.listing_id;
    RETURN QUERY
    UPDATE bloxtr8.offers AS o SET status = 'ACCEPTED' WHERE o.id = p_offer_id RETURNING o.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.accept_offer(text, text) IS
'Accepts a PENDING offer (-> ACCEPTED) and takes its listing off the market (ACTIVE -> INACTIVE), in one '
'transaction. Refusals of bloxtr8.lock_pending_offer (CD005, CD001, CD006 offers_expired, CD007 offers_recipient), '
'CD007 users_kyc_tier for the acceptor, users_wallet_sanctioned for the buyer, listings_active.';

CREATE FUNCTION bloxtr8.decline_offer(p_offer_id text, p_user_id text)
RETURNS SETOF bloxtr8.offers
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM bloxtr8.lock_pending_offer(p_offer_id, p_user_id, 'DECLINED');
    RETURN QUERY
    UPDATE bloxtr8.offers AS o SET status = 'DECLINED' WHERE o.id = p_offer_id RETURNING o.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.decline_offer(text, text) IS
'Declines a PENDING offer (-> DECLINED). Refusals of bloxtr8.lock_pending_offer (CD005, CD001, CD006 offers_expired, '
'CD007 offers_recipient).';

CREATE FUNCTION bloxtr8.expire_offers()
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH expired AS (
        UPDATE bloxtr8.offers AS o SET status = 'EXPIRED'
        WHERE o.status = 'PENDING' AND o.expiry <= common.now()
        RETURNING o.id
    )

    SELECT count(*)::integer FROM expired
$fn$;

COMMENT ON FUNCTION bloxtr8.expire_offers() IS
'Moves every PENDING offer whose expiry has passed (database clock) to EXPIRED; returns how many.';

REVOKE ALL ON FUNCTION
bloxtr8.offer_proposer_id(text),
bloxtr8.listing_has_open_deal(text),
bloxtr8.lock_pending_offer(text, text, bloxtr8.offer_status),
bloxtr8.lock_active_listing(text, boolean),
bloxtr8.create_listing(text, text, text, integer, text, text),
bloxtr8.set_listing_status(text, text, bloxtr8.listing_status),
bloxtr8.make_offer(text, text, integer, interval, text),
bloxtr8.counter_offer(text, text, integer, interval, text),
bloxtr8.accept_offer(text, text),
bloxtr8.decline_offer(text, text),
bloxtr8.expire_offers()
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
bloxtr8.offer_proposer_id(text),
bloxtr8.listing_has_open_deal(text),
bloxtr8.create_listing(text, text, text, integer, text, text),
bloxtr8.set_listing_status(text, text, bloxtr8.listing_status),
bloxtr8.make_offer(text, text, integer, interval, text),
bloxtr8.counter_offer(text, text, integer, interval, text),
bloxtr8.accept_offer(text, text),
bloxtr8.decline_offer(text, text),
bloxtr8.expire_offers()
TO chaindb_app;
GRANT EXECUTE ON FUNCTION bloxtr8.offer_proposer_id(text), bloxtr8.listing_has_open_deal(text) TO chaindb_readonly;
