-- game_market: every object of the schema, exactly (tables, columns with types, NULL-ness and defaults,
-- enums and their labels, constraints, foreign keys and their ON DELETE, indexes, triggers, functions).
-- Their behaviour is tested in the files after this one; their comments in tests/python/test_conventions.py.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(19);

SELECT has_schema('game_market', 'schema game_market exists');

-- (the monthly partitions of download_events are its own, not tables of the schema)
SELECT set_eq(
    $$SELECT c.relname::text FROM pg_class AS c
      WHERE c.relnamespace = 'game_market'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition$$,
    ARRAY[
        'users', 'developer_profiles', 'games', 'releases', 'build_assets', 'purchases', 'entitlements',
        'download_events', 'ledger_entries', 'payouts', 'fee_rates', 'ip_hash_salt'
    ],
    'game_market has the seed''s 10 tables, the fee rates and the salt of the IP hashes'
);

SELECT enums_are(
    'game_market', ARRAY['game_status', 'purchase_status', 'payout_status', 'ledger_entry_type'],
    'the seed''s open value sets are four enums'
);
SELECT enum_has_labels(
    'game_market', 'game_status', ARRAY['draft', 'published', 'unlisted'], 'game_status labels, in order'
);
SELECT enum_has_labels(
    'game_market', 'purchase_status', ARRAY['pending', 'paid', 'expired', 'refunded'], 'purchase_status labels, in order'
);
SELECT enum_has_labels(
    'game_market', 'payout_status', ARRAY['pending', 'sending', 'completed', 'failed', 'cancelled'],
    'payout_status labels, in order'
);
SELECT enum_has_labels(
    'game_market', 'ledger_entry_type',
    ARRAY['sale', 'platform_fee', 'developer_share', 'refund', 'platform_fee_refund', 'developer_share_refund'],
    'ledger_entry_type labels, in order'
);

