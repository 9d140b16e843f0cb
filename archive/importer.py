"""Importing parsed notices into the store: plan (what would change), then apply.

An import is all or nothing: every file is parsed and planned first, and
the plans are applied in one transaction.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field

from . import identity, sandbox
from .db import store
from .ingest import ENTRY_FIELDS, NOTICE_FIELDS, ParseError
from .ingest.merge import MERGED_FIELDS, apply_choices, apply_fixes
from .ingest.metadata import LABELS as NOTICE_LABELS
from .vocabulary import FIELD_LABELS


class RemovalNotConfirmed(ParseError):
    """A new version of a notice would remove entries, and nobody confirmed it."""


class CountMismatch(ParseError):
    """The notice states counts that differ from what was read, and nobody accepted it."""


class OcrNotReviewed(ParseError):
    """A list was read by OCR, and nobody said its cells were checked."""


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
    match: dict = None        # the stored notice this file is (another format, a new version)
    match_reason: str = None  # why it is that notice (文号相同 …)
    files: list = field(default_factory=list)  # (name, bytes) the notice was read from
    notice: dict = None  # the metadata to store: the file's, over the stored notice's
    kept_fields: list = field(default_factory=list)  # columns this file lacks, kept as stored
    # The notice's metadata this version changes: {"field", "old", "new"} each.
    metadata_changes: list = field(default_factory=list)

    @property
    def warnings(self):
        """Parser warnings plus what the import would replace."""
        out = list(self.parsed.warnings)
        if self.action == "replaced":
            out.append(f"将替换通知 {self.notice_id} 的现有版本：新增 {len(self.added)} 条，"
                       f"修改 {len(self.changed)} 条，删除 {len(self.removed)} 条")
        if self.metadata_changes:
            out.append("通知信息改动：" + "；".join(change_text(c) for c in self.metadata_changes))
        if self.kept_fields:
            out.append("这份文件没有以下列，沿用库中已有的值："
                       + "、".join(FIELD_LABELS.get(f, f) for f in self.kept_fields))
        return out

    @property
    def mismatches(self):
        """Counts the notice states that differ from what was read."""
        return list(self.parsed.mismatches)

    @property
    def merges(self):
        """Honorees found in several lists of this import, merged into one entry each."""
        return list(self.parsed.merges)

    def summary(self):
        """One line per file, as the CLI prints it."""
        return f"{self.source_name}：{ACTIONS[self.action]}（{len(self.rows)} 条）"


#: What an import did to a notice, as the CLI and the admin say it.
ACTIONS = {"imported": "已导入", "unchanged": "内容未变，未做改动",
           "replaced": "已导入新版本（旧版本已保留）", "kept": "库中已有更新的版本，未做改动"}
#: What an import would do (a dry run).
PLANNED = {"imported": "将导入", "unchanged": "内容未变，不会改动",
           "replaced": "将导入新版本（旧版本会保留）", "kept": "库中已有更新的版本，不会改动"}


def _rows(parsed, nid, old=None):
    """The rows a parsed notice would store. With the notice's stored entries (old),
    an entry keeps its id when a new version changes it: matched by its id (kind and
    name), then by person, then by position within the notice."""
    notice = parsed.notice
    rows, seen = [], Counter()
    for seq, entry in enumerate(parsed.entries, start=1):
        seen[(entry["kind"], entry["name"])] += 1
        row = {k: entry.get(k) for k in ENTRY_FIELDS}
        row.update(id=identity.entry_id(nid, entry["kind"], entry["name"],
                                     seen[(entry["kind"], entry["name"])]),
                   notice_id=nid, seq=seq, cycle=notice["cycle"], stage=notice["stage"])
        row["person_key"] = identity.person_key(row)
        rows.append(row)
    if old:
        _keep_ids(rows, old)
    for row in rows:
        row["content_hash"] = identity.content_hash(row)
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


def plan(db, parsed, source_name, keep_newer=False, files=()):
    """Compare a parsed notice with the store; writes nothing.

    The notice is looked up by identity (文号, or issuing body, title and cycle),
    so that the same notice in another format is never a second notice; it is
    "unchanged" when neither its metadata nor any entry differs.
    keep_newer: a text the notice had in an earlier version is "kept" (not
    re-imported over the newer one), as `archive init` does for bundled notices."""
    match, reason = store.find_notice(db, parsed.notice)
    nid = match["id"] if match else identity.notice_id(parsed.notice)
    common = dict(match=match, match_reason=reason, files=list(files))
    existing = store.get_notice(db, nid, with_text=False)
    if existing is None:
        rows = _rows(parsed, nid)
        return ImportPlan(source_name, parsed, nid, "imported", rows,
                          added=[r["id"] for r in rows], notice=dict(parsed.notice), **common)
    notice = _notice_over(existing, parsed.notice)
    digest = identity.sha256(parsed.text)
    old = store.notice_entries(db, nid)
    rows = _rows(parsed, nid, old)
    metadata = metadata_changes(existing, notice)
    if existing["sha256"] == digest and not metadata:
        # The same text with the same metadata: a no-op (that mends index state).
        return ImportPlan(source_name, parsed, nid, "unchanged", rows, notice=notice, **common)
    if keep_newer and existing["sha256"] != digest and store.has_version(db, nid, digest):
        return ImportPlan(source_name, parsed, nid, "kept", rows, notice=notice, **common)
    kept_fields = _keep_missing_columns(rows, old)
    new_ids = {r["id"] for r in rows}
    p = ImportPlan(source_name, parsed, nid, "replaced", rows,
                   added=[r["id"] for r in rows if r["id"] not in old],
                   removed=[i for i in old if i not in new_ids],
                   changed=[r["id"] for r in rows if r["id"] in old
                            and old[r["id"]]["content_hash"] != r["content_hash"]],
                   kept_fields=kept_fields, notice=notice, metadata_changes=metadata, **common)
    if not (p.added or p.removed or p.changed) and not metadata:
        p.action = "unchanged"  # the same text again, or the same notice in another format
        p.kept_fields = []
        return p
    p.conflicts = _conflicts(db, old, rows)
    corrected = store.corrected_ids(db, p.removed)
    p.removed_entries = [{"id": i, "kind": old[i]["kind"], "name": old[i]["name"],
                          "company": old[i]["company"], "corrected": i in corrected}
                         for i in p.removed]
    if p.conflicts:
        # Manual corrections win over the new text; the preview lists them.
        for c in p.conflicts:
            row = next(r for r in rows if r["id"] == c["entry_id"])
            row[c["field"]] = old[c["entry_id"]][c["field"]]
        for row in rows:
            row["person_key"] = identity.person_key(row)
            row["content_hash"] = identity.content_hash(row)
        p.changed = [r["id"] for r in rows if r["id"] in old
                     and old[r["id"]]["content_hash"] != r["content_hash"]]
    return p


def _notice_over(stored, incoming):
    """The incoming notice's metadata over the stored notice's: what the file does not
    say, or only guessed (a publication date taken from the signature), stays."""
    out = dict(incoming)
    for key in NOTICE_FIELDS:
        if out.get(key) in (None, ""):
            out[key] = stored.get(key)
    if incoming.get("published_guessed") and stored.get("published"):
        out["published"] = stored["published"]
    if identity.issuer_key(incoming.get("publisher")) == identity.issuer_key(stored["publisher"]):
        out["publisher"] = stored["publisher"]  # 工信部 as 工业和信息化部
    new, old = identity.title_key(incoming), identity.title_key(stored)
    if new == old or (identity.same_title(new, old) and len(out["title"]) < len(stored["title"])):
        out["title"] = stored["title"]  # the same title as first read, or the fuller one
    if identity.doc_key(incoming.get("doc_number")) == identity.doc_key(stored.get("doc_number")):
        out["doc_number"] = stored["doc_number"]  # 工信行建[2023]1号 as first written
    return out


def metadata_changes(stored, notice):
    """What a new version changes in the notice's metadata: [{"field", "old", "new"}]."""
    return [{"field": k, "old": stored.get(k) or None, "new": notice.get(k) or None}
            for k in NOTICE_FIELDS if (notice.get(k) or None) != (stored.get(k) or None)]


