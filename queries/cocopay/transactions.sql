-- Transactions: idempotent create, confirm with the confirmation code, fail, read.

-- name: transaction_create(idempotency_key, type, amount_usd, chain_id, from_user_id, to_user_id, store_id, tokens_used, rewards_earned, bundle_id)^
-- Create a pending transaction under an idempotency key (cocopay.create_transaction): the same key and payload
-- returns the existing row (no second transaction); the same key with another payload raises CD002
-- (errors.IdempotencyConflict). created_at is the database's clock (common.now()).
-- @nullable-param from_user_id, to_user_id, store_id, tokens_used, rewards_earned, bundle_id
-- @one
SELECT t.*
FROM cocopay.create_transaction(
    :idempotency_key::varchar,
    :type::cocopay.transaction_type,
    :amount_usd::numeric,
    :chain_id::cocopay.chain_id,
    :from_user_id::uuid,
    :to_user_id::uuid,
    :store_id::uuid,
    :tokens_used::jsonb,
    :rewards_earned::jsonb,
    :bundle_id::varchar
) AS t;

-- name: transaction_confirm(id, confirmation_code, tx_hash, block_number)^
-- pending -> confirmed when the confirmation code matches (cocopay.confirm_transaction), with confirmed_at =
-- common.now(). CD005 unknown, CD001 not pending, CD007 wrong code.
-- @nullable-param tx_hash, block_number
-- @one
SELECT t.*
FROM cocopay.confirm_transaction(:id::uuid, :confirmation_code::varchar, :tx_hash::varchar, :block_number::bigint) AS t;

-- name: transaction_fail(id, error_code, error_message)^
-- pending -> failed with an error code and message (cocopay.fail_transaction). CD005 unknown, CD001 not pending.
-- @nullable-param error_message
-- @one
SELECT t.*
FROM cocopay.fail_transaction(:id::uuid, :error_code::varchar, :error_message::text) AS t;

-- name: transaction_get(id)^
-- One transaction by id.
SELECT t.* FROM cocopay.transactions AS t
WHERE t.id = :id::uuid;

-- name: transaction_get_by_idempotency_key(idempotency_key)^
-- The transaction created under an idempotency key. An idempotency check: read on the primary only.
-- @primary
SELECT t.* FROM cocopay.transactions AS t
WHERE t.idempotency_key = :idempotency_key::varchar;

-- name: transaction_list_by_store(store_id, max_rows)
-- A store's latest transactions, newest first.
SELECT t.*
FROM cocopay.transactions AS t
WHERE t.store_id = :store_id::uuid
ORDER BY t.created_at DESC, t.id ASC
LIMIT :max_rows::integer;

-- name: transaction_search(store_id, from_user_id, status, since, max_rows)
-- Transactions newest first, with their typed token breakdown. Each filter given applies (store, paying user,
-- status, created at or after since); one omitted is not applied. Every combination is its own prepared
-- statement, so each one uses the index that suits it.
-- @optional store_id, from_user_id, status, since
-- @json tokens_used: list[TokenUse]
-- @json rewards_earned: TokenUse
SELECT
    t.id,
    t.type,
    t.status,
    t.store_id,
    t.from_user_id,
    t.amount_usd,
    t.tokens_used,
    t.rewards_earned,
    t.created_at
FROM cocopay.transactions AS t
WHERE t.store_id = :store_id::uuid
    AND t.from_user_id = :from_user_id::uuid
    AND t.status = :status::cocopay.transaction_status
    AND t.created_at >= :since::timestamptz
ORDER BY t.created_at DESC, t.id ASC
LIMIT :max_rows::integer;

-- name: transaction_count_by_store(store_id)$
-- How many transactions a store has (any type and status).
-- @not-null n
-- @one
SELECT count(*) AS n FROM cocopay.transactions AS t
WHERE t.store_id = :store_id::uuid;
