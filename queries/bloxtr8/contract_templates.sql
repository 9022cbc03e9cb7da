-- Contract templates: publish a version (the active one is deprecated), read the active one and the history.

-- name: contract_template_publish(version, name, terms)^
-- Publishes a new active template (bloxtr8.publish_contract_template), deprecating the active one. CD007
-- contract_templates_version_order (not above every version), 23514 the contract_templates CHECKs.
-- @one
SELECT t.* FROM bloxtr8.publish_contract_template(:version::text, :name::text, :terms::jsonb) AS t;

-- name: contract_template_get_active()^
-- The active template; None when there is none.
SELECT t.* FROM bloxtr8.contract_templates AS t
WHERE t.is_active;

-- name: contract_template_get_by_version(version)^
-- One template by its version (active or historical).
SELECT t.* FROM bloxtr8.contract_templates AS t
WHERE t.version = :version::text;

-- name: contract_template_list()
-- Every template, newest version first.
SELECT t.* FROM bloxtr8.contract_templates AS t
ORDER BY bloxtr8.semver_key(t.version) DESC;
