-- depends: 0007_common_clock
-- Schema bloxtr8 (seed 003, a Prisma schema): its enums, and the id generator every table uses.
--
-- Prisma -> PostgreSQL (DESIGN.md §1): models become snake_case plural tables, fields snake_case
-- columns; String -> text, Int -> integer, Boolean -> boolean, DateTime -> timestamptz, Json ->
-- jsonb; @updatedAt -> common.tg__set_updated_at(); cuid() ids -> text ids defaulting to
-- bloxtr8.cuid() below. Enums keep the seed's labels.
--
-- Enums the seed uses without defining, decided here (minimal, from its flows):
--   currency             USD only: every amount of the seed is in US cents (prices, offers,
--                        escrows; USDC on Base is a rail, not a currency of account).
--   verification_method  how a game's ownership was checked: ROBLOX_OAUTH (the user's own
--                        Roblox login), ROBLOX_API (Roblox's public API), MANUAL (the team).
--   delivery_status      the seed's flow "Delivery (PENDING -> DELIVERED -> CONFIRMED)".
--   dispute_status       OPEN -> RESOLVED; the outcome is the escrow's (REFUNDED or RELEASED).

CREATE SCHEMA bloxtr8;

COMMENT ON SCHEMA bloxtr8 IS
'Bloxtr8 (seed 003): a marketplace for Roblox games: listings, offers and counter-offers, two-party contracts, '
'an execution job queue, escrow on Stripe or USDC on Base, magic-link signing.';

CREATE TYPE bloxtr8.kyc_tier AS ENUM ('TIER_0', 'TIER_1', 'TIER_2');
COMMENT ON TYPE bloxtr8.kyc_tier IS
'TIER_0: no Roblox account, browse only; TIER_1: Roblox linked, may list, offer and sign; TIER_2: team verified '
'(trusted seller badge, kyc_verified).';

CREATE TYPE bloxtr8.wallet_risk AS ENUM ('UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'SANCTIONED');
COMMENT ON TYPE bloxtr8.wallet_risk IS
'Screening result of a user''s wallet. A SANCTIONED wallet can neither offer nor receive escrowed funds.';

CREATE TYPE bloxtr8.listing_status AS ENUM ('ACTIVE', 'INACTIVE', 'SOLD');
COMMENT ON TYPE bloxtr8.listing_status IS
'ACTIVE: open to offers; INACTIVE: hidden (by its seller, or under contract once an offer is accepted); SOLD: '
'its escrow was released (terminal).';

CREATE TYPE bloxtr8.offer_status AS ENUM ('PENDING', 'ACCEPTED', 'COUNTERED', 'DECLINED', 'EXPIRED');
COMMENT ON TYPE bloxtr8.offer_status IS
'PENDING -> ACCEPTED | COUNTERED | DECLINED | EXPIRED, all four terminal.';

CREATE TYPE bloxtr8.contract_status AS ENUM (
    'PENDING_SIGNATURE', 'EXECUTING', 'EXECUTED', 'EXECUTION_FAILED', 'VOID'
);
COMMENT ON TYPE bloxtr8.contract_status IS
'PENDING_SIGNATURE: awaiting one or both signatures; EXECUTING: both signed, its execution job queued or running; '
'EXECUTED: executed and active; EXECUTION_FAILED: the job failed its last attempt, may be retried; VOID: '
'cancelled or expired.';

CREATE TYPE bloxtr8.escrow_rail AS ENUM ('STRIPE', 'USDC_BASE');
COMMENT ON TYPE bloxtr8.escrow_rail IS 'STRIPE for amounts up to $10,000 (1,000,000 cents), USDC_BASE above.';

CREATE TYPE bloxtr8.escrow_status AS ENUM (
    'AWAIT_FUNDS', 'FUNDS_HELD', 'DELIVERED', 'RELEASED', 'DISPUTED', 'REFUNDED', 'CANCELLED'
);
COMMENT ON TYPE bloxtr8.escrow_status IS
'AWAIT_FUNDS -> FUNDS_HELD -> DELIVERED -> RELEASED; FUNDS_HELD | DELIVERED -> DISPUTED -> REFUNDED | RELEASED; '
'AWAIT_FUNDS -> CANCELLED.';

CREATE TYPE bloxtr8.verification_status AS ENUM ('PENDING', 'VERIFIED', 'FAILED', 'EXPIRED');
COMMENT ON TYPE bloxtr8.verification_status IS
'A game ownership check: PENDING while it runs, VERIFIED (cached 24 hours), FAILED, or EXPIRED after the cache.';

CREATE TYPE bloxtr8.game_ownership_type AS ENUM ('OWNER', 'ADMIN', 'DEVELOPER');
COMMENT ON TYPE bloxtr8.game_ownership_type IS 'The user''s relation to a Roblox game.';

CREATE TYPE bloxtr8.signature_method AS ENUM ('DISCORD_NATIVE', 'WEB_BASED', 'API');
COMMENT ON TYPE bloxtr8.signature_method IS
'DISCORD_NATIVE: quick sign via a Discord button; WEB_BASED: full review on the web, through a magic link '
'(contract_sign_tokens); API: programmatic (future use).';

CREATE TYPE bloxtr8.job_status AS ENUM ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED');
COMMENT ON TYPE bloxtr8.job_status IS
'An execution job: PENDING (waiting, or retrying after its backoff), PROCESSING (claimed by a worker), COMPLETED, '
'FAILED (after its last attempt).';

CREATE TYPE bloxtr8.currency AS ENUM ('USD');
COMMENT ON TYPE bloxtr8.currency IS
'Seed silent (Currency @default(USD)): every amount is in US cents, so USD is the only currency of account. A new '
'label needs its own minor unit reviewed first.';

CREATE TYPE bloxtr8.verification_method AS ENUM ('ROBLOX_OAUTH', 'ROBLOX_API', 'MANUAL');
COMMENT ON TYPE bloxtr8.verification_method IS
'Seed silent: how ownership was checked: the user''s Roblox login (ROBLOX_OAUTH), Roblox''s public API '
'(ROBLOX_API), or by the team (MANUAL).';

CREATE TYPE bloxtr8.delivery_status AS ENUM ('PENDING', 'DELIVERED', 'CONFIRMED');
COMMENT ON TYPE bloxtr8.delivery_status IS
'Seed silent beyond its flow: PENDING (funds held, the seller must transfer the game) -> DELIVERED (the seller '
'says it is done) -> CONFIRMED (the escrow was released).';

CREATE TYPE bloxtr8.dispute_status AS ENUM ('OPEN', 'RESOLVED');
COMMENT ON TYPE bloxtr8.dispute_status IS
'Seed silent: OPEN -> RESOLVED, when its escrow is refunded or released; the outcome is the escrow''s status.';

-- Ids: cuid-like, 25 characters, 'c' then 24 lowercase hex digits (a subset of cuid's [0-9a-z]: the shape of
-- Prisma's cuid(), ^c[0-9a-z]{24}$, so ids carried over from it fit the same columns), made of C built-ins:
--   11 milliseconds since the Unix epoch (until the year 2527)
--   4  a counter (bloxtr8.cuid_counter_seq, cycling through 16^4): distinct ids within one millisecond
--   9  random (pgcrypto, 36 bits)
-- Time first: ids of one table sort in creation order, so new keys land at the right of the index.
CREATE SEQUENCE bloxtr8.cuid_counter_seq AS integer MINVALUE 0 MAXVALUE 65535 START WITH 0 CYCLE;

COMMENT ON SEQUENCE bloxtr8.cuid_counter_seq IS
'The counter part of bloxtr8.cuid(): cycles through 0 .. 16^4 - 1, so two ids of the same millisecond differ.';

CREATE FUNCTION bloxtr8.cuid()
RETURNS text
LANGUAGE sql
VOLATILE
AS $fn$
    SELECT 'c'
        || lpad(to_hex(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint), 11, '0')
        || lpad(to_hex(nextval('bloxtr8.cuid_counter_seq')), 4, '0')
        || substr(encode(extensions.gen_random_bytes(5), 'hex'), 1, 9)
$fn$;

COMMENT ON FUNCTION bloxtr8.cuid() IS
'A new id: ''c'', 11 hex digits of the wall clock in milliseconds, 4 of a cycling counter, 9 random (25 characters, '
'^c[0-9a-z]{24}$ like Prisma''s cuid()). Unique by construction within one database (time and counter, up to 65,536 '
'ids a millisecond) and across databases with high probability (36 random bits); sorts in creation order. A plain '
'SQL function of built-ins (inlined into an INSERT''s default: a few microseconds a row). The wall clock '
'(clock_timestamp()) only orders ids: no rule reads it.';

REVOKE ALL ON SCHEMA bloxtr8 FROM PUBLIC;
GRANT USAGE ON SCHEMA bloxtr8 TO chaindb_app, chaindb_readonly;

REVOKE ALL ON TYPE
bloxtr8.kyc_tier, bloxtr8.wallet_risk, bloxtr8.listing_status, bloxtr8.offer_status, bloxtr8.contract_status,
bloxtr8.escrow_rail, bloxtr8.escrow_status, bloxtr8.verification_status, bloxtr8.game_ownership_type,
bloxtr8.signature_method, bloxtr8.job_status, bloxtr8.currency, bloxtr8.verification_method,
bloxtr8.delivery_status, bloxtr8.dispute_status
FROM PUBLIC;
GRANT USAGE ON TYPE
bloxtr8.kyc_tier, bloxtr8.wallet_risk, bloxtr8.listing_status, bloxtr8.offer_status, bloxtr8.contract_status,
bloxtr8.escrow_rail, bloxtr8.escrow_status, bloxtr8.verification_status, bloxtr8.game_ownership_type,
bloxtr8.signature_method, bloxtr8.job_status, bloxtr8.currency, bloxtr8.verification_method,
bloxtr8.delivery_status, bloxtr8.dispute_status
TO chaindb_app, chaindb_readonly;

-- The app inserts some rows itself (users, guilds, audit logs): their id default runs as the app.
REVOKE ALL ON SEQUENCE bloxtr8.cuid_counter_seq FROM PUBLIC;
GRANT USAGE ON SEQUENCE bloxtr8.cuid_counter_seq TO chaindb_app;
REVOKE ALL ON FUNCTION bloxtr8.cuid() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bloxtr8.cuid() TO chaindb_app;
