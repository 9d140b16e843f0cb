"""Corrections: an admin's changes to what a notice said, applied to the entry,
audited privately (who) and publicly (what), and indexed."""

from ..db import private, store

#: Entry fields an admin may correct by hand.
EDITABLE_FIELDS = store.EDITABLE_FIELDS
#: Raised when the entry changed since the correction form was opened.
StaleEntry = store.StaleEntry


class Corrections:
    """Corrections of one instance's entries."""

    def __init__(self, archive):
        self.archive = archive

    def editable(self, entry_id):
        """An entry as the correction form shows it: {field: text}, with `version` (its
        content hash, so a correction made meanwhile is not overwritten); None if none."""
        row = store.get_entry(self.archive.db, entry_id)
        if row is None:
            return None
        return {"entry": row, "version": row["content_hash"],
                "fields": {k: "" if row[k] is None else str(row[k]) for k in EDITABLE_FIELDS}}

    def correct(self, entry_id, changes, user, version=None):
        """Apply an admin's correction to an entry, audit it (who, privately), update
        the index; returns the names of the fields that changed. version: the entry's
        content_hash the form was opened on (StaleEntry if it changed since)."""
        archive = self.archive
        done = store.update_entry(archive.db, entry_id, changes, version)
        if done:
            private.record_audit(archive.private, done, user)
            archive.publishing.refresh_later()
            archive.indexing.drain()
        return [change["field"] for change in done]

    def differences(self, entry_id, typed):
        """Where values an admin typed differ from the entry as it is now: [(field,
        typed, current)], for a stale form shown again beside the current values."""
        current = (self.editable(entry_id) or {}).get("fields", {})
        return [(k, typed.get(k) or "", current.get(k, ""))
                for k in EDITABLE_FIELDS
                if store.comparable(typed.get(k) or "") != store.comparable(current.get(k, ""))]

    def trail(self, entry_id):
        """An entry's corrections, newest first, with who made each (admin pages only)."""
        users = private.audit_users(self.archive.private, entry_id)
        return [{**c, "user": users.get(c["id"])}
                for c in store.corrections(self.archive.db, entry_id)]
