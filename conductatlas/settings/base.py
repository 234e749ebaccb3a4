"""Settings shared by every environment. Everything that differs between machines comes from
environment variables (see .env.example); the defaults are the embedded mode: SQLite, tasks
in-process, files on the local disk."""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Without SITE_URL, the address `make run` serves on: this machine, at the port it was given.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "simple_history",
    "axes",
    "allauth",
    "allauth.account",
    "apps.core",
    "apps.platforms",
    "apps.regulations",
    "apps.documents",
    "apps.provisions",
    "apps.accounts",
    "apps.billing",
    "apps.monitoring",
    "apps.assist",
    "apps.catalog_demo",
    "apps.api",
    "apps.site",
    "apps.workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, reading the signed-in user from the cache (apps.core.viewer_cache).
    "apps.accounts.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Axes must come last: it inspects the outcome of authentication in the request.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "conductatlas.urls"

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
                "apps.core.context_processors.site",
                "apps.monitoring.context_processors.dashboard_link",
            ],
        },
    },
]

WSGI_APPLICATION = "conductatlas.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connections are kept between requests: opening one costs more than most pages (SQLite reads
# the whole schema at a connection's first query, over 10 ms at this schema's size).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
# A kept connection is checked before reuse, so a database restart costs the requests and tasks
# in flight at that moment, not every later one that would pick up a dead connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded mode serves pages while tasks write: WAL lets readers and the writer work at
    # once, and IMMEDIATE transactions take the write lock up front instead of failing midway.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))

