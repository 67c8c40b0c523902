"""Case management: registration, assessment, plan, referral, follow-up, closure and outcomes.

Business rules live here; the API, the pages and the CLI call these services. Every service takes
the SQLAlchemy session and the acting ``Actor`` and enforces role, record scope, consent, version
and lifecycle; personal free text is stored encrypted and every access is audited.
"""
