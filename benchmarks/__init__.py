"""Benchmark tooling for newsdeinterleave (dev-only; not part of the library)."""
