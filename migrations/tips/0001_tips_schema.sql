-- depends: 0008_common_finite
-- Schema tips (seed 002): Solana tip events reported by a webhook, verified against the chain
-- through an RPC provider (Helius), then paid out to the host in a stablecoin (Reflect);
-- walletless onboarding of tippers (Dynamic). The seed extends an `events` table and host
-- metrics it never shows: they are defined here (DESIGN.md §1).
--
--   0002 hosts                  who receives tips (a Solana wallet); the seed's "host"
--   0003 events                 one tip, as the webhook reported it; append-only
--   0004 event_verifications    the seed's table: pending -> verified | failed, one per event
--   0005 ingest                 event + pending verification in one transaction, idempotent
--   0006 verification functions claim (lease), verify, fail, release: the worker's moves
--   0007 reflect_payouts        the seed's table: only for verified events, one per event
--   0008 payout functions       claim, queue, settle, fail, cancel, release
--   0009 dynamic_sessions       the seed's table: initiated -> wallet_created | failed
--   0010 metrics                verified_tips (the one definition of a counted tip),
--                               host_metrics (materialized, refreshed concurrently)

CREATE SCHEMA tips;

COMMENT ON SCHEMA tips IS
'Solana tips (seed 002): events reported by a webhook, verified on chain (Helius), paid out in a stablecoin '
'(Reflect); walletless Dynamic sessions; host metrics over verified tips only.';

GRANT USAGE ON SCHEMA tips TO chaindb_app, chaindb_readonly;
