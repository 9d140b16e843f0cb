"""Whoosh's and rjieba's private names are used in one module, index/internals.py:
with them or without (the public API), results are the same, and Whoosh's own
BM25F searcher agrees with ours."""

import pytest
from whoosh import query as Q
from whoosh import scoring

from index import internals
from index.parsing import parse
from index.ranking import DocTable, evaluate
from index.schema import COLUMNS

WORDS = ["投诉", "用户", "宽带", "服务", "网络", "客户", "营业厅", "故障", "维修", "满意"]


def _queries():
    """Single words, AND, OR, NOT, over several fields and boosts."""
    terms = [Q.Term("citation", w) for w in WORDS]
    out = list(terms) + [Q.Term("org", "电信"), Q.Term("org", "联通", boost=3.0),
                         Q.Term("name", "王", boost=8.0)]
    for a, b in zip(terms, terms[1:]):
        out += [Q.And([a, b]), Q.Or([a, b]), Q.AndNot(a, b)]
    out.append(Q.Or([Q.And([terms[0], terms[1]]), Q.AndNot(terms[2], terms[3]),
                     Q.Term("org", "移动", boost=2.0)]))
    return out


def _evaluate_all(corpus, queries):
    snapshot = corpus.snapshot()
    with snapshot.reading() as generation, generation.searcher() as searcher:
        table = DocTable(searcher, {})  # built afresh, with the current adapter
        return [evaluate(searcher, table, q) for q in queries], table


def _same(left, right):
    for (ids_a, scores_a), (ids_b, scores_b) in zip(left, right):
        assert ids_a.tolist() == ids_b.tolist()
        assert scores_a.tolist() == pytest.approx(scores_b.tolist(), rel=1e-9)


def test_the_public_api_fallback_gives_the_same_results(corpus, monkeypatch):
    fast, fast_table = _evaluate_all(corpus, _queries())
    assert internals.WHOOSH is not None  # this Whoosh has the fast path
    monkeypatch.setattr(internals, "WHOOSH", None)
    slow, slow_table = _evaluate_all(corpus, _queries())
    _same(fast, slow)
    for field in fast_table.lengths:
        assert fast_table.lengths[field].tolist() == slow_table.lengths[field].tolist()
    assert len(fast_table.lengths) == 7
    for name in COLUMNS:  # read in one piece (fast) or document by document
        assert fast_table.values[name] == slow_table.values[name]
        assert fast_table.codes[name].tolist() == slow_table.codes[name].tolist()
    assert any(not v.isascii() for v in fast_table.values["label"])  # UTF-8 decoded
    assert len(fast_table._parts) > 1  # codes renumbered across segments
    assert sum(len(ids) for ids, _ in fast) > 1000  # the queries really matched


def test_search_results_are_the_same_without_the_private_names(corpus, monkeypatch):
    queries = ["投诉", "王", "wang", "联通 宽带", '"用户满意"', "-投诉 网络", "kind:team"]
    fast = [corpus.records.search(q, per_page=50) for q in queries]
    monkeypatch.setattr(internals, "WHOOSH", None)
    corpus.instance.live.close()  # a new generation, built without them
    slow = [corpus.records.search(q, per_page=50) for q in queries]
    assert fast == slow


def test_segmentation_without_rjiebas_default_dictionary(monkeypatch):
    from index import analysis
    text = "李玉柱同志在北京联通重要通信局从事装维工作，用户满意度高。"
    expected = [t.text for t in analysis.chinese_analyzer(None)(text)]
    monkeypatch.setattr(internals, "RJIEBA", None)
    assert internals.default_segmenter() is None
    monkeypatch.setattr(analysis, "_DEFAULT_TAKEN", False)
    monkeypatch.setattr(analysis, "_DICTIONARIES", {})
    assert [t.text for t in analysis.chinese_analyzer(None)(text)] == expected


def _whoosh_expected(whoosh, query):
    """{docnum: score} from Whoosh's own BM25F searcher: each term searched by Whoosh,
    combined as Whoosh's matchers combine them (And and Or add, AndNot keeps a's).

    Whoosh's own AndNot over whole result sets is not used: it returns documents that
    contain the excluded word when both lists start with the same document (seen
    with whoosh-reloaded 2.7.5: docs_for_query(AndNot(宽带, 服务)) == [1] although
    document 1 says 服务)."""
    if isinstance(query, Q.Term):
        return {hit.docnum: hit.score for hit in whoosh.search(query, limit=None)}
    parts = [_whoosh_expected(whoosh, sub) for sub in
             ((query.a, query.b) if isinstance(query, Q.AndNot) else query.subqueries)]
    if isinstance(query, Q.AndNot):
        return {d: s for d, s in parts[0].items() if d not in parts[1]}
    keys = set.intersection(*map(set, parts)) if isinstance(query, Q.And) \
        else set().union(*parts)
    return {d: sum(p.get(d, 0.0) for p in parts) for d in keys}


