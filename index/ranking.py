"""Matching and BM25F ranking over whole posting lists, with numpy.

Whoosh scores one document at a time in Python; a word found in most of
100,000 citations then costs seconds. Here a query tree (Term, And, Or,
AndNot, Every; phrases and prefixes through Whoosh) is evaluated as set
operations on arrays of docnums, each term scored with BM25F from its
posting weights and the field lengths, so facets, totals and the top hits
come from one pass over the postings.
"""

import math
import threading

import numpy as np
from whoosh import query as Q
from whoosh.util.numeric import byte_to_length

from . import internals
from .schema import CITATION_TEXT, COLUMNS, FILTERS, GROUP, unpack_citation

EAGER_COLUMNS = FILTERS + (GROUP,)

B, K1 = 0.75, 1.2
EMPTY = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0, dtype=np.float64)
_LENGTH_OF_BYTE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)


class _Columns(dict):
    """{column name: values or codes}, a column read on first access."""

    def __init__(self, load):
        super().__init__()
        self._load_column = load

    def __missing__(self, name):
        self._load_column(name)
        return dict.__getitem__(self, name)


class DocTable:
    """Per committed index state: which docnums are live, each document's facet codes
    and year, and the field lengths BM25F needs. Per-segment parts are cached by
    segment (`cache`, handed from one generation to the next), so an incremental update
    reads only its new segment.

    The table reads columns and citations through the searcher it was built on, one
    thread at a time (``lock``: whoever else uses that searcher holds it too)."""

    def __init__(self, searcher, cache, lock=None):
        self._files = lock or threading.Lock()
        #: Memory maps of the segments' terms files (internals.lookup), shared by
        #: every searcher of this state.
        self.term_maps = {}
        self._readers = [leaf.reader() for leaf, _ in searcher.leaf_searchers()]
        self._offsets = np.array([offset for _, offset in searcher.leaf_searchers()],
                                 dtype=np.int64)
        self._texts = {}  # segment -> its citation column reader (this searcher's files)
        parts = [self._leaf(reader, cache) for reader in self._readers]
        self._parts = parts
        self.n = searcher.doc_count_all()
        self.live = np.ones(self.n, dtype=bool)
        offset = 0
        for (leaf, _), part in zip(searcher.leaf_searchers(), parts):
            reader = leaf.reader()
            if reader.has_deletions():
                mask = np.zeros(part["count"], dtype=bool)
                mask[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
                self.live[offset:offset + part["count"]] = mask
            offset += part["count"]
        # Filter and group columns now; the others on first use (they cost a second
        # at 100,000 documents and most searches never need them).
        self.values, self.codes = _Columns(self._load), _Columns(self._load)
        for name in EAGER_COLUMNS:
            self._load(name)
        years = np.array([int(v[-4:]) if v[-4:].isdigit() else 0 for v in self.values["cycle"]]
                         or [0], dtype=np.int32)
        self.year = years[self.codes["cycle"]] if self.n else np.zeros(0, dtype=np.int32)
        self.lengths = {}
        self.average = {}
        for field in parts[0]["lengths"] if parts else ():
            self.lengths[field] = np.concatenate([p["lengths"][field] for p in parts])
            total = searcher.field_length(field)  # as Whoosh: deleted documents included
            self.average[field] = (total / self.n) if self.n and total else 1.0

    def _load(self, name):
        """Read column `name` of every segment into values (sorted distinct) and codes."""
        if name not in COLUMNS:
            raise KeyError(name)
        with self._files:
            if dict.__contains__(self.codes, name):  # another thread read it first
                return
            self._read_column(name)

    def _read_column(self, name):
        pieces = []
        for reader, part in zip(self._readers, self._parts):
            if name not in part["facets"]:
                part["facets"][name] = internals.column_codes(reader, name)
            pieces.append(part["facets"][name])
        if len(pieces) == 1:
            values, codes = pieces[0]
        else:  # each segment's codes renumbered into the sorted union of their values
            values = sorted(set().union(*(v for v, _ in pieces)))
            number = {v: i for i, v in enumerate(values)}
            codes = np.concatenate(
                [np.array([number[v] for v in seg_values] or [0], dtype=np.int32)[seg_codes]
                 for seg_values, seg_codes in pieces]) if pieces else np.zeros(0, np.int32)
        dict.__setitem__(self.values, name, list(values))
        dict.__setitem__(self.codes, name, codes)

    @staticmethod
    def _leaf(reader, cache):
        key = internals.segment_key(reader)
        if key is not None and key in cache:
            return cache[key]
        count = reader.doc_count_all()
        part = {"count": count, "facets": {}, "lengths": {}}
        for name in EAGER_COLUMNS:
            part["facets"][name] = internals.column_codes(reader, name)
        for field, spec in reader.schema.items():
            if spec.scorable:
                part["lengths"][field] = _LENGTH_OF_BYTE[internals.length_bytes(reader, field,
                                                                                count)]
        if key is not None:
            cache[key] = part
        return part

    def citations(self, docnums):
        """The citation of each document (its column: one read each)."""
        out = []
        with self._files:
            for docnum in docnums:
                leaf = int(np.searchsorted(self._offsets, docnum, side="right")) - 1
                column = self._texts.get(leaf)
                if column is None:
                    column = self._texts[leaf] = \
                        self._readers[leaf].column_reader(CITATION_TEXT)
                out.append(unpack_citation(column[int(docnum) - int(self._offsets[leaf])]))
        return out

    def mask(self, filters):
        """Boolean mask over docnums: live and passing every filter."""
        keep = self.live.copy()
        for name, value in filters.items():
            if value in (None, ""):
                continue
            try:
                code = self.values[name].index(value)
            except ValueError:
                return np.zeros(self.n, dtype=bool)
            keep &= self.codes[name] == code
        return keep

    def counts(self, docs, facets):
        """{facet: [{"value", "count"}, …]} over the documents `docs`."""
        out = {}
        for name in facets:
            counts = np.bincount(self.codes[name][docs], minlength=len(self.values[name]))
            items = [{"value": v, "count": int(c)}
                     for v, c in zip(self.values[name], counts) if c and v]
            if name == "cycle":
                items.sort(key=lambda x: x["value"], reverse=True)
            else:
                items.sort(key=lambda x: (-x["count"], x["value"]))
            out[name] = items
        return out


def term_postings(searcher, fieldname, btext, maps=None):
    """(docnums, term frequencies, document frequency) of one term given as bytes,
    deleted documents included (callers mask them with DocTable.live)."""
    field = searcher.schema[fieldname]
    ids, weights, df = [], [], 0
    for leaf, offset in searcher.leaf_searchers():
        found = internals.lookup(leaf.reader(), fieldname, btext, field.format, maps)
        if found is not None:
            i, w = internals.postings(found[0])
            ids.append(i + offset)
            weights.append(w)
            df += found[1]
    if not ids:
        return EMPTY, _NO_SCORES, 0
    return np.concatenate(ids), np.concatenate(weights), df


def term_scores(searcher, table, fieldname, text, boost=1.0):
    """(docnums, BM25F scores) of one term; unscorable fields score `boost`."""
    field = searcher.schema[fieldname]
    ids, tf, df = term_postings(searcher, fieldname, field.to_bytes(text), table.term_maps)
    if not len(ids):
        return EMPTY, _NO_SCORES
    if not field.scorable or fieldname not in table.lengths:
        return ids, np.full(len(ids), float(boost))
    idf = math.log(table.n / (df + 1)) + 1.0  # as Whoosh's BM25F
    norm = 1 - B + B * table.lengths[fieldname][ids] / table.average[fieldname]
    return ids, idf * (tf * (K1 + 1)) / (tf + K1 * norm) * boost


#: Combining lists whose lengths add up to more than n / DENSE (n: documents) counts
#: over every docnum instead of sorting the lists (no sort: a tenth of the time).
DENSE = 32


def _dense(parts, n, needed):
    """Docnums found in at least `needed` of the parts (each sorted and unique), and
    their summed scores, by counting over all n docnums. Scores add in the order of
    the parts, as the sorting versions add them, so the sums are the same."""
    ids = np.concatenate([p[0] for p in parts])
    found = np.bincount(ids, minlength=n)
    sums = np.bincount(ids, weights=np.concatenate([p[1] for p in parts]), minlength=n)
    keep = np.flatnonzero(found >= needed)
    return keep, sums[keep]


def _union(parts, n):
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return EMPTY, _NO_SCORES
    if len(parts) == 1:
        return parts[0]
    if sum(len(p[0]) for p in parts) * DENSE > n:
        return _dense(parts, n, 1)
    ids = np.concatenate([p[0] for p in parts])
    scores = np.concatenate([p[1] for p in parts])
    unique, inverse = np.unique(ids, return_inverse=True)
    return unique, np.bincount(inverse, weights=scores)


def _intersection(parts, n):
    if len(parts) > 1 and sum(len(p[0]) for p in parts) * DENSE > n:
        return _dense(parts, n, len(parts))
    ids, scores = parts[0]
    for other_ids, other_scores in parts[1:]:
        ids, mine, theirs = np.intersect1d(ids, other_ids, assume_unique=True,
                                           return_indices=True)
        scores = scores[mine] + other_scores[theirs]
    return ids, scores


def evaluate(searcher, table, query):
    """(sorted unique live docnums, scores) for a Whoosh query tree."""
    def run(q):
        if q is Q.NullQuery:
            return EMPTY, _NO_SCORES
        if isinstance(q, Q.Term):
            return term_scores(searcher, table, q.fieldname, q.text, q.boost)
        if isinstance(q, Q.Every):
            ids = np.flatnonzero(table.live)
            return ids, np.ones(len(ids))
        if isinstance(q, Q.AndNot):
            ids, scores = run(q.a)
            keep = ~np.isin(ids, run(q.b)[0], assume_unique=True)
            return ids[keep], scores[keep]
        if isinstance(q, Q.And):
            return _intersection([run(sub) for sub in q.subqueries], table.n) if q.subqueries \
                else (EMPTY, _NO_SCORES)
        if isinstance(q, Q.Or):
            return _union([run(sub) for sub in q.subqueries], table.n)
        # Phrases, prefixes: Whoosh finds the documents; each scores its boost.
        ids = np.unique(np.fromiter(searcher.docs_for_query(q), dtype=np.int64))
        return ids, np.full(len(ids), float(getattr(q, "boost", 1.0)))
    ids, scores = run(query)
    keep = table.live[ids]
    return ids[keep], scores[keep]


def collapse(table, ids, scores, matched=None):
    """Keep each person's best document: most query words matched (when counted),
    then best score (ties: the lower docnum). Returns (ids, scores, matched)."""
    if not len(ids):
        return ids, scores, matched
    key = scores if matched is None else matched * 1e7 + scores
    groups = table.codes[GROUP][ids]
    people = len(table.values[GROUP])
    if len(ids) * DENSE > people:
        # Each person's best key, then the first position (ids are sorted: the lower
        # docnum) holding it: arrays over every person instead of sorting the hits.
        best = np.full(people, -np.inf)
        np.maximum.at(best, groups, key)
        tied = np.flatnonzero(key == best[groups])
        first = np.full(people, len(ids))
        np.minimum.at(first, groups[tied], tied)
        keep = np.sort(first[first < len(ids)])
    else:  # a stable sort keeps the lower docnum first among equals
        order = np.argsort(-key, kind="stable")
        _, first = np.unique(groups[order], return_index=True)
        keep = np.sort(order[first])
    return ids[keep], scores[keep], (matched[keep] if matched is not None else None)


def top(table, ids, scores, limit, sort="relevance", matched=None):
    """Positions into ids of the best `limit` hits.

    relevance: most query words matched first (relaxed queries count them),
    then score; newest: newest cycle first, then the same. Equal scores (to
    four decimals: sums in another order differ in the last bits) break by
    stage (honorees first), newest cycle, the name in pinyin order, then the
    docnum, so pages are stable. Only the candidates that can reach the top
    `limit` are sorted.
    """
    if not len(ids):
        return np.zeros(0, dtype=np.int64)
    rounded = np.round(scores, 4)
    words = matched if matched is not None else np.zeros(len(ids))
    # One number ordering (matched words, score); newest puts the year before them.
    primary = words * 1e7 + rounded
    if sort == "newest":
        primary = primary + table.year[ids].astype(np.float64) * 1e12
    if len(ids) > limit:
        cut = np.partition(-primary, limit - 1)[limit - 1]
        candidates = np.flatnonzero(-primary <= cut)  # ties at the cut all stay
    else:
        candidates = np.arange(len(ids))
    cids = ids[candidates]
    honorees = table.values["stage"].index("honorees") if "honorees" in table.values["stage"] \
        else -1
    keys = [cids]
    if len(np.unique(primary[candidates])) < len(candidates):  # ties: by name, pinyin order
        keys += [table.codes["label"][cids], table.codes["sound"][cids]]
    keys += [-table.year[cids], table.codes["stage"][cids] != honorees, -rounded[candidates],
             -words[candidates]]
    if sort == "newest":
        keys.append(-table.year[cids])
    return candidates[np.lexsort(keys)[:limit]]
