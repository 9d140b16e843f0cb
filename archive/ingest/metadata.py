"""A notice's metadata, read from its text and completed by the admin's flags.

Read from the page: the title, the publisher (来源, 发文机关 or the signature),
the publication date (发布日期 before 日期 before 成文日期 before the signature
date), the notice's own document number (on a line of its own or after 文号,
never one quoted in a sentence), the cycle and the stage. What the file lacks
the admin supplies (`archive import --title … --publisher …`); flags override
what the file says.
"""

import re
from urllib.parse import urlsplit

from .errors import ParseError
from .fields import PROVINCES, parse_cycle, parse_date, region_of, stage_of
from .tables import CONTROLS, one_line

#: Labels of a page's metadata (its information-disclosure block: 索引号 | … | 发布机构 |
#: …), read as "label：value" lines, never as a list.
DISCLOSURE_LABELS = ("来源", "发布机构", "发文机关", "发布单位", "信息来源", "发布日期", "发布时间",
                     "成文日期", "日期", "文号", "发文字号", "标题", "名称", "索引号", "主题分类",
                     "生成日期", "公开方式", "公开范围", "有效性")

#: Notice metadata an import needs, with the CLI flag that supplies each.
REQUIRED = {"title": "--title", "publisher": "--publisher", "published": "--published",
            "cycle": "--cycle", "stage": "--stage"}
#: Every metadata key an admin may supply, with its flag.
FLAGS = {**REQUIRED, "doc_number": "--doc-number", "region": "--region",
         "source_url": "--source-url"}

_TITLE_HINT_RE = re.compile(r"公示|名单|表彰|通报|决定|通知|公告")
# A list heading (…明星名单) is an attachment's title, not the notice's.
_NOTICE_TITLE_RE = re.compile(r"关于|公示|表彰|通报|决定|通知|公告")
# How a whole title ends; a line that stops short of it goes on on the next line.
_TITLE_END_RE = re.compile(r"(?:通报|公示|通知|名单|决定|公告|函|意见|结果|情况)"
                           r"\s*(?:[（(][^()（）]{1,20}[)）])?$")
_LABEL_LINE_RE = re.compile(r"^[\u4e00-\u9fff ]{1,8}[:：]")
_TITLE_LABEL_RE = re.compile(r"^(?:标\s*题|文件名称|名\s*称)\s*[:：]\s*(?P<title>.+)$")
_ISSUER_RE = re.compile(r"(?:发文机关|发文单位)\s*[:：]\s*(?P<value>[^:：\n]+)")
_SOURCE_RE = re.compile(r"(?:发布机构|来源|信息来源|发布单位)\s*[:：]\s*(?P<value>[^:：\n]+)")
# Labels that a page's metadata line may run into when its spans touch
# (<span>来源：某局</span><span>浏览量：12</span> reads "来源：某局浏览量：12").
_NEXT_LABELS = ("浏览量", "浏览次数", "浏览", "访问量", "点击数", "点击量", "点击", "阅读数",
                "阅读量", "阅读", "发布时间", "发布日期", "成文日期", "生成日期", "日期", "时间",
                "作者", "编辑", "责任编辑", "字号", "字体", "分享", "打印", "来源", "文号",
                "索引号", "发文机关", "发布机构", "主题分类", "信息来源", "发布单位")
_ORG = r"[\u4e00-\u9fff]{2,16}(?:通信管理局|信息化部|办公厅)"
# A body of the ministry or an administration, whole (工业和信息化部行风建设领导小组).
_BODY = r"(?:[\u4e00-\u9fff]{0,12}(?:领导小组|工作小组|委员会))?"
#: An issuing body alone on a line (a signature).
ORG_LINE_RE = re.compile(rf"^(?:{_ORG}|工业和信息化部){_BODY}$")
_ORG_RE = re.compile(rf"(?:[\u4e00-\u9fff]{{2,12}}通信管理局|工业和信息化部){_BODY}")
# A department (信息通信管理局 of the ministry, an 办公厅, 办公室, a 司 or 处): where a page
# is posted, not who issues the notice. A provincial 通信管理局 is an issuer.
_DEPARTMENT_RE = re.compile(r"^(?:工业和信息化部|[\u4e00-\u9fff]{2,8}通信管理局)?"
                            r"(?:信息通信管理局|[\u4e00-\u9fff]{0,8}(?:司|处|科|室|办公厅|中心))$")