# The archive of fetched bytes: the local disk (MEDIA_ROOT) by default; with several hosts, an
# S3-compatible bucket every web and worker host reaches: DJANGO_FILE_STORAGE=
# storages.backends.s3.S3Storage with the AWS_* settings below (keys from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY in the environment, as boto3 reads them).
STORAGES = {
    "default": {
        "BACKEND": env("DJANGO_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default=None)
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
# Objects stay private: archived bytes are served through the version pages, not the bucket.
AWS_DEFAULT_ACL = None

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Django's, reusing its Redis client object (apps/core/redis_cache.py).
    CACHES["default"]["BACKEND"] = "apps.core.redis_cache.RedisCache"
# Public pages served from the cache per viewer variant (apps.core.page_cache); writes to the
# catalog invalidate exactly the pages showing what they changed, so the timeout only bounds
# how long an unvisited copy holds memory.
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=24 * 3600)
# Sessions are read from the cache (written through to the database, which keeps them across
# a cache flush): a signed-in member's cached page costs no query for its session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# What a signed-in member's pages need of their account (organization, plan, unread count,
# watchlist) cached per member (apps.core.viewer_cache); the writes that change it invalidate
# it, so the timeout too only bounds memory.
VIEWER_CACHE_ENABLED = env.bool("VIEWER_CACHE_ENABLED", default=True)
VIEWER_CACHE_SECONDS = env.int("VIEWER_CACHE_SECONDS", default=24 * 3600)

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# Seconds an SMTP connection may block; a send that times out is retried.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Where the file-based backend (the embedded mode's alert emails) writes one file per email.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-emails"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ConductAtlas <alerts@conductatlas.test>")

# Celery: the embedded mode runs tasks in-process; production sets REDIS_URL and turns eager off.
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
# Kombu's Redis transport with one fix: a late acknowledgement on a channel whose connection the
# worker already closed (the broker went away) is a connection error, which the worker logs and
# survives, instead of an AttributeError that ends it (conductatlas/broker.py).
CELERY_BROKER_TRANSPORT = (
    "conductatlas.broker:Transport"
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else None
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Broker outages: a worker and beat wait for the broker (at start too) instead of exiting, and
# a worker that loses its broker connection cancels its running tasks, whose messages it can no
# longer acknowledge; the database holds what they were doing (leases, due times), so the
# dispatchers queue that work again once the broker is back.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# One dispatcher reads each document's own schedule; no periodic task per document.
DOCUMENTS_DISPATCH_EVERY_SECONDS = env.float("DOCUMENTS_DISPATCH_EVERY_SECONDS", default=60.0)
DOCUMENTS_SCRUB_EVERY_SECONDS = env.float("DOCUMENTS_SCRUB_EVERY_SECONDS", default=3600.0)
CELERY_BEAT_SCHEDULE = {
    "documents-dispatch": {
        "task": "apps.documents.tasks.dispatch_due_documents",
        "schedule": DOCUMENTS_DISPATCH_EVERY_SECONDS,
    },
    "documents-verify-archive": {
        "task": "apps.documents.tasks.verify_archive_batch",
        "schedule": DOCUMENTS_SCRUB_EVERY_SECONDS,
    },
    "documents-prune-fetch-attempts": {
        "task": "apps.documents.tasks.prune_fetch_attempts",
        "schedule": 24 * 3600.0,
    },
    "billing-reconcile": {
        "task": "apps.billing.tasks.reconcile_subscriptions",
        "schedule": crontab(hour=3, minute=17),
    },
    # Builds and queues the daily and weekly digests whose period has ended, in each
    # organization's own time zone (apps/monitoring/digests.py).
    "alerts-dispatch": {
        "task": "apps.monitoring.tasks.alerts_dispatch",
        "schedule": env.float("ALERTS_DISPATCH_EVERY_SECONDS", default=300.0),
    },
    # Queues the emails whose send is due again (apps/monitoring/sending.py).
    "alerts-retry": {
        "task": "apps.monitoring.tasks.alerts_retry",
        "schedule": env.float("ALERTS_RETRY_EVERY_SECONDS", default=60.0),
    },
}
# Wayback captures wait on a slow external service under a rate limit: their own queue keeps
# them from delaying document fetches (`celery worker -Q celery,wayback`, see the Procfile).
CELERY_TASK_ROUTES = {"apps.documents.tasks.wayback_capture": {"queue": "wayback"}}
# Document pipeline scheduling (apps/documents/services/scheduling.py). A snapshot task gets a
# soft time limit (it stops and releases its lease) and, later, a hard one (its process is
# killed). The dispatcher leases a document for the hard limit plus a margin (the time a
# queued task may wait for a worker), so a lease outlives any run that could hold it; the lease
# of a run whose worker died expires then, and the next dispatch queues the document again:
# a dead worker's document is fetched again within lease + one dispatch period.
DOCUMENTS_SNAPSHOT_TIME_LIMIT_SECONDS = env.int(
    "DOCUMENTS_SNAPSHOT_TIME_LIMIT_SECONDS", default=300
)
DOCUMENTS_SNAPSHOT_SOFT_TIME_LIMIT_SECONDS = env.int(
    "DOCUMENTS_SNAPSHOT_SOFT_TIME_LIMIT_SECONDS",
    default=int(DOCUMENTS_SNAPSHOT_TIME_LIMIT_SECONDS * 0.9),
)
DOCUMENTS_FETCH_LEASE_MARGIN_SECONDS = env.int("DOCUMENTS_FETCH_LEASE_MARGIN_SECONDS", default=60)
DOCUMENTS_FETCH_LEASE_SECONDS = (
    DOCUMENTS_SNAPSHOT_TIME_LIMIT_SECONDS + DOCUMENTS_FETCH_LEASE_MARGIN_SECONDS
)
# Each dispatch pass (every DOCUMENTS_DISPATCH_EVERY_SECONDS) queues the documents due now, most
# overdue first, up to what the workers can check before the next pass: WORKER_SLOTS (worker
# processes x concurrency, over every worker host) x the period / EXPECTED_CHECK_SECONDS. More
# would only wait in the broker while their leases run out. Leases are claimed DISPATCH_BATCH
# documents per statement.
DOCUMENTS_WORKER_SLOTS = env.int("DOCUMENTS_WORKER_SLOTS", default=4)
DOCUMENTS_EXPECTED_CHECK_SECONDS = env.float("DOCUMENTS_EXPECTED_CHECK_SECONDS", default=2.0)
DOCUMENTS_DISPATCH_BATCH = env.int("DOCUMENTS_DISPATCH_BATCH", default=500)
DOCUMENTS_FETCH_JITTER_SECONDS = env.float("DOCUMENTS_FETCH_JITTER_SECONDS", default=300.0)
# A transient fetch failure is tried again this many times (backoff from the base, doubling)
# before the document waits for its next regular check. Retries are due times in the database,
# which the dispatcher picks up, never messages held by a worker.
DOCUMENTS_FETCH_MAX_RETRIES = env.int("DOCUMENTS_FETCH_MAX_RETRIES", default=3)
DOCUMENTS_FETCH_RETRY_BASE_SECONDS = env.float("DOCUMENTS_FETCH_RETRY_BASE_SECONDS", default=60.0)
# A run cut off by the database going away waits this long for it to return, then gives its
# lease back so that the document is fetched again at the next dispatch, not a lease later.
DOCUMENTS_DATABASE_WAIT_SECONDS = env.float("DOCUMENTS_DATABASE_WAIT_SECONDS", default=30.0)
# The scrub re-hashes the whole archive every SCRUB_DAYS: each run (every
# DOCUMENTS_SCRUB_EVERY_SECONDS) takes its share of the archive, least recently verified first.
DOCUMENTS_SCRUB_DAYS = env.float("DOCUMENTS_SCRUB_DAYS", default=7.0)
# The admin lists documents failing at least this many fetches in a row.
DOCUMENTS_FAILING_THRESHOLD = env.int("DOCUMENTS_FAILING_THRESHOLD", default=3)
# Fetch attempts older than this are deleted daily (each document's latest is always kept).
DOCUMENTS_FETCH_ATTEMPT_RETENTION_DAYS = env.int(
    "DOCUMENTS_FETCH_ATTEMPT_RETENTION_DAYS", default=90
)

# Redis hands a message whose worker died unacknowledged to another worker after the visibility
# timeout. Recovery does not wait for it (leases and due times in the database do), so it only
# has to be longer than any task runs, lest a running task be delivered twice: at least the
# snapshot lease (`manage.py check` warns otherwise).
CELERY_BROKER_TRANSPORT_OPTIONS = env.json(
    "CELERY_BROKER_TRANSPORT_OPTIONS", default={"visibility_timeout": 3600}
)

# Alerts and digests (apps/monitoring). Emails are sent in batches over one SMTP connection;
# a transient failure is retried with exponential backoff from the base, at most MAX_ATTEMPTS
# sends in all, then the delivery ends as failed with the error kept.
ALERTS_SEND_BATCH = env.int("ALERTS_SEND_BATCH", default=500)
ALERTS_SEND_MAX_ATTEMPTS = env.int("ALERTS_SEND_MAX_ATTEMPTS", default=5)
ALERTS_SEND_RETRY_BASE_SECONDS = env.float("ALERTS_SEND_RETRY_BASE_SECONDS", default=60.0)
# Retries are due times on the rows, not delayed messages: every ALERTS_RETRY_EVERY_SECONDS a
# pass queues at most ALERTS_RETRY_BATCH due rows. A queued send has ALERTS_SEND_CLAIM_SECONDS
# to happen before the pass queues it again (its worker died, its message was lost).
ALERTS_RETRY_BATCH = env.int("ALERTS_RETRY_BATCH", default=5000)
ALERTS_SEND_CLAIM_SECONDS = env.int("ALERTS_SEND_CLAIM_SECONDS", default=900)
# The fan-out of a change event is queued when its version commits; the retry pass queues again
# the fan-out of an event at least ALERTS_FAN_OUT_CLAIM_SECONDS old (and at most
# ALERTS_FAN_OUT_LOOKBACK_HOURS: older news goes to digests only) whose fan-out never finished.
ALERTS_FAN_OUT_CLAIM_SECONDS = env.int("ALERTS_FAN_OUT_CLAIM_SECONDS", default=300)
ALERTS_FAN_OUT_LOOKBACK_HOURS = env.int("ALERTS_FAN_OUT_LOOKBACK_HOURS", default=48)
# Days an emailed unsubscribe link stays valid.
ALERTS_UNSUBSCRIBE_MAX_AGE_DAYS = env.int("ALERTS_UNSUBSCRIBE_MAX_AGE_DAYS", default=90)

# Wayback Machine (Save Page Now) captures of changed documents: off unless keys are given.
WAYBACK_ENABLED = env.bool("WAYBACK_ENABLED", default=False)
WAYBACK_ACCESS_KEY = env("WAYBACK_ACCESS_KEY", default="")
WAYBACK_SECRET_KEY = env("WAYBACK_SECRET_KEY", default="")
WAYBACK_ENDPOINT = env("WAYBACK_ENDPOINT", default="https://web.archive.org")
WAYBACK_RATE_LIMIT = env("WAYBACK_RATE_LIMIT", default="6/m")
# A capture's runs are due times on its version, queued by a pass every
# WAYBACK_DISPATCH_EVERY_SECONDS (at most WAYBACK_DISPATCH_BATCH a pass): a pending job is
# polled every WAYBACK_POLL_SECONDS (Save Page Now usually takes a minute or two), a failed
# request retried with backoff, WAYBACK_MAX_ATTEMPTS runs in all; a queued run that has not
# happened within WAYBACK_CLAIM_SECONDS is queued again.
WAYBACK_DISPATCH_EVERY_SECONDS = env.float("WAYBACK_DISPATCH_EVERY_SECONDS", default=60.0)
WAYBACK_DISPATCH_BATCH = env.int("WAYBACK_DISPATCH_BATCH", default=100)
WAYBACK_POLL_SECONDS = env.int("WAYBACK_POLL_SECONDS", default=30)
WAYBACK_MAX_ATTEMPTS = env.int("WAYBACK_MAX_ATTEMPTS", default=20)
WAYBACK_CLAIM_SECONDS = env.int("WAYBACK_CLAIM_SECONDS", default=900)
CELERY_BEAT_SCHEDULE["documents-wayback-dispatch"] = {
    "task": "apps.documents.tasks.dispatch_wayback_captures",
    "schedule": WAYBACK_DISPATCH_EVERY_SECONDS,
}

# The API (apps/api): JSON only, keys as the one way to authenticate, errors in one shape.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["apps.api.throttles.PlanRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "apps.api.pagination.CappedPageNumberPagination",
    "EXCEPTION_HANDLER": "apps.api.errors.exception_handler",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=50),
    # The catalog is public: an anonymous caller is not a user of the site.
    "UNAUTHENTICATED_USER": None,
    # The number of proxies in front of the web process, so the client's IP (not the proxy's)
    # is the one throttled; 0 trusts no X-Forwarded-For.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
}
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=100)
# Callers without a key, counted per IP address. Keys follow their plan's rates.
API_ANONYMOUS_REQUESTS_PER_MINUTE = env.int("API_ANONYMOUS_REQUESTS_PER_MINUTE", default=30)
API_ANONYMOUS_REQUESTS_PER_DAY = env.int("API_ANONYMOUS_REQUESTS_PER_DAY", default=2000)
# The licence the open-data export (manage.py export_dataset) is published under: ConductAtlas's
# own curation and analysis. The documents' texts remain their publishers' work.
DATASET_LICENSE = env("DATASET_LICENSE", default="CC BY 4.0")
SPECTACULAR_SETTINGS = {
    "TITLE": "ConductAtlas API",
    "DESCRIPTION": "The public catalog of platforms' terms, their archived versions and curated "
    "provisions, and an organization's watchlist. Errors share one shape: "
    '`{"message": ..., "extra": {...}}`. Send an organization\'s key as '
    "`Authorization: Bearer <key>`; without one the catalog is read as a visitor.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Document fetcher (apps/documents/fetcher/). FETCHER_ALLOWED_HOSTS names "host:port" servers
# exempt from the public-address check on a fetch's first request, never on a redirect hop
# (local tests and demos only); it is empty in production.
FETCHER_ALLOWED_HOSTS = env.list("FETCHER_ALLOWED_HOSTS", default=[])
# Where the per-host politeness state (spacing, Retry-After pauses) lives so that every worker
# shares it: Redis when workers run apart, the process itself in the embedded mode ("").
FETCHER_THROTTLE_REDIS_URL = env(
    "FETCHER_THROTTLE_REDIS_URL", default="" if CELERY_TASK_ALWAYS_EAGER else REDIS_URL
)
FETCHER_USER_AGENT = env(
    "FETCHER_USER_AGENT", default=f"ConductAtlasBot/1.0 (+{SITE_URL}/methodology/)"
)
FETCHER_CONNECT_TIMEOUT = env.float("FETCHER_CONNECT_TIMEOUT", default=10.0)
FETCHER_READ_TIMEOUT = env.float("FETCHER_READ_TIMEOUT", default=30.0)
FETCHER_TOTAL_TIMEOUT = env.float("FETCHER_TOTAL_TIMEOUT", default=60.0)
FETCHER_MAX_BYTES = env.int("FETCHER_MAX_BYTES", default=10 * 1024 * 1024)
FETCHER_MAX_REDIRECTS = env.int("FETCHER_MAX_REDIRECTS", default=5)
FETCHER_PER_HOST_DELAY = env.float("FETCHER_PER_HOST_DELAY", default=1.0)
FETCHER_CA_BUNDLE = env("FETCHER_CA_BUNDLE", default="")
# Extraction and ingest: less text than this is an error page, a consent wall or a broken
# selector, never a legal document (the shortest real document in the corpus has about 800
# words). Characters are counted in the extracted Markdown, words in the normalised text.
EXTRACTION_MIN_CHARS = env.int("EXTRACTION_MIN_CHARS", default=200)
EXTRACTION_MIN_WORDS = env.int("EXTRACTION_MIN_WORDS", default=50)
# A return to an earlier version's text is a flip-flop (not recorded) only when that text is at
# most this many versions behind the latest and was replaced at most this many days ago;
# otherwise it is a change that restores the earlier text.
DOCUMENTS_FLIPFLOP_MAX_VERSIONS = env.int("DOCUMENTS_FLIPFLOP_MAX_VERSIONS", default=3)
DOCUMENTS_FLIPFLOP_MAX_DAYS = env.int("DOCUMENTS_FLIPFLOP_MAX_DAYS", default=30)

# Curator assistance (apps/assist): each recorded version's sentences are classified into clause
# suggestions in the background. The trained model is written by `manage.py train_clause_model`;
# without it (or with a corrupt file) a small model trained at first use stands in, and the
# admin says so.
CLAUSE_SUGGESTIONS_ENABLED = env.bool("CLAUSE_SUGGESTIONS_ENABLED", default=True)
CLAUSE_MODEL_PATH = env.path(
    "CLAUSE_MODEL_PATH", default=str(BASE_DIR / "var" / "clause-model.npz")
)
CLAUSE_TRAINING_FILE = env.path(
    "CLAUSE_TRAINING_FILE",
    default=str(BASE_DIR.parent / "shared" / "benchmarks" / "unfair_tos" / "train.jsonl"),
)

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
# Axes guards staff accounts on every login path and every account on the admin's login;
# allauth's ACCOUNT_RATE_LIMITS guard everyone else on the public forms.
AXES_WHITELIST_CALLABLE = "apps.accounts.security.is_exempt_from_lockout"
AXES_USERNAME_CALLABLE = "apps.accounts.security.login_identifier"
AXES_RESET_ON_SUCCESS = True

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "apps.accounts.adapter.AccountAdapter"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ConductAtlas] "
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# Counted in the default cache (Redis in production, so every web process shares the counts).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/h/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ORGANIZATION_INVITATION_MAX_AGE_DAYS = env.int("ORGANIZATION_INVITATION_MAX_AGE_DAYS", default=7)
# Each invitation is an email sent from our address to an address a user chose.
ORGANIZATION_INVITATIONS_PER_HOUR = env.int("ORGANIZATION_INVITATIONS_PER_HOUR", default=20)

# Stripe (apps/billing/stripe_gateway.py). Without STRIPE_SECRET_KEY online payment is off: the
# pricing page says so and members ask an admin for a plan instead.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
# Seconds a webhook's signed timestamp may be old before it is refused as a replay.
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env.int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", default=300)
# Stripe price ids per plan code and billing interval; an empty id hides that choice.
STRIPE_PRICE_IDS = {
    "watcher": {
        "monthly": env("STRIPE_PRICE_WATCHER_MONTHLY", default=""),
        "yearly": env("STRIPE_PRICE_WATCHER_YEARLY", default=""),
    },
    "professional": {
        "monthly": env("STRIPE_PRICE_PROFESSIONAL_MONTHLY", default=""),
        "yearly": env("STRIPE_PRICE_PROFESSIONAL_YEARLY", default=""),
    },
}
