"""Queries: parse the user's text, search a snapshot, facets and highlights.

The query language: plain words (all must match; if none match, any word,
with ``relaxed`` set), ``"quoted phrases"``, ``-exclusion`` and the field
prefixes ``name:`` ``company:`` ``citation:`` ``cycle:`` ``kind:`` (and their
Chinese forms 姓名 公司 事迹 年度 类别). Anything else is
plain text; a query never raises anything but :class:`QueryError`.
"""

import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from whoosh import query as Q

from .analysis import NAME_SUB_CHARS, PAIR, analyze, normalize, pinyin_query, word_pairs
from .ranking import DocTable, collapse, evaluate, top
from .schema import FACETS, FIELD_BOOSTS, FILTERS, PHRASE_FIELDS, RESULT_FIELDS, TEXT_FIELDS
from .suggest import Lexicon

MAX_QUERY_CHARS = 200
MAX_PAGE = 1000
MAX_PER_PAGE = 100
SNIPPET_CHARS = 120
SORTS = ("relevance", "newest")
#: A query with fewer results than this gets "did you mean" suggestions.
FEW = 3
REGION_BOOST = 4.0
_PREFIXES = {"name": "name", "姓名": "name", "名称": "name", "company": "company",
             "公司": "company", "单位": "company", "citation": "citation", "事迹": "citation",
             "cycle": "cycle", "年度": "cycle",
             "kind": "kind", "类别": "kind"}
_KINDS = {"individual": "individual", "person": "individual", "个人": "individual",
          "明星": "individual", "team": "team", "班组": "team", "集体": "team"}
_TOKEN_RE = re.compile(r'(?P<neg>-)?(?:(?P<prefix>[a-z\u4e00-\u9fff]{1,8})[:：])?'
                       r'(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))', re.IGNORECASE)
_SENTENCE_END = "。！？；!?;\n"
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


