"""Settings, read only from the environment (see .env.example for every variable)."""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP

from config.storage import default_storage

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Only a debug server may run without a secret of its own.
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="insecure-dev-only-key" if DEBUG else environ.Env.NOTSET
)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "ninja",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "apps.core",
    "apps.accounts",
    "apps.organizations",
    "apps.sso",  # single sign-on per organization, above organizations
    "apps.surveys",
    "apps.scoring",
    "apps.plans",
    "apps.reports",
    "apps.demo",  # on top: the demo seed uses every app
]

MIDDLEWARE = [
    "apps.core.middleware.HealthCheckMiddleware",  # first: answers internal host names
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.core.audit.AuditMiddleware",  # who and from where, for the audit log
    "apps.core.middleware.ApiRateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.middleware.RefuseNulMiddleware",  # a NUL in the URL: 400, not a DataError
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "apps.organizations.context_processors.current_organization",
            ],
        },
    },
]

# --- Database: SQLite when DATABASE_URL is unset (the embedded default).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast (and answer 503 from /healthz) instead of hanging when PostgreSQL is away.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Hot statements (link lookup, autosave, dashboard version) prepared once per connection
# (apps/core/prepared.py); false behind a transaction-mode pooler that cannot follow them.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
if DATABASE_PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # psycopg prepares nothing while the threshold is None (Django's default): a threshold
    # no statement reaches lets those asked for be prepared, and no other.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "organizations:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # Django admin's log-in
    "allauth.account.auth_backends.AuthenticationBackend",
]
# django-allauth runs sign-up, log-in, e-mail verification and password reset and change
# (apps/accounts/adapter.py holds our rules). An address must be verified before the account
# can log in: the link e-mailed at sign-up, or the invitation link that brought the person.
ACCOUNT_ADAPTER = "apps.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_FORMS = {
    "signup": "apps.organizations.forms.OrganizationSignupForm",  # creates its organization
    "login": "apps.accounts.forms.LoginForm",
}
# accounts' sign-up page hands a sign-up through an invitation link to organizations' view.
INVITED_SIGNUP_VIEW = "apps.organizations.views.invited_signup"
ACCOUNT_EMAIL_NOTIFICATIONS = True  # "your password was changed" mails
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a mail scanner following the link confirms nothing
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True  # sign-up with a known address: same answer, owner mailed
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset for an unknown address sends nothing
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Maturity: "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # this session stays; every other one ends
ACCOUNT_SESSION_REMEMBER = True  # sessions last SESSION_COOKIE_AGE, as before
ACCOUNT_CHANGE_EMAIL = False
# Log-in, sign-up and reset requests are limited by apps.core.ratelimit (RATE_LIMITS and
# BACKOFF_LIMITS below): its log-in back-off lets the right password through after a delay,
# where allauth's own lock-out would refuse it. allauth keeps the limits of its other steps.
ACCOUNT_RATE_LIMITS = {
    "login_failed": False,
    "login": False,
    "signup": False,
    "reset_password": False,
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
# Single sign-on: each organization's own OpenID Connect provider, through allauth's
# openid_connect provider. apps/sso/adapter.py builds the provider from the organization's
# settings (no SocialApp rows); its id in URLs is the organization's slug, so the redirect URI to
# register is SITE_URL/accounts/oidc/<slug>/login/callback/. Client secrets are stored encrypted
# with SSO_ENCRYPTION_KEY (a Fernet key), or with a key derived from DJANGO_SECRET_KEY.
SOCIALACCOUNT_ADAPTER = "apps.sso.adapter.SsoAdapter"
SOCIALACCOUNT_LOGIN_ON_GET = False  # a link cannot start a sign-in; our buttons POST
SOCIALACCOUNT_AUTO_SIGNUP = True  # apps.sso decides who may join before an account is made
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # apps.sso links existing accounts by its own rules
SOCIALACCOUNT_STORE_TOKENS = False  # we only sign people in; no API calls on their behalf
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("SSO_REQUESTS_TIMEOUT", default=10)
SSO_ENCRYPTION_KEY = env("SSO_ENCRYPTION_KEY", default="")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=14)
REPORT_RETENTION_DAYS = env.int("REPORT_RETENTION_DAYS", default=30)
SURVEY_LINK_DAYS_AFTER_CLOSE = env.int("SURVEY_LINK_DAYS_AFTER_CLOSE", default=30)
ROUND_INVITES_PER_REQUEST = env.int("ROUND_INVITES_PER_REQUEST", default=100)
ROUND_INVITES_PER_ROUND_PER_DAY = env.int("ROUND_INVITES_PER_ROUND_PER_DAY", default=300)

