-- bloxtr8: both sides of every CHECK (a row that breaks it is refused with 23514 naming it, the nearest row
-- that keeps it passes), every unique constraint (23505 by name), and what ON DELETE does where it is not
-- RESTRICT (and one RESTRICT). Each statement runs in a rolled-back subtransaction (pg_temp.try).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(165);
\ir ../helpers.psql
\ir fixtures.psql

SELECT pg_temp.keep('e_stripe', e.id) FROM bloxtr8.create_escrow('d2_c', 'pi_d2', NULL) AS e;
SELECT pg_temp.keep('e_usdc', e.id)
FROM bloxtr8.create_escrow('d3_c', NULL, '0x00000000000000000000000000000000000000d3') AS e;
INSERT INTO bloxtr8.contract_execution_jobs (id, contract_id, next_retry_at) VALUES ('j_t', 'd1_c', now());
INSERT INTO bloxtr8.asset_verifications (id, user_id, game_id, verification_method)
VALUES ('av_1', 'u_seller', '4242', 'ROBLOX_API');
UPDATE bloxtr8.asset_verifications
SET verification_status = 'VERIFIED', verified_at = now(), expires_at = now() + interval '24 hours'
WHERE id = 'av_1';
SELECT * FROM bloxtr8.fund_escrow(pg_temp.b8_id('e_stripe'));
SELECT * FROM bloxtr8.fund_escrow(pg_temp.b8_id('e_usdc'), '0x' || repeat('d3', 32));
SELECT * FROM bloxtr8.dispute_escrow(pg_temp.b8_id('e_usdc'), 'u_buyer', 'never delivered');
INSERT INTO bloxtr8.milestone_escrows (id, escrow_id, title, amount) VALUES ('m_1', pg_temp.b8_id('e_stripe'), 'Half', 1);

CREATE TEMP TABLE check_case (ord serial, con name, bad text, good text) ON COMMIT DROP;
INSERT INTO check_case (con, bad, good) VALUES
-- users
('users_email_check',
 $$UPDATE bloxtr8.users SET email = 'not-an-address' WHERE id = 'u_other'$$,
 $$UPDATE bloxtr8.users SET email = 'other2@bloxtr8.test' WHERE id = 'u_other'$$),
('users_kyc_verified_check',
 $$UPDATE bloxtr8.users SET kyc_tier = 'TIER_2' WHERE id = 'u_other'$$,
 $$UPDATE bloxtr8.users SET kyc_tier = 'TIER_2', kyc_verified = true WHERE id = 'u_other'$$),
('users_wallet_address_check',
 $$UPDATE bloxtr8.users SET wallet_address = '0x1234' WHERE id = 'u_other'$$,
 $$UPDATE bloxtr8.users SET wallet_address = '0xAbCdEf0000000000000000000000000000000001' WHERE id = 'u_other'$$),
('users_wallet_risk_check',
 $$UPDATE bloxtr8.users SET wallet_risk = 'LOW' WHERE id = 'u_other'$$,
 $$UPDATE bloxtr8.users SET wallet_risk = 'LOW', wallet_address = '0x' || repeat('0a', 20) WHERE id = 'u_other'$$),
-- accounts
('accounts_id_check',
 $$INSERT INTO bloxtr8.accounts (id, account_id, provider_id, user_id) VALUES ('', '7', 'discord', 'u_other')$$,
 $$INSERT INTO bloxtr8.accounts (id, account_id, provider_id, user_id) VALUES ('a7', '7', 'discord', 'u_other')$$),
('accounts_account_id_check',
 $$INSERT INTO bloxtr8.accounts (id, account_id, provider_id, user_id) VALUES ('a7', '', 'discord', 'u_other')$$,
 $$INSERT INTO bloxtr8.accounts (id, account_id, provider_id, user_id) VALUES ('a7', '7', 'discord', 'u_other')$$),
('accounts_provider_id_check',
 $$INSERT INTO bloxtr8.accounts (id, account_id, provider_id, user_id) VALUES ('a7', '7', 'github', 'u_other')$$,
 $$INSERT INTO bloxtr8.accounts (id, account_id, provider_id, user_id) VALUES ('a7', '7', 'roblox', 'u_other')$$),
('accounts_password_check',
 $$INSERT INTO bloxtr8.accounts (id, account_id, provider_id, user_id, password)
   VALUES ('a7', '7', 'discord', 'u_other', 'scrypt$hash')$$,
 $$INSERT INTO bloxtr8.accounts (id, account_id, provider_id, user_id, password)
   VALUES ('a7', '7', 'credential', 'u_other', 'scrypt$hash')$$),
-- sessions
('sessions_id_check',
 $$INSERT INTO bloxtr8.sessions (id, token, user_id, expires_at)
   VALUES ('', repeat('ab', 32), 'u_other', now() + interval '1 day')$$,
 $$INSERT INTO bloxtr8.sessions (id, token, user_id, expires_at)
   VALUES ('s7', repeat('ab', 32), 'u_other', now() + interval '1 day')$$),