# Publication date labels (发布日期 first), then plain 日期/时间 (not 公示/成文/生成).
_PUBLISHED_LABELS = (
    re.compile(r"(?:发布日期|发布时间|发文日期|公开日期)\s*[:：]\s*(?P<date>[\d\-/.年月日 ]{8,20})"),
    re.compile(r"(?<!公示)(?<!成文)(?<!生成)(?<!签发)(?<!印发)(?<!截止)(?<!开始)(?<!结束)"
               r"(?:日期|时间)\s*[:：]\s*(?P<date>[\d\-/.年月日 ]{8,20})"),
)
_SIGNED_LABEL = re.compile(r"(?:成文日期|签发日期|印发日期)\s*[:：]\s*(?P<date>[\d\-/.年月日 ]{8,20})")
SIGNATURE_DATE_RE = re.compile(r"^(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$"
                               r"|^[〇○Ｏ零一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月"
                               r"\s*[一二三四五六七八九十]{1,3}\s*日$")
_DOC_NUMBER = r"[\u4e00-\u9fff]{1,12}\s*[〔\[【(（]\s*(?:19|20)\d\d\s*[〕\]】)）]\s*\d{1,4}\s*号"
_DOC_NUMBER_RE = re.compile(_DOC_NUMBER)
# Lines a title never starts with: a document number or a date alone, an index number.
_NOT_TITLE_START = re.compile(rf"^(?:{_DOC_NUMBER}|(?:19|20)\d\d\s*[年\-/.][\d\s月\-/.日]*"
                              r"|[\dA-Za-z/\-]+)$")
_DOC_LABEL_RE = re.compile(rf"(?:文\s*号|发文字号|发文号|文件编号)\s*[:：]\s*(?P<number>{_DOC_NUMBER})")
# 等133名个人, 12名同志; 65个班组, 共有8个先进班组, 班组3个; and the generic 共12名,
# 共推荐候选人12名 (individuals, unless the notice lists teams and counts none).
_STATED_PEOPLE_RE = re.compile(r"等\s*(\d{1,5})\s*名|(\d{1,5})\s*名(?:个人|同志)")
_STATED_ANY_RE = re.compile(r"(?:共|计)[\u4e00-\u9fff]{0,6}?\s*(\d{1,5})\s*名")
_STATED_TEAMS_RE = re.compile(r"(\d{1,5})\s*个(?:先进)?(?:班组|集体)|(?:班组|集体)\s*(\d{1,5})\s*个")
# A list heading's own count: （共6个）, （12名）, 共12名; its measure word says the kind
# (名/人 people, 个 teams).
_LIST_COUNT_RE = re.compile(r"(?:[（(]\s*(?:共|计)?\s*(\d{1,5})\s*(名|个|人)\s*[)）]"
                            r"|(?:共|计)\s*(\d{1,5})\s*(名|个))")
_UNIT_KINDS = {"名": "individual", "人": "individual", "个": "team"}
_KIND_WORDS = {"individual": "名个人", "team": "个班组"}


def _whole_title(lines, i):
    """The title starting at lines[i], joined with the lines it wraps onto (a <br>
    inside the headline, a PDF line wrap) until it ends as a title does."""
    title = lines[i]
    for line in lines[i + 1:i + 4]:
        if _TITLE_END_RE.search(title) or _LABEL_LINE_RE.match(line) or len(line) > 80 \
                or line.startswith(("附件", "根据", "按照", "各", "为", "关于")) \
                or len(title) + len(line) > 160:
            break
        title = one_line(title + "\n" + line)
    return title if _TITLE_END_RE.search(title) else lines[i]


