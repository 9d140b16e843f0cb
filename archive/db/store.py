"""The archive's source of truth: notices and entries in SQLite (sqlite-utils).

The schema is declared once, in MIGRATIONS; ``PRAGMA user_version`` records
how many have run, and opening an older database runs the rest in place.
"""

import hashlib
import json
import sqlite3
import time
from datetime import datetime, timezone

import sqlite_utils

from ..identity import content_hash, doc_key, person_key, same_title, title_key
from ..vocabulary import AGE_BANDS, FIELD_LABELS, SIZE_BANDS

#: Keys of an entry as exported (CLI --json, API, CSV), in order.
EXPORT_FIELDS = ("id", "notice_id", "kind", "name", "gender", "ethnicity", "birth", "education",
                 "position",
                 "unit", "company", "operator", "region", "team_category", "team_size", "cycle",
                 "stage", "citation")

#: Entry fields an admin may correct by hand.
EDITABLE_FIELDS = ("name", "gender", "ethnicity", "birth", "education", "position", "unit",
                   "company", "operator", "region", "team_category", "team_size", "citation")


def _v1(db):
    db["notices"].create({
        "id": str, "title": str, "publisher": str, "published": str, "stage": str,
        "cycle": str, "region": str, "doc_number": str, "source_url": str,
        "source_name": str, "format": str, "text": str, "sha256": str,
        "imported_at": str, "updated_at": str,
    }, pk="id", not_null={"title", "publisher", "published", "stage", "cycle", "text", "sha256"})
    db["entries"].create({
        "id": str, "notice_id": str, "seq": int, "kind": str, "name": str, "award": str,
        "gender": str, "birth": str, "education": str, "position": str, "unit": str,
        "company": str, "operator": str, "region": str, "team_category": str,
        "team_size": int, "cycle": str, "stage": str, "citation": str, "person_key": str,
        "content_hash": str, "imported_at": str, "updated_at": str,
    }, pk="id", not_null={"notice_id", "kind", "name", "cycle", "stage", "content_hash"},
        foreign_keys=[("notice_id", "notices", "id")])
    db["entries"].create_index(["notice_id", "seq"])
    db["entries"].create_index(["cycle", "operator", "company"])
    db["entries"].create_index(["person_key"])
    db["entries"].create_index(["name"])
    db["entries"].create_index(["imported_at"])
    db["notices"].create_index(["published"])
    db["notices"].create_index(["cycle"])
    db["imports"].create({
        "id": int, "at": str, "notice_id": str, "action": str, "entries": int,
        "source_name": str, "user": str,
    }, pk="id")
    db["imports"].create_index(["at"])


def _v2(db):
    """Admin accounts, login throttling, the audit trail and re-index jobs."""
    db["users"].create({"id": int, "name": str, "password_hash": str, "created_at": str},
                       pk="id", not_null={"name", "password_hash"})
    db["users"].create_index(["name"], unique=True)
    db["login_failures"].create({"id": int, "at": float, "username": str, "address": str}, pk="id")
    db["login_failures"].create_index(["at"])
    db["audit"].create({"id": int, "entry_id": str, "user": str, "at": str, "field": str,
                        "before": str, "after": str}, pk="id", not_null={"entry_id", "field"})
    db["audit"].create_index(["entry_id"])
    db["jobs"].create({"id": int, "kind": str, "status": str, "user": str, "started_at": str,
                       "finished_at": str, "done": int, "total": int, "seconds": float,
                       "snapshot": str, "error": str, "pid": int}, pk="id")
    db["jobs"].create_index(["kind", "status"])


def _v3(db):
    """Private data leaves archive.db (see archive/private.py, which copies it first);
    the public record of corrections (what changed, when; not who) stays."""
    db["corrections"].create({"id": int, "entry_id": str, "field": str, "before": str,
                              "after": str, "at": str}, pk="id", not_null={"entry_id", "field"})
    db["corrections"].create_index(["entry_id"])
    db["corrections"].create_index(["at"])
    if db["audit"].exists():
        db.execute("insert into corrections (id, entry_id, field, before, after, at) "
                   "select id, entry_id, field, before, after, at from audit")
    for table in ("users", "login_failures", "audit", "jobs"):
        if db[table].exists():
            db[table].drop()
    if "user" in db["imports"].columns_dict:  # who imported is the admins' business
        db["imports"].transform(drop={"user"})


