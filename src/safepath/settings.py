"""The one settings object. Every value comes from a ``SAFEPATH_`` environment variable."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me-development-only"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFEPATH_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path(".safepath")
    # When unset, SQLite in ``data_dir``; a ``postgresql+psycopg://`` URL selects PostgreSQL.
    database_url: str | None = None
    # Secrets stay out of reprs (and so out of logs and tracebacks).
    secret_key: str = Field(default=PLACEHOLDER_SECRET, repr=False)
    # Key ring for field encryption: a file (0600) or the key material itself in the environment.
    key_file: Path | None = None
    keys: str | None = Field(default=None, repr=False)
    sqlite_busy_timeout_ms: int = 5000
    # Request threads per server worker; each worker's connection pool holds twice as many.
    server_threads: int = Field(default=16, ge=1, le=200)
    # Request bodies larger than this are refused with 413 (Content-Length and streamed bytes):
    # JSON and form posts, and multipart uploads.
    max_json_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    # A case attachment (a scanned document, a photo) is refused with 413 above this; it is held
    # in memory while it is checked and encrypted, never written to disk in clear.
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Small-cell suppression threshold for every aggregate that leaves the system.
    disclosure_threshold: int = Field(default=5, ge=1)
    # Disclosure control of microdata exports (safepath.privacy.disclosure.policy).
    disclosure_k: int = Field(default=3, ge=1)
    disclosure_max_global_risk: float = Field(default=0.03, gt=0, le=1)
    disclosure_max_individual_risk: float = Field(default=0.1, gt=0, le=1)
    # The key variables (and optional thresholds) per kind of export: a YAML file replacing the
    # shipped privacy/disclosure/export_kinds.yaml.
    disclosure_policy_file: Path | None = None
    session_timeout_minutes: int = Field(default=30, ge=1)
    token_ttl_minutes: int = Field(default=60, ge=1)
    # Days a record is kept after it is closed before the retention job anonymises it.
    retention_days_case: int = Field(default=5 * 365, ge=1)
    retention_days_person: int = Field(default=5 * 365, ge=1)
    retention_days_audit: int = Field(default=10 * 365, ge=1)
    default_language: Literal["en", "fr", "es", "ar"] = "en"
    # The casework instrument (form + risk model) from cases/instruments.yaml; None: its default.
    case_instrument: str | None = None
    # When a closed case counts as "protection outcome achieved" (safepath.cases.outcome.RULES).
    outcome_rule: Literal["phase_fell", "risk_fell", "phase_fell_or_minimal"] = "phase_fell"
    # Login throttling: this many failures within the window locks the account (and the address)
    # for the lockout period; answers 429 meanwhile.
    login_max_failures: int = Field(default=5, ge=1)
    login_max_failures_per_ip: int = Field(default=20, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    # Complaints (safepath.feedback): the agency that receives complaints sent without an account
    # (an organisation code; unset: the first agency registered), and the public intake's limit:
    # at most this many complaints per address within the window, then 429.
    complaints_agency: str | None = None
    complaint_public_limit: int = Field(default=10, ge=1)
    complaint_public_window_minutes: int = Field(default=60, ge=1)
    # Days a closed complaint keeps its free text and contact before retention blanks them.
    retention_days_complaint: int = Field(default=2 * 365, ge=1)
    # argon2id cost (defaults: the argon2-cffi / RFC 9106 "low memory" profile). Tests lower it.
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=1024)
    # Key rotation re-encrypts this many rows per committed batch, pausing between batches so the
    # database stays usable (the pause also lets a test interrupt it half-way).
    rotate_batch_size: int = Field(default=500, ge=1)
    rotate_batch_pause_ms: int = Field(default=0, ge=0)
    # Design-based estimates (safepath.analysis): groups with fewer records are flagged small_n;
    # a stratum with a single PSU is handled as R's options(survey.lonely.psu=...); the design
    # effect compares with simple random sampling without (R's deff=TRUE) or with replacement.
    analysis_small_n: int = Field(default=30, ge=1)
    analysis_lonely_psu: Literal["fail", "remove", "certainty", "adjust", "average"] = "fail"
    analysis_deff: Literal["without_replacement", "with_replacement"] = "without_replacement"
    # early warning (analysis alerts): an area phase rise of at least this many phases ...
    analysis_alert_phase_rise: int = Field(default=1, ge=1, le=4)
    # ... or a PiN rise of more than this fraction of the earlier round's PiN
    analysis_alert_pin_rise: float = Field(default=0.2, ge=0)
    # Four eyes: a role that reads personal data, granted by an admin, waits for another admin.
    role_grant_approval: bool = False
    # Duplicate detection at registration (safepath.privacy.matching): the score a candidate
    # needs to be shown, and how many years two birth years (or ages) may differ and still agree.
    match_threshold: float = Field(default=0.6, ge=0, le=1)
    match_age_tolerance_years: int = Field(default=2, ge=0, le=20)

    # Survey rounds: what happens to personal-data columns (free text, names, phone numbers, GPS,
    # device ids, flagged from the form's types) before a round is stored, and more column names
    # to treat as personal (comma-separated or a JSON list).
    survey_personal_data: Literal["encrypt", "drop"] = "encrypt"
    survey_personal_columns: Annotated[list[str], NoDecode] = []

    @field_validator("survey_personal_columns", mode="before")
    @classmethod
    def _column_list(cls, v: object) -> object:
        if isinstance(v, str):
            text = v.strip()
            if text.startswith("["):
                return json.loads(text)
            return [c.strip() for c in text.split(",") if c.strip()]
        return v

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == PLACEHOLDER_SECRET:
            raise ValueError(
                "SAFEPATH_SECRET_KEY is the development placeholder; "
                "set a real secret in production"
            )
        if self.environment == "production" and self.password_hash_memory_kib < 19456:
            # OWASP's floor for argon2id; lower costs are for tests only.
            raise ValueError(
                "SAFEPATH_PASSWORD_HASH_MEMORY_KIB below 19456 is refused in production"
            )
        return self

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'safepath.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    def ensure_data_dir(self) -> Path:
        """The data directory, created 0700 when missing (it holds the database and the keys)."""
        return ensure_private_dir(self.data_dir)


PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) if it does not exist; the directory created here is
    0700 whatever the umask. An existing directory keeps the mode its operator gave it."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        os.chmod(path, PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the CLI change the environment)."""
    get_settings.cache_clear()
