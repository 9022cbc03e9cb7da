-- Signatures: read-only here (written by the contract signing functions); append-only.

-- name: signature_list_by_contract(contract_id)
-- A contract's signatures, in the order they were given.
SELECT s.* FROM bloxtr8.signatures AS s
WHERE s.contract_id = :contract_id::text
ORDER BY s.signed_at, s.id;
