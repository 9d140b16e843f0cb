"""Statistics (archive/services/statistics.py, web/statistics.py): /stats, /compare,
/trends, similar citations, and the cycle browse's filters."""

import json
import re

import pytest

import search_corpus
from conftest import make_app


def count(a, sql, *params):
    return a.db.execute(f"select count(*) from entries where {sql}", params).fetchone()[0]


def links(html):
    """[(href, text)] of the links in an HTML fragment."""
    return [(h.replace("&amp;", "&"), t) for h, t in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>',
                                                                html)]


def people(a, sql, *params):
    return a.db.execute(f"select count(distinct person_key) from entries where {sql}",
                        params).fetchone()[0]


def test_stats_counts_people_per_cycle_and_operator_as_the_store_has_them(generated):
    s = generated.statistics.overview()
    for row in s["by_operator"]["rows"]:
        for operator, n in row["counts"].items():
            assert n == people(generated, "cycle = ? and operator = ?", row["cycle"], operator)
    for row in s["by_region"]["rows"]:
        for region, n in row["counts"].items():
            if region != "未注明":
                assert n == people(generated, "cycle = ? and region = ?", row["cycle"], region)
    assert s["entries"] == generated.db["entries"].count
    assert s["people"] == sum(people(generated, "cycle = ?", c) for c in s["cycles"])


def test_stats_gender_age_and_team_size(generated):
    s = generated.statistics.overview()
    seed = next(g for g in s["gender"] if g["cycle"] == "2017-2018")
    men = people(generated, "cycle = '2017-2018' and kind = 'individual' and gender = '男'")
    women = people(generated, "cycle = '2017-2018' and kind = 'individual' and gender = '女'")
    assert (seed["counts"]["男"], seed["counts"]["女"]) == (men, women)
    assert seed["women_share"] == round(women / (men + women), 4)
    # The seed's 李玉柱 was born in 1981 (the notice says so): 37 in 2018.
    born = next(generated.db.query("select birth from entries where name = '李玉柱' and "
                                "cycle = '2017-2018' and birth is not null"))["birth"]
    age = 2018 - int(born[:4])
    ages = next(a for a in s["age"] if a["cycle"] == "2017-2018")
    assert ages["youngest"] <= age <= ages["oldest"]
    team = next(t for t in s["team_size"] if t["cycle"] == "2017-2018")
    assert team["teams"] == people(generated, "cycle = '2017-2018' and kind = 'team'")


def test_every_stats_number_links_to_a_page_that_produces_it(generated, generated_client):
    page = generated_client.get("/stats")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    checked = 0
    for href, text in links(html):
        if not text.strip().isdigit():
            continue
        n = int(text)
        target = generated_client.get(href)
        assert target.status_code == 200, href
        body = target.get_data(as_text=True)
        if href.startswith("/search"):  # its results are people, each once
            m = re.search(r'共 <span class="total">(\d+)</span> 个结果', body)
            assert m, href
            assert int(m.group(1)) == n, (href, n)
        else:  # a cycle's browse counts its people
            m = re.search(r"共 (\d+) 位（个）", body)
            assert m and int(m.group(1)) == n, (href, n)
        checked += 1
    assert checked > 40


def test_stats_charts_are_svg_with_their_tables_and_no_cdn(generated_client):
    html = generated_client.get("/stats").get_data(as_text=True)
    assert html.count('<svg class="chart"') >= 4
    assert 'role="img"' in html and "<title id=\"chart-operator-title\">" in html
    assert html.count("<table") >= 6
    assert not re.search(r'(src|href)="https?://', html)


def test_api_stats_is_the_same_data(generated, generated_client):
    data = generated_client.get("/api/stats").get_json()
    assert data == json.loads(json.dumps(generated.statistics.overview(), ensure_ascii=False))


def test_stats_are_cached_per_index_generation(generated, tmp_path):
    first = generated.statistics.overview()
    assert generated.statistics.overview() is first  # the same object: computed once
    from archive.archive import Archive as A
    other = A(generated.instance)  # another request of this process (the same instance)
    assert other.statistics.overview() is first
    other.close()