# --- Internationalization
LANGUAGE_CODE = "en"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
MEDIA_URL = "media/"  # never served publicly: downloads go through permission-checked views
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Report files: MEDIA_ROOT, or an S3-compatible bucket (STORAGE_URL or AWS_*; config/storage.py).
STORAGES = {
    "default": default_storage(os.environ),
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# Downloads redirect to a URL signed for 60 s (issued after the permission check) instead of
# streaming through the web process; the bucket's endpoint must then be reachable by browsers.
STORAGE_PRESIGNED_DOWNLOADS = env.bool("STORAGE_PRESIGNED_DOWNLOADS", default=False)


# --- E-mail: console by default; EMAIL_URL selects SMTP (smtp+tls://user:pass@host:587),
# or the local outbox folder used by `make run` (outbox://).
def _mailer(url: str) -> dict:
    if url.startswith("outbox://"):
        return {"BACKEND": "apps.core.outbox.OutboxBackend"}
    config = env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    if not backend.endswith("smtp.EmailBackend"):
        return {"BACKEND": backend}
    options = {
        "host": config["EMAIL_HOST"],
        "port": config["EMAIL_PORT"],
        "username": config["EMAIL_HOST_USER"],
        "password": config["EMAIL_HOST_PASSWORD"],
        "use_tls": bool(config.get("EMAIL_USE_TLS")),
        "use_ssl": bool(config.get("EMAIL_USE_SSL")),
        "timeout": 15,
    }
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": _mailer(env("EMAIL_URL", default="consolemail://"))}
EMAIL_OUTBOX_DIR = Path(env("EMAIL_OUTBOX_DIR", default=str(VAR_DIR / "outbox")))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Maturity <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security. Production values come from the environment; see .env.example.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
    else None
)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "apps.core.sessions"  # database sessions that refuse malformed keys
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Cache (rate limits and sessions can share it); local memory unless Redis is configured.
REDIS_URL = env("REDIS_URL", default="")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A stopped Redis must cost a request milliseconds, not a hang.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/,
# so that `make run` needs no broker. Status lives in our tables, so no result backend.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
if CELERY_BROKER_URL.startswith("filesystem"):
    BROKER_DIR = Path(env("CELERY_FILESYSTEM_BROKER_DIR", default=str(VAR_DIR / "broker")))
    for sub in ("queue", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing gives up within about a second when the broker is down: the request goes on, and
# the job rows (apps.core.jobs) are published by the sweep once it is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
JOB_REQUEUE_GRACE_SECONDS = env.int("JOB_REQUEUE_GRACE_SECONDS", default=120)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
# Queues: "account" (password reset, address confirmation, sign-up notices) has a worker of its
# own so that it never waits behind "bulk" (invitations and reminders, hundreds at once);
# "celery", the default, has reports and the sweeps. apps.core.jobs routes a job by its task.
CELERY_TASK_DEFAULT_QUEUE = "celery"
JOB_QUEUES = {
    "apps.core.tasks.send_account_email": "account",
    "apps.core.tasks.send_rendered_email": "account",  # its callers are the account flows
    "apps.organizations.tasks.send_invitation_email": "bulk",
    "apps.surveys.tasks.send_participant_email": "bulk",
    "apps.plans.tasks.send_action_reminder": "bulk",
}
CELERY_TASK_ROUTES = {name: {"queue": queue} for name, queue in JOB_QUEUES.items()}
CELERY_BEAT_SCHEDULE = {
    "requeue-jobs": {"task": "apps.core.jobs.requeue_jobs", "schedule": 60.0},
    "delete-finished-jobs": {
        "task": "apps.core.jobs.delete_finished_jobs",
        "schedule": crontab(minute=29, hour=3),
    },
    "reclaim-stuck-reports": {
        "task": "apps.reports.tasks.reclaim_stuck_reports",
        "schedule": 120.0,
    },
    "delete-old-report-files": {
        "task": "apps.reports.tasks.delete_old_reports",
        "schedule": crontab(minute=41, hour=3),
    },
    "close-due-rounds": {
        "task": "apps.surveys.tasks.close_due_rounds",
        "schedule": 60.0,
    },
    "purge-expired-invitations": {
        "task": "apps.organizations.tasks.purge_expired_invitations",
        "schedule": crontab(minute=17, hour=3),
    },
    # Hourly: owners are reminded from 08:00 in their organization's time zone (apps.plans).
    "remind-due-actions": {
        "task": "apps.plans.tasks.remind_due_actions",
        "schedule": crontab(minute=7),
    },
    # Hourly: organizations whose 14 days since an owner asked to delete them have passed.
    "delete-due-organizations": {
        "task": "apps.organizations.tasks.delete_due_organizations",
        "schedule": crontab(minute=53),
    },
}

# --- Forms
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging: one readable line per record to stderr.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"secret_links": {"()": "apps.core.redaction.RedactSecretLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every layout step at INFO; keep its warnings (e.g. refused fetches).
    # Django logs the path of every 4xx/5xx: survey and reset links must not reach the logs.
    "loggers": {
        "django.request": {"filters": ["secret_links"]},
        "django.server": {"filters": ["secret_links"]},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Rate limits ("count/seconds" per scope; see apps/core/ratelimit.py). A refused request
# gets 429 with Retry-After. Behind a reverse proxy, set how many hops of X-Forwarded-For to trust.
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", default=True)
RATE_LIMIT_TRUSTED_PROXIES = env.int("RATE_LIMIT_TRUSTED_PROXIES", default=0)
# Log-in back-off, "free failures/longest wait in seconds": after the free failures each attempt
# waits 2, 4, 8 … seconds (up to the ceiling) before the password is checked; a success clears
# the account's count. An account under attack gets ~12 guesses an hour; its owner waits <= 5 min.
BACKOFF_LIMITS = {
    "login": "30/600",  # failed log-ins per address
    "login-account": "5/300",  # failed log-ins per e-mail address, from anywhere
}
RATE_LIMITS = {
    "password-reset": "10/3600",  # reset requests per address
    "password-reset-account": "3/3600",  # reset e-mails per e-mail address
    "signup": "10/3600",  # sign-ups per address
    "sso-start": "30/600",  # single sign-ons started per address (each asks the provider)
    "link-guess": "30/600",  # unknown survey or invitation links per address (real ones pass)
    "survey-link": "400/600",  # requests per survey link
    "invitations": "60/3600",  # invitation and reminder sends per person
    "api": "600/60",  # API calls per token, user or address
    "api-auth": "20/600",  # wrong API tokens per address
}
