"""Configuration from environment variables.

Every variable is listed in the README. ``create_app(config)`` accepts a mapping that
overrides them, which is how the tests configure the app.
"""

import math
import os
import secrets
from pathlib import Path


def _secret_key(instance_path):
    """Return SECRET_KEY, generating it once into instance/ so sessions survive restarts."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def _bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _float(name, default):
    value = float(os.environ.get(name, default))
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    return value


def from_environment(instance_path):
    """Build the configuration mapping from the process environment."""
    https = os.environ.get("PREFERRED_URL_SCHEME", "http") == "https"
    database_url = os.environ.get(
        "DATABASE_URL", f"sqlite:///{Path(instance_path) / 'pain_diary.sqlite'}"
    )
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "SESSION_COOKIE_NAME": "pain_diary_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "HSTS_ENABLED": https,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)),
        # An activity import's file (DESIGN §3): streamed into the database, never into memory.
        "IMPORT_MAX_BYTES": int(os.environ.get("IMPORT_MAX_BYTES", 1024 * 1024 * 1024)),
        "CLINICIAN_SIGNUP_CODE": os.environ.get("CLINICIAN_SIGNUP_CODE") or None,
        # Counts in the app's own database, shared by every worker (pain_diary.throttle).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or "database://",
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per minute"),
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per minute"),
        "INVITATION_LIMIT": os.environ.get("INVITATION_LIMIT", "10 per hour"),
        # Every registration attempt, counted before the view: each can cost an argon2 hash.
        "REGISTER_LIMIT_PER_ADDRESS": os.environ.get("REGISTER_LIMIT_PER_ADDRESS", "10 per hour"),
        # argon2id cost (RFC 9106 low-memory profile); hashes are upgraded on the next login.
        "ARGON2_TIME_COST": int(os.environ.get("ARGON2_TIME_COST", 3)),
        "ARGON2_MEMORY_COST": int(os.environ.get("ARGON2_MEMORY_COST", 65536)),
        "ARGON2_PARALLELISM": int(os.environ.get("ARGON2_PARALLELISM", 4)),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", 0)),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Attention-flag thresholds (DESIGN §4 "Flags"); the defaults are the contract's.
        "FLAG_PAIN_WORSENING_POINTS": _float("FLAG_PAIN_WORSENING_POINTS", 2.0),
        "FLAG_PAIN_WORSENING_PERCENT": _float("FLAG_PAIN_WORSENING_PERCENT", 30.0),
        "FLAG_LOW_ADHERENCE_PERCENT": _float("FLAG_LOW_ADHERENCE_PERCENT", 80.0),
        "FLAG_LOW_ADHERENCE_MIN_SCHEDULED": int(
            os.environ.get("FLAG_LOW_ADHERENCE_MIN_SCHEDULED", 5)
        ),
        "FLAG_HIGH_MME_WARNING": _float("FLAG_HIGH_MME_WARNING", 50.0),
        "FLAG_HIGH_MME_ALERT": _float("FLAG_HIGH_MME_ALERT", 90.0),
        "FLAG_LOGGING_GAP_DAYS": int(os.environ.get("FLAG_LOGGING_GAP_DAYS", 3)),
        "FLAG_POOR_SLEEP_EFFICIENCY_PERCENT": _float("FLAG_POOR_SLEEP_EFFICIENCY_PERCENT", 85.0),
        "FLAG_POOR_SLEEP_TOTAL_MINUTES": _float("FLAG_POOR_SLEEP_TOTAL_MINUTES", 360.0),
        # Reminders (DESIGN §5): sent by `flask scheduler run` only, never by the web process.
        "REMINDER_GRACE_MINUTES": int(os.environ.get("REMINDER_GRACE_MINUTES", 30)),
        # Where the links in reminder emails point: the address patients open the app at.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        "PUSH_ALLOW_HTTP": _bool("PUSH_ALLOW_HTTP", False),
        "VAPID_PRIVATE_KEY": os.environ.get("VAPID_PRIVATE_KEY") or None,
        "VAPID_PUBLIC_KEY": os.environ.get("VAPID_PUBLIC_KEY") or None,
        "VAPID_SUBJECT": os.environ.get("VAPID_SUBJECT", "mailto:reminders@pain-diary.invalid"),
        # Email, under the names Flask-Mail gives them; no MAIL_SERVER, no email.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 587)),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Pain Diary <reminders@localhost>"
        ),
        "MAIL_TIMEOUT": _float("MAIL_TIMEOUT", 10.0),
    }


def derive(config):
    """Fill in the settings that follow from others, once overrides are applied."""
    sqlite = config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        # A ping before each checkout lets the app heal after a PostgreSQL restart; SQLite has no
        # server to lose. SQL parameters (health data) never reach logs or error messages.
        {"pool_pre_ping": not sqlite, "hide_parameters": True},
    )


# Settings that are the same everywhere and not meant to be changed by operators.
FIXED = {
    "API_TITLE": "Pain Diary API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    # CSRF is checked by pain_diary.accounts.auth for cookie-authenticated requests only.
    "WTF_CSRF_CHECK_DEFAULT": False,
    "WTF_CSRF_TIME_LIMIT": None,
    "RATELIMIT_HEADERS_ENABLED": True,
    "JSON_SORT_KEYS": False,
}
