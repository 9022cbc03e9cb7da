-- Undoes 0014_bloxtr8_marketplace_functions (dropping a function drops its grants and comment).

DROP FUNCTION bloxtr8.expire_offers();

DROP FUNCTION bloxtr8.decline_offer(text, text);

DROP FUNCTION bloxtr8.accept_offer(text, text);

DROP FUNCTION bloxtr8.counter_offer(text, text, integer, interval, text);

DROP FUNCTION bloxtr8.make_offer(text, text, integer, interval, text);

DROP FUNCTION bloxtr8.set_listing_status(text, text, bloxtr8.listing_status);

DROP FUNCTION bloxtr8.create_listing(text, text, text, integer, text, text);

DROP FUNCTION bloxtr8.lock_active_listing(text, boolean);

DROP FUNCTION bloxtr8.lock_pending_offer(text, text, bloxtr8.offer_status);

DROP FUNCTION bloxtr8.listing_has_open_deal(text);

DROP FUNCTION bloxtr8.offer_proposer_id(text);