('sessions_token_check',
 $$INSERT INTO bloxtr8.sessions (id, token, user_id, expires_at)
   VALUES ('s7', 'the-session-token', 'u_other', now() + interval '1 day')$$,
 $$INSERT INTO bloxtr8.sessions (id, token, user_id, expires_at)
   VALUES ('s7', encode(sha256('the-session-token'), 'hex'), 'u_other', now() + interval '1 day')$$),
('sessions_expires_at_check',
 $$INSERT INTO bloxtr8.sessions (id, token, user_id, expires_at) VALUES ('s7', repeat('ab', 32), 'u_other', now())$$,
 $$INSERT INTO bloxtr8.sessions (id, token, user_id, expires_at)
   VALUES ('s7', repeat('ab', 32), 'u_other', now() + interval '1 second')$$),
-- guilds
('guilds_discord_id_check',
 $$INSERT INTO bloxtr8.guilds (discord_id, name) VALUES ('1234', 'Tiny')$$,
 $$INSERT INTO bloxtr8.guilds (discord_id, name) VALUES ('12345678901234567', 'Tiny')$$),
('guilds_name_check',
 $$INSERT INTO bloxtr8.guilds (discord_id, name) VALUES ('12345678901234567', '')$$,
 $$INSERT INTO bloxtr8.guilds (discord_id, name) VALUES ('12345678901234567', 'x')$$),
-- listings
('listings_title_check',
 $$UPDATE bloxtr8.listings SET title = '   ' WHERE id = 'd1_l'$$,
 $$UPDATE bloxtr8.listings SET title = 'x' WHERE id = 'd1_l'$$),
('listings_price_check',
 $$UPDATE bloxtr8.listings SET price = 0 WHERE id = 'd1_l'$$,
 $$UPDATE bloxtr8.listings SET price = 1 WHERE id = 'd1_l'$$),
('listings_category_check',
 $$UPDATE bloxtr8.listings SET category = '' WHERE id = 'd1_l'$$,
 $$UPDATE bloxtr8.listings SET category = 'obby' WHERE id = 'd1_l'$$),
-- offers
('offers_amount_check',
 $$INSERT INTO bloxtr8.offers (amount, expiry, listing_id, buyer_id, seller_id)
   VALUES (0, now() + interval '1 hour', 'd1_l', 'u_other', 'u_seller')$$,
 $$INSERT INTO bloxtr8.offers (amount, expiry, listing_id, buyer_id, seller_id)
   VALUES (1, now() + interval '1 hour', 'd1_l', 'u_other', 'u_seller')$$),
('offers_buyer_id_seller_id_check',
 $$INSERT INTO bloxtr8.offers (amount, expiry, listing_id, buyer_id, seller_id)
   VALUES (1, now() + interval '1 hour', 'd1_l', 'u_seller', 'u_seller')$$,
 $$INSERT INTO bloxtr8.offers (amount, expiry, listing_id, buyer_id, seller_id)
   VALUES (1, now() + interval '1 hour', 'd1_l', 'u_buyer', 'u_seller')$$),
('offers_parent_id_check',
 $$INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id, parent_id)
   VALUES ('o_self', 1, now() + interval '1 hour', 'd1_l', 'u_other', 'u_seller', 'o_self')$$,
 $$INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id, parent_id)
   VALUES ('o_self', 1, now() + interval '1 hour', 'd1_l', 'u_buyer', 'u_seller', 'd2_o')$$),
('offers_expiry_check',
 $$INSERT INTO bloxtr8.offers (amount, expiry, listing_id, buyer_id, seller_id)
   VALUES (1, now(), 'd1_l', 'u_other', 'u_seller')$$,
 $$INSERT INTO bloxtr8.offers (amount, expiry, listing_id, buyer_id, seller_id)
   VALUES (1, now() + interval '1 millisecond', 'd1_l', 'u_other', 'u_seller')$$),
-- contract_templates
('contract_templates_version_check',
 $$INSERT INTO bloxtr8.contract_templates (version, name, terms, is_active) VALUES ('01.0.0', 'x', '{}', false)$$,
 $$INSERT INTO bloxtr8.contract_templates (version, name, terms, is_active) VALUES ('10.0.0', 'x', '{}', false)$$),
('contract_templates_name_check',
 $$INSERT INTO bloxtr8.contract_templates (version, name, terms, is_active) VALUES ('2.0.0', ' ', '{}', false)$$,
 $$INSERT INTO bloxtr8.contract_templates (version, name, terms, is_active) VALUES ('2.0.0', 'x', '{}', false)$$),
('contract_templates_terms_check',
 $$INSERT INTO bloxtr8.contract_templates (version, name, terms, is_active) VALUES ('2.0.0', 'x', '[]', false)$$,
 $$INSERT INTO bloxtr8.contract_templates (version, name, terms, is_active) VALUES ('2.0.0', 'x', '{"a": 1}', false)$$),
