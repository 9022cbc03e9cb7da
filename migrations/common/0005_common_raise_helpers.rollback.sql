-- Undoes 0005_common_raise_helpers (dropping a function drops its grants and comment).

DROP FUNCTION common.raise_precondition_failed(regclass, text, text, text);

DROP FUNCTION common.raise_forbidden_transition(regclass, text, text, text);

DROP FUNCTION common.raise_not_found(regclass, text);
