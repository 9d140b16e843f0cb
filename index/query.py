"""Queries: parse the user's text, search a snapshot, facets and highlights.

The query language: plain words (all must match; if none match, any word,
with ``relaxed`` set), ``"quoted phrases"``, ``-exclusion`` and the field
prefixes ``name:`` ``company:`` ``cycle:`` ``kind:``. Anything else is
plain text; a query never raises anything but :class:`QueryError`.
"""

import html
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import TermNotFound
from whoosh import sorting

from .analysis import PAIR, analyze, normalize, pinyin_query, word_pairs
from .schema import FACETS, FIELD_BOOSTS, FILTERS, RESULT_FIELDS, TEXT_FIELDS

MAX_QUERY_CHARS = 200
MAX_PAGE = 1000
MAX_PER_PAGE = 100
SNIPPET_CHARS = 120
SORTS = ("relevance", "newest")
_PREFIXES = {"name": "name", "姓名": "name", "名称": "name", "company": "company",
             "公司": "company", "单位": "company", "cycle": "cycle", "年度": "cycle",
             "kind": "kind", "类别": "kind"}
_KINDS = {"individual": "individual", "person": "individual", "个人": "individual",
          "明星": "individual", "team": "team", "班组": "team", "集体": "team"}
_TOKEN_RE = re.compile(r'(?P<neg>-)?(?:(?P<prefix>[a-z\u4e00-\u9fff]{1,8})[:：])?'
                       r'(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))', re.IGNORECASE)
_SENTENCE_END = "。！？；!?;\n"


class QueryError(ValueError):
    """The request cannot be searched; the message says why, in Chinese."""


@dataclass
class Clause:
    """One piece of a parsed query."""

    text: str
    field: str = None  # None (all fields), name, company, cycle, kind
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
    text = _clean(text).replace("“", '"').replace("”", '"').replace("＂", '"')
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


class Searcher:
    """Builds Whoosh queries for one snapshot (its dictionary and aliases)."""

    def __init__(self, snapshot):
        self.snapshot = snapshot
        self.digest = snapshot.digest
        self.alias_of = {}
        for operator, names in snapshot.aliases.items():
            for name in names:
                self.alias_of[name] = operator
                self.alias_of[name.replace(" ", "")] = operator

    def _tokens(self, text):
        return analyze(text, self.digest, "query")

    def _text_match(self, text, fields, phrase=False):
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
            elif phrase or f == "name":
                phrases.append(Q.Phrase(f, tokens, boost=FIELD_BOOSTS[f] * 2))
        if phrase:
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
        fields = ("name",) if clause.field == "name" else TEXT_FIELDS
        parts = [self._text_match(text, fields, clause.phrase)] + self._name_match(text)
        parts = [p for p in parts if p is not None]
        return Q.Or(parts) if parts else None

    def build(self, parsed, relaxed=False):
        """The Whoosh query for a parsed query (strict AND, or relaxed OR)."""
        positive, negative = [], []
        for clause in parsed.clauses:
            q = self.clause_query(clause)
            if q is None:
                continue
            (negative if clause.negated else positive).append(q)
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


def _filters(filters):
    terms = []
    for key, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if key not in FILTERS:
            raise QueryError(f"未知的筛选条件：{key}")
        if not isinstance(value, str) or len(value) > 64:
            raise QueryError(f"筛选条件 {key} 的值无效")
        terms.append(Q.Term(key, value))
    return Q.And(terms) if terms else None


def _check_paging(page, per_page, sort):
    if not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise QueryError(f"页码必须是 1 到 {MAX_PAGE} 之间的整数")
    if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError(f"每页条数必须是 1 到 {MAX_PER_PAGE} 之间的整数")
    if sort not in SORTS:
        raise QueryError("排序方式必须是 relevance 或 newest")