('contract_templates_deprecated_at_check',
 $$UPDATE bloxtr8.contract_templates SET deprecated_at = now() WHERE id = 't_100'$$,
 $$UPDATE bloxtr8.contract_templates SET deprecated_at = now(), is_active = false WHERE id = 't_100'$$),
-- contracts
('contracts_pdf_check',
 $$UPDATE bloxtr8.contracts SET pdf_url = 'https://s3.example/c.pdf' WHERE id = 'd1_c'$$,
 $$UPDATE bloxtr8.contracts SET pdf_url = 'https://s3.example/c.pdf', sha256 = repeat('0f', 32) WHERE id = 'd1_c'$$),
('contracts_pdf_url_check',
 $$UPDATE bloxtr8.contracts SET pdf_url = 'ftp://s3.example/c.pdf', sha256 = repeat('0f', 32) WHERE id = 'd1_c'$$,
 $$UPDATE bloxtr8.contracts SET pdf_url = 's3://bucket/c.pdf', sha256 = repeat('0f', 32) WHERE id = 'd1_c'$$),
('contracts_sha256_check',
 $$UPDATE bloxtr8.contracts SET pdf_url = 's3://bucket/c.pdf', sha256 = repeat('0F', 32) WHERE id = 'd1_c'$$,
 $$UPDATE bloxtr8.contracts SET pdf_url = 's3://bucket/c.pdf', sha256 = repeat('0f', 32) WHERE id = 'd1_c'$$),
-- contract_sign_tokens
('contract_sign_tokens_token_check',
 $$INSERT INTO bloxtr8.contract_sign_tokens (token, contract_id, user_id, expires_at, created_at)
   VALUES ('raw-token', 'd1_c', 'u_buyer', now() + interval '15 minutes', now())$$,
 $$INSERT INTO bloxtr8.contract_sign_tokens (token, contract_id, user_id, expires_at, created_at)
   VALUES (repeat('1f', 32), 'd1_c', 'u_buyer', now() + interval '15 minutes', now())$$),
('contract_sign_tokens_expires_at_check',
 $$INSERT INTO bloxtr8.contract_sign_tokens (token, contract_id, user_id, expires_at, created_at)
   VALUES (repeat('1f', 32), 'd1_c', 'u_buyer', now() + interval '16 minutes', now())$$,
 $$INSERT INTO bloxtr8.contract_sign_tokens (token, contract_id, user_id, expires_at, created_at)
   VALUES (repeat('1f', 32), 'd1_c', 'u_buyer', now() + interval '15 minutes', now())$$),
('contract_sign_tokens_used_at_check',
 $$INSERT INTO bloxtr8.contract_sign_tokens (token, contract_id, user_id, expires_at, used_at, created_at)
   VALUES (repeat('1f', 32), 'd1_c', 'u_buyer', now() + interval '15 minutes', now() + interval '15 minutes', now())$$,
 $$INSERT INTO bloxtr8.contract_sign_tokens (token, contract_id, user_id, expires_at, used_at, created_at)
   VALUES (repeat('1f', 32), 'd1_c', 'u_buyer', now() + interval '15 minutes', now() + interval '14 minutes', now())$$),
-- contract_execution_jobs (j_t: PENDING, attempts 0 of 3; d2_j: COMPLETED)
('contract_execution_jobs_attempts_check',
 $$UPDATE bloxtr8.contract_execution_jobs SET max_attempts = 0 WHERE id = 'd2_j'$$,
 $$UPDATE bloxtr8.contract_execution_jobs SET max_attempts = 1 WHERE id = 'd2_j'$$),
('contract_execution_jobs_max_attempts_check',
 $$INSERT INTO bloxtr8.contract_execution_jobs (contract_id, max_attempts, next_retry_at) VALUES ('d4_c', 0, now())$$,
 $$INSERT INTO bloxtr8.contract_execution_jobs (contract_id, max_attempts, next_retry_at)
   VALUES ('d4_c', 1, now())$$),
('contract_execution_jobs_next_retry_at_check',
 $$UPDATE bloxtr8.contract_execution_jobs SET next_retry_at = NULL WHERE id = 'j_t'$$,
 $$UPDATE bloxtr8.contract_execution_jobs SET next_retry_at = now() + interval '1 hour' WHERE id = 'j_t'$$),
('contract_execution_jobs_pending_check',
 $$UPDATE bloxtr8.contract_execution_jobs SET attempts = 3 WHERE id = 'j_t'$$,
 $$UPDATE bloxtr8.contract_execution_jobs SET attempts = 2 WHERE id = 'j_t'$$),
('contract_execution_jobs_processing_check',
 $$UPDATE bloxtr8.contract_execution_jobs SET status = 'PROCESSING', attempts = 1 WHERE id = 'j_t'$$,
 $$UPDATE bloxtr8.contract_execution_jobs
   SET status = 'PROCESSING', attempts = 1, processing_started_at = now(), next_retry_at = now() + interval '1 minute'
   WHERE id = 'j_t'$$),
