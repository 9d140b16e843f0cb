"""Searching one committed index state: run a parsed query, group by person, page,
facet counts, and the spans to highlight in each hit (index/highlight.py).

Each function takes a Snapshot and searches the Generation of its newest committed
state with a searcher of its own (no lock shared with other searches)."""

from typing import NamedTuple

import numpy as np

from . import highlight
from .analysis import normalize
from .parsing import (MAX_QUERY_CHARS, ParsedQuery, QueryError, check_filters, check_paging,
                      check_text, clean, parse)
from .ranking import collapse, evaluate, top
from .schema import FACETS, RESULT_FIELDS
from .suggest import worth_correcting

__all__ = ["search", "complete", "matching_ids", "QueryError", "MAX_QUERY_CHARS"]


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


def execute(generation, searcher, text, filters, limit, sort, facets, group=True):
    """The Matches of a user's query. group: one hit per person (facets and
    entries still count every matching entry)."""
    parsed = parse(text)
    check_filters(filters)
    table = generation.table
    builder = generation.query_builder(searcher)
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
    entries the matching entries. Each hit carries `name_spans` (where its name
    matched) and `passage` (highlight.passage of its citation): plain data, no markup.

    text: the user's query. filters: {cycle|operator|kind|region|stage: value}.
    sort: "relevance" or "newest" (cycle, newest first). Raises QueryError for
    absurd input; anything else is searched.
    """
    check_paging(page, per_page, sort)
    with snapshot.reading() as generation, generation.searcher() as searcher:
        matches = execute(generation, searcher, text, filters, page * per_page, sort,
                          facets=True)
        result = _page(generation, searcher, matches, text or "", page, per_page)
        hits = result["results"]
        result["suggestions"] = []
        if worth_correcting(matches.parsed, matches.total, matches.relaxed,
                            [hit["name"] for hit in hits],
                            any(hit["name_spans"] for hit in hits)):
            result["suggestions"] = generation.lexicon().correct(text or "")
        return result


def complete(snapshot, prefix, limit=8):
    """Search as you type: up to `limit` names, teams, companies or operators that
    start with prefix ([{"text", "kind"}]); raises QueryError for absurd input."""
    prefix = clean(check_text(prefix)).strip()
    if not prefix:
        return []
    with snapshot.reading() as generation:
        return generation.lexicon().complete(prefix, limit)


def matching_ids(snapshot, text, filters=None, sort="relevance", limit=10000):
    """Ids of every hit (up to `limit`) in result order, for exports; same query
    semantics as :func:`search`, relaxed fallback included, but every entry of a
    person (not one per person)."""
    check_paging(1, 1, sort)
    with snapshot.reading() as generation, generation.searcher() as searcher:
        matches = execute(generation, searcher, text, filters, limit, sort, facets=False,
                          group=False)
        return [searcher.stored_fields(docnum)["id"] for docnum, _ in matches.hits]


def _page(generation, searcher, matches, text, page, per_page):
    start = (page - 1) * per_page
    page_hits = matches.hits[start:start + per_page]
    docnums = [docnum for docnum, _ in page_hits]
    stored = [searcher.stored_fields(docnum) for docnum in docnums]
    citations = generation.table.citations(docnums)
    words, letters = highlight.name_words(matches.parsed)
    names = [highlight.name_spans(fields.get("name") or "", fields.get("sound") or "",
                                  words, letters) for fields in stored]
    # A name found by its pinyin is marked where the citation names it too.
    extra = [{w for w in {normalize(fields.get("name") or "")[s:e] for s, e in spans} - {""}
              if len(w) > 1} for fields, spans in zip(stored, names)]
    spans = highlight.citation_spans(matches.query,
                                     [(c, f.get("plain")) for c, f in zip(citations, stored)],
                                     generation.aliases, extra)
    hits = []
    for (_, score), fields, citation, name_spans, citation_spans in zip(
            page_hits, stored, citations, names, spans):
        item = {k: fields.get(k) or None for k in RESULT_FIELDS}
        del item["notice_id"]
        item["name_spans"] = [list(span) for span in name_spans]
        item["score"] = round(float(score), 4)
        found = highlight.passage(citation, citation_spans)
        item["passage"] = {**found, "spans": [list(span) for span in found["spans"]]}
        hits.append(item)
    return {
        "query": text, "total": matches.total, "entries": matches.entries, "page": page,
        "per_page": per_page, "relaxed": matches.relaxed, "results": hits,
        "facets": matches.facets,
    }
