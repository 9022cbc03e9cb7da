-- depends: 0007_common_clock
-- Schema game_market (seed 001: an indie game store paid over Lightning), its enums and its
-- value checks. The seed leaves the value sets of games.status, purchases.status,
-- payouts.status and ledger_entries.type open ("text enum"); decided here, as enums:
--   game_status        draft -> published <-> unlisted        (0003_game_market_games)
--   purchase_status    pending -> paid | expired, expired -> paid, paid -> refunded
--                                                             (0005_game_market_purchases)
--   payout_status      pending -> sending -> completed | failed, failed -> sending,
--                      pending | sending | failed -> cancelled (0009_game_market_payouts)
--   ledger_entry_type  a paid purchase's split (sale = platform_fee + developer_share) and,
--                      on refund, its mirror (refund, platform_fee_refund, developer_share_refund)
--                                                             (0008_game_market_ledger_entries)
-- Value checks, used by the tables' CHECKs:
--   game_market.is_pubkey(text)             the accepted user key format
--   game_market.is_lightning_address(text)  name@domain, LUD-16
-- Both are one-expression SQL functions, neither STRICT nor SECURITY DEFINER, so PostgreSQL
-- inlines them in the CHECKs (a STRICT function over AND, or one with SET, is called and
-- planned on every row). Their patterns count with char_length rather than {n,m}: a counted
-- repetition multiplies the regex's states.

CREATE SCHEMA game_market;

COMMENT ON SCHEMA game_market IS
'Indie game store (seed 001): developers publish games and releases; buyers (users known by their public key, '
'or guests holding a receipt code) pay Lightning invoices; a paid purchase grants an entitlement to download, '
'is split in a ledger, and the developer''s share is paid out over Lightning exactly once.';

CREATE TYPE game_market.game_status AS ENUM ('draft', 'published', 'unlisted');

COMMENT ON TYPE game_market.game_status IS
'draft: being prepared, not for sale; published: in the catalog and for sale; unlisted: out of the catalog and '
'not for sale, owners still download (published again at will).';

CREATE TYPE game_market.purchase_status AS ENUM ('pending', 'paid', 'expired', 'refunded');

COMMENT ON TYPE game_market.purchase_status IS
'pending: invoice issued, unpaid; paid: settled (entitlement, ledger split and payout written with it); '
'expired: the invoice expired unpaid (a settlement arriving late is still honoured: expired -> paid); '
'refunded: paid, then refunded (entitlement revoked, ledger mirrored).';

CREATE TYPE game_market.payout_status AS ENUM ('pending', 'sending', 'completed', 'failed', 'cancelled');

COMMENT ON TYPE game_market.payout_status IS
'pending: owed, not yet tried; sending: claimed by a worker, payment in flight; completed: paid; failed: the last '
'attempt failed, retried after a backoff; cancelled: not to be paid (the purchase was refunded before the money '
'left: a pending or failed payout at the refund, or an attempt in flight that then failed).';

CREATE TYPE game_market.ledger_entry_type AS ENUM (
    'sale', 'platform_fee', 'developer_share', 'refund', 'platform_fee_refund', 'developer_share_refund'
);

COMMENT ON TYPE game_market.ledger_entry_type IS
'sale: the amount paid; platform_fee + developer_share: its split (they sum to the sale); refund, '
'platform_fee_refund, developer_share_refund: the same three amounts given back on refund. Amounts are never '
'negative: the type says the direction.';

CREATE FUNCTION game_market.is_pubkey(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
RETURN char_length(value) = 66 AND value ~ '^0[23][0-9a-f]+$';

COMMENT ON FUNCTION game_market.is_pubkey(text) IS
'True for a compressed secp256k1 public key in lowercase hex: 66 characters, 02 or 03 then the 32-byte x '
'coordinate (the key form of Lightning node ids and LNURL-auth linking keys, as the embedded signer gives it). '
'One spelling per key, so that users.pubkey unique means one user per key. NULL in, NULL out (not STRICT: inlined).';

CREATE FUNCTION game_market.is_lightning_address(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
RETURN char_length(value) <= 255
AND strpos(value, '@') BETWEEN 2 AND 65
AND value ~ '^[a-z0-9._+-]+@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$';

COMMENT ON FUNCTION game_market.is_lightning_address(text) IS
'True for a Lightning address (LUD-16) name@domain in lowercase: a name of a-z 0-9 - _ . + (1 to 64), a domain '
'of dot-separated labels of a-z 0-9 and inner hyphens, the last one starting with a letter and at least 2 long; '
'at most 255 characters. NULL in, NULL out (not STRICT: inlined).';

GRANT USAGE ON SCHEMA game_market TO chaindb_app, chaindb_readonly;

GRANT USAGE ON TYPE
game_market.game_status, game_market.purchase_status, game_market.payout_status, game_market.ledger_entry_type
TO chaindb_app, chaindb_readonly;

GRANT EXECUTE ON FUNCTION game_market.is_pubkey(text), game_market.is_lightning_address(text)
TO chaindb_app, chaindb_readonly;