('contract_execution_jobs_lease_check',
 $$UPDATE bloxtr8.contract_execution_jobs
   SET status = 'PROCESSING', attempts = 1, processing_started_at = now(), next_retry_at = now() WHERE id = 'j_t'$$,
 $$UPDATE bloxtr8.contract_execution_jobs
   SET status = 'PROCESSING', attempts = 1, processing_started_at = now(), next_retry_at = now() + interval '1 day'
   WHERE id = 'j_t'$$),
('contract_execution_jobs_completed_at_check',
 $$UPDATE bloxtr8.contract_execution_jobs SET completed_at = now() WHERE id = 'j_t'$$,
 $$UPDATE bloxtr8.contract_execution_jobs SET last_error = 'x' WHERE id = 'j_t'$$),
('contract_execution_jobs_failed_check',
 $$UPDATE bloxtr8.contract_execution_jobs SET status = 'FAILED', next_retry_at = NULL WHERE id = 'd1_jp'$$,
 $$UPDATE bloxtr8.contract_execution_jobs SET status = 'FAILED', next_retry_at = NULL, max_attempts = 1
   WHERE id = 'd1_jp'$$),
-- escrows (inserted for d1, whose contract has no escrow yet)
('escrows_amount_check',
 $$INSERT INTO bloxtr8.escrows (rail, amount, offer_id, contract_id) VALUES ('STRIPE', 0, 'd1_o', 'd1_c')$$,
 $$INSERT INTO bloxtr8.escrows (rail, amount, offer_id, contract_id) VALUES ('STRIPE', 1, 'd1_o', 'd1_c')$$),
('escrows_rail_check',
 $$INSERT INTO bloxtr8.escrows (rail, amount, offer_id, contract_id) VALUES ('STRIPE', 1000001, 'd1_o', 'd1_c')$$,
 $$INSERT INTO bloxtr8.escrows (rail, amount, offer_id, contract_id) VALUES ('USDC_BASE', 1000001, 'd1_o', 'd1_c')$$),
-- stripe_escrows (the row of e_stripe)
('stripe_escrows_payment_intent_id_check',
 $$INSERT INTO bloxtr8.stripe_escrows (payment_intent_id, escrow_id) VALUES ('ch_1', pg_temp.b8_id('e_usdc'))$$,
 $$INSERT INTO bloxtr8.stripe_escrows (payment_intent_id, escrow_id) VALUES ('pi_1', pg_temp.b8_id('e_usdc'))$$),
('stripe_escrows_transfer_id_check',
 $$UPDATE bloxtr8.stripe_escrows SET transfer_id = 'po_1' WHERE payment_intent_id = 'pi_d2'$$,
 $$UPDATE bloxtr8.stripe_escrows SET transfer_id = 'tr_1' WHERE payment_intent_id = 'pi_d2'$$),
('stripe_escrows_refund_id_check',
 $$UPDATE bloxtr8.stripe_escrows SET refund_id = 'rf_1' WHERE payment_intent_id = 'pi_d2'$$,
 $$UPDATE bloxtr8.stripe_escrows SET refund_id = 're_1' WHERE payment_intent_id = 'pi_d2'$$),
('stripe_escrows_settlement_check',
 $$UPDATE bloxtr8.stripe_escrows SET transfer_id = 'tr_1', refund_id = 're_1' WHERE payment_intent_id = 'pi_d2'$$,
 $$UPDATE bloxtr8.stripe_escrows SET transfer_id = 'tr_1' WHERE payment_intent_id = 'pi_d2'$$),
-- stablecoin_escrows (the row of e_usdc, deposited)
('stablecoin_escrows_chain_check',
 $$INSERT INTO bloxtr8.stablecoin_escrows (chain, deposit_addr, escrow_id)
   VALUES ('ETHEREUM', '0x' || repeat('e1', 20), pg_temp.b8_id('e_stripe'))$$,
 $$INSERT INTO bloxtr8.stablecoin_escrows (chain, deposit_addr, escrow_id)
   VALUES ('BASE', '0x' || repeat('e1', 20), pg_temp.b8_id('e_stripe'))$$),
('stablecoin_escrows_deposit_addr_check',
 $$INSERT INTO bloxtr8.stablecoin_escrows (deposit_addr, escrow_id) VALUES ('0x' || repeat('E1', 20), pg_temp.b8_id('e_stripe'))$$,
 $$INSERT INTO bloxtr8.stablecoin_escrows (deposit_addr, escrow_id) VALUES ('0x' || repeat('e1', 20), pg_temp.b8_id('e_stripe'))$$),
