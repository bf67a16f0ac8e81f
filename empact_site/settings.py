"""Settings for the EMPACT site. Everything that differs between a laptop, CI and production comes
from the environment (see README.md and .env.example); the rest is a plain constant."""

import contextlib
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import html_tags
from js_asset import static_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))
# The key, the SQLite database and backups hold messages and password hashes: the owner's alone.
# (An existing var/ keeps its mode; uploads in var/media stay readable, see README.)
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def env_flag(name, default="0"):
    return os.environ.get(name, default).strip() == "1"


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def load_secret_key():
    """The key from the environment; in development one is generated once into var/ (never in git).
    Production (DJANGO_SECURE=1) must set it: a key that silently changes logs everybody out."""
    if key := os.environ.get("DJANGO_SECRET_KEY"):
        return key
    if SECURE:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_SECURE=1.")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # Written whole into a temporary file (mode 0600), then linked into place: the key file
        # never exists without its key, and of processes starting at once the first link wins
        # and all read that key (issue 12: a file created empty, then written, was read empty).
        fd, temporary = tempfile.mkstemp(dir=VAR_DIR, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(50))
                f.flush()
                os.fsync(f.fileno())
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    if not (key := path.read_text().strip()):
        raise ImproperlyConfigured(f"{path} is empty: delete it and a new key is generated.")
    return key


# Checks silenced on purpose, each with its reason where it is added.
SILENCED_SYSTEM_CHECKS = []

DEBUG = env_flag("DJANGO_DEBUG")
SECURE = env_flag("DJANGO_SECURE")
BEHIND_PROXY = env_flag("DJANGO_BEHIND_PROXY")
SECRET_KEY = load_secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# The public base URL for canonical links, alternates, the sitemap, feeds and emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # modeltranslation must come before the admin so its admin integration wins.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.redirects",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "adminsortable2",
    "simple_history",
    "django_prose_editor",
    "core",
    "priorities",
    "cycle",
    "articles",
    "contact",
    "editorial",
    "search",
    "operations",
    "axes",
]