def test_compare_two_cycles(generated, generated_client):
    c = generated.statistics.compare("2017-2018", "2019-2020", stage=None)
    for row in c["by_operator"]:
        assert row["a"] == count(generated, "cycle = '2017-2018' and operator = ?", row["value"])
        assert row["b"] == count(generated, "cycle = '2019-2020' and operator = ?", row["value"])
        assert row["change"] == row["b"] - row["a"]
    keys_a = {r["person_key"] for r in generated.db.query(
        "select person_key from entries where cycle = '2017-2018'")}
    keys_b = {r["person_key"] for r in generated.db.query(
        "select person_key from entries where cycle = '2019-2020'")}
    assert {p["person"] for p in c["in_both"]} == keys_a & keys_b
    top = c["top_companies"]["a"][0]
    assert top["count"] == count(generated, "cycle = '2017-2018' and company = ?", top["value"])
    page = generated_client.get("/compare?a=2017-2018&b=2019-2020")
    assert page.status_code == 200
    assert "按运营商" in page.get_data(as_text=True)


def test_compare_defaults_to_honorees_and_takes_stage_and_kind(generated, generated_client):
    """Candidates and honorees are different populations: the default compares honorees;
    page and API take stage and kind and count only those."""
    api = generated_client.get("/api/compare?a=2017-2018&b=2019-2020").get_json()
    assert api["stage"] == "honorees" and api["kind"] is None
    assert api["entries"]["a"] == count(generated, "cycle = '2017-2018' and stage = 'honorees'")
    teams = generated_client.get("/api/compare?a=2017-2018&b=2019-2020&stage=candidates"
                                 "&kind=team").get_json()
    for row in teams["by_operator"]:
        assert row["b"] == count(generated, "cycle = '2019-2020' and stage = 'candidates' and "
                                            "kind = 'team' and operator = ?", row["value"])
    everything = generated_client.get("/api/compare?a=2017-2018&b=2019-2020&stage=all").get_json()
    assert everything["entries"]["a"] == count(generated, "cycle = '2017-2018'")
    assert generated_client.get("/api/compare?stage=winners").status_code == 400
    page = generated_client.get("/compare?a=2017-2018&b=2019-2020&stage=candidates&kind=team")
    html = page.get_data(as_text=True)
    # Every figure links to the search that produces it, with the same stage and kind.
    for href, text in links(html):
        if text.isdigit() and href.startswith("/search?") and "cycle=" in href:
            assert "stage=candidates" in href and "kind=team" in href, href


def test_a_percentage_change_needs_a_base_of_five():
    from archive import stats
    rows_a = [{"operator": "中国移动"}] + [{"operator": "中国电信"}] * 5
    rows_b = [{"operator": "中国移动"}] * 9 + [{"operator": "中国电信"}] * 6
    changes = {r["value"]: r for r in stats._side_by_side(rows_a, rows_b, "operator")}
    assert changes["中国移动"]["change"] == 8 and changes["中国移动"]["change_pct"] is None
    assert changes["中国电信"]["change_pct"] == 20.0


@pytest.mark.parametrize("query", ["a=1999-2000&b=2019-2020", "a=<script>&b=2019-2020",
                                   "a=" + "9" * 300])
def test_compare_refuses_unknown_cycles(generated_client, query):
    page = generated_client.get("/compare?" + query)
    assert page.status_code == 400
    assert "没有这个评选年度" in page.get_data(as_text=True)
    assert "<script>" not in page.get_data(as_text=True)
    assert generated_client.get("/api/compare?" + query).status_code == 400


