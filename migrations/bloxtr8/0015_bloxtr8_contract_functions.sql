-- depends: 0014_bloxtr8_marketplace_functions
-- Contract templates, contracts, signatures and magic-link sign tokens: every write, as SECURITY DEFINER
-- functions (chaindb_app reads these tables and cannot write them).
--
--   publish_contract_template(version, name, terms)   the new active template; the active one is
--       deprecated in the same transaction; the version must be above every existing one (CD007
--       contract_templates_version_order; semantic version order, bloxtr8.semver_key).
--   create_contract(offer, roblox_asset_data)   a PENDING_SIGNATURE contract for an ACCEPTED offer, on the
--       active template (CD007 contract_templates_active when there is none); the asset data defaults to
--       the listing's newest snapshot. 23505 contracts_offer_id_key for a second one.
--   attach_contract_pdf(contract, pdf_url, sha256)   sets the PDF and its hash once (the same values again
--       are a no-op; others CD003).
--   sign_contract(contract, user, method, ip, user agent)   a DISCORD_NATIVE or API signature (WEB_BASED
--       only through a token: CD007 signatures_method).
--   issue_sign_token(contract, user)   a magic-link token for a party who has not signed a PENDING_SIGNATURE
--       contract: 32 random bytes (pgcrypto), base64url, returned once; only its SHA-256 is stored; valid 15
--       minutes.
--   sign_contract_with_token(token, ip, user agent)   uses the token (single use: a guarded UPDATE, so of
--       concurrent uses exactly one passes) and signs WEB_BASED as its user, in one transaction. CD005
--       unknown token, CD007 contract_sign_tokens_used, CD006 contract_sign_tokens_expired.
--   delete_expired_sign_tokens()   removes the tokens past their expiry; returns how many.
--   void_contract(contract)   PENDING_SIGNATURE | EXECUTION_FAILED -> VOID (cancelled, expired or given up).
--
-- Signing (bloxtr8.record_signature, both paths): the contract row is locked first (FOR NO KEY UPDATE, which
-- lets other rows keep referencing it), so the signatures of one contract are taken one at a time: only
-- the offer's buyer and seller (CD007 signatures_party) at TIER_1+, while PENDING_SIGNATURE (CD007
-- signatures_contract_pending), once each (23505 signatures_user_id_contract_id_key). The signature that
-- completes the pair moves the contract to EXECUTING and creates its one execution job (due now) in the
-- same transaction; when both parties sign at the same instant, the second waits for the first's lock,
-- then sees its signature. A first signature also updates the contract row (updated_at), so that a signer
-- running at REPEATABLE READ or SERIALIZABLE whose snapshot misses it fails with 40001 (retry) rather than
-- counting one signature.

CREATE FUNCTION bloxtr8.semver_key(p_version text)
RETURNS integer[]
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT string_to_array(p_version, '.')::integer[]
$fn$;

COMMENT ON FUNCTION bloxtr8.semver_key(text) IS
'A MAJOR.MINOR.PATCH version as {major, minor, patch}: arrays compare in semantic version order (1.10.0 > 1.9.0).';

CREATE FUNCTION bloxtr8.publish_contract_template(p_version text, p_name text, p_terms jsonb)
RETURNS SETOF bloxtr8.contract_templates
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_newest text;
BEGIN
    PERFORM FROM bloxtr8.contract_templates AS t WHERE t.is_active FOR UPDATE;
    IF p_version ~ '^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$' THEN
        SELECT t.version INTO v_newest
        FROM bloxtr8.contract_templates AS t
        WHERE bloxtr8.semver_key(t.version) >= bloxtr8.semver_key(p_version)
        ORDER BY bloxtr8.semver_key(t.version) DESC
        LIMIT 1;
        IF FOUND THEN
            PERFORM common.raise_precondition_failed(
                'bloxtr8.contract_templates', 'contract_templates_version_order',
                format('version %s is not above %s', p_version, v_newest),
                format('version=%s newest=%s', p_version, v_newest)
            );
        END IF;
    END IF;
    UPDATE bloxtr8.contract_templates AS t SET is_active = false, deprecated_at = common.now() WHERE t.is_active;
    RETURN QUERY
    INSERT INTO bloxtr8.contract_templates AS t (version, name, terms, is_active)
    VALUES (p_version, p_name, p_terms, true)
    RETURNING t.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.publish_contract_template(text, text, jsonb) IS
'Publishes a template version: the active one is deprecated (is_active false, deprecated_at now) and the new one '
'is active, in one transaction. CD007 contract_templates_version_order unless the version is above every existing '
'one; 23514 the contract_templates CHECKs (version format, name, terms an object); 23505 '
'contract_templates_is_active_key when another publication wins a race.';