SELECT set_eq(
    $$SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
             coalesce(pg_get_expr(d.adbin, d.adrelid), '')
      FROM pg_class AS c
      INNER JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef AS d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE c.relnamespace = 'game_market'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition$$,
    $$VALUES
        ('build_assets', 'id', 'uuid', true, 'gen_random_uuid()'),
        ('build_assets', 'release_id', 'uuid', true, ''),
        ('build_assets', 'object_key', 'text', true, ''),
        ('build_assets', 'sha256', 'text', true, ''),
        ('build_assets', 'size_bytes', 'bigint', true, ''),
        ('build_assets', 'content_type', 'text', true, ''),
        ('build_assets', 'created_at', 'timestamp with time zone', true, 'common.now()'),
        ('developer_profiles', 'user_id', 'uuid', true, ''),
        ('developer_profiles', 'payout_ln_address', 'text', true, ''),
        ('developer_profiles', 'created_at', 'timestamp with time zone', true, 'common.now()'),
        ('developer_profiles', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
        ('download_events', 'id', 'uuid', true, 'gen_random_uuid()'),
        ('download_events', 'entitlement_id', 'uuid', true, ''),
        ('download_events', 'release_id', 'uuid', true, ''),
        ('download_events', 'ip_hash', 'text', true, ''),
        ('download_events', 'user_agent', 'text', false, ''),
        ('download_events', 'created_at', 'timestamp with time zone', true, 'common.now()'),
        ('entitlements', 'id', 'uuid', true, 'gen_random_uuid()'),
        ('entitlements', 'purchase_id', 'uuid', true, ''),
        ('entitlements', 'buyer_user_id', 'uuid', false, ''),
        ('entitlements', 'guest_receipt_code', 'text', false, ''),
        ('entitlements', 'game_id', 'uuid', true, ''),
        ('entitlements', 'granted_at', 'timestamp with time zone', true, 'common.now()'),
        ('entitlements', 'revoked_at', 'timestamp with time zone', false, ''),
        ('fee_rates', 'id', 'uuid', true, 'gen_random_uuid()'),
        ('fee_rates', 'game_id', 'uuid', false, ''),
        ('fee_rates', 'fee_bps', 'integer', true, ''),
        ('fee_rates', 'created_at', 'timestamp with time zone', true, 'common.now()'),
        ('fee_rates', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
        ('games', 'id', 'uuid', true, 'gen_random_uuid()'),
        ('games', 'developer_user_id', 'uuid', true, ''),
        ('games', 'slug', 'text', true, ''),
        ('games', 'title', 'text', true, ''),
        ('games', 'summary', 'text', false, ''),
        ('games', 'description_md', 'text', false, ''),
        ('games', 'status', 'game_market.game_status', true, '''draft''::game_market.game_status'),
        ('games', 'created_at', 'timestamp with time zone', true, 'common.now()'),
        ('games', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
        ('ip_hash_salt', 'id', 'boolean', true, 'true'),
        ('ip_hash_salt', 'salt', 'bytea', true, ''),
        ('ip_hash_salt', 'rotated_at', 'timestamp with time zone', true, 'common.now()'),
        ('ledger_entries', 'id', 'uuid', true, 'gen_random_uuid()'),
        ('ledger_entries', 'purchase_id', 'uuid', true, ''),
        ('ledger_entries', 'type', 'game_market.ledger_entry_type', true, ''),
        ('ledger_entries', 'amount_msat', 'bigint', true, ''),
        ('ledger_entries', 'meta_json', 'jsonb', true, '''{}''::jsonb'),
        ('ledger_entries', 'created_at', 'timestamp with time zone', true, 'common.now()'),
        ('payouts', 'id', 'uuid', true, 'gen_random_uuid()'),
        ('payouts', 'purchase_id', 'uuid', true, ''),
        ('payouts', 'developer_user_id', 'uuid', true, ''),
        ('payouts', 'destination_ln_address', 'text', true, ''),
        ('payouts', 'amount_msat', 'bigint', true, ''),
        ('payouts', 'status', 'game_market.payout_status', true, '''pending''::game_market.payout_status'),
        ('payouts', 'attempt_count', 'integer', true, '0'),
        ('payouts', 'last_error', 'text', false, ''),
        ('payouts', 'idempotency_key', 'text', true, ''),
        ('payouts', 'created_at', 'timestamp with time zone', true, 'common.now()'),
        ('payouts', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
        ('purchases', 'id', 'uuid', true, 'gen_random_uuid()'),
        ('purchases', 'buyer_user_id', 'uuid', false, ''),
        ('purchases', 'guest_receipt_code', 'text', false, ''),
        ('purchases', 'game_id', 'uuid', true, ''),
        ('purchases', 'invoice_provider', 'text', true, ''),
        ('purchases', 'invoice_id', 'text', true, ''),
        ('purchases', 'status', 'game_market.purchase_status', true, '''pending''::game_market.purchase_status'),
        ('purchases', 'amount_msat', 'bigint', true, ''),
        ('purchases', 'paid_at', 'timestamp with time zone', false, ''),
        ('purchases', 'created_at', 'timestamp with time zone', true, 'common.now()'),
        ('purchases', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
        ('releases', 'id', 'uuid', true, 'gen_random_uuid()'),
        ('releases', 'game_id', 'uuid', true, ''),
        ('releases', 'version', 'text', true, ''),
        ('releases', 'release_notes_md', 'text', false, ''),
        ('releases', 'published_at', 'timestamp with time zone', false, ''),
        ('releases', 'created_at', 'timestamp with time zone', true, 'common.now()'),
        ('releases', 'updated_at', 'timestamp with time zone', true, 'common.now()'),
        ('users', 'id', 'uuid', true, 'gen_random_uuid()'),
        ('users', 'pubkey', 'text', true, ''),
        ('users', 'display_name', 'text', false, ''),
        ('users', 'avatar_url', 'text', false, ''),
        ('users', 'created_at', 'timestamp with time zone', true, 'common.now()'),
        ('users', 'updated_at', 'timestamp with time zone', true, 'common.now()')
    $$,
    'every column: the seed''s names, uuid ids, msat as bigint, timestamptz, NULL-ness and defaults'
);

SELECT set_eq(
    $$SELECT conrelid::regclass::text, conname::text, contype::text
      FROM pg_constraint AS k WHERE connamespace = 'game_market'::regnamespace
        AND NOT (SELECT c.relispartition FROM pg_class AS c WHERE c.oid = k.conrelid)$$,
    $$VALUES
        ('game_market.build_assets', 'build_assets_content_type_check', 'c'),
        ('game_market.build_assets', 'build_assets_object_key_check', 'c'),
        ('game_market.build_assets', 'build_assets_pkey', 'p'),
        ('game_market.build_assets', 'build_assets_release_id_fkey', 'f'),
        ('game_market.build_assets', 'build_assets_release_id_key', 'u'),
        ('game_market.build_assets', 'build_assets_sha256_check', 'c'),
        ('game_market.build_assets', 'build_assets_size_bytes_check', 'c'),
        ('game_market.developer_profiles', 'developer_profiles_payout_ln_address_check', 'c'),
        ('game_market.developer_profiles', 'developer_profiles_pkey', 'p'),
        ('game_market.developer_profiles', 'developer_profiles_user_id_fkey', 'f'),
        ('game_market.download_events', 'download_events_entitlement_id_fkey', 'f'),
        ('game_market.download_events', 'download_events_ip_hash_check', 'c'),
        ('game_market.download_events', 'download_events_pkey', 'p'),
        ('game_market.download_events', 'download_events_release_id_fkey', 'f'),
        ('game_market.download_events', 'download_events_user_agent_check', 'c'),
        ('game_market.entitlements', 'entitlements_buyer_check', 'c'),
        ('game_market.entitlements', 'entitlements_buyer_user_id_fkey', 'f'),
        ('game_market.entitlements', 'entitlements_game_id_fkey', 'f'),
        ('game_market.entitlements', 'entitlements_guest_receipt_code_key', 'u'),
        ('game_market.entitlements', 'entitlements_pkey', 'p'),
        ('game_market.entitlements', 'entitlements_purchase_id_fkey', 'f'),
        ('game_market.entitlements', 'entitlements_purchase_id_key', 'u'),
        ('game_market.entitlements', 'entitlements_revoked_at_check', 'c'),
        ('game_market.fee_rates', 'fee_rates_fee_bps_check', 'c'),
        ('game_market.fee_rates', 'fee_rates_game_id_fkey', 'f'),
        ('game_market.fee_rates', 'fee_rates_game_id_key', 'u'),
        ('game_market.fee_rates', 'fee_rates_pkey', 'p'),
        ('game_market.games', 'games_developer_profile_fkey', 'f'),
        ('game_market.games', 'games_developer_user_id_fkey', 'f'),
        ('game_market.games', 'games_pkey', 'p'),
        ('game_market.games', 'games_slug_check', 'c'),
        ('game_market.games', 'games_slug_key', 'u'),
        ('game_market.games', 'games_summary_check', 'c'),
        ('game_market.games', 'games_title_check', 'c'),
        ('game_market.ip_hash_salt', 'ip_hash_salt_id_check', 'c'),
        ('game_market.ip_hash_salt', 'ip_hash_salt_pkey', 'p'),
        ('game_market.ip_hash_salt', 'ip_hash_salt_salt_check', 'c'),
        ('game_market.ledger_entries', 'ledger_entries_amount_msat_check', 'c'),
        ('game_market.ledger_entries', 'ledger_entries_meta_json_check', 'c'),
        ('game_market.ledger_entries', 'ledger_entries_pkey', 'p'),
        ('game_market.ledger_entries', 'ledger_entries_purchase_id_fkey', 'f'),
        ('game_market.ledger_entries', 'ledger_entries_purchase_id_type_key', 'u'),
        ('game_market.payouts', 'payouts_amount_msat_check', 'c'),
        ('game_market.payouts', 'payouts_attempt_count_check', 'c'),
        ('game_market.payouts', 'payouts_destination_ln_address_check', 'c'),
        ('game_market.payouts', 'payouts_developer_user_id_fkey', 'f'),
        ('game_market.payouts', 'payouts_idempotency_key_check', 'c'),
        ('game_market.payouts', 'payouts_idempotency_key_key', 'u'),
        ('game_market.payouts', 'payouts_last_error_check', 'c'),
        ('game_market.payouts', 'payouts_pkey', 'p'),
        ('game_market.payouts', 'payouts_purchase_id_fkey', 'f'),
        ('game_market.payouts', 'payouts_purchase_id_key', 'u'),
        ('game_market.purchases', 'purchases_amount_msat_check', 'c'),
        ('game_market.purchases', 'purchases_buyer_check', 'c'),
        ('game_market.purchases', 'purchases_buyer_user_id_fkey', 'f'),
        ('game_market.purchases', 'purchases_game_id_fkey', 'f'),
        ('game_market.purchases', 'purchases_guest_receipt_code_check', 'c'),
        ('game_market.purchases', 'purchases_guest_receipt_code_key', 'u'),
        ('game_market.purchases', 'purchases_invoice_id_check', 'c'),
        ('game_market.purchases', 'purchases_invoice_id_key', 'u'),
        ('game_market.purchases', 'purchases_invoice_provider_check', 'c'),
        ('game_market.purchases', 'purchases_paid_at_check', 'c'),
        ('game_market.purchases', 'purchases_paid_at_created_at_check', 'c'),
        ('game_market.purchases', 'purchases_pkey', 'p'),
        ('game_market.releases', 'releases_game_id_fkey', 'f'),
        ('game_market.releases', 'releases_game_id_version_key', 'u'),
        ('game_market.releases', 'releases_pkey', 'p'),
        ('game_market.releases', 'releases_published_at_check', 'c'),
        ('game_market.releases', 'releases_version_check', 'c'),
        ('game_market.users', 'users_avatar_url_check', 'c'),
        ('game_market.users', 'users_display_name_check', 'c'),
        ('game_market.users', 'users_pkey', 'p'),
        ('game_market.users', 'users_pubkey_check', 'c'),
        ('game_market.users', 'users_pubkey_key', 'u')
    $$,
    'every constraint, by name and kind'
);

SELECT set_eq(
    $$SELECT conname::text, confrelid::regclass::text, confdeltype::text
      FROM pg_constraint AS k WHERE connamespace = 'game_market'::regnamespace AND contype = 'f'
        AND NOT (SELECT c.relispartition FROM pg_class AS c WHERE c.oid = k.conrelid)$$,
    $$VALUES
        ('developer_profiles_user_id_fkey', 'game_market.users', 'c'),
        ('games_developer_user_id_fkey', 'game_market.users', 'r'),
        ('games_developer_profile_fkey', 'game_market.developer_profiles', 'r'),
        ('releases_game_id_fkey', 'game_market.games', 'c'),
        ('build_assets_release_id_fkey', 'game_market.releases', 'c'),
        ('purchases_buyer_user_id_fkey', 'game_market.users', 'r'),
        ('purchases_game_id_fkey', 'game_market.games', 'r'),
        ('entitlements_purchase_id_fkey', 'game_market.purchases', 'r'),
        ('entitlements_buyer_user_id_fkey', 'game_market.users', 'r'),
        ('entitlements_game_id_fkey', 'game_market.games', 'r'),
        ('download_events_entitlement_id_fkey', 'game_market.entitlements', 'r'),
        ('download_events_release_id_fkey', 'game_market.releases', 'r'),
        ('fee_rates_game_id_fkey', 'game_market.games', 'c'),
        ('ledger_entries_purchase_id_fkey', 'game_market.purchases', 'r'),
        ('payouts_purchase_id_fkey', 'game_market.purchases', 'r'),
        ('payouts_developer_user_id_fkey', 'game_market.users', 'r')
    $$,
    'every foreign key: its target and ON DELETE (CASCADE for owned rows, RESTRICT for history)'
);

SELECT set_eq(
    $$SELECT i.tablename::text, i.indexdef FROM pg_indexes AS i
      INNER JOIN pg_class AS c ON c.relname = i.tablename AND c.relnamespace = 'game_market'::regnamespace
      WHERE i.schemaname = 'game_market' AND NOT c.relispartition$$,
    $$VALUES
        ('build_assets', 'CREATE UNIQUE INDEX build_assets_pkey ON game_market.build_assets USING btree (id)'),
        ('build_assets', 'CREATE UNIQUE INDEX build_assets_release_id_key ON game_market.build_assets USING btree (release_id)'),
        ('developer_profiles', 'CREATE UNIQUE INDEX developer_profiles_pkey ON game_market.developer_profiles USING btree (user_id)'),
        ('download_events', 'CREATE INDEX download_events_entitlement_id_created_at_id_idx ON ONLY game_market.download_events USING btree (entitlement_id, created_at DESC, id)'),
        ('download_events', 'CREATE UNIQUE INDEX download_events_pkey ON ONLY game_market.download_events USING btree (id, created_at)'),
        ('download_events', 'CREATE INDEX download_events_release_id_idx ON ONLY game_market.download_events USING btree (release_id)'),
        ('entitlements', 'CREATE INDEX entitlements_buyer_user_id_game_id_granted_at_id_idx ON game_market.entitlements USING btree (buyer_user_id, game_id, granted_at, id) WHERE (buyer_user_id IS NOT NULL)'),
        ('entitlements', 'CREATE INDEX entitlements_game_id_idx ON game_market.entitlements USING btree (game_id)'),
        ('entitlements', 'CREATE UNIQUE INDEX entitlements_guest_receipt_code_key ON game_market.entitlements USING btree (guest_receipt_code)'),
        ('entitlements', 'CREATE UNIQUE INDEX entitlements_pkey ON game_market.entitlements USING btree (id)'),
        ('entitlements', 'CREATE UNIQUE INDEX entitlements_purchase_id_key ON game_market.entitlements USING btree (purchase_id)'),
        ('fee_rates', 'CREATE UNIQUE INDEX fee_rates_game_id_key ON game_market.fee_rates USING btree (game_id) NULLS NOT DISTINCT'),
        ('fee_rates', 'CREATE UNIQUE INDEX fee_rates_pkey ON game_market.fee_rates USING btree (id)'),
        ('games', 'CREATE INDEX games_developer_user_id_idx ON game_market.games USING btree (developer_user_id)'),
        ('games', 'CREATE UNIQUE INDEX games_pkey ON game_market.games USING btree (id)'),
        ('games', 'CREATE INDEX games_published_created_at_id_idx ON game_market.games USING btree (created_at DESC, id) WHERE (status = ''published''::game_market.game_status)'),
        ('games', 'CREATE UNIQUE INDEX games_slug_key ON game_market.games USING btree (slug)'),
        ('ip_hash_salt', 'CREATE UNIQUE INDEX ip_hash_salt_pkey ON game_market.ip_hash_salt USING btree (id)'),
        ('ledger_entries', 'CREATE UNIQUE INDEX ledger_entries_pkey ON game_market.ledger_entries USING btree (id)'),
        ('ledger_entries', 'CREATE UNIQUE INDEX ledger_entries_purchase_id_type_key ON game_market.ledger_entries USING btree (purchase_id, type)'),
        ('payouts', 'CREATE INDEX payouts_claimable_idx ON game_market.payouts USING btree (updated_at) WHERE (status = ANY (ARRAY[''pending''::game_market.payout_status, ''sending''::game_market.payout_status, ''failed''::game_market.payout_status]))'),
        ('payouts', 'CREATE INDEX payouts_developer_user_id_created_at_id_idx ON game_market.payouts USING btree (developer_user_id, created_at DESC, id)'),
        ('payouts', 'CREATE UNIQUE INDEX payouts_idempotency_key_key ON game_market.payouts USING btree (idempotency_key)'),
        ('payouts', 'CREATE UNIQUE INDEX payouts_pkey ON game_market.payouts USING btree (id)'),
        ('payouts', 'CREATE UNIQUE INDEX payouts_purchase_id_key ON game_market.payouts USING btree (purchase_id)'),
        ('purchases', 'CREATE INDEX purchases_buyer_user_id_idx ON game_market.purchases USING btree (buyer_user_id) WHERE (buyer_user_id IS NOT NULL)'),
        ('purchases', 'CREATE INDEX purchases_game_id_idx ON game_market.purchases USING btree (game_id)'),
        ('purchases', 'CREATE UNIQUE INDEX purchases_guest_receipt_code_key ON game_market.purchases USING btree (guest_receipt_code)'),
        ('purchases', 'CREATE UNIQUE INDEX purchases_invoice_id_key ON game_market.purchases USING btree (invoice_id)'),
        ('purchases', 'CREATE UNIQUE INDEX purchases_pkey ON game_market.purchases USING btree (id)'),
        ('releases', 'CREATE INDEX releases_game_id_published_at_id_idx ON game_market.releases USING btree (game_id, published_at DESC, id) WHERE (published_at IS NOT NULL)'),
        ('releases', 'CREATE UNIQUE INDEX releases_game_id_version_key ON game_market.releases USING btree (game_id, version)'),
        ('releases', 'CREATE UNIQUE INDEX releases_pkey ON game_market.releases USING btree (id)'),
        ('users', 'CREATE UNIQUE INDEX users_pkey ON game_market.users USING btree (id)'),
        ('users', 'CREATE UNIQUE INDEX users_pubkey_key ON game_market.users USING btree (pubkey)')
    $$,
    'every index, by definition'
);

SELECT index_is_unique('game_market', 'users', 'users_pubkey_key', 'must-have: users(pubkey) unique');
SELECT index_is_unique('game_market', 'games', 'games_slug_key', 'must-have: games(slug) unique');
SELECT index_is_unique('game_market', 'purchases', 'purchases_invoice_id_key', 'must-have: purchases(invoice_id) unique');
SELECT index_is_unique(
    'game_market', 'entitlements', 'entitlements_purchase_id_key', 'must-have: entitlements(purchase_id) unique'
);
SELECT index_is_unique('game_market', 'payouts', 'payouts_purchase_id_key', 'must-have: payouts(purchase_id) unique');
SELECT index_is_unique(
    'game_market', 'payouts', 'payouts_idempotency_key_key', 'must-have: payouts(idempotency_key) unique'
);

SELECT set_eq(
    $$SELECT tgrelid::regclass::text, tgname::text FROM pg_trigger
      WHERE NOT tgisinternal
        AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'game_market'::regnamespace AND NOT relispartition)$$,
    $$VALUES
        ('game_market.build_assets', 'build_assets_immutable_columns'),
        ('game_market.developer_profiles', 'developer_profiles_immutable_columns'),
        ('game_market.developer_profiles', 'developer_profiles_updated_at'),
        ('game_market.download_events', 'download_events_append_only'),
        ('game_market.download_events', 'download_events_append_only_truncate'),
        ('game_market.entitlements', 'entitlements_immutable_columns'),
        ('game_market.fee_rates', 'fee_rates_immutable_columns'),
        ('game_market.fee_rates', 'fee_rates_updated_at'),
        ('game_market.games', 'games_immutable_columns'),
        ('game_market.games', 'games_initial_status'),
        ('game_market.games', 'games_status_transition'),
        ('game_market.games', 'games_updated_at'),
        ('game_market.ledger_entries', 'ledger_entries_append_only'),
        ('game_market.ledger_entries', 'ledger_entries_append_only_truncate'),
        ('game_market.ledger_entries', 'ledger_entries_balanced'),
        ('game_market.payouts', 'payouts_immutable_columns'),
        ('game_market.payouts', 'payouts_initial_status'),
        ('game_market.payouts', 'payouts_status_transition'),
        ('game_market.payouts', 'payouts_updated_at'),
        ('game_market.purchases', 'purchases_immutable_columns'),
        ('game_market.purchases', 'purchases_initial_status'),
        ('game_market.purchases', 'purchases_status_transition'),
        ('game_market.purchases', 'purchases_updated_at'),
        ('game_market.releases', 'releases_immutable_columns'),
        ('game_market.releases', 'releases_updated_at'),
        ('game_market.users', 'users_immutable_columns'),
        ('game_market.users', 'users_updated_at')
    $$,
    'every trigger: declared rules (state machines, immutable columns, append-only), updated_at, the ledger balance'
);

SELECT set_eq(
    $$SELECT p.oid::regprocedure::text, p.provolatile::text, p.prosecdef
      FROM pg_proc AS p WHERE p.pronamespace = 'game_market'::regnamespace$$,
    $$VALUES
        ('game_market.is_pubkey(text)', 'i', false),
        ('game_market.is_lightning_address(text)', 'i', false),
        ('game_market.fee_bps_for_game(uuid)', 's', false),
        ('game_market.tg_ledger_entries__balanced()', 'v', false),
        ('game_market.publish_release(uuid)', 'v', true),
        ('game_market.publish_game(uuid)', 'v', true),
        ('game_market.unlist_game(uuid)', 'v', true),
        ('game_market.create_payout(uuid)', 'v', true),
        ('game_market.claim_payouts(integer)', 'v', true),
        ('game_market.complete_payout(uuid)', 'v', true),
        ('game_market.fail_payout(uuid,integer,text)', 'v', true),
        ('game_market.create_purchase(uuid,uuid,text,text,bigint)', 'v', true),
        ('game_market.settle_invoice(text,text)', 'v', true),
        ('game_market.expire_invoice(text,text)', 'v', true),
        ('game_market.refund_purchase(uuid)', 'v', true),
        ('game_market.record_download(uuid,uuid,inet,text)', 'v', true)
    $$,
    'every function, its volatility, and SECURITY DEFINER for the rule functions only'
);

SELECT * FROM finish();
ROLLBACK;
