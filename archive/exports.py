"""Data out: CSV (Chinese with a BOM for Excel, English without), .xlsx, JSON arrays and
JSON Lines, the Data Package that describes them, Atom, and citations."""

import csv
import datetime
import io
import json
import re
from xml.etree import ElementTree as ET

from .ingest.entries import AWARDS
from .ingest.fields import parse_date
from .vocabulary import KIND_LABELS, STAGE_LABELS, STAGE_ROLES
from .db.store import EXPORT_FIELDS

ATOM = "http://www.w3.org/2005/Atom"


def export_row(entry):
    """An entry reduced to the exported keys, in order."""
    return {k: entry.get(k) for k in EXPORT_FIELDS}


#: Every column of the entry downloads, once: (English key, Chinese header, type, what it
#: holds). The English files use the keys and codes, the Chinese ones the headers and
#: Chinese values; the xlsx, the Data Package and the column notes read this table.
ENTRY_COLUMNS = (
    ("id", "编号", "string", "记录编号（本档案内；网页 /honorees/{id}）。是文本，不是数字。"),
    ("notice_id", "来源通知编号", "string", "来源通知在本档案内的编号（notices 的 id）。"),
    ("kind", "类别", "string", "个人或班组（英文文件：individual / team）。"),
    ("name", "姓名或班组名称", "string", "通知所写的姓名或班组名称。"),
    ("stage", "阶段", "string", "候选人公示或表彰获奖（英文文件：candidates / honorees）。"),
    ("cycle", "评选年度", "string", "评选年度，如 2017-2018。"),
    ("award", "奖项", "string", "奖项名称。"),
    ("gender", "性别", "string", "性别（通知注明时）。"),
    ("ethnicity", "民族", "string", "民族（通知注明时）。"),
    ("birth", "出生年月", "string", "出生年月：YYYY-MM-DD 或 YYYY-MM（通知写到哪一级就到哪一级）。"),
    ("education", "学历", "string", "学历。"),
    ("position", "职务", "string", "职务或岗位。"),
    ("unit", "单位", "string", "工作单位。"),
    ("company", "推荐单位", "string", "推荐单位（名单的推荐单位列或分组行所写）。"),
    ("operator", "运营商", "string", "运营商（中国电信、中国移动、中国联通、中国广电、中国铁塔、其他）。"),
    ("region", "地区", "string", "省份。"),
    ("team_category", "班组类别", "string", "班组类别。"),
    ("team_size", "班组人数", "integer", "班组人数。"),
    ("citation", "申报说明材料", "string", "申报说明材料（事迹）全文；表彰名单通常没有。"),
    ("notice_title", "来源通知", "string", "来源通知的标题。"),
    ("publisher", "发文机关", "string", "来源通知的发文机关。"),
    ("published", "发布日期", "date", "来源通知的发布日期。"),
    ("doc_number", "文号", "string", "来源通知的文号。"),
    ("source_url", "原文链接", "string", "来源通知的原文链接。"),
)
#: The notice list's columns, as ENTRY_COLUMNS.
NOTICE_COLUMNS = (
    ("id", "编号", "string", "通知在本档案内的编号（网页 /notices/{id}）。"),
    ("title", "标题", "string", "通知标题。"),
    ("publisher", "发文机关", "string", "发文机关（落款单位）。"),
    ("published", "发布日期", "date", "发布日期。"),
    ("stage", "阶段", "string", "候选人公示或表彰获奖（英文文件：candidates / honorees）。"),
    ("cycle", "评选年度", "string", "评选年度。"),
    ("region", "地区", "string", "发布地区（省级通信管理局的通知）。"),
    ("doc_number", "文号", "string", "文号。"),
    ("source_url", "原文链接", "string", "原文链接。"),
    ("imported_at", "收录时间", "datetime", "收录进本档案的时间（UTC）。"),
    ("entries", "记录数", "integer", "通知列出的记录数。"),
)
#: Codes written as Chinese in the Chinese files: one word for each code everywhere.
CHINESE_VALUES = {"kind": KIND_LABELS, "stage": STAGE_LABELS}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_OR_DATE = re.compile(r"[+-]?\d+(\.\d+)?|\d{4}-\d{2}(-\d{2})?")