def test_themes_are_content_words_and_only_for_cycles_with_enough_citations(seeded, generated):
    """The seed's 5 citations are too few to have themes; where there are enough, no
    numeral, measure word or adverb (一位, 一支, 不会 …) is a theme."""
    assert seeded.statistics.keywords() == {"2017-2018": []}
    assert seeded.statistics.citation_counts()["2017-2018"] == (5, 5)
    from index import analysis
    tag = analysis.segmenter(None).tag
    for cycle, words in generated.statistics.keywords().items():
        assert words, cycle
        for w in words:
            tags = tag(w["word"], False)
            assert len(tags) > 1 or tags[0][1] not in ("m", "q", "d", "p", "c", "u", "r"), w
        for a, b in zip(words, words[1:]):  # ties go to the word more citations use
            assert a["score"] > b["score"] or a["docs"] >= b["docs"], (a, b)


def test_cycle_keywords_are_characteristic_and_not_boilerplate(generated):
    keywords = {cycle: words[:10] for cycle, words in generated.statistics.keywords().items()}
    assert set(keywords) == {"2017-2018", "2019-2020", "2021-2022"}
    for cycle, words in keywords.items():
        texts = [w["word"] for w in words]
        assert not {"同志", "工作", "用户"} & set(texts), cycle
        assert len(texts) == len(set(texts))
        for w in words:
            assert w["docs"] >= 2
    # Each cycle's own sentence gives its top words: words of no other cycle's sentence.
    for cycle, words in keywords.items():
        own = search_corpus.CYCLE_SENTENCES[cycle]
        others = "".join(v for k, v in search_corpus.CYCLE_SENTENCES.items() if k != cycle)
        top = [w["word"] for w in words[:2]]
        assert all(w in own and w not in others for w in top), (cycle, top)


def test_trend_of_a_word_counts_citations_per_cycle(generated, generated_client):
    mentions = generated.statistics.mentions("适老化")
    by_cycle = {m["cycle"]: m for m in mentions}
    for cycle, m in by_cycle.items():
        expected = count(generated, "cycle = ? and citation like '%适老化%'", cycle)
        assert m["mentions"] == expected, cycle
        assert m["entries"] == count(generated, "cycle = ?", cycle)
        cited = count(generated, "cycle = ? and coalesce(citation, '') != ''", cycle)
        assert m["cited"] == cited  # the base of the share: entries that have a citation
        assert m["share"] == (round(expected / cited, 4) if cited else None)
    html = generated_client.get("/trends?q=适老化").get_data(as_text=True)
    assert '<svg class="chart" id="chart-trend"' in html
    for href, text in links(html):
        if text.isdigit() and "%E4%BA%8B%E8%BF%B9" in href:  # 事迹:"适老化"
            body = generated_client.get(href).get_data(as_text=True)
            m = re.search(r'共 <span class="total">(\d+)</span> 个结果(?:.*?（(\d+) 条记录)?', body)
            assert int(m.group(2) or m.group(1)) == int(text), href


def test_trend_of_a_phrase(generated):
    phrase = "首问负责制"
    total = sum(m["mentions"] for m in generated.statistics.mentions(phrase))
    assert total == count(generated, "citation like ?", f"%{phrase}%")


def test_trends_page_escapes_and_limits_the_query(generated_client):
    html = generated_client.get("/trends?q=<img src=x onerror=alert(1)>").get_data(as_text=True)
    assert "<img src=x" not in html
    assert generated_client.get("/trends?q=" + "字" * 300).status_code == 400
    assert generated_client.get("/api/trends?q=5G").get_json()["mentions"]