('stablecoin_escrows_deposit_tx_check',
 $$INSERT INTO bloxtr8.stablecoin_escrows (deposit_addr, deposit_tx, escrow_id)
   VALUES ('0x' || repeat('e1', 20), '0x' || repeat('ab', 31), pg_temp.b8_id('e_stripe'))$$,
 $$INSERT INTO bloxtr8.stablecoin_escrows (deposit_addr, deposit_tx, escrow_id)
   VALUES ('0x' || repeat('e1', 20), '0x' || repeat('ab', 32), pg_temp.b8_id('e_stripe'))$$),
('stablecoin_escrows_release_tx_check',
 $$UPDATE bloxtr8.stablecoin_escrows SET release_tx = repeat('ab', 32) WHERE escrow_id = pg_temp.b8_id('e_usdc')$$,
 $$UPDATE bloxtr8.stablecoin_escrows SET release_tx = '0x' || repeat('ab', 32) WHERE escrow_id = pg_temp.b8_id('e_usdc')$$),
('stablecoin_escrows_refund_tx_check',
 $$UPDATE bloxtr8.stablecoin_escrows SET refund_tx = '0x' || repeat('AB', 32) WHERE escrow_id = pg_temp.b8_id('e_usdc')$$,
 $$UPDATE bloxtr8.stablecoin_escrows SET refund_tx = '0x' || repeat('ab', 32) WHERE escrow_id = pg_temp.b8_id('e_usdc')$$),
('stablecoin_escrows_settlement_check',
 $$UPDATE bloxtr8.stablecoin_escrows SET release_tx = '0x' || repeat('ab', 32), refund_tx = '0x' || repeat('cd', 32)
   WHERE escrow_id = pg_temp.b8_id('e_usdc')$$,
 $$UPDATE bloxtr8.stablecoin_escrows SET refund_tx = '0x' || repeat('cd', 32) WHERE escrow_id = pg_temp.b8_id('e_usdc')$$),
('stablecoin_escrows_deposit_check',
 $$INSERT INTO bloxtr8.stablecoin_escrows (deposit_addr, release_tx, escrow_id)
   VALUES ('0x' || repeat('e1', 20), '0x' || repeat('ab', 32), pg_temp.b8_id('e_stripe'))$$,
 $$INSERT INTO bloxtr8.stablecoin_escrows (deposit_addr, deposit_tx, release_tx, escrow_id)
   VALUES ('0x' || repeat('e1', 20), '0x' || repeat('cd', 32), '0x' || repeat('ab', 32), pg_temp.b8_id('e_stripe'))$$),
-- milestone_escrows
('milestone_escrows_title_check',
 $$INSERT INTO bloxtr8.milestone_escrows (escrow_id, title, amount) VALUES (pg_temp.b8_id('e_stripe'), '', 1)$$,
 $$INSERT INTO bloxtr8.milestone_escrows (escrow_id, title, amount) VALUES (pg_temp.b8_id('e_stripe'), 'x', 1)$$),
('milestone_escrows_amount_check',
 $$INSERT INTO bloxtr8.milestone_escrows (escrow_id, title, amount) VALUES (pg_temp.b8_id('e_stripe'), 'x', -1)$$,
 $$INSERT INTO bloxtr8.milestone_escrows (escrow_id, title, amount) VALUES (pg_temp.b8_id('e_stripe'), 'x', 1)$$),
('milestone_escrows_released_at_check',
 $$UPDATE bloxtr8.milestone_escrows SET released_at = created_at - interval '1 second' WHERE id = 'm_1'$$,
 $$UPDATE bloxtr8.milestone_escrows SET released_at = created_at WHERE id = 'm_1'$$),
-- deliveries (the PENDING delivery of e_stripe)
('deliveries_delivered_at_check',
 $$UPDATE bloxtr8.deliveries SET delivered_at = now() WHERE escrow_id = pg_temp.b8_id('e_stripe')$$,
 $$UPDATE bloxtr8.deliveries SET delivered_at = now(), status = 'DELIVERED' WHERE escrow_id = pg_temp.b8_id('e_stripe')$$),
('deliveries_confirmed_at_check',
 $$UPDATE bloxtr8.deliveries SET delivered_at = now(), status = 'DELIVERED', confirmed_at = now()
   WHERE escrow_id = pg_temp.b8_id('e_stripe')$$,
 $$UPDATE bloxtr8.deliveries SET delivered_at = now(), status = 'DELIVERED', notes = 'x'
   WHERE escrow_id = pg_temp.b8_id('e_stripe')$$),
-- disputes (the OPEN dispute of e_usdc)
('disputes_reason_check',
 $$INSERT INTO bloxtr8.disputes (escrow_id, user_id, reason) VALUES (pg_temp.b8_id('e_stripe'), 'u_buyer', ' ')$$,
 $$INSERT INTO bloxtr8.disputes (escrow_id, user_id, reason) VALUES (pg_temp.b8_id('e_stripe'), 'u_buyer', 'late')$$),
