-- depends: 0002_tips_hosts
-- tips.events: one tip as the webhook reported it. The seed extends this table but never
-- defines it; it gives the id type (VARCHAR(72), the webhook's event id) and a signer, and says
-- events are immutable. Decided here:
--   host       the host's wallet (FK hosts.wallet): where the tip was sent;
--   signer     the tipper's wallet, which signed the transaction (not the host: no self-tips);
--   amount     in the mint's smallest unit (lamports for SOL, 10^-6 USDC for USDC), positive;
--   mint       the token's mint (wrapped SOL's mint So111...112 stands for SOL);
--   signature  the transaction's signature; unique: a transaction is one tip, so the same
--              transfer can never be verified, counted or paid twice under two event ids.
-- Append-only (common.define_append_only): no UPDATE, DELETE or TRUNCATE, by any role.
-- Only tips.ingest_tip (0005) inserts, together with the event's pending verification.
-- events_id_signature_key lets event_verifications reference (id, signature) together, so a
-- verification's copy of the signature is its event's.

CREATE TABLE tips.events (
    id varchar(72) NOT NULL,
    host varchar(44) NOT NULL,
    signer varchar(44) NOT NULL,
    amount bigint NOT NULL,
    mint varchar(44) NOT NULL,
    signature varchar(88) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT events_pkey PRIMARY KEY (id),
    CONSTRAINT events_signature_key UNIQUE (signature),
    CONSTRAINT events_id_signature_key UNIQUE (id, signature),
    CONSTRAINT events_host_fkey FOREIGN KEY (host) REFERENCES tips.hosts (wallet) ON DELETE RESTRICT,
    CONSTRAINT events_id_check CHECK (id ~ '^[!-~]+$'),
    CONSTRAINT events_signer_check CHECK (common.is_solana_pubkey(signer)),
    CONSTRAINT events_signer_host_check CHECK (signer <> host),
    CONSTRAINT events_amount_check CHECK (amount > 0),
    CONSTRAINT events_mint_check CHECK (common.is_solana_pubkey(mint)),
    CONSTRAINT events_signature_check CHECK (common.is_solana_signature(signature))
);

CREATE INDEX events_host_created_at_id_idx ON tips.events (host, created_at, id);

CREATE INDEX events_signer_idx ON tips.events (signer);

CALL common.define_append_only('tips.events');

COMMENT ON TABLE tips.events IS
'One tip as the webhook reported it; append-only (never updated or deleted: the seed keeps events immutable). '
'Counted only once its verification (event_verifications) is verified.';
COMMENT ON COLUMN tips.events.id IS 'The webhook''s event id (printable ASCII, at most 72): the idempotency key of ingest.';
COMMENT ON COLUMN tips.events.host IS 'The host''s wallet (hosts.wallet): where the tip was sent.';
COMMENT ON COLUMN tips.events.signer IS
'The tipper''s wallet, a signer of the transaction; a Dynamic custodial wallet when the tipper has no wallet.';
COMMENT ON COLUMN tips.events.amount IS
'The tip in the mint''s smallest unit (lamports for SOL, 10^-6 for USDC); positive.';
COMMENT ON COLUMN tips.events.mint IS 'The token''s mint (base58); wrapped SOL''s mint stands for SOL.';
COMMENT ON COLUMN tips.events.signature IS 'The Solana transaction''s signature; one tip per transaction.';
COMMENT ON COLUMN tips.events.created_at IS 'When the webhook was ingested (the database''s clock).';
COMMENT ON CONSTRAINT events_signature_key ON tips.events IS
'A transaction is one tip: the same transfer is never verified, counted or paid twice under two event ids.';
COMMENT ON CONSTRAINT events_id_signature_key ON tips.events IS
'Referenced by event_verifications (event_id, signature): a verification''s signature is its event''s.';
COMMENT ON CONSTRAINT events_id_check ON tips.events IS 'The event id is printable ASCII without spaces.';
COMMENT ON CONSTRAINT events_signer_check ON tips.events IS 'signer is a Solana public key.';
COMMENT ON CONSTRAINT events_signer_host_check ON tips.events IS 'No self-tips: the signer is not the host.';
COMMENT ON CONSTRAINT events_amount_check ON tips.events IS 'A tip is for a positive amount.';
COMMENT ON CONSTRAINT events_mint_check ON tips.events IS 'mint is a Solana public key.';
COMMENT ON CONSTRAINT events_signature_check ON tips.events IS 'signature is a Solana signature (base58 of 64 bytes).';
COMMENT ON INDEX tips.events_host_created_at_id_idx IS
'Indexes the FK host -> hosts.wallet; a host''s tips newest first (overview_recent_tips: no sort under its LIMIT).';
COMMENT ON INDEX tips.events_signer_idx IS 'A tipper''s tips (and Dynamic sessions'' custodial wallets).';

GRANT SELECT ON tips.events TO chaindb_app, chaindb_readonly;