def _v4(db):
    """Notices keep every version they were imported in; removed entries are retired,
    not forgotten (their corrections and links keep pointing at something)."""
    db["notice_versions"].create({
        "notice_id": str, "version": int, "sha256": str, "text": str, "format": str,
        "source_name": str, "imported_at": str, "entries": int,
    }, pk=("notice_id", "version"), not_null={"text", "sha256"},
        foreign_keys=[("notice_id", "notices", "id")])
    db["notice_versions"].create_index(["sha256"])
    db["notices"].add_column("version", int, not_null_default=1)
    db.execute("insert into notice_versions (notice_id, version, sha256, text, format, "
               "source_name, imported_at, entries) select n.id, 1, n.sha256, n.text, n.format, "
               "n.source_name, coalesce(n.updated_at, n.imported_at), "
               "(select count(*) from entries e where e.notice_id = n.id) from notices n")
    db["retired_entries"].create({
        "id": str, "notice_id": str, "notice_version": int, "kind": str, "name": str,
        "cycle": str, "stage": str, "removed_at": str, "successor": str,
    }, pk="id", foreign_keys=[("notice_id", "notices", "id")])
    db["retired_entries"].create_index(["notice_id"])


def _v5(db):
    """Entries that await indexing, written in the same transaction as their change,
    so that a process killed after the commit leaves work to finish, never drift."""
    db["index_queue"].create({"entry_id": str, "queued_at": float}, pk="entry_id")


def _v6(db):
    """Person keys from the normalised name, across cycles (they were per cycle)."""
    rows = list(db.query("select id, kind, name, operator, region from entries"))
    db.conn.executemany("update entries set person_key = ? where id = ?",
                        [(person_key(r), r["id"]) for r in rows])
    db["entries"].create_index(["person_key", "cycle"], if_not_exists=True)


def _v7(db):
    """A notice is recognised when it comes again in another format (its 文号, or its
    issuing body, title and cycle); it keeps its signing date and posting department
    apart; every file it was imported from is kept; entries keep 民族."""
    db["notices"].add_column("signed", str)
    db["notices"].add_column("department", str)
    db["notices"].add_column("doc_key", str)
    db["notices"].add_column("title_key", str)
    db.conn.executemany("update notices set doc_key = ?, title_key = ? where id = ?",
                        [(doc_key(r["doc_number"]), title_key(r), r["id"])
                         for r in db.query("select id, doc_number, publisher, title, cycle "
                                           "from notices")])
    db["notices"].create_index(["doc_key"])
    db["notices"].create_index(["title_key"])
    db["entries"].add_column("ethnicity", str)
    db["notice_versions"].add_column("changes", str)  # JSON: entries added, changed, removed
    db["notice_versions"].add_column("reading", str)  # JSON: the text as a reader sees it
    db["notice_versions"].add_column("metadata", str)  # JSON: title, publisher … of that version
    db["notice_files"].create({
        "notice_id": str, "version": int, "position": int, "name": str, "format": str,
        "size": int, "sha256": str, "data": bytes,
    }, pk=("notice_id", "version", "position"), not_null={"name", "data"},
        foreign_keys=[("notice_id", "notices", "id")])


def _v8(db):
    """A version keeps the admin's reading guide it was read with (where the list is)."""
    db["notice_versions"].add_column("guide", str)  # JSON: ingest/guide.py, or null


MIGRATIONS = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8]
SCHEMA_VERSION = len(MIGRATIONS)


def now():
    """The current UTC time as an ISO string (seconds)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def connect(path, migrations=None, upgrade=True):
    """Open (creating and upgrading as needed) a database at path: archive.db, or
    with its own migrations the private admin.db."""
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None,
                           check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA foreign_keys = ON")
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    if upgrade:
        migrate(db, migrations)
    return db


def connect_read_only(path):
    """Open archive.db to read only (a replica's: it never writes, and never upgrades)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30,
                           isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA busy_timeout = 30000")
    return db


def version(db):
    """The schema version a database records."""
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db, migrations=None):
    """Run the migrations this database has not seen yet, each in a transaction."""
    migrations = MIGRATIONS if migrations is None else migrations
    current = version(db)
    if current > len(migrations):
        raise RuntimeError(f"database schema v{current} is newer than this code "
                           f"(v{len(migrations)})")
    for number in range(current, len(migrations)):
        with transaction(db):
            migrations[number](db)
            db.execute(f"PRAGMA user_version = {number + 1}")


class transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception — a failing COMMIT
    (a deferred constraint, a full disk) included. IMMEDIATE takes the write lock
    up front, so that plan-then-write sequences never see another writer in between."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        if exc_type:
            # SQLite may have rolled back already (a full disk, an I/O error): then
            # ROLLBACK fails too, and must not hide the error that caused it.
            if self.db.conn.in_transaction:
                try:
                    self.db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            return False
        try:
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        return False


def find_notice(db, notice):
    """The stored notice that a parsed notice is, and why: (row, reason) or (None, None).

    The same 文号 is the same notice; so are the same issuing body, title and cycle
    (a page, its PDF and its workbook), unless both carry different 文号."""
    key = doc_key(notice.get("doc_number"))
    if key:
        rows = list(db.query("select id, title, publisher, published, doc_number from notices "
                             "where doc_key = ? order by imported_at limit 1", [key]))
        if rows:
            return rows[0], f"文号相同（{rows[0]['doc_number']}）"
    tkey = title_key(notice)
    if tkey:
        rows = list(db.query("select id, title, publisher, published, doc_number, doc_key, "
                             "title_key, stage from notices where title_key = ? "
                             "order by imported_at", [tkey]))
        rows = [r for r in rows if not (key and r["doc_key"] and r["doc_key"] != key)]
        if rows:
            return _public(rows[0]), "发文机关、标题和评选年度相同"
        # A title typed without its suffix, or with the issuer in front: the same issuer,
        # cycle and stage, one title holding the other.
        issuer = tkey.split("\x1f")[0]
        rows = [r for r in db.query("select id, title, publisher, published, doc_number, "
                                    "doc_key, title_key, stage from notices where cycle = ? "
                                    "and stage = ? order by imported_at",
                                    [notice.get("cycle"), notice.get("stage")])
                if r["title_key"] and r["title_key"].startswith(issuer + "\x1f")
                and same_title(r["title_key"], tkey)
                and not (key and r["doc_key"] and r["doc_key"] != key)]
        if len(rows) == 1:
            return _public(rows[0]), "发文机关、评选年度相同，标题一致（一个包含另一个）"
    return None, None


def _public(row):
    return {k: v for k, v in row.items() if k not in ("doc_key", "title_key", "stage")}


def notice_files(db, nid, version=None):
    """The files a notice version was imported from (without their bytes), in order."""
    if version is None:
        version = db.execute("select version from notices where id = ?", [nid]).fetchone()
        version = version[0] if version else 0
    return list(db.query("select notice_id, version, position, name, format, size, sha256 "
                         "from notice_files where notice_id = ? and version = ? "
                         "order by position", [nid, version]))


def notice_file(db, nid, version, position):
    """One stored original file as a dict with its bytes, or None."""
    rows = list(db.query("select * from notice_files where notice_id = ? and version = ? and "
                         "position = ?", [nid, version, position]))
    return rows[0] if rows else None


def notice_versions(db, nid):
    """Every version of a notice, newest first (without text)."""
    rows = list(db.query("select notice_id, version, sha256, format, source_name, imported_at, "
                         "entries, changes from notice_versions where notice_id = ? "
                         "order by version desc",
                         [nid]))
    for row in rows:
        row["changes"] = json.loads(row["changes"]) if row["changes"] else None
    return rows


def notice_version(db, nid, version):
    """One version of a notice with its text, or None."""
    rows = list(db.query("select * from notice_versions where notice_id = ? and version = ?",
                         [nid, version]))
    return rows[0] if rows else None


def get_notice(db, nid, with_text=True):
    """One notice as a dict, or None."""
    # doc_key and title_key are how find_notice recognises a notice, not what it says.
    cols = ", ".join(c for c in db["notices"].columns_dict
                     if c not in ("doc_key", "title_key") and (with_text or c != "text"))
    rows = list(db.query(f"select {cols} from notices where id = ?", [nid]))
    return rows[0] if rows else None


def list_notices(db, cycle=None, region=None, publisher=None, stage=None, limit=None,
                 offset=0):
    """Notices (without their text), newest first, with entry counts; filtered."""
    where, params = _filters(**{"n.cycle": cycle, "n.region": region,
                                "n.publisher": publisher, "n.stage": stage})
    page = f" limit {int(limit)} offset {int(offset)}" if limit else ""
    return list(db.query(
        "select n.id, n.title, n.publisher, n.department, n.published, n.signed, n.stage, "
        "n.cycle, n.region, n.doc_number, n.source_url, n.imported_at, count(e.id) as entries "
        f"from notices n left join entries e on e.notice_id = n.id{where} "
        "group by n.id order by n.published desc, n.id" + page, params))


