"""Benchmarks of the dashboard; run from the project folder as modules: `python -m benchmarks.bench`."""