def change_text(change):
    """One metadata change as a person reads it: 发布日期：2018-10-24 → 2018-10-25."""
    return (f"{NOTICE_LABELS.get(change['field'], change['field'])}："
            f"{change['old'] or '—'} → {change['new'] or '—'}")


def _keep_missing_columns(rows, old):
    """Fields that no row of this file has (a PDF list without 出生年月) keep the values
    the stored version has, instead of erasing them; returns those fields."""
    missing = [f for f in MERGED_FIELDS if not any(r.get(f) not in (None, "") for r in rows)
               and any(o.get(f) not in (None, "") for o in old.values())]
    if not missing:
        return []
    for row in rows:
        before = old.get(row["id"])
        if before is not None:
            for name in missing:
                row[name] = before.get(name)
            row["content_hash"] = identity.content_hash(row)
    return missing


def _conflicts(db, old, rows):
    """Manually corrected fields that the new version of the notice would overwrite."""
    if not old:
        return []
    out = []
    by_id = {r["id"]: r for r in rows}
    for entry_id, column in store.corrected_pairs(db, list(old)):
        row = by_id.get(entry_id)
        stored = old[entry_id].get(column)
        if row is not None and \
                store.comparable(_text(row.get(column))) != store.comparable(_text(stored)):
            out.append({"entry_id": entry_id, "name": row["name"], "field": column,
                        "corrected": stored, "incoming": row.get(column)})
    return out


