-- tips: both sides of every CHECK, at its boundaries. Each probe inserts a valid base row of a table
-- with some columns changed, with no trigger and no foreign key firing (pg_temp.check_verdict:
-- session_replication_role = replica, as a logical replica or pg_restore --disable-triggers loads
-- rows), so the CHECKs alone judge it: admitted, or refused naming the CHECK. The probes leave nothing
-- behind. Each comparison is probed on both sides of its boundary, each regex with what its anchors
-- keep out, and each operand of an AND with a row that only it refuses (make mutate moves every
-- comparison one step, drops every anchor and every operand of an AND: these probes fail then).
-- PostgreSQL judges a row's CHECKs in name order: a probe breaks one CHECK only.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
\ir ../helpers.psql
\ir fixtures.psql

CREATE TEMP TABLE base (tbl regclass PRIMARY KEY, fields jsonb NOT NULL) ON COMMIT DROP;
INSERT INTO base (tbl, fields) VALUES
('tips.hosts', jsonb_build_object('wallet', pg_temp.pubkey('probe host'), 'handle', 'h')),
('tips.events', jsonb_build_object(
    'id', 'e1', 'host', pg_temp.pubkey('host a'), 'signer', pg_temp.pubkey('signer'), 'amount', 1,
    'mint', pg_temp.usdc(), 'signature', pg_temp.sig('e1'))),
('tips.event_verifications', jsonb_build_object('event_id', 'e1', 'signature', pg_temp.sig('e1'))),
('tips.reflect_payouts', '{"event_id": "e1", "currency": "USDC", "amount": 1}'),
('tips.dynamic_sessions', '{"external_id": "ds-1"}');

-- rows of event_verifications and reflect_payouts in each state, that every other CHECK admits
CREATE TEMP TABLE state (name text PRIMARY KEY, fields jsonb NOT NULL) ON COMMIT DROP;
INSERT INTO state (name, fields) VALUES
('verified', '{"status": "verified", "slot": 7, "helius_response": {"slot": 7}, "verified_at": "2030-01-01T00:00:00Z"}'),
('failed', '{"status": "failed", "error_code": "NOT_FOUND", "helius_response": {"found": false}}'),
('queued', '{"status": "queued", "reflect_tip_id": "rfl_1"}'),
('settled', '{"status": "settled", "reflect_tip_id": "rfl_1"}'),
('payout failed', '{"status": "failed", "reflect_tip_id": "rfl_1", "last_error": "refused"}'),
('cancelled', '{"status": "cancelled", "last_error": "given up"}');

