-- depends: 0005_game_market_purchases
-- game_market.entitlements (seed: entitlements). Seed silent, decided here:
--   - an entitlement is made by the database only: game_market.settle_invoice (0012) writes it
--     in the transaction that moves its purchase to paid, copying the purchase's buyer (user or
--     guest receipt code) and game, granted_at = the purchase's paid_at. purchase_id is unique
--     (the seed's must-have index), so a purchase grants at most one, whatever the retries.
--   - refund_purchase (0012) revokes it (revoked_at, set once) in the refund's transaction.
--   - nothing else about it ever changes; the application only reads it.
--   - the receipt code is the guest's secret, as in purchases: chaindb_readonly cannot read it.
--   - entitlements are history: their purchase, user and game stay (ON DELETE RESTRICT).

CREATE TABLE game_market.entitlements (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    purchase_id uuid NOT NULL,
    buyer_user_id uuid,
    guest_receipt_code text,
    game_id uuid NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT common.now(),
    revoked_at timestamptz,
    CONSTRAINT entitlements_pkey PRIMARY KEY (id),
    CONSTRAINT entitlements_purchase_id_fkey FOREIGN KEY (purchase_id)
    REFERENCES game_market.purchases (id) ON DELETE RESTRICT,
    CONSTRAINT entitlements_buyer_user_id_fkey FOREIGN KEY (buyer_user_id)
    REFERENCES game_market.users (id) ON DELETE RESTRICT,
    CONSTRAINT entitlements_game_id_fkey FOREIGN KEY (game_id) REFERENCES game_market.games (id) ON DELETE RESTRICT,
    CONSTRAINT entitlements_purchase_id_key UNIQUE (purchase_id),
    CONSTRAINT entitlements_guest_receipt_code_key UNIQUE (guest_receipt_code),
    CONSTRAINT entitlements_buyer_check CHECK (num_nonnulls(buyer_user_id, guest_receipt_code) = 1),
    CONSTRAINT entitlements_revoked_at_check CHECK (revoked_at >= granted_at)
);

CREATE INDEX entitlements_buyer_user_id_game_id_granted_at_id_idx
ON game_market.entitlements (buyer_user_id, game_id, granted_at, id)
WHERE buyer_user_id IS NOT NULL;

CREATE INDEX entitlements_game_id_idx ON game_market.entitlements (game_id);

CALL common.define_immutable_columns(
    'game_market.entitlements', '{id, purchase_id, buyer_user_id, guest_receipt_code, game_id, granted_at}',
    '{revoked_at}'
);

COMMENT ON TABLE game_market.entitlements IS
'The right to download a game, granted by the database exactly once when a purchase is paid '
'(game_market.settle_invoice) and revoked when it is refunded (game_market.refund_purchase).';
COMMENT ON COLUMN game_market.entitlements.buyer_user_id IS 'The purchase''s user; NULL for a guest.';
COMMENT ON COLUMN game_market.entitlements.guest_receipt_code IS
'SECRET. The purchase''s receipt code for a guest, NULL for a user. Not readable by chaindb_readonly.';
COMMENT ON COLUMN game_market.entitlements.granted_at IS 'When the purchase was paid.';
COMMENT ON COLUMN game_market.entitlements.revoked_at IS 'When the purchase was refunded; NULL while the entitlement holds.';
COMMENT ON CONSTRAINT entitlements_purchase_id_key ON game_market.entitlements IS
'One entitlement per purchase, however often its settlement is delivered.';
COMMENT ON CONSTRAINT entitlements_buyer_check ON game_market.entitlements IS
'Exactly one holder: a user or a guest''s receipt code (the purchase''s).';
COMMENT ON CONSTRAINT entitlements_revoked_at_check ON game_market.entitlements IS
'An entitlement is revoked after it was granted.';
COMMENT ON INDEX game_market.entitlements_buyer_user_id_game_id_granted_at_id_idx IS
'Does this user own this game (entitlement_check_user: the first granted, without a sort); a user''s library; '
'indexes the foreign key buyer_user_id (guests left out).';
COMMENT ON INDEX game_market.entitlements_game_id_idx IS 'Indexes the foreign key game_id.';

GRANT SELECT ON game_market.entitlements TO chaindb_app;
GRANT SELECT (id, purchase_id, buyer_user_id, game_id, granted_at, revoked_at)
ON game_market.entitlements TO chaindb_readonly;
