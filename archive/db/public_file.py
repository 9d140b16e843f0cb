"""The public SQLite file: the whole dataset for download and for Datasette.

It holds public data only — notices (with their text), entries and the
public change log (corrections) — never accounts, logins, sessions, audit,
jobs, import internals or secrets (those live in admin.db, and the tables of
archive.db that are not listed here are not copied). Entries gain
`search_text`, their name, unit, company, position and citation segmented by
jieba (index/fts.py), with an FTS5 table over it laid out as `sqlite-utils
enable-fts` does, so that Datasette's search box finds Chinese words: 联通,
玉柱, 投诉处理. `metadata.json` beside it gives Datasette the title, source,
license and a description of every column.
"""

import json
import multiprocessing
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

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
    "search_text": "供全文检索的分词文字（jieba 分词，简体、小写）；不是原文",
}
CORRECTION_COLUMNS = {
    "id": "更正编号", "entry_id": "被更正的记录（entries.id）", "field": "更正的字段",
    "before": "通知原文的值", "after": "更正后的值", "at": "更正时间（UTC）",
}


def _with_search_text(entry):
    parts = [segmented(entry.get("name"), name=True)]
    parts += [segmented(entry.get(k)) for k in ("unit", "company", "position", "team_category",
                                                "citation")]
    entry["search_text"] = " ".join(p for p in parts if p)
    return entry


@contextmanager
def _mapper(procs, chunk):
    """map(function, items) in order: in `procs` forked processes when more than one
    (jieba's cut is most of the work, and the GIL keeps threads from sharing it)."""
    if procs <= 1:
        yield map
        return
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        yield lambda function, items: pool.imap(function, items, chunksize=chunk)


def publish(db, path, chunk=500, procs=1):
    """Write the public SQLite file of store `db` to `path` (atomically: a reader
    never sees a half-written file). Returns {"notices", "entries", "bytes"}.
    procs: processes segmenting the text (forked: only from a single-threaded
    process, as the re-index command is)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
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
        out["entries"].create({**{c: str for c in columns}, "seq": int, "team_size": int,
                               "search_text": str}, pk="id",
                              foreign_keys=[("notice_id", "notices", "id")])
        count = 0
        rows = db.query(f"select {', '.join(columns)} from entries order by cycle, notice_id, seq")
        batch = []
        with _mapper(procs, chunk) as mapped:
            for row in mapped(_with_search_text, rows):
                batch.append(row)
                if len(batch) == chunk:
                    out["entries"].insert_all(batch)
                    count += len(batch)
                    batch = []
        out["entries"].insert_all(batch)
        count += len(batch)
        out["corrections"].create({c: str for c in CORRECTION_COLUMNS} | {"id": int}, pk="id",
                                  foreign_keys=[("entry_id", "entries", "id")])
        out["corrections"].insert_all(
            db.query(f"select {', '.join(CORRECTION_COLUMNS)} from corrections order by id"))
        for column in ("cycle", "operator", "region", "stage", "person_key", "notice_id"):
            out["entries"].create_index([column])
        # As `sqlite-utils enable-fts archive-public.db entries search_text --fts5` does.
        out["entries"].enable_fts(["search_text"], fts_version="FTS5", create_triggers=False)
        out["entries_fts"].optimize()
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
                            "sort_desc": "cycle", "facets": ["cycle", "operator", "region",
                                                             "stage", "kind"]},
                "corrections": {"description": "管理员对通知内容的更正（before 为通知原文）。",
                                "columns": CORRECTION_COLUMNS},
                "entries_fts": {"hidden": True},
            }}},
    }


def write_metadata(path, **kwargs):
    """Write metadata.json (atomically)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(metadata(**kwargs), ensure_ascii=False, indent=2), "utf-8")
    os.replace(tmp, path)
