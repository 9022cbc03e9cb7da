-- depends: 0012_bloxtr8_audit_logs
-- Users' rule-carrying columns and the checks every marketplace action makes of its actor.
-- All SECURITY DEFINER (search_path pinned, names qualified): chaindb_app cannot write kyc_tier,
-- kyc_verified, wallet_address or wallet_risk itself.
--
--   require_user(user, action, min_tier, unsanctioned)   the actor check of the functions of 0014-0018
--       (not granted to the app): CD005 unknown user; CD007 users_kyc_tier when below min_tier ("TIER_0
--       browses only"); CD007 users_wallet_sanctioned when unsanctioned is asked and the wallet is
--       SANCTIONED. Share-locks the user row, so a concurrent KYC or screening change is ordered before or
--       after the action, never in between.
--   set_user_kyc(user, tier, verified)    TIER_1 and above need a linked Roblox account (CD007
--       users_kyc_roblox_linked); TIER_2 needs verified (23514 users_kyc_verified_check).
--   set_user_wallet(user, address)        links (or, NULL, unlinks) the wallet; a new address is unscreened:
--       wallet_risk UNKNOWN. A SANCTIONED wallet is neither replaced nor unlinked (CD007
--       users_wallet_sanctioned) until set_user_wallet_risk records a new screening.
--   set_user_wallet_risk(user, risk)      records a screening result (23514 users_wallet_risk_check without
--       a wallet).

CREATE FUNCTION bloxtr8.require_user(
    p_user_id text, p_action text, p_min_tier bloxtr8.kyc_tier, p_unsanctioned boolean
)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_tier bloxtr8.kyc_tier;
    v_risk bloxtr8.wallet_risk;
BEGIN
    SELECT u.kyc_tier, u.wallet_risk INTO v_tier, v_risk FROM bloxtr8.users AS u WHERE u.id = p_user_id FOR SHARE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.users', p_user_id);
    END IF;
    IF v_tier < p_min_tier THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.users', 'users_kyc_tier',
            format('user %s is %s; %s needs %s or above', p_user_id, v_tier, p_action, p_min_tier),
            format('user_id=%s kyc_tier=%s required=%s action=%s', p_user_id, v_tier, p_min_tier, p_action)
        );
    END IF;
    IF p_unsanctioned AND v_risk = 'SANCTIONED' THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.users', 'users_wallet_sanctioned',
            format('user %s has a SANCTIONED wallet; no %s', p_user_id, p_action),
            format('user_id=%s wallet_risk=%s action=%s', p_user_id, v_risk, p_action)
        );
    END IF;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.require_user(text, text, bloxtr8.kyc_tier, boolean) IS
'The actor check of the marketplace functions: the user exists (CD005), has at least p_min_tier (NULL: any; else '
'CD007 users_kyc_tier) and, when p_unsanctioned, no SANCTIONED wallet (CD007 users_wallet_sanctioned); DETAIL names '
'the user, the tier or risk and p_action. Share-locks the user row until the transaction ends.';

CREATE FUNCTION bloxtr8.set_user_kyc(p_user_id text, p_kyc_tier bloxtr8.kyc_tier, p_kyc_verified boolean)
RETURNS SETOF bloxtr8.users
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM FROM bloxtr8.users AS u WHERE u.id = p_user_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.users', p_user_id);
    END IF;
    IF p_kyc_tier > 'TIER_0' AND NOT EXISTS (
        SELECT FROM bloxtr8.accounts AS a WHERE a.user_id = p_user_id AND a.provider_id = 'roblox'
    ) THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.users', 'users_kyc_roblox_linked',
            format('user %s has no linked Roblox account; %s needs one', p_user_id, p_kyc_tier),
            format('user_id=%s kyc_tier=%s', p_user_id, p_kyc_tier)
        );
    END IF;
    RETURN QUERY
    UPDATE bloxtr8.users AS u SET kyc_tier = p_kyc_tier, kyc_verified = p_kyc_verified
    WHERE u.id = p_user_id
    RETURNING u.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.set_user_kyc(text, bloxtr8.kyc_tier, boolean) IS
'Sets a user''s KYC tier and verification. CD005 unknown user; CD007 users_kyc_roblox_linked for TIER_1 or TIER_2 '
'without a linked Roblox account; 23514 users_kyc_verified_check for TIER_2 not verified.';

CREATE FUNCTION bloxtr8.set_user_wallet(p_user_id text, p_wallet_address text)
RETURNS SETOF bloxtr8.users
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_user bloxtr8.users;
    v_same boolean;
BEGIN
    SELECT u.* INTO v_user FROM bloxtr8.users AS u WHERE u.id = p_user_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.users', p_user_id);
    END IF;
    -- hex digits in either case spell one address: the same wallet keeps its screening
    v_same := lower(v_user.wallet_address) IS NOT DISTINCT FROM lower(p_wallet_address);
    IF v_user.wallet_risk = 'SANCTIONED' AND NOT v_same THEN
        PERFORM common.raise_precondition_failed(
            'bloxtr8.users', 'users_wallet_sanctioned',
            format('user %s has a SANCTIONED wallet; it is neither replaced nor unlinked before a screening clears it',
                p_user_id),
            format('user_id=%s wallet_risk=%s action=set_user_wallet', p_user_id, v_user.wallet_risk)
        );
    END IF;
    RETURN QUERY
    UPDATE bloxtr8.users AS u
    SET wallet_address = p_wallet_address,
        wallet_risk = CASE WHEN v_same THEN u.wallet_risk ELSE 'UNKNOWN' END
    WHERE u.id = p_user_id
    RETURNING u.*;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.set_user_wallet(text, text) IS
'Links a wallet (an EVM address; NULL unlinks). A different address is unscreened: wallet_risk becomes UNKNOWN; the '
'same address (in any letter case) keeps its screening. A SANCTIONED wallet stays until set_user_wallet_risk records '
'a new screening: replacing or unlinking it is CD007 users_wallet_sanctioned (else a new address would shed the '
'sanction). CD005 unknown user, 23514 users_wallet_address_check.';

CREATE FUNCTION bloxtr8.set_user_wallet_risk(p_user_id text, p_wallet_risk bloxtr8.wallet_risk)
RETURNS SETOF bloxtr8.users
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RETURN QUERY
    UPDATE bloxtr8.users AS u SET wallet_risk = p_wallet_risk WHERE u.id = p_user_id RETURNING u.*;
    IF NOT FOUND THEN
        PERFORM common.raise_not_found('bloxtr8.users', p_user_id);
    END IF;
END
$fn$;

COMMENT ON FUNCTION bloxtr8.set_user_wallet_risk(text, bloxtr8.wallet_risk) IS
'Records the screening of the user''s wallet. CD005 unknown user; 23514 users_wallet_risk_check when the user has no '
'wallet and the risk is not UNKNOWN.';

REVOKE ALL ON FUNCTION
bloxtr8.require_user(text, text, bloxtr8.kyc_tier, boolean),
bloxtr8.set_user_kyc(text, bloxtr8.kyc_tier, boolean),
bloxtr8.set_user_wallet(text, text),
bloxtr8.set_user_wallet_risk(text, bloxtr8.wallet_risk)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
bloxtr8.set_user_kyc(text, bloxtr8.kyc_tier, boolean),
bloxtr8.set_user_wallet(text, text),
bloxtr8.set_user_wallet_risk(text, bloxtr8.wallet_risk)
TO chaindb_app;
