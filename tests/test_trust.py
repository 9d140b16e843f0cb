"""What a journalist can trust: stage everywhere, counts, exports that follow the page."""

import csv
import io
import re

import pytest

from archive.archive import Archive

from conftest import DATA


@pytest.fixture
def mixed(seeded_copy, monkeypatch):
    """The seed's candidates plus the Beijing honorees of the same cycle (李玉柱 is both)."""
    seeded_copy.imports.import_paths([DATA / "beijing-2017-2018-honorees.csv"])
    from archive.web import create_app
    app = create_app({"TESTING": True, "ARCHIVE_HOME": str(seeded_copy.home),
                      "SECRET_KEY": "test-only-key"})
    return app.test_client()


def test_stage_is_in_every_result_and_a_facet_and_a_filter(mixed):
    result = mixed.get("/api/search?q=李玉柱").get_json()
    # One person, shown once, with both stages on their path; facets count entries.
    [hit] = result["results"]
    assert hit["stage"] in ("candidates", "honorees")
    assert sorted(p["stage"] for p in hit["path"]) == ["candidates", "honorees"]
    assert {f["value"]: f["count"] for f in result["facets"]["stage"]} == \
        {"candidates": 1, "honorees": 1}
    honours = mixed.get("/api/search?q=李玉柱&stage=honorees").get_json()
    assert [h["stage"] for h in honours["results"]] == ["honorees"]
    page = mixed.get("/search?q=李玉柱").get_data(as_text=True)
    assert "候选人公示" in page and "表彰获奖" in page and "阶段" in page