def count_notices(db, **filters):
    """How many notices pass the filters of list_notices."""
    where, params = _filters(**filters)
    return db.execute(f"select count(*) from notices{where}", params).fetchone()[0]


def notice_facets(db):
    """The cycles, regions, publishers and stages notices have, for the filters."""
    return {col: [r[0] for r in db.execute(
        f"select distinct {col} from notices where {col} is not null order by {col} desc")]
        for col in ("cycle", "region", "publisher", "stage")}


def retired_entry(db, eid):
    """A retired entry (removed by a new version of its notice), or None; its successor
    is set only when that id still exists."""
    rows = list(db.query("select r.*, n.title as notice_title from retired_entries r "
                         "left join notices n on n.id = r.notice_id where r.id = ?", [eid]))
    if not rows:
        return None
    row = rows[0]
    if row["successor"] and not db.execute("select 1 from entries where id = ?",
                                           [row["successor"]]).fetchone():
        row["successor"] = None
    return row


def get_entry(db, eid):
    """One entry as a dict (with its notice's title and publisher), or None."""
    rows = list(db.query(
        "select e.*, n.title as notice_title, n.publisher, n.published, n.source_url, "
        "n.doc_number from entries e join notices n on n.id = e.notice_id where e.id = ?", [eid]))
    return rows[0] if rows else None


#: Ages outside this range come from a misprinted birth date; they are not counted.
PLAUSIBLE_AGES = (16, 75)
AGE_SQL = ("(cast(substr(cycle, -4) as integer) - cast(substr(birth, 1, 4) as integer))")
_BAND_SQL = {"age": (AGE_SQL, AGE_BANDS,
                     "birth glob '[12][0-9][0-9][0-9]*' and " + AGE_SQL + " between "
                     f"{PLAUSIBLE_AGES[0]} and {PLAUSIBLE_AGES[1]}"),
             "size": ("team_size", SIZE_BANDS, "team_size is not null")}


def band(bands, value):
    """The name of the band (of AGE_BANDS or SIZE_BANDS) that holds value."""
    for name, (low, high) in bands.items():
        if (low is None or value >= low) and (high is None or value <= high):
            return name
    return None


#: A filter value that asks for the rows where the column is empty (null).
MISSING = object()


def _filters(**filters):
    """A where clause and its parameters for the given column = value filters;
    age and size take a band name (AGE_BANDS, SIZE_BANDS); MISSING asks for null."""
    where, params = [], []
    for column, value in filters.items():
        if value is MISSING:
            where.append(f"{column} is null")
            continue
        if not value:
            continue
        if column in _BAND_SQL:
            expr, bands, valid = _BAND_SQL[column]
            low, high = bands[value]
            where.append(f"({valid} and {expr} between ? and ?)")
            params += [-1 if low is None else low, 10 ** 6 if high is None else high]
        else:
            where.append(f"{column} = ?")
            params.append(value)
    clause = " where " + " and ".join(where) if where else ""
    return clause, params


def list_entries(db, cycle=None, kind=None, region=None, operator=None, notice=None,
                 stage=None, gender=None, age=None, size=None, columns="*"):
    """Entries, filtered, in the notices' order: newest cycle first, then each notice
    (by publication date, as its id begins) in the order it lists them (序号)."""
    where, params = _filters(cycle=cycle, kind=kind, region=region, operator=operator,
                             notice_id=notice, stage=stage, gender=gender, age=age,
                             size=size)
    sql = f"select {columns} from entries{where} order by cycle desc, notice_id, seq"
    return list(db.query(sql, params))


def export_ids(db, **filters):
    """Ids of the entries passing filters in the downloads' order: oldest cycle first,
    then each notice (by publication date, as its id begins) in the order it lists them."""
    where, params = _filters(**{("notice_id" if k == "notice" else k): v
                                for k, v in filters.items()})
    return [r["id"] for r in db.query(
        f"select id from entries{where} order by cycle, notice_id, seq", params)]


