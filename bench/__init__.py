"""Benchmarks: they print figures and never fail. Run with `make bench`."""
