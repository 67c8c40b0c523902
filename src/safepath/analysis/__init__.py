"""Protection analysis: design-based estimates and people in need (docs in each module).

``estimate`` (``safepath.analysis.estimates``) gives weighted proportions and means with
Taylor-linearised standard errors for stratified, clustered designs, overall and by group, as R's
``survey`` package does; ``people_in_need`` (``safepath.analysis.pin``) turns the share of
records at phase >= p into people, with an interval, from a sample frame or DTM figures.
Every function takes an Ibis table, so a stored survey round and a file read by the CLI are
estimated alike.
"""