def test_honoree_page_shows_similar_citations_and_same_unit(generated, generated_client):
    li = next(generated.db.query("select * from entries where name = '李玉柱' and cycle = "
                              "'2017-2018' and unit like '%重要通信局'"))
    html = generated_client.get(f"/honorees/{li['id']}").get_data(as_text=True)
    assert "相似的事迹" in html
    similar = generated.records.similar_to(li["id"])
    assert similar and all(s["id"] != li["id"] for s in similar)
    assert li["person_key"] not in {next(generated.db.query(
        "select person_key from entries where id = ?", [s["id"]]))["person_key"] for s in similar}
    # A team that shares its unit (or, without one, its company) with others: they are
    # listed (the heading names what they share).
    team = next(generated.db.query(
        "select * from entries as t where kind = 'team' and exists (select 1 from entries "
        "as o where o.person_key != t.person_key and (o.unit = t.unit or (t.unit is null "
        "and o.company = t.company))) order by id limit 1"))
    column = "unit" if team["unit"] else "company"
    others = {r["id"] for r in generated.db.query(
        f"select id from entries where {column} = ? and person_key != ?",
        [team[column], team["person_key"]])}
    html = generated_client.get(f"/honorees/{team['id']}").get_data(as_text=True)
    assert others
    assert "同单位的其他获奖者" in html
    shown = set(re.findall(r'/honorees/([0-9a-f]+)"', html.split("同单位的其他获奖者")[1]
                           .split("</section>")[0]))
    assert shown and shown <= others


def test_similar_citations_rank_shared_words_first(generated):
    target = next(generated.db.query("select id, citation from entries where name = '谢华'"))
    similar = generated.records.similar_to(target["id"], limit=3)
    sentences = set(re.findall(r"[^。]+。", target["citation"]))
    best = next(generated.db.query("select citation from entries where id = ?", [similar[0]["id"]]))
    assert sentences & set(re.findall(r"[^。]+。", best["citation"]))


@pytest.mark.parametrize("query, status", [("gender=女", 200), ("age=30-39", 200),
                                           ("size=100%2B", 200), ("gender=x", 400),
                                           ("age=999", 400), ("size=<script>", 400)])
def test_cycle_browse_filters_by_gender_age_and_team_size(generated_client, query, status):
    page = generated_client.get(f"/cycles/2017-2018?{query}")
    assert page.status_code == status
    html = page.get_data(as_text=True)
    assert "<script>" not in html
    if status == 200:
        assert "其他条件" in html and "✕" in html


def test_cycle_age_filter_matches_the_ages(generated, generated_client):
    html = generated_client.get("/cycles/2017-2018?kind=individual&age=30-39").get_data(as_text=True)
    shown = set(re.findall(r'<a href="/honorees/([0-9a-f]+)">', html))
    expected = {r["id"] for r in generated.db.query(
        "select id, birth from entries where cycle = '2017-2018' and kind = 'individual' "
        "and birth is not null") if 30 <= 2018 - int(r["birth"][:4]) <= 39}
    assert shown == expected and expected


def test_keywords_are_served_at_once_and_refreshed_after_an_import(seeded_copy, data_dir):
    """Keywords take seconds at 100,000 entries: after an import the previous ones are
    served at once while the new ones are computed in the background."""
    import time
    seeded_copy.indexing.reindex()  # writes cache/keywords.json
    before = seeded_copy.statistics.keywords()
    assert set(before) == {"2017-2018"}
    seeded_copy.imports.import_paths([data_dir / "hubei-2019-2020-honorees.json"])
    assert seeded_copy.statistics.keywords() == before  # stale, at once
    deadline = time.monotonic() + 30
    while set(seeded_copy.statistics.keywords()) == {"2017-2018"} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert set(seeded_copy.statistics.keywords()) == {"2017-2018", "2019-2020"}
    # A new process starts from the file.
    from archive.archive import Archive
    other = Archive(seeded_copy.home)  # an instance of its own, as a new process has
    assert set(other.statistics.keywords()) == {"2017-2018", "2019-2020"}
    other.close()


