"""Indexing: the search index kept in step with the store — incremental updates
from the store's queue, full rebuilds into a new snapshot, drift checks — and the
index's state for the admin's status page and /healthz."""

import time

from index import build, snapshots

from ..db import store
from .. import jobs

#: Raised when writing a snapshot failed (the live one is unchanged).
IndexWriteError = build.IndexWriteError
#: Entry columns the index needs (see index.build.document).
INDEX_COLUMNS = ("id, content_hash, notice_id, kind, name, company, unit, operator, region, "
                 "cycle, stage, position, team_category, education, citation, person_key")


class Indexing:
    """The live index of an instance and the work that keeps it in step."""

    def __init__(self, archive):
        self.archive = archive

    def has_index(self):
        """Whether a live snapshot of the current schema exists."""
        try:
            self.archive.snapshot()
        except snapshots.NoSnapshot:  # never built, or built by an older schema
            return False
        return True

    def rows(self, ids=None):
        """Entries as the index takes them: all (in id order), or those of ids."""
        return store.index_rows(self.archive.db, INDEX_COLUMNS, ids)

    def wants_rebuild(self):
        """Whether the pending index work is a bulk load: more than BULK_INDEX_SHARE of the
        archive and more than BULK_INDEX_MIN entries. Rebuilding in parallel then beats
        updating entry by entry (each update merges segments)."""
        settings = self.archive.settings
        pending = store.queue_length(self.archive.db)
        before = max(store.entry_count(self.archive.db) - pending, 0)  # the archive it joins
        return pending > max(int(settings["BULK_INDEX_MIN"]),
                             float(settings["BULK_INDEX_SHARE"]) * before)

    def drain(self, progress=None, chunk=1000):
        """Do the pending index work (the store's index queue) in the live snapshot,
        a chunk at a time; returns how many entries it indexed or dropped.

        Work left by a killed import or correction is done by the next one."""
        archive = self.archive
        if not self.has_index():
            self.reindex()
            return 0
        db = archive.db
        total, done = store.queue_length(db), 0
        while True:
            work = store.index_queue(db, limit=chunk)
            if not work:
                return done
            ids = [entry_id for entry_id, _ in work]
            rows = self.rows(ids)
            present = {r["id"] for r in rows}
            build.update(archive.instance.live, rows, [i for i in ids if i not in present])
            store.unqueue_index(db, work)
            done += len(work)
            if progress:
                progress(done, max(total, done))

    def reindex(self, progress=None, procs=None):
        """Full rebuild into a new snapshot, switched live atomically; returns its meta.

        procs: Whoosh writer processes, and those segmenting the public file's search
        text (default: one per core, up to 4; forked, so 1 from a threaded process)."""
        archive = self.archive
        db = archive.db
        started = time.time()
        words = build.dictionary_words(store.index_rows(db, "name, company, unit"))
        meta = build.rebuild(
            archive.index_root, self.rows(), words=words, aliases=archive.index_aliases(),
            total=store.entry_count(db), progress=progress, procs=procs,
            reconcile=(lambda: store.entry_hashes(db), self.rows))
        # The new snapshot holds everything queued before the rebuild began.
        store.unqueue_before(db, started)
        archive.publishing.publish(procs=procs or build.default_procs())
        # Web workers start from the keywords this writes. The new snapshot is opened
        # on its own: switching this process's live one would close searchers in use.
        fresh = snapshots.Snapshot(snapshots.snapshots_dir(archive.index_root) / meta["name"])
        try:
            archive.statistics.save_keywords(fresh)
        finally:
            fresh.close()
        return meta

    def check(self):
        """Drift between store and live index: {missing, extra, stale, ok}."""
        return build.check(self.archive.instance.live, store.entry_hashes(self.archive.db))

    def repair(self):
        """Finish pending index work, then re-index what still drifted; returns how
        many entries were mended: {pending, missing, extra, stale}."""
        pending = self.drain()
        drift = self.check()
        upsert = drift["missing"] + drift["stale"]
        if upsert or drift["extra"]:
            build.update(self.archive.instance.live, self.rows(upsert), drift["extra"])
        return {"pending": pending, **{k: len(drift[k]) for k in ("missing", "extra", "stale")}}

    def last_modified(self):
        """When the live index last changed (rebuild or incremental), as a timestamp.

        The snapshot folder's own mtime: every commit adds a TOC file to it."""
        return self.archive.snapshot().path.stat().st_mtime

    def counts(self):
        """Entries in the store and in the live index, and the live snapshot's name
        (index_entries and snapshot are None when there is no index)."""
        out = {"store_entries": store.entry_count(self.archive.db), "index_entries": None,
               "snapshot": None}
        try:
            snap = self.archive.snapshot()
        except snapshots.NoSnapshot:
            return out
        with snap.reading() as generation:
            out["index_entries"] = generation.doc_count
        out["snapshot"] = snap.name
        return out

    def status(self):
        """What the admin status page shows."""
        archive = self.archive
        jobs.reap_all(archive.private)  # a job whose process died shows as failed
        out = {**self.counts(), "age_seconds": None, "drift": None, "build_seconds": None,
               "imports": archive.imports.recent(),
               "reindex": jobs.with_pace(store.latest_job(archive.private)),
               "import": jobs.with_pace(store.latest_job(archive.private, "import")),
               "public": archive.publishing.public_file()}
        if out["snapshot"] is None:
            return out
        out.update(age_seconds=snapshots.age_seconds(archive.index_root),
                   build_seconds=archive.snapshot().meta.get("build_seconds"), drift=self.check())
        return out
