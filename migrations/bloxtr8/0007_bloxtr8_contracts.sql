-- depends: 0006_bloxtr8_contract_templates
-- bloxtr8.contracts, signatures and contract_sign_tokens (seed: Contract, Signature, ContractSignToken).
--
-- contracts  verbatim, plus: made only from an ACCEPTED offer (contracts_offer_accepted, CD007); one contract
--            per offer (contracts_offer_id_key, also the seed's offerId index: a VOID contract ends its offer's
--            deal for good, so a listing whose deal died can be offered again without the old offer coming
--            back, bloxtr8.set_listing_status); template_version
--            names an existing template (the seed's "tracks which template version was used"); sha256 is
--            a lowercase hex SHA-256 and comes with pdf_url (an https or s3 URL), both set once;
--            (id, offer_id) is unique so that an escrow's offer is its contract's (0009).
--            State machine PENDING_SIGNATURE -> EXECUTING -> EXECUTED; EXECUTING -> EXECUTION_FAILED ->
--            EXECUTING (retry) | VOID; PENDING_SIGNATURE -> VOID (cancelled or expired before both signed:
--            the seed's "VOID: contract cancelled or expired"). EXECUTED and VOID are terminal. The moves
--            are made by the functions of 0015 and 0016 together with the execution job's.
-- signatures verbatim; append-only (a signature is a legal record); one per user and contract (the seed's
--            unique, which also serves its userId index). Only the offer's buyer and seller sign
--            (bloxtr8.sign_contract).
-- contract_sign_tokens  verbatim; the seed names no relations, its users expect two: the token belongs to
--            its contract and user (ON DELETE CASCADE). The seed's "token" column holds the SHA-256 of the
--            magic link's token (64 lowercase hex digits), never the token: the token is 32 random bytes,
--            handed out once by bloxtr8.issue_sign_token and hashed again on use. Valid exactly 15 minutes
--            from creation (contract_sign_tokens_expires_at_check), used at most once (used_at, set once,
--            before expiry). SECRET: neither role reads the column.
-- Foreign keys RESTRICT unless said otherwise: contracts and signatures are history.

CREATE TABLE bloxtr8.contracts (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    pdf_url text,
    sha256 text,
    status bloxtr8.contract_status NOT NULL DEFAULT 'PENDING_SIGNATURE',
    roblox_asset_data jsonb,
    template_version text NOT NULL DEFAULT '1.0.0',
    created_at timestamptz NOT NULL DEFAULT common.now(),
    updated_at timestamptz NOT NULL DEFAULT common.now(),
    offer_id text NOT NULL,
    CONSTRAINT contracts_pkey PRIMARY KEY (id),
    CONSTRAINT contracts_offer_id_key UNIQUE (offer_id),
    CONSTRAINT contracts_id_offer_id_key UNIQUE (id, offer_id),
    CONSTRAINT contracts_offer_id_fkey FOREIGN KEY (offer_id) REFERENCES bloxtr8.offers (id) ON DELETE RESTRICT,
    CONSTRAINT contracts_template_version_fkey FOREIGN KEY (template_version)
    REFERENCES bloxtr8.contract_templates (version) ON DELETE RESTRICT,
    CONSTRAINT contracts_pdf_url_check CHECK (pdf_url ~ '^(https|s3)://[^[:space:]]+$'),
    CONSTRAINT contracts_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT contracts_pdf_check CHECK ((pdf_url IS NULL) = (sha256 IS NULL))
);

CREATE INDEX contracts_status_idx ON bloxtr8.contracts (status);

CREATE INDEX contracts_template_version_idx ON bloxtr8.contracts (template_version);

CREATE FUNCTION bloxtr8.tg_contracts__offer_accepted()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_status bloxtr8.offer_status;
BEGIN
    SELECT o.status INTO v_status FROM bloxtr8.offers AS o WHERE o.id = NEW.offer_id;
    IF v_status IS DISTINCT FROM 'ACCEPTED' THEN
        RAISE EXCEPTION 'contracts: offer % is %, not ACCEPTED', NEW.offer_id, coalesce(v_status::text, 'unknown')
            USING ERRCODE = 'CD007', CONSTRAINT = 'contracts_offer_accepted', SCHEMA = TG_TABLE_SCHEMA,
                  TABLE = TG_TABLE_NAME, DETAIL = format('offer_id=%s status=%s', NEW.offer_id, v_status);
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.tg_contracts__offer_accepted() IS
'BEFORE INSERT on contracts: the offer is ACCEPTED, else CD007 contracts_offer_accepted (also for an unknown '
'offer, status shown empty in DETAIL).';

CREATE TRIGGER contracts_offer_accepted
BEFORE INSERT ON bloxtr8.contracts
FOR EACH ROW EXECUTE FUNCTION bloxtr8.tg_contracts__offer_accepted();

COMMENT ON TRIGGER contracts_offer_accepted ON bloxtr8.contracts IS
'A contract is made only from an ACCEPTED offer (CD007 contracts_offer_accepted).';

CALL common.define_state_machine(
    'bloxtr8.contracts', 'status',
    '{PENDING_SIGNATURE>EXECUTING|VOID, EXECUTING>EXECUTED|EXECUTION_FAILED, EXECUTION_FAILED>EXECUTING|VOID}',
    '{PENDING_SIGNATURE}',
    'EXECUTING when the second party signs, with its execution job, in one transaction; EXECUTED or EXECUTION_FAILED '
    'with the job''s outcome; a failed execution is retried (EXECUTING) or VOID. PENDING_SIGNATURE -> VOID: '
    'cancelled or expired before both signed. EXECUTED and VOID are terminal.'
);

CALL common.define_immutable_columns(
    'bloxtr8.contracts', '{id, roblox_asset_data, template_version, created_at, offer_id}', '{pdf_url, sha256}'
);

CREATE TRIGGER contracts_updated_at
BEFORE UPDATE ON bloxtr8.contracts
FOR EACH ROW EXECUTE FUNCTION common.tg__set_updated_at();

COMMENT ON TABLE bloxtr8.contracts IS
'Two-party agreements made from an accepted offer, with PDF storage and execution tracking (seed: Contract).';
COMMENT ON COLUMN bloxtr8.contracts.pdf_url IS 'The signed document''s location (S3); set once, with sha256.';
COMMENT ON COLUMN bloxtr8.contracts.sha256 IS 'SHA-256 of the PDF, 64 lowercase hex digits; set once, with pdf_url.';
COMMENT ON COLUMN bloxtr8.contracts.status IS
'PENDING_SIGNATURE -> EXECUTING -> EXECUTED | EXECUTION_FAILED -> EXECUTING | VOID (contracts_status_transition).';
COMMENT ON COLUMN bloxtr8.contracts.roblox_asset_data IS
'Snapshot of the Roblox asset at contract time (the listing''s newest roblox_snapshots row unless given).';
COMMENT ON COLUMN bloxtr8.contracts.template_version IS
'The contract_templates version used (the active one at creation), for legal compliance.';
COMMENT ON CONSTRAINT contracts_id_offer_id_key ON bloxtr8.contracts IS
'Target of escrows_contract_id_offer_id_fkey: an escrow''s offer is its contract''s.';
COMMENT ON CONSTRAINT contracts_pdf_url_check ON bloxtr8.contracts IS 'pdf_url is an https:// or s3:// URL.';
COMMENT ON CONSTRAINT contracts_sha256_check ON bloxtr8.contracts IS 'sha256 is 64 lowercase hex digits.';
COMMENT ON CONSTRAINT contracts_pdf_check ON bloxtr8.contracts IS 'The PDF''s URL and its hash come together.';
COMMENT ON CONSTRAINT contracts_offer_id_key ON bloxtr8.contracts IS
'One contract per offer; also the seed''s offerId index and the one behind contracts_offer_id_fkey.';
COMMENT ON TRIGGER contracts_updated_at ON bloxtr8.contracts IS 'Keeps updated_at at the time of the last update.';

GRANT SELECT ON bloxtr8.contracts TO chaindb_app, chaindb_readonly;

CREATE TABLE bloxtr8.signatures (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    user_id text NOT NULL,
    contract_id text NOT NULL,
    signed_at timestamptz NOT NULL DEFAULT common.now(),
    ip_address text,
    user_agent text,
    signature_method bloxtr8.signature_method NOT NULL DEFAULT 'DISCORD_NATIVE',
    CONSTRAINT signatures_pkey PRIMARY KEY (id),
    CONSTRAINT signatures_user_id_fkey FOREIGN KEY (user_id) REFERENCES bloxtr8.users (id) ON DELETE RESTRICT,
    CONSTRAINT signatures_contract_id_fkey FOREIGN KEY (contract_id)
    REFERENCES bloxtr8.contracts (id) ON DELETE RESTRICT,
    CONSTRAINT signatures_user_id_contract_id_key UNIQUE (user_id, contract_id)
);

CREATE INDEX signatures_contract_id_idx ON bloxtr8.signatures (contract_id);

CALL common.define_append_only('bloxtr8.signatures');

COMMENT ON TABLE bloxtr8.signatures IS
'Contract signatures with their audit trail (seed: Signature); append-only: a signature is never changed or removed.';
COMMENT ON COLUMN bloxtr8.signatures.ip_address IS 'IP address at the time of signing (legal compliance).';
COMMENT ON COLUMN bloxtr8.signatures.user_agent IS 'Client or browser at the time of signing.';
COMMENT ON COLUMN bloxtr8.signatures.signature_method IS
'DISCORD_NATIVE or API (bloxtr8.sign_contract) or WEB_BASED (a magic link: bloxtr8.sign_contract_with_token).';
COMMENT ON CONSTRAINT signatures_user_id_contract_id_key ON bloxtr8.signatures IS
'One signature per user per contract; also the seed''s userId index (its leading column).';

GRANT SELECT ON bloxtr8.signatures TO chaindb_app, chaindb_readonly;

CREATE TABLE bloxtr8.contract_sign_tokens (
    id text NOT NULL DEFAULT bloxtr8.cuid(),
    token text NOT NULL,
    contract_id text NOT NULL,
    user_id text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT common.now(),
    CONSTRAINT contract_sign_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT contract_sign_tokens_token_key UNIQUE (token),
    CONSTRAINT contract_sign_tokens_contract_id_fkey FOREIGN KEY (contract_id)
    REFERENCES bloxtr8.contracts (id) ON DELETE CASCADE,
    CONSTRAINT contract_sign_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES bloxtr8.users (id) ON DELETE CASCADE,
    CONSTRAINT contract_sign_tokens_token_check CHECK (token ~ '^[0-9a-f]{64}$'),
    CONSTRAINT contract_sign_tokens_expires_at_check CHECK (expires_at = created_at + interval '15 minutes'),
    CONSTRAINT contract_sign_tokens_used_at_check CHECK (used_at >= created_at AND used_at < expires_at)
);

CREATE INDEX contract_sign_tokens_contract_id_idx ON bloxtr8.contract_sign_tokens (contract_id);

CREATE INDEX contract_sign_tokens_user_id_idx ON bloxtr8.contract_sign_tokens (user_id);

CREATE INDEX contract_sign_tokens_expires_at_idx ON bloxtr8.contract_sign_tokens (expires_at);

CALL common.define_immutable_columns(
    'bloxtr8.contract_sign_tokens', '{id, token, contract_id, user_id, expires_at, created_at}', '{used_at}'
);

COMMENT ON TABLE bloxtr8.contract_sign_tokens IS
'One-time magic-link tokens for web-based contract signing (seed: ContractSignToken): single use, 15 minutes, bound '
'to one user and one contract.';
COMMENT ON COLUMN bloxtr8.contract_sign_tokens.token IS
'SECRET. SHA-256 of the magic link''s token (32 random bytes, base64url), 64 lowercase hex digits: the token itself '
'is never stored. Read by neither chaindb_app nor chaindb_readonly.';
COMMENT ON COLUMN bloxtr8.contract_sign_tokens.expires_at IS 'Exactly 15 minutes after created_at (database clock).';
COMMENT ON COLUMN bloxtr8.contract_sign_tokens.used_at IS 'When the token signed its contract; set once, before expiry.';
COMMENT ON CONSTRAINT contract_sign_tokens_token_check ON bloxtr8.contract_sign_tokens IS
'token is a SHA-256 digest in lowercase hex, never a token.';
COMMENT ON CONSTRAINT contract_sign_tokens_expires_at_check ON bloxtr8.contract_sign_tokens IS
'A token is valid for exactly 15 minutes.';
COMMENT ON CONSTRAINT contract_sign_tokens_used_at_check ON bloxtr8.contract_sign_tokens IS
'A token is used between its creation and its expiry.';
COMMENT ON INDEX bloxtr8.contract_sign_tokens_expires_at_idx IS 'Clean-up of expired tokens (seed).';

GRANT SELECT (id, contract_id, user_id, expires_at, used_at, created_at)
ON bloxtr8.contract_sign_tokens TO chaindb_app, chaindb_readonly;
