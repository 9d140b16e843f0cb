"""Search that finds what people type (issue 13), on the seed plus a generated list of
hard names (tests/search_corpus.py): query/index agreement, pinyin, typos and
suggestions, highlights for every way a result matched, relaxed ranking, search
as you type."""

import logging
import re

import jieba
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import search_corpus
from archive.markup import marked_hits

jieba.setLogLevel(logging.WARNING)
ITEMS = search_corpus.entries()


def names(result):
    return [hit["name"] for hit in result["results"]]


def all_ids(a, text, **filters):
    return set(a.publishing.export_ids(text, filters=filters, limit=100000))


def ids_where(a, sql, *params):
    return {r["id"] for r in a.db.query(f"select id from entries where {sql}", params)}


# 1. Query and index agree ---------------------------------------------------------

@pytest.mark.parametrize("region, word", [("广东", "电信"), ("浙江", "电信"), ("湖南", "电信"),
                                          ("重庆", "电信"), ("广东", "移动"), ("北京", "联通"),
                                          ("四川", "移动")])
def test_province_and_operator_words_find_those_entries(generated, region, word):
    operator = {"电信": "中国电信", "移动": "中国移动", "联通": "中国联通"}[word]
    expected = ids_where(generated, "region = ? and operator = ?", region, operator)
    assert expected, (region, operator)
    result = generated.records.search(region + word, per_page=100)
    assert expected <= all_ids(generated, region + word)
    # The entries of that province and operator come first.
    top = [(h["region"], h["operator"]) for h in result["results"][:len(expected)]]
    assert set(top) == {(region, operator)}, top


@pytest.mark.parametrize("text", ["深圳10086热线", "10086热线", "VIP客户", "5G网络优化", "IDC运维",
                                  "4G/5G", "12345政务热线", "龙山县营业部", "渝中区局"])
def test_words_with_digits_and_latin_letters_find_their_entries(generated, text):
    compact = text.replace("/", "")
    expected = {e for e, u, n in ((r["id"], r["unit"] or "", r["name"]) for r in
                                  generated.db.query("select id, unit, name from entries"))
                if compact in (u + n).replace("/", "")}
    assert expected, text
    assert expected <= all_ids(generated, text), text


def _runs():
    """Strategy: (entry index, field, first word, run length) of 1-3 consecutive words
    that a reader sees in a name, team, company or unit (jieba's default cut)."""
    return st.tuples(st.integers(0, len(ITEMS) - 1), st.sampled_from(["name", "company", "unit"]),
                     st.integers(0, 20), st.integers(1, 3))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(run=_runs())
def test_any_run_of_visible_words_finds_its_entry(generated, run):
    index, field, start, length = run
    item = ITEMS[index]
    words = [w for w in jieba.lcut(item[field]) if w.strip()]
    if not words:
        return
    start = min(start, len(words) - 1)
    text = "".join(words[start:start + length])
    expected = ids_where(generated, "name = ? and cycle = ? and coalesce(unit, '') = ?",
                         item["name"], item["cycle"], item["unit"])
    assert expected and expected <= all_ids(generated, text), (text, item[field], words)


# 3. Pinyin -------------------------------------------------------------------------

@pytest.mark.parametrize("text, first", [("ouyang", "欧阳晓明"), ("xiaoming", "欧阳晓明"),
                                         ("xie hua", "谢华"), ("lv mei", "吕梅"), ("lvmei", "吕梅")])
def test_compound_surnames_and_u_umlaut_pinyin(generated, text, first):
    assert names(generated.records.search(text))[0] == first


@pytest.mark.parametrize("text", ["ayiguli", "maimaiti", "ayiguli maimaiti", "Ayiguli·Maimaiti",
                                  "aygl"])
def test_each_part_of_a_name_with_a_middle_dot_is_a_pinyin_word(generated, text):
    """阿依古丽·买买提 has no Chinese surname: each part is found by its pinyin, and the
    name is marked whole or in part."""
    hits = marked_hits(generated.records.search(text)["results"])
    assert hits and hits[0]["name"] == "阿依古丽·买买提", text
    assert "<mark>" in hits[0]["name_html"]


@pytest.mark.parametrize("prefix", ["ayi", "ayiguli", "maim", "maimaiti"])
def test_a_part_of_a_dotted_name_is_completed_as_typed(generated, prefix):
    assert "阿依古丽·买买提" in [s["text"] for s in generated.records.suggest(prefix)], prefix


def test_surname_pinyin_lists_that_surname_first(generated):
    result = generated.records.search("xie", per_page=100)
    xie = [n for n in names(result) if n.startswith("谢")]
    assert xie and names(result)[:len(xie)] == xie


# 4. Typos --------------------------------------------------------------------------

@pytest.mark.parametrize("text, wanted", [("李玉住", "李玉柱"), ("liyuzu", "李玉柱"),
                                          ("xihua", "谢华"), ("欧阳小明", "欧阳晓明"),
                                          ("zhangnna", "张娜")])
