"""Building the index: full rebuild into a new snapshot, incremental updates,
and the drift comparison between a store and the live snapshot.

Entries come in as plain dicts with the keys id, content_hash, notice_id,
kind, name, company, unit, operator, region, cycle, stage, position,
team_category, education and citation.
"""

import json
import os
import shutil
import time
from pathlib import Path

from whoosh import index as whoosh_index

from . import bulk
from .analysis import (is_plain, load_dictionary, name_sound, name_substrings, normalize, pinyin_keys,
                       spoken, write_dictionary)
from .bulk import IndexWriteError
from .internals import stored_documents
from .schema import (CITATION_TEXT, PHRASE_FIELDS, SCHEMA_VERSION, make_codec, make_schema,
                     pack_citation)
from .snapshots import (NoSnapshot, Snapshot, building, cleanup, file_lock,
                        live_name, new_name, remove_partials, set_live, snapshots_dir,
                        write_lock)


def normalize_aliases(aliases):
    """{operator: [alias, …]} with every alias normalised, operators included."""
    out = {}
    for operator, names in aliases.items():
        out[operator] = sorted({normalize(n) for n in [operator, *names] if n})
    return out


def dictionary_words(entries):
    """Words that jieba must keep whole: names, team names, companies, units."""
    words = set()
    for e in entries:
        for key in ("name", "company", "unit"):
            if e.get(key):
                words.add(e[key])
    return words


def document(entry, aliases):
    """The Whoosh document for one entry."""
    operator = entry.get("operator") or ""
    region = entry.get("region") or ""
    # The region's pinyin too, so that "Zhang Na Beijing" finds 张娜 of 北京.
    org = [entry.get("company"), entry.get("unit"), operator, *aliases.get(operator, []),
           spoken(region)]
    # The award title is the same for nearly every entry: not worth searching.
    role = [entry.get("position"), entry.get("team_category"), entry.get("education")]
    cycle = entry.get("cycle") or ""
    citation = entry.get("citation") or ""
    doc = {
        "id": entry["id"], "content_hash": entry["content_hash"],
        "notice_id": entry.get("notice_id") or "", "kind": entry.get("kind") or "",
        "cycle": cycle, "operator": operator, "region": region,
        "stage": entry.get("stage") or "",
        "person": entry.get("person_key") or entry["id"],
        "year": int(cycle[-4:]) if cycle[-4:].isdigit() else 0,
        "name": entry["name"], "label": entry["name"], "sound": name_sound(entry["name"]),
        "name_sub": " ".join(name_substrings(entry["name"])),
        "pinyin": " ".join(pinyin_keys(entry["name"], entry.get("kind") or "individual")),
        "org": "\n".join(x for x in org if x),
        "role": "\n".join(x for x in role if x),
        "citation": citation,
        "plain": "1" if is_plain(citation) else "",
        "citation_pairs": citation,
        CITATION_TEXT: pack_citation(citation),
        "company": entry.get("company") or "", "unit": entry.get("unit") or "",
    }
    for field, twin in PHRASE_FIELDS.items():
        doc[twin] = doc[field]
    return doc


def default_procs():
    """Processes a full rebuild uses unless told: one per core, up to 4."""
    return min(os.cpu_count() or 1, 4)