def safe_cell(value):
    """A cell value that no spreadsheet runs as a formula (OWASP, CSV injection): text
    starting with = + - @, a tab or CR gets a leading apostrophe, unless it is a number
    or a date (-5 stays -5)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) \
            and not _NUMBER_OR_DATE.fullmatch(value):
        return "'" + value
    return value


def _value(key, entry, chinese):
    value = entry.get(key)
    if key == "award" and not value and entry.get("kind"):
        value = AWARDS.get(entry["kind"])
    if chinese and key in CHINESE_VALUES:
        value = CHINESE_VALUES[key].get(value, value)
    return value


def _csv_chunks(header, rows, bom, rows_per_chunk=200):
    """CSV in chunks (bounded memory at any size); bom: for Excel (the Chinese files)."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % rows_per_chunk == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def rows_csv_chunks(rows, columns, chinese):
    """Rows as CSV: Chinese headers and values with a BOM (chinese), or the English keys
    and codes without one (for programs)."""
    header = [c[1] if chinese else c[0] for c in columns]
    return _csv_chunks(header, ([safe_cell(_value(c[0], r, chinese)) for c in columns]
                                for r in rows), bom=chinese)


def csv_chunks(entries):
    """Entries as CSV with the API's keys and codes (for programs; no BOM)."""
    return rows_csv_chunks(entries, ENTRY_COLUMNS, chinese=False)


def chinese_csv_chunks(entries):
    """Entries as CSV for people: Chinese headers and values, with a BOM (Excel)."""
    return rows_csv_chunks(entries, ENTRY_COLUMNS, chinese=True)


def notices_csv_chunks(notices, chinese=True):
    """The notice list as CSV (Chinese, or English keys and codes)."""
    return rows_csv_chunks(notices, NOTICE_COLUMNS, chinese)


def _record(row, columns):
    return {c[0]: _value(c[0], row, False) for c in columns}


def json_chunks(rows, columns=ENTRY_COLUMNS):
    """A JSON array of records (the English keys and codes), a record at a time."""
    yield "["
    for n, row in enumerate(rows):
        yield ("," if n else "") + "\n" + json.dumps(_record(row, columns), ensure_ascii=False)
    yield "\n]\n"


def jsonl_chunks(rows, columns=ENTRY_COLUMNS):
    """JSON Lines: one record a line."""
    for row in rows:
        yield json.dumps(_record(row, columns), ensure_ascii=False) + "\n"


def notices_json_chunks(notices):
    """The notice list as a JSON array of records."""
    return json_chunks(notices, NOTICE_COLUMNS)


def _typed_cell(kind, value):
    """A value as the xlsx column type wants it: dates as dates, integers as numbers,
    everything else (ids and codes included) as text."""
    if value in (None, ""):
        return None
    if kind == "date":
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if kind == "datetime":
        try:
            return datetime.datetime.fromisoformat(str(value)).replace(tzinfo=None)
        except ValueError:
            return str(value)
    if kind == "integer":
        try:
            return int(value)
        except (TypeError, ValueError):
            return str(value)
    return str(safe_cell(value))


def xlsx_file(rows, columns=ENTRY_COLUMNS, sheet="记录"):
    """An .xlsx workbook (a temporary file, rewound): Chinese headers and values, typed
    columns (ids and codes as text, dates as dates, counts as numbers), the header row
    frozen, and a second sheet describing every column."""
    import tempfile
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    book = Workbook(write_only=True)
    data = book.create_sheet(sheet)
    data.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for c in columns:
        cell = WriteOnlyCell(data, value=c[1])
        cell.font = bold
        header.append(cell)
    data.append(header)
    formats = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss", "string": "@"}
    for row in rows:
        cells = []
        for key, _, kind, _ in columns:
            cell = WriteOnlyCell(data, value=_typed_cell(kind, _value(key, row, True)))
            if kind in formats:
                cell.number_format = formats[kind]
            cells.append(cell)
        data.append(cells)
    notes = book.create_sheet("字段说明")
    notes.append(["字段", "英文字段名", "类型", "说明"])
    for key, label, kind, description in columns:
        notes.append([label, key, {"string": "文本", "integer": "整数", "date": "日期",
                                   "datetime": "日期时间"}[kind], description])
    out = tempfile.TemporaryFile()
    book.save(out)
    out.seek(0)
    return out


