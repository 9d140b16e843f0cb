"""Exports (archive/exports.py, web/downloads.py): CSV and JSON downloads, formula
neutralisation, citations."""

import csv
import io
import re

from conftest import make_app


def _csv(response):
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def _app(home, **config):
    return make_app(home, **config)


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
    client = make_app(seeded_copy.home).test_client()
    for url in ("/export/cycles/2019-2020.csv", "/export/cycles/2019-2020.csv?lang=en"):
        for row in _csv(client.get(url)):
            for value in row.values():
                assert not value.startswith(("=H", "+", "-", "@", "\t", "\r")), (url, value)
        assert "'=HYPERLINK(" in client.get(url).data.decode("utf-8-sig")


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
