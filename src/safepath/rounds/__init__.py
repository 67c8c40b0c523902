"""Survey rounds stored: XLSForm versions and imported rounds, catalogued in the database with
their tables as Parquet files in the data directory (personal columns encrypted or dropped).

Above ``surveys`` (reading and checking exports, pure), ``store`` (the catalogue) and ``privacy``
(the key ring, audit); below the CLI, the API and the web pages, which call these services.
"""