('disputes_resolved_at_check',
 $$UPDATE bloxtr8.disputes SET resolved_at = now() WHERE escrow_id = pg_temp.b8_id('e_usdc')$$,
 $$UPDATE bloxtr8.disputes SET resolved_at = now(), status = 'RESOLVED' WHERE escrow_id = pg_temp.b8_id('e_usdc')$$),
-- asset_verifications (av_1: VERIFIED)
('asset_verifications_game_id_check',
 $$INSERT INTO bloxtr8.asset_verifications (user_id, game_id, verification_method) VALUES ('u_buyer', '042', 'MANUAL')$$,
 $$INSERT INTO bloxtr8.asset_verifications (user_id, game_id, verification_method) VALUES ('u_buyer', '42', 'MANUAL')$$),
('asset_verifications_verified_at_check',
 $$INSERT INTO bloxtr8.asset_verifications (user_id, game_id, verification_method, verified_at, expires_at)
   VALUES ('u_buyer', '42', 'MANUAL', now(), now() + interval '24 hours')$$,
 $$INSERT INTO bloxtr8.asset_verifications (user_id, game_id, verification_method) VALUES ('u_buyer', '42', 'MANUAL')$$),
('asset_verifications_expires_at_check',
 $$UPDATE bloxtr8.asset_verifications SET expires_at = verified_at + interval '25 hours' WHERE id = 'av_1'$$,
 $$UPDATE bloxtr8.asset_verifications SET expires_at = verified_at + interval '24 hours' WHERE id = 'av_1'$$),
-- roblox_snapshots
('roblox_snapshots_game_id_check',
 $$INSERT INTO bloxtr8.roblox_snapshots (game_id, game_name) VALUES ('game-1', 'x')$$,
 $$INSERT INTO bloxtr8.roblox_snapshots (game_id, game_name) VALUES ('1', 'x')$$),
('roblox_snapshots_game_name_check',
 $$INSERT INTO bloxtr8.roblox_snapshots (game_id, game_name) VALUES ('1', '')$$,
 $$INSERT INTO bloxtr8.roblox_snapshots (game_id, game_name) VALUES ('1', 'x')$$),
('roblox_snapshots_player_count_check',
 $$INSERT INTO bloxtr8.roblox_snapshots (game_id, game_name, player_count) VALUES ('1', 'x', -1)$$,
 $$INSERT INTO bloxtr8.roblox_snapshots (game_id, game_name, player_count) VALUES ('1', 'x', 0)$$),
('roblox_snapshots_visits_check',
 $$INSERT INTO bloxtr8.roblox_snapshots (game_id, game_name, visits) VALUES ('1', 'x', -1)$$,
 $$INSERT INTO bloxtr8.roblox_snapshots (game_id, game_name, visits) VALUES ('1', 'x', 30000000000)$$),
('roblox_snapshots_verification_date_check',
 $$INSERT INTO bloxtr8.roblox_snapshots (game_id, game_name, verified_ownership) VALUES ('1', 'x', true)$$,
 $$INSERT INTO bloxtr8.roblox_snapshots (game_id, game_name, verified_ownership, verification_date)
   VALUES ('1', 'x', true, now())$$),
-- audit_logs
('audit_logs_action_check',
 $$INSERT INTO bloxtr8.audit_logs (action) VALUES ('Listing Created')$$,
 $$INSERT INTO bloxtr8.audit_logs (action) VALUES ('listing_created')$$);

-- a PROCESSING job in its first attempt, for contract_execution_jobs_failed_check; d4 has no job yet
SELECT pg_temp.deal('d1p', 500000, 'EXECUTING');
SELECT pg_temp.deal('d4');
UPDATE bloxtr8.contract_execution_jobs
SET id = id, status = 'PROCESSING', attempts = 1, processing_started_at = now(), next_retry_at = now() + interval '1 minute'
WHERE id = 'd1p_j';
UPDATE pg_temp.check_case SET bad = replace(bad, 'd1_jp', 'd1p_j'), good = replace(good, 'd1_jp', 'd1p_j');

SELECT is(pg_temp.try(c.bad), '23514 ' || c.con, format('%s refuses a row that breaks it', c.con))
FROM pg_temp.check_case AS c
ORDER BY c.ord;
SELECT is(pg_temp.try(c.good), 'ok', format('%s lets the nearest valid row through', c.con))
FROM pg_temp.check_case AS c
ORDER BY c.ord;
SELECT set_eq(
    'SELECT con FROM pg_temp.check_case',
    $$SELECT k.conname FROM pg_constraint AS k WHERE k.connamespace = 'bloxtr8'::regnamespace AND k.contype = 'c'$$,
    'every CHECK of bloxtr8 is tested on both sides above'
);

