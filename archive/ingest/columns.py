"""Header mapping: which column of a list holds what, and the list's rows as entries.

Works on the table model (`tables.Table`) whatever file it came from. The
header row is found by its labels (序号 | 姓名 | 单位, 序号 | 班组名称, or the
English keys of our CSV), below any merged title rows. Rows that span the
table ("中国电信（3名）", "广东省") are group rows: they set the company or the
region of the rows below them. Kind comes from the name column (姓名 ->
individual, 班组名称 -> team), a kind column, or the list's title (…明星班组名单).
"""

import re
from dataclasses import dataclass, field

from .entries import EntryError, build_entry, kind_of
from .fields import PROVINCES, operator_of
from .metadata import list_count
from .tables import one_line

# Header labels as printed (spaces, colons and asterisks ignored) -> field.
HEADERS = {
    "序号": "serial", "序": "serial", "编号": "serial", "no": "serial", "no.": "serial",
    "姓名": "name", "名字": "name", "获奖人": "name", "获奖者": "name", "候选人": "name",
    "候选人姓名": "name", "明星姓名": "name", "推荐人选": "name", "人员姓名": "name",
    "班组名称": "team", "班组": "team", "集体名称": "team", "班组全称": "team",
    "获奖班组": "team", "明星班组": "team", "明星班组名称": "team", "候选班组": "team",
    "名称": "name_any", "姓名/班组名称": "name_any", "姓名或班组名称": "name_any",
    "name": "name_any",
    "类别": "kind", "类型": "kind", "奖项类别": "kind", "kind": "kind",
    "性别": "gender", "gender": "gender",
    "出生年月": "birth", "出生日期": "birth", "出生年月日": "birth", "出生时间": "birth",
    "出生年份": "birth", "birth": "birth",
    "学历": "education", "文化程度": "education", "学历学位": "education",
    "最高学历": "education", "education": "education",
    "职务": "position", "岗位": "position", "职位": "position", "职务职称": "position",
    "现任职务": "position", "职务岗位": "position", "岗位职务": "position",
    "position": "position",
    "单位": "unit", "工作单位": "unit", "所在单位": "unit", "单位名称": "unit", "所属单位": "unit",
    "所在部门": "unit", "所属部门": "unit", "工作部门": "unit",
    "所在企业": "unit", "工作单位及职务": "unit_position", "单位及职务": "unit_position",
    "单位职务": "unit_position", "工作单位和职务": "unit_position", "unit": "unit",
    "推荐单位": "company", "推荐企业": "company", "推荐公司": "company", "所属企业": "company",
    "所属公司": "company", "企业名称": "company", "企业": "company", "company": "company",
    "省份": "region", "地区": "region", "省区市": "region", "省(区、市)": "region",
    "所在地区": "region", "所在省份": "region", "省份地区": "region", "省": "region",
    "region": "region",
    "班组类别": "team_category", "班组类型": "team_category", "班组性质": "team_category",
    "team_category": "team_category",
    "班组人数": "team_size", "人数": "team_size", "班组成员数": "team_size",
    "成员人数": "team_size", "team_size": "team_size",
    "事迹": "citation", "主要事迹": "citation", "事迹简介": "citation", "申报说明材料": "citation",
    "申报说明": "citation", "先进事迹": "citation", "推荐理由": "citation", "事迹材料": "citation",
    "主要事迹简介": "citation", "citation": "citation",
    "奖项": "award", "荣誉称号": "award", "称号": "award", "award": "award",
    "民族": "ethnicity", "ethnicity": "ethnicity",
    # Read so that they are not mistaken for data; not stored (the preview says so).
    "政治面貌": "ignore", "备注": "ignore", "联系电话": "ignore",
    "参加工作时间": "ignore", "籍贯": "ignore", "id": "ignore", "stage": "ignore",
    "cycle": "ignore", "operator": "ignore", "notice_id": "ignore",
}
_NAME_FIELDS = ("name", "team", "name_any")
#: What each field the header mapper finds is called in the preview and the CLI.
COLUMN_LABELS = {"serial": "序号", "name": "姓名", "team": "班组名称", "name_any": "名称",
                 "kind": "类别", "award": "奖项", "ignore": "不导入", "gender": "性别",
                 "ethnicity": "民族", "birth": "出生年月", "education": "学历", "position": "职务",
                 "unit": "单位", "company": "推荐单位", "region": "地区",
                 "team_category": "班组类别", "team_size": "班组人数", "citation": "申报说明材料",
                 "unit_position": "单位和职务（分开读取）", None: "未识别，不导入"}
_ENUM_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]"
                      r"|\d{1,3}\s*[、.．]|附件\s*\d*\s*[:：]?)\s*")
