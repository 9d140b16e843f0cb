"""Structured notice lists: CSV (as our exports write, or as Excel saves a sheet)
and JSON files of entries for one notice.

CSV: optional leading ``# key: value`` lines give the notice metadata (title,
publisher, published, cycle, stage, region, doc_number, source_url), then
the table, read by the header mapper like any other list: English keys
(kind, name, company …) or the notice's Chinese labels (序号, 姓名, 单位,
班组名称 …), title rows above the header and group rows included. JSON:
``{"notice": {...}, "entries": [...]}`` with the same keys. What the file
lacks, the admin supplies (`archive import --title …`).
"""

import csv
import io
import json

from .documents import parse_document
from .errors import ParseError
from .metadata import FLAGS
from .tables import CellBudget, Document, Table, check_rows, clean_cell, number_text

# Metadata keys as an admin may write them in a CSV's "# key: value" lines.
_META_KEYS = {**{key: key for key in FLAGS}, "标题": "title", "发布单位": "publisher",
              "发布机构": "publisher", "发布日期": "published", "年度": "cycle",
              "阶段": "stage", "地区": "region", "文号": "doc_number", "链接": "source_url",
              "来源链接": "source_url"}
MAX_JSON_DEPTH = 20


def _merge(file_meta, overrides):
    out = dict(file_meta)
    out.update({k: v for k, v in (overrides or {}).items() if v not in (None, "")})
    return out


def _csv_meta(lines):
    """The "# key: value" lines on top: (metadata, index of the first other line)."""
    meta, start = {}, 0
    for start, line in enumerate(lines):
        if line.startswith("#"):
            key, sep, val = line[1:].partition(":")
            if not sep:
                key, sep, val = line[1:].partition("：")
            key = _META_KEYS.get(key.strip().lower(), _META_KEYS.get(key.strip()))
            if sep and key:
                meta[key] = val.strip()
        elif line.strip():
            return meta, start
    return meta, len(lines)


def parse_csv(text, filename=None, overrides=None):
    """Parse a CSV list; metadata from its "# key: value" lines and the overrides."""
    doc, meta = _read_csv(text)
    return parse_document(doc, _merge(meta, overrides), filename)


def csv_document(text):
    """A CSV file as a Document (an attachment's list; its metadata lines are ignored)."""
    return _read_csv(text)[0]


def _read_csv(text):
    lines = text.split("\n")
    meta, start = _csv_meta(lines)
    body = "\n".join(lines[start:])
    try:
        dialect = csv.Sniffer().sniff(body[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(body), dialect)
    rows, numbers, width = [], [], None
    budget = CellBudget()
    try:
        for row in reader:
            budget.spend(len(row), "CSV 文件")
            cells = [clean_cell(c) for c in row]
            if width is None and any(cells):
                width = len(cells)
            elif width is not None and any(cells[width:]):
                raise ParseError("这一行的单元格比表头多",
                                 line=start + reader.line_num)
            rows.append(cells)
            numbers.append(start + reader.line_num)
            check_rows(len(rows), "the CSV file")
    except csv.Error as exc:
        raise ParseError(f"CSV 格式有误：{exc}", line=start + reader.line_num) from exc
    if not any(any(r) for r in rows):
        raise ParseError("CSV 中没有任何条目")
    doc = Document(lines=[], tables=[Table(rows=rows, source="CSV", row_numbers=numbers,
                                                   row_label="第 {} 行")],
                   text=text, format="csv")
    return doc, meta


def _depth(value, limit):
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return True


def _json_cell(value, where):
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return number_text(value)
    if isinstance(value, str):
        return clean_cell(value)
    raise ParseError(f"{where} 不是文字或数字")


def parse_json(text, filename=None, overrides=None):
    """Parse a JSON object {"notice": {...}, "entries": [...]}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"JSON 格式有误：{exc.msg}", line=exc.lineno) from exc
    except (RecursionError, ValueError) as exc:  # absurd nesting, 5,000-digit numbers
        raise ParseError(f"JSON 格式有误：{str(exc)[:80] or '嵌套过深'}") from exc
    if not _depth(data, MAX_JSON_DEPTH):
        raise ParseError(f"JSON 嵌套超过 {MAX_JSON_DEPTH} 层")
    if not isinstance(data, dict) or not isinstance(data.get("notice"), dict) \
            or not isinstance(data.get("entries"), list):
        raise ParseError('JSON 应为一个对象，含 "notice"（对象）和 "entries"（数组）')
    records = data["entries"]
    check_rows(len(records), "entries")
    if not records:
        raise ParseError("JSON 中没有任何条目")
    keys = []
    for i, row in enumerate(records):
        if not isinstance(row, dict):
            raise ParseError(f"entries[{i}] 不是对象", field=f"entries[{i}]")
        keys += [k for k in row if k not in keys]
    rows = [keys] + [[_json_cell(row.get(k), f"entries[{i}].{k}") for k in keys]
                     for i, row in enumerate(records)]
    meta = {k: _json_cell(v, f"notice.{k}") for k, v in data["notice"].items() if k in FLAGS}
    table = Table(rows=rows, source="JSON", row_numbers=list(range(-1, len(records))),
                  row_label="entries[{}]")
    doc = Document(lines=[], tables=[table], text=text, format="json")
    return parse_document(doc, _merge(meta, overrides), filename)