def test_typos_get_suggestions(generated, text, wanted):
    result = generated.records.search(text)
    texts = [s["text"] for s in result["suggestions"]]
    assert wanted in texts, (text, result["suggestions"])
    suggestion = result["suggestions"][texts.index(wanted)]
    assert suggestion["kind"] in ("individual", "team", "company")
    assert suggestion["url"].startswith("/search?q=")
    assert names(generated.records.search(suggestion["text"]))[0] == wanted


def test_no_suggestions_when_the_query_finds_plenty(generated):
    assert generated.records.search("投诉")["suggestions"] == []


def test_suggestions_on_the_page_and_in_the_api(generated_client):
    page = generated_client.get("/search?q=李玉住").get_data(as_text=True)
    assert "您是不是要找" in page
    assert re.search(r'<a href="/search\?q=%E6%9D%8E%E7%8E%89%E6%9F%B1">李玉柱</a>', page)
    data = generated_client.get("/api/search?q=liyuzu").get_json()
    assert data["suggestions"][0]["text"] == "李玉柱"
    assert set(data["suggestions"][0]) == {"text", "kind", "url"}


def test_suggestion_text_is_escaped(generated_client):
    page = generated_client.get("/search?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in page


# 5. Highlights for every way a result matched ---------------------------------------

@pytest.mark.parametrize("text, marked", [
    ("liyuzhu", "<mark>李玉柱</mark>"), ("lyz", "<mark>李玉柱</mark>"),
    ("Li Yuzhu", "<mark>李玉柱</mark>"), ("yuzhu", "李<mark>玉柱</mark>"),
    ("li", "<mark>李</mark>玉柱"), ("玉柱", "李<mark>玉柱</mark>"), ("張娜", "<mark>张娜</mark>"),
    ("zhang", "<mark>张</mark>娜"), ("ouyang", "<mark>欧阳</mark>晓明"),
])
def test_the_name_is_marked_however_it_matched(generated, text, marked):
    plain = re.sub(r"</?mark>", "", marked)
    hits = [h for h in marked_hits(generated.records.search(text, per_page=100)["results"]) if h["name"] == plain]
    assert hits and hits[0]["name_html"] == marked, (text, hits and hits[0]["name_html"])


def test_the_page_shows_the_marked_name(generated_client):
    page = generated_client.get("/search?q=lyz").get_data(as_text=True)
    assert "<mark>李玉柱</mark></a>" in page


@pytest.mark.parametrize("text", ["liyuzhu", "lyz", "Li Yuzhu"])
def test_a_pinyin_name_match_marks_the_name_in_the_citation(generated, text):
    hit = marked_hits(generated.records.search(text)["results"])[0]
    assert hit["name"] == "李玉柱"
    assert "<mark>李玉柱</mark>" in hit["snippet"], hit["snippet"]


def test_an_alias_query_centres_the_snippet_on_the_alias(generated):
    for hit in marked_hits(generated.records.search("China Unicom", per_page=50)["results"]):
        if "联通" in (generated.db["entries"].get(hit["id"])["citation"] or ""):
            assert re.search(r"<mark>[^<]*联通</mark>", hit["snippet"]), hit["snippet"]


def test_name_marks_are_escaped(generated):
    hit = marked_hits(generated.records.search("阿依古丽")["results"])[0]
    assert hit["name_html"] == "<mark>阿依古丽</mark>·买买提"


# 6. Ranking -------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["zhang na 渝中区", "投诉 xie 龙山县", "wang 10086 适老化 天河区"])
def test_relaxed_queries_rank_more_matched_words_first(generated, text):
    result = generated.records.search(text, per_page=100)
    assert result["relaxed"]
    words = [all_ids(generated, w) for w in text.split()]
    matched = [sum(h["id"] in w for w in words) for h in result["results"]]
    assert matched == sorted(matched, reverse=True), list(zip(names(result), matched))


def test_relaxed_ranking_on_names(generated):
    assert names(generated.records.search("Zhang Na Beijing"))[0] == "张娜"
    # 谢华 matches two of the three words; anyone matching one comes after.
    result = generated.records.search("谢华 xiehua 投资银行", per_page=50)
    assert result["relaxed"] and names(result)[0] == "谢华"


def test_equal_scores_break_by_stage_then_newest_cycle_then_name(generated):
    from index.analysis import name_sound
    result = generated.records.search("kind:team", per_page=100)
    # Names in pinyin order, as Chinese lists are.
    order = [(h["stage"] != "honorees", -int(h["cycle"][-4:]), name_sound(h["name"]), h["name"])
             for h in result["results"]]
    assert order == sorted(order)
    # Stable across pages.
    paged = [h["id"] for p in (1, 2, 3) for h in marked_hits(generated.records.search("kind:team", per_page=10,
                                                              page=p)["results"])]
    assert paged == [h["id"] for h in result["results"][:30]]


# 8. Search as you type --------------------------------------------------------------

@pytest.mark.parametrize("prefix, wanted", [("李玉", "李玉柱"), ("lyz", "李玉柱"), ("liyu", "李玉柱"),
                                            ("集中处理", "集中处理专席"), ("联", "中国联通"),
                                            ("欧阳", "欧阳晓明"), ("深圳10086", None)])
def test_suggest_completes_names_teams_and_companies(generated_client, prefix, wanted):
    response = generated_client.get("/api/suggest", query_string={"q": prefix})
    assert response.status_code == 200
    items = response.get_json()["suggestions"]
    assert 1 <= len(items) <= 8
    texts = [i["text"] for i in items]
    if wanted:
        assert wanted in texts, texts
    else:
        assert all(t.startswith(prefix) for t in texts), texts
    for item in items:
        assert set(item) == {"text", "kind", "url"}
        assert item["kind"] in ("individual", "team", "company", "operator")


@pytest.mark.parametrize("q", ["", " ", "x" * 500, "<>", "\x00", "\u202e"])
def test_suggest_handles_odd_input(generated_client, q):
    response = generated_client.get("/api/suggest", query_string={"q": q})
    if len(q) > 200 or q == "\x00":
        assert response.status_code == 400
        assert "error" in response.get_json()
    else:
        assert response.status_code == 200
        assert response.get_json()["suggestions"] == []


def test_search_box_is_an_aria_combobox(generated_client):
    page = generated_client.get("/").get_data(as_text=True)
    box = re.search(r'<input id="q"[^>]*>', page).group(0)
    assert 'role="combobox"' in box and 'aria-autocomplete="list"' in box
    assert 'aria-controls="q-suggestions"' in box and 'aria-expanded="false"' in box
    assert 'id="q-suggestions" role="listbox"' in page
    assert 'action="/search"' in page  # still a plain form without JS


def test_a_mistyped_name_that_finds_something_still_gets_suggestions(generated):
    """刘心鑫 (for 刘鑫鑫) finds 刘鑫鑫 by two of its characters: the name it sounds like
    is still offered (it was not: a hit matched by name silenced suggestions)."""
    result = generated.records.search("刘心鑫")
    assert result["total"] >= 1
    assert [s["text"] for s in result["suggestions"]][:1] == ["刘鑫鑫"]
    assert generated.records.search("刘鑫鑫")["suggestions"] == []


def test_snippet_words_are_found_in_full_width_and_mixed_case_citations():
    """The fast paths of snippet marking (no conversion for Han words, lower case only
    when the citation has no full-width letters) still find every occurrence."""
    from whoosh import query as Q
    from index.highlight import citation_spans
    text = "他研究ＡＤＳＬ和Adsl线路，聯通用户"
    query = Q.Or([Q.Term("citation", "adsl"), Q.Term("citation", "线路")])
    spans = citation_spans(query, [(text, "")], {})[0]
    assert [text[s:e] for s, e in spans] == ["ＡＤＳＬ", "Adsl线路"]  # touching spans merge
    plain = "他研究ADSL和Adsl线路，用户"
    spans = citation_spans(query, [(plain, "1")], {})[0]
    assert [plain[s:e] for s, e in spans] == ["ADSL", "Adsl线路"]
    wide = "他研究ＡＤＳＬ线路，用户"
    spans = citation_spans(query, [(wide, "1")], {})[0]
    assert [wide[s:e] for s, e in spans] == ["ＡＤＳＬ线路"]


@pytest.mark.parametrize("part, whole, scattered", [("明霞", "陈明霞", "李霞明")])
def test_part_of_a_name_finds_names_holding_it_not_its_characters_scattered(generated, part,
                                                                             whole, scattered):
    """明霞 finds 陈明霞; 李霞明 (the same characters, another order) and entries with
    明 in one field and 霞 in another are noise."""
    names = [h["name"] for h in marked_hits(generated.records.search(part, per_page=100)["results"])]
    assert names == [whole]
    assert [h["name"] for h in marked_hits(generated.records.search(scattered)["results"])] == [scattered]


def test_quoted_names_and_units_are_phrases_in_the_short_fields(generated):
    """A quoted team name or unit matches its words in order in that field (the
    short fields' phrase twins); the same words reversed do not."""
    rows = list(generated.db.execute(
        "select name, unit, kind from entries where kind = 'team' or unit like '%营业部'"))
    teams = [r[0] for r in rows if r[2] == "team"]
    units = [r[1] for r in rows if r[2] != "team"]
    assert len(teams) >= 5 and len(units) >= 5
    for team in teams[:5]:
        found = [h["name"] for h in marked_hits(generated.records.search(f'"{team}"', per_page=100)["results"])]
        assert team in found, team
    for unit in units[:5]:
        assert generated.records.search(f'"{unit}"', per_page=100)["total"] >= 1, unit
    # 客户服务中心 occurs in team names; 中心服务客户 nowhere, though each word does.
    assert generated.records.search('"客户服务中心"')["total"] >= 1
    assert generated.records.search('"中心服务客户"')["total"] == 0
    assert generated.records.search("中心服务客户")["total"] >= 1
