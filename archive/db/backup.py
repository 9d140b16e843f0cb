"""Backup files: the store copied with SQLite's online backup API, and a backup copied
and checked (integrity, schema version, tables, columns, foreign keys) before it may
become an instance's store."""

import sqlite3

import sqlite_utils

from . import private, store


def copy_online(db, target_path):
    """Copy the open store `db` into a new file (safe while it serves)."""
    target = sqlite3.connect(target_path)
    try:
        db.conn.backup(target, pages=1024)
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()


def copy_checked(path, tmp, private_db):
    """Copy the backup at `path` to `tmp`, check it, move the private tables of an old
    one into `private_db` and upgrade it. Raises ValueError for what is not a sound
    archive backup (tmp is then the caller's to remove)."""
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        _check_backup(tmp, path)
        candidate = store.connect(tmp, upgrade=False)
        try:
            if private.holds_private_data(candidate):
                private.adopt(candidate, private_db)
            store.migrate(candidate)
            candidate.execute("PRAGMA journal_mode = DELETE")
        finally:
            candidate.conn.close()
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"{path}: not an archive backup ({exc})") from exc


def _known_schema():
    """What a backup of any schema version may hold: {table: columns} and index names,
    collected by running the migrations one by one on an empty database (the private
    tables archive.db held before admin.db included)."""
    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    tables, indexes = {}, set()
    try:
        for number in range(len(store.MIGRATIONS)):
            store.migrate(db, store.MIGRATIONS[:number + 1])
            for table in db.tables:
                tables.setdefault(table.name, set()).update(table.columns_dict)
            indexes |= {r[0] for r in db.execute(
                "select name from sqlite_master where type = 'index'")}
    finally:
        db.conn.close()
    return tables, indexes


def _check_backup(tmp, path):
    """Refuse a backup that is damaged, from a newer version, not ours, or inconsistent."""
    conn = sqlite3.connect(tmp)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ValueError(f"{path}: backup fails SQLite's integrity check")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > store.SCHEMA_VERSION:
            raise ValueError(f"{path}: backup is from a newer version of the archive "
                             f"(schema v{version}, this code knows v{store.SCHEMA_VERSION})")
        objects = conn.execute("select type, name, tbl_name from sqlite_master").fetchall()
        tables = {name for kind, name, _ in objects if kind == "table"}
        if not {"notices", "entries"} <= tables:
            raise ValueError(f"{path}: not an archive backup (no notices/entries tables)")
        # Only what the schema defines: a trigger or a view would run or answer in the
        # restored archive; an unknown table, index or column is not ours.
        active = sorted(f"{kind} {name}" for kind, name, _ in objects
                        if kind in ("trigger", "view"))
        if active:
            raise ValueError(f"{path}: backup holds what the archive never creates: "
                             f"{', '.join(active)}")
        known, known_indexes = _known_schema()
        unknown = sorted(t for t in tables - set(known) if not t.startswith("sqlite_"))
        unknown += sorted(f"index {name}" for kind, name, _ in objects if kind == "index"
                          and name not in known_indexes and not name.startswith("sqlite_"))
        for table in sorted(tables & set(known)):
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}
            unknown += sorted(f"column {table}.{c}" for c in columns - known[table])
        if unknown:
            raise ValueError(f"{path}: not an archive backup: unknown {', '.join(unknown)}")
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise ValueError(f"{path}: backup breaks {len(broken)} foreign key references "
                             "(entries whose notice is missing)")
    finally:
        conn.close()
