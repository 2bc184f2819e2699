"""Benchmarks, runnable with one command: `make bench` (= `.venv/bin/python -m bench`)."""
