"""Upload previews kept in the instance folder until confirmed, cancelled or expired."""

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
