"""What the public must find on the seed notice, and the query language."""

import re

import pytest
from whoosh import query as Q

from index.parsing import QueryError

from archive.markup import marked_hits

ALL = {"李玉柱", "集中处理专席", "张娜", "客户服务部投诉处理中心", "刘鑫鑫"}
UNICOM = {"李玉柱", "集中处理专席"}
TELECOM = {"张娜", "客户服务部投诉处理中心"}


def names(result):
    return [hit["name"] for hit in result["results"]]


@pytest.mark.parametrize("query, first", [
    ("李玉柱", "李玉柱"), ("玉柱", "李玉柱"), ("鑫鑫", "刘鑫鑫"), ("刘鑫鑫", "刘鑫鑫"),
    ("liyuzhu", "李玉柱"), ("li yu zhu", "李玉柱"), ("Li Yuzhu", "李玉柱"), ("lyz", "李玉柱"),
    ("LIYUZHU", "李玉柱"), ("zhangna", "张娜"), ("Zhang Na", "张娜"), ("liuxinxin", "刘鑫鑫"),
    ("張娜", "张娜"), ("集中处理", "集中处理专席"), ("使馆", "李玉柱"), ("ADSL", "李玉柱"),
    ("adsl", "李玉柱"), ("ＡＤＳＬ", "李玉柱"), ("密云", "刘鑫鑫"), ("大兴", "张娜"),
])
def test_finds_person_first(seeded, query, first):
    result = seeded.records.search(query)
    assert result["total"] >= 1
    assert names(result)[0] == first


@pytest.mark.parametrize("query", ["联通", "聯通", "中国联通", "中國聯通", "中国联合网络通信",
                                   "China Unicom", "china unicom", "company:联通"])
def test_unicom_aliases_find_exactly_the_unicom_entries(seeded, query):
    assert set(names(seeded.records.search(query))) == UNICOM


@pytest.mark.parametrize("query, expected", [
    ("中国电信", TELECOM), ("China Telecom", TELECOM), ("电信", TELECOM),
    ("中国移动", {"刘鑫鑫"}), ("China Mobile", {"刘鑫鑫"}), ("移动", {"刘鑫鑫"}),
])
def test_operator_entries_rank_first(seeded, query, expected):
    found = names(seeded.records.search(query))
    assert set(found[:len(expected)]) == expected


def test_complaint_handlers_rank_above_mentions(seeded):
    found = names(seeded.records.search("投诉"))
    assert set(found[:2]) == {"张娜", "客户服务部投诉处理中心"}
    assert len(found) > 2  # others mention it, less


def test_name_match_outranks_citation_match(seeded):
    # 李玉柱 is named in no other citation; 张娜 appears in her own name and citation.
    result = seeded.records.search("张娜")
    assert names(result) == ["张娜"]
    top = seeded.records.search("集中处理专席")["results"]
    assert top[0]["name"] == "集中处理专席" and top[0]["score"] > 2 * top[-1]["score"] \
        if len(top) > 1 else top[0]["name"] == "集中处理专席"


def test_result_object_shape(seeded):
    result = seeded.records.search("李玉柱")
    assert list(result) == ["query", "total", "entries", "page", "per_page", "relaxed", "results",
                            "facets", "suggestions"]
    hit = result["results"][0]
    assert list(hit) == ["id", "name", "kind", "cycle", "company", "operator", "region", "unit",
                         "stage", "person", "name_spans", "score", "passage", "matched", "path"]
    assert [p["id"] for p in hit["path"]] == [hit["id"]]  # the seed lists him once
    assert hit["stage"] == "candidates"
    assert hit["kind"] == "individual" and hit["cycle"] == "2017-2018"
    assert hit["unit"] == "中国联合网络通信有限公司北京市分公司重要通信局"
    assert set(result["facets"]) == {"cycle", "operator", "kind", "region", "stage"}


def marked(result):
    """The hits of a search result as the API and pages show them (escaped, <mark>)."""
    return marked_hits(result["results"])


