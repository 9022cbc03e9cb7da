-- Smart accounts: one per user per chain. The address and salt are computed in Python
-- (chaindb.cocopay.accounts, on chaindb.chain.evm's CREATE2 helper), checksummed.

-- name: smart_account_get_or_create(user_id, chain_id, address, salt, owner_address, custody_status)^
-- The user's account on this chain, created with this address, salt and owner when missing (the existing row
-- is returned unchanged otherwise; cocopay.get_or_create_smart_account). custody_status NULL means managed.
-- @nullable-param custody_status
-- @one
SELECT a.*
FROM cocopay.get_or_create_smart_account(
    :user_id::uuid,
    :chain_id::cocopay.chain_id,
    :address::varchar,
    :salt::varchar,
    :owner_address::varchar,
    :custody_status::cocopay.custody_status
) AS a;

-- name: smart_account_get(user_id, chain_id)^
-- The user's account on a chain.
SELECT a.*
FROM cocopay.smart_accounts AS a
WHERE a.user_id = :user_id::uuid AND a.chain_id = :chain_id::cocopay.chain_id;

-- name: smart_account_get_by_address(chain_id, address)^
-- The account with this address on a chain (the address as stored: checksummed).
SELECT a.*
FROM cocopay.smart_accounts AS a
WHERE a.chain_id = :chain_id::cocopay.chain_id AND a.address = :address::varchar;

-- name: smart_account_list_by_user(user_id)
-- A user's accounts on every chain.
SELECT a.*
FROM cocopay.smart_accounts AS a
WHERE a.user_id = :user_id::uuid
ORDER BY a.chain_id;

-- name: smart_account_mark_deployed(id, deploy_tx_hash)^
-- Record the deployment of a counterfactual account at common.now() (cocopay.mark_smart_account_deployed); None when
-- it is unknown or deployed already. A deployed account never goes back.
SELECT a.* FROM cocopay.mark_smart_account_deployed(:id::uuid, :deploy_tx_hash::varchar) AS a;
