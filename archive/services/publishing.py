"""Publishing and exports: the public SQLite file (with Datasette's metadata) and the
rows of every download."""

from pathlib import Path

from index import searching

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
        settings = self.archive.settings
        done = publish.publish(self.archive.db, path, procs=procs)
        publish.write_metadata(path.with_name(publish.METADATA), base_url=settings["BASE_URL"],
                               license_name=settings["DATA_LICENSE"],
                               license_url=settings["DATA_LICENSE_URL"])
        return done

    def public_file(self):
        """The public file as /data describes it: {built (its stat, or None), entries}."""
        built = self.path.stat() if self.path.exists() else None
        return {"built": built, "entries": publish.entry_count(self.path) if built else None,
                "filename": publish.FILENAME, "metadata": publish.METADATA}

    def export_ids(self, text, filters=None, sort="relevance", limit=10000):
        """Ids of every search hit (up to limit), in result order."""
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
