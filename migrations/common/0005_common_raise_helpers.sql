-- depends: 0004_common_declare
-- Raise helpers for rule functions (CONVENTIONS.md): one message and DETAIL shape per project
-- SQLSTATE, the table given as a regclass.
--   common.raise_not_found(table, key)                           CD005, DETAIL key=...
--   common.raise_forbidden_transition(table, column, from, to)   CD001, as the state machine's trigger
--   common.raise_precondition_failed(table, constraint, message, detail)   CD007

CREATE FUNCTION common.raise_not_found(p_table regclass, p_key text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rel record;
BEGIN
    SELECT r.schema_name, r.table_name INTO v_rel FROM common.relation_name(p_table) AS r;
    RAISE EXCEPTION '%: % not found', v_rel.table_name, p_key
        USING ERRCODE = 'CD005', DETAIL = format('key=%s', p_key), SCHEMA = v_rel.schema_name,
              TABLE = v_rel.table_name;
END
$fn$;

COMMENT ON FUNCTION common.raise_not_found(regclass, text) IS
'Raises SQLSTATE CD005 (not_found): a rule function''s target row does not exist; the key in DETAIL (key=...).';

CREATE FUNCTION common.raise_forbidden_transition(p_table regclass, p_column text, p_from text, p_to text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rel record;
BEGIN
    SELECT r.schema_name, r.table_name INTO v_rel FROM common.relation_name(p_table) AS r;
    RAISE EXCEPTION '%: % may not change from % to %', v_rel.table_name, common.state_label(p_column), p_from, p_to
        USING ERRCODE = 'CD001',
              DETAIL = format('from=%s to=%s', p_from, p_to),
              CONSTRAINT = format('%s_%s_transition', v_rel.table_name, common.state_label(p_column)),
              SCHEMA = v_rel.schema_name,
              TABLE = v_rel.table_name,
              COLUMN = p_column;
END
$fn$;

COMMENT ON FUNCTION common.raise_forbidden_transition(regclass, text, text, text) IS
'Raises SQLSTATE CD001 exactly as the state machine''s trigger does (<table>_<label>_transition, from/to in '
'DETAIL): for a rule function that refuses a move before writing it (e.g. a repeated move, which the trigger '
'lets through as "unchanged").';

CREATE FUNCTION common.raise_precondition_failed(p_table regclass, p_constraint text, p_message text, p_detail text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rel record;
BEGIN
    SELECT r.schema_name, r.table_name INTO v_rel FROM common.relation_name(p_table) AS r;
    RAISE EXCEPTION '%: %', v_rel.table_name, p_message
        USING ERRCODE = 'CD007', CONSTRAINT = p_constraint, DETAIL = coalesce(p_detail, ''),
              SCHEMA = v_rel.schema_name, TABLE = v_rel.table_name;
END
$fn$;

COMMENT ON FUNCTION common.raise_precondition_failed(regclass, text, text, text) IS
'Raises SQLSTATE CD007 (precondition_failed) naming the rule''s pseudo-constraint: the operation is not allowed '
'in the row''s current state. Message ''<table>: <p_message>'', DETAIL p_detail (name=value pairs).';

-- chaindb_app runs them from SECURITY INVOKER rule functions; SECURITY DEFINER ones run as the owner.
GRANT EXECUTE ON FUNCTION
common.raise_not_found(regclass, text),
common.raise_forbidden_transition(regclass, text, text, text),
common.raise_precondition_failed(regclass, text, text, text)
TO chaindb_app;
