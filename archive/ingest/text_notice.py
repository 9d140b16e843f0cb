"""Parser for candidate-list notices (推荐名单公示) given as page text.

A notice is: page chrome (breadcrumbs), a title, a source/date line, a
preamble, then per company a section heading (一、中国联通北京分公司推荐情况如下)
and per honoree a block: an award heading (全国用户满意电信服务明星[班组]<company>),
field lines (姓名：…) and the citation (申报说明材料：) running to the next
block. Page footer (主办单位, 版权所有, ICP …) and closing signature lines
never belong to a citation.
"""

import re

from .errors import ParseError
from .fields import (operator_of, parse_birth, parse_cycle, parse_date, parse_doc_number,
                     parse_team_size, region_of, stage_of)
from .notice import ParsedNotice

# Whitespace that notices use for layout; all become a plain space.
_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff\t\f\v]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060]")

# Field keys as written (spaces inside keys are ignored) -> our field name.
_KEYS = {
    "姓名": "name", "性别": "gender", "出生年月": "birth", "出生日期": "birth",
    "出生年月日": "birth", "学历": "education", "文化程度": "education",
    "职务": "position", "职位": "position", "岗位": "position", "职务/岗位": "position",
    "职务职称": "position", "单位": "unit", "工作单位": "unit", "所在单位": "unit",
    "推荐单位": "company", "推荐企业": "company", "推荐公司": "company",
    "班组名称": "team_name", "集体名称": "team_name", "班组类别": "team_category",
    "班组类型": "team_category", "班组人数": "team_size", "人数": "team_size",
    "申报说明材料": "citation", "申报说明": "citation", "主要事迹": "citation",
    "事迹材料": "citation", "先进事迹": "citation", "事迹简介": "citation",
    "推荐理由": "citation",
    # Read so they do not leak into a citation; not stored.
    "民族": None, "政治面貌": None, "参加工作时间": None, "籍贯": None, "联系电话": None,
}
_KEY_RE = re.compile(r"^(?P<key>[\u4e00-\u9fff/ ]{2,14}?)\s*[:：]\s*(?P<value>.*)$")
_AWARD_RE = re.compile(
    r"^[“\"《]?(?P<award>全国用户满意电信服务明星(?P<team>班组)?)[”\"》]?\s*[(（]?(?P<rest>[^。；;，,]{0,40}?)[)）]?$")
_SECTION_RE = re.compile(
    r"^[一二三四五六七八九十]{1,3}\s*[、.．]\s*(?P<company>.{2,40}?)\s*"
    r"(?:推荐情况如下|推荐情况|推荐名单|候选人名单|候选名单|推荐人选|推荐)\s*[:：]?$")
_CHROME_RE = re.compile(r"^(当前位置|您现在的位置|您的位置|首页\s*[>›»])")
_FOOTER_RE = re.compile(
    r"^(主办单位|承办单位|网站标识码|技术支持|联系我们|网站地图|打印本页|关闭窗口|【打印】|【关闭】|分享到|扫一扫)"
    r"|版权所有|ICP备|公网安备")
