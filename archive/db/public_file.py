"""The public SQLite file: the whole dataset for download and for Datasette.

It holds public data only — notices (with their text), entries and the
public change log (corrections) — never accounts, logins, sessions, audit,
jobs, import internals or secrets (those live in admin.db, and the tables of
archive.db that are not listed here are not copied). Entries gain
a full-text index (a contentless FTS5 table, entries_fts, under each entry's rowid)
of their name, unit, company, position, citation, operator with its aliases, region
and cycle segmented by jieba (index/fts.py), so that Datasette's search box finds
Chinese words: 联通,
玉柱, 投诉处理. `metadata.json` beside it gives Datasette the title, source,
license and a description of every column.
"""

import functools
import json
import multiprocessing
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from index.analysis import normalize
from index.fts import segmented

FILENAME = "archive-public.db"
METADATA = "metadata.json"
DATABASE = Path(FILENAME).stem  # Datasette names a database after its file

NOTICE_COLUMNS = {
    "id": "通知编号（本档案内）", "title": "通知标题", "publisher": "发文机关（落款单位）",
    "department": "发布部门（网页“来源”所署、不是发文机关时）",
    "published": "发布日期（YYYY-MM-DD）", "signed": "成文日期（YYYY-MM-DD，落款日期）", "stage": "阶段：candidates 候选人公示；honorees 表彰通报",
    "cycle": "评选年度，如 2017-2018", "region": "发布地区（省级通信管理局的通知）",
    "doc_number": "文号", "source_url": "原文链接", "format": "原文格式",
    "text": "通知原文（正文文字）", "imported_at": "收录时间（UTC）", "version": "版本号（更正后递增）",
}
ENTRY_COLUMNS = {
    "id": "记录编号（本档案内，网页地址 /honorees/{id}）", "notice_id": "来源通知编号（notices.id）",
    "seq": "在通知中的顺序", "kind": "类别：individual 个人；team 班组", "name": "姓名或班组名称",
    "award": "奖项名称", "gender": "性别", "ethnicity": "民族（名单注明时）",
    "birth": "出生年月（YYYY-MM 或 YYYY-MM-DD）",
    "education": "学历", "position": "职务或岗位", "unit": "工作单位",
    "company": "推荐单位（名单的推荐单位列或分组行所写；未写时为空）",
    "operator": "运营商（中国电信、中国移动、中国联通、中国广电、中国铁塔、其他）",
    "region": "省份", "team_category": "班组类别", "team_size": "班组人数",
    "cycle": "评选年度", "stage": "阶段：candidates 候选人；honorees 获表彰",
    "citation": "申报说明材料（事迹）", "person_key": "同一人（班组）在各通知中的共同编号（/people/{key}）",
    "imported_at": "收录时间（UTC）", "updated_at": "最后更正时间（UTC）",
}
CORRECTION_COLUMNS = {
    "id": "更正编号", "entry_id": "被更正的记录（entries.id）", "field": "更正的字段",
    "before": "通知原文的值", "after": "更正后的值", "at": "更正时间（UTC）",
}


def search_text(entry, aliases=None):
    """What the public file's full-text index holds for an entry: its name (and the
    name's parts), unit, company, position, team category and citation cut into words
    (index/fts.py), and, so that Datasette's search box finds what /search finds, its
    operator with every alias of it (联通, 中国联通, China Unicom …), its region and cycle."""
    parts = [segmented(entry.get("name"), name=True)]
    parts += [segmented(entry.get(k)) for k in ("unit", "company", "position", "team_category",
                                                "citation")]
    operator = entry.get("operator")
    if operator:
        names = [operator, *(aliases or {}).get(operator, [])]
        parts += [segmented(name) for name in names]
        # Each name whole too: Datasette's box takes 中国联合网络通信有限公司 as one word.
        parts.append(" ".join(dict.fromkeys("".join(normalize(n).split()) for n in names)))
    parts += [segmented(entry.get(k)) for k in ("region", "cycle")]
    return " ".join(p for p in parts if p)


def _with_search_text(entry, aliases=None):
    return entry, search_text(entry, aliases)


@contextmanager
def _mapper(procs, chunk):
    """map(function, items) in order: in `procs` forked processes when more than one
    (jieba's cut is most of the work, and the GIL keeps threads from sharing it)."""
    if procs <= 1:
        yield map
        return
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        yield lambda function, items: pool.imap(function, items, chunksize=chunk)


#: The full-text index keeps no positions (FTS5 detail=none): Datasette's search box
#: quotes each word it is given and requires them all, never a phrase, and positions
#: would double the file (measured in scripts/bench.py and docs/benchmarks.md).
FTS_DETAIL = "none"


