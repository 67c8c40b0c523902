"""Server-rendered pages (Jinja2, vendored assets, four languages with Arabic right-to-left)."""
