"""The side-by-side benchmark runner behind ``make bench``.

A benchmark *item* compares two ways of doing one thing, A and B, on the same server in the
same process. The runner sets the item up once, then measures A and B in alternating order
(A B, B A, A B, ...) for a number of rounds, so that drift (other processes, caches, a table
that grows) touches both sides alike. It reports, per side, the median of the rounds and the
spread (the largest distance of a round from the median, in percent), their ratio A/B, the
item's goal and whether it is met.

Adding an item: a module in ``bench/items/`` that calls :func:`item` as a decorator on a
context manager taking a :class:`Context` and yielding a :class:`Pair`::

    @item("point_read", "point read: generated / raw tuple", a="generated", b="raw",
          unit="us/op", goal=at_most(1.05))
    @contextmanager
    def point_read(ctx: Context) -> Iterator[Pair]:
        url = ctx.database("cocopay")           # a fresh copy of the migrated template
        ...                                      # set up (not timed); ctx.progress() for long phases
        yield Pair(a=lambda: ..., b=lambda: ...) # each call measures one round, returns a number
        ...                                      # tear down

Sizes depend on ``ctx.quick`` (``make bench QUICK=1``: every item on small sizes, a smoke run
that only checks that every item runs). Every module in ``bench/items/`` is imported, in name
order; items run in registration order.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import pkgutil
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python"))

from chaindb import admin  # noqa: E402
from chaindb.embedded import bindir  # noqa: E402

# ------------------------------------------------------------------------------------------
# Goals


@dataclass(frozen=True)
class Goal:
    """What an item must show: a test on (median A, median B, ratio A/B) and its text."""

    text: str
    test: Callable[[float, float, float], bool]


def at_most(limit: float) -> Goal:
    return Goal(f"<= {limit:g}", lambda a, b, r: r <= limit)


def at_least(limit: float) -> Goal:
    return Goal(f">= {limit:g}", lambda a, b, r: r >= limit)


def a_at_most(limit: float, unit: str) -> Goal:
    """The goal is on A alone (e.g. a duration), B is the reference shown beside it."""
    return Goal(f"A <= {limit:g} {unit}", lambda a, b, r: a <= limit)


INFO = Goal("(info)", lambda a, b, r: True)


# ------------------------------------------------------------------------------------------
# Items


@dataclass
class Pair:
    """The two sides of a comparison: each call measures one round and returns its value."""

    a: Callable[[], float]
    b: Callable[[], float]


ItemFactory = Callable[["Context"], AbstractContextManager[Pair]]


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    a: str
    b: str
    unit: str
    goal: Goal
    factory: ItemFactory
    rounds: int = 5
    quick_rounds: int = 2
    higher_is_better: bool = False
    note: str = ""


REGISTRY: list[Item] = []


def item(
    key: str,
    title: str,
    *,
    a: str,
    b: str,
    unit: str,
    goal: Goal,
    rounds: int = 5,
    quick_rounds: int = 2,
    higher_is_better: bool = False,
    note: str = "",
) -> Callable[[ItemFactory], ItemFactory]:
    """Register a comparison (see the module docstring)."""

    def register(factory: ItemFactory) -> ItemFactory:
        if any(existing.key == key for existing in REGISTRY):
            raise ValueError(f"benchmark item {key!r} is registered twice")
        REGISTRY.append(
            Item(key, title, a, b, unit, goal, factory, rounds, quick_rounds, higher_is_better, note)
        )
        return factory

    return register


def load_items() -> list[Item]:
    from bench import items

    for module in sorted(pkgutil.iter_modules(items.__path__), key=lambda m: m.name):
        importlib.import_module(f"bench.items.{module.name}")
    return REGISTRY


# ------------------------------------------------------------------------------------------
# Context: the server, scratch databases, progress


def with_options(url: str, **settings: str) -> str:
    """The URL with ``-c name=value`` settings added to its libpq ``options``."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    extra = " ".join(f"-c {k}={v}" for k, v in settings.items())
    query["options"] = f"{query.get('options', '')} {extra}".strip()
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, quote_via=quote), ""))


class Context:
    """What an item gets: the server, fresh databases on it, sizes, progress output."""

    TEMPLATE = f"chaindb_bench_template_{os.getpid()}"

    def __init__(self, server_url: str, *, quick: bool) -> None:
        self.server_url = server_url
        self.quick = quick
        self._databases: list[str] = []
        self._template_ready = False
        self._shared: dict[str, str] = {}

    # databases

    def database(self, label: str, *, migrated: bool = True) -> str:
        """A new database (a copy of the migrated template, or empty); dropped at the end of the run."""
        if migrated and not self._template_ready:
            self.log("migrating every schema into the bench template database")
            admin.migrate(admin.create_database(self.server_url, self.TEMPLATE))
            self._template_ready = True
        name = f"chaindb_bench_{os.getpid()}_{label}"[:63]
        self._databases.append(name)
        return admin.create_database(self.server_url, name, template=self.TEMPLATE if migrated else None)

    def shared(self, label: str, build: Callable[[str], None]) -> str:
        """A database built once by ``build(url)`` and shared by the items that ask for ``label``."""
        if label not in self._shared:
            url = self.database(label)
            build(url)
            self._shared[label] = url
        return self._shared[label]

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        admin.drop_database(self.server_url, name)
        if name in self._databases:
            self._databases.remove(name)

    def cleanup(self) -> None:
        for name in [*self._databases, self.TEMPLATE]:
            admin.drop_database(self.server_url, name)
        self._databases.clear()

    @staticmethod
    def as_app(url: str) -> str:
        """The URL connecting as the application role (``chaindb_app``), as applications do."""
        return with_options(url, role="chaindb_app")

    # tools

    @staticmethod
    def tool(name: str) -> str:
        """A PostgreSQL program (pgbench, psql) of the installed server binaries."""
        return str(bindir() / name)

    # output

    @staticmethod
    def log(message: str) -> None:
        print(f"    {message}", flush=True)

    def progress(self, label: str, total: int) -> Callable[[int], None]:
        """A reporter ``report(done)`` that prints every tenth of ``total``."""
        last = [-1]
        started = time.perf_counter()

        def report(done: int) -> None:
            tenth = done * 10 // max(total, 1)
            if tenth != last[0]:
                last[0] = tenth
                elapsed = time.perf_counter() - started
                self.log(f"{label}: {done:,} / {total:,} ({elapsed:.1f} s)")

        return report


