-- Contracts: create from an accepted offer, attach the PDF, sign in Discord or through a magic link, void,
-- retry a failed execution.

-- name: contract_create(offer_id, roblox_asset_data)^
-- A PENDING_SIGNATURE contract for an ACCEPTED offer on the active template (bloxtr8.create_contract); the asset
-- data defaults to the listing's newest snapshot. CD005, CD007 contracts_offer_accepted /
-- contract_templates_active, 23505 contracts_offer_id_key.
-- @nullable-param roblox_asset_data
-- @one
SELECT c.* FROM bloxtr8.create_contract(:offer_id::text, :roblox_asset_data::jsonb) AS c;

-- name: contract_get(id)^
-- One contract by id.
SELECT c.* FROM bloxtr8.contracts AS c
WHERE c.id = :id::text;

-- name: contract_get_by_offer(offer_id)^
-- The contract of an offer.
SELECT c.* FROM bloxtr8.contracts AS c
WHERE c.offer_id = :offer_id::text;

-- name: contract_attach_pdf(id, pdf_url, sha256)^
-- Records the contract's PDF and its SHA-256 once (bloxtr8.attach_contract_pdf; the same values again change
-- nothing). CD005, CD003 other values, 23514 contracts_pdf_url_check / contracts_sha256_check.
-- @one
SELECT c.* FROM bloxtr8.attach_contract_pdf(:id::text, :pdf_url::text, :sha256::text) AS c;

-- name: contract_sign(id, user_id, signature_method, ip_address, user_agent)^
-- Signs in Discord (DISCORD_NATIVE) or by API (bloxtr8.sign_contract); the second party's signature returns the
-- contract EXECUTING, its execution job queued. CD005, CD007 signatures_method (WEB_BASED) / signatures_party /
-- signatures_contract_pending / users_kyc_tier, 23505 signatures_user_id_contract_id_key (signed already).
-- @nullable-param ip_address, user_agent
-- @one
SELECT c.*
FROM bloxtr8.sign_contract(
    :id::text, :user_id::text, :signature_method::bloxtr8.signature_method, :ip_address::text, :user_agent::text
) AS c;

-- name: contract_sign_with_token(token, ip_address, user_agent)^
-- Signs on the web with a magic-link token (bloxtr8.sign_contract_with_token): single use, 15 minutes, as the
-- token's user. CD005 unknown token, CD007 contract_sign_tokens_used, CD006 contract_sign_tokens_expired, and the
-- refusals of contract_sign.
-- @nullable-param ip_address, user_agent
-- @one
SELECT c.* FROM bloxtr8.sign_contract_with_token(:token::text, :ip_address::text, :user_agent::text) AS c;

-- name: contract_void(id)^
-- Voids a PENDING_SIGNATURE or EXECUTION_FAILED contract (bloxtr8.void_contract). CD005, CD001.
-- @one
SELECT c.* FROM bloxtr8.void_contract(:id::text) AS c;

-- name: contract_retry_execution(id)^
-- Retries a failed execution: EXECUTION_FAILED -> EXECUTING, its job PENDING with 3 more attempts
-- (bloxtr8.retry_contract_execution). CD005, CD001.
-- @one
SELECT c.* FROM bloxtr8.retry_contract_execution(:id::text) AS c;
