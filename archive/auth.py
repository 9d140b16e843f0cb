"""Admin accounts: argon2 password hashes and login throttling."""

import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .db import store

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


def _locked_for(failures, now, limit, base_delay, window):
    """Seconds the (user, address) pair must still wait: none below the limit, then
    base_delay doubling with each further failure (capped at the window)."""
    if len(failures) < limit:
        return 0
    delay = min(base_delay * 2 ** (len(failures) - limit), window)
    return max(0, int(failures[-1] + delay - now))


def _throttled(message, wait):
    error = Throttled(message)
    error.retry_after = max(1, int(wait))
    return error


def login(db, name, password, address, settings, limit=None, window=None, base_delay=None,
          global_limit=None, address_limit=None, now=None):
    """Check a login; returns the user name. Raises Throttled or AuthError.

    settings: the instance's settings (LOGIN_ATTEMPTS, LOGIN_WINDOW, LOGIN_BACKOFF,
    LOGIN_GLOBAL_LIMIT, LOGIN_ADDRESS_LIMIT), which the other arguments override
    (tests). Every limit is checked
    before any password hash is computed, and past it the attempt is refused
    (Throttled, with a Retry-After), never slept on, so a flood of logins costs
    the server almost nothing:
    - per client address, any user names: `address_limit` failures in `window`
      seconds (random user names from one address are one attacker);
    - per (user name, address): past `limit` failures, that pair waits base_delay
      seconds, doubling with each further failure; a correct password from any
      other address still gets in, so nobody can lock the admin out from afar;
    - all users: past `global_limit` failures a minute, every attempt is refused
      until the minute has passed (0 turns it off).
    An unknown user name is checked against a dummy hash, so it costs the same as
    a known one. The attempt is recorded as a failure before the password is
    checked, in one transaction with the counts, so concurrent attempts cannot
    overrun a limit; a correct password then clears the pair's failures.
    """
    limit = limit or settings["LOGIN_ATTEMPTS"]
    window = window or settings["LOGIN_WINDOW"]
    base_delay = base_delay or settings["LOGIN_BACKOFF"]
    address_limit = address_limit or settings["LOGIN_ADDRESS_LIMIT"]
    if global_limit is None:
        global_limit = settings["LOGIN_GLOBAL_LIMIT"]
    now = time.time() if now is None else now
    name = (name or "").strip()[:64]
    with store.transaction(db):
        from_address = [r[0] for r in db.execute(
            "select at from login_failures where address = ? and at > ? order by at",
            [address, now - window])]
        if len(from_address) >= address_limit:
            wait = from_address[len(from_address) - address_limit] + window - now
            raise _throttled(f"这个地址登录失败次数过多，请 {max(1, -(-int(wait) // 60))} 分钟后再试。",
                             wait)
        failures = [r[0] for r in db.execute(
            "select at from login_failures where username = ? and address = ? and at > ? "
            "order by at", [name, address, now - window])]
        wait = _locked_for(failures, now, limit, base_delay, window)
        if wait:
            raise _throttled(f"登录失败次数过多，请 {max(1, -(-wait // 60))} 分钟后再试。", wait)
        if global_limit:
            recent = [r[0] for r in db.execute(
                "select at from login_failures where at > ? order by at", [now - 60])]
            if len(recent) >= global_limit:
                raise _throttled("登录尝试过于频繁，请一分钟后再试。",
                                 recent[len(recent) - global_limit] + 60 - now)
        attempt = db["login_failures"].insert(
            {"at": now, "username": name, "address": address}).last_pk
        db.execute("delete from login_failures where at < ?", [now - 7 * 86400])
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
