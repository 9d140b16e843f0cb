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
from .entries import EntryError, build_entry
from .fields import operator_of
from .metadata import DISCLOSURE_LABELS, ORG_LINE_RE, SIGNATURE_DATE_RE, check_counts, \
    complete, read_metadata, stated_counts
from .notice import ParsedNotice
from .tables import CONTROLS

# Whitespace that notices use for layout; all become a plain space.
_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff\t\f\v]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060]")

#: Field keys as written (spaces inside keys are ignored) -> our field name.
FIELD_KEYS = {
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


def _label(text):
    return re.sub(r"[\s:：]", "", text or "")


def is_label(text):
    """Whether a cell is a field's or a page metadata's label (姓名, 发布机构 …)."""
    key = _label(text)
    return key in FIELD_KEYS or key in DISCLOSURE_LABELS


_LABELLED = re.compile(r"^\s*(?P<key>[\u4e00-\u9fff ]{2,8}?)\s*[:：]\s*\S")


def label_lines(row):
    """A table row of labels and values as "label：value" lines (key | value pairs, or
    cells that each say "label：value": a page's disclosure block, a candidate's form),
    or None for a row that is no such thing."""
    cells = [c.replace("\n", " ") for c in row if c]
    if not cells:
        return None
    if len(cells) % 2 == 0 and all(is_label(k) for k in cells[::2]):
        return [f"{_label(k)}：{v}" for k, v in zip(cells[::2], cells[1::2])]
    labelled = [_LABELLED.match(c) for c in cells]
    if all(m and is_label(m.group("key")) for m in labelled):
        return cells
    return None


def clean_lines(text):
    """Split text into (line number, stripped line) pairs, layout spaces made plain."""
    out = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = CONTROLS.sub("", _ZERO_WIDTH.sub("", _SPACES.sub(" ", raw))).strip()
        if line:
            out.append((number, line))
    return out


_PAIR_START = re.compile(r"\s+(?=(?:" + "|".join(sorted(FIELD_KEYS, key=len, reverse=True))
                         + r")\s*[:：])")


def split_pairs(lines):
    """Lines holding several 字段：值 pairs (姓名：张三　性别：女　职务：班长) as one
    line a pair, each keeping its line number; a line that starts with no field key
    stays whole (a citation may say 职务：… in passing)."""
    out = []
    for number, line in lines:
        if _field(line) is None:
            out.append((number, line))
            continue
        out += [(number, part) for part in _PAIR_START.split(line) if part]
    return out


def _field(line):
    m = _KEY_RE.match(line)
    if not m:
        return None
    key = re.sub(r"\s+", "", m.group("key"))
    if key not in FIELD_KEYS:
        return None
    return key, FIELD_KEYS[key], m.group("value").strip()


def _is_entry_start(line):
    f = _field(line)
    return f is not None and f[1] in ("name", "team_name")


#: How a picture on a page stands among its lines ([图片：名单.png], html_notice.py).
IMAGE_LINE = "[图片："


def is_picture(line):
    """Whether a line stands for a picture on the page, not for text."""
    return line.startswith(IMAGE_LINE) and line.endswith("]")


def has_blocks(lines):
    """Whether text lines hold candidate blocks (a 姓名：… or 班组名称：… field line)."""
    return any(_is_entry_start(line) for line in lines)


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


def parse_notice_text(text, *, title_hint=None, fmt="txt", filename=None, overrides=None):
    """Parse a notice's page text into a ParsedNotice; raise ParseError if it is not one.

    overrides: metadata the admin supplies (title, publisher …), over what the text says."""
    lines = _notice_lines(text, filename)
    pictures = [line[len(IMAGE_LINE):-1] for _, line in lines if is_picture(line)]
    lines = [(n, line) for n, line in lines if not is_picture(line)]
    first_block = _first_block(lines, filename, pictures)
    notice, warnings = _metadata(lines, first_block, title_hint, overrides, filename)
    entries = _parse_blocks(lines[first_block:], notice, warnings, filename)
    head = [line for _, line in lines[:first_block]]
    mismatches, uncertain = check_counts(stated_counts(head), entries)
    return ParsedNotice(notice=notice, entries=entries, text=text, format=fmt,
                        warnings=warnings + uncertain, mismatches=mismatches,
                        reading=[{"type": "p", "text": line} for _, line in lines])


def _notice_lines(text, filename):
    """The text's (line number, line) pairs without page chrome; refuses a text that is
    no award notice."""
    raw = text.split("\n")
    lines = []
    for n, line in clean_lines(text):
        # A disclosure block copied as tab-separated label | value cells.
        labelled = label_lines(raw[n - 1].split("\t")) if "\t" in raw[n - 1] else None
        if labelled:
            lines += [(n, part) for part in labelled]
        elif not _CHROME_RE.match(line):
            lines.append((n, line))
    lines = split_pairs(lines)
    if not lines:
        raise ParseError("文件中没有文字", filename=filename)
    if not any("电信服务明星" in line for _, line in lines):
        raise ParseError("这不是电信服务评比表彰的通知（正文中没有“电信服务明星”）",
                         filename=filename)
    return lines


def _first_block(lines, filename, pictures=()):
    """Where the list starts: the first section heading, award heading or name field."""
    for i, (_, line) in enumerate(lines):
        if _section_heading(line) or _award_heading(lines, i) or _is_entry_start(line):
            return i
    if pictures:
        raise ParseError("网页中没有文字名单，名单可能是图片（" + "、".join(pictures[:5])
                         + "）：请把图片作为附件一并上传，将做文字识别（命令行：--attach 图片）",
                         filename=filename)
    if any("附件" in line for _, line in lines):
        raise ParseError("网页中没有名单：名单在附件中，请把附件一并上传（命令行：--attach 文件）",
                         filename=filename)
    raise ParseError("没有找到任何条目（没有“姓名”或“班组名称”）：这是评比表彰的通知吗？",
                     filename=filename)


def _metadata(lines, first_block, title_hint, overrides, filename):
    """The notice's metadata (read from the lines above the list, completed by the
    overrides) and the warnings that come with it."""
    head = [line for _, line in lines[:first_block]]
    read = read_metadata(head, [line for _, line in lines], title_hint)
    warnings = []
    if read["title"] and not read["stage"] and not (overrides or {}).get("stage"):
        read["stage"] = "candidates"
        warnings.append("标题中既没有“公示”也没有“表彰”，暂按候选人公示处理")
    try:
        notice, more = complete(read, overrides)
        return notice, warnings + more
    except ParseError as exc:
        raise exc.with_filename(filename) from None


def _parse_blocks(lines, notice, warnings, filename):
    """The entries of the list: a state machine over section headings, award
    headings, field lines and citation text (see the module docstring)."""
    entries = []
    state = {"company": None, "current": None, "in_citation": False}

    def close(start=None):
        if state["current"] is not None:
            entries.append(_finish(state["current"], notice, warnings, filename))
        state["current"], state["in_citation"] = start, False

    for i, (number, line) in enumerate(lines):
        if _FOOTER_RE.search(line):
            break
        _read_line(lines, i, number, line, state, close, warnings)
    close()
    return entries


def _read_line(lines, i, number, line, state, close, warnings):
    """Apply one line of the list to the parser's state."""
    company = _section_heading(line)
    award = None if company else _award_heading(lines, i)
    f = None if (company or award) else _field(line)
    current = state["current"]
    if company:
        close()
        state["company"] = company
    elif award:
        close(_new_entry(number, state["company"]))
        state["current"].update(award=award.group("award"),
                                kind="team" if award.group("team") else "individual")
        if award.group("rest").strip():
            state["current"]["company"] = award.group("rest").strip()
    elif f is not None and f[1] in ("name", "team_name") and (
            current is None or current["has_name"]):
        close(_new_entry(number, state["company"]))
        _set_field(state["current"], f, number)
    elif state["in_citation"]:
        current["citation"].append((number, line))
    elif current is not None and f is not None:
        _set_field(current, f, number)
        if f[1] == "citation":
            state["in_citation"] = True
            if f[2]:
                current["citation"].append((number, f[2]))
    elif current is not None and current["has_name"]:
        # Citation text without a 申报说明材料 heading.
        state["in_citation"] = True
        current["citation"].append((number, line))
    elif current is not None:
        warnings.append(f"第 {number} 行：条目中的这段文字未导入：“{line[:40]}”")


def _new_entry(line, section_company):
    return {"line": line, "fields": {}, "field_lines": {}, "citation": [], "has_name": False,
            "company": section_company, "award": None, "kind": None}


def _set_field(entry, f, number):
    key, name, value = f
    if name is None:
        return
    if name in ("name", "team_name"):
        if not value:
            raise ParseError(f"{key}为空", line=number, field=key)
        entry["has_name"] = True
        entry["kind"] = entry["kind"] or ("team" if name == "team_name" else "individual")
        name = "name"
    if name == "company" and value:
        entry["company"] = value
        return
    if name != "citation":
        entry["fields"][name] = value
        entry["field_lines"][name] = (number, key)


# The notice's closing formulas after its last block (公示期间如有异议，请…; 联系电话；
# 特此公示): the notice speaking to its readers, never a citation's words.
CLOSING_RE = re.compile(r"^(?:公示期|公示时间|公示期间|如有异议|如对.{0,12}有异议|对公示|联系人|"
                         r"联系电话|联系方式|监督电话|举报电话|受理电话|特此|以上)")


def _strip_signature(citation, publisher):
    """Drop closing lines after the last honoree: the signature (publisher, date),
    attachments, and the closing formulas above them."""
    while citation:
        line = citation[-1][1]
        if line == publisher or SIGNATURE_DATE_RE.match(line) or line.startswith("附件") \
                or ORG_LINE_RE.match(line) or CLOSING_RE.match(line):
            citation.pop()
        else:
            break
    return citation


def _finish(entry, notice, warnings, filename):
    fields = entry["fields"]
    if not entry["has_name"]:
        raise ParseError("条目没有姓名（姓名或班组名称）", filename=filename,
                         line=entry["line"], field="姓名")
    citation = _strip_signature(entry["citation"], notice["publisher"])
    values = dict(fields, kind=entry["kind"], award=entry["award"], company=entry["company"],
                  citation="\n".join(line for _, line in citation) or None)
    try:
        out = build_entry(values, notice)
    except EntryError as exc:
        number, key = entry["field_lines"].get(exc.field, (entry["line"], exc.field))
        raise ParseError(str(exc), filename=filename, line=number, field=key) from exc
    name = out["name"]
    where = f"第 {entry['line']} 行：{name}"
    if out["gender"] and out["gender"] not in ("男", "女"):
        warnings.append(f"{where}：性别“{out['gender']}”不常见")
    if not out["citation"]:
        warnings.append(f"{where}：没有申报说明材料")
    if not entry["company"]:
        warnings.append(f"{where}：没有推荐单位")
    if out["kind"] == "individual" and not out["unit"]:
        warnings.append(f"{where}：没有工作单位")
    return out