def test_scores_and_sets_agree_with_whooshs_own_bm25f_searcher(corpus):
    queries = _queries()
    ours, table = _evaluate_all(corpus, queries)
    snapshot = corpus.snapshot()
    with snapshot.index.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2)) as whoosh:
        for query, (ids, scores) in zip(queries, ours):
            expected = _whoosh_expected(whoosh, query)
            assert set(ids.tolist()) == set(expected), query
            for docnum, score in zip(ids.tolist(), scores.tolist()):
                assert score == pytest.approx(expected[docnum], rel=0.02), query
            # The same ranking wherever scores are not tied within the tolerance.
            ranked = sorted(expected, key=lambda d: -expected[d])[:20]
            mine = dict(zip(ids.tolist(), scores.tolist()))
            for better, worse in zip(ranked, ranked[1:]):
                if expected[better] > expected[worse] * 1.05:
                    assert mine[better] > mine[worse], query


def test_filters_and_phrases_find_whooshs_documents(corpus):
    snapshot = corpus.snapshot()
    with snapshot.reading() as generation, generation.searcher() as searcher:
        table = generation.table
        builder = generation.query_builder(None)
        for text in ['"用户满意"', '"宽带故障"', "投诉 -电信", "王 联通", "region:北京", ""]:
            query = builder.build(parse(text))
            ids, _ = evaluate(searcher, table, query)
            assert ids.tolist() == sorted(searcher.docs_for_query(query)), text
            for name, value in (("kind", "team"), ("stage", "candidates"), ("region", "广东")):
                keep = table.mask({name: value})
                filtered = ids[keep[ids]].tolist()
                whoosh_filter = Q.Term(name, value)
                assert filtered == sorted(searcher.docs_for_query(Q.And([query, whoosh_filter]))), \
                    (text, name)


@pytest.mark.parametrize("extra", [[], ["很长的单位名称" * 30], ["a\0b"]])
def test_column_codes_match_whoosh_document_by_document(tmp_path, monkeypatch, extra):
    """Empty and missing values, multi-byte text; values too long for a fixed-width
    array or holding NUL are cut one by one."""
    from whoosh import fields, index as whoosh_index
    schema = fields.Schema(key=fields.ID(stored=True), value=fields.ID(sortable=True))
    ix = whoosh_index.create_in(str(tmp_path), schema)
    values = ["张娜", "", "中国电信北京分公司", None, "a", "张娜", "𠀀字", "zz"] + extra
    with ix.writer() as writer:
        for i, value in enumerate(values):
            if value is None:
                writer.add_document(key=str(i))
            else:
                writer.add_document(key=str(i), value=value)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        column = reader.column_reader("value")
        assert type(column._reader) is internals.WHOOSH["VarBytesReader"]  # the fast path
        fast = internals.column_codes(reader, "value")
        expected = list(reader.column_reader("value"))
        monkeypatch.setattr(internals, "WHOOSH", None)
        slow = internals.column_codes(reader, "value")
    assert fast[0] == slow[0] == sorted(set(expected))
    assert fast[1].tolist() == slow[1].tolist()
    assert [fast[0][c] for c in fast[1]] == expected
    assert expected[3] == "" and expected[6] == "𠀀字"


def test_the_mapped_term_probe_finds_what_whoosh_finds(corpus):
    """Every term of every segment (and absent ones) looked up through the memory map
    gives Whoosh's own term info and postings."""
    snapshot = corpus.snapshot()
    with snapshot.reading() as generation, generation.searcher() as searcher:
        checked = 0
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            assert internals._term_map(reader._terms, {}) is not None  # the fast path is on
            for fieldname, btext in reader.all_terms():
                fmt = searcher.schema[fieldname].format
                found = internals.lookup(reader, fieldname, btext, fmt)
                assert found is not None, (fieldname, btext)
                assert found[1] == reader.doc_frequency(fieldname, btext)
                ids, weights = internals.postings(found[0])  # deleted documents included
                live = [i for i in ids.tolist() if not reader.is_deleted(i)]
                assert live == list(reader.postings(fieldname, btext).all_ids())
                checked += 1
            for fieldname, btext in [("name", "不存在的词".encode()), ("nofield", b"x"),
                                     ("citation", b""), ("org", "电信".encode() * 40)]:
                assert internals.lookup(reader, fieldname, btext,
                                        searcher.schema["name"].format) is None
        assert checked > 10_000