# ------------------------------------------------------------------------------------------
# Measuring and reporting


@dataclass
class Outcome:
    item: Item
    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.a) and bool(self.b)

    @property
    def ratio(self) -> float:
        b = statistics.median(self.b)
        return statistics.median(self.a) / b if b else float("inf")

    @property
    def met(self) -> bool:
        return self.ok and self.item.goal.test(statistics.median(self.a), statistics.median(self.b), self.ratio)


def spread(values: list[float]) -> float:
    """Largest distance of a round from the median, as a fraction of the median."""
    median = statistics.median(values)
    return max(abs(v - median) for v in values) / median if median else 0.0


def fmt_value(value: float) -> str:
    if value >= 10_000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def fmt_side(values: list[float], unit: str) -> str:
    return f"{fmt_value(statistics.median(values))} {unit} ±{spread(values):.0%}"


def run_item(it: Item, ctx: Context) -> Outcome:
    outcome = Outcome(it)
    rounds = it.quick_rounds if ctx.quick else it.rounds
    print(f"\n[{it.key}] {it.title}", flush=True)
    print(f"    A = {it.a}; B = {it.b}", flush=True)
    started = time.perf_counter()
    try:
        with it.factory(ctx) as pair:
            for n in range(rounds):
                order = ((pair.a, outcome.a), (pair.b, outcome.b))
                for measure, sink in order if n % 2 == 0 else reversed(order):
                    sink.append(float(measure()))
                print(
                    f"    round {n + 1}/{rounds}: A {fmt_value(outcome.a[-1])}, B {fmt_value(outcome.b[-1])} {it.unit}",
                    flush=True,
                )
    except Exception as exc:  # report the item as failed, go on with the others
        outcome.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    if outcome.ok:
        print(
            f"    A {fmt_side(outcome.a, it.unit)} (min {fmt_value(min(outcome.a))}, max {fmt_value(max(outcome.a))}); "
            f"B {fmt_side(outcome.b, it.unit)} (min {fmt_value(min(outcome.b))}, max {fmt_value(max(outcome.b))}); "
            f"A/B {outcome.ratio:.2f}; {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    return outcome


def table(outcomes: list[Outcome]) -> str:
    header = ("item", "A", "B", "A/B", "goal", "met")
    rows = [header]
    for o in outcomes:
        it = o.item
        if not o.ok:
            rows.append((it.key, "error", "", "", it.goal.text, "ERROR"))
            continue
        met = "—" if it.goal is INFO else ("yes" if o.met else "no")
        rows.append(
            (it.key, fmt_side(o.a, it.unit), fmt_side(o.b, it.unit), f"{o.ratio:.2f}", it.goal.text, met)
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    legend = [f"- `{o.item.key}`: {o.item.title} (A = {o.item.a}; B = {o.item.b})" for o in outcomes]
    notes = [f"  - `{o.item.key}`: {o.item.note}" for o in outcomes if o.item.note and o.ok and not o.met]
    out = "\n".join(lines) + "\n\n" + "\n".join(legend)
    if notes:
        out += "\n\nGoals not met:\n" + "\n".join(notes)
    return out


def machine() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    mem = model = ""
    with contextlib.suppress(OSError, StopIteration, ValueError):
        total = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        mem = f", {int(total.split()[1]) / 1024 / 1024:.0f} GiB"
    with contextlib.suppress(OSError, StopIteration):
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
        model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    return f"{platform.system()} {platform.machine()}, {cpus} CPUs{mem}{', ' + model if model else ''}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, few rounds: checks that every item runs")
    parser.add_argument("--only", nargs="*", default=[], help="run only these item keys")
    parser.add_argument("--list", action="store_true", help="list the items and exit")
    args = parser.parse_args(argv)

    items = load_items()
    if args.list:
        for it in items:
            print(f"{it.key:<24} {it.title}")
        return 0
    chosen = [it for it in items if not args.only or it.key in args.only]
    unknown = set(args.only) - {it.key for it in items}
    if unknown:
        parser.error(f"unknown item(s): {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    url = os.environ.get("DATABASE_URL")
    server: Any = None
    if url:
        url = admin.libpq_url(url)
        where = "the DATABASE_URL server"
    else:
        from chaindb.embedded import throwaway

        server = throwaway()
        url = server.url(database="postgres")
        where = "a throwaway server (fsync off)"
    assert url is not None
    print(f"chaindb bench{' (quick)' if args.quick else ''}: {len(chosen)} items on {where}", flush=True)
    print(f"machine: {machine()}", flush=True)
    ctx = Context(url, quick=args.quick)
    outcomes: list[Outcome] = []
    try:
        outcomes = [run_item(it, ctx) for it in chosen]
    finally:
        try:
            ctx.cleanup()
        finally:
            if server is not None:
                server.stop()
    print("\n" + table(outcomes))
    print(f"\n{'quick profile, ' if args.quick else ''}{time.perf_counter() - started:.0f} s in all")
    failed = [o.item.key for o in outcomes if not o.ok]
    if failed:
        print(f"items that did not run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