CREATE FUNCTION bloxtr8.create_contract(p_offer_id text, p_roblox_asset_data jsonb DEFAULT NULL)
RETURNS SETOF bloxtr8.contracts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_listing_id text;
    v_version text;
BEGIN
    SELECT o.listing_id INTO v_listing_id FROM bloxtr8.offers AS o WHERE o.id = p_offer_id;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.offers', p_offer_id);
    END IF;
    -- A publication locks the active template, deprecates it and inserts the next one: waiting for its lock, this
    -- row stops being active and the new one is not in the statement's snapshot. Look again (a new statement sees
    -- what committed) as long as some template is active, so the contract takes the new one.
    LOOP
        SELECT t.version INTO v_version FROM bloxtr8.contract_templates AS t WHERE t.is_active FOR SHARE;
        EXIT WHEN FOUND OR NOT EXISTS (SELECT FROM bloxtr8.contract_templates AS t WHERE t.is_active);
    END LOOP;
    IF v_version IS NULL THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.contract_templates', 'contract_templates_active', 'no contract template is active',
            format('offer_id=%s', p_offer_id)
        );
    END IF;
    RETURN QUERY
    INSERT INTO bloxtr8.contracts AS c (offer_id, template_version, roblox_asset_data)
    VALUES (
        p_offer_id,
        v_version,
        coalesce(
            p_roblox_asset_data,
            (
                SELECT to_jsonb(s) - 'listing_id'
                FROM bloxtr8.roblox_snapshots AS s
                WHERE s.listing_id = v_listing_id
                ORDER BY s.created_at DESC, s.id DESC
                LIMIT 1
            )
        )
    )
    RETURNING c.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.create_contract(text, jsonb) IS
'A PENDING_SIGNATURE contract for an ACCEPTED offer, on the active template (during a publication, the one being '
'published, once it commits), with p_roblox_asset_data or else the listing''s newest snapshot (as JSON). CD005 '
'unknown offer, CD007 contracts_offer_accepted, CD007 contract_templates_active (none active), 23505 '
'contracts_offer_id_key (the offer has its contract).';

CREATE FUNCTION bloxtr8.attach_contract_pdf(p_contract_id text, p_pdf_url text, p_sha256 text)
RETURNS SETOF bloxtr8.contracts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RETURN QUERY
    UPDATE bloxtr8.contracts AS c SET pdf_url = p_pdf_url, sha256 = p_sha256 WHERE c.id = p_contract_id RETURNING c.*;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.contracts', p_contract_id);
    END IF;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.attach_contract_pdf(text, text, text) IS
'Records the contract''s PDF and its SHA-256, once (the same values again change nothing). CD005 unknown contract, '
'CD003 contracts_pdf_url_immutable / contracts_sha256_immutable for other values, 23514 the contracts CHECKs.';

CREATE FUNCTION bloxtr8.signable_contract(p_contract_id text, p_user_id text, p_lock boolean)
RETURNS bloxtr8.contracts
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_contract bloxtr8.contracts;
    v_buyer_id text;
    v_seller_id text;
BEGIN
    IF p_lock THEN
        SELECT c.* INTO v_contract FROM bloxtr8.contracts AS c WHERE c.id = p_contract_id FOR NO KEY UPDATE;
    ELSE
        SELECT c.* INTO v_contract FROM bloxtr8.contracts AS c WHERE c.id = p_contract_id;
    END IF;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.contracts', p_contract_id);
    END IF;
    SELECT o.buyer_id, o.seller_id INTO v_buyer_id, v_seller_id FROM bloxtr8.offers AS o WHERE o.id = v_contract.offer_id;
    IF p_user_id IS DISTINCT FROM v_buyer_id AND p_user_id IS DISTINCT FROM v_seller_id THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.signatures', 'signatures_party',
            format('user %s is neither the buyer nor the seller of contract %s', p_user_id, p_contract_id),
            format('contract_id=%s user_id=%s', p_contract_id, p_user_id)
        );
    ELSIF v_contract.status <> 'PENDING_SIGNATURE' THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.signatures', 'signatures_contract_pending',
            format('contract %s is %s: signatures are taken while PENDING_SIGNATURE', p_contract_id, v_contract.status),
            format('contract_id=%s status=%s', p_contract_id, v_contract.status)
        );
    END IF;
    RETURN v_contract;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.signable_contract(text, text, boolean) IS
'A contract p_user_id may sign now (locked FOR NO KEY UPDATE when p_lock): CD005 unknown, CD007 signatures_party '
'unless the offer''s buyer or seller, CD007 signatures_contract_pending unless PENDING_SIGNATURE. Returns the row. '
'Used by record_signature (locked) and issue_sign_token.';

