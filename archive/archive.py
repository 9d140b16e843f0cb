"""The archive service: one instance folder's store and index, used by the
CLI and the web app alike (imports, search, re-index, drift check)."""

import json
import os
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import index.analysis
from index import build, query, snapshots, themes

from . import config, importer, jobs, private, publish, stats, store
from .config import instance_path
from .ingest import FORMATS, reading_of_text, fields

DATA_DIR = Path(__file__).parent / "data"

#: Entry columns the index needs (see index.build.document).
_INDEX_COLUMNS = ("id, content_hash, notice_id, kind, name, company, unit, operator, region, "
                  "cycle, stage, position, team_category, education, citation, person_key")


class IndexPending(RuntimeError):
    """An import was stored, but updating the search index failed: the work is queued
    (in the same transaction as the import), and `archive check --repair` or the next
    import finishes it."""

    def __init__(self, count, cause):
        super().__init__(f"导入已存入档案，但更新检索索引失败（{cause}）：{count} 条记录暂时检索不到；"
                         "待办已记下，运行 archive check --repair（或下一次导入）会补建索引")
        self.count, self.cause = count, cause


class Archive:
    """An instance folder: archive.db, the index snapshots, caches."""

    def __init__(self, home=None):
        self.home = Path(home) if home else instance_path()
        self.db_path = self.home / "archive.db"
        self.private_path = self.home / "admin.db"
        self.index_root = self.home / "index"
        self.uploads = self.home / "uploads"
        index.analysis.set_cache_dir(self.home / "cache")
        self._db = None
        self._private = None
        self._settings = None

    @property
    def db(self):
        """The public store, archive.db (opened, and upgraded, on first use)."""
        if self._db is None:
            self.home.mkdir(parents=True, exist_ok=True)
            db = store.connect(self.db_path, upgrade=False)
            try:
                # Schema v3 split private data out; only older files can hold it.
                if store.version(db) < 3 and private.holds_private_data(db):
                    private.adopt(db, self.private)  # an instance from before the split
                store.migrate(db)
            except BaseException:
                db.conn.close()
                raise
            self._db = db
        return self._db

    @property
    def private(self):
        """The private store, admin.db (mode 0600): accounts, logins, audit, jobs."""
        if self._private is None:
            self._private = private.connect(self.private_path)
        return self._private

    def close(self):
        """Close the database connections."""
        for name in ("_db", "_private"):
            if getattr(self, name) is not None:
                getattr(self, name).conn.close()
                setattr(self, name, None)

    # -- aliases ---------------------------------------------------------
    def aliases(self):
        """The operator alias table, with the admin's instance/aliases.json merged in."""
        return fields.alias_table(self.home / "aliases.json")

    def index_aliases(self):
        """{operator: [aliases]} as the index takes it."""
        return {op: spec.get("aliases", []) for op, spec in self.aliases()["operators"].items()}

    # -- import ----------------------------------------------------------
    @property
    def settings(self):
        """The instance's settings (config.load: defaults, instance config.py, ARCHIVE_*
        environment), as the web app reads them."""
        if self._settings is None:
            self._settings = config.load(self.home)
        return self._settings

    @property
    def parse_limits(self):
        """The parsing sandbox's limits (PARSE_SECONDS, PARSE_CPU_SECONDS, PARSE_MEMORY_MB)."""
        settings = self.settings
        return {"seconds": settings["PARSE_SECONDS"], "cpu_seconds": settings["PARSE_CPU_SECONDS"],
                "memory_mb": settings["PARSE_MEMORY_MB"]}

    def parse_files(self, files, overrides=None, attachments=()):
        """Parse (name, bytes) pairs in the sandbox; what plan_parsed takes."""
        return importer.parse(files, overrides, attachments, self.parse_limits)

    def plan_parsed(self, parsed_files, choices=None):
        """Plan parsed files without writing (dry run, preview, confirm).

        An instance folder that does not exist yet is left so: the plan is made
        against an empty in-memory store."""
        if self._db is None and not self.db_path.exists():
            empty = store.connect(":memory:")
            try:
                return importer.plan_parsed(empty, parsed_files, choices)
            finally:
                empty.conn.close()
        return importer.plan_parsed(self.db, parsed_files, choices)

    def plan_files(self, files, overrides=None, attachments=(), choices=None):
        """Parse (in the sandbox) and plan (name, bytes) pairs without writing."""
        return self.plan_parsed(self.parse_files(files, overrides, attachments), choices)

    def apply(self, plans, user=None, allow_removal=False, keep_newer=False, progress=None,
              accept_counts=False):
        """Store the plans in one transaction, then update the index for them.

        allow_removal: a new version of a notice may remove entries (they are
        retired); keep_newer: a text the notice had before is not re-imported;
        accept_counts: stated counts that differ from what was read are accepted;
        progress(done, total): called as the index work goes on."""
        upsert, delete, logged = importer.apply(self.db, plans, allow_removal, keep_newer,
                                                accept_counts)
        if user and logged:
            with store.transaction(self.private):
                self.private["import_users"].insert_all(
                    {"import_id": i, "user": user} for i in logged)
        try:
            self.drain_index(progress)
        except Exception as exc:
            raise IndexPending(len(upsert) + len(delete), exc) from exc
        return upsert, delete

    def import_paths(self, paths, dry_run=False, user=None, overrides=None, attachments=(),
                     allow_removal=False, keep_newer=False, accept_counts=False):
        """Import notice files (all or nothing); returns the plans.

        overrides: notice metadata for what the files lack (title, publisher …);
        attachments: paths of files that belong to the one notice page given;
        allow_removal, keep_newer, accept_counts: as for apply."""
        files = [(str(p), Path(p).read_bytes()) for p in paths]
        extra = [(str(p), Path(p).read_bytes()) for p in attachments]
        plans = self.plan_files(files, overrides, extra)
        if not dry_run:
            self.apply(plans, user=user, allow_removal=allow_removal, keep_newer=keep_newer,
                       accept_counts=accept_counts)
        return plans

    def bundled_notices(self):
        """Paths of the notices shipped with the package."""
        folder = DATA_DIR / "notices"
        return sorted(p for p in folder.iterdir() if p.suffix.lstrip(".") in FORMATS)

    def init(self):
        """Create the schema, import the bundled notices and build the first snapshot."""
        # A bundled notice that an admin has since replaced is kept as they left it.
        plans = self.import_paths(self.bundled_notices(), keep_newer=True)
        try:
            self.snapshot()
        except snapshots.NoSnapshot:  # never built, or built by an older schema
            self.reindex()
        if not self.public_path.exists():
            self.publish()
        return plans

    # -- index -----------------------------------------------------------
    def _index_rows(self, ids=None):
        if ids is None:
            return self.db.query(f"select {_INDEX_COLUMNS} from entries order by id")
        return store.entries_by_ids(self.db, ids, _INDEX_COLUMNS)

    def drain_index(self, progress=None, chunk=1000):
        """Do the pending index work (the store's index queue) in the live snapshot,
        a chunk at a time; returns how many entries it indexed or dropped.

        Work left by a killed import or correction is done by the next one."""
        try:
            self.snapshot()
        except snapshots.NoSnapshot:
            self.reindex()
            return 0
        total, done = self.db["index_queue"].count, 0
        while True:
            work = store.index_queue(self.db, limit=chunk)
            if not work:
                return done
            ids = [entry_id for entry_id, _ in work]
            rows = self._index_rows(ids)
            present = {r["id"] for r in rows}
            build.update(self.index_root, rows, [i for i in ids if i not in present])
            store.unqueue_index(self.db, work)
            done += len(work)
            if progress:
                progress(done, max(total, done))

    def reindex(self, progress=None, procs=None):
        """Full rebuild into a new snapshot, switched live atomically; returns its meta.

        procs: Whoosh writer processes, and those segmenting the public file's search
        text (default: one per core, up to 4; forked, so 1 from a threaded process)."""
        started = time.time()
        words = build.dictionary_words(self.db.query("select name, company, unit from entries"))
        total = self.db["entries"].count
        meta = build.rebuild(
            self.index_root, self._index_rows(), words=words, aliases=self.index_aliases(),
            total=total, progress=progress, procs=procs,
            reconcile=(lambda: store.entry_hashes(self.db), self._index_rows))
        # The new snapshot holds everything queued before the rebuild began.
        with store.transaction(self.db):
            self.db.execute("delete from index_queue where queued_at <= ?", [started])
        self.publish(procs=procs or build.default_procs())
        # Web workers start from the file this writes. The new snapshot is opened on
        # its own: switching this process's live one would close searchers in use.
        fresh = snapshots.Snapshot(snapshots.snapshots_dir(self.index_root) / meta["name"])
        try:
            self._compute_keywords(fresh)
        finally:
            fresh.close()
        return meta

    @property
    def public_path(self):
        """The public SQLite file /data serves (rebuilt by every re-index)."""
        return self.home / "public" / publish.FILENAME

    def publish(self, path=None, procs=1):
        """Write the public SQLite file (public data only, jieba FTS5 for Datasette)
        and its metadata.json beside it; returns {notices, entries, bytes}. procs:
        processes segmenting the text (more than one only from a single-threaded
        process: they are forked)."""
        path = Path(path) if path else self.public_path
        settings = self.settings
        done = publish.publish(self.db, path, procs=procs)
        publish.write_metadata(path.with_name(publish.METADATA), base_url=settings["BASE_URL"],
                               license_name=settings["DATA_LICENSE"],
                               license_url=settings["DATA_LICENSE_URL"])
        return done

    def repair(self):
        """Finish pending index work, then re-index what still drifted; returns how
        many entries were mended: {pending, missing, extra, stale}."""
        pending = self.drain_index()
        drift = self.check()
        upsert = drift["missing"] + drift["stale"]
        if upsert or drift["extra"]:
            build.update(self.index_root, self._index_rows(upsert), drift["extra"])
        return {"pending": pending, **{k: len(drift[k]) for k in ("missing", "extra", "stale")}}

    def check(self):
        """Drift between store and live index: {missing, extra, stale, ok}."""
        return build.check(self.index_root, store.entry_hashes(self.db))

    def snapshot(self):
        """The live index snapshot (reopened when a rebuild switched it)."""
        return snapshots.live_index(self.index_root).current()

    def search(self, text, filters=None, page=1, per_page=20, sort="relevance"):
        """Search the live snapshot; the result object of the CLI and the API. Each
        person appears once, with `path`: their entries across notices, oldest first."""
        result = query.search(self.snapshot(), text, filters=filters, page=page,
                              per_page=per_page, sort=sort)
        paths = store.people_paths(self.db, [h["person"] for h in result["results"]])
        for hit in result["results"]:
            hit["path"] = paths.get(hit["person"]) or []
        result["suggestions"] = [_with_url(s) for s in result["suggestions"]]
        return result

    def suggest(self, prefix, limit=8):
        """Search as you type: names, teams, companies and operators starting with
        prefix (as written, in pinyin or by initials), each with its search URL."""
        return [_with_url(s) for s in query.complete(self.snapshot(), prefix, limit)]

    def _generation(self, snapshot=None):
        snapshot = snapshot or self.snapshot()
        return (str(self.home), snapshot.name, snapshot.path.stat().st_mtime)

    def _per_generation(self, key, compute, stale_ok=False):
        """compute(archive) once per index generation (a rebuild or an import changes
        it) and instance folder, shared by the requests of this process. stale_ok:
        while a newer generation's value is computed in a background thread (with an
        Archive of its own), the previous one is served."""
        try:
            stamp = self._generation()
        except snapshots.NoSnapshot:
            return compute(self)  # no index: nothing to key a cache on (pages from the store)
        with _CACHE_LOCK:
            hit = _CACHE.get((stamp[0], key))
        if hit is not None and hit[0] == stamp:
            return hit[1]
        if hit is not None and stale_ok:
            self._refresh_later(key, compute)
            return hit[1]
        value = compute(self)
        with _CACHE_LOCK:
            _CACHE[(stamp[0], key)] = (stamp, value)
        return value

    def _refresh_later(self, key, compute):
        home = str(self.home)
        with _CACHE_LOCK:
            if (home, key) in _REFRESHING:
                return
            _REFRESHING.add((home, key))

        def run():
            other = Archive(self.home)
            try:
                stamp = other._generation()
                value = compute(other)
                with _CACHE_LOCK:
                    _CACHE[(home, key)] = (stamp, value)
            finally:
                other.close()
                with _CACHE_LOCK:
                    _REFRESHING.discard((home, key))
        threading.Thread(target=run, name=f"refresh-{key}", daemon=True).start()

    def stats(self):
        """/stats: counts per cycle by operator, region, kind and stage; gender, age
        at award and team sizes (archive/stats.py)."""
        return self._per_generation("stats", lambda a: stats.overview(a.db))

    def cycles(self):
        """store.cycles (each cycle's counts, newest first), once per index generation:
        a count of distinct people over every entry takes a second at 100,000."""
        return self._per_generation("cycles", lambda a: store.cycles(a.db))

    def counts_held(self):
        """store.stats (what the archive holds), once per index generation."""
        return self._per_generation("held", lambda a: store.stats(a.db, a.cycles()))

    def cycle_names(self):
        """The cycles the archive holds, newest first."""
        return [c["cycle"] for c in self.cycles()]

    def compare(self, a, b):
        """Two cycles side by side (archive/stats.py); both must exist."""
        return self._per_generation(("compare", a, b), lambda arc: stats.compare(arc.db, a, b))

    def keywords(self):
        """The KEYWORDS words most characteristic of each cycle's citations
        (index/themes.py). Seconds to compute at 100,000 entries: once per index
        generation, kept in cache/keywords.json (a re-index writes it), and while a
        newer generation's are computed, the previous ones are served."""
        stamp = self._generation()
        with _CACHE_LOCK:
            known = (stamp[0], "keywords") in _CACHE
        if not known:  # a new process: start from the file the last computation wrote
            saved = self._saved_keywords()
            if saved is not None:
                with _CACHE_LOCK:
                    _CACHE.setdefault((stamp[0], "keywords"), saved)
        return self._per_generation("keywords", Archive._compute_keywords, stale_ok=True)

    def _keywords_path(self):
        return self.home / "cache" / "keywords.json"

    def _saved_keywords(self):
        try:
            saved = json.loads(self._keywords_path().read_text("utf-8"))
            return tuple(saved["generation"]), saved["keywords"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _compute_keywords(self, snapshot=None):
        snapshot = snapshot or self.snapshot()
        stamp = self._generation(snapshot)
        value = themes.cycle_keywords(snapshot, KEYWORDS)
        path = self._keywords_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".keywords.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps({"generation": stamp, "keywords": value},
                                  ensure_ascii=False), "utf-8")
        os.replace(tmp, path)
        return value

    def mentions(self, text):
        """Per cycle, how many citations mention text (a word or phrase)."""
        query.parse(text)  # the same limits as a search
        return themes.cycle_mentions(self.snapshot(), text)

    def similar(self, entry_id, limit=5):
        """Other people's entries with the most similar citations."""
        return themes.similar(self.snapshot(), entry_id, limit)

    def export_ids(self, text, filters=None, sort="relevance", limit=10000):
        """Ids of every search hit (up to limit), in result order."""
        return query.matching_ids(self.snapshot(), text, filters=filters, sort=sort, limit=limit)

    def iter_entries(self, ids, chunk=500):
        """Full entries for ids (with their notice's source fields), in that order, read
        a chunk at a time (bounded memory)."""
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            rows = {r["id"]: r for r in store.entries_with_source(self.db, part)}
            yield from (rows[i] for i in part if i in rows)

    def notice_record(self, notice_id, version=None):
        """A notice as its page and the API show it, or None: metadata, entries in the
        notice's order, the text as read (headings, paragraphs, tables; never markup),
        every version with what it changed, and the files that version came from.

        version: an earlier version's number (its text, files and changes)."""
        notice = store.get_notice(self.db, notice_id, with_text=False)
        if notice is None:
            return None
        current = notice["version"]
        number = current if version is None else version
        shown = store.notice_version(self.db, notice_id, number)
        if shown is None:
            return None
        reading = json.loads(shown["reading"]) if shown.get("reading") else \
            reading_of_text(shown["text"], shown["format"])
        if number != current and shown.get("metadata"):  # what that version said
            notice = {**notice, **json.loads(shown["metadata"]), "version": current}
        versions = store.notice_versions(self.db, notice_id)
        return {
            "notice": notice, "version": number, "current": number == current,
            "entries": store.list_entries(self.db, notice=notice_id) if number == current
            else [], "reading": reading, "versions": versions,
            "changes": next((v["changes"] for v in versions if v["version"] == number), None),
            "files": store.notice_files(self.db, notice_id, number),
            "imported_at": shown["imported_at"], "source_name": shown["source_name"],
            "format": shown["format"],
        }

    def notice_file(self, notice_id, version, position):
        """One original file of a notice version: {name, format, data}, or None. Versions
        imported before files were kept offer their stored text (position 0)."""
        if position == 0:
            shown = store.notice_version(self.db, notice_id, version)
            if shown is None:
                return None
            name = shown["source_name"] or f"{notice_id}.txt"
            if shown["format"] not in ("html", "htm", "txt", "csv", "json"):
                name = name.rsplit(".", 1)[0] + ".txt"  # the text read from a binary file
            return {"name": name, "format": name.rsplit(".", 1)[-1].lower(),
                    "data": shown["text"].encode("utf-8")}
        return store.notice_file(self.db, notice_id, version, position)

    def last_modified(self):
        """When the live index last changed (rebuild or incremental), as a timestamp.

        The snapshot folder's own mtime: every commit adds a TOC file to it."""
        return self.snapshot().path.stat().st_mtime

    def counts(self):
        """Entries in the store and in the live index, and the live snapshot's name
        (index_entries and snapshot are None when there is no index)."""
        out = {"store_entries": self.db["entries"].count, "index_entries": None,
               "snapshot": None}
        try:
            snap = self.snapshot()
        except snapshots.NoSnapshot:
            return out
        with snap.lock:
            out["index_entries"] = snap.searcher().doc_count()
        out["snapshot"] = snap.name
        return out

    def status(self):
        """What the admin status page shows."""
        with store.transaction(self.private):  # a job whose process died shows as failed
            jobs.reap(self.private, "reindex")
            jobs.reap(self.private, "import")
        out = {**self.counts(), "age_seconds": None, "drift": None, "build_seconds": None,
               "imports": self.recent_imports(), "reindex": store.latest_job(self.private),
               "import": store.latest_job(self.private, "import")}
        if out["snapshot"] is None:
            return out
        out.update(age_seconds=snapshots.age_seconds(self.index_root),
                   build_seconds=self.snapshot().meta.get("build_seconds"), drift=self.check())
        return out

    def recent_imports(self, limit=10):
        """The latest imports, newest first, with the admin who made each."""
        rows = store.recent_imports(self.db, limit)
        users = {r["import_id"]: r["user"] for r in self.private.query(
            "select import_id, user from import_users where import_id in "
            f"({','.join('?' * len(rows))})", [r["id"] for r in rows])} if rows else {}
        return [{**r, "user": users.get(r["id"])} for r in rows]

    def correct(self, entry_id, changes, user, version=None):
        """Apply an admin's correction to an entry, audit it (who, privately), update
        the index; returns the names of the fields that changed. version: the entry's
        content_hash the form was opened on (store.StaleEntry if it changed since)."""
        done = store.update_entry(self.db, entry_id, changes, version)
        if done:
            with store.transaction(self.private):
                self.private["audit"].insert_all({**change, "user": user} for change in done)
            self.drain_index()
        return [change["field"] for change in done]

    def audit_trail(self, entry_id):
        """An entry's corrections, newest first, with who made each (admin pages only)."""
        users = {r["correction_id"]: r["user"] for r in self.private.query(
            "select correction_id, user from audit where entry_id = ?", [entry_id])}
        return [{**c, "user": users.get(c["id"])} for c in store.corrections(self.db, entry_id)]

    def backup(self, path):
        """Copy the store to `path` with SQLite's online backup API (safe while serving)."""
        import sqlite3
        path = Path(path)
        if path.exists():
            raise FileExistsError(f"{path} already exists")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".partial")
        target = sqlite3.connect(tmp)
        try:
            self.db.conn.backup(target, pages=1024)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        tmp.replace(path)
        return path

    def restore(self, path):
        """Restore a backup into this (new) instance and build its index.

        The backup is copied to a temporary file beside archive.db and checked
        there (integrity, schema version, tables, foreign keys) and upgraded;
        only then is it moved into place. A refused backup leaves nothing."""
        import sqlite3
        path = Path(path)
        if self.db_path.exists() and self.db["entries"].count:
            raise FileExistsError(f"{self.db_path} already holds entries; restore into a "
                                  "new instance folder")
        self.close()
        created = not self.home.exists()
        self.home.mkdir(parents=True, exist_ok=True)
        tmp = self.home / "archive.db.restoring"
        try:
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
                        private.adopt(candidate, self.private)
                    store.migrate(candidate)
                    candidate.execute("PRAGMA journal_mode = DELETE")
                finally:
                    candidate.conn.close()
            except sqlite3.DatabaseError as exc:
                raise ValueError(f"{path}: not an archive backup ({exc})") from exc
            tmp.replace(self.db_path)
        except BaseException:
            self.close()
            for leftover in (tmp, tmp.with_name(tmp.name + "-wal"),
                             tmp.with_name(tmp.name + "-shm")):
                leftover.unlink(missing_ok=True)
            if created:
                shutil.rmtree(self.home, ignore_errors=True)
            raise
        return self.reindex()


_CACHE = {}  # ((home, key) -> (generation stamp, value)); see Archive._per_generation
_CACHE_LOCK = threading.Lock()
_REFRESHING = set()  # (home, key) being recomputed in a background thread
#: Keywords kept per cycle (/trends shows them all).
KEYWORDS = 15


def _with_url(suggestion):
    """A suggestion with the (site-relative) URL of its search."""
    return {**suggestion, "url": "/search?" + urlencode({"q": suggestion["text"]})}


def _known_schema():
    """What a backup of any schema version may hold: {table: columns} and index names,
    collected by running the migrations one by one on an empty database (the private
    tables archive.db held before admin.db included)."""
    import sqlite3
    import sqlite_utils
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
    import sqlite3
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