-- Unique constraints and unique indexes: a duplicate is refused by name.
CREATE TEMP TABLE unique_case (ord serial, con name, dup text) ON COMMIT DROP;
INSERT INTO unique_case (con, dup) VALUES
('users_email_key', $$INSERT INTO bloxtr8.users (email) VALUES ('seller@bloxtr8.test')$$),
('accounts_provider_id_account_id_key',
 $$INSERT INTO bloxtr8.accounts (id, account_id, provider_id, user_id) VALUES ('a9', '1001', 'roblox', 'u_other')$$),
('sessions_token_key',
 $$INSERT INTO bloxtr8.sessions (id, token, user_id, expires_at)
   SELECT 's9', token, 'u_other', now() + interval '1 day' FROM bloxtr8.sessions WHERE id = 's_1'$$),
('guilds_discord_id_key', $$INSERT INTO bloxtr8.guilds (discord_id, name) VALUES ('123456789012345678', 'Again')$$),
('guild_members_guild_id_user_id_key', $$INSERT INTO bloxtr8.guild_members (guild_id, user_id) VALUES ('g_main', 'u_seller')$$),
('offers_parent_id_key',
 $$INSERT INTO bloxtr8.offers (amount, expiry, listing_id, buyer_id, seller_id, parent_id)
   VALUES (2, now() + interval '1 hour', 'd1_l', 'u_buyer', 'u_seller', 'o_parent')$$),
('contract_templates_version_key',
 $$INSERT INTO bloxtr8.contract_templates (version, name, terms, is_active) VALUES ('1.0.0', 'x', '{}', false)$$),
('contract_templates_is_active_key',
 $$INSERT INTO bloxtr8.contract_templates (version, name, terms) VALUES ('1.0.1', 'x', '{}')$$),
('contracts_offer_id_key', $$INSERT INTO bloxtr8.contracts (offer_id) VALUES ('d1_o')$$),
('signatures_user_id_contract_id_key', $$INSERT INTO bloxtr8.signatures (user_id, contract_id) VALUES ('u_buyer', 'd2_c')$$),
('contract_sign_tokens_token_key',
 $$INSERT INTO bloxtr8.contract_sign_tokens (token, contract_id, user_id, expires_at, created_at)
   SELECT token, 'd1_c', 'u_seller', now() + interval '15 minutes', now() FROM bloxtr8.contract_sign_tokens$$),
('contract_execution_jobs_contract_id_key',
 $$INSERT INTO bloxtr8.contract_execution_jobs (contract_id, next_retry_at) VALUES ('d2_c', now())$$),
('escrows_contract_id_key',
 $$INSERT INTO bloxtr8.escrows (rail, amount, offer_id, contract_id) VALUES ('STRIPE', 500000, 'd2_o', 'd2_c')$$),
('stripe_escrows_escrow_id_key',
 $$INSERT INTO bloxtr8.stripe_escrows (payment_intent_id, escrow_id) VALUES ('pi_other', pg_temp.b8_id('e_stripe'))$$),
('stripe_escrows_payment_intent_id_key',
 $$INSERT INTO bloxtr8.stripe_escrows (payment_intent_id, escrow_id) VALUES ('pi_d2', pg_temp.b8_id('e_usdc'))$$),
('stablecoin_escrows_escrow_id_key',
 $$INSERT INTO bloxtr8.stablecoin_escrows (deposit_addr, escrow_id)
   VALUES ('0x' || repeat('e2', 20), pg_temp.b8_id('e_usdc'))$$),
('stablecoin_escrows_deposit_addr_key',
 $$INSERT INTO bloxtr8.stablecoin_escrows (deposit_addr, escrow_id)
   VALUES ('0x00000000000000000000000000000000000000d3', pg_temp.b8_id('e_stripe'))$$),
('stablecoin_escrows_deposit_tx_key',
 $$INSERT INTO bloxtr8.stablecoin_escrows (deposit_addr, deposit_tx, escrow_id)
   VALUES ('0x' || repeat('e2', 20), '0x' || repeat('d3', 32), pg_temp.b8_id('e_stripe'))$$),
('deliveries_escrow_id_key',
 $$INSERT INTO bloxtr8.deliveries (listing_id, offer_id, contract_id, escrow_id, user_id)
   VALUES ('d2_l', 'd2_o', 'd2_c', pg_temp.b8_id('e_stripe'), 'u_seller')$$),
('disputes_escrow_id_key',
 $$INSERT INTO bloxtr8.disputes (escrow_id, user_id, reason) VALUES (pg_temp.b8_id('e_usdc'), 'u_seller', 'again')$$),
('asset_verifications_user_id_game_id_key',
 $$INSERT INTO bloxtr8.asset_verifications (user_id, game_id, verification_method) VALUES ('u_seller', '4242', 'MANUAL')$$);

INSERT INTO bloxtr8.sessions (id, token, user_id, expires_at)
VALUES ('s_1', encode(sha256('s1'), 'hex'), 'u_other', now() + interval '1 day');
INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id)
VALUES ('o_parent', 1, now() + interval '1 hour', 'd1_l', 'u_buyer', 'u_seller');
INSERT INTO bloxtr8.offers (amount, expiry, listing_id, buyer_id, seller_id, parent_id)
VALUES (2, now() + interval '1 hour', 'd1_l', 'u_buyer', 'u_seller', 'o_parent');
SELECT bloxtr8.issue_sign_token('d1_c', 'u_buyer');

