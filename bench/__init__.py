"""chaindb benchmarks: ``python -m bench`` (``make bench``); see bench/harness.py."""
