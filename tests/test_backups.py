"""Backups (archive/services/backups.py): copied while serving, restored only after checks."""

from archive.archive import Archive
from archive.db import store


SEED_QUERIES = ["李玉柱", "玉柱", "liyuzhu", "lyz", "聯通", "中国电信", "投诉", "使馆", "密云",
                "鑫鑫", "zhangna", "China Mobile", '"北京联通"', "投诉 -电信", "kind:team"]


def _backup_copy(seeded_copy, tmp_path, name, change):
    import sqlite3
    path = tmp_path / name
    seeded_copy.backups.backup(path)
    conn = sqlite3.connect(path)
    change(conn)
    conn.commit()
    conn.close()
    return path


def test_backup_while_serving_and_restore_into_a_new_instance(seeded_copy, tmp_path, runner,
                                                              monkeypatch):
    original = {q: seeded_copy.records.search(q) for q in SEED_QUERIES}
    backup = tmp_path / "backup.db"
    out = runner("backup", backup)
    assert out.exit_code == 0 and backup.exists()
    assert runner("backup", backup).exit_code == 1  # never overwrites
    new_home = tmp_path / "restored"
    monkeypatch.setenv("ARCHIVE_HOME", str(new_home))
    out = runner("restore", backup)
    assert out.exit_code == 0, out.output
    restored = Archive(new_home)
    for q in SEED_QUERIES:
        mine, theirs = restored.records.search(q), original[q]
        assert [h["id"] for h in mine["results"]] == [h["id"] for h in theirs["results"]], q
        assert mine["facets"] == theirs["facets"] and mine["total"] == theirs["total"], q
    assert store.content_digest(restored.db) == store.content_digest(seeded_copy.db)
    restored.close()
    again = runner("restore", backup)
    assert again.exit_code == 1 and "new instance" in again.output
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv("ARCHIVE_HOME", str(tmp_path / "other"))
    out = runner("restore", bad)
    assert out.exit_code == 1 and "not" in out.output


def test_a_bad_backup_is_refused_and_leaves_nothing_behind(seeded_copy, tmp_path, runner,
                                                          monkeypatch):
    def foreign_keys_broken(conn):
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("delete from notices")

    cases = {
        "future.db": (lambda conn: conn.execute("PRAGMA user_version = 99"), "newer"),
        "foreign.db": (lambda conn: conn.execute("create table evil (x)"), "unknown evil"),
        "orphans.db": (foreign_keys_broken, "foreign key"),
        "trigger.db": (lambda conn: conn.execute(
            "create trigger rename after insert on entries begin "
            "update entries set name = 'x' where id = new.id; end"), "trigger rename"),
        "view.db": (lambda conn: conn.execute("create view v as select * from entries"),
                    "view v"),
        "index.db": (lambda conn: conn.execute("create index sneaky on entries (citation)"),
                     "unknown index sneaky"),
        "column.db": (lambda conn: conn.execute("alter table entries add column note text"),
                      "unknown column entries.note"),
    }
    good = tmp_path / "good.db"
    seeded_copy.backups.backup(good)
    for name, (change, message) in cases.items():
        backup = _backup_copy(seeded_copy, tmp_path, name, change)
        home = tmp_path / f"into-{name}"
        monkeypatch.setenv("ARCHIVE_HOME", str(home))
        out = runner("restore", backup)
        assert out.exit_code == 1 and message in out.output, (name, out.output)
        assert "Traceback" not in out.output
        assert not home.exists() or not any(home.iterdir()), name
        # The same folder then takes a good backup.
        out = runner("restore", good)
        assert out.exit_code == 0, out.output
