"""Admin accounts: argon2 password hashes and login throttling."""

import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .db import private, store

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
        if private.user_exists(db, name):
            raise AuthError(f"用户 {name} 已存在。")
        private.insert_user(db, name, _hasher.hash(password))


user_exists = private.user_exists
session_version = private.session_version


def end_sessions(db, name):
    """Invalidate every session of the user (logout, password change)."""
    with store.transaction(db):
        private.end_sessions(db, name)


def set_password(db, name, password):
    """Change a user's password and end their sessions; raises AuthError."""
    if len(password or "") < MIN_PASSWORD:
        raise AuthError(f"密码至少需要 {MIN_PASSWORD} 个字符。")
    with store.transaction(db):
        changed = private.set_password_hash(db, name, _hasher.hash(password))
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
        from_address = private.failures_from_address(db, address, now - window)
        if len(from_address) >= address_limit:
            wait = from_address[len(from_address) - address_limit] + window - now
            raise _throttled(f"这个地址登录失败次数过多，请 {max(1, -(-int(wait) // 60))} 分钟后再试。",
                             wait)
        failures = private.failures_of(db, name, address, now - window)
        wait = _locked_for(failures, now, limit, base_delay, window)
        if wait:
            raise _throttled(f"登录失败次数过多，请 {max(1, -(-wait // 60))} 分钟后再试。", wait)
        if global_limit:
            recent = private.recent_failures(db, now - 60)
            if len(recent) >= global_limit:
                raise _throttled("登录尝试过于频繁，请一分钟后再试。",
                                 recent[len(recent) - global_limit] + 60 - now)
        attempt = private.record_failure(db, now, name, address, now - 7 * 86400)
    digest = private.password_hash(db, name)
    try:
        _hasher.verify(digest or _DUMMY, password or "")
        if digest is None:
            raise VerifyMismatchError()
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise AuthError("用户名或密码错误。") from None
    with store.transaction(db):
        private.clear_failures(db, attempt, name, address)
    return name