def _clean(text):
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        out.append(" " if cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") else ch)
    return "".join(out)


def parse(text):
    """Parse a user's query string into clauses; raise QueryError if absurd."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise QueryError("查询必须是文本")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"查询过长：最多 {MAX_QUERY_CHARS} 个字符")
    text = _MINUS_RE.sub(r"\1-", _clean(text).translate(_QUOTES))
    if text.count('"') % 2:
        # An unbalanced quote is taken literally: drop the last one.
        i = text.rfind('"')
        text = text[:i] + " " + text[i + 1:]
    parsed = ParsedQuery()
    plain = []
    for m in _TOKEN_RE.finditer(text):
        prefix = m.group("prefix")
        value = m.group("phrase") if m.group("phrase") is not None else m.group("word")
        target = _PREFIXES.get(prefix.lower()) if prefix else None
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


class QueryBuilder:
    """Builds Whoosh queries for one snapshot (its dictionary and aliases)."""

    def __init__(self, snapshot):
        self.snapshot = snapshot
        self.digest = snapshot.digest
        # Set by bind() for each search: the searcher's reader, its known-term cache
        # and the regions. Unbound, every word counts as indexed.
        self.reader, self.schema, self.known, self.regions = None, None, {}, {}
        self.alias_of = {}
        for operator, names in snapshot.aliases.items():
            for name in names:
                self.alias_of[name] = operator
                self.alias_of[name.replace(" ", "")] = operator

    @classmethod
    def of(cls, snapshot):
        """The builder of a snapshot, made once and kept on it."""
        builder = getattr(snapshot, "_query_builder", None)
        if builder is None:
            builder = snapshot._query_builder = cls(snapshot)
        return builder

    def _tokens(self, text):
        return analyze(text, self.digest, "query")

    def bind(self, searcher, table):
        """Use this searcher's terms (query words the index lacks fall back to the
        parts it holds) and the table's regions."""
        self.reader = searcher.reader()
        self.schema = searcher.schema
        known = getattr(table, "_known", None)  # per index generation, like the table
        if known is None:
            known = table._known = {}
        self.known = known
        regions = getattr(table, "_regions", None)
        if regions is None:
            regions = table._regions = {normalize(v): v for v in table.values["region"] if v}
        self.regions = regions
        return self

    def _known(self, word, fields):
        reader = self.reader
        if reader is None:
            return True
        key = (word, fields)
        found = self.known.get(key)
        if found is None:
            found = any((f, self.schema[f].to_bytes(word)) in reader for f in fields)
            if len(self.known) < 100_000:
                self.known[key] = found
        return found

    def _parts(self, word, fields):
        """The fewest indexed terms that spell `word` (广东电信 -> 广东, 电信), or None."""
        n = len(word)
        best = [None] * (n + 1)
        best[0] = []
        for end in range(1, n + 1):
            for start in range(end):
                if best[start] is None:
                    continue
                piece = word[start:end]
                if len(piece) == 1 and not _is_han(piece):
                    continue  # a lone letter or digit says nothing
                if (best[end] is None or len(best[start]) + 1 < len(best[end])) \
                        and self._known(piece, fields):
                    best[end] = best[start] + [piece]
        return best[n] if best[n] and len(best[n]) > 1 else None

    def _agree(self, text, fields):
        """The words of text, each unindexed one replaced by the indexed parts that
        spell it; None when every word is indexed (nothing to change)."""
        words, changed = [], False
        for word in self._tokens(text):
            # Latin words are pinyin or names of things: never spelled out letter by letter.
            parts = None if self._known(word, fields) or not any(map(_is_han, word)) \
                else self._parts(word, fields)
            changed |= parts is not None
            words.extend(parts or [word])
        return words if changed else None

    def _text_match(self, text, fields, phrase=False, spread=True):
        """Where text occurs in fields: as a term, or its words as a phrase (citation
        pairs, the short fields' phrase twins) or, unless spread is False, anywhere."""
        tokens = self._tokens(text)
        if not tokens:
            return None
        if len(tokens) == 1:
            return Q.Or([Q.Term(f, tokens[0], boost=FIELD_BOOSTS[f]) for f in fields])
        # Adjacent words: pair terms in the citation, positions in short fields.
        phrases = []
        for f in fields:
            if f == "citation":
                phrases.append(Q.And([Q.Term("citation_pairs", pair, boost=2.0)
                                      for pair in word_pairs(tokens)]))
            elif phrase or (f == "name" and len("".join(tokens)) > NAME_SUB_CHARS):
                # (A name up to NAME_SUB_CHARS long is matched whole by name_sub.)
                phrases.append(Q.Phrase(PHRASE_FIELDS[f], tokens, boost=FIELD_BOOSTS[f] * 2))
        if phrase or not spread:
            return Q.Or(phrases)
        spread = Q.And([Q.Or([Q.Term(f, t, boost=FIELD_BOOSTS[f]) for f in fields])
                        for t in tokens])
        return Q.Or(phrases + [spread])

    def _operator(self, text):
        key = normalize(text).strip()
        return self.alias_of.get(key) or self.alias_of.get(key.replace(" ", ""))

    def _name_match(self, text):
        parts = []
        compact = "".join(normalize(text).split())
        if compact:
            parts.append(Q.Term("name_sub", compact, boost=FIELD_BOOSTS["name_sub"]))
        letters = pinyin_query(text)
        if letters:
            parts.append(Q.Term("pinyin", letters, boost=FIELD_BOOSTS["pinyin"]))
        return parts

    def clause_query(self, clause):
        """The Whoosh query of one clause (None when it has nothing to search)."""
        text = clause.text
        if clause.field == "cycle":
            years = re.findall(r"(?:19|20)\d\d", text)
            if not years:
                return Q.NullQuery
            if len(years) >= 2:
                return Q.Term("cycle", f"{years[0]}-{years[1]}")
            return Q.Or([Q.Term("year", int(years[0])), Q.Prefix("cycle", years[0])])
        if clause.field == "kind":
            kind = _KINDS.get(normalize(text))
            return Q.Term("kind", kind) if kind else Q.NullQuery
        operator = self._operator(text)
        if clause.field == "company" or (operator and clause.field is None):
            parts = [self._text_match(text, ("org",), clause.phrase)]
            if operator:
                parts.append(Q.Term("operator", operator, boost=10.0))
            parts = [p for p in parts if p is not None]
            return Q.Or(parts) if parts else None
        if clause.field == "citation":
            return self._text_match(text, ("citation",), clause.phrase)
        fields = ("name",) if clause.field == "name" else TEXT_FIELDS
        if not clause.phrase and clause.field is None:
            words = self._agree(text, fields + ("name_sub",))
            if words:  # each part as its own word: 广东电信 -> 广东 (region) and 电信 (operator)
                subs = [self.clause_query(Clause(w)) for w in words]
                return Q.And([q for q in subs if q is not None])
        # Part of a name that jieba cuts into single characters (明霞 of 陈明霞): the
        # name part matches it whole; its characters scattered over the fields (李霞明,
        # or 明 in the name and 霞 in the citation) would only add noise.
        compact = "".join(normalize(text).split())
        spread = not (
            2 <= len(compact) <= NAME_SUB_CHARS and all(map(_is_han, compact))
            and all(len(t) == 1 for t in self._tokens(text))
            and self._known(compact, ("name_sub",)))
        parts = [self._text_match(text, fields, clause.phrase, spread)] + self._name_match(text)
        region = self.regions.get(normalize(text).strip()) if clause.field is None else None
        if region:
            parts.append(Q.Term("region", region, boost=REGION_BOOST))
        parts = [p for p in parts if p is not None]
        return Q.Or(parts) if parts else None

    def positive(self, parsed):
        """The queries of the clauses that must (or, relaxed, may) match."""
        queries = [self.clause_query(c) for c in parsed.clauses if not c.negated]
        return [q for q in queries if q is not None]

    def build(self, parsed, relaxed=False):
        """The Whoosh query for a parsed query (strict AND, or relaxed OR)."""
        positive = self.positive(parsed)
        negative = [q for q in (self.clause_query(c) for c in parsed.clauses if c.negated)
                    if q is not None]
        if positive:
            main = (Q.Or if relaxed else Q.And)(positive)
            whole = []
            if len(parsed.plain.split()) > 1:
                operator = self._operator(parsed.plain)
                if operator:
                    whole.append(Q.Term("operator", operator, boost=10.0))
                letters = pinyin_query(parsed.plain)
                if letters:
                    whole.append(Q.Term("pinyin", letters, boost=FIELD_BOOSTS["pinyin"]))
            if whole:
                main = Q.Or([main] + whole)
        elif any(not c.negated for c in parsed.clauses):
            return Q.NullQuery  # words with nothing searchable in them ("*", "!!")
        else:
            main = Q.Every()
        if negative:
            main = Q.AndNot(main, Q.Or(negative))
        return main