# A group's or list's count: （3名）, (共6个), ，共12名; its closing bracket may be lost
# (OCR drops one that touches a table's rule) where a measure word says what it is.
_COUNT_RE = re.compile(r"\s*[（(]\s*(?:共|计)?\s*(\d{1,5})\s*(?:(?:名|个|人|项)\s*[)）]?|[)）])\s*$"
                       r"|\s*[，,]?\s*(?:共|计)\s*(\d{1,5})\s*(?:名|个|人|项)\s*$")
_NOTE_RE = re.compile(r"^(?:注|备注|说明|合计|总计|小计|共计)")
_PROVINCE_SUFFIX = re.compile(r"(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)$")
# A company or operator standing alone where a name goes: a group heading, not a person
# (a team's name goes on after its company: …分公司装维班).
_COMPANY_RE = re.compile(r"^中国(?:电信|移动|联通|铁塔|广电)$|(?:公司|集团|企业|管理局)$")
_GENERIC_GROUPS = re.compile(r"^(?:增值电信|基础电信|其他|其它|民营|互联网)")


def header_field(text):
    """The field a header label names (姓名 -> "name"), or None."""
    key = re.sub(r"[\s:：*＊]", "", text or "").lower()
    if key in HEADERS:
        return HEADERS[key]
    bare = re.sub(r"[（(][^)）]*[)）]", "", key)
    if bare in HEADERS:
        return HEADERS[bare]
    for part in re.split(r"[/／、及和或]", bare):
        if part in HEADERS:
            return HEADERS[part]
    return None


def header_fields(row):
    """The fields of a row read as a header, or None when it is not a list's header."""
    fields = [header_field(cell) if cell else None for cell in row]
    named = [f for f in fields if f]
    if not any(f in _NAME_FIELDS for f in named):
        return None
    if len(named) < 2 and len(named) != len([c for c in row if c]):
        return None
    if len([c for c in row if c]) > 2 * len(named):  # a sentence that happens to say 姓名
        return None
    filled = [(cell, f) for cell, f in zip(row, fields) if cell]
    if len(filled) % 2 == 0 and all(f for _, f in filled[::2]) \
            and not any(f for _, f in filled[1::2]):
        return None  # "姓名 | 张三 | 性别 | 女": one person's fields, not a list's header
    return fields


_UNIT_AND_POSITION = re.compile(r"^(?P<unit>.+(?:公司|集团|局|中心|营业厅|部|院|所))"
                                r"[\s,，、]+(?P<position>[^\s,，、][^,，、]*)$")


def split_unit_position(text):
    """"中国电信股份有限公司赣州分公司 装维班长" -> (unit, position); a text without a
    separator after a unit-like ending stays whole, as the unit."""
    m = _UNIT_AND_POSITION.match(text.strip())
    return (m.group("unit"), m.group("position").strip()) if m else (text, None)


def kind_hint(lines):
    """The kind a list's title names: …明星班组名单 -> team, …明星名单 -> individual."""
    text = "".join(lines)
    if re.search(r"班组|集体", text):
        return "team"
    if re.search(r"明星|个人|名单", text):
        return "individual"
    return None


@dataclass
class TableRead:
    """What the mapper made of one table, for the preview and the CLI."""

    source: str
    mapping: list = field(default_factory=list)   # (column label, field)
    header_row: int = None
    groups: list = field(default_factory=list)    # (row, label, what it sets)
    skipped: list = field(default_factory=list)   # (row, reason, text)
    warnings: list = field(default_factory=list)
    mismatches: list = field(default_factory=list)  # stated counts that differ from what was read
    errors: list = field(default_factory=list)
    entries: list = field(default_factory=list)


class _Groups:
    """The group rows in force: company and/or region, with stated counts."""

    def __init__(self):
        self.company = self.operator = self.region = None
        self.current = None  # [row, label, stated count, entries seen]
        self.all = []

    def open(self, row, label, count, read):
        bare = _PROVINCE_SUFFIX.sub("", label)
        if bare in PROVINCES:
            self.region, self.company, self.operator = bare, None, None
            sets = f"地区 {bare}"
        elif _GENERIC_GROUPS.match(label):
            self.company, self.operator = None, "其他" if "增值" in label else None
            sets = f"运营商 {self.operator}" if self.operator else "（分组）"
        else:
            self.company, self.operator = label, operator_of(label)
            sets = f"推荐单位 {label}"
        self.current = [row, label, count, 0]
        self.all.append(self.current)
        read.groups.append((row, label, sets))

    def values(self):
        if self.current:
            self.current[3] += 1
        return {"group_company": self.company, "group_operator": self.operator,
                "group_region": self.region}

    def check(self, read):
        for row, label, stated, seen in self.all:
            if stated is not None and stated != seen:
                read.mismatches.append(f"{read.source}，第 {row} 行：分组“{label}”注明 {stated} 个，"
                                       f"实际读到 {seen} 条")


