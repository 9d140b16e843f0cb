"""Admin accounts: argon2 password hashes and login throttling."""

import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from . import store

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


def _failures(db, column, value, since):
    return db.execute(f"select count(*) from login_failures where {column} = ? and at > ?",
                      [value, since]).fetchone()[0]


def login(db, name, password, address, limit=5, window=900):
    """Check a login; returns the user name. Raises Throttled or AuthError.

    Failed attempts are counted per user name and per client address over
    the last `window` seconds; at `limit` further attempts are refused.
    """
    now = time.time()
    since = now - window
    name = (name or "").strip()[:64]
    if _failures(db, "username", name, since) >= limit or \
            _failures(db, "address", address, since) >= limit:
        raise Throttled(f"登录失败次数过多，请 {window // 60} 分钟后再试。")
    row = db.execute("select password_hash from users where name = ?", [name]).fetchone()
    try:
        _hasher.verify(row[0] if row else _DUMMY, password or "")
        if row is None:
            raise VerifyMismatchError()
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        with store.transaction(db):
            db["login_failures"].insert({"at": now, "username": name, "address": address})
            db.execute("delete from login_failures where at < ?", [now - 7 * 86400])
        raise AuthError("用户名或密码错误。") from None
    with store.transaction(db):
        db.execute("delete from login_failures where username = ?", [name])
    return name