def _check_filters(filters):
    for key, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if key not in FILTERS:
            raise QueryError(f"未知的筛选条件：{key}")
        if not isinstance(value, str) or len(value) > 64:
            raise QueryError(f"筛选条件 {key} 的值无效")


def _check_paging(page, per_page, sort):
    if not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise QueryError(f"页码必须是 1 到 {MAX_PAGE} 之间的整数")
    if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError(f"每页条数必须是 1 到 {MAX_PER_PAGE} 之间的整数")
    if sort not in SORTS:
        raise QueryError("排序方式必须是 relevance 或 newest")


class Matches(NamedTuple):
    """What a query matched: the top hits, the query run, facet counts, how many
    people (total) and entries matched, and whether it was relaxed."""

    hits: list  # (docnum, score), best first
    query: object
    facets: dict
    total: int
    entries: int
    relaxed: bool
    parsed: ParsedQuery


def _execute(searcher, snapshot, text, filters, limit, sort, facets, group=True):
    """The Matches of a user's query. group: one hit per person (facets and
    entries still count every matching entry)."""
    parsed = parse(text)
    _check_filters(filters)
    table = DocTable.of(snapshot, searcher)
    builder = QueryBuilder.of(snapshot).bind(searcher, table)
    keep = table.mask(filters or {})

    def run(query):
        ids, scores = evaluate(searcher, table, query)
        passing = keep[ids]
        return ids[passing], scores[passing]

    query = builder.build(parsed)
    ids, scores = run(query)
    relaxed, matched = False, None
    if not len(ids) and len([c for c in parsed.clauses if not c.negated]) > 1:
        loose = builder.build(parsed, relaxed=True)
        loose_ids, loose_scores = run(loose)
        if len(loose_ids):
            query, ids, scores, relaxed = loose, loose_ids, loose_scores, True
            # Documents that match more of the words rank first.
            matched = np.zeros(len(ids), dtype=np.int64)
            for clause in builder.positive(parsed):
                matched += np.isin(ids, run(clause)[0], assume_unique=True)
    counts = table.counts(ids, FACETS) if facets else None
    entries = len(ids)
    if group:  # one hit per person: their best-scoring entry
        ids, scores, matched = collapse(table, ids, scores, matched)
    best = top(table, ids, scores, limit, sort, matched)
    return Matches(list(zip(ids[best].tolist(), scores[best].tolist())), query, counts,
                   len(ids), entries, relaxed, parsed)


def search(snapshot, text, filters=None, page=1, per_page=20, sort="relevance"):
    """Search a snapshot. Returns the API's result object (a dict); each person
    appears once (their best entry; `person` is their key): total counts people,
    entries the matching entries.

    text: the user's query. filters: {cycle|operator|kind|region|stage: value}.
    sort: "relevance" or "newest" (cycle, newest first). Raises QueryError for
    absurd input; anything else is searched.
    """
    _check_paging(page, per_page, sort)
    with snapshot.lock:
        searcher = snapshot.searcher()
        matches = _execute(searcher, snapshot, text, filters, page * per_page, sort,
                           facets=True)
        table = DocTable.of(snapshot, searcher)
        result = _render(searcher, table, matches, text or "", page, per_page,
                         snapshot.aliases)
        result["suggestions"] = []
        if _wants_suggestions(matches, result["results"]):
            result["suggestions"] = Lexicon.of(table, snapshot.aliases).correct(text or "")
        return result


