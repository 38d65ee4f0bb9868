"""Benchmarks, run by hand: ``python -m benchmarks.run_all`` or one ``benchmarks.bench_*``."""
