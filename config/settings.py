"""Settings, read from the environment (see .env.example).

With no variable set, the whole portal runs on one machine with no services: SQLite,
Celery tasks run eagerly in-process, a local-memory cache and emails on the console.
DATABASE_URL and REDIS_URL switch it to PostgreSQL and Redis.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.cache import redis_caches

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for developers; the real environment always wins.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
_DEV_SECRET = "dev-only-insecure-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Django's admin on a site whose every model admin checks the rows an action ticks.
    "config.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "accounts",
    "trials",
    "screening",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL character in a path, query, form or cookie is a 400 before any query sees it.
    "config.request_guards.NulByteGuardMiddleware",
    # Django's SessionMiddleware, saving an unchanged session at most once a minute.
    "accounts.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "accounts.middleware.UserTimeZoneMiddleware",
    "csp.middleware.CSPMiddleware",
    # Turns django-ratelimit's refusal into RATELIMIT_VIEW (a kind 429 page).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Axes last: it turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A reused connection is checked before each request, so a database restart between two
# requests costs a reconnect, not a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # `make run`'s SQLite holds concurrent writers (patients applying while coordinators
    # change statuses): WAL lets readers go on during a write; every transaction takes the
    # write lock when it begins (IMMEDIATE), so two writers queue on the busy timeout
    # instead of failing with "database is locked" when both try to upgrade a read lock.
    # Source: https://www.sqlite.org/wal.html, https://www.sqlite.org/lang_transaction.html
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Redis down degrades the cache to "always a miss" (config/cache.py), never a 500.
    CACHES = redis_caches(
        REDIS_URL, timeout_seconds=env.float("REDIS_CACHE_TIMEOUT_SECONDS", default=0.5)
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The public catalogue pages (trial list, search, trial page) are kept this long in the
# cache for visitors without a session; 0 turns it off. Never pages with health data.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=60)

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The EN | FR switch (config/language.py) remembers the choice for a year, without an
# account; before any choice, the browser's Accept-Language decides.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Sign-in (django-allauth + mfa, django-axes, sessions) -------------------------------
# Coordinators handle health data: staff create their accounts (no self-signup), email is
# the login, two-factor (TOTP) is required of every team member and staff user (enforced
# by accounts.middleware.TwoFactorRequiredMiddleware), repeated failures lock the account.
AUTHENTICATION_BACKENDS = [
    # Axes first, so that a locked-out account is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:home"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Staff create accounts with addresses they know; there is no signup to verify.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Trial portal] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Trial portal")
# Accept the code of the neighbouring 30-second step too (RFC 6238 §5.2): phones' clocks
# drift and older users type slowly. Each code still works once only.
MFA_TOTP_TOLERANCE = 1
# OWASP ASVS 2.2.1 allows at most 100 failed attempts an hour; ten per account then an
# hour's lockout is well within it and still kind to a person who mistypes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# Per account on purpose: a hospital's staff often share one address, and a lock by
# address would let one stranger lock out a whole site. allauth's own rate limit already
# slows failures per address (ACCOUNT_RATE_LIMITS "login_failed").
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_CALLABLE = "accounts.adapters.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False
# A session ends after 30 minutes without a request (to within a minute: the session is
# rewritten at most once a minute, by accounts.middleware.IdleSessionMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Responses under these paths may show health data: never stored by a browser or proxy.
NO_STORE_PATH_PREFIXES = ("/dashboard/", "/accounts/", "/admin/")
# Paths where a team member or staff user must have two-factor set up before going on.
# Every signed-in page outside allauth's own (sign-in, sign-out, password, the second
# factor's set-up) is here: tests/test_signin_edges.py walks the URLs to hold it.
TWO_FACTOR_REQUIRED_PATH_PREFIXES = ("/dashboard/", "/admin/", "/account/")
# --- end of sign-in settings -----------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: the console in development; SMTP (or any backend) through the environment.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Trial portal <no-reply@localhost>")
# For Django's file-based backend (and the test suite's one-file-per-message backend).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-emails"))

# Celery: Redis is the broker when REDIS_URL is set; otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# The hard limit kills a stuck task; the soft one lets it give its claim back first.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int(
    "CELERY_TASK_SOFT_TIME_LIMIT", default=max(1, CELERY_TASK_TIME_LIMIT - 15)
)
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT.")
# Seconds each SMTP step (connect, each command's reply) may take. Below the task's soft
# limit, so a slow server ends the attempt by a socket timeout, which closes the
# connection before the server said "accepted", and the retry is the only copy. See
# screening/tasks.py for the duplicate window that remains.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=min(10.0, CELERY_TASK_SOFT_TIME_LIMIT / 3))
if not 0 < EMAIL_TIMEOUT < CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("EMAIL_TIMEOUT must be below CELERY_TASK_SOFT_TIME_LIMIT.")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that queues an email never waits long for a broker that is down: the row
# is committed, and the outbox sweeper sends the message once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Above the longest retry countdown (outbox backoff tops out near 75 minutes), so Redis
# does not hand a waiting retry to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Picks up emails whose message never reached the broker or was lost with a worker.
    "notifications-sweep": {"task": "screening.tasks.notifications_sweep", "schedule": 60.0},
    "drafts-remind": {"task": "screening.tasks.drafts_remind", "schedule": 15 * 60.0},
    # On the hour, every hour, so that each coordinator's 08:00 comes round in their own
    # time zone (half-hour zones get theirs at 08:30).
    "digests-send": {"task": "screening.tasks.digests_send", "schedule": crontab(minute=0)},
    # "Find trials for me" alerts: matches what the last import brought, within the hour.
    "saved-searches-alert": {
        "task": "screening.tasks.saved_searches_alert",
        "schedule": crontab(minute=30),
    },
    # The saved registry queries (admin: Registry sync queries), once a day at night.
    "registry-sync-daily": {
        "task": "trials.tasks.registry_sync_daily",
        "schedule": crontab(hour=3, minute=17),
    },
}

# The outbox. A sending attempt claims its row for longer than a task may live (the hard
# time limit kills it before), so a live claim always means a live sender.
NOTIFICATION_CLAIM_SECONDS = env.int(
    "NOTIFICATION_CLAIM_SECONDS", default=CELERY_TASK_TIME_LIMIT + 30
)
if NOTIFICATION_CLAIM_SECONDS <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("NOTIFICATION_CLAIM_SECONDS must exceed CELERY_TASK_TIME_LIMIT.")
# How long a queued row may wait for its message before the sweeper sends another.
NOTIFICATION_SWEEP_GRACE_SECONDS = env.int("NOTIFICATION_SWEEP_GRACE_SECONDS", default=120)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
# The first retry's wait in seconds; each later one waits twice as long (up to an hour).
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=30)

# Security. Served over HTTPS (behind a TLS-terminating proxy), every production setting
# of `manage.py check --deploy` is on: secure cookies, a redirect to HTTPS and HSTS for a
# year with subdomains and preload (https://hstspreload.org asks for all three). Each one
# has its own variable in .env.example; tests/test_deploy_settings.py holds them.
# Development is plain HTTP: SECURE_SSL is ignored while DEBUG is on.
SECURE_SSL = not DEBUG and env.bool("SECURE_SSL", default=SITE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
LANGUAGE_COOKIE_SECURE = SECURE_SSL
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE_SSL:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The load balancer's probe speaks plain HTTP to the application server.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# The client's address, for the audit trail, axes, django-ratelimit and allauth
# (accounts/client_ip.py): the number of reverse proxies in front of the application
# server that append to X-Forwarded-For. 0: REMOTE_ADDR, X-Forwarded-For ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Patient-facing protections (django-csp, django-ratelimit).
# A strict Content-Security-Policy on every page: scripts and styles only from this
# site, no inline script, forms post only here, never framed. Bootstrap's form icons
# are data: SVGs, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Submitting an application and emailing a resume link are limited per client address
# (TRUSTED_PROXY_COUNT decides it). With the cache unreachable the count is unknown and
# the request goes through: the limit is a defence, the application must not be lost.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "screening.patient.views.ratelimited"
RATELIMIT_IP_META_KEY = "accounts.client_ip.client_ip_for_ratelimit"
RATELIMIT_FAIL_OPEN = True
SCREENING_RATE_APPLY = env.str("SCREENING_RATE_APPLY", default="10/h")
SCREENING_RATE_EMAIL_LINK = env.str("SCREENING_RATE_EMAIL_LINK", default="5/h")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
