"""Data out: CSV (UTF-8 with BOM, for Excel), JSON, Atom, and the citation line."""

import csv
import io
import json
from xml.etree import ElementTree as ET

from .ingest.entries import AWARDS
from .ingest.fields import parse_date
from .vocabulary import KIND_LABELS, STAGE_ROLES
from .db.store import EXPORT_FIELDS

ATOM = "http://www.w3.org/2005/Atom"


def export_row(entry):
    """An entry reduced to the exported keys, in order."""
    return {k: entry.get(k) for k in EXPORT_FIELDS}


#: The Chinese CSV's columns: (header, entry key, how the value is written).
CHINESE_COLUMNS = (
    ("编号", "id", "text"), ("类别", "kind", "kind"), ("姓名或班组名称", "name", None),
    ("阶段", "stage", "stage"), ("评选年度", "cycle", "text"), ("奖项", "award", None),
    ("性别", "gender", None), ("出生年月", "birth", "text"), ("学历", "education", None),
    ("职务", "position", None), ("单位", "unit", None), ("推荐单位", "company", None),
    ("运营商", "operator", None), ("地区", "region", None), ("班组类别", "team_category", None),
    ("班组人数", "team_size", None), ("申报说明材料", "citation", None),
    ("来源通知", "notice_title", None), ("发布单位", "publisher", None),
    ("发布日期", "published", "text"), ("文号", "doc_number", None),
    ("原文链接", "source_url", None),
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell value that no spreadsheet runs as a formula (OWASP, CSV injection):
    text starting with = + - @, a tab or CR gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _excel_text(value):
    """An id or date that Excel keeps as text (1988-05 stays 1988-05, 0123 keeps its 0)."""
    return f'="{value}"' if value not in (None, "") else ""


def _chinese_row(entry):
    row = []
    for _, key, how in CHINESE_COLUMNS:
        value = entry.get(key)
        if how == "kind":
            value = KIND_LABELS.get(value, value)
        elif how == "stage":
            value = STAGE_ROLES.get(value, value)
        value = safe_cell(value)
        row.append(_excel_text(value) if how == "text" else value)
    return row


def _chunks(header, rows, rows_per_chunk=200):
    """CSV with a BOM (Excel reads it as UTF-8) in chunks: bounded memory at any size."""
    out = io.StringIO()
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


def csv_chunks(entries):
    """CSV of the API's keys and codes, one row per entry (for programs)."""
    return _chunks(EXPORT_FIELDS, ([safe_cell(v) for v in export_row(e).values()]
                                   for e in entries))


def chinese_csv_chunks(entries):
    """CSV for people: Chinese headers and values, the source notice of each entry,
    ids and dates kept as text in Excel."""
    return _chunks([h for h, _, _ in CHINESE_COLUMNS], (_chinese_row(e) for e in entries))


def json_chunks(entries, **meta):
    """JSON {meta…, "entries": [...]}, yielded an entry at a time."""
    head = json.dumps(meta, ensure_ascii=False, indent=1)[:-2]
    yield (head + ",\n" if meta else "{\n") + ' "entries": ['
    for n, entry in enumerate(entries):
        yield ("," if n else "") + "\n  " + json.dumps(export_row(entry), ensure_ascii=False)
    yield "\n ]\n}\n"


#: The notice list's columns: (Chinese header, key).
NOTICE_COLUMNS = (("编号", "id"), ("标题", "title"), ("发布单位", "publisher"),
                  ("发布日期", "published"), ("阶段", "stage"), ("评选年度", "cycle"),
                  ("地区", "region"), ("文号", "doc_number"), ("原文链接", "source_url"),
                  ("收录时间", "imported_at"), ("记录数", "entries"))


def notices_csv_chunks(notices):
    """The notice list as CSV (Chinese headers; the keys are those of /api/notices)."""
    return _chunks([h for h, _ in NOTICE_COLUMNS],
                   ([safe_cell(n.get(k)) for _, k in NOTICE_COLUMNS] for n in notices))


def notices_json_chunks(notices):
    """The notice list as JSON {"notices": [...]}, a notice at a time."""
    yield '{\n "notices": ['
    for i, notice in enumerate(notices):
        row = {k: notice.get(k) for _, k in NOTICE_COLUMNS}
        yield ("," if i else "") + "\n  " + json.dumps(row, ensure_ascii=False)
    yield "\n ]\n}\n"


def _bibtex(value):
    """Text safe inside a BibTeX braced value."""
    out = str(value or "")
    for ch in "\\{}%&#_$":
        out = out.replace(ch, "\\" + ch if ch != "\\" else "\\textbackslash{}")
    return out


def _date_parts(iso):
    return {"date-parts": [[int(x) for x in iso.split("-")]]}


def citations(entry, url, accessed):
    """An entry cited in every supported form: plain (Chinese), GB/T 7714-2015,
    BibTeX and CSL-JSON; url: its public address; accessed: ISO date."""
    stage = STAGE_ROLES.get(entry.get("stage"), "")
    award = entry.get("award") or AWARDS[entry.get("kind") or "individual"]
    title = f"{entry['notice_title']}：{entry['name']}"
    note = f"{entry['cycle']}年度{award}{stage}" + (
        f"；{entry['doc_number']}" if entry.get("doc_number") else "")
    bibtex = ",\n".join([
        f"@misc{{honors-{entry['id']}",
        f"  title = {{{_bibtex(title)}}}", f"  author = {{{{{_bibtex(entry['publisher'])}}}}}",
        f"  date = {{{entry['published']}}}", f"  year = {{{entry['published'][:4]}}}",
        f"  url = {{{url}}}", f"  urldate = {{{accessed}}}", f"  note = {{{_bibtex(note)}}}",
    ]) + "\n}"
    csl = {"id": f"honors-{entry['id']}", "type": "webpage", "title": title,
           "author": [{"literal": entry["publisher"]}], "issued": _date_parts(entry["published"]),
           "accessed": _date_parts(accessed), "URL": url, "note": note,
           "container-title": "全国用户满意电信服务明星档案", "language": "zh-CN"}
    return {
        "plain": citation_line(entry, url),
        "gbt7714": f"{entry['publisher']}. {title}[EB/OL]. ({entry['published']})"
                   f"[{accessed}]. {url}.",
        "bibtex": bibtex,
        "csl": csl,
    }


def citation_line(entry, url):
    """A ready-to-copy reference to an entry and its source notice."""
    who = entry["name"] + (f"（{entry['company']}）" if entry.get("company") else "")
    stage = "候选人" if entry.get("stage") == "candidates" else "获奖者"  # reads as a sentence
    doc = f"（{entry['doc_number']}）" if entry.get("doc_number") else ""
    award = entry.get("award") or AWARDS[entry.get("kind") or "individual"]
    return (f"{who}，{entry['cycle']}年度{award}{stage}。"
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
