-- tips: the declared rules hold on the tables themselves, for every writer. The app cannot write a status
-- (column grants) and the rule functions check the state they move from, so the app alone never reaches
-- these triggers; the owner does (a migration, a DBA's fix): a new row starts in an initial state, and a
-- row moves only as declared. (08_state_machines.sql proves the declarations on copies of the
-- triggers; this file, that the tables carry them.)
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(10);
\ir ../helpers.psql
\ir fixtures.psql

SELECT pg_temp.tip('owner-1');
-- an event whose verification is yet to come (events_verification_required waits for a commit that never comes)
INSERT INTO tips.events (id, host, signer, amount, mint, signature)
VALUES ('owner-2', pg_temp.pubkey('host a'), pg_temp.pubkey('signer'), 1, pg_temp.usdc(), pg_temp.sig('owner-2'));
SELECT is(
    pg_temp.refused(format(
        $$INSERT INTO tips.event_verifications (event_id, signature, status, slot, helius_response, verified_at)
          VALUES ('owner-2', %L, 'verified', 7, '{"slot": 7}', now())$$, pg_temp.sig('owner-2')
    )),
    'CD007 event_verifications_initial_status',
    'a verification starts pending, even the owner''s'
);

SELECT pg_temp.decide('owner-1', 'verified');
SELECT is(
    pg_temp.refused($$INSERT INTO tips.reflect_payouts (event_id, currency, amount, status, reflect_tip_id)
                      VALUES ('owner-1', 'USDC', 1, 'queued', 'rfl_owner')$$),
    'CD007 reflect_payouts_initial_status',
    'a payout starts pending, even the owner''s'
);

SELECT is(
    pg_temp.refused($$UPDATE tips.event_verifications SET status = 'pending' WHERE event_id = 'owner-1'$$),
    'CD001 event_verifications_status_transition',
    'a verified tip never goes back to pending, even by the owner'
);
SELECT tips.create_payout('owner-1', 'USDC', 1);
SELECT tips.queue_payout(p.id, p.claim_token, 'rfl_owner_1') FROM tips.claim_payouts('pending', 1000, '1 minute') AS p;
SELECT is(
    pg_temp.refused($$UPDATE tips.reflect_payouts SET status = 'pending' WHERE event_id = 'owner-1'$$),
    'CD001 reflect_payouts_status_transition',
    'a queued payout never goes back to pending, even by the owner'
);

SELECT is(
    pg_temp.refused($$INSERT INTO tips.dynamic_sessions (external_id, status, failure_reason)
                      VALUES ('owner-ds-1', 'failed', 'timeout')$$),
    'CD007 dynamic_sessions_initial_status',
    'a session starts initiated, even the owner''s'
);
SELECT is(
    pg_temp.refused(format(
        $$INSERT INTO tips.dynamic_sessions (external_id, status, custodial_wallet) VALUES ('owner-ds-1', 'wallet_created', %L)$$,
        pg_temp.pubkey('owner wallet 1')
    )),
    'CD007 dynamic_sessions_initial_status',
    'a session starts initiated, even with its wallet'
);

INSERT INTO tips.dynamic_sessions (external_id) VALUES ('owner-ds-2'), ('owner-ds-3');
SELECT tips.fail_dynamic_session(id, 'timeout') FROM tips.dynamic_sessions
WHERE external_id = 'owner-ds-2';
SELECT tips.assign_session_wallet(id, pg_temp.pubkey('owner wallet')) FROM tips.dynamic_sessions
WHERE external_id = 'owner-ds-3';
SELECT is(
    pg_temp.refused($$UPDATE tips.dynamic_sessions SET status = 'wallet_created',
                      custodial_wallet = pg_temp.pubkey('late wallet') WHERE external_id = 'owner-ds-2'$$),
    'CD001 dynamic_sessions_status_transition',
    'a failed session never gets a wallet, even from the owner'
);
SELECT is(
    pg_temp.refused(
        $$UPDATE tips.dynamic_sessions SET status = 'failed', failure_reason = 'late' WHERE external_id = 'owner-ds-3'$$
    ),
    'CD001 dynamic_sessions_status_transition',
    'a session with its wallet never fails, even by the owner'
);
SELECT is(
    pg_temp.refused($$UPDATE tips.dynamic_sessions SET status = 'initiated' WHERE external_id = 'owner-ds-3'$$),
    'CD001 dynamic_sessions_status_transition',
    'a session with its wallet never goes back to initiated, even by the owner'
);
SELECT is(
    (SELECT array_agg(status::text ORDER BY external_id) FROM tips.dynamic_sessions
     WHERE external_id IN ('owner-ds-2', 'owner-ds-3')),
    ARRAY['failed', 'wallet_created'],
    'both sessions stay as they were'
);

SELECT * FROM finish();
ROLLBACK;