def publish(db, path, chunk=500, procs=1, aliases=None, detail=FTS_DETAIL):
    """Write the public SQLite file of store `db` to `path` (atomically: a reader
    never sees a half-written file). Returns {"notices", "entries", "bytes"}.
    procs: processes segmenting the text (forked: only from a single-threaded
    process, as the re-index command is); aliases: {operator: [aliases]}.

    The full-text table is contentless (FTS5 content=''): it holds the index of each
    entry's search text (search_text) under the entry's rowid and no copy of any text,
    so the file is the data plus an index."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # one writer's own
    if tmp.exists():
        tmp.unlink()
    out = sqlite_utils.Database(sqlite3.connect(tmp))
    try:
        out.execute("PRAGMA journal_mode = OFF")
        notices = list(db.query(f"select {', '.join(NOTICE_COLUMNS)} from notices order by id"))
        # Created first: an empty store inserts no row that would create it.
        out["notices"].create({**{c: str for c in NOTICE_COLUMNS}, "version": int}, pk="id")
        out["notices"].insert_all(notices)
        columns = [c for c in ENTRY_COLUMNS if c != "search_text"]
        out["entries"].create({**{c: str for c in columns}, "seq": int, "team_size": int},
                              pk="id", foreign_keys=[("notice_id", "notices", "id")])
        if detail not in ("full", "column", "none"):
            raise ValueError(f"FTS5 detail must be full, column or none, not {detail!r}")
        out.execute("create virtual table entries_fts using fts5(search_text, content='', "
                    f"detail={detail})")
        count = 0
        rows = db.query(f"select {', '.join(columns)} from entries order by cycle, notice_id, seq")
        batch = []

        def write(batch):
            out["entries"].insert_all(row for row, _ in batch)
            rowids = dict(out.execute(f"select id, rowid from entries where id in "
                                      f"({','.join('?' * len(batch))})",
                                      [row["id"] for row, _ in batch]).fetchall())
            out.conn.executemany("insert into entries_fts (rowid, search_text) values (?, ?)",
                                 [(rowids[row["id"]], text) for row, text in batch])
            return len(batch)

        with _mapper(procs, chunk) as mapped:
            for item in mapped(functools.partial(_with_search_text, aliases=aliases), rows):
                batch.append(item)
                if len(batch) == chunk:
                    count += write(batch)
                    batch = []
        if batch:
            count += write(batch)
        out["corrections"].create({c: str for c in CORRECTION_COLUMNS} | {"id": int}, pk="id",
                                  foreign_keys=[("entry_id", "entries", "id")])
        out["corrections"].insert_all(
            db.query(f"select {', '.join(CORRECTION_COLUMNS)} from corrections order by id"))
        for column in ("cycle", "operator", "region", "stage", "person_key", "notice_id"):
            out["entries"].create_index([column])
        out.execute("insert into entries_fts (entries_fts) values ('optimize')")
        out.conn.commit()
    except BaseException:
        out.conn.close()
        tmp.unlink(missing_ok=True)
        raise
    out.conn.close()
    os.replace(tmp, path)
    return {"notices": len(notices), "entries": count, "bytes": path.stat().st_size}


def entry_count(path):
    """How many entries a published file holds (None if it cannot be read)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute("select count(*) from entries").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def metadata(base_url="", license_name="CC BY 4.0",
             license_url="https://creativecommons.org/licenses/by/4.0/"):
    """Datasette's metadata.json for the public file."""
    return {
        "title": "全国用户满意电信服务明星档案（公开数据）",
        "description": "全国用户满意电信服务明星与明星班组的候选人公示和表彰名单，附申报说明材料全文，"
                       "整理自工业和信息化部及各省、自治区、直辖市通信管理局公开发布的通知。"
                       "检索框使用 jieba 分词的全文索引（entries_fts）：输入词语即可，多个词用空格分开。",
        "source": "工业和信息化部及各省、自治区、直辖市通信管理局公开发布的通知",
        "source_url": base_url or "",
        "license": license_name,
        "license_url": license_url,
        "databases": {DATABASE: {
            "description": "notices：来源通知；entries：每条记录（个人或班组）；corrections：公开的更正记录。",
            "tables": {
                "notices": {"description": "来源通知，每份一行。", "columns": NOTICE_COLUMNS},
                "entries": {"description": "候选人和获表彰者，每条一行；同一人在不同通知中各有一行，"
                                           "以 person_key 相连。",
                            "columns": ENTRY_COLUMNS, "fts_table": "entries_fts",
                            "fts_pk": "rowid", "searchmode": "escaped",
                            # No sort of its own: Datasette pages a non-unique sort
                            # (cycle) with a tie-breaker from page 2 only, listing rows
                            # twice and dropping others; the primary key's order is whole.
                            "facets": ["cycle", "operator", "region", "stage", "kind"]},
                "corrections": {"description": "管理员对通知内容的更正（before 为通知原文）。",
                                "columns": CORRECTION_COLUMNS},
                "entries_fts": {"hidden": True},
            }}},
    }


def write_metadata(path, **kwargs):
    """Write metadata.json (atomically)."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(metadata(**kwargs), ensure_ascii=False, indent=2), "utf-8")
    os.replace(tmp, path)
