"""Importing parsed notices into the store: plan (what would change), then apply.

An import is all or nothing: every file is parsed and planned first, and
the plans are applied in one transaction.
"""

from collections import Counter
from dataclasses import dataclass, field

from . import store
from .ingest import ENTRY_FIELDS, ParseError, parse_files


class RemovalNotConfirmed(ParseError):
    """A new version of a notice would remove entries, and nobody confirmed it."""


@dataclass
class ImportPlan:
    """What importing one parsed notice would do to the store."""

    source_name: str
    parsed: object
    notice_id: str
    action: str  # imported | unchanged | replaced | kept (an earlier version of it)
    rows: list  # entry rows as they would be stored
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)  # manual corrections a re-import would undo
    removed_entries: list = field(default_factory=list)  # {id, kind, name, corrected}

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
        if self.action == "kept":
            return f"{self.source_name}: kept (an earlier version of this notice; the " \
                   "archive holds a newer one)"
        return f"{self.source_name}: {self.action} ({len(self.rows)} entries)"


def _rows(parsed, nid, old=None):
    """The rows a parsed notice would store. With the notice's stored entries (old),
    an entry keeps its id when a new version changes it: matched by its id (kind and
    name), then by person, then by position within the notice."""
    notice = parsed.notice
    rows, seen = [], Counter()
    for seq, entry in enumerate(parsed.entries, start=1):
        seen[(entry["kind"], entry["name"])] += 1
        row = {k: entry.get(k) for k in ENTRY_FIELDS}
        row.update(id=store.entry_id(nid, entry["kind"], entry["name"],
                                     seen[(entry["kind"], entry["name"])]),
                   notice_id=nid, seq=seq, cycle=notice["cycle"], stage=notice["stage"])
        row["person_key"] = store.person_key(row)
        rows.append(row)
    if old:
        _keep_ids(rows, old)
    for row in rows:
        row["content_hash"] = store.content_hash(row)
    return rows


def _keep_ids(rows, old):
    """Give rows that lost their id (renamed, re-spelt) the id of the old entry that is
    the same person, or else stands at the same position with the same kind."""
    taken = {r["id"] for r in rows if r["id"] in old}
    loose = [r for r in rows if r["id"] not in old]
    free = {i: e for i, e in old.items() if i not in taken}
    by_person = {}
    for i, e in free.items():
        by_person.setdefault(e["person_key"], i)
    for row in loose:
        match = by_person.get(row["person_key"])
        if match in free:
            row["id"] = match
            del free[match]
    by_position = {(e["seq"], e["kind"]): i for i, e in free.items()}
    in_use = {r["id"] for r in rows}
    for row in loose:
        if row["id"] in old:
            continue
        match = by_position.get((row["seq"], row["kind"]))
        if match in free and match not in in_use:
            row["id"] = match
            in_use.add(match)
            del free[match]


def plan(db, parsed, source_name, keep_newer=False):
    """Compare a parsed notice with the store; writes nothing.

    keep_newer: a text the notice had in an earlier version is "kept" (not
    re-imported over the newer one), as `archive init` does for bundled notices."""
    nid = store.notice_id(parsed.notice)
    rows = _rows(parsed, nid)
    existing = store.get_notice(db, nid, with_text=False)
    if existing is None:
        return ImportPlan(source_name, parsed, nid, "imported", rows, added=[r["id"] for r in rows])
    digest = store.sha256(parsed.text)
    if existing["sha256"] == digest:
        return ImportPlan(source_name, parsed, nid, "unchanged", rows)
    if keep_newer and db.execute("select 1 from notice_versions where notice_id = ? and "
                                 "sha256 = ?", [nid, digest]).fetchone():
        return ImportPlan(source_name, parsed, nid, "kept", rows)
    old = {r["id"]: r for r in db.query("select * from entries where notice_id = ?", [nid])}
    rows = _rows(parsed, nid, old)
    new_ids = {r["id"] for r in rows}
    p = ImportPlan(source_name, parsed, nid, "replaced", rows,
                   added=[r["id"] for r in rows if r["id"] not in old],
                   removed=[i for i in old if i not in new_ids],
                   changed=[r["id"] for r in rows if r["id"] in old
                            and old[r["id"]]["content_hash"] != r["content_hash"]])
    p.conflicts = _conflicts(db, old, rows)
    corrected = _corrected(db, p.removed)
    p.removed_entries = [{"id": i, "kind": old[i]["kind"], "name": old[i]["name"],
                          "company": old[i]["company"], "corrected": i in corrected}
                         for i in p.removed]
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
        if row is not None and \
                store.comparable(_text(row.get(audit["field"]))) != store.comparable(_text(stored)):
            out.append({"entry_id": audit["entry_id"], "name": row["name"], "field": audit["field"],
                        "corrected": stored, "incoming": row.get(audit["field"])})
    return out