CREATE FUNCTION bloxtr8.record_signature(
    p_contract_id text,
    p_user_id text,
    p_signature_method bloxtr8.signature_method,
    p_ip_address text,
    p_user_agent text
)
RETURNS bloxtr8.contracts
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_contract bloxtr8.contracts := bloxtr8.signable_contract(p_contract_id, p_user_id, true);
BEGIN
    PERFORM bloxtr8.require_user(p_user_id, 'sign_contract', 'TIER_1', false);
    INSERT INTO bloxtr8.signatures (user_id, contract_id, ip_address, user_agent, signature_method)
    VALUES (p_user_id, p_contract_id, p_ip_address, p_user_agent, p_signature_method);
    IF (SELECT count(*) FROM bloxtr8.signatures AS s WHERE s.contract_id = p_contract_id) = 2 THEN
        UPDATE bloxtr8.contracts AS c SET status = 'EXECUTING' WHERE c.id = p_contract_id RETURNING c.* INTO v_contract;
        INSERT INTO bloxtr8.contract_execution_jobs (contract_id, next_retry_at) VALUES (p_contract_id, common.now());
    ELSE
        UPDATE bloxtr8.contracts AS c SET updated_at = common.now() WHERE c.id = p_contract_id RETURNING c.* INTO v_contract;
    END IF;
    RETURN v_contract;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.record_signature(text, text, bloxtr8.signature_method, text, text) IS
'The signing both paths share (not granted to the app): locks the contract, checks the signer (CD007 '
'signatures_party, signatures_contract_pending, users_kyc_tier), records the signature (23505 once per user) and, '
'when it completes the pair, moves the contract to EXECUTING and creates its execution job. Returns the contract.';

CREATE FUNCTION bloxtr8.sign_contract(
    p_contract_id text,
    p_user_id text,
    p_signature_method bloxtr8.signature_method DEFAULT 'DISCORD_NATIVE',
    p_ip_address text DEFAULT NULL,
    p_user_agent text DEFAULT NULL
)
RETURNS SETOF bloxtr8.contracts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF p_signature_method IS DISTINCT FROM 'DISCORD_NATIVE' AND p_signature_method IS DISTINCT FROM 'API' THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.signatures', 'signatures_method',
            format('%s signatures come through a sign token (sign_contract_with_token)', p_signature_method),
            format('contract_id=%s signature_method=%s', p_contract_id, p_signature_method)
        );
    END IF;
    RETURN NEXT bloxtr8.record_signature(p_contract_id, p_user_id, p_signature_method, p_ip_address, p_user_agent);
END
$fn$;

COMMENT ON FUNCTION bloxtr8.sign_contract(text, text, bloxtr8.signature_method, text, text) IS
'Signs a contract in Discord (DISCORD_NATIVE) or programmatically (API); returns the contract, EXECUTING when this '
'signature completes the pair (its execution job created). CD007 signatures_method for WEB_BASED (magic links only), '
'and the refusals of bloxtr8.record_signature.';

