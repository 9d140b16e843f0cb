"""Index snapshots on disk and the live pointer.

Layout under the index root::

    LIVE                    name of the live snapshot (replaced atomically)
    snapshots/<name>/       a Whoosh index + userdict.txt (jieba words) + aliases.json + meta.json
    snapshots/<name>.partial/  a snapshot being built (never made live)
    write.lock              held by any writer of the live snapshot (fcntl)
    build.lock              held by a full rebuild

A reader that opened a snapshot keeps working after the pointer moves; the
last two snapshots are kept on disk, older ones removed.
"""

import fcntl
import json
import os
import shutil
import signal
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from whoosh import index as whoosh_index

from .analysis import load_dictionary
from .generation import Generation
from .schema import SCHEMA_VERSION, make_codec, make_schema

KEEP = 2


class NoSnapshot(LookupError):
    """There is no live snapshot yet (the index was never built)."""


class StaleSnapshot(NoSnapshot):
    """The live snapshot was built by another schema version; rebuild it."""


def snapshots_dir(root):
    """Folder holding the snapshots."""
    return Path(root) / "snapshots"


def live_name(root):
    """Name of the live snapshot, or None."""
    try:
        return (Path(root) / "LIVE").read_text("utf-8").strip() or None
    except FileNotFoundError:
        return None


def new_name():
    """A fresh snapshot name that sorts by creation time."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def set_live(root, name):
    """Point LIVE at snapshot `name`, atomically (write, fsync, rename)."""
    root = Path(root)
    tmp = root / f"LIVE.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / "LIVE")
    fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_HELD = set()  # lock files this process holds open
_BUILDING = False  # set in the parent while a rebuild forks its writer processes


def _after_fork_in_child():
    # A forked child shares the parent's lock files; closing them here means a
    # killed rebuild's helpers can never keep its locks held.
    for f in list(_HELD):
        try:
            os.close(f.fileno())
        except OSError:
            pass
    _HELD.clear()
    if _BUILDING:
        try:  # Linux: a writer helper dies with the rebuild that forked it
            import ctypes
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
        if os.getppid() == 1:
            os._exit(1)


os.register_at_fork(after_in_child=_after_fork_in_child)


@contextmanager
def building():
    """Mark a rebuild in progress, for the writer processes it forks."""
    global _BUILDING
    _BUILDING = True
    try:
        yield
    finally:
        _BUILDING = False


@contextmanager
def file_lock(path, blocking=True):
    """An exclusive fcntl lock on `path`, released on exit; yields False if not got."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        _HELD.add(f)
        try:
            yield True
        finally:
            _HELD.discard(f)
            fcntl.flock(f, fcntl.LOCK_UN)


def write_lock(root):
    """Lock serialising every writer of the live snapshot (imports, edits, swaps)."""
    return file_lock(Path(root) / "write.lock")


def remove_partials(root):
    """Remove half-built snapshot folders; the caller holds the build lock."""
    removed = []
    for path in snapshots_dir(root).glob("*.partial"):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed


def cleanup(root, keep=KEEP):
    """Remove snapshots older than the newest `keep` (never the live one) and
    half-built leftovers of builds that are no longer running."""
    folder = snapshots_dir(root)
    if not folder.is_dir():
        return []
    removed = []
    live = live_name(root)
    with file_lock(Path(root) / "build.lock", blocking=False) as got:
        if got:  # no build is running: its half-built folder is a leftover
            removed += remove_partials(root)
    done = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.endswith(".partial"))
    for path in done[:-keep] if keep else done:
        if path.name != live:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def read_meta(path):
    """A snapshot's meta.json as a dict ({} when missing)."""
    try:
        return json.loads((Path(path) / "meta.json").read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


#: A file or folder changed less than this long ago is re-read even when its stat
#: looks unchanged: two changes within one tick of the file system's clock leave
#: the same modification time.
QUIET_NS = 2_000_000_000


def _stat_key(path):
    """What identifies a file's or folder's current state: inode, mtime, size."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _trusted(key):
    """The key, when its state is old enough that an unchanged key means unchanged."""
    return key if key is not None and time.time_ns() - key[1] > QUIET_NS else None


class Snapshot:
    """One opened snapshot: its Whoosh index, dictionary and alias table, and the
    Generation of its newest committed state."""

    def __init__(self, path):
        self.path = Path(path)
        self.name = self.path.name
        self.meta = read_meta(self.path)
        if self.meta.get("schema") != SCHEMA_VERSION:
            raise StaleSnapshot(f"index snapshot {self.name} has schema "
                                f"{self.meta.get('schema')}, this code needs {SCHEMA_VERSION}: "
                                "run `archive reindex`")
        self.digest = load_dictionary(self.path / "userdict.txt")
        self.aliases = json.loads((self.path / "aliases.json").read_text("utf-8"))
        self.index = whoosh_index.open_dir(str(self.path), schema=make_schema(self.digest))
        self._generation = None
        self._folder_key = None  # the folder's state when the generation was last checked
        self._lock = threading.Lock()

    @contextmanager
    def reading(self):
        """The Generation of the newest committed state, held for the caller: it stays
        open until the block ends, even when an update commits meanwhile."""
        generation = self._current()
        try:
            yield generation
        finally:
            generation.release()

    def _current(self):
        with self._lock:
            # A commit adds a TOC file, which changes the folder: while the folder is
            # unchanged, the generation is still the newest.
            key = _stat_key(self.path)
            old = self._generation
            if old is None or key is None or key != self._folder_key:
                if old is None or not old.up_to_date():
                    searcher = self._open_searcher()
                    try:
                        self._generation = Generation(self, searcher, previous=old)
                    except BaseException:
                        searcher.close()
                        raise
                    if old is not None:
                        old.retire()
                self._folder_key = _trusted(key)
            return self._generation.acquire()

    def _open_searcher(self, attempts=5):
        # A commit in another process may remove the TOC file being opened;
        # the next attempt reads the newer generation.
        for attempt in range(attempts):
            try:
                return self.index.searcher()
            except OSError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))

    def close(self):
        """Retire the current generation (closed once its last search is done)."""
        with self._lock:
            if self._generation is not None:
                self._generation.retire()
                self._generation = None
                self._folder_key = None

    def writer(self):
        """A Whoosh writer; the caller holds the root's write lock."""
        return self.index.writer(timeout=60, compound=False, codec=make_codec())


class LiveIndex:
    """Follows the LIVE pointer: a search always uses the newest snapshot. One per
    index root and process, owned by the application object."""

    def __init__(self, root):
        self.root = Path(root).resolve()
        self._snapshot = None
        self._live_key = None  # LIVE's state when it was last read
        self._lock = threading.Lock()

    def current(self):
        """The live Snapshot, reopened when LIVE changed since last time."""
        key = _stat_key(self.root / "LIVE")
        with self._lock:
            if self._snapshot is not None and key is not None and key == self._live_key:
                return self._snapshot
        name = live_name(self.root)
        if name is None:
            raise NoSnapshot(f"no index snapshot under {self.root}; run `archive reindex`")
        with self._lock:
            if self._snapshot is None or self._snapshot.name != name:
                old, self._snapshot = self._snapshot, Snapshot(snapshots_dir(self.root) / name)
                if old is not None:
                    old.close()
            self._live_key = _trusted(key)
            return self._snapshot

    def close(self):
        """Close the live snapshot (a later call to current() opens it again)."""
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.close()
                self._snapshot = None
                self._live_key = None


def age_seconds(root):
    """Seconds since the live snapshot was made live (None without one)."""
    try:
        return time.time() - (Path(root) / "LIVE").stat().st_mtime
    except FileNotFoundError:
        return None