MIDDLEWARE = [
    "core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # NUL in the address or query string: the styled 400, never a database error.
    "core.middleware.RejectNullCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # On a 404, an old address whose slug has changed answers with a permanent redirect.
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    # A database outage is a styled 503 page in the visitor's language, not a stack trace.
    "core.middleware.DatabaseOutageMiddleware",
    # Last, as django-axes requires: refuses logins locked out after too many failures.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login: after AXES_FAILURE_LIMIT failures for one username, that login is refused for
# the cool-off period even with the right password. Reset: manage.py axes_reset_username NAME.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 suggests locking by address as well; the lock here is per username on purpose (an
# attacker rotating addresses still hits the same username's counter).
SILENCED_SYSTEM_CHECKS.append("axes.W006")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.errors.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "contact.ratelimit.client_address"
AXES_VERBOSE = False

ROOT_URLCONF = "empact_site.urls"
# django.contrib.redirects needs a site; canonical and absolute URLs come from SITE_URL instead.
SITE_ID = 1
WSGI_APPLICATION = "empact_site.wsgi.application"

TEMPLATES = [
    {
        # The public pages (core/templating.py explains why Jinja2).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "core.templating.environment",
            "context_processors": ["articles.context_processors.site"],
        },
    },
    {
        # The admin, and the few admin templates overridden in templates/admin/.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# SQLite is the zero-set-up default. Several processes (gunicorn workers, the mail worker) share
# the file: WAL lets readers and a writer work at once, the busy timeout waits for a lock instead
# of failing, and IMMEDIATE transactions take the write lock up front, so a transaction never has
# to upgrade a read lock (which fails at once with "database is locked").
SQLITE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or SQLITE_URL, conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Created empty and the owner's alone before SQLite first opens it; SQLite gives its -wal
    # and -shm files the database file's mode. An existing file is left as it is.
    sqlite_file = DATABASES["default"]["NAME"]
    if sqlite_file and sqlite_file != ":memory:" and not sqlite_file.startswith("file:"):
        with contextlib.suppress(FileExistsError, FileNotFoundError):
            os.close(os.open(sqlite_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that is down or hangs costs a visitor seconds, never a worker. libpq's knobs
    # (options in DATABASE_URL's query string win): connecting gives up after 2 s (libpq's
    # minimum); keepalives and tcp_user_timeout drop a link whose peer stops acknowledging (a
    # crashed host, a pulled cable) within about 10 s, even while idle; statement_timeout stops a
    # runaway query on the server. None of them notices a server that hangs while its kernel
    # still acknowledges: DATABASE_TIMEOUT does (core/db_deadline.py).
    # Django's backend, failing fast while a request's database is known to be unreachable.
    DATABASES["default"]["ENGINE"] = "core.postgresql"
    postgres_options = DATABASES["default"].setdefault("OPTIONS", {})
    postgres_options.setdefault("connect_timeout", 2)
    postgres_options.setdefault("keepalives", 1)
    postgres_options.setdefault("keepalives_idle", 5)
    postgres_options.setdefault("keepalives_interval", 2)
    postgres_options.setdefault("keepalives_count", 3)
    postgres_options.setdefault("tcp_user_timeout", 10_000)  # milliseconds
    postgres_options.setdefault("options", "-c statement_timeout=30s")
# The longest one database call of a web request may wait for an answer before its connection
# is dropped and the page answers the 503 (connecting is bounded by connect_timeout above).
DATABASE_TIMEOUT = float(os.environ.get("DATABASE_TIMEOUT", "3"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Shared by every process: Redis when REDIS_URL is set (several servers), otherwise a file cache
# under var/ that every process on this machine shares without any set-up.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "empact",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
# Danish pages use Django's Danish formats; English pages use British-style dates.
FORMAT_MODULE_PATH = ["core.formats"]
USE_I18N = True
USE_TZ = True

# Danish is the editors' language and the fallback for anything not yet translated.
MODELTRANSLATION_DEFAULT_LANGUAGE = "da"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("da",)

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
# Django serves uploads itself (with safe headers) unless the web server or object storage does.
SERVE_MEDIA = os.environ.get("DJANGO_SERVE_MEDIA", "1") == "1"
# Uploads: images only, at most this large (checked in the article form).
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 6000
FILE_UPLOAD_PERMISSIONS = 0o644

# modeltranslation's tabs need jQuery UI; it is served from our own static files, not a CDN.
JQUERY_UI_URL = "vendor/jquery-ui-1.14.2/jquery-ui.min.js"

# The rich-text editor's own extension for <span lang="..">, so phrases in the other language keep
# their language when an editor changes the text around them (see static/admin/prose-language.js).
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("admin/prose-language.js")],
        "extensions": {"Language": html_tags(["span"], {"span": ["lang"]})},
    }
]

# Whole-page cache of public pages (core/page_cache.py): invalidated on every content
# change. DJANGO_PAGE_CACHE=0 switches it off (benchmarks of the uncached site, debugging).
# Fragments of page content built once per content change (core/fragments.py) work with
# or without it; DJANGO_FRAGMENT_CACHE=0 switches them off. Both are off by default with
# DJANGO_DEBUG=1, where templates change without a deploy.
PAGE_CACHE = os.environ.get("DJANGO_PAGE_CACHE", "0" if DEBUG else "1") == "1"
PAGE_CACHE_SECONDS = 24 * 60 * 60
FRAGMENT_CACHE = os.environ.get("DJANGO_FRAGMENT_CACHE", "0" if DEBUG else "1") == "1"

# Mail (Django 6.1's MAILERS). Without EMAIL_HOST nothing is sent: contact messages stay pending
# in the inbox and /healthz says mail is not configured; with DJANGO_DEBUG=1 mail goes to the
# console instead.
# (Lower-case names: Django 6.1 refuses the old EMAIL_* settings beside MAILERS.)
email_host = os.environ.get("EMAIL_HOST", "")
if email_host:
    MAILERS = {
        "default": {
            # Django's SMTP backend with a deadline over the whole conversation (contact/mail.py).
            "BACKEND": "contact.mail.EmailBackend",
            "OPTIONS": {
                "host": email_host,
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_flag("EMAIL_USE_TLS"),
                # The most one attempt may take in all (connect, greeting, TLS, login, DATA),
                # however slowly the server answers; then the worker moves on.
                "timeout": float(os.environ.get("EMAIL_TIMEOUT", "10")),
            },
        }
    }
elif DEBUG:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {}
    # Deliberate: no mailer until EMAIL_HOST is set (see above); /healthz reports it.
    SILENCED_SYSTEM_CHECKS.append("mail.W001")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "EMPACT-siden <noreply@icare.dk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
CONTACT_RECIPIENT = os.environ.get("CONTACT_RECIPIENT", "info@icare.dk")
# The acknowledgement mailed to the visitor (its text is edited in the admin); 0 switches it off.
CONTACT_ACKNOWLEDGEMENT = os.environ.get("CONTACT_ACKNOWLEDGEMENT", "1") == "1"
# A lead not answered within this many working days (Monday-Friday, Copenhagen time) is overdue.
CONTACT_ANSWER_WORKING_DAYS = int(os.environ.get("CONTACT_ANSWER_WORKING_DAYS", "1"))
# A message not delivered after this long is flagged in the admin and in /healthz.
CONTACT_OVERDUE_MINUTES = 30
# Attempts before a message is marked failed (staff can resend it); waits double each time.
CONTACT_MAX_ATTEMPTS = 12
CONTACT_RETRY_BASE_SECONDS = 60
# /healthz reports the mail worker as stale when none has completed a round for this long.
CONTACT_WORKER_STALE_SECONDS = int(os.environ.get("CONTACT_WORKER_STALE_SECONDS", "60"))
# A message left "sending" this long (a worker crashed mid-send) goes back to pending.
CONTACT_STUCK_AFTER_SECONDS = 300
# purge_contact_messages deletes messages older than this; the privacy notice states it.
CONTACT_RETENTION_DAYS = int(os.environ.get("CONTACT_RETENTION_DAYS", "365"))
# Contact form POSTs per client address and window; 0 switches the limit off (benchmarks).
# Counted in Redis when REDIS_URL is set, otherwise in the database: never per process.
CONTACT_RATE_LIMIT = int(os.environ.get("CONTACT_RATE_LIMIT", "5"))
CONTACT_RATE_WINDOW_SECONDS = int(os.environ.get("CONTACT_RATE_WINDOW_SECONDS", "600"))
CSRF_FAILURE_VIEW = "contact.views.csrf_failure"

# One line per request (empact.request) and per error to stdout; JSON with LOG_FORMAT=json.
# Contact messages' personal data never reach a log line (ids only).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING_CONFIG = "core.logging.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.logging.JSONFormatter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        # 4xx lines are already in the request log; errors (5xx) keep their traceback here.
        "django.request": {"level": "ERROR"},
        "django.security.csrf": {"level": "WARNING"},
    },
}

# Security headers on every response. Public pages contain no inline code at all, so their
# policy needs no nonce (and a cached page stays valid).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The admin renders the rich-text editor's import map as an inline <script type="importmap">:
# Django 6.1's admin and django-js-asset give it the request's nonce, so the admin's policy
# adds the nonce (applied by core.middleware.SecurityHeadersMiddleware, like
# csp_override, to everything under /admin/).
# The editor (Tiptap inside django-prose-editor 0.28) also injects one fixed <style> element;
# its hash admits exactly that stylesheet and nothing else. A new editor version may change
# it: the browser test of the admin reports a CSP violation then.
PROSE_EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, PROSE_EDITOR_STYLE_HASH],
    "img-src": [CSP.SELF, "data:"],
    # The inbox's "Reply by email" button posts, then redirects to a mailto: link (which
    # form-action governs too).
    "form-action": [CSP.SELF, "mailto:"],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), browsing-topics=()"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

if SECURE:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # HSTS preload is the domain owner's decision (it binds every subdomain for good).
    SILENCED_SYSTEM_CHECKS.append("security.W021")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