CREATE FUNCTION bloxtr8.issue_sign_token(p_contract_id text, p_user_id text)
RETURNS TABLE (
    id text, token text, contract_id text, user_id text, expires_at timestamptz, created_at timestamptz
)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    v_now timestamptz := common.now();
    v_token text := rtrim(translate(encode(extensions.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
BEGIN
    PERFORM bloxtr8.signable_contract(p_contract_id, p_user_id, false);
    IF EXISTS (SELECT FROM bloxtr8.signatures AS s WHERE s.contract_id = p_contract_id AND s.user_id = p_user_id) THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.contract_sign_tokens', 'contract_sign_tokens_unsigned',
            format('user %s has signed contract %s already', p_user_id, p_contract_id),
            format('contract_id=%s user_id=%s', p_contract_id, p_user_id)
        );
    END IF;
    RETURN QUERY
    INSERT INTO bloxtr8.contract_sign_tokens AS t (token, contract_id, user_id, expires_at, created_at)
    VALUES (
        encode(sha256(convert_to(v_token, 'UTF8')), 'hex'), p_contract_id, p_user_id,
        v_now + interval '15 minutes', v_now
    )
    RETURNING t.id, v_token, t.contract_id, t.user_id, t.expires_at, t.created_at;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.issue_sign_token(text, text) IS
'A magic-link token for p_user_id to sign p_contract_id on the web: 32 random bytes, base64url (43 characters), '
'returned here once and stored only as its SHA-256 (contract_sign_tokens.token); valid 15 minutes. CD005 unknown '
'contract, CD007 signatures_party (not a party), signatures_contract_pending (not PENDING_SIGNATURE), '
'contract_sign_tokens_unsigned (signed already).';

CREATE FUNCTION bloxtr8.sign_contract_with_token(
    p_token text, p_ip_address text DEFAULT NULL, p_user_agent text DEFAULT NULL
)
RETURNS SETOF bloxtr8.contracts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_hash text := encode(sha256(convert_to(coalesce(p_token, ''), 'UTF8')), 'hex');
    v_token bloxtr8.contract_sign_tokens;
BEGIN
    UPDATE bloxtr8.contract_sign_tokens AS t SET used_at = common.now()
    WHERE t.token = v_hash AND t.used_at IS NULL AND t.expires_at > common.now()
    RETURNING t.* INTO v_token;
    IF NOT FOUND THEN
        SELECT t.* INTO v_token FROM bloxtr8.contract_sign_tokens AS t WHERE t.token = v_hash;
        IF NOT FOUND THEN
            PERFORM common.raise_not_found('bloxtr8.contract_sign_tokens', 'token');
        ELSIF v_token.used_at IS NOT NULL THEN
            PERFORM common.raise_precondition_failed(
                'bloxtr8.contract_sign_tokens', 'contract_sign_tokens_used',
                format('sign token %s was used at %s', v_token.id, v_token.used_at),
                format('id=%s used_at=%s', v_token.id, v_token.used_at)
            );
        END IF;
        RAISE EXCEPTION 'contract_sign_tokens: sign token % expired at %', v_token.id, v_token.expires_at
            USING ERRCODE = 'CD006', CONSTRAINT = 'contract_sign_tokens_expired', SCHEMA = 'bloxtr8',
                  TABLE = 'contract_sign_tokens',
                  DETAIL = format('id=%s expires_at=%s now=%s', v_token.id, v_token.expires_at, common.now());
    END IF;
    RETURN NEXT bloxtr8.record_signature(v_token.contract_id, v_token.user_id, 'WEB_BASED', p_ip_address, p_user_agent);
END
$fn$;

COMMENT ON FUNCTION bloxtr8.sign_contract_with_token(text, text, text) IS
'Signs on the web with a magic-link token: marks the token used (single use: of concurrent uses exactly one passes) '
'and signs WEB_BASED as the token''s user, in one transaction (a refused signature leaves the token unused). CD005 '
'unknown token, CD007 contract_sign_tokens_used, CD006 contract_sign_tokens_expired (database clock), and the '
'refusals of bloxtr8.record_signature.';

CREATE FUNCTION bloxtr8.delete_expired_sign_tokens()
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
    WITH deleted AS (
        DELETE FROM bloxtr8.contract_sign_tokens AS t WHERE t.expires_at <= common.now() RETURNING t.id
    )

    SELECT count(*)::integer FROM deleted
$fn$;

COMMENT ON FUNCTION bloxtr8.delete_expired_sign_tokens() IS
'Clean-up: deletes every sign token past its expiry, used or not (a signature keeps its own record); returns how many.';

CREATE FUNCTION bloxtr8.void_contract(p_contract_id text)
RETURNS SETOF bloxtr8.contracts
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_status bloxtr8.contract_status;
BEGIN
    SELECT c.status INTO v_status FROM bloxtr8.contracts AS c WHERE c.id = p_contract_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.contracts', p_contract_id);
    ELSIF v_status = 'VOID' THEN
        PERFORM common.raise_forbidden_transition('bloxtr8.contracts', 'status', v_status::text, 'VOID');
    END IF;
    RETURN QUERY
    UPDATE bloxtr8.contracts AS c SET status = 'VOID' WHERE c.id = p_contract_id RETURNING c.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.void_contract(text) IS
'Voids a contract that is PENDING_SIGNATURE (cancelled or expired) or EXECUTION_FAILED (given up); its offer''s deal '
'ends. CD005 unknown contract, CD001 from any other status (also VOID again).';

REVOKE ALL ON FUNCTION
bloxtr8.semver_key(text),
bloxtr8.publish_contract_template(text, text, jsonb),
bloxtr8.create_contract(text, jsonb),
bloxtr8.attach_contract_pdf(text, text, text),
bloxtr8.signable_contract(text, text, boolean),
bloxtr8.record_signature(text, text, bloxtr8.signature_method, text, text),
bloxtr8.sign_contract(text, text, bloxtr8.signature_method, text, text),
bloxtr8.issue_sign_token(text, text),
bloxtr8.sign_contract_with_token(text, text, text),
bloxtr8.delete_expired_sign_tokens(),
bloxtr8.void_contract(text)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
bloxtr8.semver_key(text),
bloxtr8.publish_contract_template(text, text, jsonb),
bloxtr8.create_contract(text, jsonb),
bloxtr8.attach_contract_pdf(text, text, text),
bloxtr8.sign_contract(text, text, bloxtr8.signature_method, text, text),
bloxtr8.issue_sign_token(text, text),
bloxtr8.sign_contract_with_token(text, text, text),
bloxtr8.delete_expired_sign_tokens(),
bloxtr8.void_contract(text)
TO chaindb_app;
GRANT EXECUTE ON FUNCTION bloxtr8.semver_key(text) TO chaindb_readonly;
