"""Admin accounts: argon2 password hashes and login throttling."""

import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from . import config, store

_hasher = PasswordHasher()
# Verified against when the user does not exist, so timing does not tell.
_DUMMY = _hasher.hash("not-a-real-password")
MIN_PASSWORD = 10


class AuthError(Exception):
    """A login or account operation failed; the message is for the user."""


class Throttled(AuthError):
    """Too many failed logins recently."""


def create_user(db, name, password):
    """Create an admin account; raises AuthError for a taken name or weak password."""
    name = (name or "").strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise AuthError("用户名不能为空、不能含空格，最多 64 个字符。")
    if len(password or "") < MIN_PASSWORD:
        raise AuthError(f"密码至少需要 {MIN_PASSWORD} 个字符。")
    with store.transaction(db):
        if db.execute("select 1 from users where name = ?", [name]).fetchone():
            raise AuthError(f"用户 {name} 已存在。")
        db["users"].insert({"name": name, "password_hash": _hasher.hash(password),
                            "created_at": store.now()})


def user_exists(db, name):
    """Whether an account with this name exists."""
    return db.execute("select 1 from users where name = ?", [name]).fetchone() is not None


def session_version(db, name):
    """The user's session version (bumped by logout and password changes), or None."""
    row = db.execute("select session_version from users where name = ?", [name]).fetchone()
    return None if row is None else row[0] or 0


def end_sessions(db, name):
    """Invalidate every session of the user (logout, password change)."""
    with store.transaction(db):
        db.execute("update users set session_version = coalesce(session_version, 0) + 1 "
                   "where name = ?", [name])


def set_password(db, name, password):
    """Change a user's password and end their sessions; raises AuthError."""
    if len(password or "") < MIN_PASSWORD:
        raise AuthError(f"密码至少需要 {MIN_PASSWORD} 个字符。")
    with store.transaction(db):
        changed = db.execute("update users set password_hash = ?, session_version = "
                             "coalesce(session_version, 0) + 1 where name = ?",
                             [_hasher.hash(password), name]).rowcount
    if not changed:
        raise AuthError(f"用户 {name} 不存在。")


#: How long a login waits when failures across all users exceed the global ceiling.
SLOWDOWN_SECONDS = 1.0


def _locked_for(failures, now, limit, base_delay, window):
    """Seconds the (user, address) pair must still wait: none below the limit, then
    base_delay doubling with each further failure (capped at the window)."""
    if len(failures) < limit:
        return 0
    delay = min(base_delay * 2 ** (len(failures) - limit), window)
    return max(0, int(failures[-1] + delay - now))


def login(db, name, password, address, limit=None, window=None, base_delay=None,
          global_limit=None, now=None):
    """Check a login; returns the user name. Raises Throttled or AuthError.

    Limits default to the settings of archive/config.py. Failures are counted
    per (user name, client address) over `window` seconds: past `limit`, that pair waits base_delay seconds, doubling with
    each further failure. A correct password from any other address still
    gets in, so nobody can lock the admin out. Past `global_limit` failures
    a minute (all users), each attempt is slowed down, never refused. The
    attempt is recorded as a failure before the password is checked, in one
    transaction with the count, so concurrent attempts cannot overrun the
    limit; a correct password then clears the pair's failures.
    """
    settings = config.defaults()  # the limits are settings, declared once in config.py
    limit = limit or settings["LOGIN_ATTEMPTS"]
    window = window or settings["LOGIN_WINDOW"]
    base_delay = base_delay or settings["LOGIN_BACKOFF"]
    if global_limit is None:
        global_limit = settings["LOGIN_GLOBAL_LIMIT"]  # 0: no global slow-down
    now = time.time() if now is None else now
    name = (name or "").strip()[:64]
    with store.transaction(db):
        failures = [r[0] for r in db.execute(
            "select at from login_failures where username = ? and address = ? and at > ? "
            "order by at", [name, address, now - window])]
        wait = _locked_for(failures, now, limit, base_delay, window)
        if wait:
            error = Throttled(f"登录失败次数过多，请 {max(1, -(-wait // 60))} 分钟后再试。")
            error.retry_after = wait
            raise error
        recent = db.execute("select count(*) from login_failures where at > ?",
                            [now - 60]).fetchone()[0]
        attempt = db["login_failures"].insert(
            {"at": now, "username": name, "address": address}).last_pk
        db.execute("delete from login_failures where at < ?", [now - 7 * 86400])
    if global_limit and recent >= global_limit:
        time.sleep(SLOWDOWN_SECONDS)
    row = db.execute("select password_hash from users where name = ?", [name]).fetchone()
    try:
        _hasher.verify(row[0] if row else _DUMMY, password or "")
        if row is None:
            raise VerifyMismatchError()
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise AuthError("用户名或密码错误。") from None
    with store.transaction(db):
        db.execute("delete from login_failures where id = ? or (username = ? and address = ?)",
                   [attempt, name, address])
    return name
