"""Lists printed as lines, not tables: numbered paragraphs (Word's automatic numbering,
typed 1． 1、 (1)), fields separated by full-width commas, 、 or runs of spaces, and
lines under operator or company sub-headings (一、中国电信股份有限公司（3名）).

Read by structure: a run of lines that each open with a name (a person's two to five
characters, or a minority name with its middle dot, or a team's name ending as teams
do) followed by fields is a list; each field is read by what it looks like (a unit
ends as units do, a date is a birth, 男/女 a gender, a degree an education, the short
rest a position). The lines become a table with a header made from what the fields
are, and sub-headings become its group rows, so the header mapper (`columns.py`)
reads it like any other list: group rows set the company, stated counts are checked,
a short unit (九江分公司) is completed from its heading's company.
"""

import re

from .columns import _COUNT_RE, _ENUM_RE, header_fields, kind_hint
from .metadata import ORG_LINE_RE, SIGNATURE_DATE_RE
from .text_notice import CLOSING_RE, is_label, is_picture
from .fields import operator_of

_NUMBER = re.compile(r"^\s*(?:[(（]\s*\d{1,4}\s*[)）]|\d{1,4}\s*[.．、,，)）]|\d{1,4}\s+(?=\S))\s*")
_SEPARATORS = re.compile(r"\s*[，,、；;|｜]\s*|\s+")
# A two-character name padded to the width of three (王　海): one name, not two fields.
_PADDED_NAME = re.compile(r"^([\u4e00-\u9fff])\s+([\u4e00-\u9fff])(?=[\s，,、；;]|$)")
_PERSON = re.compile(r"^[\u4e00-\u9fff]{2,5}$|^[\u4e00-\u9fff]{1,8}[·•・.．][\u4e00-\u9fff·•・.．]{1,12}$")
_TEAM = re.compile(r"[\u4e00-\u9fff\w]{2,40}(?:班|组|中心|部|室|厅|队|站|所|团队|小组|专席|热线)$")
_UNIT = re.compile(r"(?:公司|集团|局|营业厅|中心|分公司|营业部|研究院|分局|支局|公司\S{0,12}部|"
                   r"分公司\S{1,16}|有限公司\S{1,20})$")
_UNIT_WORD = re.compile(r"公司|集团|管理局|营业厅|分局|支局")
_BIRTH = re.compile(r"^(?:19|20)\d\d\s*(?:[年.\-/．]\s*\d{1,2}\s*月?(?:\s*[.\-/．]?\s*\d{1,2}\s*日?)?"
                    r"|\d{2})?(?:年生|生)?$")
_EDUCATION = re.compile(r"^(?:博士|硕士|研究生|本科|大学本科|大学|大专|专科|中专|高中|大学专科|"
                        r"硕士研究生|博士研究生|在职研究生)(?:学历|学位)?$")
_ETHNICITY = re.compile(r"^[\u4e00-\u9fff]{1,4}族$")
_KIND_HEADING = re.compile(r"电信服务明星|候选人|候选班组|名单")
# A name with its details in brackets: 李红梅（女，中国电信…分公司客户经理）.
_PARENTHESISED = re.compile(r"^(?P<name>[^（(，,、\s]{2,20})\s*[（(](?P<inner>[^（()）]{2,120})[)）]$")
# How positions end (客户经理, 营业厅主任, 装维班长 …).
_POSITION_END = (r"(?:经理|主任|主管|专员|代表|组长|班长|队长|站长|工程师|技术员|营业员|话务员|"
                 r"网格长|总监|助理|客服|装维员|值班长)")
# A unit run on into a position without a separator (…广州分公司客户经理): the unit
# ends at the first unit word after which a position follows that names no unit.
_UNIT_THEN_POSITION = re.compile(
    r"^(?P<unit>.{4,60}?(?:公司|集团|局|中心|营业厅|营业部))"
    rf"(?P<position>(?:(?!公司|局)[\u4e00-\u9fff]){{0,8}}{_POSITION_END})$")
