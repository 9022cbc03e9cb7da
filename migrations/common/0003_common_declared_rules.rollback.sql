-- Undoes 0003_common_declared_rules (dropping a table or function drops its grants and comments).

DROP FUNCTION common.tg__append_only();

DROP FUNCTION common.tg__forbid_change();

DROP FUNCTION common.tg__forbid_initial_state();

DROP FUNCTION common.tg__forbid_transition();

DROP FUNCTION common.relation_name(regclass);

DROP FUNCTION common.state_label(text);

DROP TABLE common.append_only_tables;

DROP TABLE common.immutable_columns;

DROP TABLE common.state_transitions;

DROP TABLE common.state_machines;
