-- depends: 0005_bloxtr8_offers
-- bloxtr8.contract_templates (seed: ContractTemplate): versioned legal terms. Verbatim, plus:
--   version is a semantic version MAJOR.MINOR.PATCH (numbers without leading zeros, at most 9 digits each)
--   and unique; at most one template is active (contract_templates_is_active_key, a partial unique index,
--   which also serves the seed's isActive index); a deprecated template is not active and never becomes
--   active again; a version's name and terms never change (contracts cite the version). Templates are
--   published by bloxtr8.publish_contract_template (0015), which deprecates the active one in the same
--   transaction and only accepts a version above every existing one.

CREATE TABLE bloxtr8.contract_templates (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    version text NOT NULL,
    name text NOT NULL,
    terms jsonb NOT NULL,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    deprecated_at timestamptz,
    CONSTRAINT contract_templates_pkey PRIMARY KEY (id),
    CONSTRAINT contract_templates_version_key UNIQUE (version),
    CONSTRAINT contract_templates_version_check
    CHECK (version ~ '^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$'),
    CONSTRAINT contract_templates_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT contract_templates_terms_check CHECK (jsonb_typeof(terms) = 'object'),
    CONSTRAINT contract_templates_deprecated_at_check
    CHECK (deprecated_at IS NULL OR (NOT is_active AND deprecated_at >= created_at))
);

CREATE UNIQUE INDEX contract_templates_is_active_key ON bloxtr8.contract_templates (is_active) WHERE is_active;

CALL common.define_immutable_columns(
    'bloxtr8.contract_templates', '{id, version, name, terms, created_at}', '{deprecated_at}'
);

CREATE TRIGGER contract_templates_updated_at
BEFORE UPDATE ON bloxtr8.contract_templates
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.contract_templates IS
'Versioned contract terms (seed: ContractTemplate); one active at a time, historical versions kept for reference.';
COMMENT ON COLUMN bloxtr8.contract_templates.version IS 'Semantic version, e.g. 1.0.0; unique; never changes.';
COMMENT ON COLUMN bloxtr8.contract_templates.terms IS 'The terms and clauses, a JSON object; never change.';
COMMENT ON COLUMN bloxtr8.contract_templates.is_active IS 'The template new contracts use; at most one.';
COMMENT ON COLUMN bloxtr8.contract_templates.deprecated_at IS 'When a newer version replaced it; set once.';
COMMENT ON CONSTRAINT contract_templates_version_check ON bloxtr8.contract_templates IS
'MAJOR.MINOR.PATCH, each a number without leading zeros (at most 9 digits).';
COMMENT ON CONSTRAINT contract_templates_name_check ON bloxtr8.contract_templates IS 'A template has a name.';
COMMENT ON CONSTRAINT contract_templates_terms_check ON bloxtr8.contract_templates IS 'terms is a JSON object.';
COMMENT ON CONSTRAINT contract_templates_deprecated_at_check ON bloxtr8.contract_templates IS
'A deprecated template is not active (and was deprecated after it was created).';
COMMENT ON INDEX bloxtr8.contract_templates_is_active_key IS
'At most one active template (partial unique); finds it (the seed''s isActive index).';
COMMENT ON TRIGGER contract_templates_updated_at ON bloxtr8.contract_templates IS
'Keeps updated_at at the time of the last update.';

GRANT SELECT ON bloxtr8.contract_templates TO chaindb_app, chaindb_readonly;