def datapackage(resources, license_name, license_url, source_url, name="honors-archive"):
    """A Frictionless Data Package (datapackage.json) describing the CSV downloads.

    resources: (name, path, "entries" or "notices", chinese) for each CSV file."""
    types = {"string": "string", "integer": "integer", "date": "date",
             "datetime": "datetime"}
    out = []
    for res_name, path, table, chinese in resources:
        columns = ENTRY_COLUMNS if table == "entries" else NOTICE_COLUMNS
        fields = []
        for key, label, kind, description in columns:
            field = {"name": label if chinese else key, "type": types[kind],
                     "description": description}
            if kind == "datetime":
                field["format"] = "any"
            fields.append(field)
        out.append({
            "name": res_name, "path": path, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8-sig" if chinese else "utf-8",
            "title": ("记录" if table == "entries" else "来源通知") + ("（中文表头）" if chinese
                                                                 else "（英文字段名和代码）"),
            "schema": {"fields": fields, "primaryKey": [fields[0]["name"]]},
        })
        if table == "entries":  # its notice, in the notices file with the same headers
            notices = next((n for n, _, t, c in resources if t == "notices" and c == chinese),
                           None)
            if notices:
                label = {key: (zh if chinese else key) for key, zh, _, _ in columns}
                notice_id = next(zh if chinese else key for key, zh, _, _ in NOTICE_COLUMNS
                                 if key == "id")
                out[-1]["schema"]["foreignKeys"] = [{
                    "fields": [label["notice_id"]],
                    "reference": {"resource": notices, "fields": [notice_id]}}]
    return {
        "profile": "tabular-data-package", "name": name,
        "title": "全国用户满意电信服务明星档案（公开数据）",
        "description": "全国用户满意电信服务明星与明星班组的候选人公示和表彰名单，整理自工业和信息化部及各省、"
                       "自治区、直辖市通信管理局公开发布的通知。",
        "licenses": [{"name": license_name, "path": license_url, "title": license_name}]
        if license_url else [{"name": license_name}],
        "sources": [{"title": "工业和信息化部及各省、自治区、直辖市通信管理局公开发布的通知",
                     **({"path": source_url} if source_url else {})}],
        "resources": out,
    }


def _bibtex(value):
    """Text safe inside a BibTeX braced value."""
    out = str(value or "")
    for ch in "\\{}%&#_$":
        out = out.replace(ch, "\\" + ch if ch != "\\" else "\\textbackslash{}")
    return out


def _date_parts(iso):
    return {"date-parts": [[int(x) for x in iso.split("-")]]}


#: This archive as the responsible party of its records (GB/T 7714's 主要责任者).
ARCHIVE_NAME = "全国用户满意电信服务明星档案"


def gbt7714(authors, title, kind, url=None, accessed=None, updated=None, place=None,
            publisher=None, year=None):
    """One reference in GB/T 7714-2015's form for an electronic resource (§4, §8.x):
    主要责任者. 题名[文献类型标识/载体标识]. 出版地: 出版者, 出版年(更新或修改日期)[引用日期].
    获取和访问路径.

    authors: the responsible parties (joined with ", "), or none; kind: the type code with
    its carrier, e.g. "DB/OL" (a database online), "EB/OL", "R/OL"; dates as YYYY-MM-DD."""
    out = (", ".join(authors) + ". ") if authors else ""
    out += f"{title}[{kind}]. "
    published = ""
    if place or publisher:
        published = ": ".join(p for p in (place, publisher) if p)
        if year:
            published += f", {year}"
    elif year:
        published = str(year)
    dates = (f"({updated})" if updated else "") + (f"[{accessed}]" if accessed else "")
    if published:
        out += published + dates + ". "
    elif dates:
        out += dates + ". "
    if url:
        out += url + "."
    return out.rstrip()


def _who(entry):
    """A person by their work unit (a team by its company when it has no unit)."""
    where = entry.get("unit") or entry.get("company")
    return entry["name"] + (f"（{where}）" if where else "")