def _text(value):
    return None if value is None else str(value)


def removal_message(plans):
    """What the plans would remove, for a refusal that asks to confirm it."""
    lines = []
    for p in plans:
        if p.removed:
            names = "、".join(e["name"] + ("（已人工更正）" if e["corrected"] else "")
                             for e in p.removed_entries)
            lines.append(f"{p.source_name}：这个新版本会删除 {len(p.removed)} 条记录：{names}")
    return "\n".join(lines)


def mismatch_message(plans):
    """The stated counts that differ from what was read, for a refusal."""
    return "\n".join(f"{p.source_name}：{m}" for p in plans for m in p.mismatches)


def parse(files, overrides=None, attachments=(), limits=None, guide=None):
    """Parse (name, bytes) files in the sandbox (sandbox.py); returns [(name, files read,
    ParsedNotice or ParseError)], the files read being the notice and its attachments.

    overrides: notice metadata the admin supplies, for every file; attachments:
    (name, bytes) pairs that belong to the one notice file given; guide: where the
    list is (ingest/guide.py), for the one notice file given."""
    if (attachments or guide) and len(files) != 1:
        raise ParseError("附件和名单位置属于一个通知：请只给一个通知文件")
    jobs = [((name, data), list(attachments), overrides, guide) for name, data in files]
    results = sandbox.parse_all(jobs, limits)
    return [(name, [(name, data)] + list(attachments), result)
            for (name, data), result in zip(files, results)]


def plan_parsed(db, parsed_files, choices=None):
    """Plan what parse() read; raise one ParseError listing every bad file.

    choices: the admin's picks where a page and its attachments disagree
    (ingest.merge.apply_choices)."""
    plans, errors = [], []
    for name, files, parsed in parsed_files:
        if isinstance(parsed, ParseError):
            errors.append(parsed)
            continue
        apply_choices(parsed.entries, parsed.merges, choices)
        apply_fixes(parsed.entries, parsed.doubts, choices)
        plans.append(plan(db, parsed, name, files=files))
    seen = {}
    for p in plans:
        keys = {("id", p.notice_id), ("doc", identity.doc_key(p.parsed.notice.get("doc_number"))),
                ("title", identity.title_key(p.parsed.notice))}
        keys = {k for k in keys if k[1]}
        other = next((seen[k] for k in keys if k in seen), None)
        if other is not None:
            errors.append(ParseError(f"与 {other.source_name} 是同一份通知，在这次导入中出现了两次；"
                                     "网页和它的附件请一起导入（--attach 附件）",
                                     filename=p.source_name))
        for k in keys:
            seen.setdefault(k, p)
    if errors:
        raise errors[0] if len(errors) == 1 else ParseError("\n".join(map(str, errors)))
    return plans


def plan_files(db, files, overrides=None, attachments=(), choices=None, limits=None):
    """Parse (in the sandbox) and plan (name, bytes) pairs; raise one ParseError listing
    every bad file. limits: the sandbox's (sandbox.LIMITS)."""
    return plan_parsed(db, parse(files, overrides, attachments, limits), choices)


def ocr_message(plans):
    """The OCR'd lists of an import and the cells to check, for a refusal."""
    lines = []
    for p in plans:
        if p.parsed.ocr:
            lines.append(f"{p.source_name}：名单由文字识别（OCR）读出，{len(p.parsed.doubts)} 处需要核对")
            lines += [f"  {d['where']} {d['name']}：{FIELD_LABELS.get(d['field'], d['field'])}"
                      f"“{d['text']}”（{d['reason']}）" for d in p.parsed.doubts]
    return "\n".join(lines)


