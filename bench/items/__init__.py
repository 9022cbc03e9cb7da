"""Benchmark items: every module here registers its comparisons with ``bench.harness.item``."""
