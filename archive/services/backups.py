"""Backups: the store copied while serving, and restored into a new instance only
after it is checked (archive/db/backup.py)."""

import shutil
from pathlib import Path

from ..db import backup, store


class Backups:
    """Backup and restore of an instance's store."""

    def __init__(self, archive):
        self.archive = archive

    def backup(self, path):
        """Copy the store to `path` with SQLite's online backup API (safe while serving)."""
        path = Path(path)
        if path.exists():
            raise FileExistsError(f"{path} already exists")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".partial")
        backup.copy_online(self.archive.db, tmp)
        tmp.replace(path)
        return path

    def restore(self, path):
        """Restore a backup into this (new) instance and build its index.

        The backup is copied to a temporary file beside archive.db and checked
        there (integrity, schema version, tables, foreign keys) and upgraded;
        only then is it moved into place. A refused backup leaves nothing."""
        path = Path(path)
        archive = self.archive
        if archive.db_path.exists() and store.entry_count(archive.db):
            raise FileExistsError(f"{archive.db_path} already holds entries; restore into a "
                                  "new instance folder")
        archive.close()
        created = not archive.home.exists()
        archive.home.mkdir(parents=True, exist_ok=True)
        tmp = archive.home / "archive.db.restoring"
        try:
            backup.copy_checked(path, tmp, archive.private)
            tmp.replace(archive.db_path)
        except BaseException:
            archive.close()
            for leftover in (tmp, tmp.with_name(tmp.name + "-wal"),
                             tmp.with_name(tmp.name + "-shm")):
                leftover.unlink(missing_ok=True)
            if created:
                shutil.rmtree(archive.home, ignore_errors=True)
            raise
        return archive.indexing.reindex()
