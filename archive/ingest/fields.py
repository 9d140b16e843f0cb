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


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0, "Ｏ": 0}
_CN_DATE_RE = re.compile(r"([〇○Ｏ零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
                         r"\s*([一二三四五六七八九十]{1,3})\s*日")


def _cn_number(text):
    """一 .. 三十一 as a number (十二 = 12, 二十 = 20, 二十八 = 28)."""
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def arabic_dates(text):
    """Dates written in Chinese numerals (二〇一一年三月十八日) in Arabic digits
    (2011年3月18日); the rest of the text as it is."""
    def arabic(m):
        year = "".join(str(_CN_DIGITS[c]) for c in m.group(1))
        return f"{year}年{_cn_number(m.group(2))}月{_cn_number(m.group(3))}日"
    return _CN_DATE_RE.sub(arabic, text or "")


def parse_date(text):
    """Return the first full date in text as ISO "YYYY-MM-DD", or None; dates in
    Chinese numerals (二〇一一年三月十八日) too."""
    for m in _DATE_RE.finditer(arabic_dates(text)):
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
        raise ValueError(f"出生年月“{value}”无法识别")
    year = int(digits[0])
    if not 1900 <= year <= 2030:
        raise ValueError(f"出生年月“{value}”的年份不合理")
    parts = [f"{year:04d}"]
    if len(digits) > 1:
        month = int(digits[1])
        if not 1 <= month <= 12:
            raise ValueError(f"出生年月“{value}”的月份不合理")
        parts.append(f"{month:02d}")
    if len(digits) > 2:
        day = int(digits[2])
        if not 1 <= day <= 31:
            raise ValueError(f"出生年月“{value}”的日期不合理")
        parts.append(f"{day:02d}")
    return "-".join(parts)


def parse_team_size(value):
    """Turn "91" or "91人" into 91; raise ValueError otherwise."""
    m = re.search(r"\d+", value or "")
    if not m:
        raise ValueError(f"班组人数“{value}”不是数字")
    size = int(m.group(0))
    if not 0 < size < 100000:
        raise ValueError(f"班组人数“{value}”不合理")
    return size


# A unit's name in parts, each ending where a company or office name ends:
# 中国移动通信集团 | 浙江有限公司 | 杭州分公司.
_UNIT_PART_RE = re.compile(r".*?(?:有限责任公司|股份有限公司|有限公司|分公司|支公司|子公司|公司|集团"
                           r"|分局|管理局|营业部|分中心)|.+$")
_BRANCH_END_RE = re.compile(r"(?:分公司|支公司|分局|营业部|分中心)$")
# What may follow a city's name for it to be the place (九江分公司, 杭州市…, 苏州移动),
# not part of a brand (阿里巴巴 is no 阿里地区).
_AFTER_CITY_RE = re.compile(r"^(?:市|地区|州|盟|区|县|分|支|营业|电信|移动|联通|铁塔|广电|$)")
# Leading brackets and an operator's short name (中国电信重庆…局: the place follows it).
_LEAD_RE = re.compile(r"^[\s（(“\"]*(?:中国)?(?:电信|移动|联通|铁塔|广电)?")


def _place(part):
    """The province a part of a unit's name is placed in, or None: a province at its
    start (北京三快…, 浙江有限公司), a city at its start followed by a place or branch
    word, or a place just before a branch word (…湖北分公司)."""
    part = _LEAD_RE.sub("", part)
    for province in PROVINCES:
        if part.startswith(province):
            return province
    for city, province in _cities().items():
        if part.startswith(city) and (_AFTER_CITY_RE.match(part[len(city):])
                                      or _BRANCH_END_RE.search(part)):
            return province
    m = re.search(r"([\u4e00-\u9fff]{2,4}?)(?:省|市|地区|自治区)?(?:分公司|支公司|分局|营业部|分中心)$",
                  part)
    if m:
        tail = m.group(1)
        for province in PROVINCES:
            if tail.endswith(province):
                return province
        for city, province in _cities().items():
            if tail.endswith(city):
                return province
    return None


def region_of(*texts):
    """The province the first text that names a place is placed in.

    A place counts only where a place stands in a name — at the start of a
    company or branch part, or just before 分公司 — never as a substring of a
    brand (阿里巴巴 is not 阿里地区), and a branch's place beats its parent's
    (北京达佳互联…有限公司武汉分公司 -> 湖北)."""
    for text in texts:
        if not text:
            continue
        parts = [m.group(0) for m in _UNIT_PART_RE.finditer(str(text)) if m.group(0)]
        for part in reversed(parts):
            place = _place(part)
            if place:
                return place
    return None


@lru_cache(maxsize=1)
def _cities():
    """{city: province} from data/cities.json."""
    table = json.loads((Path(__file__).parent.parent / "data" / "cities.json").read_text("utf-8"))
    return {city: province for province, cities in table.items() if not province.startswith("_")
            for city in cities}


# Spaces a notice puts inside a name for alignment ("陈 志强", "王　海").
_NAME_SPACES = re.compile(r"[\s\u00a0\u3000\u2000-\u200b\u202f\u205f\ufeff]+")
# The separator of minority names, in its many typed forms, as U+00B7.
_NAME_DOTS = re.compile(r"\s*[\u00b7\u2022\u2027\u2219\u22c5\u30fb\uff0e\uff65\u318d・•]\s*")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def clean_name(name):
    """A person's or team's name as stored: layout spaces dropped between Chinese
    characters ("陈 志强" -> 陈志强), the middle dot of minority names kept as "·"
    (阿依古丽·吐尔逊); names in Latin letters keep their single spaces."""
    if name is None:
        return None
    name = _NAME_DOTS.sub("\u00b7", str(name).strip())
    if _HAN.search(name):
        return re.sub(r"(?<=[^A-Za-z0-9]) +|  +| +(?=[^A-Za-z0-9])", "",
                      _NAME_SPACES.sub(" ", name))
    return _NAME_SPACES.sub(" ", name)


_COMPANY_END = re.compile(r"(?:有限责任公司|股份有限公司|有限公司|分公司|子公司|公司|集团|管理局|局)")


def company_prefix(name, whole=False):
    """The company a team or unit name starts with (中国电信股份有限公司九江分公司装维
    支撑向东班 -> 中国电信股份有限公司九江分公司), or None when it names none.

    whole: a name that is a company itself is its own prefix; otherwise
    something must follow the company (a team's own name)."""
    name = name or ""
    ends = [m.end() for m in _COMPANY_END.finditer(name)]
    for end in reversed(ends):
        if end >= 4 and (end < len(name) or whole):
            return name[:end]
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
            raise ParseError(f"别名文件无效：{exc}", filename=str(extra_path)) from exc
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
