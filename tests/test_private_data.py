"""Private data (accounts, logins, who corrected what, jobs) never sits in archive.db."""

import sqlite3
import stat

import sqlite_utils

from archive import auth
from archive.archive import Archive

from conftest import old_database


def _public_tables_hold_nothing_private(path):
    db = sqlite_utils.Database(sqlite3.connect(path))
    try:
        for table in db.table_names():
            columns = set(db[table].columns_dict)
            assert not columns & {"password_hash", "username", "address", "user", "pid"}, table
            for row in db.query(f"select * from [{table}]"):
                assert not any(isinstance(v, str) and v.startswith("$argon2") for v in row.values())
    finally:
        db.conn.close()


def test_accounts_logins_audit_and_jobs_live_in_a_0600_admin_db(home):
    from archive import jobs
    a = Archive(home)
    a.imports.init()
    auth.create_user(a.private, "editor", "correct horse battery")
    try:
        auth.login(a.private, "editor", "wrong password!", "10.0.0.9", a.settings)
    except auth.AuthError:
        pass
    entry = a.db.execute("select id from entries limit 1").fetchone()[0]
    assert a.corrections.correct(entry, {"education": "硕士研究生"}, "editor") == ["education"]
    jobs.begin(a.private, "editor")
    assert a.corrections.trail(entry)[0]["user"] == "editor"
    a.close()
    assert stat.S_IMODE((home / "admin.db").stat().st_mode) == 0o600
    _public_tables_hold_nothing_private(home / "archive.db")
    public = sqlite_utils.Database(sqlite3.connect(home / "archive.db"))
    assert set(public.table_names()) == {"notices", "entries", "imports", "corrections",
                                         "notice_versions", "retired_entries", "index_queue",
                                         "notice_files"}
    assert "user" not in public["imports"].columns_dict
    assert [r["field"] for r in public.query("select field from corrections")] == ["education"]
    public.conn.close()


def test_an_instance_from_before_the_split_moves_its_private_tables(tmp_path):
    home = tmp_path / "old"
    home.mkdir()
    db = old_database(home / "archive.db", 2)
    entry = db.execute("select id from entries limit 1").fetchone()[0]
    db["users"].insert({"name": "old-admin", "password_hash": "$argon2id$v=19$x",
                        "created_at": "2026-01-01"})
    db["login_failures"].insert({"at": 1.0, "username": "old-admin", "address": "10.0.0.1"})
    db["audit"].insert({"entry_id": entry, "user": "old-admin", "at": "2026-01-02",
                        "field": "education", "before": "大专", "after": "本科"})
    db["jobs"].insert({"kind": "reindex", "status": "done", "user": "old-admin"})
    db.execute("update imports set user = 'old-admin'")
    entries = list(db.query("select * from entries order by id"))
    db.conn.close()

    a = Archive(home)
    # Every entry is as it was; the migrations since add only empty columns (民族).
    assert [{k: v for k, v in r.items() if k in entries[0]}
            for r in a.db.query("select * from entries order by id")] == entries
    assert auth.user_exists(a.private, "old-admin")
    assert a.private["login_failures"].count == 1 and a.private["jobs"].count == 1
    assert [i["user"] for i in a.imports.recent()] == ["old-admin"]
    assert [(c["field"], c["after"], c["user"]) for c in a.corrections.trail(entry)] == \
        [("education", "本科", "old-admin")]
    a.close()
    _public_tables_hold_nothing_private(home / "archive.db")
    again = Archive(home)  # a second open moves nothing twice
    assert again.private["users"].count == 1 and again.db["corrections"].count == 1
    again.close()
