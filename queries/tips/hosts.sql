-- Hosts: register (a Solana wallet and a handle), find, rename.

-- name: host_create(wallet, handle)^
-- A new host. 23505 hosts_wallet_key / hosts_handle_key when taken, 23514 hosts_wallet_check for a wallet that is
-- not a Solana public key, hosts_handle_check for a malformed handle.
-- @one
INSERT INTO tips.hosts AS h (wallet, handle)
VALUES (:wallet::varchar, :handle::varchar)
RETURNING h.*;

-- name: host_get_by_wallet(wallet)^
-- The host of a wallet; None when there is none.
SELECT h.* FROM tips.hosts AS h
WHERE h.wallet = :wallet::varchar;

-- name: host_get_by_handle(handle)^
-- The host of a handle; None when there is none.
SELECT h.* FROM tips.hosts AS h
WHERE h.handle = :handle::varchar;

-- name: host_set_handle(wallet, handle)^
-- Renames a host; None when there is no host of that wallet. 23505 hosts_handle_key when the handle is taken.
UPDATE tips.hosts AS h SET handle = :handle::varchar
WHERE h.wallet = :wallet::varchar
RETURNING h.*;
