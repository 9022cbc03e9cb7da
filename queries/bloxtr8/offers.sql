-- Offers: make, counter, accept, decline, expire; read an offer, a listing's offers, a negotiation thread.

-- name: offer_create(listing_id, buyer_id, amount, expires_in, conditions)^
-- A buyer's PENDING offer on an ACTIVE listing (bloxtr8.make_offer), open for expires_in: its expiry is the
-- database's clock plus expires_in. CD005, CD007 users_kyc_tier / users_wallet_sanctioned / listings_active, 23514
-- offers_buyer_id_seller_id_check (own listing), offers_amount_check, offers_expiry_check (expires_in not positive).
-- @nullable-param conditions
-- @one
SELECT o.*
FROM bloxtr8.make_offer(
    :listing_id::text, :buyer_id::text, :amount::integer, :expires_in::interval, :conditions::text
) AS o;

-- name: offer_counter(id, user_id, amount, expires_in, conditions)^
-- Counters a PENDING offer (bloxtr8.counter_offer): it becomes COUNTERED and the returned new offer, whose
-- parent_id is it, is PENDING (open for expires_in, by the database's clock), in one transaction. CD005, CD001 not
-- PENDING, CD006 offers_expired, CD007 offers_recipient / users_kyc_tier / users_wallet_sanctioned / listings_active,
-- 23514 offers_expiry_check.
-- @nullable-param conditions
-- @one
SELECT o.*
FROM bloxtr8.counter_offer(
    :id::text, :user_id::text, :amount::integer, :expires_in::interval, :conditions::text
) AS o;

-- name: offer_accept(id, user_id)^
-- Accepts a PENDING offer, which takes its listing off the market (bloxtr8.accept_offer). CD005, CD001 not
-- PENDING, CD006 offers_expired, CD007 offers_recipient / users_kyc_tier / users_wallet_sanctioned /
-- listings_active.
-- @one
SELECT o.* FROM bloxtr8.accept_offer(:id::text, :user_id::text) AS o;

-- name: offer_decline(id, user_id)^
-- Declines a PENDING offer (bloxtr8.decline_offer). CD005, CD001, CD006 offers_expired, CD007 offers_recipient.
-- @one
SELECT o.* FROM bloxtr8.decline_offer(:id::text, :user_id::text) AS o;

-- name: offer_expire_due()$
-- Every PENDING offer past its expiry becomes EXPIRED (bloxtr8.expire_offers); returns how many.
-- @one
-- @not-null expired
SELECT bloxtr8.expire_offers() AS expired;

-- name: offer_get(id)^
-- One offer by id.
SELECT o.* FROM bloxtr8.offers AS o
WHERE o.id = :id::text;

-- name: offer_proposer(id)$
-- Who made the offer (bloxtr8.offer_proposer_id): its buyer, or for a counter the other party; None when unknown.
SELECT bloxtr8.offer_proposer_id(:id::text) AS proposer_id;

-- name: offer_list_by_listing(listing_id)
-- Every offer on a listing, oldest first.
SELECT o.* FROM bloxtr8.offers AS o
WHERE o.listing_id = :listing_id::text
ORDER BY o.created_at, o.id;

-- name: offer_thread(id)
-- The negotiation that led to an offer: its first offer, each counter, and the offer itself, in order.
WITH RECURSIVE chain AS (
    SELECT
        o.id,
        o.parent_id,
        0 AS depth
    FROM bloxtr8.offers AS o
    WHERE o.id = :id::text
    UNION ALL
    SELECT
        p.id,
        p.parent_id,
        c.depth + 1 AS depth
    FROM chain AS c
    INNER JOIN bloxtr8.offers AS p ON c.parent_id = p.id
)

SELECT o.*
FROM chain AS c
INNER JOIN bloxtr8.offers AS o ON c.id = o.id
ORDER BY c.depth DESC;
