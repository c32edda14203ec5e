"""Benchmarks of plan and apply against the network floor (see bench/README.md)."""
