-- bloxtr8: every object of the schema, as the seed (003) and the migration headers specify: tables, enums and
-- their labels; per table its columns (type, NULL-ness, default), indexes (definition), constraints (name and
-- kind) and triggers; the functions. One set comparison per table and kind, so a difference names the table.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(104);

SELECT has_schema('bloxtr8', 'schema bloxtr8 exists');

SELECT tables_are(
    'bloxtr8',
    ARRAY[
        'users', 'accounts', 'sessions', 'guilds', 'guild_members', 'listings', 'offers', 'contract_templates',
        'contracts', 'signatures', 'contract_sign_tokens', 'contract_execution_jobs', 'escrows',
        'stripe_escrows', 'stablecoin_escrows', 'milestone_escrows', 'deliveries', 'disputes',
        'asset_verifications', 'roblox_snapshots', 'audit_logs'
    ],
    'bloxtr8 has the seed''s 14 models and the 7 it references (guilds, guild_members, deliveries, disputes, '
    || 'milestone_escrows) or splits (stripe_escrows, stablecoin_escrows are the seed''s own)'
);

SELECT enums_are(
    'bloxtr8',
    ARRAY[
        'kyc_tier', 'wallet_risk', 'listing_status', 'offer_status', 'contract_status', 'escrow_rail',
        'escrow_status', 'verification_status', 'game_ownership_type', 'signature_method', 'job_status',
        'currency', 'verification_method', 'delivery_status', 'dispute_status'
    ],
    'bloxtr8 has the seed''s 11 enums and the 4 it references (currency, verification_method, delivery_status, '
    || 'dispute_status)'
);
SELECT enum_has_labels('bloxtr8', 'kyc_tier', ARRAY['TIER_0', 'TIER_1', 'TIER_2'], 'enum kyc_tier: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'wallet_risk', ARRAY['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'SANCTIONED'], 'enum wallet_risk: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'listing_status', ARRAY['ACTIVE', 'INACTIVE', 'SOLD'], 'enum listing_status: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'offer_status', ARRAY['PENDING', 'ACCEPTED', 'COUNTERED', 'DECLINED', 'EXPIRED'], 'enum offer_status: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'contract_status', ARRAY['PENDING_SIGNATURE', 'EXECUTING', 'EXECUTED', 'EXECUTION_FAILED', 'VOID'], 'enum contract_status: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'escrow_rail', ARRAY['STRIPE', 'USDC_BASE'], 'enum escrow_rail: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'escrow_status', ARRAY['AWAIT_FUNDS', 'FUNDS_HELD', 'DELIVERED', 'RELEASED', 'DISPUTED', 'REFUNDED', 'CANCELLED'], 'enum escrow_status: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'verification_status', ARRAY['PENDING', 'VERIFIED', 'FAILED', 'EXPIRED'], 'enum verification_status: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'game_ownership_type', ARRAY['OWNER', 'ADMIN', 'DEVELOPER'], 'enum game_ownership_type: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'signature_method', ARRAY['DISCORD_NATIVE', 'WEB_BASED', 'API'], 'enum signature_method: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'job_status', ARRAY['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'], 'enum job_status: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'currency', ARRAY['USD'], 'enum currency: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'verification_method', ARRAY['ROBLOX_OAUTH', 'ROBLOX_API', 'MANUAL'], 'enum verification_method: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'delivery_status', ARRAY['PENDING', 'DELIVERED', 'CONFIRMED'], 'enum delivery_status: its labels, in order');
SELECT enum_has_labels('bloxtr8', 'dispute_status', ARRAY['OPEN', 'RESOLVED'], 'enum dispute_status: its labels, in order');

