"""Domain values read out of notice text: dates, cycles, regions, operators."""

import json
import re
from functools import lru_cache
from pathlib import Path

from .errors import ParseError

#: Provincial-level divisions, short names as used in notices and facets.
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江",
    "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南",
    "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "内蒙古",
    "广西", "西藏", "宁夏", "新疆",
)

_CYCLE_RE = re.compile(r"((?:19|20)\d\d)\s*(?:年)?\s*[-—–－~～至到]\s*((?:19|20)\d\d)\s*年度")
_DOC_NUMBER_RE = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[【(（]\s*(?:19|20)\d\d\s*[〕\]】)）]\s*\d{1,4}\s*号"
)
_DATE_RE = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_cycle(text):
    """Return the award cycle ("2017-2018") named in text, or None."""
    m = _CYCLE_RE.search(text or "")
    if not m:
        return None
    start, end = int(m.group(1)), int(m.group(2))
    if not 0 < end - start <= 3:
        return None
    return f"{start}-{end}"


def parse_doc_number(text):
    """Return the first document number (工信行建[2018]1号) in text, as written."""
    m = _DOC_NUMBER_RE.search(text or "")
    return re.sub(r"\s+", "", m.group(0)) if m else None


def parse_date(text):
    """Return the first full date in text as ISO "YYYY-MM-DD", or None."""
    for m in _DATE_RE.finditer(text or ""):
        year, month, day = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def parse_birth(value):
    """Turn a birth date as written (1989.11.8, 1982年12月, 198212) into an ISO
    partial date ("1989-11-08", "1982-12", "1982"); raise ValueError if absurd."""
    value = (value or "").strip()
    if not value:
        return None
    digits = re.findall(r"\d+", value)
    if len(digits) == 1 and len(digits[0]) in (6, 8):
        d = digits[0]
        digits = [d[:4], d[4:6]] + ([d[6:]] if len(d) == 8 else [])
    if not digits or len(digits[0]) != 4:
        raise ValueError(f"unreadable birth date {value!r}")
    year = int(digits[0])
    if not 1900 <= year <= 2030:
        raise ValueError(f"birth year out of range in {value!r}")
    parts = [f"{year:04d}"]
    if len(digits) > 1:
        month = int(digits[1])
        if not 1 <= month <= 12:
            raise ValueError(f"birth month out of range in {value!r}")
        parts.append(f"{month:02d}")
    if len(digits) > 2:
        day = int(digits[2])
        if not 1 <= day <= 31:
            raise ValueError(f"birth day out of range in {value!r}")
        parts.append(f"{day:02d}")
    return "-".join(parts)


def parse_team_size(value):
    """Turn "91" or "91人" into 91; raise ValueError otherwise."""
    m = re.search(r"\d+", value or "")
    if not m:
        raise ValueError(f"team size is not a number: {value!r}")
    size = int(m.group(0))
    if not 0 < size < 100000:
        raise ValueError(f"team size out of range: {value!r}")
    return size


def region_of(*texts):
    """Return the province named first in the first text that names one."""
    for text in texts:
        if not text:
            continue
        found = [(text.find(p), p) for p in PROVINCES if p in text]
        if found:
            return min(found)[1]
    return None


def stage_of(title):
    """Classify a notice by its title: 'candidates' (公示/推荐) or 'honorees' (表彰)."""
    title = title or ""
    if re.search(r"公示|候选|推荐|拟", title):
        return "candidates"
    if re.search(r"表彰|通报|决定|命名|授予|获奖|荣誉", title):
        return "honorees"
    return None


def _merge(base, extra):
    for name, spec in extra.get("operators", {}).items():
        target = base["operators"].setdefault(name, {"match": [], "aliases": []})
        for key in ("match", "aliases"):
            for value in spec.get(key, []):
                if value not in target[key]:
                    target[key].append(value)
    return base


@lru_cache(maxsize=8)
def _load_aliases(extra_path):
    text = (Path(__file__).parent.parent / "data" / "aliases.json").read_text("utf-8")
    table = json.loads(text)
    if extra_path and Path(extra_path).is_file():
        try:
            table = _merge(table, json.loads(Path(extra_path).read_text("utf-8")))
        except (ValueError, AttributeError) as exc:
            raise ParseError(f"invalid alias file: {exc}", filename=str(extra_path)) from exc
    return table


def alias_table(extra_path=None):
    """The operator alias table: packaged data merged with an admin's file."""
    return _load_aliases(str(extra_path) if extra_path else None)


def operator_of(company, unit=None, aliases=None):
    """Derive the operator group (中国联通 …) from a company as written, or 其他."""
    table = aliases or alias_table()
    for text in (company, unit):
        if not text:
            continue
        best = None
        for operator, spec in table["operators"].items():
            for keyword in spec.get("match", []):
                pos = text.find(keyword)
                if pos >= 0 and (best is None or pos < best[0]):
                    best = (pos, operator)
        if best:
            return best[1]
    return table.get("other", "其他")
