"""Load benchmark of the case API: ``python -m bench.cases`` (see ``__main__``)."""
