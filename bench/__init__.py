"""Safepath benchmarks: ``python -m bench`` (``make bench``) runs every suite, or ``--only``."""