CREATE FUNCTION pg_temp.as_state(p_name text, p_changes jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql AS $$
    SELECT s.fields || p_changes FROM state AS s WHERE s.name = p_name
$$;

-- expected: NULL when the row is admitted, else the CHECK that refuses it
CREATE TEMP TABLE probe (ord serial, tbl regclass, changes jsonb, expected text, why text) ON COMMIT DROP;
INSERT INTO probe (tbl, changes, expected, why) VALUES
('tips.hosts', '{}', NULL, 'the base row'),
('tips.hosts', jsonb_build_object('handle', '_' || repeat('a', 62) || '-'), NULL, 'a 64-character handle'),
('tips.hosts', '{"handle": "a.b-c_1"}', NULL, 'a handle with . - _ and a digit inside'),
('tips.hosts', '{"handle": ".h"}', 'hosts_handle_check', 'a handle starting with . (^)'),
('tips.hosts', '{"handle": "h!"}', 'hosts_handle_check', 'a handle ending with ! ($)'),
('tips.hosts', '{"handle": "H"}', 'hosts_handle_check', 'an upper-case handle'),
('tips.hosts', '{"handle": ""}', 'hosts_handle_check', 'an empty handle'),
('tips.hosts', '{"wallet": "not-a-key"}', 'hosts_wallet_check', 'a wallet that is no Solana key'),

('tips.events', '{}', NULL, 'the base row: a tip of 1'),
('tips.events', '{"amount": 0}', 'events_amount_check', 'a tip of 0'),
('tips.events', '{"amount": -1}', 'events_amount_check', 'a negative tip'),
('tips.events', jsonb_build_object('id', '!' || repeat('e', 70) || '~'), NULL, 'a 72-character id of ! to ~'),
('tips.events', '{"id": " e1"}', 'events_id_check', 'an id starting with a blank (^)'),
('tips.events', '{"id": "e1 "}', 'events_id_check', 'an id ending with a blank ($)'),
('tips.events', '{"id": "e 1"}', 'events_id_check', 'an id with an inner blank'),
('tips.events', '{"id": ""}', 'events_id_check', 'an empty id'),
('tips.events', '{"mint": "not-a-key"}', 'events_mint_check', 'a mint that is no Solana key'),
('tips.events', '{"signature": "not-a-signature"}', 'events_signature_check', 'a bad signature'),
('tips.events', jsonb_build_object('signature', pg_temp.pubkey('e1')), 'events_signature_check',
    'a public key for a signature (32 bytes, not 64)'),
('tips.events', '{"signer": "not-a-key"}', 'events_signer_check', 'a signer that is no Solana key'),
('tips.events', jsonb_build_object('signer', pg_temp.pubkey('host a')), 'events_signer_host_check',
    'a host tipping itself'),

('tips.event_verifications', '{}', NULL, 'the base row: pending, unclaimed, no answer'),
('tips.event_verifications', '{"attempt_count": -1}', 'event_verifications_attempt_count_check',
    'a negative attempt count'),
('tips.event_verifications', '{"claim_token": "00000000-0000-4000-8000-000000000001", "attempt_count": 1}', NULL,
    'a claimed pending row'),
('tips.event_verifications', pg_temp.as_state('verified', '{"claim_token": "00000000-0000-4000-8000-000000000001"}'),
    'event_verifications_claim_check', 'a claimed verified row'),
('tips.event_verifications', pg_temp.as_state('failed', '{"claim_token": "00000000-0000-4000-8000-000000000001"}'),
    'event_verifications_claim_check', 'a claimed failed row'),
('tips.event_verifications', pg_temp.as_state('verified'), NULL, 'verified: slot, its answer and verified_at'),
('tips.event_verifications', pg_temp.as_state('verified', '{"slot": 0, "helius_response": {"slot": 0}}'), NULL,
    'verified at slot 0'),
('tips.event_verifications', pg_temp.as_state('failed'), NULL, 'failed: its error code, no slot'),
('tips.event_verifications', pg_temp.as_state('failed', '{"slot": 0}'), NULL, 'failed at slot 0 (the transaction was found)'),
('tips.event_verifications', pg_temp.as_state('failed', '{"slot": -1}'), 'event_verifications_slot_check',
    'failed at slot -1'),
('tips.event_verifications', pg_temp.as_state('failed', '{"slot": 5, "helius_response": {"slot": 6}}'), NULL,
    'failed with an answer for another slot (only a verified answer is tied to its slot)'),
('tips.event_verifications', pg_temp.as_state('failed', '{"error_code": null}'), 'event_verifications_error_code_check',
    'failed without an error code'),
('tips.event_verifications', '{"error_code": "NOT_FOUND"}', 'event_verifications_error_code_check',
    'pending with an error code'),
('tips.event_verifications', pg_temp.as_state('verified', '{"error_code": "X"}'), 'event_verifications_error_code_check',
    'verified with an error code'),
('tips.event_verifications', pg_temp.as_state('failed', '{"error_code": "X"}'), NULL, 'a one-letter error code'),
('tips.event_verifications', pg_temp.as_state('failed', '{"error_code": "E_1"}'), NULL, 'an error code with _ and a digit'),
('tips.event_verifications', pg_temp.as_state('failed', '{"error_code": "1E"}'), 'event_verifications_error_code_format_check',
    'an error code starting with a digit (^)'),
('tips.event_verifications', pg_temp.as_state('failed', '{"error_code": "E-"}'), 'event_verifications_error_code_format_check',
    'an error code ending with - ($)'),
('tips.event_verifications', pg_temp.as_state('failed', '{"error_code": "Ee"}'), 'event_verifications_error_code_format_check',
    'an error code ending lower-case ($)'),
('tips.event_verifications', '{"helius_response": {"slot": 7}}', 'event_verifications_helius_response_check',
    'pending with an answer'),
('tips.event_verifications', pg_temp.as_state('verified', '{"helius_response": {}}'),
    'event_verifications_helius_response_check', 'verified with an empty answer'),
('tips.event_verifications', pg_temp.as_state('failed', '{"helius_response": {}}'),
    'event_verifications_helius_response_check', 'failed with an empty answer'),
('tips.event_verifications', pg_temp.as_state('failed', '{"helius_response": []}'),
    'event_verifications_helius_response_check', 'failed with an answer that is an array, not an object'),
('tips.event_verifications', pg_temp.as_state('failed', '{"helius_response": "found"}'),
    'event_verifications_helius_response_check', 'failed with an answer that is a string'),
('tips.event_verifications', pg_temp.as_state('verified', '{"helius_response": {"slot": 8}}'),
    'event_verifications_helius_response_slot_check', 'verified with an answer for another slot'),
('tips.event_verifications', pg_temp.as_state('verified', '{"helius_response": {"slot": "7"}}'),
    'event_verifications_helius_response_slot_check', 'verified with the slot as a string in its answer'),
('tips.event_verifications', pg_temp.as_state('verified', '{"slot": null, "helius_response": {"found": true}}'),
    'event_verifications_slot_status_check', 'verified without a slot'),
('tips.event_verifications', '{"slot": 5}', 'event_verifications_slot_status_check', 'pending with a slot'),
('tips.event_verifications', pg_temp.as_state('verified', '{"verified_at": null}'),
    'event_verifications_verified_at_check', 'verified without verified_at'),
('tips.event_verifications', '{"verified_at": "2030-01-01T00:00:00Z"}', 'event_verifications_verified_at_check',
    'pending with verified_at'),
('tips.event_verifications', pg_temp.as_state('failed', '{"verified_at": "2030-01-01T00:00:00Z"}'),
    'event_verifications_verified_at_check', 'failed with verified_at'),

('tips.reflect_payouts', '{}', NULL, 'the base row: pending, no Reflect id, 1 USDC'),
('tips.reflect_payouts', '{"amount": 0}', NULL, 'an amount of 0'),
('tips.reflect_payouts', '{"amount": -0.01}', 'reflect_payouts_amount_check', 'an amount of -0.01'),
('tips.reflect_payouts', '{"amount": "NaN"}', 'reflect_payouts_amount_finite_check', 'a NaN amount (NaN >= 0 is true)'),
('tips.reflect_payouts', '{"attempt_count": -1}', 'reflect_payouts_attempt_count_check', 'a negative attempt count'),
('tips.reflect_payouts', '{"currency": "U1"}', NULL, 'a 2-character currency'),
('tips.reflect_payouts', jsonb_build_object('currency', 'P' || repeat('9', 15)), NULL, 'a 16-character currency'),
('tips.reflect_payouts', '{"currency": "U"}', 'reflect_payouts_currency_check', 'a 1-character currency'),
('tips.reflect_payouts', '{"currency": "1USD"}', 'reflect_payouts_currency_check', 'a currency starting with a digit (^)'),
('tips.reflect_payouts', '{"currency": "USDc"}', 'reflect_payouts_currency_check', 'a currency ending lower-case ($)'),
('tips.reflect_payouts', '{"currency": "usdc"}', 'reflect_payouts_currency_check', 'a lower-case currency'),
('tips.reflect_payouts', '{"claim_token": "00000000-0000-4000-8000-000000000001"}', NULL, 'a claimed pending payout'),
('tips.reflect_payouts', pg_temp.as_state('queued', '{"claim_token": "00000000-0000-4000-8000-000000000001"}'), NULL,
    'a claimed queued payout'),
('tips.reflect_payouts', pg_temp.as_state('settled', '{"claim_token": "00000000-0000-4000-8000-000000000001"}'),
    'reflect_payouts_claim_check', 'a claimed settled payout'),
('tips.reflect_payouts', pg_temp.as_state('cancelled', '{"claim_token": "00000000-0000-4000-8000-000000000001"}'),
    'reflect_payouts_claim_check', 'a claimed cancelled payout'),
('tips.reflect_payouts', pg_temp.as_state('payout failed'), NULL, 'failed, with Reflect''s id and its error'),
('tips.reflect_payouts', pg_temp.as_state('payout failed', '{"last_error": null}'), 'reflect_payouts_last_error_check',
    'failed without an error'),
('tips.reflect_payouts', pg_temp.as_state('cancelled', '{"last_error": null}'), 'reflect_payouts_last_error_check',
    'cancelled without a reason'),
('tips.reflect_payouts', pg_temp.as_state('settled', '{"last_error": "an earlier error"}'), NULL,
    'settled, with the error of an earlier attempt'),
('tips.reflect_payouts', pg_temp.as_state('queued'), NULL, 'queued with Reflect''s id'),
('tips.reflect_payouts', pg_temp.as_state('settled'), NULL, 'settled with Reflect''s id'),
('tips.reflect_payouts', pg_temp.as_state('cancelled'), NULL, 'cancelled before Reflect had it (no id)'),
('tips.reflect_payouts', pg_temp.as_state('cancelled', '{"reflect_tip_id": "rfl_1"}'), NULL,
    'cancelled by Reflect (with its id)'),
('tips.reflect_payouts', '{"reflect_tip_id": "rfl_1"}', 'reflect_payouts_reflect_tip_id_status_check',
    'pending with a Reflect id'),
('tips.reflect_payouts', pg_temp.as_state('queued', '{"reflect_tip_id": null}'),
    'reflect_payouts_reflect_tip_id_status_check', 'queued without a Reflect id'),
('tips.reflect_payouts', pg_temp.as_state('settled', '{"reflect_tip_id": null}'),
    'reflect_payouts_reflect_tip_id_status_check', 'settled without a Reflect id'),
('tips.reflect_payouts', pg_temp.as_state('payout failed', '{"reflect_tip_id": null}'),
    'reflect_payouts_reflect_tip_id_status_check', 'failed without a Reflect id'),

('tips.dynamic_sessions', '{}', NULL, 'the base row: initiated'),
('tips.dynamic_sessions', '{"external_id": " x "}', NULL, 'an external id with blanks around'),
('tips.dynamic_sessions', '{"external_id": "   "}', 'dynamic_sessions_external_id_check', 'a blank external id'),
('tips.dynamic_sessions', '{"external_id": ""}', 'dynamic_sessions_external_id_check', 'an empty external id'),
('tips.dynamic_sessions', jsonb_build_object('status', 'wallet_created', 'custodial_wallet', pg_temp.pubkey('w')), NULL,
    'wallet_created with its wallet'),
('tips.dynamic_sessions', '{"status": "wallet_created", "custodial_wallet": "not-a-key"}',
    'dynamic_sessions_custodial_wallet_check', 'wallet_created with a wallet that is no Solana key'),
('tips.dynamic_sessions', '{"status": "wallet_created"}', 'dynamic_sessions_wallet_created_check',
    'wallet_created without a wallet'),
('tips.dynamic_sessions', jsonb_build_object('custodial_wallet', pg_temp.pubkey('w')),
    'dynamic_sessions_wallet_created_check', 'initiated with a wallet'),
('tips.dynamic_sessions', '{"status": "failed", "failure_reason": "timeout"}', NULL, 'failed with its reason'),
('tips.dynamic_sessions', '{"status": "failed"}', 'dynamic_sessions_failure_reason_check', 'failed without a reason'),
('tips.dynamic_sessions', '{"failure_reason": "timeout"}', 'dynamic_sessions_failure_reason_check',
    'initiated with a failure reason'),
('tips.dynamic_sessions', jsonb_build_object('status', 'wallet_created', 'custodial_wallet', pg_temp.pubkey('w'),
    'failure_reason', 'timeout'), 'dynamic_sessions_failure_reason_check', 'wallet_created with a failure reason');

SELECT plan((SELECT count(*)::int FROM probe));

SELECT * FROM pg_temp.check_probes();

SELECT * FROM finish();
ROLLBACK;