#: A query of this many Han characters or fewer may be a mistyped name.
NAME_CHARS = 4
#: ... and gets suggestions while it finds fewer entries than this, none of them that name.
FEW_FOR_A_NAME = 20


def _wants_suggestions(matches, hits):
    """Whether "did you mean" is worth computing: the query found nothing, or was
    relaxed, or found little and nothing by name, or looks like a name (a few Han
    characters) that no hit's name contains (刘旭名 finding four citations that use
    those characters, but not 刘旭明)."""
    if not matches.total or matches.relaxed:
        return bool(matches.parsed.clauses)
    if matches.total < FEW and not any("<mark>" in hit["name_html"] for hit in hits):
        return True
    clauses = [c for c in matches.parsed.clauses if not c.negated]
    if len(clauses) != 1 or clauses[0].field not in (None, "name"):
        return False
    typed = "".join(normalize(clauses[0].text).split())
    return (matches.total < FEW_FOR_A_NAME and 2 <= len(typed) <= NAME_CHARS
            and all(map(_is_han, typed))
            and not any(typed in normalize(hit["name"] or "") for hit in hits))


def complete(snapshot, prefix, limit=8):
    """Search as you type: up to `limit` names, teams, companies or operators that
    start with prefix ([{"text", "kind"}]); raises QueryError for absurd input."""
    if prefix is not None and not isinstance(prefix, str):
        raise QueryError("查询必须是文本")
    if len(prefix or "") > MAX_QUERY_CHARS:
        raise QueryError(f"查询过长：最多 {MAX_QUERY_CHARS} 个字符")
    prefix = _clean(prefix or "").strip()
    if not prefix:
        return []
    with snapshot.lock:
        table = DocTable.of(snapshot, snapshot.searcher())
        return Lexicon.of(table, snapshot.aliases).complete(prefix, limit)


def matching_ids(snapshot, text, filters=None, sort="relevance", limit=10000):
    """Ids of every hit (up to `limit`) in result order, for exports; same query
    semantics as :func:`search`, relaxed fallback included, but every entry of a
    person (not one per person)."""
    _check_paging(1, 1, sort)
    with snapshot.lock:
        searcher = snapshot.searcher()
        matches = _execute(searcher, snapshot, text, filters, limit, sort, facets=False,
                           group=False)
        return [searcher.stored_fields(docnum)["id"] for docnum, _ in matches.hits]


def _render(searcher, table, matches, text, page, per_page, aliases):
    start = (page - 1) * per_page
    page_hits = matches.hits[start:start + per_page]
    stored = [searcher.stored_fields(docnum) for docnum, _ in page_hits]
    citations = table.citations([docnum for docnum, _ in page_hits])
    words, letters = _name_words(matches.parsed)
    names = {}
    for (docnum, _), fields in zip(page_hits, stored):
        names[docnum] = _name_spans(fields.get("name") or "", fields.get("sound") or "",
                                    words, letters)
    # A name found by its pinyin is marked where the citation names it too.
    extra = {d: {normalize(fields.get("name") or "")[s:e] for s, e in names[d]} - {""}
             for (d, _), fields in zip(page_hits, stored)}
    spans = _page_spans(matches.query, [d for d, _ in page_hits],
                        [(c, f.get("plain")) for c, f in zip(citations, stored)], aliases,
                        {d: {w for w in ws if len(w) > 1} for d, ws in extra.items()})
    hits = []
    for (docnum, score), fields, citation in zip(page_hits, stored, citations):
        item = {k: fields.get(k) or None for k in RESULT_FIELDS}
        del item["notice_id"]
        item["name_html"] = mark(fields.get("name") or "", names[docnum])
        item["score"] = round(float(score), 4)
        item["snippet"] = snippet(citation, spans[docnum])
        hits.append(item)
    return {
        "query": text, "total": matches.total, "entries": matches.entries, "page": page,
        "per_page": per_page, "relaxed": matches.relaxed, "results": hits,
        "facets": matches.facets,
    }


