"""Publishing and exports: the public SQLite file (with Datasette's metadata) and the
rows of every download."""

import os
import subprocess
import sys
import threading
from pathlib import Path

from index import searching
from index.snapshots import file_lock

from .. import exports
from ..db import public_file as publish
from ..db import store


#: The public file's name, and its Datasette metadata's.
FILENAME, METADATA = publish.FILENAME, publish.METADATA


class Publishing:
    """The public file of an instance and the entries its downloads hold."""

    def __init__(self, archive):
        self.archive = archive

    @property
    def path(self):
        """The public SQLite file /data serves (rebuilt by every re-index)."""
        return self.archive.public_path

    @property
    def metadata_path(self):
        """Datasette's metadata.json beside the public file."""
        return self.path.with_name(publish.METADATA)

    def publish(self, path=None, procs=1):
        """Write the public SQLite file (public data only, jieba FTS5 for Datasette)
        and its metadata.json beside it; returns {notices, entries, bytes}. procs:
        processes segmenting the text (more than one only from a single-threaded
        process: they are forked)."""
        path = Path(path) if path else self.path
        if path != self.path:
            return self._write(path, procs)
        # The instance's own file: one writer at a time (a background refresh may run).
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(self._lock_path):
            # This writes every change so far: a refresh waiting for them has none left.
            self._pending_path.unlink(missing_ok=True)
            return self._write(path, procs)

    def _write(self, path, procs):
        settings = self.archive.settings
        done = publish.publish(self.archive.db, path, procs=procs,
                               aliases=self.archive.index_aliases())
        publish.write_metadata(path.with_name(publish.METADATA), base_url=settings["BASE_URL"],
                               license_name=settings["DATA_LICENSE"],
                               license_url=settings["DATA_LICENSE_URL"])
        return done

    def public_file(self):
        """The public file as /data and the dashboard describe it: {built (its stat, or
        None), entries, rebuilding (a background rebuild is running), filename, metadata}."""
        built = self.path.stat() if self.path.exists() else None
        with file_lock(self._lock_path, blocking=False) as free:
            rebuilding = not free
        return {"built": built, "entries": publish.entry_count(self.path) if built else None,
                "rebuilding": rebuilding, "filename": publish.FILENAME,
                "metadata": publish.METADATA}

    @property
    def _lock_path(self):
        return self.path.with_name("publish.lock")

    @property
    def _pending_path(self):
        return self.path.with_name("publish.pending")

    def refresh_later(self):
        """After an import or a correction: rebuild the public file in a process of its
        own (`archive publish --refresh`), so that neither the request nor the command
        waits for it; a rebuild already running takes the change on its next round.
        Returns the process, or None (PUBLISH_IN_BACKGROUND is off)."""
        if not int(self.archive.settings["PUBLISH_IN_BACKGROUND"]):
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._pending_path.touch()
        log = open(self.path.with_name("publish.log"), "ab")
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "archive.cli", "publish", "--refresh"],
                env={**os.environ, "ARCHIVE_HOME": str(self.archive.home)},
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        finally:
            log.close()
        # Reaped when it ends (no zombie in a long-running web worker).
        threading.Thread(target=process.wait, name="publish-refresh", daemon=True).start()
        return process

    def refresh(self):
        """Rebuild the public file while changes are pending (publish.pending), one process
        at a time; returns how many rebuilds this process made (0: another is at work
        and will see the pending change)."""
        rounds = 0
        while self._pending_path.exists() or not self.path.exists():
            with file_lock(self._lock_path, blocking=False) as got:
                if not got:
                    return rounds
                self._pending_path.unlink(missing_ok=True)
                self._write(self.path, procs=1)
                rounds += 1
        return rounds

    def export_ids(self, text, filters=None, sort="relevance", limit=None):
        """Ids of every search hit (up to limit; by default all of them, however many),
        in result order; the entries themselves are then read a chunk at a time."""
        limit = limit or max(1, store.entry_count(self.archive.db))
        return searching.matching_ids(self.archive.snapshot(), text, filters=filters,
                                      sort=sort, limit=limit)

    def entry_ids(self, **filters):
        """Ids of the entries passing filters (cycle, kind, region …), in the downloads'
        order: cycle, notice, the notice's own order."""
        return store.export_ids(self.archive.db, **filters)

    def datapackage(self, resources):
        """The Frictionless Data Package describing the CSV downloads (exports.datapackage)
        with the instance's license and address."""
        settings = self.archive.settings
        return exports.datapackage(resources, settings["DATA_LICENSE"],
                                   settings["DATA_LICENSE_URL"], settings["BASE_URL"])

    def entries(self, ids, chunk=500):
        """Full entries for ids (with their notice's source fields), in that order, read
        a chunk at a time (bounded memory)."""
        db = self.archive.db
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            rows = {r["id"]: r for r in store.entries_with_source(db, part)}
            yield from (rows[i] for i in part if i in rows)

    def notices(self):
        """Every notice's metadata (no text), oldest first: the notice downloads."""
        return list(reversed(store.list_notices(self.archive.db)))
