-- bloxtr8: every state machine against the product's own list of moves, not against its declaration
-- (10_state_machines.sql checks that the triggers do what common.state_machines declares; this file checks that the
-- declaration is the product's rule: a move declared by mistake, or a state a new row may wrongly start in, fails
-- here). Each machine's triggers are copied onto a probe table of the table's name (as pg_temp.state_machine_ok
-- does), as they are on the table (a disabled one is not copied: the table takes any move then), and every ordered
-- pair of labels is tried: the moves allowed are exactly the listed ones ('(new)>X': a new row may start in X).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(8);
\ir ../helpers.psql

CREATE FUNCTION pg_temp.allowed_moves(p_table regclass, p_column text)
RETURNS SETOF text
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_machine common.state_machines;
    v_probe text;
    v_labels text [];
    v_def text;
    v_from text;
    v_to text;
BEGIN
    SELECT m.* INTO v_machine
    FROM common.state_machines AS m, common.relation_name(p_table) AS r
    WHERE (m.schema_name, m.table_name, m.column_name) = (r.schema_name, r.table_name, p_column);
    v_probe := format('pg_temp.%I', v_machine.table_name);
    SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) INTO v_labels
    FROM pg_enum AS e WHERE e.enumtypid = v_machine.enum_type;
    EXECUTE format('CREATE TEMP TABLE %I (%I %s NOT NULL)', v_machine.table_name, p_column, v_machine.enum_type);
    FOR v_def IN
        SELECT pg_get_triggerdef(t.oid) FROM pg_trigger AS t
        WHERE t.tgrelid = p_table AND t.tgenabled <> 'D' AND t.tgname IN (
            format('%s_initial_%s', v_machine.table_name, common.state_label(p_column)),
            format('%s_%s_transition', v_machine.table_name, common.state_label(p_column))
        )
    LOOP
        EXECUTE replace(v_def, format(' ON %s ', p_table), format(' ON %s ', v_probe));
    END LOOP;
    FOREACH v_to IN ARRAY v_labels LOOP
        BEGIN
            EXECUTE format('INSERT INTO %s VALUES (%L)', v_probe, v_to);
            RETURN NEXT '(new)>' || v_to;
        EXCEPTION WHEN SQLSTATE 'CD007' THEN
            NULL;
        END;
    END LOOP;
    FOREACH v_from IN ARRAY v_labels LOOP
        FOREACH v_to IN ARRAY v_labels LOOP
            CONTINUE WHEN v_from = v_to;
            EXECUTE format('ALTER TABLE %s DISABLE TRIGGER USER', v_probe);
            EXECUTE format('DELETE FROM %s', v_probe);
            EXECUTE format('INSERT INTO %s VALUES (%L)', v_probe, v_from);
            EXECUTE format('ALTER TABLE %s ENABLE TRIGGER USER', v_probe);
            BEGIN
                EXECUTE format('UPDATE %s SET %I = %L', v_probe, p_column, v_to);
                RETURN NEXT v_from || '>' || v_to;
            EXCEPTION WHEN SQLSTATE 'CD001' THEN
                NULL;
            END;
        END LOOP;
    END LOOP;
    EXECUTE format('DROP TABLE %s', v_probe);
END
$fn$;

SELECT set_eq(
    $$SELECT * FROM pg_temp.allowed_moves('bloxtr8.listings', 'status')$$,
    ARRAY['(new)>ACTIVE', 'ACTIVE>INACTIVE', 'INACTIVE>ACTIVE', 'INACTIVE>SOLD'],
    'listings: new ones ACTIVE; hidden and shown again by the seller; SOLD only from INACTIVE (under contract); SOLD is final'
);
SELECT set_eq(
    $$SELECT * FROM pg_temp.allowed_moves('bloxtr8.offers', 'status')$$,
    ARRAY['(new)>PENDING', 'PENDING>ACCEPTED', 'PENDING>COUNTERED', 'PENDING>DECLINED', 'PENDING>EXPIRED'],
    'offers: new ones PENDING; answered once (accepted, countered, declined) or expired; every answer is final'
);
SELECT set_eq(
    $$SELECT * FROM pg_temp.allowed_moves('bloxtr8.contracts', 'status')$$,
    ARRAY['(new)>PENDING_SIGNATURE', 'PENDING_SIGNATURE>EXECUTING', 'PENDING_SIGNATURE>VOID', 'EXECUTING>EXECUTED',
          'EXECUTING>EXECUTION_FAILED', 'EXECUTION_FAILED>EXECUTING', 'EXECUTION_FAILED>VOID'],
    'contracts: signed, executed (or failed and retried or voided); never back to signing; EXECUTED and VOID final'
);
SELECT set_eq(
    $$SELECT * FROM pg_temp.allowed_moves('bloxtr8.contract_execution_jobs', 'status')$$,
    ARRAY['(new)>PENDING', 'PENDING>PROCESSING', 'PROCESSING>PENDING', 'PROCESSING>COMPLETED', 'PROCESSING>FAILED',
          'FAILED>PENDING'],
    'execution jobs: claimed, then completed, failed or back to PENDING; a FAILED job retried; COMPLETED final'
);
SELECT set_eq(
    $$SELECT * FROM pg_temp.allowed_moves('bloxtr8.escrows', 'status')$$,
    ARRAY['(new)>AWAIT_FUNDS', 'AWAIT_FUNDS>FUNDS_HELD', 'AWAIT_FUNDS>CANCELLED', 'FUNDS_HELD>DELIVERED',
          'FUNDS_HELD>DISPUTED', 'DELIVERED>RELEASED', 'DELIVERED>DISPUTED', 'DISPUTED>REFUNDED', 'DISPUTED>RELEASED'],
    'escrows: funded, delivered or disputed, released or refunded; funds never go back; the three ends are final'
);
SELECT set_eq(
    $$SELECT * FROM pg_temp.allowed_moves('bloxtr8.deliveries', 'status')$$,
    ARRAY['(new)>PENDING', 'PENDING>DELIVERED', 'DELIVERED>CONFIRMED'],
    'deliveries: PENDING, DELIVERED, CONFIRMED, in that order only'
);
SELECT set_eq(
    $$SELECT * FROM pg_temp.allowed_moves('bloxtr8.disputes', 'status')$$,
    ARRAY['(new)>OPEN', 'OPEN>RESOLVED'],
    'disputes: opened, resolved once'
);
SELECT set_eq(
    $$SELECT * FROM pg_temp.allowed_moves('bloxtr8.asset_verifications', 'verification_status')$$,
    ARRAY['(new)>PENDING', 'PENDING>VERIFIED', 'PENDING>FAILED', 'VERIFIED>EXPIRED', 'VERIFIED>PENDING',
          'FAILED>PENDING', 'EXPIRED>PENDING'],
    'ownership checks: VERIFIED or FAILED only by a check (PENDING); an EXPIRED result is checked again, never revived'
);

SELECT * FROM finish();
ROLLBACK;
