"""Benchmarks: run with `make bench` or `python -m bench.NAME`. They measure; they are not tests."""
