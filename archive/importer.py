"""Importing parsed notices into the store: plan (what would change), then apply.

An import is all or nothing: every file is parsed and planned first, and
the plans are applied in one transaction.
"""

from collections import Counter
from dataclasses import dataclass, field

from . import store
from .ingest import ENTRY_FIELDS, ParseError, parse_files


@dataclass
class ImportPlan:
    """What importing one parsed notice would do to the store."""

    source_name: str
    parsed: object
    notice_id: str
    action: str  # imported | unchanged | replaced
    rows: list  # entry rows as they would be stored
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)  # manual corrections a re-import would undo

    @property
    def warnings(self):
        """Parser warnings plus what the import would replace."""
        out = list(self.parsed.warnings)
        if self.action == "replaced":
            out.append(f"replaces notice {self.notice_id}: {len(self.added)} added, "
                       f"{len(self.changed)} changed, {len(self.removed)} removed")
        return out

    def summary(self):
        """One line per file, as the CLI prints it."""
        return f"{self.source_name}: {self.action} ({len(self.rows)} entries)"


def _rows(parsed, nid):
    notice = parsed.notice
    rows, seen = [], Counter()
    for seq, entry in enumerate(parsed.entries, start=1):
        seen[(entry["kind"], entry["name"])] += 1
        row = {k: entry.get(k) for k in ENTRY_FIELDS}
        row.update(id=store.entry_id(nid, entry["kind"], entry["name"],
                                     seen[(entry["kind"], entry["name"])]),
                   notice_id=nid, seq=seq, cycle=notice["cycle"], stage=notice["stage"])
        row["person_key"] = store.person_key(row)
        row["content_hash"] = store.content_hash(row)
        rows.append(row)
    return rows


def plan(db, parsed, source_name):
    """Compare a parsed notice with the store; writes nothing."""
    nid = store.notice_id(parsed.notice)
    rows = _rows(parsed, nid)
    existing = store.get_notice(db, nid, with_text=False)
    if existing is None:
        return ImportPlan(source_name, parsed, nid, "imported", rows, added=[r["id"] for r in rows])
    if existing["sha256"] == store.sha256(parsed.text):
        return ImportPlan(source_name, parsed, nid, "unchanged", rows)
    old = {r["id"]: r for r in db.query("select * from entries where notice_id = ?", [nid])}
    new_ids = {r["id"] for r in rows}
    p = ImportPlan(source_name, parsed, nid, "replaced", rows,
                   added=[r["id"] for r in rows if r["id"] not in old],
                   removed=[i for i in old if i not in new_ids],
                   changed=[r["id"] for r in rows if r["id"] in old
                            and old[r["id"]]["content_hash"] != r["content_hash"]])
    p.conflicts = _conflicts(db, old, rows)
    if p.conflicts:
        # Manual corrections win over the new text; the preview lists them.
        for c in p.conflicts:
            row = next(r for r in rows if r["id"] == c["entry_id"])
            row[c["field"]] = old[c["entry_id"]][c["field"]]
        for row in rows:
            row["person_key"] = store.person_key(row)
            row["content_hash"] = store.content_hash(row)
        p.changed = [r["id"] for r in rows if r["id"] in old
                     and old[r["id"]]["content_hash"] != r["content_hash"]]
    return p


def _conflicts(db, old, rows):
    """Manually corrected fields that the new version of the notice would overwrite."""
    if not old:
        return []
    out = []
    by_id = {r["id"]: r for r in rows}
    for audit in db.query("select distinct entry_id, field from corrections where entry_id in "
                          f"({','.join('?' * len(old))}) order by entry_id, field", list(old)):
        row = by_id.get(audit["entry_id"])
        stored = old[audit["entry_id"]].get(audit["field"])
        if row is not None and str(row.get(audit["field"])) != str(stored):
            out.append({"entry_id": audit["entry_id"], "name": row["name"], "field": audit["field"],
                        "corrected": stored, "incoming": row.get(audit["field"])})
    return out


def plan_files(db, files, overrides=None, attachments=()):
    """Parse and plan (name, bytes) pairs; raise one ParseError listing every bad file.

    overrides: notice metadata the admin supplies, for every file; attachments:
    (name, bytes) pairs that belong to the one notice file given."""
    if attachments and len(files) != 1:
        raise ParseError("attachments belong to one notice page: give exactly one file "
                         "with its attachments")
    plans, errors = [], []
    for name, data in files:
        try:
            parsed = parse_files((name, data), attachments, overrides)
        except ParseError as exc:
            errors.append(exc)
            continue
        plans.append(plan(db, parsed, name))
    ids = Counter(p.notice_id for p in plans)
    for p in plans:
        if ids[p.notice_id] > 1:
            errors.append(ParseError("the same notice is given more than once in this import",
                                     filename=p.source_name))
            ids[p.notice_id] = 0
    if errors:
        raise errors[0] if len(errors) == 1 else ParseError("\n".join(map(str, errors)))
    return plans


def apply(db, plans):
    """Write the plans in one transaction; returns the ids to re-index and to delete,
    and the ids of the rows written to the imports log."""
    upsert, delete, logged = [], [], []
    stamp = store.now()
    with store.transaction(db):
        # Planned again under the write lock: another import may have landed
        # since the preview, and ids are derived, so nothing is duplicated.
        plans[:] = [plan(db, p.parsed, p.source_name) for p in plans]
        for p in plans:
            if p.action == "unchanged":
                continue
            n = p.parsed.notice
            db["notices"].upsert({
                "id": p.notice_id, **n, "source_name": p.source_name.rsplit("/", 1)[-1],
                "format": p.parsed.format, "text": p.parsed.text,
                "sha256": store.sha256(p.parsed.text), "updated_at": stamp,
                **({"imported_at": stamp} if p.action == "imported" else {}),
            }, pk="id")
            if p.removed:
                db.execute(f"delete from entries where id in ({','.join('?' * len(p.removed))})",
                           p.removed)
            for row in p.rows:
                stamped = dict(row)
                if row["id"] in p.added:
                    stamped["imported_at"] = stamped["updated_at"] = stamp
                elif row["id"] in p.changed:
                    stamped["updated_at"] = stamp
                db["entries"].upsert(stamped, pk="id")
            logged.append(db["imports"].insert({
                "at": stamp, "notice_id": p.notice_id, "action": p.action,
                "entries": len(p.rows), "source_name": p.source_name}).last_pk)
            upsert += p.added + p.changed
            delete += p.removed
    return upsert, delete, logged
