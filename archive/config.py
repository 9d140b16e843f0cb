"""Settings: declared once (name, default, help), merged defaults -> instance
file -> ARCHIVE_* environment variables -> test config."""

import os
import secrets
from pathlib import Path

#: name: (default, help)
SETTINGS = {
    "MAX_CONTENT_LENGTH": (20 * 1024 * 1024, "Largest accepted request body (uploads), bytes."),
    "PER_PAGE": (20, "Search results per page."),
    "SESSION_HOURS": (8, "Admin session lifetime, hours."),
    "LOGIN_ATTEMPTS": (5, "Failed logins allowed per (user, address) before it must wait."),
    "LOGIN_WINDOW": (15 * 60, "How long failed logins are remembered (and the longest wait), "
                              "seconds."),
    "LOGIN_BACKOFF": (30, "First wait past LOGIN_ATTEMPTS, seconds; doubles with each failure."),
    "LOGIN_ADDRESS_LIMIT": (20, "Failed logins per client address (any user names) within "
                                "LOGIN_WINDOW past which that address is refused."),
    "LOGIN_GLOBAL_LIMIT": (100, "Failed logins a minute (all users) past which every login "
                                "attempt is refused until the minute has passed (no password "
                                "is hashed). 0 turns it off."),
    "TRUSTED_PROXIES": (0, "Reverse proxies in front of the app whose X-Forwarded-For and "
                           "X-Forwarded-Proto are trusted (werkzeug ProxyFix); 0: none."),
    "BASE_URL": ("", "The public address, e.g. https://honors.example.org; an https address "
                     "makes the session cookie Secure and sends HSTS."),
    "ALLOWED_HOSTS": ("127.0.0.1,localhost,::1", "Without BASE_URL: the hosts (comma-separated) "
                      "whose Host header may become an absolute URL in citations, feeds and "
                      "canonical links; any other host gets paths only."),
    "IMPORT_JOB_ROWS": (2000, "A web import of more entries runs as a background job."),
    "SEND_TIMEOUT": (60, "Seconds a client may stop reading a response before it is dropped "
                         "(under gunicorn), freeing its thread."),
    "DOWNLOAD_SLOTS": (2, "Large downloads (exports, the public SQLite file, original notice "
                          "files) served at once per worker process; past them: 503 with "
                          "Retry-After. Keep it below GUNICORN_THREADS."),
    "PARSE_SECONDS": (60, "Longest a notice file may take to parse (wall clock), seconds; "
                          "a file that takes longer is refused."),
    "PARSE_CPU_SECONDS": (60, "CPU time a notice file may take to parse, seconds."),
    "PARSE_MEMORY_MB": (2048, "Address space the parsing process may use, MB (RLIMIT_AS)."),
    "PUBLISH_IN_BACKGROUND": (1, "After an import or a correction, rebuild the public SQLite "
                                 "file (/data, Datasette) in a background process; 0: only "
                                 "a re-index or `archive publish` rebuilds it."),
    "CACHE_MAX_AGE": (60, "Seconds a browser may reuse a public page or API answer without "
                          "asking again (then it revalidates with its ETag)."),
    "CACHE_S_MAXAGE": (300, "Seconds a shared cache (a CDN, nginx's proxy_cache) may serve a "
                            "public page or API answer before revalidating it."),
    "READ_ONLY": (0, "1: a read-only replica. It serves the public from releases that "
                     "`archive follow` installs; no admin.db, admin pages answer 404, nothing "
                     "is written."),
    "RELEASES_KEEP": (3, "Releases `archive release DIR` keeps in DIR (older ones are "
                         "removed)."),
    "BULK_INDEX_SHARE": (0.25, "An import that adds or changes more entries than this share of "
                               "the archive it joins (and more than BULK_INDEX_MIN) rebuilds the "
                               "index in parallel instead of updating it entry by entry. 0.25 by "
                               "measurement (docs/benchmarks.md): below it, updating is faster."),
    "BULK_INDEX_MIN": (200, "Up to this many entries an import always updates the index entry "
                            "by entry (into a nearly empty archive, rebuilding wins from about "
                            "250)."),
    "SITE_NAME": ("全国用户满意电信服务明星档案", "Name shown in page titles."),
    "DEMO": (0, "1 for a demonstration instance of generated, fictional notices (make demo): "
                "every page carries the 示例数据（虚构） banner."),
    "DATA_LICENSE": ("CC BY 4.0", "License of the compiled dataset, stated on /data and in the "
                                  "public SQLite file's Datasette metadata."),
    "DATA_LICENSE_URL": ("https://creativecommons.org/licenses/by/4.0/",
                         "Where the dataset's license is written."),
}


def instance_path():
    """The instance folder: $ARCHIVE_HOME, else ./instance (absolute)."""
    return Path(os.environ.get("ARCHIVE_HOME") or "instance").resolve()


def defaults():
    """The default settings as a dict."""
    return {name: default for name, (default, _) in SETTINGS.items()}


def from_environment(environ=None):
    """Settings given as ARCHIVE_<NAME> environment variables, typed like their defaults."""
    environ = os.environ if environ is None else environ
    out = {}
    for name, (default, _) in SETTINGS.items():
        raw = environ.get(f"ARCHIVE_{name}")
        if raw is not None:
            out[name] = type(default)(raw)
    return out


def load(home, test_config=None):
    """The settings of an instance, as every part reads them (web app, CLI, publishing,
    the parsing sandbox): defaults, then the instance folder's config.py, then ARCHIVE_*
    environment variables, then a test config. A flask.Config, which needs no app."""
    from flask import Config
    settings = Config(str(home))
    settings.from_mapping(defaults())
    settings.from_pyfile("config.py", silent=True)
    settings.update(from_environment())
    if test_config:
        settings.update(test_config)
    return settings


def secret_key(home):
    """The instance's secret key, generated on first use into a 0600 file.

    Written to a private temporary file and linked into place, so that
    workers starting together all read the same, complete key."""
    path = Path(home) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another worker was first: use its key
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