# Fields that make a line of words a person's entry when it is not numbered (when they
# show what they are: _telling).
_DETAILS = {"unit", "birth", "gender", "education", "ethnicity"}
#: What each field read by its look is, as a header label the mapper knows.
_LABELS = {"name": "姓名", "team": "班组名称", "unit": "工作单位", "position": "职务",
           "gender": "性别", "birth": "出生年月", "education": "学历", "ethnicity": "民族"}
_ORDER = ("name", "team", "gender", "ethnicity", "birth", "education", "unit", "position")


def _split(text):
    """A line's fields, split at separators; a padded two-character name (or label,
    姓　名) kept whole."""
    body = _PADDED_NAME.sub(r"\1\2", text.strip().replace("\u3000", " "))
    return [p.strip() for p in _SEPARATORS.split(body) if p.strip()]


def split_fields(text):
    """A list line's fields, its item number (1． (1) 1、) left out."""
    return _split(_NUMBER.sub("", text, count=1))


def _header(text):
    """A list's header printed as a line (序号 姓名 工作单位 职务): its labels, or None."""
    cells = _split(_NUMBER.sub("", text, count=1) if text[:1].isdigit() else text)
    if len(cells) < 2 or header_fields(cells) is None:
        return None
    return cells


def _fields(text, context=None):
    """A line's fields after its number, or None when it does not open with a name.
    context: the kind the heading above names (individual, team); under it a name
    alone on its line is an item too."""
    body = _NUMBER.sub("", text, count=1)
    numbered = body != text
    if re.search(r"[:：。；;！？]", body):
        return None  # a label, an address line (各有关单位：) or a sentence
    m = _PARENTHESISED.match(body.strip())
    if m:  # 李红梅（女，中国电信股份有限公司广州分公司客户经理）
        body = m.group("name") + "，" + m.group("inner")
    parts = []
    for part in _split(body):
        m = _UNIT_THEN_POSITION.match(part)
        parts += [m.group("unit"), m.group("position")] if m else [part]
    if not parts:
        return None
    first = re.sub(r"\s+", "", parts[0])
    if is_label(first):
        return None  # 索引号 | …, 姓名：…: a label, not a name
    if _PERSON.match(first) and not _UNIT_WORD.search(first):
        kind = "name"
    elif _TEAM.search(first) and len(first) >= 6:
        kind = "team"
    else:
        return None
    if len(parts) == 1 and not numbered and context != {"name": "individual"}.get(kind, kind):
        return None  # a name alone on a line is a heading, or a word
    out = {kind: first}
    for part in parts[1:]:
        what = _look(part, out)
        if what is None:
            return None  # a sentence, not a list item
        out[what] = part if what not in out else out[what] + " " + part
    if len(out) > 1 and not numbered and kind == "name" \
            and not any(_look(part, {}) in _DETAILS and _telling(part) for part in parts[1:]):
        return None  # a person's line says where they work (or their birth, degree …)
    return numbered, out


def _telling(part):
    """Whether a field shows by itself what it is (a unit's ending, a date, 男/女, a
    degree, a nationality), not only by elimination."""
    bare = re.sub(r"\s+", "", part)
    return bool(bare in ("男", "女") or (_BIRTH.match(bare) and re.search(r"\d{4}", bare))
                or _EDUCATION.match(bare) or _ETHNICITY.match(bare)
                or _UNIT.search(bare) or _UNIT_WORD.search(bare))


