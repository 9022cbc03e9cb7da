"""Run the rule tests against every mutant; print the score and every survivor.

A mutant is applied, as superuser, to its own database copied from a template migrated from zero
once (``CREATE DATABASE ... TEMPLATE``). pg_prove then runs against that database, and pytest with
``CHAINDB_TEST_TEMPLATE`` naming it, so every test's fresh database is a copy of the mutant. A
mutant is *killed* when a rule test fails (an assertion, an error, a test that hangs past the
timeout), and *survives* when the whole rule suite passes.

Which tests run, and in which order (the selection rule):

1. The rule tests are every pgTAP file ``tests/pgtap/*/*.sql`` and every pytest module
   ``tests/python/**/test_*.py`` except the ones ``[exclude]`` in ``tests/mutation.toml`` lists, each
   with its reason: snapshots and drift checks, hand-written copies of the catalog, and tests of
   something else than the rules (they notice any change, or none).
2. First the files that name the mutated object: its constraint, index, trigger or function, its
   table, and the named queries (``queries/<schema>/*.sql``) whose SQL names that table or function.
   pgTAP first (it is fast), then pytest, stopping at the first failure.
3. Only when those all pass, every other rule test. So the selection only decides how soon a mutant
   dies: a survivor has passed the whole rule suite.

Equivalent mutants (no test can tell them from the original) are listed in ``[equivalent]`` of
``tests/mutation.toml`` with the reason: they are reported as such, never silently skipped. The run
fails when a mutant survives that is not listed there, or when a mutant cannot be applied.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import psycopg

from chaindb import admin, coverage
from chaindb.embedded import project_root, throwaway
from chaindb.mutation.generate import KINDS, Mutant, mutants

CONFIG = Path("tests") / "mutation.toml"
#: Seconds one test stage may take before the mutant counts as killed by a hang.
STAGE_TIMEOUT = 900


@dataclass(frozen=True)
class Config:
    exclude: dict[str, str]  # path (file or folder, relative to the checkout) -> why it is no rule test
    equivalent: dict[str, str]  # mutant id -> why no test can kill it

    @classmethod
    def load(cls, root: Path) -> Config:
        path = root / CONFIG
        data = tomllib.loads(path.read_text()) if path.exists() else {}
        return cls(dict(data.get("exclude", {})), dict(data.get("equivalent", {})))

    def excluded(self, relative: str) -> bool:
        return any(relative == e or relative.startswith(e.rstrip("/") + "/") for e in self.exclude)


@dataclass(frozen=True)
class Suite:
    """The rule tests: paths relative to the checkout, and their text (for the selection)."""

    root: Path
    pgtap: tuple[str, ...]
    pytest: tuple[str, ...]
    queries: tuple[tuple[str, str], ...]  # (query name, its SQL), every schema

    @classmethod
    def discover(cls, root: Path, config: Config) -> Suite:
        pgtap = sorted(str(p.relative_to(root)) for p in (root / "tests" / "pgtap").glob("*/*.sql"))
        pytest = sorted(str(p.relative_to(root)) for p in (root / "tests" / "python").rglob("test_*.py"))
        queries = []
        for path in sorted((root / "queries").glob("*/*.sql")):
            for block in re.split(r"(?m)^--\s*name:\s*", path.read_text())[1:]:
                name = re.match(r"[A-Za-z_][A-Za-z0-9_]*", block)
                if name:
                    queries.append((name.group(0), block))
        return cls(
            root,
            tuple(p for p in pgtap if not config.excluded(p)),
            tuple(p for p in pytest if not config.excluded(p)),
            tuple(queries),
        )

    @cache  # noqa: B019 - one Suite per run
    def text(self, relative: str) -> str:
        return (self.root / relative).read_text().lower()

    def needles(self, mutant: Mutant) -> list[str]:
        """The mutant's names, most specific first, plus the queries whose SQL names one of them."""
        names = [n.lower() for n in mutant.needles if n]
        words = [re.compile(rf"\b{re.escape(n)}\b", re.I) for n in names]
        queries = [q for q, sql in self.queries if any(w.search(sql) for w in words)]
        return list(dict.fromkeys([*names, *(q.lower() for q in queries)]))

    def select(self, mutant: Mutant) -> tuple[list[str], list[str]]:
        """(pgTAP files, pytest modules) that name the mutant's objects, those naming the most specific
        name first."""
        needles = [re.compile(rf"\b{re.escape(n)}\b") for n in self.needles(mutant)]

        def rank(path: str) -> int | None:
            text = self.text(path)
            return next((k for k, n in enumerate(needles) if n.search(text)), None)

        def chosen(paths: Sequence[str]) -> list[str]:
            ranked = [(r, p) for p in paths if (r := rank(p)) is not None]
            return [p for _, p in sorted(ranked)]

        return chosen(self.pgtap), chosen(self.pytest)