_SOURCE_RE = re.compile(r"(?:来源|发布机构|发文机关|发布单位|信息来源)\s*[:：]\s*(?P<publisher>[^\s:：]+)")
_DATE_LINE_RE = re.compile(r"(?:日期|发布时间|发布日期|时间)\s*[:：]\s*(?P<date>[\d\-/.年月日 ]{8,20})")
_SIGNATURE_DATE_RE = re.compile(r"^(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_TITLE_HINT_RE = re.compile(r"公示|名单|表彰|通报|决定|通知|公告")


def clean_lines(text):
    """Split text into (line number, stripped line) pairs, layout spaces made plain."""
    out = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = _ZERO_WIDTH.sub("", _SPACES.sub(" ", raw)).strip()
        if line:
            out.append((number, line))
    return out


def _field(line):
    m = _KEY_RE.match(line)
    if not m:
        return None
    key = re.sub(r"\s+", "", m.group("key"))
    if key not in _KEYS:
        return None
    return key, _KEYS[key], m.group("value").strip()


def _is_entry_start(line):
    f = _field(line)
    return f is not None and f[1] in ("name", "team_name")


def _award_heading(lines, i):
    """The award heading at lines[i], if it opens a block (a field line follows)."""
    m = _AWARD_RE.match(lines[i][1])
    if not m:
        return None
    if i + 1 < len(lines) and _field(lines[i + 1][1]) is None:
        return None
    return m


def _section_heading(line):
    m = _SECTION_RE.match(line)
    if not m:
        return None
    company = m.group("company")
    if operator_of(company) == "其他" and not re.search(r"公司|集团|局|单位", company):
        return None
    return company


def _find_title(lines, title_hint):
    for _, line in lines[:40]:
        if "电信服务" in line and _TITLE_HINT_RE.search(line) and not _field(line) \
                and not line.startswith(("附件", "根据", "按照")) and len(line) <= 120:
            return line
    if title_hint and _TITLE_HINT_RE.search(title_hint):
        return title_hint
    return None


def parse_notice_text(text, *, title_hint=None, fmt="txt", filename=None):
    """Parse a notice's page text into a ParsedNotice; raise ParseError if it is not one."""
    lines = [(n, line) for n, line in clean_lines(text) if not _CHROME_RE.match(line)]
    if not lines:
        raise ParseError("file has no text", filename=filename)
    if not any("电信服务明星" in line for _, line in lines):
        raise ParseError("not a telecom service award notice (no 电信服务明星 in the text)",
                         filename=filename)

    # Where the list starts: the first section heading or award block.
    first_block = None
    for i, (_, line) in enumerate(lines):
        if _section_heading(line) or _award_heading(lines, i) or _is_entry_start(line):
            first_block = i
            break
    if first_block is None:
        raise ParseError("no honoree entries found (no 姓名/班组名称 fields): is this an award notice?",
                         filename=filename)
    head = lines[:first_block]
    head_text = "\n".join(line for _, line in head)

    title = _find_title(head, title_hint) or _find_title(lines, title_hint)
    if not title:
        raise ParseError("cannot find the notice title", filename=filename)
    publisher = None
    m = _SOURCE_RE.search(head_text)
    if m:
        publisher = m.group("publisher")
    else:
        m = re.search(r"[\u4e00-\u9fff]{2,12}(通信管理局)|工业和信息化部", head_text)
        publisher = m.group(0) if m else None
    if not publisher:
        raise ParseError("cannot find the publisher (来源：…)", filename=filename)
    m = _DATE_LINE_RE.search(head_text)
    published = parse_date(m.group("date")) if m else None
    if not published:
        tail_dates = [parse_date(line) for _, line in lines if _SIGNATURE_DATE_RE.match(line)]
        published = tail_dates[-1] if tail_dates else None
    if not published:
        raise ParseError("cannot find the publication date (日期：YYYY-MM-DD)", filename=filename)
    cycle = parse_cycle(title) or parse_cycle(head_text)
    if not cycle:
        raise ParseError("cannot find the award cycle (e.g. 2017-2018年度)", filename=filename)
    stage = stage_of(title)
    warnings = []
    if stage is None:
        stage = "candidates"
        warnings.append("title names neither 公示 nor 表彰; stage assumed to be candidates")
    region = region_of(publisher) if "通信管理局" in publisher else None
    notice = {
        "title": title, "publisher": publisher, "published": published, "stage": stage,
        "cycle": cycle, "region": region, "doc_number": parse_doc_number(head_text),
        "source_url": None,
    }

    entries = _parse_blocks(lines[first_block:], notice, warnings, filename)
    return ParsedNotice(notice=notice, entries=entries, text=text, format=fmt, warnings=warnings)


def _parse_blocks(lines, notice, warnings, filename):
    entries = []
    section_company = None
    current = None
    in_citation = False

    def close():
        if current is not None:
            entries.append(_finish(current, notice, warnings, filename))

    for i, (number, line) in enumerate(lines):
        if _FOOTER_RE.search(line):
            break
        company = _section_heading(line)
        award = None if company else _award_heading(lines, i)
        f = None if (company or award) else _field(line)
        if company:
            close()
            current, in_citation = None, False
            section_company = company
        elif award:
            close()
            in_citation = False
            current = _new_entry(number, section_company)
            current["award"] = award.group("award")
            current["kind"] = "team" if award.group("team") else "individual"
            if award.group("rest").strip():
                current["company"] = award.group("rest").strip()
        elif f is not None and f[1] in ("name", "team_name") and (
                current is None or current["has_name"]):
            close()
            in_citation = False
            current = _new_entry(number, section_company)
            _set_field(current, f, number)
        elif in_citation:
            current["citation"].append((number, line))
        elif current is not None and f is not None:
            _set_field(current, f, number)
            if f[1] == "citation":
                in_citation = True
                if f[2]:
                    current["citation"].append((number, f[2]))
        elif current is not None and current["has_name"]:
            # Citation text without a 申报说明材料 heading.
            in_citation = True
            current["citation"].append((number, line))
        elif current is not None:
            warnings.append(f"line {number}: ignored text inside an entry block: {line[:40]!r}")
    close()
    return entries


def _new_entry(line, section_company):
    return {"line": line, "fields": {}, "field_lines": {}, "citation": [], "has_name": False,
            "company": section_company, "award": None, "kind": None}


def _set_field(entry, f, number):
    key, name, value = f
    if name is None:
        return
    if name in ("name", "team_name"):
        if not value:
            raise ParseError(f"{key} is empty", line=number, field=key)
        entry["has_name"] = True
        entry["kind"] = entry["kind"] or ("team" if name == "team_name" else "individual")
        name = "name"
    if name == "company" and value:
        entry["company"] = value
        return
    if name != "citation":
        entry["fields"][name] = value
        entry["field_lines"][name] = (number, key)


def _strip_signature(citation, publisher):
    """Drop closing lines (publisher, date, attachments) after the last honoree."""
    while citation:
        line = citation[-1][1]
        if line == publisher or _SIGNATURE_DATE_RE.match(line) or line.startswith("附件") \
                or re.fullmatch(r"[\u4e00-\u9fff]{2,16}(通信管理局|和信息化部)", line):
            citation.pop()
        else:
            break
    return citation


def _finish(entry, notice, warnings, filename):
    fields = entry["fields"]
    if not entry["has_name"]:
        raise ParseError("entry block has no name (姓名 or 班组名称)", filename=filename,
                         line=entry["line"], field="姓名")
    kind = entry["kind"]
    name = fields["name"]
    out = {"kind": kind, "name": name,
           "award": entry["award"] or ("全国用户满意电信服务明星班组" if kind == "team"
                                       else "全国用户满意电信服务明星")}
    for key in ("gender", "education", "position", "unit", "team_category"):
        out[key] = fields.get(key) or None
    try:
        out["birth"] = parse_birth(fields.get("birth"))
    except ValueError as exc:
        number, key = entry["field_lines"]["birth"]
        raise ParseError(str(exc), filename=filename, line=number, field=key) from exc
    try:
        out["team_size"] = parse_team_size(fields["team_size"]) if fields.get("team_size") else None
    except ValueError as exc:
        number, key = entry["field_lines"]["team_size"]
        raise ParseError(str(exc), filename=filename, line=number, field=key) from exc
    if out["gender"] and out["gender"] not in ("男", "女"):
        warnings.append(f"line {entry['line']}: {name}: unusual gender {out['gender']!r}")
    out["company"] = entry["company"]
    out["operator"] = operator_of(out["company"], out["unit"])
    out["region"] = region_of(out["company"], out["unit"]) or notice["region"]
    citation = _strip_signature(entry["citation"], notice["publisher"])
    out["citation"] = "\n".join(line for _, line in citation) or None
    if not out["citation"]:
        warnings.append(f"line {entry['line']}: {name}: no citation (申报说明材料)")
    if not out["company"]:
        warnings.append(f"line {entry['line']}: {name}: no recommending company")
    if kind == "individual" and not out["unit"]:
        warnings.append(f"line {entry['line']}: {name}: no unit (单位)")
    return out
