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
    "LOGIN_ATTEMPTS": (5, "Failed logins allowed per user and per address in LOGIN_WINDOW."),
    "LOGIN_WINDOW": (15 * 60, "Throttling window for failed logins, seconds."),
    "SITE_NAME": ("全国用户满意电信服务明星档案", "Name shown in page titles."),
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
