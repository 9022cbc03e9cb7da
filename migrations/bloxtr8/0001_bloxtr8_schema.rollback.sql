-- Undoes 0001_bloxtr8_schema (dropping an object drops its grants and comment).

DROP FUNCTION bloxtr8.cuid();

DROP SEQUENCE bloxtr8.cuid_counter_seq;

DROP TYPE bloxtr8.dispute_status;

DROP TYPE bloxtr8.delivery_status;

DROP TYPE bloxtr8.verification_method;

DROP TYPE bloxtr8.currency;

DROP TYPE bloxtr8.job_status;

DROP TYPE bloxtr8.signature_method;

DROP TYPE bloxtr8.game_ownership_type;

DROP TYPE bloxtr8.verification_status;

DROP TYPE bloxtr8.escrow_status;

DROP TYPE bloxtr8.escrow_rail;

DROP TYPE bloxtr8.contract_status;

DROP TYPE bloxtr8.offer_status;

DROP TYPE bloxtr8.listing_status;

DROP TYPE bloxtr8.wallet_risk;

DROP TYPE bloxtr8.kyc_tier;

DROP SCHEMA bloxtr8;