def _text(value):
    return None if value is None else str(value)


def _corrected(db, ids):
    """Those of the ids that have manual corrections."""
    out = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        out |= {r[0] for r in db.execute("select distinct entry_id from corrections where "
                                          f"entry_id in ({','.join('?' * len(chunk))})", chunk)}
    return out


def removal_message(plans):
    """What the plans would remove, for a refusal that asks to confirm it."""
    lines = []
    for p in plans:
        if p.removed:
            names = "、".join(e["name"] + ("（已人工更正）" if e["corrected"] else "")
                             for e in p.removed_entries)
            lines.append(f"{p.source_name}: this new version would remove {len(p.removed)} "
                         f"entries: {names}")
    return "\n".join(lines)


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


def apply(db, plans, allow_removal=False, keep_newer=False):
    """Write the plans in one transaction; returns the ids to re-index and to delete,
    and the ids of the rows written to the imports log.

    A new version that removes entries needs allow_removal (RemovalNotConfirmed
    otherwise). Each imported text is kept as a version of its notice; removed
    entries are retired with the version they came from."""
    upsert, delete, logged = [], [], []
    stamp = store.now()
    with store.transaction(db):
        # Planned again under the write lock: another import may have landed
        # since the preview, and ids are derived, so nothing is duplicated.
        plans[:] = [plan(db, p.parsed, p.source_name, keep_newer) for p in plans]
        if not allow_removal and any(p.removed for p in plans):
            raise RemovalNotConfirmed(removal_message(plans) + "\nconfirm the removal "
                                      "(--remove-entries) to import it")
        for p in plans:
            if p.action in ("unchanged", "kept"):
                # Importing a notice again repairs its entries' index state.
                store.queue_index(db, [r["id"] for r in p.rows] if p.action == "unchanged"
                                  else [])
                continue
            _write(db, p, stamp)
            store.queue_index(db, p.added + p.changed + p.removed)
            logged.append(db["imports"].insert({
                "at": stamp, "notice_id": p.notice_id, "action": p.action,
                "entries": len(p.rows), "source_name": p.source_name}).last_pk)
            upsert += p.added + p.changed
            delete += p.removed
    return upsert, delete, logged


def _write(db, p, stamp):
    """One plan's notice, version, entries and retirements (inside a transaction)."""
    n = p.parsed.notice
    previous = db.execute("select version from notices where id = ?", [p.notice_id]).fetchone()
    version = previous[0] + 1 if previous else 1
    name = p.source_name.rsplit("/", 1)[-1]
    db["notices"].upsert({
        "id": p.notice_id, **n, "source_name": name, "format": p.parsed.format,
        "text": p.parsed.text, "sha256": store.sha256(p.parsed.text), "updated_at": stamp,
        "version": version, **({"imported_at": stamp} if p.action == "imported" else {}),
    }, pk="id")
    db["notice_versions"].insert({
        "notice_id": p.notice_id, "version": version, "sha256": store.sha256(p.parsed.text),
        "text": p.parsed.text, "format": p.parsed.format, "source_name": name,
        "imported_at": stamp, "entries": len(p.rows)}, pk=("notice_id", "version"))
    if p.removed:
        old = {r["id"]: r for r in store.entries_by_ids(db, p.removed)}
        db["retired_entries"].upsert_all(
            ({"id": i, "notice_id": p.notice_id, "notice_version": version - 1,
              "kind": old[i]["kind"], "name": old[i]["name"], "cycle": old[i]["cycle"],
              "stage": old[i]["stage"], "removed_at": stamp} for i in p.removed), pk="id")
        db.execute(f"delete from entries where id in ({','.join('?' * len(p.removed))})",
                   p.removed)
    added, changed = set(p.added), set(p.changed)
    db["entries"].upsert_all(({**r, "imported_at": stamp, "updated_at": stamp}
                              for r in p.rows if r["id"] in added), pk="id")
    db["entries"].upsert_all(({**r, "updated_at": stamp} for r in p.rows if r["id"] in changed),
                             pk="id")
    db["entries"].upsert_all((r for r in p.rows if r["id"] not in added | changed), pk="id")
    if added:  # an id that comes back is no longer retired
        db.execute(f"delete from retired_entries where id in ({','.join('?' * len(added))})",
                   list(added))
