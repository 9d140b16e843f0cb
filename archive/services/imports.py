"""Imports: notice files parsed in the sandbox, planned against the store, stored in
one transaction, then indexed."""

from pathlib import Path

from .. import importer
from ..db import private, store
from ..ingest import FORMATS

DATA_DIR = Path(__file__).parent.parent / "data"


class IndexPending(RuntimeError):
    """An import was stored, but updating the search index failed: the work is queued
    (in the same transaction as the import), and `archive check --repair` or the next
    import finishes it."""

    def __init__(self, count, cause):
        super().__init__(f"导入已存入档案，但更新检索索引失败（{cause}）：{count} 条记录暂时检索不到；"
                         "待办已记下，运行 archive check --repair（或下一次导入）会补建索引")
        self.count, self.cause = count, cause


class Imports:
    """Parse, plan and store notices (all or nothing), then update the index."""

    def __init__(self, archive):
        self.archive = archive

    @property
    def parse_limits(self):
        """The parsing sandbox's limits (PARSE_SECONDS, PARSE_CPU_SECONDS, PARSE_MEMORY_MB)."""
        settings = self.archive.settings
        return {"seconds": settings["PARSE_SECONDS"], "cpu_seconds": settings["PARSE_CPU_SECONDS"],
                "memory_mb": settings["PARSE_MEMORY_MB"]}

    def parse_files(self, files, overrides=None, attachments=(), guide=None):
        """Parse (name, bytes) pairs in the sandbox; what plan_parsed takes. guide: where
        the list is (ingest/guide.py), when the reader does not find it."""
        return importer.parse(files, overrides, attachments, self.parse_limits, guide)

    def plan_parsed(self, parsed_files, choices=None):
        """Plan parsed files without writing (dry run, preview, confirm).

        An instance folder that does not exist yet is left so: the plan is made
        against an empty in-memory store."""
        if not self.archive.has_store():
            empty = store.connect(":memory:")
            try:
                return importer.plan_parsed(empty, parsed_files, choices)
            finally:
                empty.conn.close()
        return importer.plan_parsed(self.archive.db, parsed_files, choices)

    def plan_files(self, files, overrides=None, attachments=(), choices=None, guide=None):
        """Parse (in the sandbox) and plan (name, bytes) pairs without writing."""
        return self.plan_parsed(self.parse_files(files, overrides, attachments, guide), choices)

    def apply(self, plans, user=None, allow_removal=False, keep_newer=False, progress=None,
              accept_counts=False, procs=None, accept_ocr=False):
        """Store the plans in one transaction, then update the index for them.

        allow_removal: a new version of a notice may remove entries (they are
        retired); keep_newer: a text the notice had before is not re-imported;
        accept_counts: stated counts that differ from what was read are accepted;
        accept_ocr: lists read by OCR were checked by the admin;
        progress(done, total): called as the index work goes on; procs: processes of a bulk
        rebuild (1 from a threaded process such as a web worker).

        A bulk load (Indexing.wants_rebuild) rebuilds the index in parallel, and the
        public file with it; a smaller import updates the index entry by entry and
        refreshes the public file in the background. Searches answer from the old
        snapshot until the new state is live either way."""
        archive = self.archive
        upsert, delete, logged = importer.apply(archive.db, plans, allow_removal, keep_newer,
                                                accept_counts, accept_ocr)
        if user and logged:
            private.record_import_users(archive.private, logged, user)
        try:
            if (upsert or delete) and archive.indexing.wants_rebuild():
                archive.indexing.reindex(progress=progress, procs=procs)
                return upsert, delete
            if upsert or delete:
                archive.publishing.refresh_later()
            archive.indexing.drain(progress)
        except Exception as exc:
            raise IndexPending(len(upsert) + len(delete), exc) from exc
        return upsert, delete

    def import_paths(self, paths, dry_run=False, user=None, overrides=None, attachments=(),
                     allow_removal=False, keep_newer=False, accept_counts=False,
                     progress=None, accept_ocr=False, guide=None):
        """Import notice files (all or nothing); returns the plans.

        overrides: notice metadata for what the files lack (title, publisher …);
        attachments: paths of files that belong to the one notice page given;
        guide: where the list is in the one notice given (ingest/guide.py);
        allow_removal, keep_newer, accept_counts, accept_ocr: as for apply."""
        files = [(str(p), Path(p).read_bytes()) for p in paths]
        extra = [(str(p), Path(p).read_bytes()) for p in attachments]
        plans = self.plan_files(files, overrides, extra, guide=guide)
        if not dry_run:
            self.apply(plans, user=user, allow_removal=allow_removal, keep_newer=keep_newer,
                       accept_counts=accept_counts, progress=progress, accept_ocr=accept_ocr)
        return plans

    @staticmethod
    def bundled_notices():
        """Paths of the notices shipped with the package."""
        folder = DATA_DIR / "notices"
        return sorted(p for p in folder.iterdir() if p.suffix.lstrip(".") in FORMATS)

    def init(self):
        """Create the schema, import the bundled notices and build the first snapshot."""
        archive = self.archive
        # A bundled notice that an admin has since replaced is kept as they left it.
        plans = self.import_paths(self.bundled_notices(), keep_newer=True)
        if not archive.indexing.has_index():
            archive.indexing.reindex()
        if not archive.public_path.exists():
            archive.publishing.publish()
        return plans

    def recent(self, limit=10):
        """The latest imports, newest first, with the admin who made each."""
        rows = store.recent_imports(self.archive.db, limit)
        users = private.import_users(self.archive.private, [r["id"] for r in rows])
        return [{**r, "user": users.get(r["id"])} for r in rows]