def find_title(lines, title_hint=None, strict=False):
    """The notice title among the first lines, or the page's <title>/<h1> hint.

    strict: only a notice's own title (关于…的通报/公示), never a list heading."""
    pattern = _NOTICE_TITLE_RE if strict else _TITLE_HINT_RE
    for line in lines[:40]:
        m = _TITLE_LABEL_RE.match(line)
        if m and "电信服务" in m.group("title"):
            return m.group("title").strip()
    for i, line in enumerate(lines[:40]):
        if line.startswith(("附件", "根据", "按照")) or _LABEL_LINE_RE.match(line) \
                or len(line) > 120 or _NOT_TITLE_START.match(line):
            continue
        title = _whole_title(lines, i)
        if "电信服务" in title and pattern.search(title):
            return title
    hint = " ".join((title_hint or "").split())
    if hint and pattern.search(hint) and "电信服务" in hint:
        return hint
    return None


_LOOSE_SPACE = re.compile(r"(?<=[\u4e00-\u9fff“”《》（）〔〕])\s+(?=[\d\u4e00-\u9fff“”《》（）〔〕])"
                         r"|(?<=\d)\s+(?=[\u4e00-\u9fff“”《》（）〔〕])")


def tight(text):
    """Text without the spaces PDF text extraction (or a typesetter) puts between
    Chinese characters and numbers (关于 2019-2020 年度 -> 关于2019-2020年度); spaces
    between Latin words stay."""
    return _LOOSE_SPACE.sub("", text) if text else text


def label_value(value):
    """A labelled value as far as the next label: "某局浏览量" -> "某局" (spans touch)."""
    value = value.strip()
    cut = len(value)
    for label in _NEXT_LABELS:
        at = value.find(label, 1)
        if 0 < at < cut:
            cut = at
    value = value[:cut].strip()
    return value.split()[0] if value.split() else None


def _signature(lines):
    """The issuing body's signature: an organisation alone on a line, best one that a
    date line follows (…通信管理局 / 2018年10月24日); and that date, if any."""
    for i in range(len(lines) - 1, -1, -1):
        if ORG_LINE_RE.match(lines[i]):
            for line in lines[i + 1:i + 3]:
                if SIGNATURE_DATE_RE.match(line):
                    return lines[i], parse_date(line)
    for line in reversed(lines[-15:]):
        if ORG_LINE_RE.match(line):
            return line, None
    return None, None


def find_publisher(head_lines, all_lines):
    """(publisher, department): the issuing body (发文机关, else the signature, else
    发布机构/来源, else the first administration the head names) and the posting
    department a 来源 line names when it is not the issuer (信息通信管理局)."""
    head = "\n".join(head_lines)
    m = _ISSUER_RE.search(head)
    issuer = label_value(m.group("value")) if m else None
    m = _SOURCE_RE.search(head)
    source = label_value(m.group("value")) if m else None
    signature = _signature(all_lines)[0]
    publisher = issuer or signature
    if not publisher and source and not _DEPARTMENT_RE.match(source):
        publisher = source
    if not publisher:
        m = _ORG_RE.search(head)
        publisher = m.group(0) if m else None
    department = source if source and source != publisher else None
    return publisher, department


def find_dates(head_lines, all_lines):
    """(published, signed) as ISO text: 发布日期 (or a plain 日期 label), and 成文日期
    or the date under the signature."""
    head = "\n".join(head_lines)
    published = signed = None
    for label in _PUBLISHED_LABELS:
        for m in label.finditer(head):
            published = parse_date(m.group("date"))
            if published:
                break
        if published:
            break
    for m in _SIGNED_LABEL.finditer(head):
        signed = parse_date(m.group("date"))
        if signed:
            break
    if not signed:
        signed = _signature(all_lines)[1]
        if not signed:
            dates = [parse_date(line) for line in all_lines if SIGNATURE_DATE_RE.match(line)]
            signed = dates[-1] if dates else None
    return published, signed