def test_a_share_is_over_the_entries_with_a_citation_and_absent_without_any(seeded_copy,
                                                                            tmp_path):
    """A commendation list carries no citations: its cycle is not a base for a share
    (it showed as a collapse to 3.1%), and the page says why there is no figure."""
    import notice_files
    path = tmp_path / "通报.html"
    path.write_bytes(notice_files.commendation_html())
    seeded_copy.imports.import_paths([path])
    client = make_app(seeded_copy.home).test_client()
    mentions = {m["cycle"]: m for m in client.get("/api/trends?q=投诉").get_json()["mentions"]}
    seed, listed = mentions["2017-2018"], mentions["2021-2022"]
    assert (seed["entries"], seed["cited"]) == (5, 5)
    assert seed["share"] == round(seed["mentions"] / 5, 4) and seed["mentions"] >= 3
    assert listed["entries"] > 5 and (listed["cited"], listed["share"]) == (0, None)
    html = client.get("/trends?q=投诉").get_data(as_text=True)
    assert "该年度的名单没有附事迹" in html and "无事迹" in html
    assert f"{seed['mentions']} / 5 = " in html  # n and N printed beside the share
    honorees = client.get("/api/trends?q=投诉&stage=honorees").get_json()["mentions"]
    assert [m["cycle"] for m in honorees] == ["2021-2022"]
    assert client.get("/api/trends?q=投诉&stage=x").status_code == 400


def test_share_axis_ticks_are_round_values():
    from archive.web.charts import share_ticks
    assert share_ticks(0.85) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert share_ticks(0.031) == [0.0, 0.01, 0.02, 0.03, 0.04]
    assert share_ticks(0.167) == [0.0, 0.05, 0.1, 0.15, 0.2]
    for peak in (0.0, 0.004, 0.2, 0.33, 0.5, 0.999):
        ticks = share_ticks(peak)
        assert 2 <= len(ticks) <= 6 and ticks[-1] >= peak
        assert all(round(t * 100, 6) == round(t * 100) for t in ticks)


def test_compare_opens_on_the_two_newest_cycles_with_what_it_compares(seeded_copy, tmp_path):
    """/compare compares honorees by default: it opens on the two newest cycles that
    have honorees, not on a newest cycle of candidates only."""
    from conftest import DATA, make_app
    seeded_copy.imports.import_paths([DATA / "beijing-2017-2018-honorees.csv"])
    for cycle, stage, name in (("2019-2020", "honorees", "测试表彰"),
                               ("2021-2022", "candidates", "测试候选")):
        path = tmp_path / f"{cycle}.csv"
        path.write_text(f"# title: 关于{cycle}年度全国用户满意电信服务明星的通知（虚构测试数据）\n"
                        f"# publisher: 工业和信息化部\n# published: {cycle[5:]}-05-18\n"
                        f"# cycle: {cycle}\n# stage: {stage}\nkind,name\nindividual,{name}\n",
                        encoding="utf-8")
        seeded_copy.imports.import_paths([path])
    client = make_app(seeded_copy.home).test_client()
    data = client.get("/api/compare").get_json()
    assert (data["a"], data["b"]) == ("2017-2018", "2019-2020")
    candidates = client.get("/api/compare?stage=candidates").get_json()
    assert (candidates["a"], candidates["b"]) == ("2017-2018", "2021-2022")


def test_stats_count_a_person_once_and_take_a_stage(seeded_copy):
    """李玉柱 is a candidate and an honoree of 2017-2018: once in /stats of both stages,
    once in each stage's; ?stage= chooses, anything else is a 400."""
    from conftest import DATA, make_app
    seeded_copy.imports.import_paths([DATA / "beijing-2017-2018-honorees.csv"])
    client = make_app(seeded_copy.home).test_client()
    both = client.get("/api/stats").get_json()
    honorees = client.get("/api/stats?stage=honorees").get_json()
    candidates = client.get("/api/stats?stage=candidates").get_json()
    distinct = people(seeded_copy, "cycle = '2017-2018'")
    assert both["people"] == distinct < both["entries"]
    assert honorees["people"] == people(seeded_copy, "stage = 'honorees'")
    assert candidates["people"] == people(seeded_copy, "stage = 'candidates'")
    assert honorees["people"] + candidates["people"] > both["people"]
    assert client.get("/api/stats?stage=bogus").status_code == 400
    html = client.get("/stats?stage=honorees").get_data(as_text=True)
    assert f"表彰获奖：共 {honorees['people']} 位（个）" in html and "女性占比（不含未注明）" in html