def apply(db, plans, allow_removal=False, keep_newer=False, accept_counts=False,
          accept_ocr=False):
    """Write the plans in one transaction; returns the ids to re-index and to delete,
    and the ids of the rows written to the imports log.

    A new version that removes entries needs allow_removal (RemovalNotConfirmed
    otherwise); a notice whose stated counts differ from what was read needs
    accept_counts (CountMismatch otherwise). Each imported text is kept as a
    version of its notice, with the files it came from and what it changed;
    removed entries are retired with the version they came from."""
    upsert, delete, logged = [], [], []
    stamp = store.now()
    if not accept_ocr and any(p.parsed.ocr for p in plans):
        raise OcrNotReviewed(ocr_message(plans) + "\n核对识别结果无误后请确认"
                             "（命令行：--accept-ocr）再导入")
    if not accept_counts and any(p.mismatches for p in plans):
        raise CountMismatch(mismatch_message(plans) + "\n通知注明的数量与读到的条目数不符；"
                            "核对无误后请确认（命令行：--accept-count-mismatch）再导入")
    with store.transaction(db):
        # Planned again under the write lock: another import may have landed
        # since the preview, and ids are derived, so nothing is duplicated.
        plans[:] = [plan(db, p.parsed, p.source_name, keep_newer, p.files) for p in plans]
        if not allow_removal and any(p.removed for p in plans):
            raise RemovalNotConfirmed(removal_message(plans) + "\n请确认删除"
                                      "（命令行：--remove-entries）后再导入")
        for p in plans:
            if p.action in ("unchanged", "kept"):
                # Importing a notice again repairs its entries' index state.
                store.queue_index(db, [r["id"] for r in p.rows] if p.action == "unchanged"
                                  else [])
                if p.action == "unchanged":
                    _add_files(db, p)
                continue
            _write(db, p, stamp)
            store.queue_index(db, p.added + p.changed + p.removed)
            logged.append(store.log_import(db, {
                "at": stamp, "notice_id": p.notice_id, "action": p.action,
                "entries": len(p.rows), "source_name": base_name(p.source_name)}))
            upsert += p.added + p.changed
            delete += p.removed
    return upsert, delete, logged


def _write(db, p, stamp):
    """One plan's notice, version, entries and retirements (inside a transaction)."""
    n = {k: p.notice.get(k) for k in NOTICE_FIELDS}
    version = store.notice_version_number(db, p.notice_id) + 1
    name = base_name(p.source_name)
    store.save_notice(db, {
        "id": p.notice_id, **n, "source_name": name, "format": p.parsed.format,
        "text": p.parsed.text, "sha256": identity.sha256(p.parsed.text), "updated_at": stamp,
        "version": version, "doc_key": identity.doc_key(n["doc_number"]),
        "title_key": identity.title_key(n),
        **({"imported_at": stamp} if p.action == "imported" else {}),
    }, {
        "notice_id": p.notice_id, "version": version, "sha256": identity.sha256(p.parsed.text),
        "text": p.parsed.text, "format": p.parsed.format, "source_name": name,
        "imported_at": stamp, "entries": len(p.rows), "changes": _changes(db, p),
        "reading": json.dumps(p.parsed.reading, ensure_ascii=False)
        if p.parsed.reading is not None else None,
        "metadata": json.dumps(n, ensure_ascii=False),
        "guide": json.dumps(p.parsed.guide, ensure_ascii=False) if p.parsed.guide else None})
    _add_files(db, p, version)
    store.retire_entries(db, p.notice_id, version - 1, p.removed, stamp, kept=p.rows)
    store.save_entries(db, p.rows, p.added, p.changed, stamp)


def base_name(path):
    """A file's name without its folders (a Windows upload's path included)."""
    return re.split(r"[\\/]", str(path))[-1]


def _add_files(db, p, version=None):
    """Keep the files a notice was read from; a file already kept is not kept twice."""
    if not p.files:
        return
    if version is None:
        version = store.notice_version_number(db, p.notice_id)
    store.add_notice_files(db, p.notice_id, version, [
        (base_name(name), base_name(name).rsplit(".", 1)[-1].lower(), data)
        for name, data in p.files])


def _changes(db, p):
    """What a version changed, as JSON: entries added, changed (with the fields) and
    removed, each with its id and name."""
    if p.action == "imported":
        return json.dumps({"added": len(p.added)})
    by_id = {r["id"]: r for r in p.rows}
    old = {r["id"]: r for r in store.entries_by_ids(db, p.changed + p.removed)}
    changed = []
    for i in p.changed:
        fields = [f for f in ENTRY_FIELDS if store.comparable(_text(by_id[i].get(f)))
                  != store.comparable(_text(old[i].get(f)))]
        changed.append({"id": i, "name": by_id[i]["name"], "fields": fields})
    return json.dumps({
        "added": [{"id": i, "name": by_id[i]["name"]} for i in p.added],
        "changed": changed,
        "removed": [{"id": i, "name": old[i]["name"]} for i in p.removed],
        "metadata": [{**c, "text": change_text(c)} for c in p.metadata_changes]},
        ensure_ascii=False)
