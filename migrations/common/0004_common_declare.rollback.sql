-- Undoes 0004_common_declare. Schemas that declared rules are rolled back first (they depend on it).

DROP PROCEDURE common.drop_append_only(regclass);

DROP PROCEDURE common.define_append_only(regclass);

DROP FUNCTION common.compile_append_only(regclass);

DROP PROCEDURE common.drop_immutable_columns(regclass);

DROP PROCEDURE common.define_immutable_columns(regclass, text[], text[]);

DROP FUNCTION common.compile_immutable_columns(regclass);

DROP PROCEDURE common.drop_state_machine(regclass, text);

DROP PROCEDURE common.define_state_machine(regclass, text, text[], text[], text);

DROP FUNCTION common.compile_state_machine(regclass, text);