class FacetTable:
    """Per searcher: each document's facet and filter values as integer codes,
    so counting a result set's facets is one numpy bincount per facet."""

    def __init__(self, searcher):
        reader = searcher.reader()
        self.live = np.zeros(reader.doc_count_all(), dtype=bool)
        self.live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        self.values, self.codes = {}, {}
        for name in FILTERS:
            column = list(reader.column_reader(name))
            values = sorted(set(column))
            index = {v: i for i, v in enumerate(values)}
            self.values[name] = values
            self.codes[name] = np.fromiter((index[v] for v in column), dtype=np.int32,
                                           count=len(column))

    @classmethod
    def of(cls, snapshot, searcher):
        """The table for this searcher, built once and kept on the snapshot."""
        cached = getattr(snapshot, "_facet_table", None)
        if cached is None or cached[0] is not searcher:
            cached = (searcher, cls(searcher))
            snapshot._facet_table = cached
        return cached[1]

    def restrict(self, docs, filters):
        """The documents of `docs` that pass every filter."""
        for name, value in filters.items():
            try:
                code = self.values[name].index(value)
            except ValueError:
                return docs[:0]
            docs = docs[self.codes[name][docs] == code]
        return docs

    def counts(self, docs):
        """{facet: [{"value", "count"}, …]} over the documents `docs`."""
        out = {}
        for name in FACETS:
            counts = np.bincount(self.codes[name][docs], minlength=len(self.values[name]))
            items = [{"value": v, "count": int(c)}
                     for v, c in zip(self.values[name], counts) if c and v]
            if name == "cycle":
                items.sort(key=lambda x: x["value"], reverse=True)
            else:
                items.sort(key=lambda x: (-x["count"], x["value"]))
            out[name] = items
        return out


_EMPTY = np.zeros(0, dtype=np.int64)


def _leaf_ids(matcher):
    """Every docnum of one segment's posting list, read block by block."""
    if not isinstance(matcher, W3LeafMatcher):
        return np.fromiter(matcher.all_ids(), dtype=np.int64)
    parts = []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        raw = matcher._data[0]
        if matcher._byteids:
            parts.append(np.frombuffer(bytes(raw), dtype=np.uint8).astype(np.int64))
        else:  # delta-encoded within each block
            parts.append(np.cumsum(np.asarray(raw, dtype=np.int64)))
        matcher._next_block()
    return np.concatenate(parts) if parts else _EMPTY


def _term_docs(searcher, fieldname, text):
    btext = searcher.schema[fieldname].to_bytes(text)
    parts = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if (fieldname, btext) in reader:
            parts.append(_leaf_ids(reader.postings(fieldname, btext)) + offset)
    return np.concatenate(parts) if parts else _EMPTY


def matching_docs(searcher, query, table):
    """Docnums (sorted, live) matching a query, as a numpy array.

    Term/And/Or/AndNot/Every are evaluated as set operations over whole
    posting lists; anything else (phrases, prefixes) through Whoosh.
    """
    def docs(q):
        if q is Q.NullQuery:
            return _EMPTY
        if isinstance(q, Q.Term):
            return _term_docs(searcher, q.fieldname, q.text)
        if isinstance(q, Q.Every):
            return np.flatnonzero(table.live)
        if isinstance(q, Q.AndNot):
            return np.setdiff1d(docs(q.a), docs(q.b), assume_unique=True)
        if isinstance(q, Q.And):
            parts = [docs(sub) for sub in q.subqueries]
            out = parts[0] if parts else _EMPTY
            for part in parts[1:]:
                out = np.intersect1d(out, part, assume_unique=True)
            return out
        if isinstance(q, Q.Or):
            parts = [docs(sub) for sub in q.subqueries]
            return np.unique(np.concatenate(parts)) if parts else _EMPTY
        return np.unique(np.fromiter(searcher.docs_for_query(q), dtype=np.int64))
    found = docs(query)
    return found[table.live[found]]


def _matching(searcher, query, filters, table):
    docs = matching_docs(searcher, query, table)
    return table.restrict(docs, {k: v for k, v in (filters or {}).items() if v})


def _execute(searcher, snapshot, text, filters, limit, sort, facets):
    """(top hits, the query run, facet counts, total, relaxed) for a user's query."""
    parsed = parse(text)
    flt = _filters(filters)
    builder = Searcher(snapshot)
    query = builder.build(parsed)
    table = FacetTable.of(snapshot, searcher)
    relaxed = False
    docs = _matching(searcher, query, filters, table)
    if not len(docs) and len([c for c in parsed.clauses if not c.negated]) > 1:
        loose = builder.build(parsed, relaxed=True)
        loose_docs = _matching(searcher, loose, filters, table)
        if len(loose_docs):
            query, docs, relaxed = loose, loose_docs, True
    results = _run(searcher, query, flt, limit, sort)
    return results, query, (table.counts(docs) if facets else None), len(docs), relaxed