def rebuild(root, entries, *, words, aliases, total=None, progress=None, reconcile=None,
            procs=None):
    """Build a new snapshot from `entries` and make it live; returns its meta.

    entries: an iterable of entry dicts (read once). words: dictionary words
    (see dictionary_words). aliases: {operator: [alias, …]}. progress(done,
    total) is called as documents are added. reconcile: (hashes, fetch) —
    hashes() gives the store's {id: content_hash} and fetch(ids) its entries;
    applied under the write lock just before the switch, so imports made
    during the build are not lost.
    """
    root = Path(root)
    snapshots_dir(root).mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with file_lock(root / "build.lock") as _:
        remove_partials(root)  # leftovers of builds that died: we hold the build lock
        name = new_name()
        partial = snapshots_dir(root) / f"{name}.partial"
        partial.mkdir()
        try:
            digest, table, word_count = _prepare(partial, words, aliases)
            count = _write_documents(partial, digest, table, entries, total, progress,
                                     procs or default_procs())
            meta = {"name": name, "schema": SCHEMA_VERSION, "entries": count,
                    "dictionary_words": word_count,
                    "build_seconds": round(time.monotonic() - started, 3),
                    "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            _switch(root, partial, meta, reconcile)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    cleanup(root)
    return meta


def _prepare(partial, words, aliases):
    """The snapshot's dictionary and alias table, written and loaded:
    (dictionary digest, alias table, word count)."""
    word_count = write_dictionary(partial / "userdict.txt", words)
    table = normalize_aliases(aliases)
    (partial / "aliases.json").write_text(json.dumps(table, ensure_ascii=False), "utf-8")
    return load_dictionary(partial / "userdict.txt"), table, word_count


def _write_documents(partial, digest, table, entries, total, progress, procs):
    """Index every entry into the new snapshot's folder; returns how many."""
    ix = whoosh_index.create_in(str(partial), make_schema(digest))
    with building():
        count = bulk.write(ix, entries, codec=make_codec(), make=lambda e: document(e, table),
                           procs=procs, progress=progress, total=total)
    written = stored_documents(ix)
    if written != count:
        raise IndexWriteError(f"the index holds {written} of the {count} entries written")
    return count


def _switch(root, partial, meta, reconcile):
    """Under the write lock: finish the snapshot, apply what imports changed during
    the build (reconcile), and make it live."""
    final = snapshots_dir(root) / meta["name"]
    with write_lock(root):
        (partial / "meta.json").write_text(json.dumps(meta), "utf-8")
        partial.rename(final)
        snap = Snapshot(final)
        if reconcile:
            hashes, fetch = reconcile
            meta["reconciled"] = _apply_drift(snap, hashes(), fetch)
        meta["entries"] = snap.index.doc_count()
        (final / "meta.json").write_text(json.dumps(meta), "utf-8")
        set_live(root, meta["name"])


def indexed_hashes(snapshot):
    """{entry id: content hash} as the snapshot holds them."""
    with snapshot.index.searcher() as s:
        return {f["id"]: f["content_hash"] for f in s.all_stored_fields()}


def compare(store_hashes, index_hashes):
    """Drift between the store and the index: missing, extra and stale ids."""
    missing = sorted(set(store_hashes) - set(index_hashes))
    extra = sorted(set(index_hashes) - set(store_hashes))
    stale = sorted(i for i in set(store_hashes) & set(index_hashes)
                   if store_hashes[i] != index_hashes[i])
    return {"missing": missing, "extra": extra, "stale": stale,
            "ok": not (missing or extra or stale)}


def _apply_drift(snapshot, store_hashes, fetch):
    drift = compare(store_hashes, indexed_hashes(snapshot))
    changed = drift["missing"] + drift["stale"]
    if changed or drift["extra"]:
        _write(snapshot, fetch(changed) if changed else [], drift["extra"])
    return len(changed) + len(drift["extra"])


def _write(snapshot, entries, delete_ids):
    writer = snapshot.writer()
    try:
        for entry_id in delete_ids:
            writer.delete_by_term("id", entry_id)
        for entry in entries:
            writer.update_document(**document(entry, snapshot.aliases))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def update(live, entries, delete_ids=()):
    """Incrementally index `entries` (added or changed) and drop `delete_ids` in the
    live snapshot of `live` (a LiveIndex). Waits for other writers; never fails on
    their lock."""
    entries, delete_ids = list(entries), list(delete_ids)
    if not entries and not delete_ids:
        return 0
    with write_lock(live.root):
        _write(live.current(), entries, delete_ids)
    return len(entries) + len(delete_ids)


def check(live, store_hashes):
    """Compare the store's {id: hash} with the live snapshot of `live` (a LiveIndex);
    returns the drift."""
    if live_name(live.root) is None:
        raise NoSnapshot("no live index snapshot")
    return compare(store_hashes, indexed_hashes(live.current()))