def citations(entry, url, accessed, notice_url=None):
    """An entry cited in every supported form: plain (Chinese), GB/T 7714-2015, BibTeX
    and CSL-JSON; url: its page here; accessed: ISO date; notice_url: the notice's page
    here, its access path when the notice gives no source address.

    What is cited is this archive's record (a database online, [DB/OL]: the archive
    is its responsible party, its date the record's last change); the notice it comes
    from is named in it, and cited on its own too (gbt7714_notice: the issuing body's
    notice, [EB/OL])."""
    stage = STAGE_ROLES.get(entry.get("stage"), "")
    award = entry.get("award") or AWARDS[entry.get("kind") or "individual"]
    record = f"{_who(entry)}：{entry['cycle']}年度{award}{stage}"
    updated = (entry.get("updated_at") or entry.get("imported_at") or "")[:10] or None
    source = f"{entry['publisher']}《{entry['notice_title']}》" + (
        f"（{entry['doc_number']}）" if entry.get("doc_number") else "") + \
        f"，{entry['published']}"
    bibtex = ",\n".join([
        f"@misc{{honors-{entry['id']}",
        f"  author = {{{{{_bibtex(ARCHIVE_NAME)}}}}}", f"  title = {{{_bibtex(record)}}}",
        "  howpublished = {[DB/OL]}",
        *([f"  date = {{{updated}}}", f"  year = {{{updated[:4]}}}"] if updated else []),
        f"  url = {{{url}}}", f"  urldate = {{{accessed}}}",
        f"  note = {{{_bibtex('来源：' + source)}}}", "  langid = {chinese}",
    ]) + "\n}"
    csl = {"id": f"honors-{entry['id']}", "type": "dataset", "title": record,
           "author": [{"literal": ARCHIVE_NAME}], "publisher": ARCHIVE_NAME,
           "medium": "DB/OL", "accessed": _date_parts(accessed), "URL": url,
           "note": "来源：" + source, "language": "zh-CN",
           **({"issued": _date_parts(updated)} if updated else {})}
    return {
        "plain": citation_line(entry, url),
        "gbt7714": gbt7714([ARCHIVE_NAME], record, "DB/OL", url, accessed, updated),
        "gbt7714_notice": gbt7714([entry["publisher"]], entry["notice_title"], "EB/OL",
                                  entry.get("source_url") or notice_url, accessed,
                                  entry["published"]),
        "bibtex": bibtex,
        "csl": csl,
    }


def citation_line(entry, url):
    """A ready-to-copy reference to an entry and its source notice."""
    stage = "候选人" if entry.get("stage") == "candidates" else "获奖者"  # reads as a sentence
    doc = f"（{entry['doc_number']}）" if entry.get("doc_number") else ""
    award = entry.get("award") or AWARDS[entry.get("kind") or "individual"]
    return (f"{_who(entry)}，{entry['cycle']}年度{award}{stage}。"
            f"来源：{entry['publisher']}《{entry['notice_title']}》{doc}，{entry['published']}。"
            f"{url}")


def atom_feed(entries, *, site_url, feed_url, title, entry_url):
    """An Atom 1.0 document for entries; entry_url(entry) gives each entry's link."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_url
    ET.SubElement(feed, f"{{{ATOM}}}link", href=feed_url, rel="self")
    ET.SubElement(feed, f"{{{ATOM}}}link", href=site_url)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = title
    updated = max((e.get("imported_at") or "" for e in entries), default="") or "1970-01-01T00:00:00+00:00"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated
    for e in entries:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        link = entry_url(e)
        ET.SubElement(item, f"{{{ATOM}}}id").text = link
        stage = STAGE_ROLES.get(e.get("stage"), "")
        ET.SubElement(item, f"{{{ATOM}}}title").text = (
            f"{e['name']}（{e.get('company') or e.get('operator') or ''}）{e['cycle']}年度"
            f"（{stage}）")
        ET.SubElement(item, f"{{{ATOM}}}link", href=link)
        ET.SubElement(item, f"{{{ATOM}}}updated").text = e.get("imported_at") or updated
        published = parse_date(e.get("published") or "")
        if published:
            ET.SubElement(item, f"{{{ATOM}}}published").text = published + "T00:00:00+08:00"
        summary = (e.get("citation") or "")[:200]
        ET.SubElement(item, f"{{{ATOM}}}summary").text = summary
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")
