"""The application object: one instance folder's settings, connections and live
index, and the services beside it (archive/services/). The CLI and the web app
make one and call its services; neither touches SQL or the index directly.

An :class:`Instance` is what a process keeps of an instance folder (settings,
the live index, values computed once per index generation); an :class:`Archive`
adds the connections of one request, command or job thread to it."""

import weakref
from pathlib import Path

from index import snapshots

from . import config
from .db import private, store
from .ingest import fields
from .memo import GenerationMemo
from .db.public_file import FILENAME
from .services import (Accounts, Backups, Corrections, Imports, Indexing, Jobs, Publishing,
                       Records, Releases, Statistics, Uploads)


class ReadOnly(RuntimeError):
    """A write asked of a read-only replica (READ_ONLY); the message says so in Chinese."""


class Instance:
    """An instance folder as one process serves it: its paths, its settings
    (config.load), its live index and the values kept per index generation."""

    def __init__(self, home=None, settings=None):
        self.home = Path(home) if home else config.instance_path()
        self.settings = settings if settings is not None else config.load(self.home)
        self.db_path = self.home / "archive.db"
        self.private_path = self.home / "admin.db"
        self.index_root = self.home / "index"
        self.uploads_path = self.home / "uploads"
        self.cache_path = self.home / "cache"
        self.public_path = self.home / "public" / FILENAME
        self.live = snapshots.LiveIndex(self.index_root)
        self.memo = GenerationMemo()
        # An app or a command that is dropped without close() still closes its files.
        weakref.finalize(self, self.live.close)

    def close(self):
        """Close the live index's files."""
        self.live.close()


class Archive:
    """The application object: an instance with this thread's connections, and
    its services — imports, uploads, indexing, publishing, statistics, records
    (the public resources and search), corrections, backups, accounts, jobs."""

    def __init__(self, home=None):
        """home: an instance folder (default: config.instance_path()) or an Instance
        to share (a web worker's, for each of its requests)."""
        self._owns_instance = not isinstance(home, Instance)
        self.instance = Instance(home) if self._owns_instance else home
        self.home = self.instance.home
        self.db_path = self.instance.db_path
        self.private_path = self.instance.private_path
        self.index_root = self.instance.index_root
        self.public_path = self.instance.public_path
        self._db = None
        self._private = None
        self.imports = Imports(self)
        self.uploads = Uploads(self)
        self.indexing = Indexing(self)
        self.publishing = Publishing(self)
        self.statistics = Statistics(self)
        self.records = Records(self)
        self.corrections = Corrections(self)
        self.backups = Backups(self)
        self.accounts = Accounts(self)
        self.jobs = Jobs(self)
        self.releases = Releases(self)

    @property
    def settings(self):
        """The instance's settings (config.load: defaults, instance config.py, ARCHIVE_*
        environment; the web app's test config too)."""
        return self.instance.settings

    @property
    def read_only(self):
        """Whether this instance is a read-only replica (READ_ONLY)."""
        return bool(int(self.settings["READ_ONLY"]))

    @property
    def db(self):
        """The public store, archive.db (opened, and upgraded, on first use; a replica's
        read only, as its release installed it)."""
        if self._db is None and self.read_only:
            if not self.db_path.exists():
                raise ReadOnly("这个只读副本还没有安装任何版本：运行 archive follow SOURCE")
            self._db = store.connect_read_only(self.db_path)
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
        """The private store, admin.db (mode 0600): accounts, logins, audit, jobs. A
        read-only replica has none."""
        if self.read_only:
            raise ReadOnly("只读副本没有管理数据库（admin.db）")
        if self._private is None:
            self._private = private.connect(self.private_path)
        return self._private

    def has_store(self):
        """Whether archive.db exists (or is open): a dry run never creates it."""
        return self._db is not None or self.db_path.exists()

    def close_connections(self):
        """Close this thread's database connections (opened again on next use)."""
        for name in ("_db", "_private"):
            if getattr(self, name) is not None:
                getattr(self, name).conn.close()
                setattr(self, name, None)

    def close(self):
        """Close the connections (and the index, when this object made the instance)."""
        self.close_connections()
        if self._owns_instance:
            self.instance.close()

    def reopen(self):
        """Another Archive of the same instance, for another thread."""
        return Archive(self.instance)

    def snapshot(self):
        """The live index snapshot (reopened when a rebuild switched it)."""
        return self.instance.live.current()

    def generation_stamp(self, snapshot=None):
        """What names the index's current generation: the live snapshot and the time of
        its last commit (raises NoSnapshot without an index)."""
        snapshot = snapshot or self.snapshot()
        return (snapshot.name, snapshot.path.stat().st_mtime)

    def aliases(self):
        """The operator alias table, with the admin's instance/aliases.json merged in."""
        return fields.alias_table(self.home / "aliases.json")

    def index_aliases(self):
        """{operator: [aliases]} as the index takes it."""
        return {op: spec.get("aliases", []) for op, spec in self.aliases()["operators"].items()}