def _group_row(row, fields):
    """The label of a row that spans the table (a group or title row), or None."""
    filled = [(i, c) for i, c in enumerate(row) if c]
    values = {c for _, c in filled}
    if len(values) != 1:
        return None
    value = values.pop()
    column = fields[filled[0][0]] if len(filled) == 1 else None
    if column == "serial" and re.fullmatch(r"\d+(?:\.0)?", value):
        return None  # a numbered row whose cells are empty: an entry that cannot be read
    if len(filled) == 1 and column in _NAME_FIELDS:
        # Alone in the name column: a group only if it reads like one.
        label = _COUNT_RE.sub("", _ENUM_RE.sub("", value))
        if not (_COUNT_RE.search(value) or _PROVINCE_SUFFIX.sub("", label) in PROVINCES
                or _GENERIC_GROUPS.match(label) or _COMPANY_RE.search(label)
                or _NOTE_RE.match(value) or "名单" in value):
            return None
    return value


def read_table(table, notice, kind=None):
    """Read one table's entries; errors and skipped rows are collected, not raised."""
    read = TableRead(source=table.source)
    fields = None
    list_start = 0
    heading = list(table.heading)
    groups = _Groups()
    list_kind = kind_hint(heading) or kind
    last = None  # [row index, values, group values] of the last entry read
    for index, row in enumerate(table.rows):
        number = table.row_numbers[index]
        if not any(row):
            continue
        as_header = header_fields(row)
        if as_header is not None:
            if fields is not None and as_header == fields:
                read.skipped.append((number, "重复的表头", " | ".join(c for c in row if c)))
                if last is not None and last[0] == index - 1:
                    last[0] = index  # a row broken by the page goes on below it
                continue
            fields, read.header_row, groups = as_header, number, _Groups()
            list_kind = kind_hint(heading) or kind
            read.mapping = [(cell, f) for cell, f in zip(row, fields) if cell]
            _report_columns(read)
            continue
        first = next(c for c in row if c)
        if fields is not None and _NOTE_RE.match(first) and not re.match(r"^注\S{1,3}$", first):
            read.skipped.append((number, "注释或合计行", " ".join(c for c in row if c)))
            continue
        if fields is not None and last is not None and last[0] == index - 1 \
                and _broken_row(row, fields):
            _join_broken(read, last, row, fields, list_kind, notice)
            last[0] = index
            continue
        label = _group_row(row, fields or [None] * len(row))
        if fields is None:
            # Above the header: the list's title rows.
            heading.append(" ".join(dict.fromkeys(c for c in row if c)))
            continue
        if label is not None:
            if _NOTE_RE.match(label):
                read.skipped.append((number, "注释或合计行", label))
                continue
            if "名单" in label or "电信服务明星" in label:
                _check_list_count(read, heading, list_start)
                _in_serial_order(read.entries, list_start)
                heading, list_kind = [label], kind_hint([label]) or list_kind
                list_start = len(read.entries)
                read.skipped.append((number, "名单标题", label))
                continue
            m = _COUNT_RE.search(label)
            count = int(m.group(1) or m.group(2)) if m else None
            groups.open(number, _COUNT_RE.sub("", _ENUM_RE.sub("", label)).strip(), count, read)
            continue
        values = {}
        for cell, f in zip(row, fields):
            if f and f not in ("ignore", "serial") and cell and not values.get(f):
                values[f] = cell if f == "citation" else one_line(cell)
        if "unit_position" in values:  # 工作单位及职务: "…分公司 装维班长"
            unit, position = split_unit_position(values.pop("unit_position"))
            values.setdefault("unit", unit)
            if position:
                values.setdefault("position", position)
        group = groups.values()
        try:
            entry = _entry(dict(values), list_kind, group, notice)
        except EntryError as exc:
            text = " | ".join(c for c in row if c)[:60]
            where = number if isinstance(number, str) else table.row_label.format(number)
            read.errors.append(f"{table.source}，{where}：{exc}（{text}）")
            continue
        entry["_row"] = (table.source, number)
        if table.confidence is not None:
            entry["_doubts"] = doubtful_cells(row, table.confidence[index], fields)
        entry["_serial"] = _serial(row, fields)
        read.entries.append(entry)
        last = [index, values, group]
    groups.check(read)
    _check_list_count(read, heading, list_start)
    _in_serial_order(read.entries, list_start)
    for entry in read.entries:
        entry.pop("_serial")
    return read


#: Below this confidence an OCR'd cell is marked for the admin to check.
OCR_DOUBT = 0.9