def find_doc_number(lines):
    """The notice's own document number: labelled (文号：…) or standing at the start of
    a line; a number quoted inside a sentence (…通知》（工信行建〔2018〕1号）) is not it."""
    for line in lines:
        m = _DOC_LABEL_RE.search(line)
        if m:
            return re.sub(r"\s+", "", m.group("number"))
    for line in lines:
        m = _DOC_NUMBER_RE.match(line)
        if m and not line[m.end():].lstrip().startswith(("）", ")", "，", ",", "。", "、", "要求")):
            return re.sub(r"\s+", "", m.group(0))
    return None


def stated_counts(lines):
    """What the notice says it lists: {"individual": 133, "team": 65}, where it says
    so; a count that names no kind (共12名) is {"any": 12}."""
    text = "\n".join(lines)
    out = {}
    m = _STATED_TEAMS_RE.search(text)
    if m:
        out["team"] = int(m.group(1) or m.group(2))
    m = _STATED_PEOPLE_RE.search(text)
    if m:
        out["individual"] = int(m.group(1) or m.group(2))
    else:
        m = _STATED_ANY_RE.search(text)
        if m:
            out["any"] = int(m.group(1))
    return out


def list_count(heading):
    """The count a list's heading states (…明星名单（共6名）), nearest line first:
    (count, kind its measure word names or None, whether it stands right above the
    list), or None."""
    for back, line in enumerate(reversed(heading)):
        m = _LIST_COUNT_RE.search(line)
        if m:
            unit = m.group(2) or m.group(4)
            return int(m.group(1) or m.group(3)), _UNIT_KINDS.get(unit), back == 0
    return None


def check_counts(stated, entries):
    """(mismatches, warnings): where the notice states a count that differs from what
    was read. A count that names its kind (等133名个人, 65个班组) is certain and a
    mismatch; a bare 共12名 counts people (名), and when it is neither the people nor
    everyone read, it may count something else: a warning, never a refusal."""
    mismatches, warnings = [], []
    people = sum(1 for e in entries if e["kind"] == "individual")
    for kind, number in stated.items():
        if kind == "any":
            if number not in (people, len(entries)):
                warnings.append(f"通知称共 {number} 名，读到 {people} 名个人、"
                                f"{len(entries) - people} 个班组；无法确定这个数字指哪份名单，请核对")
            continue
        found = sum(1 for e in entries if e["kind"] == kind)
        if found != number:
            mismatches.append(f"通知称共 {number} {_KIND_WORDS[kind]}，实际读到 {found} 条")
    return mismatches, warnings


def read_metadata(head_lines, all_lines, title_hint=None, strict_title=False):
    """Everything the text says of its notice; None where it says nothing."""
    title = tight(find_title(head_lines, title_hint, strict_title)
                  or find_title(all_lines, title_hint, strict_title))
    publisher, department = find_publisher(head_lines, all_lines)
    published, signed = find_dates(head_lines, all_lines)
    head = "\n".join(head_lines)
    cycle = parse_cycle(title) or parse_cycle(head)
    return {
        "title": title, "publisher": publisher, "published": published, "signed": signed,
        "stage": stage_of(title) if title else None, "cycle": cycle,
        "region": region_of(publisher) if publisher and "通信管理局" in publisher else None,
        "doc_number": find_doc_number(head_lines), "source_url": None,
        "department": department,
    }


#: Notice metadata as an admin reads it named.
LABELS = {"title": "标题", "publisher": "发文机关", "published": "发布日期", "cycle": "评选年度",
          "stage": "阶段（候选人公示或表彰）", "doc_number": "文号", "region": "地区",
          "source_url": "来源链接", "signed": "成文日期", "department": "发布部门"}


