"""Releases: the primary writes an immutable folder per index generation (the store,
the index snapshot, the public SQLite file and a manifest with their checksums); a
read-only replica follows the newest one, from a folder or over HTTP(S), checks every
checksum and switches atomically. A corrupt or partial release is refused and the
replica keeps serving the one it has.

Layout of a releases folder::

    LATEST                 the newest release's name (replaced atomically)
    <name>/manifest.json   {name, created, snapshot, entries, files: {path: {sha256, size}}}
    <name>/archive.db      the store (public data only; SQLite online backup)
    <name>/archive-public.db
    <name>/index/...       the live index snapshot, as it was when the release was made
"""

import hashlib
import json
import os
import shutil
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from index import snapshots

from ..db import backup, store

MANIFEST = "manifest.json"
LATEST = "LATEST"
#: What a replica records of the release it serves.
INSTALLED = "RELEASE"


class ReleaseError(RuntimeError):
    """A release that cannot be installed (missing, partial, a checksum that differs);
    the replica keeps the one it serves."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Releases:
    """Writing releases (the primary) and following them (a replica)."""

    def __init__(self, archive):
        self.archive = archive

    # -- the primary -------------------------------------------------------
    def release(self, folder):
        """Write a release of the live state into `folder`; returns its path. Keeps the
        newest RELEASES_KEEP releases there."""
        archive = self.archive
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        live = archive.snapshot()
        name = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        partial = folder / f".{name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        try:
            # The index as committed: no writer between copying its files and the store.
            with snapshots.write_lock(archive.index_root):
                shutil.copytree(live.path, partial / "index", ignore=shutil.ignore_patterns(
                    "*.lock", "*.tmp", "*WRITELOCK"))
                backup.copy_online(archive.db, partial / "archive.db")
                entries = store.entry_count(archive.db)
            public = archive.publishing
            state = public.public_file()
            if state["entries"] != entries:  # behind the store: write it anew for this one
                public.publish(partial / "archive-public.db")
            else:
                shutil.copy2(public.path, partial / "archive-public.db")
                shutil.copy2(public.metadata_path, partial / "metadata.json")
            files = {}
            for path in sorted(p for p in partial.rglob("*") if p.is_file()):
                files[path.relative_to(partial).as_posix()] = {"sha256": _sha256(path),
                                                                "size": path.stat().st_size}
            manifest = {"name": name, "created": datetime.now(timezone.utc).isoformat(),
                        "snapshot": live.name, "entries": entries, "files": files}
            (partial / MANIFEST).write_text(json.dumps(manifest, indent=1), "utf-8")
            final = folder / name
            partial.rename(final)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        tmp = folder / f".{LATEST}.{os.getpid()}"
        tmp.write_text(name + "\n", "utf-8")
        os.replace(tmp, folder / LATEST)
        keep = int(archive.settings["RELEASES_KEEP"])
        done = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        for old in done[:-keep] if keep > 0 else []:
            shutil.rmtree(old, ignore_errors=True)
        return final

    # -- a replica ---------------------------------------------------------
    def installed(self):
        """The name of the release this instance serves, or None."""
        try:
            return (self.archive.home / INSTALLED).read_text("utf-8").strip() or None
        except FileNotFoundError:
            return None

    def follow(self, source):
        """Install the newest release of `source` (a folder, or its http(s) address)
        unless it is the one served; returns its name and whether it was installed.
        Raises ReleaseError for a release that cannot be had whole."""
        name = _read(source, LATEST).decode("utf-8").strip()
        if not name or "/" in name or name.startswith("."):
            raise ReleaseError(f"{source}: no release named in {LATEST}")
        if name == self.installed():
            return name, False
        try:
            manifest = json.loads(_read(source, f"{name}/{MANIFEST}"))
        except ValueError as exc:
            raise ReleaseError(f"{source}: release {name} has no readable manifest") from exc
        home = self.archive.home
        home.mkdir(parents=True, exist_ok=True)
        staging = home / "releases" / f".{name}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            for rel, spec in manifest["files"].items():
                if rel.startswith(("/", "..")) or "/../" in rel:
                    raise ReleaseError(f"{name}: an unsafe path in the manifest: {rel}")
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                _fetch(source, f"{name}/{rel}", target)
                if target.stat().st_size != spec["size"] or _sha256(target) != spec["sha256"]:
                    raise ReleaseError(f"{name}: {rel} is not the file the manifest describes "
                                       "(partial or corrupt); the served release is kept")
            self._install(name, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return name, True

    def _install(self, name, staging):
        """Switch to a checked release: the store, then the public file, then the index
        (a search never finds an entry its page cannot show), each by one rename."""
        archive = self.archive
        home = archive.home
        archive.close_connections()
        os.replace(staging / "archive.db", home / "archive.db")
        public = archive.public_path
        public.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / "archive-public.db", public)
        if (staging / "metadata.json").exists():
            os.replace(staging / "metadata.json", public.with_name("metadata.json"))
        folder = snapshots.snapshots_dir(archive.index_root)
        folder.mkdir(parents=True, exist_ok=True)
        os.replace(staging / "index", folder / name)
        snapshots.set_live(archive.index_root, name)
        tmp = home / f".{INSTALLED}.{os.getpid()}"
        tmp.write_text(name + "\n", "utf-8")
        os.replace(tmp, home / INSTALLED)
        snapshots.cleanup(archive.index_root)


def _is_url(source):
    return urllib.parse.urlparse(str(source)).scheme in ("http", "https")


def _read(source, rel):
    """The bytes of a release file (ReleaseError if missing)."""
    try:
        if _is_url(source):
            with urllib.request.urlopen(str(source).rstrip("/") + "/" + urllib.parse.quote(rel),
                                        timeout=60) as r:
                return r.read()
        return (Path(source) / rel).read_bytes()
    except OSError as exc:
        raise ReleaseError(f"{source}: cannot read {rel} ({exc})") from exc


def _fetch(source, rel, target):
    """Copy a release file to target, streamed."""
    try:
        if _is_url(source):
            with urllib.request.urlopen(str(source).rstrip("/") + "/" + urllib.parse.quote(rel),
                                        timeout=60) as r, open(target, "wb") as out:
                shutil.copyfileobj(r, out, 1 << 20)
        else:
            shutil.copyfile(Path(source) / rel, target)
    except OSError as exc:
        raise ReleaseError(f"{source}: cannot copy {rel} ({exc})") from exc


def follow_every(releases, source, seconds, log):
    """Follow `source` for ever, every `seconds`; log(message) says what happened."""
    while True:
        try:
            name, changed = releases.follow(source)
            if changed:
                log(f"release {name} installed")
        except ReleaseError as exc:
            log(f"refused: {exc}")
        time.sleep(seconds)
