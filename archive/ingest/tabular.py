"""Structured notice lists: CSV and JSON files of entries for one notice.

CSV: leading ``# key: value`` lines give the notice metadata (title,
publisher, published, cycle, stage, region, doc_number, source_url), then a
header row and one row per entry. JSON: ``{"notice": {...}, "entries": [...]}``.
Entry columns: kind (individual|team, or 个人/班组), name, company are
required; gender, birth, education, position, unit, region, team_category,
team_size, award, citation are optional. Column names may be the English keys
above or the notice's Chinese labels (姓名, 单位, 推荐单位, …).
"""

import csv
import io
import json

from .errors import ParseError
from .fields import operator_of, parse_birth, parse_cycle, parse_date, parse_team_size, \
    region_of, stage_of
from .notice import ParsedNotice

REQUIRED_COLUMNS = ("kind", "name", "company")
OPTIONAL_COLUMNS = ("gender", "birth", "education", "position", "unit", "region",
                    "team_category", "team_size", "award", "citation")
_ZH_COLUMNS = {
    "类别": "kind", "类型": "kind", "姓名": "name", "姓名/班组名称": "name", "班组名称": "name",
    "名称": "name", "推荐单位": "company", "推荐企业": "company", "性别": "gender",
    "出生年月": "birth", "学历": "education", "职务": "position", "单位": "unit",
    "工作单位": "unit", "地区": "region", "省份": "region", "班组类别": "team_category",
    "班组人数": "team_size", "奖项": "award", "申报说明材料": "citation", "事迹": "citation",
}
_KINDS = {"individual": "individual", "个人": "individual", "明星": "individual",
          "team": "team", "班组": "team", "集体": "team", "明星班组": "team"}


def _notice_meta(meta, filename):
    meta = {k: (str(v).strip() if v is not None else None) for k, v in meta.items()}
    missing = [k for k in ("title", "publisher", "published") if not meta.get(k)]
    if missing:
        raise ParseError("notice metadata lacks " + ", ".join(missing), filename=filename,
                         field=missing[0])
    published = parse_date(meta["published"])
    if not published:
        raise ParseError(f"published is not a date: {meta['published']!r}", field="published")
    cycle = parse_cycle((meta.get("cycle") or "") + "年度") or parse_cycle(meta["title"])
    if not cycle:
        raise ParseError("notice metadata lacks a cycle (e.g. 2017-2018)", field="cycle")
    stage = meta.get("stage") or stage_of(meta["title"])
    if stage not in ("candidates", "honorees"):
        raise ParseError(f"stage must be candidates or honorees, not {stage!r}", field="stage")
    return {"title": meta["title"], "publisher": meta["publisher"], "published": published,
            "stage": stage, "cycle": cycle,
            "region": meta.get("region") or region_of(meta["publisher"]),
            "doc_number": meta.get("doc_number") or None, "source_url": meta.get("source_url") or None}


def _entry(row, notice, where):
    """One row (dict of column -> value) -> entry dict; where is (line, label)."""
    line, label = where
    row = {_ZH_COLUMNS.get(str(k).strip(), str(k).strip()): v for k, v in row.items() if k}
    value = {k: (str(v).strip() if v not in (None, "") else None) for k, v in row.items()}
    for column in REQUIRED_COLUMNS:
        if not value.get(column):
            raise ParseError(f"{label} lacks a value for {column!r}", line=line, field=column)
    kind = _KINDS.get(value["kind"].lower())
    if not kind:
        raise ParseError(f"{label}: kind must be individual or team, not {value['kind']!r}",
                         line=line, field="kind")
    out = {"kind": kind, "name": value["name"],
           "award": value.get("award") or ("全国用户满意电信服务明星班组" if kind == "team"
                                           else "全国用户满意电信服务明星")}
    for key in ("gender", "education", "position", "unit", "team_category", "company", "citation"):
        out[key] = value.get(key)
    for key, convert in (("birth", parse_birth), ("team_size", parse_team_size)):
        try:
            out[key] = convert(value[key]) if value.get(key) else None
        except ValueError as exc:
            raise ParseError(f"{label}: {exc}", line=line, field=key) from exc
    out["operator"] = operator_of(out["company"], out["unit"])
    out["region"] = value.get("region") or region_of(out["company"], out["unit"]) or notice["region"]
    return out


def parse_csv(text, filename=None):
    """Parse a CSV entry list with ``# key: value`` metadata lines on top."""
    lines = text.split("\n")
    meta, start = {}, 0
    for start, line in enumerate(lines):
        if line.startswith("#"):
            key, sep, val = line[1:].partition(":")
            if sep:
                meta[key.strip()] = val.strip()
        elif line.strip():
            break
    notice = _notice_meta(meta, filename)
    reader = csv.DictReader(io.StringIO("\n".join(lines[start:])))
    columns = {_ZH_COLUMNS.get(c.strip(), c.strip()) for c in (reader.fieldnames or [])}
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ParseError("CSV header lacks column " + ", ".join(missing), line=start + 1,
                         field=missing[0])
    entries = []
    for row in reader:
        if None in row:
            raise ParseError("row has more cells than the header",
                             line=start + reader.line_num)
        if not any((v or "").strip() for v in row.values()):
            continue
        entries.append(_entry(row, notice, (start + reader.line_num, f"row {len(entries) + 1}")))
    if not entries:
        raise ParseError("CSV has no entry rows")
    return ParsedNotice(notice=notice, entries=entries, text=text, format="csv")


def parse_json(text, filename=None):
    """Parse a JSON object {"notice": {...}, "entries": [...]}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    if not isinstance(data, dict) or not isinstance(data.get("notice"), dict) \
            or not isinstance(data.get("entries"), list):
        raise ParseError('JSON must be an object with "notice" (object) and "entries" (array)')
    notice = _notice_meta(data["notice"], filename)
    entries = []
    for i, row in enumerate(data["entries"], start=1):
        if not isinstance(row, dict):
            raise ParseError(f"entries[{i - 1}] is not an object", field=f"entries[{i - 1}]")
        entries.append(_entry(row, notice, (None, f"entries[{i - 1}]")))
    if not entries:
        raise ParseError("JSON has no entries")
    return ParsedNotice(notice=notice, entries=entries, text=text, format="json")
