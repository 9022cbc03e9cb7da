-- depends: 0001_tips_schema
-- tips.hosts: who receives tips. The seed's events name a host and its metrics are per host,
-- but it never defines one; decided here: a host is its Solana wallet (where tips are sent,
-- and where the Reflect payout goes) with a unique handle for display. The wallet never
-- changes: events name it, and the worker checks a tip's on-chain destination against it
-- (a host with a new wallet is a new host row).

CREATE TABLE tips.hosts (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    wallet varchar(44) NOT NULL,
    handle varchar(64) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT hosts_pkey PRIMARY KEY (id),
    CONSTRAINT hosts_wallet_key UNIQUE (wallet),
    CONSTRAINT hosts_handle_key UNIQUE (handle),
    CONSTRAINT hosts_wallet_check CHECK (common.is_solana_pubkey(wallet)),
    CONSTRAINT hosts_handle_check CHECK (handle ~ '^[a-z0-9_][a-z0-9_.-]{0,63}$')
);

CALL common.define_immutable_columns('tips.hosts', '{id, wallet, created_at}', '{}');

COMMENT ON TABLE tips.hosts IS
'Who receives tips: a Solana wallet and a handle. Not in the seed (its events name a host): decided here.';
COMMENT ON COLUMN tips.hosts.wallet IS
'The host''s Solana wallet (base58 public key): the destination of its tips and of its payouts. Never changes.';
COMMENT ON COLUMN tips.hosts.handle IS 'Public handle: lower-case letters, digits, _ . - (at most 64).';
COMMENT ON CONSTRAINT hosts_wallet_check ON tips.hosts IS 'wallet is a Solana public key (base58 of 32 bytes).';
COMMENT ON CONSTRAINT hosts_handle_check ON tips.hosts IS
'handle is 1-64 of a-z 0-9 _ . -, not starting with . or -.';

GRANT SELECT, INSERT (wallet, handle), UPDATE (handle) ON tips.hosts TO chaindb_app;
GRANT SELECT ON tips.hosts TO chaindb_readonly;
