-- Token balances: a cache of on-chain balances, synced from blocks.

-- name: token_balance_sync(user_id, chain_id, token_address, store_id, balance, balance_usd, block_number)<!
-- Store the balance read at block_number, unless the stored one comes from the same or a newer block:
-- then nothing changes and None is returned (a stale sync). last_synced_at is common.now().
-- @nullable-param store_id
INSERT INTO cocopay.token_balances AS b (
    user_id, chain_id, token_address, store_id, balance, balance_usd, last_synced_block
)
VALUES (
    :user_id::uuid,
    :chain_id::cocopay.chain_id,
    :token_address::varchar,
    :store_id::uuid,
    :balance::numeric,
    :balance_usd::numeric,
    :block_number::bigint
)
ON CONFLICT (user_id, chain_id, token_address) DO UPDATE
    SET
        store_id = excluded.store_id,
        balance = excluded.balance,
        balance_usd = excluded.balance_usd,
        last_synced_at = common.now(),
        last_synced_block = excluded.last_synced_block
    WHERE b.last_synced_block IS NULL OR b.last_synced_block < excluded.last_synced_block
RETURNING b.*;

-- name: token_balance_get(user_id, chain_id, token_address)^
-- One cached balance.
SELECT b.*
FROM cocopay.token_balances AS b
WHERE
    b.user_id = :user_id::uuid
    AND b.chain_id = :chain_id::cocopay.chain_id
    AND b.token_address = :token_address::varchar;

-- name: token_balance_list_by_user(user_id)
-- A user's cached balances, by chain and token.
SELECT b.*
FROM cocopay.token_balances AS b
WHERE b.user_id = :user_id::uuid
ORDER BY b.chain_id, b.token_address;
