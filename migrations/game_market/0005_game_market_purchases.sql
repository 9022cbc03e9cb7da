-- depends: 0004_game_market_releases
-- game_market.purchases (seed: purchases). Seed silent, decided here:
--   - the buyer is exactly one of a user (buyer_user_id) or a guest (guest_receipt_code).
--     A guest's receipt code is made by the database (game_market.create_purchase, 0012):
--     16 random bytes in lowercase hex. It is the guest's proof of purchase, so it is a secret:
--     chaindb_readonly cannot read it (column grants), chaindb_app reads it to show the receipt.
--   - invoice_id is unique (the seed's must-have index); invoice_provider names the Lightning
--     backend (lowercase, e.g. lnbits, btcpay); settlement webhooks name both.
--   - amount_msat is positive (millisatoshis, bigint).
--   - status: pending -> paid | expired, expired -> paid (a payment that lands after the invoice
--     was marked expired is honoured: the money arrived), paid -> refunded. paid_at is set exactly
--     when the purchase is or was paid (paid, refunded), once.
--   - nothing about a purchase changes but its status, paid_at and updated_at, and those only
--     through the rule functions of 0012 (the application has no UPDATE on the table).
--   - purchases are history: their users and games stay (ON DELETE RESTRICT).
--   - fillfactor 85: a purchase is updated once or twice after its insert (paid, refunded), and
--     none of its indexes covers status, paid_at or updated_at, so with room left on the page the
--     settlement's UPDATE is a HOT update: no new entry in any of the table's five indexes.

CREATE TABLE game_market.purchases (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    buyer_user_id uuid,
    guest_receipt_code text,
    game_id uuid NOT NULL,
    invoice_provider text NOT NULL,
    invoice_id text NOT NULL,
    status game_market.purchase_status NOT NULL DEFAULT 'pending',
    amount_msat bigint NOT NULL,
    paid_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT purchases_pkey PRIMARY KEY (id),
    CONSTRAINT purchases_buyer_user_id_fkey FOREIGN KEY (buyer_user_id)
    REFERENCES game_market.users (id) ON DELETE RESTRICT,
    CONSTRAINT purchases_game_id_fkey FOREIGN KEY (game_id) REFERENCES game_market.games (id) ON DELETE RESTRICT,
    CONSTRAINT purchases_guest_receipt_code_key UNIQUE (guest_receipt_code),
    CONSTRAINT purchases_invoice_id_key UNIQUE (invoice_id),
    CONSTRAINT purchases_buyer_check CHECK (num_nonnulls(buyer_user_id, guest_receipt_code) = 1),
    CONSTRAINT purchases_guest_receipt_code_check CHECK (char_length(guest_receipt_code) = 32 AND guest_receipt_code ~ '^[0-9a-f]+$'),
    CONSTRAINT purchases_invoice_provider_check CHECK (
        char_length(invoice_provider) <= 32 AND invoice_provider ~ '^[a-z][a-z0-9_-]*$'
    ),
    CONSTRAINT purchases_invoice_id_check CHECK (char_length(invoice_id) <= 255 AND invoice_id ~ '^[!-~]+$'),
    CONSTRAINT purchases_amount_msat_check CHECK (amount_msat > 0),
    CONSTRAINT purchases_paid_at_check CHECK ((status IN ('paid', 'refunded')) = (paid_at IS NOT NULL)),
    CONSTRAINT purchases_paid_at_created_at_check CHECK (paid_at >= created_at)
)
WITH (fillfactor = 85);

CREATE INDEX purchases_buyer_user_id_idx ON game_market.purchases (buyer_user_id) WHERE buyer_user_id IS NOT NULL;

CREATE INDEX purchases_game_id_idx ON game_market.purchases (game_id);

CALL common.define_state_machine(
    'game_market.purchases', 'status', '{pending>paid|expired, expired>paid, paid>refunded}', '{pending}',
    'A purchase starts pending with its invoice; settle_invoice pays it (also after it expired: the money arrived), '
    'expire_invoice expires it, refund_purchase refunds a paid one. refunded is terminal.'
);

CALL common.define_immutable_columns(
    'game_market.purchases',
    '{id, buyer_user_id, guest_receipt_code, game_id, invoice_provider, invoice_id, amount_msat, created_at}',
    '{paid_at}'
);

CREATE TRIGGER purchases_updated_at
BEFORE UPDATE ON game_market.purchases
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE game_market.purchases IS
'A buyer''s purchase of a game, backed by a Lightning invoice. Created and moved only by the rule functions '
'(create_purchase, settle_invoice, expire_invoice, refund_purchase).';
COMMENT ON COLUMN game_market.purchases.buyer_user_id IS 'The buying user; NULL for a guest purchase.';
COMMENT ON COLUMN game_market.purchases.guest_receipt_code IS
'SECRET. A guest''s proof of purchase (32 lowercase hex characters, made by the database); NULL for a user''s '
'purchase. Not readable by chaindb_readonly.';
COMMENT ON COLUMN game_market.purchases.invoice_provider IS 'The Lightning backend that issued the invoice, e.g. lnbits.';
COMMENT ON COLUMN game_market.purchases.invoice_id IS 'The provider''s invoice id (e.g. the payment hash); unique.';
COMMENT ON COLUMN game_market.purchases.status IS
'pending -> paid | expired, expired -> paid, paid -> refunded (common.state_machines).';
COMMENT ON COLUMN game_market.purchases.amount_msat IS 'The invoice amount in millisatoshis; positive.';
COMMENT ON COLUMN game_market.purchases.paid_at IS 'When the invoice was settled; set exactly when paid or refunded.';
COMMENT ON CONSTRAINT purchases_buyer_check ON game_market.purchases IS
'Exactly one buyer: a user (buyer_user_id) or a guest (guest_receipt_code).';
COMMENT ON CONSTRAINT purchases_guest_receipt_code_check ON game_market.purchases IS
'A receipt code is 32 lowercase hex characters (16 random bytes).';
COMMENT ON CONSTRAINT purchases_invoice_provider_check ON game_market.purchases IS
'A provider name is lowercase: a letter, then letters, digits, _ or -, at most 32 characters.';
COMMENT ON CONSTRAINT purchases_invoice_id_check ON game_market.purchases IS
'An invoice id is 1 to 255 printable ASCII characters without spaces.';
COMMENT ON CONSTRAINT purchases_amount_msat_check ON game_market.purchases IS 'A purchase is for a positive amount.';
COMMENT ON CONSTRAINT purchases_paid_at_check ON game_market.purchases IS
'paid_at is set exactly when the purchase is paid or refunded (was paid).';
COMMENT ON CONSTRAINT purchases_paid_at_created_at_check ON game_market.purchases IS
'A purchase is paid after it was created.';
COMMENT ON INDEX game_market.purchases_buyer_user_id_idx IS
'A user''s purchases; indexes the foreign key buyer_user_id (guest purchases left out).';
COMMENT ON INDEX game_market.purchases_game_id_idx IS 'A game''s purchases (sales); indexes the foreign key game_id.';
COMMENT ON TRIGGER purchases_updated_at ON game_market.purchases IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT ON game_market.purchases TO chaindb_app;
GRANT SELECT (
    id, buyer_user_id, game_id, invoice_provider, invoice_id, status, amount_msat, paid_at, created_at, updated_at
) ON game_market.purchases TO chaindb_readonly;
