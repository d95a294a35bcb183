"""Compatibility subset of ``ai4sci_bench.core`` (see the package docstring)."""