def rare_characters(text):
    """The characters of text outside GB2312's common set (生僻字: where OCR errs most,
    and names most often use them)."""
    out = []
    for char in text:
        if "\u3400" <= char <= "\u9fff" or char > "\uffff":
            try:
                char.encode("gb2312")
            except UnicodeEncodeError:
                out.append(char)
    return out


def doubtful_cells(row, confidence, fields):
    """An OCR'd row's cells to check: (field, text, confidence, reason) for each data
    cell read with low confidence or holding rare characters."""
    out = []
    for cell, score, f in zip(row, confidence, fields):
        if not cell or not f or f in ("ignore", "serial"):
            continue
        rare = rare_characters(cell)
        if score < OCR_DOUBT:
            out.append((f, cell, round(score, 3), f"识别置信度 {score:.0%}"))
        elif rare and f in _NAME_FIELDS:
            out.append((f, cell, round(score, 3), "含生僻字 " + "".join(rare)))
    return out


def _report_columns(read):
    """Name every column that is not imported, in the preview and the CLI."""
    for label, f in read.mapping:
        label = " ".join(label.split())
        if f is None:
            read.warnings.append(f"{read.source}：列「{label}」未识别，未导入")
        elif f == "ignore" and re.search(r"[\u4e00-\u9fff]", label):
            read.warnings.append(f"{read.source}：列「{label}」不在档案收录范围内，未导入")


def _check_list_count(read, heading, start):
    """Compare the count a list's heading states (（共6个）) with the entries read under
    it: of the kind its measure word names (名 people, 个 teams). Only a count standing
    right above the list, of a kind the list holds, can stop an import; any other that
    differs is a warning (it may head another list)."""
    stated = list_count(heading)
    if stated is None:
        return
    number, kind, near = stated
    entries = read.entries[start:]
    found = sum(1 for e in entries if kind is None or e["kind"] == kind)
    if number == found:
        return
    title = " ".join(heading)[:40]
    message = f"{read.source}：名单“{title}”注明共 {number} 条，实际读到 {found} 条"
    if near and found:
        read.mismatches.append(message)
    else:
        read.warnings.append(message + "（无法确定这个数字指这份名单，请核对）")


def _serial(row, fields):
    for cell, f in zip(row, fields):
        if f == "serial":
            m = re.fullmatch(r"\s*(\d{1,6})(?:\.0)?\s*[.、]?\s*", cell or "")
            return int(m.group(1)) if m else None
    return None


def _in_serial_order(entries, start):
    """One list's entries (entries[start:]) in its 序号 order when every row has a
    distinct one (a list printed in another order than numbered), else as read."""
    part = entries[start:]
    serials = [e["_serial"] for e in part]
    if part and None not in serials and len(set(serials)) == len(serials):
        entries[start:] = sorted(part, key=lambda e: e["_serial"])


def _broken_row(row, fields):
    """Whether a row is the rest of the row above, cut by a page break: one cell only,
    in a column after the name that is not a serial (the end of a unit, a position).
    A group row spans the table, or stands in its first or name column."""
    filled = [i for i, cell in enumerate(row) if cell]
    if len(filled) != 1 or filled[0] == 0:
        return False
    names = [i for i, f in enumerate(fields) if f in _NAME_FIELDS]
    return fields[filled[0]] not in (None, "serial", "ignore", *_NAME_FIELDS) \
        and bool(names) and filled[0] > names[0]


def _join_broken(read, last, row, fields, list_kind, notice):
    """Put a broken row's text back at the end of its cell in the entry above."""
    _, values, group = last
    for cell, f in zip(row, fields):
        if cell:
            values[f] = values.get(f, "") + one_line(cell)
    kept = read.entries[-1]
    try:
        entry = _entry(dict(values), list_kind, group, notice)
    except EntryError:
        return
    read.entries[-1] = {**entry, **{k: v for k, v in kept.items() if k.startswith("_")}}


def _entry(values, list_kind, groups, notice):
    """An entry from a row's values; groups: the group rows in force (_Groups.values())."""
    person, team = values.pop("name", None), values.pop("team", None)
    generic, kind_value = values.pop("name_any", None), values.pop("kind", None)
    kind = kind_of(kind_value) if kind_value else None
    if kind_value and not kind:
        raise EntryError(f"类别应为个人或班组，而不是“{kind_value}”", "kind")
    if person:
        name, kind = person, kind or "individual"
    elif team:
        name, kind = team, kind or "team"
    else:
        name, kind = generic, kind or list_kind
    if not name:
        raise EntryError("没有姓名（姓名或班组名称）", "name")
    if kind is None:
        raise EntryError("分不清是个人还是班组：没有“类别”列，也没有名单标题"
                         "（……明星名单 / ……明星班组名单）", "kind")
    values.update(kind=kind, name=name, **groups)
    return build_entry(values, notice)
