"""The query language: a user's text parsed into clauses, and the limits of a request.

Plain words (all must match; if none match, any word, with ``relaxed`` set),
``"quoted phrases"``, ``-exclusion`` and the field prefixes ``name:``
``company:`` ``citation:`` ``cycle:`` ``kind:`` (and their Chinese forms 姓名
公司 事迹 年度 类别). Anything else is plain text; parsing never raises anything
but :class:`QueryError`.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from .schema import FILTERS

MAX_QUERY_CHARS = 200
MAX_PAGE = 1000
MAX_PER_PAGE = 100
SORTS = ("relevance", "newest")
PREFIXES = {"name": "name", "姓名": "name", "名称": "name", "company": "company",
            "公司": "company", "单位": "company", "citation": "citation", "事迹": "citation",
            "cycle": "cycle", "年度": "cycle",
            "kind": "kind", "类别": "kind"}
#: What a ``kind:`` clause may say, and the kind it means.
KINDS = {"individual": "individual", "person": "individual", "个人": "individual",
         "明星": "individual", "team": "team", "班组": "team", "集体": "team"}
_TOKEN_RE = re.compile(r'(?P<neg>-)?(?:(?P<prefix>[a-z\u4e00-\u9fff]{1,8})[:：])?'
                       r'(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))', re.IGNORECASE)
# Chinese keyboards: 「」『』“”‘’＂ quote a phrase; －—‐−– before a word exclude it.
_QUOTES = str.maketrans({ch: '"' for ch in "「」『』“”‘’＂"})
_MINUS_RE = re.compile(r"(^|\s)[－—‐−–](?=\S)")


class QueryError(ValueError):
    """The request cannot be searched; the message says why, in Chinese."""


@dataclass
class Clause:
    """One piece of a parsed query."""

    text: str
    field: str = None  # None (all fields), name, company, citation, cycle, kind
    phrase: bool = False
    negated: bool = False


@dataclass
class ParsedQuery:
    """A parsed query: its clauses and the plain text for whole-query matches."""

    clauses: list = field(default_factory=list)
    plain: str = ""


def clean(text):
    """Control, format, private-use and unassigned characters (and line or paragraph
    separators) replaced by spaces."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        out.append(" " if cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") else ch)
    return "".join(out)


def check_text(text):
    """text as a searchable string ('' for None); QueryError when it is not text or is
    longer than MAX_QUERY_CHARS."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise QueryError("查询必须是文本")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"查询过长：最多 {MAX_QUERY_CHARS} 个字符")
    return text


def parse(text):
    """Parse a user's query string into clauses; raise QueryError if absurd."""
    text = _MINUS_RE.sub(r"\1-", clean(check_text(text)).translate(_QUOTES))
    if text.count('"') % 2:
        # An unbalanced quote is taken literally: drop the last one.
        i = text.rfind('"')
        text = text[:i] + " " + text[i + 1:]
    parsed = ParsedQuery()
    plain = []
    for m in _TOKEN_RE.finditer(text):
        prefix = m.group("prefix")
        value = m.group("phrase") if m.group("phrase") is not None else m.group("word")
        target = PREFIXES.get(prefix.lower()) if prefix else None
        if prefix and not target:
            value = f"{prefix}:{value}"
        value = value.strip()
        if not value or value == "-":
            continue
        clause = Clause(value, target, m.group("phrase") is not None, bool(m.group("neg")))
        parsed.clauses.append(clause)
        if not clause.negated and target is None:
            plain.append(value)
    parsed.plain = " ".join(plain)
    return parsed


def check_filters(filters):
    """QueryError unless filters are {FILTERS name: a short string}."""
    for key, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if key not in FILTERS:
            raise QueryError(f"未知的筛选条件：{key}")
        if not isinstance(value, str) or len(value) > 64:
            raise QueryError(f"筛选条件 {key} 的值无效")


def check_paging(page, per_page, sort):
    """QueryError unless page, per_page and sort are within the limits."""
    if not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise QueryError(f"页码必须是 1 到 {MAX_PAGE} 之间的整数")
    if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError(f"每页条数必须是 1 到 {MAX_PER_PAGE} 之间的整数")
    if sort not in SORTS:
        raise QueryError("排序方式必须是 relevance 或 newest")