def test_cycle_page_counts_people_once_and_splits_stages(mixed):
    page = mixed.get("/cycles/2017-2018").get_data(as_text=True)
    # Seed: 5 candidates; CSV: 3 honorees, of whom 李玉柱 and the 投诉处理中心 team were
    # candidates too: 6 people and teams in all.
    assert "候选人 5" in page and "获表彰 3" in page and "共 6 位（个）" in page
    only = mixed.get("/cycles/2017-2018?stage=honorees").get_data(as_text=True)
    assert "王晓明" in only and "刘鑫鑫" not in only
    csv_link = re.search(r'href="(/export/cycles/2017-2018\.csv[^"]*)"', only).group(1)
    rows = list(csv.DictReader(io.StringIO(
        mixed.get(csv_link.replace("&amp;", "&")).get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["阶段"] for r in rows} == {"获表彰"} and len(rows) == 3


def test_home_page_says_candidates_and_honorees(mixed, shared_client):
    home = mixed.get("/").get_data(as_text=True)
    assert re.search(r"<strong>5</strong> 位（个）候选人", home)
    assert re.search(r"<strong>3</strong> 位（个）获表彰", home)
    only_candidates = shared_client.get("/").get_data(as_text=True)
    assert "服务明星</li>" not in only_candidates
    assert re.search(r"<strong>0</strong> 位（个）获表彰", only_candidates)


def test_feed_entries_say_the_stage(mixed):
    feed = mixed.get("/feed.atom").get_data(as_text=True)
    assert "（获表彰）" in feed and "（候选人）" in feed


def _csv(response):
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_chinese_csv_has_source_columns_chinese_values_and_excel_safe_text(mixed):
    rows = _csv(mixed.get("/export/search.csv?q=李玉柱"))
    assert list(rows[0])[:5] == ["编号", "类别", "姓名或班组名称", "阶段", "评选年度"]
    honoree = next(r for r in rows if r["阶段"] == "获表彰")
    assert honoree["类别"] == "个人" and honoree["姓名或班组名称"] == "李玉柱"
    assert honoree["来源通知"].startswith("关于表彰2017-2018年度") and honoree["发布单位"] == "工业和信息化部"
    assert honoree["文号"] == "工信部信管〔2019〕3号"
    assert honoree["发布日期"] == '="2019-01-15"' and honoree["评选年度"] == '="2017-2018"'
    assert re.fullmatch(r'="[0-9a-f]{12}"', honoree["编号"])
    candidate = next(r for r in rows if r["阶段"] == "候选人")
    assert candidate["出生年月"] == '="1989-11-08"'


def test_exports_follow_the_search_filters(mixed):
    page = mixed.get("/search?q=北京&stage=honorees&kind=individual").get_data(as_text=True)
    link = re.search(r'href="(/export/search\.csv\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "stage=honorees" in link and "kind=individual" in link
    rows = _csv(mixed.get(link))
    assert rows and {(r["阶段"], r["类别"]) for r in rows} == {("获表彰", "个人")}
    data = mixed.get(link.replace(".csv", ".json")).get_json()
    assert data["filters"] == {"kind": "individual", "stage": "honorees"}
    assert {e["stage"] for e in data["entries"]} == {"honorees"}
    assert list(data["entries"][0]) == list(
        mixed.get("/api/honorees/" + data["entries"][0]["id"]).get_json())[:18]


def test_formula_cells_are_neutralised(seeded_copy, tmp_path):
    import json
    doc = {"notice": {"title": "关于表彰2019-2020年度全国用户满意电信服务明星的通报（虚构测试数据）",
                      "publisher": "工业和信息化部", "published": "2021-01-15"},
           "entries": [{"kind": "个人", "name": '=HYPERLINK("http://evil.example","点我")',
                        "company": "+中国移动", "unit": "-1+2", "citation": "@SUM(A1)"},
                       {"kind": "个人", "name": "正常名字", "company": "中国移动",
                        "citation": "\t=1+1"}]}
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    seeded_copy.imports.import_paths([path])
    from archive.web import create_app
    client = create_app({"TESTING": True, "ARCHIVE_HOME": str(seeded_copy.home),
                         "SECRET_KEY": "k"}).test_client()
    for url in ("/export/cycles/2019-2020.csv", "/export/cycles/2019-2020.csv?lang=en"):
        for row in _csv(client.get(url)):
            for value in row.values():
                assert not value.startswith(("=H", "+", "-", "@", "\t", "\r")), (url, value)
        assert "'=HYPERLINK(" in client.get(url).data.decode("utf-8-sig")


# -- corrections ----------------------------------------------------------------------

def _form(client, entry_id):
    from conftest import csrf_token
    page = client.get(f"/admin/entries/{entry_id}").get_data(as_text=True)
    form = dict(re.findall(r'<input[^>]* id="(\w+)"[^>]* value="([^"]*)"', page))
    textarea = re.search(r'<textarea[^>]*id="citation"[^>]*>\n?(.*?)</textarea>', page, re.S)
    import html
    form["citation"] = html.unescape(textarea.group(1))
    form["csrf_token"] = csrf_token(page)
    return form


def test_saving_one_field_changes_only_that_field(logged_in, app):
    hit = logged_in.get("/api/search?q=刘鑫鑫").get_json()["results"][0]
    a = Archive(app.config["ARCHIVE_HOME"])
    before = a.db["entries"].get(hit["id"])
    form = _form(logged_in, hit["id"])
    form["citation"] = form["citation"].replace("\n", "\r\n") + "  \r\n"  # as a browser sends it
    r = logged_in.post(f"/admin/entries/{hit['id']}", data=form)
    assert r.status_code == 302
    assert a.db["corrections"].count == 0  # nothing changed, nothing recorded
    form["education"] = "硕士研究生"
    logged_in.post(f"/admin/entries/{hit['id']}", data=form)
    after = a.db["entries"].get(hit["id"])
    assert after["education"] == "硕士研究生" and after["citation"] == before["citation"]
    assert [c["field"] for c in a.corrections.trail(hit["id"])] == ["education"]
    # Re-importing the notice reports no false conflict for the citation.
    from conftest import SEED
    text = SEED.read_text("utf-8").replace("阿尔及利亚", "某国")
    plan = a.imports.plan_files([("seed.txt", text.encode())])[0]
    assert [(c["name"], c["field"]) for c in plan.conflicts] == [("刘鑫鑫", "education")]
    a.close()


def test_corrected_fields_are_marked_publicly_with_the_notices_value(logged_in, app):
    hit = logged_in.get("/api/search?q=刘鑫鑫").get_json()["results"][0]
    form = _form(logged_in, hit["id"])
    form["education"] = "硕士研究生"
    logged_in.post(f"/admin/entries/{hit['id']}", data=form)
    logged_in.post("/admin/logout", data={"csrf_token": form["csrf_token"]})
    page = logged_in.get(f"/honorees/{hit['id']}").get_data(as_text=True)
    assert re.search(r"硕士研究生\s*<span class=\"tag corrected\"[^>]*>已更正</span>", page)
    assert re.search(r"通知原文：大学本科[^<]*更正于 \d{4}-\d{2}-\d{2}", page)
    log = logged_in.get("/corrections").get_data(as_text=True)
    assert "刘鑫鑫" in log and "学历" in log and "大学本科" in log and "硕士研究生" in log
    assert "editor" not in log  # who corrected is the admins' business
    api = logged_in.get(f"/api/honorees/{hit['id']}").get_json()
    assert api["corrections"][0]["field"] == "education"
    assert api["corrections"][0]["before"] == "大学本科"


# -- citations ------------------------------------------------------------------------

def _app(home, **config):
    from archive.web import create_app
    return create_app({"TESTING": True, "ARCHIVE_HOME": str(home), "SECRET_KEY": "k", **config})


def test_citation_links_use_the_configured_base_url_never_the_host_header(seeded_copy):
    client = _app(seeded_copy.home, BASE_URL="https://honors.example.org").test_client()
    hit = client.get("/api/search?q=李玉柱").get_json()["results"][0]
    page = client.get(f"/honorees/{hit['id']}", headers={"Host": "evil.example"}).get_data(
        as_text=True)
    assert "evil.example" not in page
    assert f"https://honors.example.org/honorees/{hit['id']}" in page
    assert f'<link rel="canonical" href="https://honors.example.org/honorees/{hit["id"]}">' in page
    feed = client.get("/feed.atom", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in feed and "<id>https://honors.example.org/honorees/" in feed
    # With no base URL configured, the request's own address is used.
    plain = _app(seeded_copy.home).test_client()
    assert "http://localhost/honorees/" in plain.get(f"/honorees/{hit['id']}").get_data(
        as_text=True)


def test_citation_formats_on_the_page_and_in_the_api(seeded_copy):
    import datetime
    import json
    client = _app(seeded_copy.home, BASE_URL="https://honors.example.org").test_client()
    hit = client.get("/api/search?q=李玉柱").get_json()["results"][0]
    url = f"https://honors.example.org/honorees/{hit['id']}"
    today = datetime.date.today().isoformat()
    cite = client.get(f"/api/honorees/{hit['id']}").get_json()["cite"]
    assert cite["plain"].startswith("李玉柱（中国联通北京分公司），2017-2018年度全国用户满意电信服务明星候选人。")
    assert cite["gbt7714"] == (
        "北京市通信管理局. “全国用户满意电信服务明星”“全国用户满意电信服务明星班组”候选人名单公示"
        f"：李玉柱[EB/OL]. (2018-10-24)[{today}]. {url}.")
    assert cite["bibtex"].startswith(f"@misc{{honors-{hit['id']},")
    assert "author = {{北京市通信管理局}}" in cite["bibtex"] and f"urldate = {{{today}}}" in cite["bibtex"]
    assert f"url = {{{url}}}" in cite["bibtex"] and "date = {2018-10-24}" in cite["bibtex"]
    csl = cite["csl"]
    assert csl["type"] == "webpage" and csl["URL"] == url
    assert csl["author"] == [{"literal": "北京市通信管理局"}]
    assert csl["issued"] == {"date-parts": [[2018, 10, 24]]}
    assert csl["accessed"]["date-parts"][0] == [int(x) for x in today.split("-")]
    page = client.get(f"/honorees/{hit['id']}").get_data(as_text=True)
    for label in ("GB/T 7714", "BibTeX", "CSL-JSON"):
        assert label in page
    assert page.count('class="copy"') >= 4
    block = re.search(r'<textarea id="cite-csl"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    import html
    assert json.loads(html.unescape(block))["URL"] == url


# -- notices ----------------------------------------------------------------------------

def test_notices_have_filters_and_pages(mixed, app):
    a = Archive(app.config["ARCHIVE_HOME"])
    a.imports.import_paths([DATA / "guangdong-2019-2020-candidates.html",
                    DATA / "hubei-2019-2020-honorees.json"])
    a.close()
    every = mixed.get("/notices").get_data(as_text=True)
    assert every.count('class="notice-item"') == 4
    only = mixed.get("/notices?stage=honorees").get_data(as_text=True)
    assert "关于表彰2017-2018年度" in only and "候选人名单公示" not in only
    assert "工业和信息化部" in mixed.get("/notices?publisher=工业和信息化部").get_data(as_text=True)
    beijing = mixed.get("/notices?region=北京").get_data(as_text=True)
    assert "候选人名单公示" in beijing and "关于表彰2017-2018年度" not in beijing
    cycle = mixed.get("/notices?cycle=2017-2018").get_data(as_text=True)
    assert cycle.count('class="notice-item"') == 2
    assert mixed.get("/notices?page=99").status_code == 404
    assert mixed.get("/notices?stage=nonsense").status_code == 400
    page = mixed.get("/notices?per_page=1").get_data(as_text=True)
    assert page.count('class="notice-item"') == 1 and "第 1/" in page and "下一页" in page
    api = mixed.get("/api/notices?stage=honorees").get_json()
    assert {n["stage"] for n in api} == {"honorees"}
