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
from .tables import CONTROLS

#: Notice metadata an import needs, with the CLI flag that supplies each.
REQUIRED = {"title": "--title", "publisher": "--publisher", "published": "--published",
            "cycle": "--cycle", "stage": "--stage"}
#: Every metadata key an admin may supply, with its flag.
FLAGS = {**REQUIRED, "doc_number": "--doc-number", "region": "--region",
         "source_url": "--source-url"}

_TITLE_HINT_RE = re.compile(r"公示|名单|表彰|通报|决定|通知|公告")
# A list heading (…明星名单) is an attachment's title, not the notice's.
_NOTICE_TITLE_RE = re.compile(r"关于|公示|表彰|通报|决定|通知|公告")
_LABEL_LINE_RE = re.compile(r"^[\u4e00-\u9fff ]{1,8}[:：]")
_TITLE_LABEL_RE = re.compile(r"^(?:标\s*题|文件名称|名\s*称)\s*[:：]\s*(?P<title>.+)$")
# The issuing body (发文机关) before the page's source line (来源 may name a department).
_SOURCE_RES = (
    re.compile(r"(?:发文机关|发布机构|发文单位)\s*[:：]\s*(?P<publisher>[^\s:：]+)"),
    re.compile(r"(?:来源|信息来源|发布单位)\s*[:：]\s*(?P<publisher>[^\s:：]+)"),
)
_ORG = r"[\u4e00-\u9fff]{2,16}(?:通信管理局|信息化部|办公厅)"
_ORG_LINE_RE = re.compile(rf"^(?:{_ORG}|工业和信息化部)$")
_ORG_RE = re.compile(r"[\u4e00-\u9fff]{2,12}通信管理局|工业和信息化部")
# Date labels in order of trust: the publication date first, the signing date last.
_DATE_LABELS = (
    re.compile(r"(?:发布日期|发布时间|发文日期|印发日期)\s*[:：]\s*(?P<date>[\d\-/.年月日 ]{8,20})"),
    re.compile(r"(?<!公示)(?<!成文)(?:日期|时间)\s*[:：]\s*(?P<date>[\d\-/.年月日 ]{8,20})"),
    re.compile(r"(?:成文日期|签发日期)\s*[:：]\s*(?P<date>[\d\-/.年月日 ]{8,20})"),
)
SIGNATURE_DATE_RE = re.compile(r"^(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_DOC_NUMBER = r"[\u4e00-\u9fff]{1,12}\s*[〔\[【(（]\s*(?:19|20)\d\d\s*[〕\]】)）]\s*\d{1,4}\s*号"
_DOC_NUMBER_RE = re.compile(_DOC_NUMBER)
_DOC_LABEL_RE = re.compile(rf"(?:文\s*号|发文字号|发文号|文件编号)\s*[:：]\s*(?P<number>{_DOC_NUMBER})")
# 等133名个人, 共12名, 共推荐候选人12名; 65个班组, 共有8个先进班组.
_STATED_PEOPLE_RE = re.compile(r"(?:等|共|计)[\u4e00-\u9fff]{0,6}?\s*(\d{1,5})\s*名")
_STATED_TEAMS_RE = re.compile(r"(\d{1,5})\s*个(?:先进)?(?:班组|集体)")


def find_title(lines, title_hint=None, strict=False):
    """The notice title among the first lines, or the page's <title>/<h1> hint.

    strict: only a notice's own title (关于…的通报/公示), never a list heading."""
    pattern = _NOTICE_TITLE_RE if strict else _TITLE_HINT_RE
    for line in lines[:40]:
        m = _TITLE_LABEL_RE.match(line)
        if m and "电信服务" in m.group("title"):
            return m.group("title").strip()
    for line in lines[:40]:
        if "电信服务" in line and pattern.search(line) and not _LABEL_LINE_RE.match(line) \
                and not line.startswith(("附件", "根据", "按照")) and len(line) <= 120:
            return line
    if title_hint and pattern.search(title_hint) and "电信服务" in title_hint:
        return title_hint
    return None


def find_publisher(head_lines, all_lines):
    """The publisher: a source label, else the signature, else the first ministry or
    administration the head names."""
    head = "\n".join(head_lines)
    for label in _SOURCE_RES:
        m = label.search(head)
        if m:
            return m.group("publisher")
    for line in reversed(all_lines[-15:]):
        if _ORG_LINE_RE.match(line):
            return line
    m = _ORG_RE.search(head)
    return m.group(0) if m else None


def find_published(head_lines, all_lines):
    """The publication date as ISO text: labelled dates by trust, else the signature date."""
    head = "\n".join(head_lines)
    for label in _DATE_LABELS:
        for m in label.finditer(head):
            date = parse_date(m.group("date"))
            if date:
                return date
    dates = [parse_date(line) for line in all_lines if SIGNATURE_DATE_RE.match(line)]
    return dates[-1] if dates else None


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
    """What the notice says it lists: {"individual": 133, "team": 65}, where it says so."""
    text = "\n".join(lines)
    out = {}
    m = _STATED_TEAMS_RE.search(text)
    if m:
        out["team"] = int(m.group(1))
    m = _STATED_PEOPLE_RE.search(text)
    if m:
        out["individual"] = int(m.group(1))
    return out


def read_metadata(head_lines, all_lines, title_hint=None, strict_title=False):
    """Everything the text says of its notice; None where it says nothing."""
    title = find_title(head_lines, title_hint, strict_title) \
        or find_title(all_lines, title_hint, strict_title)
    publisher = find_publisher(head_lines, all_lines)
    head = "\n".join(head_lines)
    cycle = parse_cycle(title) or parse_cycle(head)
    return {
        "title": title, "publisher": publisher,
        "published": find_published(head_lines, all_lines),
        "stage": stage_of(title) if title else None, "cycle": cycle,
        "region": region_of(publisher) if publisher and "通信管理局" in publisher else None,
        "doc_number": find_doc_number(head_lines), "source_url": None,
    }


def check_value(key, value):
    """One metadata value as stored, or ParseError naming its flag."""
    value = " ".join(CONTROLS.sub("", str(value)).split())
    flag = FLAGS[key]
    if key == "published":
        date = parse_date(value)
        if not date or not re.fullmatch(r"\d{4}\D\d{1,2}\D\d{1,2}\D?", value.replace(" ", "")):
            raise ParseError(f"{flag} must be a date YYYY-MM-DD, not {value!r}", field=key)
        return date
    if key == "cycle":
        cycle = parse_cycle(value if "年度" in value else value + "年度")
        if not cycle:
            raise ParseError(f"{flag} must be an award cycle such as 2021-2022, not {value!r}",
                             field=key)
        return cycle
    if key == "stage":
        stage = {"candidates": "candidates", "候选人": "candidates", "公示": "candidates",
                 "honorees": "honorees", "获表彰": "honorees", "表彰": "honorees"}.get(value)
        if not stage:
            raise ParseError(f"{flag} must be candidates or honorees, not {value!r}", field=key)
        return stage
    if key == "region":
        region = region_of(value)
        if value and region not in PROVINCES:
            raise ParseError(f"{flag} must name a province (北京, 广东 …), not {value!r}",
                             field=key)
        return region
    if key == "source_url":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ParseError(f"{flag} must be an http(s) address, not {value!r}", field=key)
        return value
    if len(value) > 500:
        raise ParseError(f"{flag} is longer than 500 characters", field=key)
    return value or None


def complete(read, overrides=None):
    """The notice's metadata: what was read, overridden by the admin's values.

    Raises ParseError naming the flags for whatever is still missing."""
    meta = dict(read)
    for key, value in (overrides or {}).items():
        if value not in (None, ""):
            meta[key] = check_value(key, value)
    if meta.get("title") and not meta.get("stage"):
        meta["stage"] = stage_of(meta["title"])
    if meta.get("title") and not meta.get("cycle"):
        meta["cycle"] = parse_cycle(meta["title"])
    if meta.get("publisher") and not meta.get("region") and "通信管理局" in meta["publisher"]:
        meta["region"] = region_of(meta["publisher"])
    missing = [key for key in REQUIRED if not meta.get(key)]
    if missing:
        names = {"title": "title", "publisher": "publisher", "published": "publication date",
                 "cycle": "award cycle", "stage": "stage (candidates or honorees)"}
        flags = [REQUIRED[k] for k in missing
                 if not ("title" in missing and k in ("cycle", "stage"))]
        derived = [REQUIRED[k] for k in missing if "title" in missing and k in ("cycle", "stage")]
        hint = f" ({' and '.join(derived)} too, unless the title names them)" if derived else ""
        error = ParseError("notice metadata missing: " + ", ".join(names[k] for k in missing)
                           + "; give " + " ".join(f"{flag} …" for flag in flags) + hint,
                           field=missing[0])
        error.missing = missing
        raise error
    for key in FLAGS:
        meta.setdefault(key, None)
    return {key: meta[key] for key in ("title", "publisher", "published", "stage", "cycle",
                                       "region", "doc_number", "source_url")}