def check_value(key, value):
    """One metadata value as stored, or ParseError naming its flag."""
    value = " ".join(CONTROLS.sub("", str(value)).split())
    name = f"{LABELS[key]}（{FLAGS[key]}）"
    if key == "published":
        date = parse_date(value)
        if not date or not re.fullmatch(r"\d{4}\D\d{1,2}\D\d{1,2}\D?", value.replace(" ", "")):
            raise ParseError(f"{name}应为 YYYY-MM-DD 格式的日期，而不是“{value}”", field=key)
        return date
    if key == "cycle":
        cycle = parse_cycle(value if "年度" in value else value + "年度")
        if not cycle:
            raise ParseError(f"{name}应为评选年度，如 2021-2022，而不是“{value}”", field=key)
        return cycle
    if key == "stage":
        stage = {"candidates": "candidates", "候选人": "candidates", "公示": "candidates",
                 "候选人公示": "candidates", "honorees": "honorees", "获表彰": "honorees",
                 "表彰": "honorees", "表彰获奖": "honorees"}.get(value)
        if not stage:
            raise ParseError(f"{name}应为 candidates（候选人公示）或 honorees（表彰），"
                             f"而不是“{value}”", field=key)
        return stage
    if key == "region":
        region = region_of(value)
        if value and region not in PROVINCES:
            raise ParseError(f"{name}应为省级行政区（北京、广东……），而不是“{value}”", field=key)
        return region
    if key == "source_url":
        try:
            parts = urlsplit(value)
            ok = parts.scheme in ("http", "https") and bool(parts.netloc) and parts.hostname
        except ValueError:
            ok = False
        if not ok:
            raise ParseError(f"{name}应为 http(s) 网址，而不是“{value}”", field=key)
        return value
    if len(value) > 500:
        raise ParseError(f"{name}超过 500 个字符", field=key)
    return value or None


def complete(read, overrides=None):
    """(metadata, warnings): what was read, overridden by the admin's values; a
    notice that states only its signing date is taken as published on it, with a
    warning.

    Raises ParseError naming the flags for whatever is still missing."""
    meta = dict(read)
    warnings = []
    for key, value in (overrides or {}).items():
        if value not in (None, ""):
            meta[key] = check_value(key, value)
    if meta.get("title") and not meta.get("stage"):
        meta["stage"] = stage_of(meta["title"])
    if meta.get("title") and not meta.get("cycle"):
        meta["cycle"] = parse_cycle(meta["title"])
    if meta.get("publisher") and not meta.get("region") and "通信管理局" in meta["publisher"]:
        meta["region"] = region_of(meta["publisher"])
    if not meta.get("published") and meta.get("signed"):
        meta["published"] = meta["signed"]
        meta["published_guessed"] = True
        warnings.append(f"未注明发布日期，暂以成文日期 {meta['signed']} 作为发布日期"
                        "（可在通知信息中更正）")
    missing = [key for key in REQUIRED if not meta.get(key)]
    if missing:
        flags = [REQUIRED[k] for k in missing
                 if not ("title" in missing and k in ("cycle", "stage"))]
        derived = [REQUIRED[k] for k in missing if "title" in missing and k in ("cycle", "stage")]
        hint = f"（标题中没有时，还需 {'、'.join(derived)}）" if derived else ""
        error = ParseError("缺少通知信息：" + "、".join(LABELS[k] for k in missing)
                           + "；请用 " + " ".join(f"{flag} …" for flag in flags) + " 补充" + hint,
                           field=missing[0])
        error.missing = missing
        raise error
    out = {key: meta.get(key) for key in NOTICE_KEYS}
    return out, warnings


#: The metadata a parsed notice carries, as stored.
NOTICE_KEYS = ("title", "publisher", "published", "stage", "cycle", "region", "doc_number",
               "source_url", "signed", "department", "published_guessed")