def test_snippet_is_escaped_and_marked(seeded):
    hit = marked(seeded.records.search("使馆"))[0]
    assert "<mark>使馆</mark>" in hit["snippet"]
    assert hit["snippet"].count("<mark>") >= 2
    assert "<" not in hit["snippet"].replace("<mark>", "").replace("</mark>", "")
    hit = marked(seeded.records.search("玉柱"))[0]
    assert "<mark>" in hit["snippet"] and "玉柱</mark>" in hit["snippet"]
    # Traditional characters find the simplified text; the snippet is the citation's.
    hits = marked(seeded.records.search("聯通"))
    assert {h["name"] for h in hits} == {"李玉柱", "集中处理专席"}
    assert all("联通" in h["snippet"] for h in hits)


def test_alias_matches_are_marked_in_the_snippet(seeded):
    for query in ("聯通", "联通", "China Unicom", "中国联合网络通信有限公司"):
        hits = marked(seeded.records.search(query))
        assert {h["name"] for h in hits} == {"李玉柱", "集中处理专席"}, query
        for hit in hits:
            assert re.search(r"<mark>(中国)?联通</mark>", hit["snippet"]), (query, hit["snippet"])


def test_facets_count_the_whole_result_set(seeded):
    result = seeded.records.search("投诉", per_page=1)
    assert len(result["results"]) == 1
    assert sum(f["count"] for f in result["facets"]["operator"]) == result["entries"]
    assert {f["value"]: f["count"] for f in result["facets"]["kind"]} == {"team": 2, "individual": 2}
    assert result["facets"]["region"] == [{"value": "北京", "count": result["entries"]}]


def test_filters_combine(seeded):
    assert set(names(seeded.records.search("投诉", filters={"operator": "中国电信"}))) == TELECOM
    assert names(seeded.records.search("投诉", filters={"operator": "中国电信", "kind": "team"})) == \
        ["客户服务部投诉处理中心"]
    assert seeded.records.search("投诉", filters={"cycle": "2019-2020"})["total"] == 0
    assert seeded.records.search("", filters={"kind": "individual"})["total"] == 3
    assert seeded.records.search("", filters={"stage": "candidates", "region": "北京"})["total"] == 5


def test_pagination(seeded):
    first = seeded.records.search("", per_page=2, page=1)
    second = seeded.records.search("", per_page=2, page=2)
    third = seeded.records.search("", per_page=2, page=3)
    assert first["total"] == 5
    got = names(first) + names(second) + names(third)
    assert sorted(got) == sorted(ALL)
    assert seeded.records.search("", per_page=2, page=9)["results"] == []


def test_sort_newest(seeded_copy, data_dir):
    seeded_copy.imports.import_paths([data_dir / "sichuan-2019-2020-candidates.txt"])
    relevance = seeded_copy.records.search("李玉柱")
    newest = seeded_copy.records.search("李玉柱", sort="newest")
    assert relevance["results"][0]["cycle"] == "2017-2018"  # the name in the citation too
    assert [h["cycle"] for h in newest["results"]] == ["2019-2020", "2017-2018"]
    cycles = [h["cycle"] for h in seeded_copy.records.search("", sort="newest", per_page=100)["results"]]
    assert cycles == sorted(cycles, reverse=True) and cycles[0] == "2019-2020"


def test_query_language(seeded):
    assert names(seeded.records.search('"北京联通"')) and set(names(seeded.records.search('"北京联通"'))) <= UNICOM
    assert "李玉柱" not in names(seeded.records.search("投诉 -使馆"))
    assert seeded.records.search("李玉柱 -使馆")["total"] == 0
    assert names(seeded.records.search("name:张娜")) == ["张娜"]
    assert set(names(seeded.records.search("kind:team"))) == {"集中处理专席", "客户服务部投诉处理中心"}
    assert set(names(seeded.records.search("kind:班组 投诉"))) == {"集中处理专席", "客户服务部投诉处理中心"}
    assert seeded.records.search("cycle:2017-2018")["total"] == 5
    assert seeded.records.search("cycle:2018")["total"] == 5
    assert seeded.records.search("cycle:2020")["total"] == 0
    assert set(names(seeded.records.search("company:中国电信 投诉"))) == TELECOM