SELECT is(pg_temp.try(u.dup), '23505 ' || u.con, format('%s refuses a duplicate', u.con))
FROM pg_temp.unique_case AS u
ORDER BY u.ord;
SELECT set_eq(
    'SELECT con FROM pg_temp.unique_case',
    $$SELECT c.relname FROM pg_index AS x JOIN pg_class AS c ON c.oid = x.indexrelid
      WHERE c.relnamespace = 'bloxtr8'::regnamespace AND x.indisunique AND NOT x.indisprimary
        AND c.relname NOT IN ('listings_id_user_id_key', 'contracts_id_offer_id_key')$$,
    'every unique of bloxtr8 is tested above (but the two behind composite foreign keys, implied by their primary keys)'
);

-- The composite foreign keys: an offer's seller owns its listing; an escrow's offer is its contract's.
SELECT is(
    pg_temp.try($$INSERT INTO bloxtr8.offers (amount, expiry, listing_id, buyer_id, seller_id)
                  VALUES (1, now() + interval '1 hour', 'd1_l', 'u_buyer', 'u_other')$$),
    '23503 offers_listing_id_seller_id_fkey',
    'an offer''s seller is the owner of its listing (offers_listing_id_seller_id_fkey)'
);
SELECT is(
    pg_temp.try($$INSERT INTO bloxtr8.escrows (rail, amount, offer_id, contract_id) VALUES ('STRIPE', 1, 'd2_o', 'd1_c')$$),
    '23503 escrows_contract_id_offer_id_fkey',
    'an escrow''s offer is its contract''s (escrows_contract_id_offer_id_fkey)'
);
INSERT INTO bloxtr8.offers (id, amount, expiry, listing_id, buyer_id, seller_id)
VALUES ('o_accepted', 1, now() + interval '1 hour', 'd1_l', 'u_other', 'u_seller');
UPDATE bloxtr8.offers SET status = 'ACCEPTED'
WHERE id = 'o_accepted';
SELECT is(
    pg_temp.try($$INSERT INTO bloxtr8.contracts (offer_id, template_version) VALUES ('o_accepted', '9.9.9')$$),
    '23503 contracts_template_version_fkey',
    'a contract names an existing template version'
);

-- ON DELETE
INSERT INTO bloxtr8.users (id, email) VALUES ('u_gone', 'gone@bloxtr8.test');
INSERT INTO bloxtr8.accounts (id, account_id, provider_id, user_id) VALUES ('a_gone', 'g1', 'discord', 'u_gone');
INSERT INTO bloxtr8.sessions (id, token, user_id, expires_at)
VALUES ('s_gone', encode(sha256('gone'), 'hex'), 'u_gone', now() + interval '1 day');
INSERT INTO bloxtr8.guild_members (guild_id, user_id) VALUES ('g_main', 'u_gone');
DELETE FROM bloxtr8.users
WHERE id = 'u_gone';
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.accounts
     WHERE user_id = 'u_gone')
    + (SELECT count(*)::integer FROM bloxtr8.sessions
       WHERE user_id = 'u_gone')
    + (SELECT count(*)::integer FROM bloxtr8.guild_members
       WHERE user_id = 'u_gone'),
    0,
    'deleting a user deletes its accounts, sessions and guild memberships (ON DELETE CASCADE)'
);
UPDATE bloxtr8.listings SET guild_id = 'g_main'
WHERE id = 'd1_l';
DELETE FROM bloxtr8.guilds
WHERE id = 'g_main';
SELECT is(
    (SELECT guild_id FROM bloxtr8.listings
     WHERE id = 'd1_l'), NULL,
    'deleting a guild leaves its listings without a guild (ON DELETE SET NULL) and ends its memberships'
);
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.contract_sign_tokens
     WHERE contract_id = 'd1_c'), 1,
    'd1_c has a sign token'
);
DELETE FROM bloxtr8.contract_execution_jobs
WHERE id = 'j_t';
DELETE FROM bloxtr8.contracts
WHERE id = 'd1_c';
SELECT is(
    (SELECT count(*)::integer FROM bloxtr8.contract_sign_tokens
     WHERE contract_id = 'd1_c'), 0,
    'deleting a contract deletes its sign tokens (ON DELETE CASCADE)'
);
DELETE FROM bloxtr8.milestone_escrows
WHERE id <> 'm_1';
SELECT is(
    pg_temp.try($$DELETE FROM bloxtr8.users WHERE id = 'u_seller'$$),
    '23503 listings_user_id_fkey',
    'a user with listings is kept (ON DELETE RESTRICT: history keeps who sold)'
);

SELECT * FROM finish();
ROLLBACK;