def _look(part, seen):
    """What a field is by its look, or None for text no list field looks like."""
    bare = re.sub(r"\s+", "", part)
    if bare in ("男", "女"):
        return "gender"
    if _BIRTH.match(bare) and re.search(r"\d{4}", bare):
        return "birth"
    if _EDUCATION.match(bare):
        return "education"
    if _ETHNICITY.match(bare) and len(bare) <= 5:
        return "ethnicity"
    if len(part) > 60 or re.search(r"[。！？]", part):
        return None
    if re.search(_POSITION_END + "$", bare) and not re.search(r"公司|集团|局", bare):
        return "position" if "position" not in seen else "unit"
    if _UNIT.search(bare) or _UNIT_WORD.search(bare):
        return "unit" if "unit" not in seen else "position"
    if len(bare) <= 20:
        return "position" if "unit" in seen or "position" not in seen else "unit"
    return None


def _subheading(text):
    """The line, when it is a sub-heading (an operator, a company, a list's kind, with
    its enumeration and count: 一、中国电信股份有限公司（3名）), or None."""
    label = _COUNT_RE.sub("", _ENUM_RE.sub("", text)).strip().rstrip(":：")
    if not 2 <= len(label) <= 40 or re.search(r"[，,。：:]", label):
        return None
    if _KIND_HEADING.search(label) or operator_of(label) != "其他" \
            or re.search(r"(?:公司|集团|企业)$", label) or re.match(r"^(?:增值电信|基础电信|其他)", label):
        return text
    return None


def line_tables(lines):
    """Lists among a document's text lines, as tables the header mapper reads (with
    their headings); [] when no run of list items is found."""
    runs, current, pending, groups = [], None, [], []
    context = None  # the kind the last list heading names
    for line in lines:
        if is_picture(line):
            continue  # a photo between the items of a list
        if CLOSING_RE.match(line) or ORG_LINE_RE.match(line) or SIGNATURE_DATE_RE.match(line):
            context = None  # the notice's closing: no list items below
        header = _header(line)
        if header is not None:
            current = {"heading": pending[-3:], "items": [("group", g) for g in groups],
                       "header": header}
            runs.append(current)
            pending, groups = [], []
            continue
        if current is not None and current.get("header"):
            cells = _split(line)
            if len(cells) == len(current["header"]):
                current["items"].append(("row", cells))
                continue
        read = _fields(line, context)
        if read is not None:
            if current is None:
                current = {"heading": pending[-3:], "items": [("group", g) for g in groups]}
                runs.append(current)
            current["items"].append(("item", read[1]))
            pending, groups = [], []
            continue
        label = _subheading(line)
        if label is not None and _KIND_HEADING.search(label):
            context = kind_hint([label])
        if label is not None and _KIND_HEADING.search(label) is None:
            if current is not None:
                current["items"].append(("group", label))
            else:
                groups.append(label)  # an operator heading above the first item
            continue
        if current is not None and header_fields([line]) is None:
            current = None
        pending += groups + [line]
        groups = []
    # A run of one item is a list only right under a heading that counts it (…（1个）).
    return [_table(run) for run in runs
            if sum(1 for k, _ in run["items"] if k in ("item", "row"))
            >= (1 if run["heading"] and _KIND_HEADING.search(run["heading"][-1])
                and _COUNT_RE.search(run["heading"][-1]) else 2)]


def _table(run):
    from .tables import Table
    if run.get("header"):
        header = run["header"]
        rows = [header] + [value if kind == "row" else [value] * len(header)
                           for kind, value in run["items"]]
        return Table(rows=rows, heading=list(run["heading"]), source="正文名单",
                     row_label="第 {} 行")
    present = [f for f in _ORDER if any(kind == "item" and f in item for kind, item in run["items"])]
    header = ["序号"] + [_LABELS[f] for f in present]
    rows, serial = [header], 0
    for kind, item in run["items"]:
        if kind == "group":
            rows.append([item] * len(header))
            continue
        serial += 1
        rows.append([str(serial)] + [item.get(f, "") for f in present])
    # Trailing group labels belong to no items: they are headings of what follows.
    while rows and rows[-1][0] != str(serial) and len(rows) > 1:
        rows.pop()
    return Table(rows=rows, heading=list(run["heading"]), source="正文名单",
                 row_label="第 {} 行")
