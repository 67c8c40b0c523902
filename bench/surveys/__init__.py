"""Survey-round import benchmark: a synthetic Kobo XLSX export of Kobo's failing size and a
1M-row CSV, imported into stored rounds; pandas ``read_excel`` (openpyxl) as the reference."""
