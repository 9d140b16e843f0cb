"""Data out: CSV (UTF-8 with BOM, for Excel), JSON, Atom, and the citation line."""

import csv
import io
import json
from xml.etree import ElementTree as ET

from .ingest.fields import parse_date
from .store import EXPORT_FIELDS

ATOM = "http://www.w3.org/2005/Atom"


def export_row(entry):
    """An entry reduced to the exported keys, in order."""
    return {k: entry.get(k) for k in EXPORT_FIELDS}


def csv_chunks(entries, rows_per_chunk=200):
    """CSV with a BOM, one row per entry, the exported keys as header: yielded in
    chunks, so that an export of any size is written with bounded memory."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for n, entry in enumerate(entries, start=1):
        writer.writerow(export_row(entry))
        if n % rows_per_chunk == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def json_chunks(entries, **meta):
    """JSON {meta…, "entries": [...]}, yielded an entry at a time."""
    head = json.dumps(meta, ensure_ascii=False, indent=1)[:-2]
    yield (head + ",\n" if meta else "{\n") + ' "entries": ['
    for n, entry in enumerate(entries):
        yield ("," if n else "") + "\n  " + json.dumps(export_row(entry), ensure_ascii=False)
    yield "\n ]\n}\n"


def to_csv(entries):
    """CSV text (see csv_chunks)."""
    return "".join(csv_chunks(entries))


def to_json(entries, **meta):
    """JSON text (see json_chunks)."""
    return "".join(json_chunks(entries, **meta))


def citation_line(entry, url):
    """A ready-to-copy reference to an entry and its source notice."""
    who = entry["name"] + (f"（{entry['company']}）" if entry.get("company") else "")
    stage = "候选人" if entry.get("stage") == "candidates" else "获奖者"
    doc = f"（{entry['doc_number']}）" if entry.get("doc_number") else ""
    return (f"{who}，{entry['cycle']}年度{entry.get('award') or '全国用户满意电信服务明星'}{stage}。"
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
        ET.SubElement(item, f"{{{ATOM}}}title").text = (
            f"{e['name']}（{e.get('company') or e.get('operator') or ''}）{e['cycle']}年度")
        ET.SubElement(item, f"{{{ATOM}}}link", href=link)
        ET.SubElement(item, f"{{{ATOM}}}updated").text = e.get("imported_at") or updated
        published = parse_date(e.get("published") or "")
        if published:
            ET.SubElement(item, f"{{{ATOM}}}published").text = published + "T00:00:00+08:00"
        summary = (e.get("citation") or "")[:200]
        ET.SubElement(item, f"{{{ATOM}}}summary").text = summary
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")
