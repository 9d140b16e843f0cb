"""Upload previews kept in the instance folder until confirmed, cancelled or expired.

A preview is a folder named by a random token: the files as uploaded, meta.json
(who, the names, the admin's metadata and picks) and parsed.pickle, what the
parsing sandbox read, so that paging the preview and confirming it never parse
the files again. Folders are 0700 and files 0600. Confirm and cancel claim the
folder by renaming it, so that only one of them can ever act on it.
"""

import json
import os
import pickle
import secrets
import shutil
import time
from pathlib import Path

#: A preview not confirmed within this many seconds is removed.
MAX_AGE = 86400


def expired(folder, now=None):
    """Whether a preview folder is older than MAX_AGE (by its meta.json)."""
    meta = Path(folder) / "meta.json"
    try:
        return (now or time.time()) - meta.stat().st_mtime > MAX_AGE
    except FileNotFoundError:
        return True


def expire(root, now=None):
    """Remove expired (or half-written) previews under root; returns how many."""
    root = Path(root)
    if not root.is_dir():
        return 0
    removed = 0
    for folder in root.iterdir():
        if folder.is_dir() and expired(folder, now):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


class Gone(LookupError):
    """The preview does not exist (any more), belongs to someone else, or was claimed."""


def _write(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def stage(root, user, files, overrides):
    """Keep uploaded (name, bytes) files, the notice first, for a preview; returns its token."""
    root = Path(root)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    expire(root)
    token = secrets.token_hex(16)
    folder = root / token
    folder.mkdir(mode=0o700)
    for i, (_, data) in enumerate(files):
        _write(folder / f"file{i}", data)
    save_meta(folder, {"user": user, "filename": files[0][0],
                       "attachments": [name for name, _ in files[1:]], "overrides": overrides})
    return token


def open_preview(root, token, user):
    """(folder, meta) of a live preview of this user's; raises Gone."""
    if not token or not token.isalnum() or len(token) > 64:
        raise Gone(token)
    folder = Path(root) / token
    try:
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise Gone(token) from None
    if expired(folder) or meta.get("user") != user:
        raise Gone(token)
    return folder, meta


def save_meta(folder, meta):
    """Write a preview's meta.json (0600)."""
    _write(Path(folder) / "meta.json", json.dumps(meta, ensure_ascii=False).encode("utf-8"))


def files(folder, meta):
    """The kept files: ([(notice name, bytes)], [(attachment name, bytes)])."""
    names = [meta["filename"]] + meta.get("attachments", [])
    pairs = [(name, (Path(folder) / f"file{i}").read_bytes()) for i, name in enumerate(names)]
    return pairs[:1], pairs[1:]


def save_parsed(folder, parsed_files):
    """Keep what the sandbox read (importer.parse's result) with the preview."""
    _write(Path(folder) / "parsed.pickle", pickle.dumps(parsed_files))


def load_parsed(folder):
    """What the sandbox read for this preview, or None if it was never kept."""
    try:
        # Our own file, written by save_parsed into a 0700 folder of the instance.
        return pickle.loads((Path(folder) / "parsed.pickle").read_bytes())
    except FileNotFoundError:
        return None


def claim(folder):
    """Take a preview for confirm or cancel: rename it out of reach (atomic), so that
    a second confirm or a cancel sent together finds nothing; returns the new path.
    Raises Gone when another request was first."""
    folder = Path(folder)
    taken = folder.with_name(folder.name + ".claimed")
    try:
        os.rename(folder, taken)
    except FileNotFoundError:
        raise Gone(folder.name) from None
    return taken


def release(taken):
    """Give a claimed preview back (the confirm was refused: the admin may try again)."""
    taken = Path(taken)
    os.rename(taken, taken.with_name(taken.name[:-len(".claimed")]))


def discard(folder):
    """Remove a preview for good."""
    shutil.rmtree(folder, ignore_errors=True)
