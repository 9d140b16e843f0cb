"""The private database (instance/admin.db, mode 0600): what must never be published.

Admin accounts (argon2 hashes, session versions), failed logins, who made
each correction, and background jobs. archive.db holds only public data and
can be handed to Datasette or a journalist as it is. Instances from before
this split are moved over on first open (`adopt`).
"""

import os
from pathlib import Path

from . import store

PRIVATE_TABLES = ("users", "login_failures", "audit", "jobs")


def _v1(db):
    db["users"].create({"id": int, "name": str, "password_hash": str, "created_at": str,
                        "session_version": int}, pk="id",
                       not_null={"name", "password_hash"}, defaults={"session_version": 0})
    db["users"].create_index(["name"], unique=True)
    db["login_failures"].create({"id": int, "at": float, "username": str, "address": str},
                                pk="id")
    db["login_failures"].create_index(["at"])
    db["login_failures"].create_index(["username", "address"])
    db["audit"].create({"id": int, "correction_id": int, "entry_id": str, "user": str, "at": str,
                        "field": str, "before": str, "after": str}, pk="id",
                       not_null={"entry_id", "field"})
    db["audit"].create_index(["entry_id"])
    db["jobs"].create({"id": int, "kind": str, "status": str, "user": str, "started_at": str,
                       "finished_at": str, "done": int, "total": int, "seconds": float,
                       "snapshot": str, "error": str, "pid": int, "heartbeat": float}, pk="id")
    db["jobs"].create_index(["kind", "status"])
    db["import_users"].create({"import_id": int, "user": str}, pk="import_id")


MIGRATIONS = [_v1]


def connect(path):
    """Open (creating with mode 0600, and upgrading) the private database at path."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)
    return store.connect(path, MIGRATIONS)


def holds_private_data(public):
    """Whether an archive.db from before the split still holds private tables or the
    imports' user column."""
    return any(public[t].exists() for t in PRIVATE_TABLES) or (
        public["imports"].exists() and "user" in public["imports"].columns_dict)


def adopt(public, private):
    """Move the private tables of an archive.db from before the split into admin.db.

    Copies first (admin.db commits), so a crash before archive.db drops them
    loses nothing; a second run copies nothing twice (ids are kept)."""
    tables = [t for t in PRIVATE_TABLES if public[t].exists()]
    with store.transaction(private):
        for table in tables:
            columns = set(private[table].columns_dict)
            rows = [{k: v for k, v in row.items() if k in columns}
                    for row in public.query(f"select * from [{table}]")]
            if table == "audit":  # archive.db's corrections keep the audit rows' ids
                rows = [{**row, "correction_id": row["id"]} for row in rows]
            if rows:
                private[table].insert_all(rows, pk="id", ignore=True)
        if "user" in public["imports"].columns_dict:
            private["import_users"].insert_all(
                ({"import_id": r["id"], "user": r["user"]} for r in
                 public.query("select id, user from imports where user is not null")),
                pk="import_id", ignore=True)


def record_import_users(db, import_ids, user):
    """Remember which admin made each of these imports."""
    with store.transaction(db):
        db["import_users"].insert_all({"import_id": i, "user": user} for i in import_ids)


def import_users(db, import_ids):
    """{import id: the admin who made it} for these imports."""
    if not import_ids:
        return {}
    return {r["import_id"]: r["user"] for r in db.query(
        "select import_id, user from import_users where import_id in "
        f"({','.join('?' * len(import_ids))})", list(import_ids))}


def record_audit(db, changes, user):
    """Remember who made each of these corrections (store.update_entry's changes)."""
    with store.transaction(db):
        db["audit"].insert_all({**change, "user": user} for change in changes)


def audit_users(db, entry_id):
    """{correction id: the admin who made it} for an entry's corrections."""
    return {r["correction_id"]: r["user"] for r in db.query(
        "select correction_id, user from audit where entry_id = ?", [entry_id])}


# -- accounts ---------------------------------------------------------------------

def user_exists(db, name):
    """Whether an account with this name exists."""
    return db.execute("select 1 from users where name = ?", [name]).fetchone() is not None


def insert_user(db, name, password_hash):
    """Add an account (the caller checked the name is free, in the same transaction)."""
    db["users"].insert({"name": name, "password_hash": password_hash,
                        "created_at": store.now()})


def password_hash(db, name):
    """The account's password hash, or None when there is no such account."""
    row = db.execute("select password_hash from users where name = ?", [name]).fetchone()
    return row[0] if row else None


def set_password_hash(db, name, digest):
    """Store a new password hash and end the account's sessions; whether it exists."""
    return bool(db.execute("update users set password_hash = ?, session_version = "
                           "coalesce(session_version, 0) + 1 where name = ?",
                           [digest, name]).rowcount)


def session_version(db, name):
    """The account's session version (bumped by logout and password changes), or None."""
    row = db.execute("select session_version from users where name = ?", [name]).fetchone()
    return None if row is None else row[0] or 0


def end_sessions(db, name):
    """Move the account's session version on: every session it had ends."""
    db.execute("update users set session_version = coalesce(session_version, 0) + 1 "
               "where name = ?", [name])


# -- failed logins ----------------------------------------------------------------

def failures_from_address(db, address, since):
    """When logins from this address failed since `since` (oldest first)."""
    return [r[0] for r in db.execute(
        "select at from login_failures where address = ? and at > ? order by at",
        [address, since])]


def failures_of(db, name, address, since):
    """When logins as `name` from `address` failed since `since` (oldest first)."""
    return [r[0] for r in db.execute(
        "select at from login_failures where username = ? and address = ? and at > ? "
        "order by at", [name, address, since])]


def recent_failures(db, since):
    """When any login failed since `since` (oldest first)."""
    return [r[0] for r in db.execute("select at from login_failures where at > ? order by at",
                                     [since])]


def record_failure(db, at, name, address, forget_before):
    """Count an attempt as failed (until it succeeds) and forget failures older than
    forget_before; returns the attempt's id."""
    attempt = db["login_failures"].insert({"at": at, "username": name,
                                           "address": address}).last_pk
    db.execute("delete from login_failures where at < ?", [forget_before])
    return attempt


def clear_failures(db, attempt, name, address):
    """A login succeeded: drop the attempt and the pair's earlier failures."""
    db.execute("delete from login_failures where id = ? or (username = ? and address = ?)",
               [attempt, name, address])


# -- jobs -------------------------------------------------------------------------

def running_jobs(db, kind):
    """Jobs of a kind recorded as running: [{id, pid, heartbeat}]."""
    return list(db.query("select id, pid, heartbeat from jobs where kind = ? and "
                         "status = 'running'", [kind]))


def insert_job(db, fields):
    """Record a job; returns its id."""
    return db["jobs"].insert(fields).last_pk


def update_job(db, job_id, fields):
    """Record a job's progress or outcome."""
    db["jobs"].update(job_id, fields)