def test_relaxed_fallback(seeded):
    strict = seeded.records.search("李玉柱 密云")
    assert strict["relaxed"] is True
    assert set(names(strict)) == {"李玉柱", "刘鑫鑫"}
    assert seeded.records.search("李玉柱 使馆")["relaxed"] is False


@pytest.mark.parametrize("query", [
    '"unbalanced', 'name:', '-', '--', '*', '?', 'a*', '(', ')', 'AND', 'OR NOT', '\x00\x07',
    '\u202e李玉柱', '🙂', 'name:"', ':', '"""', 'company:', 'cycle:abc', 'kind:robot', '\\',
    '李玉柱 AND OR', 'x' * 200, '李' * 200, '   ',
])
def test_odd_queries_never_raise(seeded, query):
    result = seeded.records.search(query)
    assert len(result["results"]) == min(result["total"], result["per_page"])
    assert all(hit["name"] for hit in result["results"])


def test_rtl_mark_and_controls_are_ignored(seeded):
    assert names(seeded.records.search("\u202e李玉柱\u200f")) == ["李玉柱"]


@pytest.mark.parametrize("kwargs", [
    {"text": "x" * 201}, {"text": "a", "page": 0}, {"text": "a", "page": 100000},
    {"text": "a", "per_page": 1000}, {"text": "a", "sort": "random"},
    {"text": "a", "filters": {"colour": "red"}}, {"text": "a", "filters": {"cycle": "x" * 100}},
])
def test_absurd_requests_are_rejected_with_a_message(seeded, kwargs):
    text = kwargs.pop("text")
    with pytest.raises(QueryError) as info:
        seeded.records.search(text, **kwargs)
    assert str(info.value)


def test_cli_search_json_is_the_result_object(runner, seeded_copy):
    import json
    out = runner("search", "李玉柱", "--json")
    assert out.exit_code == 0, out.output
    expected = seeded_copy.records.search("李玉柱")
    assert json.loads(out.output) == {**expected, "results": marked(expected)}
    out = runner("search", "投诉", "--operator", "中国电信", "--kind", "team")
    assert "客户服务部投诉处理中心" in out.output and "1 results" in out.output
    bad = runner("search", "x" * 300)
    assert bad.exit_code == 1 and "查询过长" in bad.output


def test_single_character_finds_names_containing_it(seeded):
    assert names(seeded.records.search("鑫")) == ["刘鑫鑫"]
    assert names(seeded.records.search("娜"))[0] == "张娜"


def test_set_evaluation_matches_whoosh(seeded_copy, data_dir):
    """The numpy evaluation finds exactly Whoosh's documents, ranked like Whoosh's BM25F."""
    from whoosh import scoring
    from index.parsing import parse
    from index.ranking import evaluate
    seeded_copy.imports.import_paths(sorted(data_dir.glob("*-2019-2020-*.*")))
    li = next(seeded_copy.db.query("select id from entries where name = '刘鑫鑫'"))["id"]
    seeded_copy.corrections.correct(li, {"citation": "新的事迹，提到投诉。"}, "test")  # a deletion + a segment
    snapshot = seeded_copy.snapshot()
    with snapshot.reading() as generation, generation.searcher() as searcher:
        table = generation.table
        builder = generation.query_builder(None)  # every word counts as indexed
        for text in ["投诉", "李玉柱 -使馆", "联通", '"北京联通"', "投诉处理", "kind:team",
                     "cycle:2018", "", "鑫", "liyuzhu", "中国电信 投诉", "不存在", "*", "宽带"]:
            for relaxed in (False, True):
                query = builder.build(parse(text), relaxed=relaxed)
                ids, scores = evaluate(searcher, table, query)
                assert ids.tolist() == sorted(searcher.docs_for_query(query)), text
        # Single terms score as Whoosh's BM25F does.
        with snapshot.index.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2)) as whoosh:
            for field, word in [("citation", "投诉"), ("citation", "使馆"), ("org", "联通")]:
                ids, scores = evaluate(searcher, table, Q.Term(field, word))
                expected = {hit.docnum: hit.score for hit in whoosh.search(Q.Term(field, word),
                                                                            limit=None)}
                assert set(ids.tolist()) == set(expected)
                for docnum, score in zip(ids.tolist(), scores.tolist()):
                    assert abs(score - expected[docnum]) < 0.02 * expected[docnum], (field, word)