def search(snapshot, text, filters=None, page=1, per_page=20, sort="relevance"):
    """Search a snapshot. Returns the API's result object (a dict).

    text: the user's query. filters: {cycle|operator|kind|region|stage: value}.
    sort: "relevance" or "newest" (cycle, newest first). Raises QueryError for
    absurd input; anything else is searched.
    """
    _check_paging(page, per_page, sort)
    with snapshot.lock:
        searcher = snapshot.searcher()
        results, query, facets, total, relaxed = _execute(searcher, snapshot, text, filters,
                                                   page * per_page, sort, facets=True)
        return _render(searcher, query, results, text or "", page, per_page, relaxed, total,
                       facets)


def matching_ids(snapshot, text, filters=None, sort="relevance", limit=10000):
    """Ids of every hit (up to `limit`) in result order, for exports; same query
    semantics as :func:`search`, relaxed fallback included."""
    _check_paging(1, 1, sort)
    with snapshot.lock:
        searcher = snapshot.searcher()
        results, _, _, _, _ = _execute(searcher, snapshot, text, filters, limit, sort,
                                       facets=False)
        return [hit["id"] for hit in results]


def _run(searcher, query, flt, limit, sort):
    sortedby = None
    if sort == "newest":
        sortedby = sorting.MultiFacet([sorting.FieldFacet("year", reverse=True),
                                       sorting.ScoreFacet()])
    return searcher.search(query, limit=limit, filter=flt, sortedby=sortedby)


def _render(searcher, query, results, text, page, per_page, relaxed, total, facets):
    start = (page - 1) * per_page
    page_hits = list(results[start:start + per_page])
    stored = [hit.fields() for hit in page_hits]
    spans = _page_spans(searcher, query, [h.docnum for h in page_hits],
                        [f.get("citation") or "" for f in stored])
    hits = []
    for hit, fields in zip(page_hits, stored):
        item = {k: fields.get(k) or None for k in RESULT_FIELDS}
        del item["stage"], item["notice_id"]
        score = hit.score
        if isinstance(score, tuple):  # sorted by (year, score): ScoreFacet keys are -score
            score = -score[-1]
        item["score"] = round(float(score or 0.0), 4)
        item["snippet"] = snippet(fields.get("citation") or "", spans[hit.docnum])
        hits.append(item)
    return {
        "query": text, "total": total, "page": page, "per_page": per_page,
        "relaxed": relaxed, "results": hits, "facets": facets,
    }


def _page_spans(searcher, query, docnums, texts):
    """{docnum: [(start, end)]} of the query's matches in each hit's citation.

    Citation terms come from the stored character offsets (one posting walk
    per term over the page's sorted docnums); name and phrase terms are
    found in the normalised text.
    """
    while isinstance(query, Q.AndNot):  # excluded words are not highlighted
        query = query.a
    out = {d: [] for d in docnums}
    words = set()
    citation_field = searcher.schema["citation"]
    for fieldname, term in set(query.iter_all_terms()):
        if fieldname == "citation":
            try:
                m = searcher.postings("citation", citation_field.to_bytes(term))
            except TermNotFound:
                continue
            for docnum in sorted(docnums):
                if not m.is_active():
                    break
                m.skip_to(docnum)
                if m.is_active() and m.id() == docnum:
                    out[docnum] += [(s, e) for _, s, e in m.value_as("characters")]
        elif fieldname in ("name", "name_sub", "citation_pairs"):
            words.add(str(term).replace(PAIR, ""))
    if words:
        for docnum, text in zip(docnums, texts):
            norm = normalize(text)
            for word in words:
                i = norm.find(word)
                while word and i >= 0:
                    out[docnum].append((i, i + len(word)))
                    i = norm.find(word, i + len(word))
    return {d: _merge(v) for d, v in out.items()}


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


def mark_words(text, query):
    """Mark where a query's words occur in a short text (a name, a title)."""
    try:
        parsed = parse(query)
    except QueryError:
        return html.escape(text or "")
    norm = normalize(text or "")
    spans = []
    for clause in parsed.clauses:
        word = "".join(normalize(clause.text).split())
        i = norm.find(word) if word and not clause.negated else -1
        while i >= 0:
            spans.append((i, i + len(word)))
            i = norm.find(word, i + len(word))
    return mark(text or "", _merge(spans))


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
