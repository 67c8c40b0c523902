"""The ``safepath`` command line (typer + rich)."""
