"""What the API and the pages share: the database-session dependency, who is calling (bearer
token or session cookie), error responses and the security headers. Imports the domain below,
never ``safepath.api`` or ``safepath.web``."""
