-- Undoes 0017_bloxtr8_escrow_functions (dropping a function drops its grants and comment).

DROP FUNCTION bloxtr8.release_escrow_milestone(text);

DROP FUNCTION bloxtr8.add_escrow_milestone(text, text, integer);

DROP FUNCTION bloxtr8.cancel_escrow(text);

DROP FUNCTION bloxtr8.refund_escrow(text, text, text, text);

DROP FUNCTION bloxtr8.dispute_escrow(text, text, text);

DROP FUNCTION bloxtr8.release_escrow(text, text, text, text);

DROP FUNCTION bloxtr8.deliver_escrow(text, text, text);

DROP FUNCTION bloxtr8.fund_escrow(text, text);

DROP FUNCTION bloxtr8.create_escrow(text, text, text);

DROP FUNCTION bloxtr8.settle_escrow_rail(bloxtr8.escrows, boolean, text, text);

DROP FUNCTION bloxtr8.rail_detail_refused(bloxtr8.escrows, text);

DROP FUNCTION bloxtr8.require_escrow_party(bloxtr8.escrows, text, text, text);

DROP FUNCTION bloxtr8.lock_escrow(text, bloxtr8.escrow_status, bloxtr8.escrow_status[]);