@dataclass
class Outcome:
    mutant: Mutant
    status: str = "survived"  # killed | survived | equivalent | error
    by: str = ""  # the failing test (killed), the error (error), the reason (equivalent)
    stage: str = ""
    seconds: float = 0.0
    ran: list[str] = field(default_factory=list)


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


class Runner:
    def __init__(
        self, server_url: str, suite: Suite, config: Config, *, timeout: int = STAGE_TIMEOUT, triage: bool = False
    ) -> None:
        self.server_url = server_url
        self.triage = triage  # the selected tests only: a quick list of the mutants that may survive
        self.suite = suite
        self.config = config
        self.timeout = timeout
        self.prefix = f"chaindb_mut_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self.counter = 0
        self.lock = threading.Lock()
        self.children: set[subprocess.Popen[str]] = set()
        self.stopped = threading.Event()

    # databases -----------------------------------------------------------------------------------

    def prepare_template(self) -> str:
        url = admin.create_database(self.server_url, self.template)
        admin.migrate(url)
        return url

    @contextmanager
    def database(self, sql: str | None) -> Iterator[str]:
        """A copy of the template with ``sql`` applied as superuser; dropped afterwards."""
        with self.lock:
            self.counter += 1
            name = f"{self.prefix}_{self.counter}"
        url = admin.create_database(self.server_url, name, template=self.template)
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                # What sql/roles.sql grants on a migrated database: a copy carries no database privileges.
                conn.execute(psycopg.sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(
                    psycopg.sql.Identifier(name), psycopg.sql.Identifier(admin.OWNER_ROLE)))
            if sql:
                with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
                    conn.execute(sql.encode())
            yield name
        finally:
            admin.drop_database(self.server_url, name)

    def drop_template(self) -> None:
        admin.drop_database(self.server_url, self.template)

    # tests ---------------------------------------------------------------------------------------

    def command(self, cmd: list[str], env: dict[str, str] | None = None) -> tuple[int | None, str]:
        """(exit status, stdout + stderr) of a test command; status None when it timed out or was stopped."""
        if self.stopped.is_set():
            return None, "stopped"
        with subprocess.Popen(
            cmd, cwd=self.suite.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as child:
            with self.lock:
                self.children.add(child)
            try:
                output, _ = child.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
                return None, f"timed out after {self.timeout}s"
            except BaseException:  # stopped: the test command goes with us
                child.kill()
                raise
            finally:
                with self.lock:
                    self.children.discard(child)
        return (None if self.stopped.is_set() else child.returncode), output

    def stop(self) -> None:
        """Stop every running test command; nothing new starts."""
        self.stopped.set()
        with self.lock:
            for child in self.children:
                child.terminate()

    def pgtap(self, database: str, files: Sequence[str]) -> str | None:
        """None when every file passes, else the first failure."""
        if not files:
            return None
        env = admin.libpq_environment(admin.with_database(self.server_url, database))
        env.pop(coverage.ENV, None)
        status, output = self.command(["pg_prove", "--failures", *files], env)
        if status is None:
            return f"pgTAP {output}"
        if status == 0:
            return None
        failed = re.findall(r"^(tests/\S+\.sql)\s+\(Wstat", output, re.M) or re.findall(
            r"^(tests/\S+\.sql) \.+ ?(?:Failed|Dubious|No subtests|Parse errors)", output, re.M
        )
        first = re.search(r"#\s+Failed test \d+: \"?(.*?)\"?$", output, re.M)
        error = re.search(r"(?:psql|ERROR):.*$", output, re.M)
        where = failed[0] if failed else "pgTAP"
        what = first.group(1) if first else (error.group(0) if error else _tail(output, 3))
        return f"{where}: {what}"

    def pytest(self, database: str, modules: Sequence[str]) -> tuple[str | None, str | None]:
        """(first failing test or None, infrastructure error or None)."""
        if not modules:
            return None, None
        env = dict(os.environ, DATABASE_URL=self.server_url, CHAINDB_TEST_TEMPLATE=database)
        env.pop("PGOPTIONS", None)
        env.pop(coverage.ENV, None)  # a mutant's run judges the rules; it is no coverage run
        cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-rfE", "--no-header", "-p", "no:cacheprovider", *modules]
        status, output = self.command(cmd, env)
        if status is None:
            return f"pytest {output}", None
        if status == 0:
            return None, None
        if status == 1:
            failed = re.search(r"^(?:FAILED|ERROR) (\S+)(?: - (.*))?$", output, re.M)
            if failed:
                return f"{failed.group(1)}" + (f": {failed.group(2)[:200]}" if failed.group(2) else ""), None
            return _tail(output, 3), None
        return None, f"pytest exited {status}: {_tail(output)}"

    def baseline(self) -> str | None:
        """None when the whole rule suite passes on the unchanged template, else what failed."""
        with self.database(None) as name:
            failed = self.pgtap(name, self.suite.pgtap)
            if failed:
                return failed
            failed, error = self.pytest(name, self.suite.pytest)
            return failed or error

    def run(self, mutant: Mutant) -> Outcome:
        outcome = Outcome(mutant)
        started = time.monotonic()
        first_tap, first_py = self.suite.select(mutant)
        stages = [
            ("selected pgTAP", "pgtap", first_tap),
            ("selected pytest", "pytest", first_py),
        ]
        if not self.triage:
            stages += [
                ("other pgTAP", "pgtap", [f for f in self.suite.pgtap if f not in first_tap]),
                ("other pytest", "pytest", [f for f in self.suite.pytest if f not in first_py]),
            ]
        try:
            with self.database(mutant.sql) as name:
                for stage, tool, files in stages:
                    if not files:
                        continue
                    outcome.ran.append(stage)
                    if tool == "pgtap":
                        failed, error = self.pgtap(name, files), None
                    else:
                        failed, error = self.pytest(name, files)
                    if error:
                        outcome.status, outcome.by, outcome.stage = "error", error, stage
                        break
                    if failed:
                        outcome.status, outcome.by, outcome.stage = "killed", failed, stage
                        break
        except psycopg.Error as exc:
            outcome.status, outcome.by = "error", f"the mutation does not apply: {exc}"
        if outcome.status == "survived" and mutant.id in self.config.equivalent:
            outcome.status, outcome.by = "equivalent", self.config.equivalent[mutant.id]
        outcome.seconds = time.monotonic() - started
        return outcome


def sample(found: Sequence[Mutant], size: int, seed: str) -> list[Mutant]:
    """``size`` mutants drawn reproducibly: shuffled within each kind by ``seed``, then taken from the
    kinds in turn, so that every kind is in a sample at least as large as the number of kinds."""
    rng = random.Random(seed)
    by_kind: dict[str, list[Mutant]] = {}
    for m in found:
        by_kind.setdefault(m.kind, []).append(m)
    for group in by_kind.values():
        rng.shuffle(group)
    chosen: list[Mutant] = []
    while len(chosen) < size and any(by_kind.values()):
        for kind in KINDS:
            if by_kind.get(kind) and len(chosen) < size:
                chosen.append(by_kind[kind].pop())
    return sorted(chosen, key=lambda m: (KINDS.index(m.kind), m.id))


def schemas_present(conn: psycopg.Connection) -> list[str]:
    """``common`` and the registry's schemas that the database holds."""
    wanted = ["common", *admin.SCHEMAS]
    present = {r[0] for r in conn.execute("SELECT nspname::text FROM pg_namespace").fetchall()}
    return [s for s in wanted if s in present]


def report(outcomes: Sequence[Outcome], total: int, config: Config, seconds: float, *, sampled: bool) -> int:
    counts = Counter(o.status for o in outcomes)
    killed = counts["killed"]
    print()
    print(f"mutants run: {len(outcomes)}" + (f" (a sample of {total})" if sampled else ""))
    by_kind: dict[str, Counter[str]] = {}
    for o in outcomes:
        by_kind.setdefault(o.mutant.kind, Counter())[o.status] += 1
    for kind in KINDS:
        if kind in by_kind:
            c = by_kind[kind]
            print(f"  {kind:<18} {sum(c.values()):>4}  killed {c['killed']:>4}"
                  + "".join(f"  {s} {c[s]}" for s in ("equivalent", "survived", "error") if c[s]))
    equivalent = [o for o in outcomes if o.status == "equivalent"]
    survivors = [o for o in outcomes if o.status == "survived"]
    errors = [o for o in outcomes if o.status == "error"]
    if equivalent:
        print(f"\nequivalent mutants (survive; listed in {CONFIG} with the reason):")
        for o in equivalent:
            print(f"  {o.mutant.describe()}\n      why: {o.by}")
    stale = [o.mutant.id for o in outcomes if o.status == "killed" and o.mutant.id in config.equivalent]
    if stale:
        print(f"\nlisted as equivalent in {CONFIG} but killed now (remove them): " + ", ".join(stale))
    if errors:
        print("\nerrors (fix the tool or the suite):")
        for o in errors:
            print(f"  {o.mutant.describe()}\n      {o.by}")
    if survivors:
        print(f"\nSURVIVORS (no rule test failed; kill them with a test, or list them in {CONFIG} with why "
              "no test can):")
        for o in survivors:
            print(f"  {o.mutant.describe()}")
    score = 100.0 * killed / len(outcomes) if outcomes else 100.0
    judged = len(outcomes) - len(equivalent)  # the mutants a test could kill
    print(f"\nscore: {killed}/{len(outcomes)} killed = {score:.1f}%; of the {judged} not listed equivalent "
          f"{100.0 * killed / judged if judged else 100.0:.1f}%; equivalent {len(equivalent)}, "
          f"survivors {len(survivors)}, errors {len(errors)}; {seconds / 60:.1f} min")
    return 1 if survivors or errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaindb.mutation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=0, help="run N mutants drawn with --seed (0: all)")
    parser.add_argument("--seed", default="0", help="seed of the sample (any text)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="mutants at once")
    parser.add_argument("--only", help="only the mutants whose id matches this regular expression")
    parser.add_argument("--list", action="store_true", help="list the mutants and their changes; run nothing")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the check that the rule suite passes on the unchanged database")
    parser.add_argument("--timeout", type=int, default=STAGE_TIMEOUT, help="seconds per test stage")
    parser.add_argument("--json", type=Path, help="also write every outcome to this file")
    parser.add_argument("--triage", action="store_true",
                        help="run only the tests that name each mutant's objects: a quick list of the mutants that "
                             "may survive (the whole suite may still kill them); no score")
    args = parser.parse_args(argv)

    # A stopped run still stops its server and drops its databases (the finally clauses below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    root = project_root()
    config = Config.load(root)
    suite = Suite.discover(root, config)
    started = time.monotonic()
    server = None if os.environ.get("DATABASE_URL") else throwaway()
    try:
        server_url = server.url(database="postgres") if server else admin.libpq_url(os.environ["DATABASE_URL"])
        runner = Runner(server_url, suite, config, timeout=args.timeout, triage=args.triage)
        template_url = runner.prepare_template()
        try:
            with psycopg.connect(template_url, autocommit=True) as conn:
                schemas = schemas_present(conn)
                found = mutants(conn, schemas, [admin.APP_ROLE, admin.READONLY_ROLE])
            if args.only:
                found = [m for m in found if re.search(args.only, m.id)]
            # A sample is drawn from the mutants not listed as equivalent: those survive by definition, and
            # each costs a run of the whole suite; the full run re-checks them.
            drawable = [m for m in found if m.id not in config.equivalent]
            chosen = sample(drawable, args.sample, args.seed) if args.sample else list(found)
            print(f"mutants of {', '.join(schemas)}: {len(found)} "
                  f"({', '.join(f'{k} {n}' for k, n in Counter(m.kind for m in found).items())})")
            if args.list:
                for m in chosen:
                    print(f"  {m.describe()}")
                return 0
            print(f"rule tests: {len(suite.pgtap)} pgTAP files, {len(suite.pytest)} pytest modules "
                  f"({len(config.exclude)} paths excluded in {CONFIG}); running {len(chosen)} mutant(s), "
                  f"{args.jobs} at a time" + (f", sample seed {args.seed!r}" if args.sample else ""))
            if not args.no_baseline:
                failed = runner.baseline()
                if failed:
                    print(f"the rule suite fails on the unchanged database, so no mutant can be judged:\n{failed}")
                    return 2
                print(f"baseline: the rule suite passes on the unchanged database ({time.monotonic() - started:.0f}s)")
            outcomes: list[Outcome] = []
            printing = threading.Lock()

            def one(mutant: Mutant) -> Outcome:
                outcome = runner.run(mutant)
                if runner.stopped.is_set():
                    return outcome
                with printing:
                    outcomes.append(outcome)
                    detail = outcome.by if outcome.status != "equivalent" else "listed equivalent"
                    print(f"[{len(outcomes):>4}/{len(chosen)}] {outcome.status:<10} {mutant.id}  "
                          f"({outcome.seconds:.1f}s) {detail}"[:400], flush=True)
                return outcome

            pool = ThreadPoolExecutor(max_workers=max(1, args.jobs))
            try:
                list(pool.map(one, chosen))
            except BaseException:
                runner.stop()
                raise
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        finally:
            runner.drop_template()
    finally:
        if server:
            server.stop()
    seconds = time.monotonic() - started
    order = {m.id: k for k, m in enumerate(chosen)}
    outcomes.sort(key=lambda o: order[o.mutant.id])
    if args.json:
        args.json.write_text(json.dumps([
            {"id": o.mutant.id, "kind": o.mutant.kind, "schema": o.mutant.schema, "change": o.mutant.change,
             "status": o.status, "by": o.by, "stage": o.stage, "stages_run": o.ran, "seconds": round(o.seconds, 2)}
            for o in outcomes
        ], indent=1))
    if args.triage:
        print("\ntriage (the selected tests only): these may survive the whole rule suite:")
        for o in outcomes:
            if o.status in ("survived", "error"):
                print(f"  {o.status:<9} {o.mutant.describe()}")
        return 0
    return report(outcomes, len(found), config, seconds, sampled=bool(args.sample))
