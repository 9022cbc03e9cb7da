"""The mutation tool (``make mutate``): its rewrites, its mutants of the migrated catalog, its sample and
its selection of tests. (Not a rule test: tests/mutation.toml excludes it from the mutants' judges.)"""

from __future__ import annotations

from collections import Counter

import psycopg
import pytest

from chaindb import admin
from chaindb.embedded import project_root
from chaindb.mutation import generate, lexer
from chaindb.mutation.run import Config, Suite, sample, schemas_present


def rewrites(expr: str) -> list[tuple[str, str, str]]:
    return [(kind, tag, new) for kind, tag, new, _ in generate.check_rewrites(expr)]


def test_comparisons_move_one_step_and_strings_stay() -> None:
    assert rewrites("((reward > 0) AND (note <> '>='::text))") == [
        ("check-weaken", "1:>->>=", "((reward >= 0) AND (note <> '>='::text))"),
        ("check-weaken", "2:<>->=", "((reward > 0) AND (note = '>='::text))"),
        ("check-conjunct", "1", "((note <> '>='::text))"),
        ("check-conjunct", "2", "((reward > 0))"),
    ]


def test_regex_anchors_are_removed_one_at_a_time() -> None:
    assert rewrites("((code ~ '^[A-Z]{2}\\$'::text))") == [
        ("check-anchor", "1:^", "((code ~ '[A-Z]{2}\\$'::text))"),
    ]  # an escaped $ is no anchor
    assert [new for _, _, new in rewrites("(code ~* '^a$')")] == ["(code ~* 'a$')", "(code ~* '^a')"]


def test_conjuncts_inside_case_and_or_are_left_alone() -> None:
    assert rewrites("(CASE s WHEN 'a' THEN (x > 0) ELSE (x = 0) END)") == [
        ("check-weaken", "1:>->>=", "(CASE s WHEN 'a' THEN (x >= 0) ELSE (x = 0) END)"),
        ("check-weaken", "2:=-><>", "(CASE s WHEN 'a' THEN (x > 0) ELSE (x <> 0) END)"),
    ]
    assert [kind for kind, _, _ in rewrites("((a IS NULL) OR (b AND c))")] == ["check-conjunct", "check-conjunct"]


def test_row_locks_are_found_in_code_only() -> None:
    body = """BEGIN
    -- FOR UPDATE in a comment
    PERFORM 'FOR SHARE' FROM t;
    FOR r IN SELECT * FROM t LOOP END LOOP;
    SELECT * INTO v FROM t WHERE id = 1 FOR UPDATE;
    SELECT * FROM t FOR NO KEY UPDATE OF t SKIP LOCKED;
    SELECT * FROM t, u FOR KEY SHARE OF t, u NOWAIT;
END"""
    toks = lexer.tokens(body)
    found = [
        (body[toks[a].start : toks[b].end], body[toks[m].start : toks[b].end] if m is not None else None)
        for a, b, m in generate.lock_clauses(toks)
    ]
    assert found == [
        ("FOR UPDATE", None),
        ("FOR NO KEY UPDATE OF t SKIP LOCKED", "SKIP LOCKED"),
        ("FOR KEY SHARE OF t, u NOWAIT", "NOWAIT"),
    ]


def test_table_locks_are_whole_statements() -> None:
    body = """BEGIN
    -- LOCK TABLE t in a comment
    PERFORM 'LOCK TABLE t;';
    LOCK TABLE s.t IN SHARE UPDATE EXCLUSIVE MODE;
    IF x THEN LOCK u; END IF;
    SELECT * FROM t FOR UPDATE SKIP LOCKED;
END"""
    toks = lexer.tokens(body)
    assert [body[toks[a].start : toks[b].end] for a, b in generate.table_locks(toks)] == [
        "LOCK TABLE s.t IN SHARE UPDATE EXCLUSIVE MODE;",
        "LOCK u;",
    ]


@pytest.fixture
def found(conn: psycopg.Connection) -> list[generate.Mutant]:
    return generate.mutants(conn, schemas_present(conn), [admin.APP_ROLE, admin.READONLY_ROLE])


def test_every_kind_is_generated_and_every_mutant_applies(conn: psycopg.Connection, found: list) -> None:
    """Each mutant of the migrated catalog applies (in a transaction rolled back): a schema change that the
    generator cannot follow fails here, not in the middle of make mutate."""
    assert set(schemas_present(conn)) == {"common", *admin.available_schemas()}
    assert set(Counter(m.kind for m in found)) == set(generate.KINDS)
    assert len({m.id for m in found}) == len(found)
    for mutant in found:
        with conn.transaction(force_rollback=True):
            conn.execute(mutant.sql.encode())


def test_the_sample_is_reproducible_and_has_every_kind(found: list) -> None:
    first = sample(found, len(generate.KINDS), "abc")
    assert sample(found, len(generate.KINDS), "abc") == first
    assert {m.kind for m in first} == set(generate.KINDS)
    assert sample(found, 20, "other") != sample(found, 20, "abc")


def test_selection_names_the_mutated_object_first(found: list) -> None:
    root = project_root()
    suite = Suite.discover(root, Config.load(root))
    assert "tests/python/test_migrations.py" not in suite.pytest
    (weakened,) = [m for m in found if m.id.endswith("verifications.verifications_reward_lamports_check#1:>->>=")]
    pgtap, _ = suite.select(weakened)
    assert pgtap and all("verifications" in suite.text(path) for path in pgtap)
    assert "verifications_reward_lamports_check" in suite.text(pgtap[0])
    (lock,) = [m for m in found if m.id.startswith("lock-remove:cocopay.confirm_transaction(")]
    assert "transaction_confirm" in suite.needles(lock)  # the named query that calls it
    assert any(path.endswith("test_races.py") for path in suite.select(lock)[1])
