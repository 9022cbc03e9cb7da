"""The side-by-side benchmark runner behind ``make bench``.

A benchmark *item* compares two ways of doing one thing, A and B, on the same server in the
same process. The runner sets the item up once, then measures A and B in alternating order
(A B, B A, A B, ...) for a number of rounds, so that drift (other processes, caches, a table
that grows) touches both sides alike. It reports, per side, the median of the rounds and the
spread (the largest distance of a round from the median, in percent), their ratio A/B, the
item's goal and whether it is met.

The ratio is paired: the median over rounds of each round's own A/B (A and B run back to back,
so a round in which the machine was busy weighs on both sides of its ratio), with the spread of
those round ratios beside it.

Sides that take microseconds (one call of a query) are measured call by call instead
(:func:`interleaved`): within a round every side is called on the same arguments, one call each
in turn, and a side's value is the median latency of its calls. On a machine shared with other
work, the ratio of two such medians moves by a few percent from round to round, where the ratio
of two rounds of calls timed one after the other moves by tens of percent. Such sides also report the client's (this
process's) CPU time per call (a :class:`Sample`): the table shows the CPU ratio beside the
wall-clock one.

A comparison may carry more sides, measured in the same rounds (``extra={"label": "what"}`` in
:func:`item` and ``Pair(extra={"label": measure})``): each gets a row ``<key>/<label>`` of its
own, its value against the item's B, for information (a floor, the previous way, one part of
the cost, ...).

Adding an item: a module in ``bench/items/`` that calls :func:`item` as a decorator on a
context manager taking a :class:`Context` and yielding a :class:`Pair`::

    @item("point_read", "point read: generated / raw tuple", a="generated", b="raw",
          unit="us/op", goal=at_most(1.05))
    @contextmanager
    def point_read(ctx: Context) -> Iterator[Pair]:
        url = ctx.database("cocopay")           # a fresh copy of the migrated template
        ...                                      # set up (not timed); ctx.progress() for long phases
        yield Pair(a=lambda: ..., b=lambda: ...) # each call measures one round: a number or a Sample
        # or, for calls of microseconds: yield interleaved({"a": fn_a, "b": fn_b}, lambda k: arguments)
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
from collections.abc import Callable, Mapping, Sequence
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


@dataclass(frozen=True)
class Sample:
    """One round of a side: its value, and the client (this process's) CPU time in the same unit."""

    value: float
    cpu: float


Measure = Callable[[], float | Sample]


@dataclass
class Pair:
    """The sides of a comparison: each call measures one round and returns its value (or a Sample).

    ``extra``: more sides, by the labels the item declares, measured in the same rounds.
    ``together``: instead of separate sides, one call measuring a round of every side at once
    (``a``, ``b`` and the extra labels; see :func:`interleaved`)."""

    a: Measure | None = None
    b: Measure | None = None
    extra: dict[str, Measure] = field(default_factory=dict)
    together: Callable[[], Mapping[str, float | Sample]] | None = None


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
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def sides(self) -> list[str]:
        return ["a", "b", *(label for label, _ in self.extra)]


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
    extra: dict[str, str] | None = None,
) -> Callable[[ItemFactory], ItemFactory]:
    """Register a comparison (see the module docstring)."""

    def register(factory: ItemFactory) -> ItemFactory:
        if any(existing.key == key for existing in REGISTRY):
            raise ValueError(f"benchmark item {key!r} is registered twice")
        REGISTRY.append(
            Item(key, title, a, b, unit, goal, factory, rounds, quick_rounds, higher_is_better, note,
                 tuple((extra or {}).items()))
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


def interleaved(calls: Mapping[str, Callable[[Any], object]], arguments: Callable[[int], Sequence[Any]]) -> Pair:
    """A comparison of single calls, measured call by call (``calls``: a function per side, by
    side: ``a``, ``b`` and the extra labels).

    Round ``k`` calls every side on each of ``arguments(k)``, one call per side in turn (the
    order rotating from one argument to the next), and gives per side the median latency of its
    calls and its mean CPU time per call, in microseconds.
    """
    rounds = iter(range(1_000_000))
    sides = list(calls)
    functions = [calls[side] for side in sides]
    clock, cpu_clock = time.perf_counter_ns, time.process_time_ns

    def measure() -> dict[str, Sample]:
        latencies: list[list[int]] = [[] for _ in sides]
        cpu = [0] * len(sides)
        n = len(sides)
        for i, argument in enumerate(arguments(next(rounds))):
            for j in range(n):
                side = (i + j) % n
                c0 = cpu_clock()
                t0 = clock()
                functions[side](argument)
                t1 = clock()
                cpu[side] += cpu_clock() - c0
                latencies[side].append(t1 - t0)
        return {
            side: Sample(statistics.median(latencies[k]) / 1e3, cpu[k] / len(latencies[k]) / 1e3)
            for k, side in enumerate(sides)
        }

    return Pair(together=measure)


@dataclass
class Outcome:
    item: Item
    values: dict[str, list[float]] = field(default_factory=dict)  # by side: "a", "b", the extra labels
    cpu: dict[str, list[float]] = field(default_factory=dict)
    error: str = ""

    @property
    def a(self) -> list[float]:
        return self.values.get("a", [])

    @property
    def b(self) -> list[float]:
        return self.values.get("b", [])

    def record(self, side: str, measured: float | Sample) -> None:
        if isinstance(measured, Sample):
            self.values.setdefault(side, []).append(measured.value)
            self.cpu.setdefault(side, []).append(measured.cpu)
        else:
            self.values.setdefault(side, []).append(float(measured))

    @property
    def ok(self) -> bool:
        rounds = len(self.b)
        return not self.error and rounds > 0 and all(len(self.values.get(s, [])) == rounds for s in self.item.sides)

    def round_ratios(self, side: str = "a", *, cpu: bool = False) -> list[float]:
        """Each round's side / B (the rounds run them back to back)."""
        series = self.cpu if cpu else self.values
        return [x / b if b else float("inf") for x, b in zip(series[side], series["b"], strict=True)]

    def ratio(self, side: str = "a", *, cpu: bool = False) -> float:
        """side / B: the median of the round ratios."""
        return statistics.median(self.round_ratios(side, cpu=cpu))

    def has_cpu(self, side: str = "a") -> bool:
        return side in self.cpu and "b" in self.cpu

    @property
    def met(self) -> bool:
        return self.ok and self.item.goal.test(statistics.median(self.a), statistics.median(self.b), self.ratio())


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


def fmt_ratio(o: Outcome, side: str = "a") -> str:
    """The ratio cell: ``1.03``, with the paired ratios' spread and the CPU ratio when there are."""
    text = f"{o.ratio(side):.2f}"
    if len(o.b) > 1:
        text += f" ±{spread(o.round_ratios(side)):.0%}"
    if o.has_cpu(side):
        text += f" (CPU {o.ratio(side, cpu=True):.2f})"
    return text


def run_item(it: Item, ctx: Context) -> Outcome:
    outcome = Outcome(it)
    rounds = it.quick_rounds if ctx.quick else it.rounds
    print(f"\n[{it.key}] {it.title}", flush=True)
    print(f"    A = {it.a}; B = {it.b}", flush=True)
    for label, text in it.extra:
        print(f"    {label} = {text}", flush=True)
    started = time.perf_counter()
    try:
        with it.factory(ctx) as pair:
            sides = it.sides
            if pair.together is None:
                if pair.a is None or pair.b is None:
                    raise ValueError(f"{it.key}: the pair has neither both sides nor `together`")
                if sorted(pair.extra) != sorted(sides[2:]):
                    raise ValueError(f"{it.key}: the pair's extra sides {sorted(pair.extra)} are not {sides[2:]}")
                # A and B next to each other in every round (A B C..., then ... C B A), for paired ratios
                order = list(zip(sides, [pair.a, pair.b, *(pair.extra[label] for label in sides[2:])], strict=True))
            for n in range(rounds):
                if pair.together is not None:
                    measured = pair.together()
                    if sorted(measured) != sorted(sides):
                        raise ValueError(f"{it.key}: a round measured {sorted(measured)}, not the declared {sides}")
                    for side in sides:
                        outcome.record(side, measured[side])
                else:
                    for side, measure in order if n % 2 == 0 else reversed(order):
                        outcome.record(side, measure())
                shown = ", ".join(f"{'AB'[i] if i < 2 else s} {fmt_value(outcome.values[s][-1])}"
                                  for i, s in enumerate(sides))
                print(f"    round {n + 1}/{rounds}: {shown} {it.unit}", flush=True)
    except Exception as exc:  # report the item as failed, go on with the others
        outcome.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    if outcome.ok:
        summary = "; ".join(
            f"{'AB'[i] if i < 2 else side} {fmt_side(outcome.values[side], it.unit)} "
            f"(min {fmt_value(min(outcome.values[side]))}, max {fmt_value(max(outcome.values[side]))})"
            for i, side in enumerate(it.sides)
        )
        print(f"    {summary}; A/B {fmt_ratio(outcome)}; {time.perf_counter() - started:.1f} s", flush=True)
    return outcome


def table(outcomes: list[Outcome]) -> str:
    header = ("item", "A", "B", "A/B", "goal", "met")
    rows = [header]
    legend = []
    for o in outcomes:
        it = o.item
        legend.append(f"- `{it.key}`: {it.title} (A = {it.a}; B = {it.b})")
        legend += [f"- `{it.key}/{label}`: {text}, against B of `{it.key}`" for label, text in it.extra]
        if not o.ok:
            rows.append((it.key, "error", "", "", it.goal.text, "ERROR"))
            continue
        met = "—" if it.goal is INFO else ("yes" if o.met else "no")
        b = fmt_side(o.b, it.unit)
        rows.append((it.key, fmt_side(o.a, it.unit), b, fmt_ratio(o), it.goal.text, met))
        for label, _ in it.extra:
            rows.append((f"{it.key}/{label}", fmt_side(o.values[label], it.unit), b, fmt_ratio(o, label),
                         INFO.text, "—"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
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