def same_unit(db, entry, limit=10):
    """Other people's (and teams') entries from the entry's unit (or, without one,
    its company), newest cycle first, one entry a person: 同单位的其他获奖者."""
    column, value = ("unit", entry.get("unit")) if entry.get("unit") else \
        ("company", entry.get("company"))
    if not value:
        return []
    rows = db.query(
        f"select id, name, kind, cycle, stage, person_key from entries where {column} = ? "
        "and person_key != ? order by cycle desc, stage = 'honorees' desc, name", [value,
                                                                                 entry["person_key"]])
    out, seen = [], set()
    for r in rows:
        if r["person_key"] not in seen:
            seen.add(r["person_key"])
            out.append(r)
            if len(out) == limit:
                break
    return out


def related_entries(db, entry):
    """The same person's other entries (candidate -> honoree), oldest notice first."""
    return [e for e in person_entries(db, entry["person_key"]) if e["id"] != entry["id"]]


def person_entries(db, key):
    """A person's entries, oldest notice first (their timeline)."""
    return list(db.query(
        "select e.id, e.name, e.kind, e.stage, e.cycle, e.company, e.unit, e.operator, "
        "e.region, e.award, e.notice_id, n.title as notice_title, n.published, n.publisher "
        "from entries e join notices n on n.id = e.notice_id where e.person_key = ? "
        "order by n.published, e.cycle, e.id", [key]))


def people_paths(db, keys):
    """{person key: [{id, cycle, stage, notice_title, published, and the entry's name,
    kind, company, operator, region, unit}, …]} oldest first."""
    keys = list(dict.fromkeys(k for k in keys if k))
    out = {k: [] for k in keys}
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        for r in db.query(
                "select e.person_key, e.id, e.cycle, e.stage, n.title as notice_title, "
                "n.published, e.name, e.kind, e.company, e.operator, e.region, e.unit "
                "from entries e join notices n on n.id = e.notice_id "
                f"where e.person_key in ({','.join('?' * len(chunk))}) "
                "order by n.published, e.cycle, e.id", chunk):
            key = r.pop("person_key")
            out[key].append(r)
    return out


_PEOPLE_COUNTS = (
    "count(*) as entries, count(distinct person_key) as people, "
    "count(distinct case when kind = 'individual' then person_key end) as individuals, "
    "count(distinct case when kind = 'team' then person_key end) as teams, "
    "count(distinct case when stage = 'candidates' then person_key end) as candidates, "
    "count(distinct case when stage = 'honorees' then person_key end) as honorees")


def cycles(db):
    """Award cycles, newest first, with counts in which a person (or team) listed as a
    candidate and as an honoree of the cycle counts once: people, individuals,
    teams, candidates, honorees; and entries and notices."""
    return list(db.query(
        f"select cycle, {_PEOPLE_COUNTS}, count(distinct notice_id) as notices "
        "from entries group by cycle order by cycle desc"))


def cycle_counts(db, cycle, **filters):
    """The counts of cycles() for one cycle under the browse filters."""
    where, params = _filters(cycle=cycle, **filters)
    return next(db.query(f"select {_PEOPLE_COUNTS} from entries" + where, params))


def stats(db, per_cycle=None):
    """Counts of what the archive holds; people are counted once per cycle.
    per_cycle: cycles(db), when the caller has it."""
    per_cycle = cycles(db) if per_cycle is None else per_cycle
    row = {key: sum(c[key] for c in per_cycle) for key in
           ("entries", "people", "individuals", "teams", "candidates", "honorees")}
    row["cycles"] = db.execute("select count(distinct cycle) from entries").fetchone()[0]
    row["notices"] = db["notices"].count
    return row


def entry_hashes(db):
    """{entry id: content hash} for every entry: what the index must hold."""
    return {r["id"]: r["content_hash"] for r in db.query("select id, content_hash from entries")}