def test_chinese_keyboard_minus_and_quotes(seeded):
    """－ — ‐ work as the minus; 「」 『』 “” ‘’ as phrase quotes; ： as the field colon."""
    from index.parsing import parse
    plain = seeded.records.search('投诉 -电信')
    for text in ("投诉 －电信", "投诉 —电信", "投诉 ‐电信", "投诉 −电信"):
        assert names(seeded.records.search(text)) == names(plain), text
        assert parse(text).clauses[1].negated, text
    phrase = names(seeded.records.search('"北京联通"'))
    for text in ("「北京联通」", "『北京联通』", "“北京联通”", "‘北京联通’"):
        assert names(seeded.records.search(text)) == phrase, text
        assert parse(text).clauses[0].phrase, text
    assert names(seeded.records.search("姓名：张娜")) == names(seeded.records.search("name:张娜")) == ["张娜"]
    # A dash inside a word is not an exclusion.
    assert not parse("2017—2018").clauses[0].negated


@pytest.mark.parametrize("text", ["li-yuzhu", "li'yu zhu", "Li’Yuzhu", "lǐ yùzhù", "li3 yu4 zhu4",
                                  "LI-YU-ZHU"])
def test_pinyin_with_hyphens_apostrophes_tone_marks_and_numbers(seeded, text):
    assert names(seeded.records.search(text))[:1] == ["李玉柱"], text


def test_surname_and_given_name_pinyin(seeded):
    assert names(seeded.records.search("zhang")) == ["张娜"]
    assert names(seeded.records.search("Liu")) == ["刘鑫鑫"]
    assert names(seeded.records.search("xinxin"))[:1] == ["刘鑫鑫"]
    assert names(seeded.records.search("li"))[:1] == ["李玉柱"]


@pytest.mark.parametrize("typed,operator", [("liantong", "中国联通"), ("lian tong", "中国联通"),
                                            ("zhongguoliantong", "中国联通")])
def test_an_operator_typed_in_pinyin_finds_its_entries(seeded, typed, operator):
    result = seeded.records.search(typed)
    assert result["total"] == seeded.db.execute(
        "select count(*) from entries where operator = ?", [operator]).fetchone()[0] > 0
    assert {hit["operator"] for hit in result["results"]} == {operator}


def test_a_minority_names_part_spelt_off_its_pinyin_is_suggested(seeded_copy, tmp_path):
    """努尔艾力 is nueraili in pinyin; typed as its owner writes it (nuraili), the search
    suggests the name whose part it is."""
    path = tmp_path / "list.csv"
    path.write_text("# title: 关于表彰2021-2022年度全国用户满意电信服务明星的通报（虚构测试数据）\n"
                    "# publisher: 工业和信息化部\n# published: 2023-05-18\n# cycle: 2021-2022\n"
                    "# stage: honorees\nkind,name,unit\n"
                    "individual,努尔艾力·吐尔逊,中国移动通信集团新疆有限公司\n", encoding="utf-8")
    seeded_copy.imports.import_paths([path])
    result = seeded_copy.records.search("nuraili")
    assert "努尔艾力·吐尔逊" in [s["text"] for s in result["suggestions"]]
