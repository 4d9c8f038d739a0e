"""Benchmarks for changegate: a synthetic enterprise generator and a runner.

Run `python -m benchmarks` (see benchmarks/README.md). Not part of the installed package.
"""