def _name_words(parsed):
    """What to look for in a hit's name: the query's words (normalised, spaces
    dropped) and the pinyin letters of each word and of all of them together."""
    texts = [c.text for c in parsed.clauses if not c.negated and c.field in (None, "name")]
    words = {"".join(normalize(t).split()) for t in texts} - {""}
    letters = {pinyin_query(t) for t in texts + [" ".join(texts)]} - {None, ""}
    return words, letters


def _name_spans(name, sound, words, letters):
    """Spans of a name to mark: where the query's words occur in it (traditional
    or simplified, whole or partial), and the characters whose pinyin or pinyin
    initials the query spelled (liyuzhu, lyz, yuzhu, li)."""
    spans = _find_words(normalize(name), words)
    syllables = sound.split()
    if letters and len(syllables) == len(name):
        for wanted in letters:
            run = _syllable_run(syllables, wanted)
            if run:
                spans.append(run)
    return _merge(spans)


def _syllable_run(syllables, wanted):
    """The longest (start, end) run of syllables spelling `wanted` in full or, for
    two or more, by initials; the first such run."""
    n = len(syllables)
    for size in range(n, 0, -1):
        for i in range(n - size + 1):
            run = syllables[i:i + size]
            if "-" in run:
                continue
            if "".join(run) == wanted or (size > 1 and "".join(s[0] for s in run) == wanted):
                return (i, i + size)
    return None


def _page_spans(query, docnums, texts, aliases=None, extra=None):
    """{docnum: [(start, end)]}: where the query's words occur in each hit's
    citation (normalised, so 聯通 in the text is found for 联通). An operator the
    query names (联通, China Unicom) marks every alias of it (联通, 中国联通 …).
    texts: (citation, plain) pairs (see the schema's plain field).
    extra: {docnum: more words to mark in that hit}."""
    while isinstance(query, Q.AndNot):  # excluded words are not highlighted
        query = query.a
    words = set()
    for fieldname, term in query.iter_all_terms():
        if fieldname in ("citation", "citation_pairs", "name", PHRASE_FIELDS["name"],
                         "name_sub"):
            words.add(str(term).replace(PAIR, ""))
        elif fieldname == "operator":
            words |= {normalize(a) for a in (aliases or {}).get(term, []) if a.strip()}
    extra = extra or {}
    out = {}
    for docnum, (text, plain) in zip(docnums, texts):
        wanted = words | extra.get(docnum, set())
        if plain and all(_is_han(ch) for word in wanted for ch in word):
            searchable = text  # Han words: width and case cannot matter, nor conversion
        elif plain and not _FULL_WIDTH_WORD.search(text):
            # Full-width punctuation (，。) never occurs in a word: only case matters.
            searchable = text.lower()
        else:
            searchable = normalize(text, simplified=bool(plain))
        out[docnum] = _find_words(searchable, wanted)
    return out


#: Full-width letters, digits and the ideographic space: what folding to half-width
#: changes that a searched word (letters, digits, an alias with a space) can contain.
_FULL_WIDTH_WORD = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]")


def _is_han(ch):
    return "\u4e00" <= ch <= "\u9fff"


def _find_words(norm, words):
    """Merged (start, end) spans of every occurrence of `words` in normalised text."""
    spans = []
    for word in words:
        i = norm.find(word) if word else -1
        while i >= 0:
            spans.append((i, i + len(word)))
            i = norm.find(word, i + len(word))
    return _merge(spans)


def _merge(spans):
    merged = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def mark(text, spans):
    """HTML-escape text, wrapping each (start, end) span in <mark>."""
    out, last = [], 0
    for s, e in spans:
        out.append(html.escape(text[last:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        last = e
    out.append(html.escape(text[last:]))
    return "".join(out)


def snippet(text, spans, width=SNIPPET_CHARS):
    """A passage of the citation around the densest matches, escaped, matches marked."""
    if not text:
        return ""
    if not spans:
        start, end = 0, min(len(text), width)
    else:
        best, best_count, j = 0, 0, 0
        for i, (s, _) in enumerate(spans):
            while spans[j][0] < s - width // 2:
                j += 1
            if i - j + 1 > best_count:
                best, best_count = j, i - j + 1
        first = spans[best][0]
        start = max(0, first - width // 4)
        for k in range(first - 1, max(0, first - width // 3) - 1, -1):
            if text[k] in _SENTENCE_END:
                start = k + 1
                break
        end = min(len(text), start + width)
    inner = [(max(s, start), min(e, end)) for s, e in spans if e > start and s < end]
    body = mark(text[start:end], [(s - start, e - start) for s, e in inner])
    body = body.replace("\n", " ")
    return ("…" if start > 0 else "") + body.strip() + ("…" if end < len(text) else "")