def content_digest(db):
    """One hash over every stored row of notices and entries (tests, backups)."""
    h = hashlib.sha256()
    for table in ("notices", "entries"):
        for row in db.query(f"select * from {table} order by id"):
            h.update(json.dumps(row, ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()


def entries_with_source(db, ids):
    """Entries with the given ids (any order), each with its notice's title,
    publisher, date, document number and source URL."""
    ids = list(ids)
    out = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        out += db.query(
            "select e.*, n.title as notice_title, n.publisher, n.published, n.doc_number, "
            "n.source_url from entries e join notices n on n.id = e.notice_id where e.id in "
            f"({','.join('?' * len(chunk))})", chunk)
    return out


def entries_by_ids(db, ids, columns="*"):
    """Entries with the given ids (those columns), in any order."""
    ids = list(ids)
    out = []
    for i in range(0, len(ids), 500):  # SQLite caps the number of parameters
        chunk = ids[i:i + 500]
        out += db.query(f"select {columns} from entries where id in "
                        f"({','.join('?' * len(chunk))})", chunk)
    return out


def cycle_groups(db, cycle, **filters):
    """A cycle's entries grouped by operator, then company, with counts."""
    groups = {}
    for row in list_entries(db, cycle=cycle, **filters):
        operator = groups.setdefault(row["operator"] or "其他", {})
        operator.setdefault(row["company"] or "（未注明推荐单位）", []).append(row)
    out = []
    for operator, companies in sorted(groups.items(), key=lambda kv: -sum(map(len, kv[1].values()))):
        # Named companies by name, entries without one last; each in the notices' order.
        names = sorted(companies, key=lambda c: (c == "（未注明推荐单位）", c))
        out.append({"operator": operator, "count": sum(len(v) for v in companies.values()),
                    "companies": [{"company": c, "count": len(companies[c]),
                                   "entries": companies[c]} for c in names]})
    return out


def cycle_facets(db, cycle):
    """Kinds and regions present in a cycle, with counts (for the browse filters)."""
    return {col: list(db.query(f"select {col} as value, count(*) as count from entries "
                               f"where cycle = ? group by {col} order by count desc, {col}",
                               [cycle]))
            for col in ("kind", "region", "stage")}


def latest_entries(db, limit=50):
    """The most recently imported entries, newest first (for the feed)."""
    return list(db.query(
        "select e.*, n.title as notice_title, n.publisher, n.published from entries e "
        "join notices n on n.id = e.notice_id order by e.imported_at desc, e.notice_id, e.seq "
        "limit ?", [limit]))


def comparable(value):
    """A field value as compared and stored: line breaks as \n, no trailing spaces on
    a line, no blank lines at either end (a browser's textarea sends \r\n)."""
    if not isinstance(value, str):
        return value
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _typed(field, value):
    """An edited value as stored: None for blanks, ints for team sizes, ISO births;
    control and invisible format characters dropped, as from a notice."""
    from ..ingest.fields import parse_birth, parse_team_size
    from ..ingest.tables import CONTROLS
    value = comparable(CONTROLS.sub("", value) if isinstance(value, str) else value)
    if value in ("", None):
        return None
    if field == "team_size":
        return parse_team_size(str(value))
    if field == "birth":
        return parse_birth(str(value))
    return str(value)


class StaleEntry(Exception):
    """The entry changed since the form that corrects it was opened."""


def update_entry(db, entry_id, changes, version=None):
    """Correct an entry's fields; records each change in the public corrections table.

    version: the entry's content_hash when the admin's form was opened; if the entry
    has changed since (a re-import, another admin), nothing is written and StaleEntry
    is raised, so that a stale form never writes back values it did not change.
    Returns one dict per changed field (field, before, after, at, correction_id);
    raises ValueError for bad values or fields that cannot be edited."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError("这些字段不能修改：" + "、".join(FIELD_LABELS.get(f, f) for f in sorted(unknown)))
    typed = {}
    for field, value in changes.items():
        try:
            typed[field] = _typed(field, value)
        except ValueError as exc:
            raise ValueError(f"{FIELD_LABELS.get(field, field)}：{exc}") from exc
    if "name" in typed and not typed["name"]:
        raise ValueError(f"{FIELD_LABELS['name']}：不能为空")
    stamp = now()
    done = []
    with transaction(db):
        rows = list(db.query("select * from entries where id = ?", [entry_id]))
        if not rows:
            raise KeyError(entry_id)
        row = rows[0]
        if version is not None and row["content_hash"] != version:
            raise StaleEntry(entry_id)
        changed = [f for f, v in typed.items() if comparable(row.get(f)) != v]
        if not changed:
            return []
        for field in changed:
            change = {"entry_id": entry_id, "at": stamp, "field": field,
                      "before": None if row[field] is None else str(row[field]),
                      "after": None if typed[field] is None else str(typed[field])}
            change["correction_id"] = db["corrections"].insert(change).last_pk
            done.append(change)
            row[field] = typed[field]
        row["person_key"] = person_key(row)
        row["content_hash"] = content_hash(row)
        row["updated_at"] = stamp
        db["entries"].update(entry_id, {k: row[k] for k in changed + [
            "person_key", "content_hash", "updated_at"]})
        queue_index(db, [entry_id])
    return done


def queue_index(db, ids):
    """Record that these entries (changed, added or deleted) await indexing; call
    inside the transaction that changes them."""
    stamp = time.time()
    db["index_queue"].upsert_all(({"entry_id": i, "queued_at": stamp} for i in ids),
                                 pk="entry_id")


def unqueue_before(db, started):
    """Drop index work queued up to `started` (a rebuild that began then holds it)."""
    with transaction(db):
        db.execute("delete from index_queue where queued_at <= ?", [started])


def queue_length(db):
    """How many entries await the index."""
    return db["index_queue"].count


def index_queue(db, limit=None):
    """Pending index work: [(entry id, queued_at)], oldest first."""
    sql = "select entry_id, queued_at from index_queue order by queued_at, entry_id"
    return [tuple(r) for r in db.execute(sql + (f" limit {int(limit)}" if limit else ""))]


def unqueue_index(db, done):
    """Drop finished work; an entry queued again since (a newer stamp) stays queued."""
    with transaction(db):
        db.conn.executemany("delete from index_queue where entry_id = ? and queued_at = ?",
                            done)


def latest_job(db, kind="reindex"):
    """The newest background job of a kind (in admin.db), or None."""
    rows = list(db.query("select * from jobs where kind = ? order by id desc limit 1", [kind]))
    return rows[0] if rows else None


def get_job(db, job_id):
    """One background job (in admin.db), or None."""
    rows = list(db.query("select * from jobs where id = ?", [job_id]))
    return rows[0] if rows else None


def corrections(db, entry_id):
    """An entry's corrections (public: what changed and when), newest first."""
    return list(db.query("select * from corrections where entry_id = ? order by id desc",
                         [entry_id]))


def corrected_fields(db, entry_id):
    """{field: {"notice": the value the notice gave, "at": the latest correction}}."""
    out = {}
    for c in db.query("select field, before, at from corrections where entry_id = ? "
                      "order by id", [entry_id]):
        out.setdefault(c["field"], {"notice": c["before"]})["at"] = c["at"]
    return out


def all_corrections(db, limit=50, offset=0):
    """Every correction, newest first, with its entry's name and cycle; and the total."""
    total = db["corrections"].count
    rows = list(db.query(
        "select c.id, c.entry_id, c.field, c.before, c.after, c.at, "
        "coalesce(e.name, r.name) as name, coalesce(e.cycle, r.cycle) as cycle, "
        "e.id is null as retired from corrections c left join entries e on e.id = c.entry_id "
        "left join retired_entries r on r.id = c.entry_id order by c.id desc limit ? offset ?",
        [limit, offset]))
    return rows, total


def recent_imports(db, limit=10):
    """The latest imports, newest first."""
    return list(db.query("select i.*, n.title from imports i left join notices n "
                         "on n.id = i.notice_id order by i.id desc limit ?", [limit]))


# -- what an import reads and writes (archive/importer.py plans and applies) ---------

def notice_entries(db, nid):
    """{entry id: entry row} of a notice."""
    return {r["id"]: r for r in db.query("select * from entries where notice_id = ?", [nid])}


def has_version(db, nid, sha256):
    """Whether a version of the notice had exactly this text."""
    return db.execute("select 1 from notice_versions where notice_id = ? and sha256 = ?",
                      [nid, sha256]).fetchone() is not None


def corrected_pairs(db, ids):
    """(entry id, field) of every manual correction of these entries, in order."""
    if not ids:
        return []
    return [(r["entry_id"], r["field"]) for r in db.query(
        "select distinct entry_id, field from corrections where entry_id in "
        f"({','.join('?' * len(ids))}) order by entry_id, field", list(ids))]


def corrected_ids(db, ids):
    """Those of the ids that have manual corrections."""
    out = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        out |= {r[0] for r in db.execute("select distinct entry_id from corrections where "
                                          f"entry_id in ({','.join('?' * len(chunk))})", chunk)}
    return out


def notice_version_number(db, nid):
    """The notice's current version number, 0 when it is not stored yet."""
    row = db.execute("select version from notices where id = ?", [nid]).fetchone()
    return row[0] if row else 0


def save_notice(db, row, version_row):
    """Write a notice's row and a new version of it (inside the import's transaction)."""
    db["notices"].upsert(row, pk="id")
    db["notice_versions"].insert(version_row, pk=("notice_id", "version"))


def retire_entries(db, nid, version, ids, stamp, kept=()):
    """Move entries a new version of their notice removed to retired_entries. Their ids
    then answer 410, or 301 to the successor: the entry of the same person (or team)
    that the new version keeps (kept: its rows), as when a duplicate is dropped."""
    if not ids:
        return
    old = {r["id"]: r for r in entries_by_ids(db, ids)}
    staying = {}
    for row in kept:
        staying.setdefault(row.get("person_key"), row["id"])
    db["retired_entries"].upsert_all(
        ({"id": i, "notice_id": nid, "notice_version": version, "kind": old[i]["kind"],
          "name": old[i]["name"], "cycle": old[i]["cycle"], "stage": old[i]["stage"],
          "removed_at": stamp, "successor": staying.get(old[i]["person_key"])}
         for i in ids), pk="id")
    db.execute(f"delete from entries where id in ({','.join('?' * len(ids))})", list(ids))


def save_entries(db, rows, added, changed, stamp):
    """Write a version's entries: added ones get imported_at, added and changed ones
    updated_at; an id that comes back is no longer retired."""
    added, changed = set(added), set(changed)
    db["entries"].upsert_all(({**r, "imported_at": stamp, "updated_at": stamp}
                              for r in rows if r["id"] in added), pk="id")
    db["entries"].upsert_all(({**r, "updated_at": stamp} for r in rows if r["id"] in changed),
                             pk="id")
    db["entries"].upsert_all((r for r in rows if r["id"] not in added | changed), pk="id")
    if added:
        db.execute(f"delete from retired_entries where id in ({','.join('?' * len(added))})",
                   list(added))


def add_notice_files(db, nid, version, files):
    """Keep (name, format, data) files a version was read from; a file the notice already
    has (same bytes) is not kept twice."""
    kept = {r["sha256"] for r in db.query("select sha256 from notice_files where notice_id = ?",
                                          [nid])}
    position = db.execute("select coalesce(max(position), 0) from notice_files where "
                          "notice_id = ? and version = ?", [nid, version]).fetchone()[0]
    for name, fmt, data in files:
        digest = hashlib.sha256(data).hexdigest()
        if digest in kept:
            continue
        kept.add(digest)
        position += 1
        db["notice_files"].insert({"notice_id": nid, "version": version, "position": position,
                                   "name": name, "format": fmt, "size": len(data),
                                   "sha256": digest, "data": data})


def log_import(db, row):
    """Add a row to the imports log; returns its id."""
    return db["imports"].insert(row).last_pk


def entry_count(db):
    """How many entries the store holds."""
    return db["entries"].count


def index_rows(db, columns, ids=None):
    """Entries' `columns` as the index takes them: all (in id order), or those of ids."""
    if ids is None:
        return db.query(f"select {columns} from entries order by id")
    return entries_by_ids(db, ids, columns)


def stats_rows(db):
    """The columns of every entry that the statistics count by."""
    return list(db.query(
        "select cycle, kind, stage, operator, region, gender, birth, team_size, company, "
        "unit, person_key, name from entries"))


# -- what the sitemaps list (archive/web/crawl.py) -----------------------------------

#: The pages of each kind, as (key, last change) in a stable order.
_SITEMAP_SQL = {
    "honorees": "select id as key, coalesce(updated_at, imported_at) as lastmod from entries "
                "order by id",
    "people": "select person_key as key, max(coalesce(updated_at, imported_at)) as lastmod "
              "from entries group by person_key order by person_key",
    "notices": "select id as key, coalesce(updated_at, imported_at) as lastmod from notices "
               "order by id",
    "cycles": "select cycle as key, max(coalesce(updated_at, imported_at)) as lastmod "
              "from entries group by cycle order by cycle",
}


def sitemap_count(db, kind):
    """How many pages of a kind the sitemaps list."""
    return db.execute(f"select count(*) from ({_SITEMAP_SQL[kind]})").fetchone()[0]


def sitemap_page(db, kind, limit, offset):
    """(key, last change) of up to `limit` pages of a kind, from `offset`."""
    return [(r[0], r[1]) for r in db.execute(f"{_SITEMAP_SQL[kind]} limit ? offset ?",
                                              [limit, offset])]


def sitemap_lastmod(db, kind):
    """The last change of any page of a kind (None when there is none)."""
    return db.execute(f"select max(lastmod) from ({_SITEMAP_SQL[kind]})").fetchone()[0]