-- Columns: (table, column, type, NOT NULL, default), in table order.
CREATE TEMP TABLE col_spec (tbl name, col name, typ text, not_null boolean, dflt text) ON COMMIT DROP;
INSERT INTO col_spec VALUES
('users', 'id', 'text', true, 'bloxtr8.cuid()'),
('users', 'name', 'text', false, NULL),
('users', 'email', 'text', true, NULL),
('users', 'email_verified', 'boolean', true, 'false'),
('users', 'phone', 'text', false, NULL),
('users', 'image', 'text', false, NULL),
('users', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('users', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
('users', 'kyc_tier', 'bloxtr8.kyc_tier', true, '''TIER_0''::bloxtr8.kyc_tier'),
('users', 'kyc_verified', 'boolean', true, 'false'),
('users', 'wallet_address', 'text', false, NULL),
('users', 'wallet_risk', 'bloxtr8.wallet_risk', true, '''UNKNOWN''::bloxtr8.wallet_risk'),

('accounts', 'id', 'text', true, NULL),
('accounts', 'account_id', 'text', true, NULL),
('accounts', 'provider_id', 'text', true, NULL),
('accounts', 'user_id', 'text', true, NULL),
('accounts', 'access_token', 'text', false, NULL),
('accounts', 'refresh_token', 'text', false, NULL),
('accounts', 'id_token', 'text', false, NULL),
('accounts', 'access_token_expires_at', 'timestamp with time zone', false, NULL),
('accounts', 'refresh_token_expires_at', 'timestamp with time zone', false, NULL),
('accounts', 'scope', 'text', false, NULL),
('accounts', 'password', 'text', false, NULL),
('accounts', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('accounts', 'updated_at', 'timestamp with time zone', true, 'common.now()'),

('sessions', 'id', 'text', true, NULL),
('sessions', 'expires_at', 'timestamp with time zone', true, NULL),
('sessions', 'token', 'text', true, NULL),
('sessions', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('sessions', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
('sessions', 'ip_address', 'text', false, NULL),
('sessions', 'user_agent', 'text', false, NULL),
('sessions', 'user_id', 'text', true, NULL),

('guilds', 'id', 'text', true, 'bloxtr8.cuid()'),
('guilds', 'discord_id', 'text', true, NULL),
('guilds', 'name', 'text', true, NULL),
('guilds', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('guilds', 'updated_at', 'timestamp with time zone', true, 'common.now()'),

('guild_members', 'id', 'text', true, 'bloxtr8.cuid()'),
('guild_members', 'guild_id', 'text', true, NULL),
('guild_members', 'user_id', 'text', true, NULL),
('guild_members', 'created_at', 'timestamp with time zone', true, 'common.now()'),

('listings', 'id', 'text', true, 'bloxtr8.cuid()'),
('listings', 'title', 'text', true, NULL),
('listings', 'summary', 'text', true, NULL),
('listings', 'price', 'integer', true, NULL),
('listings', 'category', 'text', true, NULL),
('listings', 'status', 'bloxtr8.listing_status', true, '''ACTIVE''::bloxtr8.listing_status'),
('listings', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('listings', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
('listings', 'user_id', 'text', true, NULL),
('listings', 'guild_id', 'text', false, NULL),

('offers', 'id', 'text', true, 'bloxtr8.cuid()'),
('offers', 'amount', 'integer', true, NULL),
('offers', 'currency', 'bloxtr8.currency', true, '''USD''::bloxtr8.currency'),
('offers', 'conditions', 'text', false, NULL),
('offers', 'expiry', 'timestamp with time zone', true, NULL),
('offers', 'status', 'bloxtr8.offer_status', true, '''PENDING''::bloxtr8.offer_status'),
('offers', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('offers', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
('offers', 'listing_id', 'text', true, NULL),
('offers', 'buyer_id', 'text', true, NULL),
('offers', 'seller_id', 'text', true, NULL),
('offers', 'parent_id', 'text', false, NULL),

('contract_templates', 'id', 'text', true, 'bloxtr8.cuid()'),
('contract_templates', 'version', 'text', true, NULL),
('contract_templates', 'name', 'text', true, NULL),
('contract_templates', 'terms', 'jsonb', true, NULL),
('contract_templates', 'is_active', 'boolean', true, 'true'),
('contract_templates', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('contract_templates', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
('contract_templates', 'deprecated_at', 'timestamp with time zone', false, NULL),

('contracts', 'id', 'text', true, 'bloxtr8.cuid()'),
('contracts', 'pdf_url', 'text', false, NULL),
('contracts', 'sha256', 'text', false, NULL),
('contracts', 'status', 'bloxtr8.contract_status', true, '''PENDING_SIGNATURE''::bloxtr8.contract_status'),
('contracts', 'roblox_asset_data', 'jsonb', false, NULL),
('contracts', 'template_version', 'text', true, '''1.0.0''::text'),
('contracts', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('contracts', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
('contracts', 'offer_id', 'text', true, NULL),

('signatures', 'id', 'text', true, 'bloxtr8.cuid()'),
('signatures', 'user_id', 'text', true, NULL),
('signatures', 'contract_id', 'text', true, NULL),
('signatures', 'signed_at', 'timestamp with time zone', true, 'common.now()'),
('signatures', 'ip_address', 'text', false, NULL),
('signatures', 'user_agent', 'text', false, NULL),
('signatures', 'signature_method', 'bloxtr8.signature_method', true, '''DISCORD_NATIVE''::bloxtr8.signature_method'),

('contract_sign_tokens', 'id', 'text', true, 'bloxtr8.cuid()'),
('contract_sign_tokens', 'token', 'text', true, NULL),
('contract_sign_tokens', 'contract_id', 'text', true, NULL),
('contract_sign_tokens', 'user_id', 'text', true, NULL),
('contract_sign_tokens', 'expires_at', 'timestamp with time zone', true, NULL),
('contract_sign_tokens', 'used_at', 'timestamp with time zone', false, NULL),
('contract_sign_tokens', 'created_at', 'timestamp with time zone', true, 'common.now()'),

('contract_execution_jobs', 'id', 'text', true, 'bloxtr8.cuid()'),
('contract_execution_jobs', 'contract_id', 'text', true, NULL),
('contract_execution_jobs', 'status', 'bloxtr8.job_status', true, '''PENDING''::bloxtr8.job_status'),
('contract_execution_jobs', 'attempts', 'integer', true, '0'),
('contract_execution_jobs', 'max_attempts', 'integer', true, '3'),
('contract_execution_jobs', 'last_error', 'text', false, NULL),
('contract_execution_jobs', 'next_retry_at', 'timestamp with time zone', false, NULL),
('contract_execution_jobs', 'processing_started_at', 'timestamp with time zone', false, NULL),
('contract_execution_jobs', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('contract_execution_jobs', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
('contract_execution_jobs', 'completed_at', 'timestamp with time zone', false, NULL),

('escrows', 'id', 'text', true, 'bloxtr8.cuid()'),
('escrows', 'rail', 'bloxtr8.escrow_rail', true, NULL),
('escrows', 'amount', 'integer', true, NULL),
('escrows', 'currency', 'bloxtr8.currency', true, '''USD''::bloxtr8.currency'),
('escrows', 'status', 'bloxtr8.escrow_status', true, '''AWAIT_FUNDS''::bloxtr8.escrow_status'),
('escrows', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('escrows', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
('escrows', 'offer_id', 'text', true, NULL),
('escrows', 'contract_id', 'text', true, NULL),

('stripe_escrows', 'id', 'text', true, 'bloxtr8.cuid()'),
('stripe_escrows', 'payment_intent_id', 'text', true, NULL),
('stripe_escrows', 'transfer_id', 'text', false, NULL),
('stripe_escrows', 'refund_id', 'text', false, NULL),
('stripe_escrows', 'escrow_id', 'text', true, NULL),

('stablecoin_escrows', 'id', 'text', true, 'bloxtr8.cuid()'),
('stablecoin_escrows', 'chain', 'text', true, '''BASE''::text'),
('stablecoin_escrows', 'deposit_addr', 'text', true, NULL),
('stablecoin_escrows', 'deposit_tx', 'text', false, NULL),
('stablecoin_escrows', 'release_tx', 'text', false, NULL),
('stablecoin_escrows', 'refund_tx', 'text', false, NULL),
('stablecoin_escrows', 'escrow_id', 'text', true, NULL),

('milestone_escrows', 'id', 'text', true, 'bloxtr8.cuid()'),
('milestone_escrows', 'escrow_id', 'text', true, NULL),
('milestone_escrows', 'title', 'text', true, NULL),
('milestone_escrows', 'amount', 'integer', true, NULL),
('milestone_escrows', 'released_at', 'timestamp with time zone', false, NULL),
('milestone_escrows', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('milestone_escrows', 'updated_at', 'timestamp with time zone', true, 'common.now()'),

('deliveries', 'id', 'text', true, 'bloxtr8.cuid()'),
('deliveries', 'status', 'bloxtr8.delivery_status', true, '''PENDING''::bloxtr8.delivery_status'),
('deliveries', 'notes', 'text', false, NULL),
('deliveries', 'delivered_at', 'timestamp with time zone', false, NULL),
('deliveries', 'confirmed_at', 'timestamp with time zone', false, NULL),
('deliveries', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('deliveries', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
('deliveries', 'listing_id', 'text', true, NULL),
('deliveries', 'offer_id', 'text', true, NULL),
('deliveries', 'contract_id', 'text', true, NULL),
('deliveries', 'escrow_id', 'text', true, NULL),
('deliveries', 'user_id', 'text', true, NULL),

('disputes', 'id', 'text', true, 'bloxtr8.cuid()'),
('disputes', 'status', 'bloxtr8.dispute_status', true, '''OPEN''::bloxtr8.dispute_status'),
('disputes', 'reason', 'text', true, NULL),
('disputes', 'resolution', 'text', false, NULL),
('disputes', 'resolved_at', 'timestamp with time zone', false, NULL),
('disputes', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('disputes', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
('disputes', 'escrow_id', 'text', true, NULL),
('disputes', 'user_id', 'text', true, NULL),

('asset_verifications', 'id', 'text', true, 'bloxtr8.cuid()'),
('asset_verifications', 'user_id', 'text', true, NULL),
('asset_verifications', 'game_id', 'text', true, NULL),
('asset_verifications', 'verification_status', 'bloxtr8.verification_status', true, '''PENDING''::bloxtr8.verification_status'),
('asset_verifications', 'verification_method', 'bloxtr8.verification_method', true, NULL),
('asset_verifications', 'ownership_type', 'bloxtr8.game_ownership_type', true, '''OWNER''::bloxtr8.game_ownership_type'),
('asset_verifications', 'verified_at', 'timestamp with time zone', false, NULL),
('asset_verifications', 'expires_at', 'timestamp with time zone', false, NULL),
('asset_verifications', 'metadata', 'jsonb', false, NULL),
('asset_verifications', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('asset_verifications', 'updated_at', 'timestamp with time zone', true, 'common.now()'),

('roblox_snapshots', 'id', 'text', true, 'bloxtr8.cuid()'),
('roblox_snapshots', 'game_id', 'text', true, NULL),
('roblox_snapshots', 'game_name', 'text', true, NULL),
('roblox_snapshots', 'game_description', 'text', false, NULL),
('roblox_snapshots', 'thumbnail_url', 'text', false, NULL),
('roblox_snapshots', 'player_count', 'integer', false, NULL),
('roblox_snapshots', 'visits', 'bigint', false, NULL),
('roblox_snapshots', 'created_date', 'timestamp with time zone', false, NULL),
('roblox_snapshots', 'verified_ownership', 'boolean', true, 'false'),
('roblox_snapshots', 'ownership_type', 'bloxtr8.game_ownership_type', true, '''OWNER''::bloxtr8.game_ownership_type'),
('roblox_snapshots', 'verification_date', 'timestamp with time zone', false, NULL),
('roblox_snapshots', 'metadata', 'jsonb', false, NULL),
('roblox_snapshots', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('roblox_snapshots', 'listing_id', 'text', false, NULL),

('audit_logs', 'id', 'text', true, 'bloxtr8.cuid()'),
('audit_logs', 'action', 'text', true, NULL),
('audit_logs', 'details', 'jsonb', false, NULL),
('audit_logs', 'created_at', 'timestamp with time zone', true, 'common.now()'),
('audit_logs', 'user_id', 'text', false, NULL),
('audit_logs', 'escrow_id', 'text', false, NULL);

SELECT set_eq(
    format(
        $$SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
          FROM pg_attribute AS a LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = 'bloxtr8.%I'::regclass AND a.attnum > 0 AND NOT a.attisdropped$$,
        t.tbl
    ),
    format('SELECT col, typ, not_null, dflt FROM col_spec WHERE tbl = %L', t.tbl),
    format('bloxtr8.%s: every column with its type, NULL-ness and default', t.tbl)
)
FROM (SELECT DISTINCT tbl FROM col_spec) AS t
ORDER BY t.tbl;

-- Indexes: (table, index, definition after USING).
CREATE TEMP TABLE idx_spec (tbl name, idx name, def text) ON COMMIT DROP;
INSERT INTO idx_spec VALUES
('users', 'users_email_key', 'USING btree (email)'),
('users', 'users_pkey', 'USING btree (id)'),
('users', 'users_wallet_address_idx', 'USING btree (wallet_address)'),

('accounts', 'accounts_pkey', 'USING btree (id)'),
('accounts', 'accounts_provider_id_account_id_key', 'USING btree (provider_id, account_id)'),
('accounts', 'accounts_user_id_idx', 'USING btree (user_id)'),

('sessions', 'sessions_expires_at_idx', 'USING btree (expires_at)'),
('sessions', 'sessions_pkey', 'USING btree (id)'),
('sessions', 'sessions_token_key', 'USING btree (token)'),
('sessions', 'sessions_user_id_idx', 'USING btree (user_id)'),

('guilds', 'guilds_discord_id_key', 'USING btree (discord_id)'),
('guilds', 'guilds_pkey', 'USING btree (id)'),

('guild_members', 'guild_members_guild_id_user_id_key', 'USING btree (guild_id, user_id)'),
('guild_members', 'guild_members_pkey', 'USING btree (id)'),
('guild_members', 'guild_members_user_id_idx', 'USING btree (user_id)'),

('listings', 'listings_category_created_at_id_active_idx', 'USING btree (category, created_at DESC, id) WHERE (status = ''ACTIVE''::bloxtr8.listing_status)'),
('listings', 'listings_category_idx', 'USING btree (category)'),
('listings', 'listings_created_at_id_active_idx', 'USING btree (created_at DESC, id) WHERE (status = ''ACTIVE''::bloxtr8.listing_status)'),
('listings', 'listings_guild_id_idx', 'USING btree (guild_id)'),
('listings', 'listings_id_user_id_key', 'USING btree (id, user_id)'),
('listings', 'listings_pkey', 'USING btree (id)'),
('listings', 'listings_status_idx', 'USING btree (status)'),
('listings', 'listings_user_id_idx', 'USING btree (user_id)'),

('offers', 'offers_buyer_id_idx', 'USING btree (buyer_id)'),
('offers', 'offers_expiry_idx', 'USING btree (expiry)'),
('offers', 'offers_listing_id_seller_id_idx', 'USING btree (listing_id, seller_id)'),
('offers', 'offers_parent_id_key', 'USING btree (parent_id)'),
('offers', 'offers_pkey', 'USING btree (id)'),
('offers', 'offers_seller_id_idx', 'USING btree (seller_id)'),
('offers', 'offers_status_idx', 'USING btree (status)'),

('contract_templates', 'contract_templates_is_active_key', 'USING btree (is_active) WHERE is_active'),
('contract_templates', 'contract_templates_pkey', 'USING btree (id)'),
('contract_templates', 'contract_templates_version_key', 'USING btree (version)'),

('contracts', 'contracts_id_offer_id_key', 'USING btree (id, offer_id)'),
('contracts', 'contracts_offer_id_key', 'USING btree (offer_id)'),
('contracts', 'contracts_pkey', 'USING btree (id)'),
('contracts', 'contracts_status_idx', 'USING btree (status)'),
('contracts', 'contracts_template_version_idx', 'USING btree (template_version)'),

('signatures', 'signatures_contract_id_idx', 'USING btree (contract_id)'),
('signatures', 'signatures_pkey', 'USING btree (id)'),
('signatures', 'signatures_user_id_contract_id_key', 'USING btree (user_id, contract_id)'),

('contract_sign_tokens', 'contract_sign_tokens_contract_id_idx', 'USING btree (contract_id)'),
('contract_sign_tokens', 'contract_sign_tokens_expires_at_idx', 'USING btree (expires_at)'),
('contract_sign_tokens', 'contract_sign_tokens_pkey', 'USING btree (id)'),
('contract_sign_tokens', 'contract_sign_tokens_token_key', 'USING btree (token)'),
('contract_sign_tokens', 'contract_sign_tokens_user_id_idx', 'USING btree (user_id)'),

('contract_execution_jobs', 'contract_execution_jobs_contract_id_key', 'USING btree (contract_id)'),
('contract_execution_jobs', 'contract_execution_jobs_pkey', 'USING btree (id)'),
('contract_execution_jobs', 'contract_execution_jobs_status_next_retry_at_idx', 'USING btree (status, next_retry_at)'),

('escrows', 'escrows_contract_id_key', 'USING btree (contract_id) WHERE (status <> ''CANCELLED''::bloxtr8.escrow_status)'),
('escrows', 'escrows_contract_id_offer_id_idx', 'USING btree (contract_id, offer_id)'),
('escrows', 'escrows_offer_id_idx', 'USING btree (offer_id)'),
('escrows', 'escrows_pkey', 'USING btree (id)'),
('escrows', 'escrows_rail_idx', 'USING btree (rail)'),
('escrows', 'escrows_status_idx', 'USING btree (status)'),

('stripe_escrows', 'stripe_escrows_escrow_id_key', 'USING btree (escrow_id)'),
('stripe_escrows', 'stripe_escrows_payment_intent_id_key', 'USING btree (payment_intent_id)'),
('stripe_escrows', 'stripe_escrows_pkey', 'USING btree (id)'),

('stablecoin_escrows', 'stablecoin_escrows_deposit_addr_key', 'USING btree (deposit_addr)'),
('stablecoin_escrows', 'stablecoin_escrows_deposit_tx_key', 'USING btree (deposit_tx)'),
('stablecoin_escrows', 'stablecoin_escrows_escrow_id_key', 'USING btree (escrow_id)'),
('stablecoin_escrows', 'stablecoin_escrows_pkey', 'USING btree (id)'),

('milestone_escrows', 'milestone_escrows_escrow_id_idx', 'USING btree (escrow_id)'),
('milestone_escrows', 'milestone_escrows_pkey', 'USING btree (id)'),

('deliveries', 'deliveries_contract_id_idx', 'USING btree (contract_id)'),
('deliveries', 'deliveries_escrow_id_key', 'USING btree (escrow_id)'),
('deliveries', 'deliveries_listing_id_idx', 'USING btree (listing_id)'),
('deliveries', 'deliveries_offer_id_idx', 'USING btree (offer_id)'),
('deliveries', 'deliveries_pkey', 'USING btree (id)'),
('deliveries', 'deliveries_user_id_idx', 'USING btree (user_id)'),

('disputes', 'disputes_escrow_id_key', 'USING btree (escrow_id)'),
('disputes', 'disputes_pkey', 'USING btree (id)'),
('disputes', 'disputes_user_id_idx', 'USING btree (user_id)'),

('asset_verifications', 'asset_verifications_game_id_idx', 'USING btree (game_id)'),
('asset_verifications', 'asset_verifications_pkey', 'USING btree (id)'),
('asset_verifications', 'asset_verifications_user_id_game_id_key', 'USING btree (user_id, game_id)'),
('asset_verifications', 'asset_verifications_verification_status_idx', 'USING btree (verification_status)'),

('roblox_snapshots', 'roblox_snapshots_game_id_created_at_id_idx', 'USING btree (game_id, created_at DESC, id)'),
('roblox_snapshots', 'roblox_snapshots_listing_id_created_at_id_idx', 'USING btree (listing_id, created_at DESC, id)'),
('roblox_snapshots', 'roblox_snapshots_pkey', 'USING btree (id)'),
('roblox_snapshots', 'roblox_snapshots_verified_ownership_idx', 'USING btree (verified_ownership)'),

('audit_logs', 'audit_logs_action_idx', 'USING btree (action)'),
('audit_logs', 'audit_logs_created_at_idx', 'USING btree (created_at)'),
('audit_logs', 'audit_logs_escrow_id_idx', 'USING btree (escrow_id)'),
('audit_logs', 'audit_logs_pkey', 'USING btree (id)'),
('audit_logs', 'audit_logs_user_id_created_at_id_idx', 'USING btree (user_id, created_at DESC, id)');

SELECT set_eq(
    format(
        $$SELECT i.relname, regexp_replace(pg_get_indexdef(i.oid), '^.* USING ', 'USING ')
          FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid
          WHERE x.indrelid = 'bloxtr8.%I'::regclass$$,
        t.tbl
    ),
    format('SELECT idx, def FROM idx_spec WHERE tbl = %L', t.tbl),
    format('bloxtr8.%s: every index (the seed''s, those behind keys and uniques, the list and partial ones)', t.tbl)
)
FROM (SELECT DISTINCT tbl FROM idx_spec) AS t
ORDER BY t.tbl;

-- Constraints: (table, name, kind: p primary key, u unique, f foreign key, c check).
CREATE TEMP TABLE con_spec (tbl name, con name, kind text) ON COMMIT DROP;
INSERT INTO con_spec VALUES
('users', 'users_email_check', 'c'),
('users', 'users_kyc_verified_check', 'c'),
('users', 'users_wallet_address_check', 'c'),
('users', 'users_wallet_risk_check', 'c'),
('users', 'users_pkey', 'p'),
('users', 'users_email_key', 'u'),

('accounts', 'accounts_account_id_check', 'c'),
('accounts', 'accounts_id_check', 'c'),
('accounts', 'accounts_password_check', 'c'),
('accounts', 'accounts_provider_id_check', 'c'),
('accounts', 'accounts_user_id_fkey', 'f'),
('accounts', 'accounts_pkey', 'p'),
('accounts', 'accounts_provider_id_account_id_key', 'u'),

('sessions', 'sessions_expires_at_check', 'c'),
('sessions', 'sessions_id_check', 'c'),
('sessions', 'sessions_token_check', 'c'),
('sessions', 'sessions_user_id_fkey', 'f'),
('sessions', 'sessions_pkey', 'p'),
('sessions', 'sessions_token_key', 'u'),

('guilds', 'guilds_discord_id_check', 'c'),
('guilds', 'guilds_name_check', 'c'),
('guilds', 'guilds_pkey', 'p'),
('guilds', 'guilds_discord_id_key', 'u'),

('guild_members', 'guild_members_guild_id_fkey', 'f'),
('guild_members', 'guild_members_user_id_fkey', 'f'),
('guild_members', 'guild_members_pkey', 'p'),
('guild_members', 'guild_members_guild_id_user_id_key', 'u'),

('listings', 'listings_category_check', 'c'),
('listings', 'listings_price_check', 'c'),
('listings', 'listings_title_check', 'c'),
('listings', 'listings_guild_id_fkey', 'f'),
('listings', 'listings_user_id_fkey', 'f'),
('listings', 'listings_pkey', 'p'),
('listings', 'listings_id_user_id_key', 'u'),

('offers', 'offers_amount_check', 'c'),
('offers', 'offers_buyer_id_seller_id_check', 'c'),
('offers', 'offers_expiry_check', 'c'),
('offers', 'offers_parent_id_check', 'c'),
('offers', 'offers_buyer_id_fkey', 'f'),
('offers', 'offers_listing_id_seller_id_fkey', 'f'),
('offers', 'offers_parent_id_fkey', 'f'),
('offers', 'offers_seller_id_fkey', 'f'),
('offers', 'offers_pkey', 'p'),
('offers', 'offers_parent_id_key', 'u'),

('contract_templates', 'contract_templates_deprecated_at_check', 'c'),
('contract_templates', 'contract_templates_name_check', 'c'),
('contract_templates', 'contract_templates_terms_check', 'c'),
('contract_templates', 'contract_templates_version_check', 'c'),
('contract_templates', 'contract_templates_pkey', 'p'),
('contract_templates', 'contract_templates_version_key', 'u'),

('contracts', 'contracts_pdf_check', 'c'),
('contracts', 'contracts_pdf_url_check', 'c'),
('contracts', 'contracts_sha256_check', 'c'),
('contracts', 'contracts_offer_id_fkey', 'f'),
('contracts', 'contracts_template_version_fkey', 'f'),
('contracts', 'contracts_pkey', 'p'),
('contracts', 'contracts_id_offer_id_key', 'u'),
('contracts', 'contracts_offer_id_key', 'u'),

('signatures', 'signatures_contract_id_fkey', 'f'),
('signatures', 'signatures_user_id_fkey', 'f'),
('signatures', 'signatures_pkey', 'p'),
('signatures', 'signatures_user_id_contract_id_key', 'u'),

('contract_sign_tokens', 'contract_sign_tokens_expires_at_check', 'c'),
('contract_sign_tokens', 'contract_sign_tokens_token_check', 'c'),
('contract_sign_tokens', 'contract_sign_tokens_used_at_check', 'c'),
('contract_sign_tokens', 'contract_sign_tokens_contract_id_fkey', 'f'),
('contract_sign_tokens', 'contract_sign_tokens_user_id_fkey', 'f'),
('contract_sign_tokens', 'contract_sign_tokens_pkey', 'p'),
('contract_sign_tokens', 'contract_sign_tokens_token_key', 'u'),

('contract_execution_jobs', 'contract_execution_jobs_attempts_check', 'c'),
('contract_execution_jobs', 'contract_execution_jobs_completed_at_check', 'c'),
('contract_execution_jobs', 'contract_execution_jobs_failed_check', 'c'),
('contract_execution_jobs', 'contract_execution_jobs_lease_check', 'c'),
('contract_execution_jobs', 'contract_execution_jobs_max_attempts_check', 'c'),
('contract_execution_jobs', 'contract_execution_jobs_next_retry_at_check', 'c'),
('contract_execution_jobs', 'contract_execution_jobs_pending_check', 'c'),
('contract_execution_jobs', 'contract_execution_jobs_processing_check', 'c'),
('contract_execution_jobs', 'contract_execution_jobs_contract_id_fkey', 'f'),
('contract_execution_jobs', 'contract_execution_jobs_pkey', 'p'),
('contract_execution_jobs', 'contract_execution_jobs_contract_id_key', 'u'),

('escrows', 'escrows_amount_check', 'c'),
('escrows', 'escrows_rail_check', 'c'),
('escrows', 'escrows_contract_id_offer_id_fkey', 'f'),
('escrows', 'escrows_offer_id_fkey', 'f'),
('escrows', 'escrows_pkey', 'p'),
('escrows', 'escrows_rail_detail', 't'),

('stripe_escrows', 'stripe_escrows_payment_intent_id_check', 'c'),
('stripe_escrows', 'stripe_escrows_refund_id_check', 'c'),
('stripe_escrows', 'stripe_escrows_settlement_check', 'c'),
('stripe_escrows', 'stripe_escrows_transfer_id_check', 'c'),
('stripe_escrows', 'stripe_escrows_escrow_id_fkey', 'f'),
('stripe_escrows', 'stripe_escrows_pkey', 'p'),
('stripe_escrows', 'stripe_escrows_rail_detail', 't'),
('stripe_escrows', 'stripe_escrows_escrow_id_key', 'u'),
('stripe_escrows', 'stripe_escrows_payment_intent_id_key', 'u'),

('stablecoin_escrows', 'stablecoin_escrows_chain_check', 'c'),
('stablecoin_escrows', 'stablecoin_escrows_deposit_addr_check', 'c'),
('stablecoin_escrows', 'stablecoin_escrows_deposit_check', 'c'),
('stablecoin_escrows', 'stablecoin_escrows_deposit_tx_check', 'c'),
('stablecoin_escrows', 'stablecoin_escrows_refund_tx_check', 'c'),
('stablecoin_escrows', 'stablecoin_escrows_release_tx_check', 'c'),
('stablecoin_escrows', 'stablecoin_escrows_settlement_check', 'c'),
('stablecoin_escrows', 'stablecoin_escrows_escrow_id_fkey', 'f'),
('stablecoin_escrows', 'stablecoin_escrows_pkey', 'p'),
('stablecoin_escrows', 'stablecoin_escrows_rail_detail', 't'),
('stablecoin_escrows', 'stablecoin_escrows_deposit_addr_key', 'u'),
('stablecoin_escrows', 'stablecoin_escrows_deposit_tx_key', 'u'),
('stablecoin_escrows', 'stablecoin_escrows_escrow_id_key', 'u'),

('milestone_escrows', 'milestone_escrows_amount_check', 'c'),
('milestone_escrows', 'milestone_escrows_released_at_check', 'c'),
('milestone_escrows', 'milestone_escrows_title_check', 'c'),
('milestone_escrows', 'milestone_escrows_escrow_id_fkey', 'f'),
('milestone_escrows', 'milestone_escrows_pkey', 'p'),

('deliveries', 'deliveries_confirmed_at_check', 'c'),
('deliveries', 'deliveries_delivered_at_check', 'c'),
('deliveries', 'deliveries_contract_id_fkey', 'f'),
('deliveries', 'deliveries_escrow_id_fkey', 'f'),
('deliveries', 'deliveries_listing_id_fkey', 'f'),
('deliveries', 'deliveries_offer_id_fkey', 'f'),
('deliveries', 'deliveries_user_id_fkey', 'f'),
('deliveries', 'deliveries_pkey', 'p'),
('deliveries', 'deliveries_escrow_id_key', 'u'),

('disputes', 'disputes_reason_check', 'c'),
('disputes', 'disputes_resolved_at_check', 'c'),
('disputes', 'disputes_escrow_id_fkey', 'f'),
('disputes', 'disputes_user_id_fkey', 'f'),
('disputes', 'disputes_pkey', 'p'),
('disputes', 'disputes_escrow_id_key', 'u'),

('asset_verifications', 'asset_verifications_expires_at_check', 'c'),
('asset_verifications', 'asset_verifications_game_id_check', 'c'),
('asset_verifications', 'asset_verifications_verified_at_check', 'c'),
('asset_verifications', 'asset_verifications_user_id_fkey', 'f'),
('asset_verifications', 'asset_verifications_pkey', 'p'),
('asset_verifications', 'asset_verifications_user_id_game_id_key', 'u'),

('roblox_snapshots', 'roblox_snapshots_game_id_check', 'c'),
('roblox_snapshots', 'roblox_snapshots_game_name_check', 'c'),
('roblox_snapshots', 'roblox_snapshots_player_count_check', 'c'),
('roblox_snapshots', 'roblox_snapshots_verification_date_check', 'c'),
('roblox_snapshots', 'roblox_snapshots_visits_check', 'c'),
('roblox_snapshots', 'roblox_snapshots_listing_id_fkey', 'f'),
('roblox_snapshots', 'roblox_snapshots_pkey', 'p'),

('audit_logs', 'audit_logs_action_check', 'c'),
('audit_logs', 'audit_logs_escrow_id_fkey', 'f'),
('audit_logs', 'audit_logs_user_id_fkey', 'f'),
('audit_logs', 'audit_logs_pkey', 'p');

SELECT set_eq(
    format($$SELECT k.conname, k.contype::text FROM pg_constraint AS k WHERE k.conrelid = 'bloxtr8.%I'::regclass$$, t.tbl),
    format('SELECT con, kind FROM con_spec WHERE tbl = %L', t.tbl),
    format('bloxtr8.%s: every constraint by name and kind (their rules: 02_constraints.sql)', t.tbl)
)
FROM (SELECT DISTINCT tbl FROM con_spec) AS t
ORDER BY t.tbl;

-- Triggers: the declared rules' (state machines, immutable columns, append-only), updated_at, and the table's own.
CREATE TEMP TABLE trg_spec (tbl name, triggers name[]) ON COMMIT DROP;
INSERT INTO trg_spec VALUES
('users', '{users_immutable_columns, users_updated_at}'),
('accounts', '{accounts_immutable_columns, accounts_updated_at}'),
('sessions', '{sessions_immutable_columns, sessions_updated_at}'),
('guilds', '{guilds_immutable_columns, guilds_updated_at}'),
('guild_members', '{guild_members_immutable_columns}'),
('listings', '{listings_immutable_columns, listings_initial_status, listings_status_transition, listings_updated_at}'),
('offers', '{offers_immutable_columns, offers_initial_status, offers_status_transition, offers_updated_at}'),
('contract_templates', '{contract_templates_immutable_columns, contract_templates_updated_at}'),
('contracts', '{contracts_immutable_columns, contracts_initial_status, contracts_offer_accepted, contracts_status_transition, contracts_updated_at}'),
('signatures', '{signatures_append_only, signatures_append_only_truncate}'),
('contract_sign_tokens', '{contract_sign_tokens_immutable_columns}'),
('contract_execution_jobs', '{contract_execution_jobs_attempts_monotonic, contract_execution_jobs_immutable_columns, contract_execution_jobs_initial_status, contract_execution_jobs_status_transition, contract_execution_jobs_updated_at}'),
('escrows', '{escrows_immutable_columns, escrows_initial_status, escrows_rail_detail, escrows_status_transition, escrows_updated_at}'),
('stripe_escrows', '{stripe_escrows_immutable_columns, stripe_escrows_rail_detail}'),
('stablecoin_escrows', '{stablecoin_escrows_immutable_columns, stablecoin_escrows_rail_detail}'),
('milestone_escrows', '{milestone_escrows_immutable_columns, milestone_escrows_updated_at}'),
('deliveries', '{deliveries_immutable_columns, deliveries_initial_status, deliveries_status_transition, deliveries_updated_at}'),
('disputes', '{disputes_immutable_columns, disputes_initial_status, disputes_status_transition, disputes_updated_at}'),
('asset_verifications', '{asset_verifications_immutable_columns, asset_verifications_initial_status, asset_verifications_status_transition, asset_verifications_updated_at}'),
('roblox_snapshots', '{roblox_snapshots_append_only, roblox_snapshots_append_only_truncate}'),
('audit_logs', '{audit_logs_append_only, audit_logs_append_only_truncate}');

SELECT set_eq(
    format(
        $$SELECT g.tgname FROM pg_trigger AS g WHERE g.tgrelid = 'bloxtr8.%I'::regclass AND NOT g.tgisinternal$$,
        t.tbl
    ),
    format('SELECT unnest(triggers) FROM trg_spec WHERE tbl = %L', t.tbl),
    format('bloxtr8.%s: exactly its triggers', t.tbl)
)
FROM trg_spec AS t
ORDER BY t.tbl;

SELECT functions_are(
    'bloxtr8',
    ARRAY[
        'accept_offer', 'add_escrow_milestone', 'attach_contract_pdf', 'cancel_escrow',
        'claim_execution_jobs', 'complete_asset_verification', 'complete_execution_job', 'counter_offer',
        'create_contract', 'create_escrow', 'create_listing', 'create_roblox_snapshot', 'cuid', 'decline_offer',
        'delete_expired_sign_tokens', 'deliver_escrow', 'dispute_escrow', 'execution_backoff',
        'expire_asset_verifications', 'expire_offers', 'fail_execution_job', 'finish_execution_job_refused',
        'fund_escrow', 'issue_sign_token', 'listing_has_open_deal', 'lock_active_listing', 'lock_escrow',
        'lock_pending_offer', 'make_offer', 'offer_proposer_id', 'publish_contract_template',
        'rail_detail_refused', 'record_signature', 'recover_execution_jobs', 'refund_escrow', 'release_escrow',
        'release_escrow_milestone', 'require_escrow_party', 'require_user', 'retry_contract_execution',
        'semver_key', 'set_listing_status', 'set_user_kyc', 'set_user_wallet', 'set_user_wallet_risk',
        'settle_escrow_rail', 'sign_contract', 'sign_contract_with_token', 'signable_contract',
        'start_asset_verification', 'tg_contract_execution_jobs__attempts_monotonic',
        'tg_contracts__offer_accepted', 'tg_escrows__rail_detail', 'void_contract'
    ],
    'bloxtr8 has exactly its rule functions, their helpers and its trigger functions'
);

SELECT is(
    (
        SELECT count(*)::integer FROM pg_proc AS p
        WHERE p.pronamespace = 'bloxtr8'::regnamespace AND p.prosecdef
          AND NOT p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp']
    ),
    0,
    'every SECURITY DEFINER function of bloxtr8 pins its search_path'
);

SELECT * FROM finish();
ROLLBACK;
