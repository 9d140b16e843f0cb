"""Every public page through the Flask test client: status, content, escaping."""

import csv
import io
import json
import re

import pytest

from archive.archive import Archive

from conftest import DATA, ROOT, make_app


def _html(response):
    return response.get_data(as_text=True)


def test_home(shared_client):
    r = shared_client.get("/")
    body = _html(r)
    assert r.status_code == 200
    assert '<html lang="zh-CN">' in body
    # The seed lists candidates only: none of them is presented as an honoree.
    assert "<strong>5</strong> 位（个）候选人" in body and "<strong>0</strong> 位（个）获表彰" in body
    assert "共 5 位（个）：个人 3 · 班组 2；获表彰 0 · 候选人 5" in body
    assert "2017-2018年度" in body and "候选人名单公示" in body
    assert 'action="/search"' in body and '<label for="q">' in body


def test_search_page_highlights_and_links(shared_client):
    body = _html(shared_client.get("/search?q=玉柱"))
    assert "共 <span class=\"total\">1</span> 个结果" in body
    assert "李<mark>玉柱</mark>" in body  # the name is highlighted
    hit_id = re.search(r'href="/honorees/([0-9a-f]{12})"', body).group(1)
    assert shared_client.get(f"/honorees/{hit_id}").status_code == 200
    assert "<title>“玉柱”的检索结果 · " in body


def test_search_facets_are_filter_links_and_removable(shared_client):
    body = _html(shared_client.get("/search?q=投诉"))
    assert "共 <span class=\"total\">4</span> 个结果" in body
    link = re.search(r'href="(/search\?[^"]*operator=[^"]+)"', body).group(1).replace("&amp;", "&")
    filtered = _html(shared_client.get(link))
    assert "已选条件" in filtered and "✕" in filtered
    remove = re.search(r'class="remove" href="([^"]+)"', filtered).group(1).replace("&amp;", "&")
    assert "operator" not in remove
    body = _html(shared_client.get("/search?q=投诉&operator=中国电信&kind=team"))
    assert "共 <span class=\"total\">1</span> 个结果" in body
    assert "客户服务部<mark>投诉</mark>处理中心" in body


def test_search_sort_pagination_relaxed_and_empty(shared_client):
    body = _html(shared_client.get("/search?q=投诉&sort=newest"))
    assert "<strong>最新年度</strong>" in body
    relaxed = _html(shared_client.get("/search?q=李玉柱+密云"))
    assert "以下结果包含其中任意一个词" in relaxed
    empty = _html(shared_client.get("/search?q=不存在的人名字"))
    assert "没有找到相关记录" in empty and "liyuzhu" in empty
    assert shared_client.get("/search?q=&page=2").status_code == 200


@pytest.mark.parametrize("url", ["/search?page=abc", "/search?page=0", "/search?sort=x",
                                 "/search?q=" + "x" * 300, "/search?cycle=a&cycle=b",
                                 "/cycles/2017-2018?kind=robot"])
def test_bad_search_parameters_give_400_with_a_message(shared_client, url):
    r = shared_client.get(url)
    assert r.status_code == 400
    body = _html(r)
    assert "Traceback" not in body and ("class=\"error\"" in body or "<h1>400</h1>" in body)


def test_honoree_page(shared_client):
    result = shared_client.get("/api/search?q=李玉柱").get_json()
    entry_id = result["results"][0]["id"]
    body = _html(shared_client.get(f"/honoree/{entry_id}".replace("honoree/", "honorees/")))
    assert "<h1>李玉柱" in body
    for text in ("1989-11-08", "大学本科", "班长", "中国联合网络通信有限公司北京市分公司重要通信局",
                 "中国联通北京分公司", "北京市通信管理局 · 2018-10-24",
                 "申报说明材料", "引用"):
        assert text in body, text
    assert body.count("<p>", body.index("申报说明材料")) >= 8  # paragraphs kept
    assert re.search(r"李玉柱（中国联合网络通信有限公司北京市分公司重要通信局），2017-2018年度全国用户满意电信服务明星候选人。"
                     r"来源：北京市通信管理局《[^》]*》，2018-10-24。http://localhost/honorees/",
                     body)
    # The number the seed quotes in its preamble is not presented as its own.
    assert "工信行建" not in body


def test_cycles_and_cycle_page(shared_client):
    body = _html(shared_client.get("/cycles"))
    assert 'href="/cycles/2017-2018"' in body
    cycle = _html(shared_client.get("/cycles/2017-2018"))
    assert "共 5 位（个）：候选人 5 · 获表彰 0" in cycle and "5 条记录" in cycle
    for operator in ("中国联通", "中国电信", "中国移动"):
        assert f"<h2>{operator} <span class=\"count\">" in cycle
    teams = _html(shared_client.get("/cycles/2017-2018?kind=team"))
    assert "共 2 位（个）：候选人 2" in teams and "刘鑫鑫" not in teams
    assert shared_client.get("/cycles/1999-2000").status_code == 404


def test_notice_pages(shared_client):
    notices = shared_client.get("/api/notices").get_json()
    body = _html(shared_client.get(f"/notices/{notices[0]['id']}"))
    assert "北京市通信管理局" in body and "收录记录（5，按通知中的顺序）" in body
    assert "京ICP备05000003号" in body  # the original text, verbatim
    assert shared_client.get("/notices/nope").status_code == 404


def test_about_and_404(shared_client):
    assert "name:张娜" in _html(shared_client.get("/about"))
    r = shared_client.get("/no/such/page")
    assert r.status_code == 404 and "找不到这个页面" in _html(r) and 'lang="zh-CN"' in _html(r)


def test_exports(shared_client):
    r = shared_client.get("/export/search.csv?q=联通")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.data.startswith(b"\xef\xbb\xbf")
    assert "filename*=UTF-8''honorees-search-" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert {row["姓名或班组名称"] for row in rows} == {"李玉柱", "集中处理专席"}
    assert rows[0]["申报说明材料"].count("\n") >= 1
    english = shared_client.get("/export/search.csv?q=联通&lang=en")
    assert not english.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(english.data.decode("utf-8"))))
    assert {row["name"] for row in rows} == {"李玉柱", "集中处理专席"}
    data = json.loads(shared_client.get("/export/cycles/2017-2018.json").data)
    assert [e["cycle"] for e in data] == ["2017-2018"] * 5
    r = shared_client.get("/export/cycles/2017-2018.csv")
    assert 'honorees-2017-2018.csv' in r.headers["Content-Disposition"]
    assert len(list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))) == 5
    assert shared_client.get("/export/cycles/2017-2018.xml").status_code == 404


def test_atom_feed_is_valid(shared_client):
    from xml.etree import ElementTree as ET
    r = shared_client.get("/feed.atom")
    assert r.mimetype == "application/atom+xml"
    root = ET.fromstring(r.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for tag in ("title", "id", "updated", "author"):
        assert root.find(f"a:{tag}", ns) is not None
    entries = root.findall("a:entry", ns)
    assert len(entries) == 5
    for entry in entries:
        for tag in ("id", "title", "updated", "link"):
            assert entry.find(f"a:{tag}", ns) is not None


def test_healthz(shared_client):
    body = shared_client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["store_entries"] == body["index_entries"] == 5
    assert re.fullmatch(r"\d{8}T\d{12}Z", body["snapshot"])


def test_security_headers_and_no_inline_script(shared_client):
    r = shared_client.get("/search?q=李玉柱")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    body = _html(r)
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert not re.search(r"(src|href)=\"(https?:)?//", body)  # no external assets


def test_etag_last_modified_and_compression(shared_client):
    r = shared_client.get("/search?q=李玉柱")
    assert r.headers["ETag"] and r.headers["Last-Modified"]
    again = shared_client.get("/search?q=李玉柱", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    gz = shared_client.get("/search?q=李玉柱", headers={"Accept-Encoding": "gzip"})
    assert gz.headers.get("Content-Encoding") == "gzip"


def test_static_assets_are_served(shared_client):
    for path in ("/static/style.css", "/static/app.js"):
        with shared_client.get(path) as r:
            assert r.status_code == 200
            assert r.data == (ROOT / "archive/web" / path.lstrip("/")).read_bytes()


def test_missing_index_is_a_503_with_a_message(app, client):
    import shutil
    from pathlib import Path
    root = Path(app.config["ARCHIVE_HOME"]) / "index"
    shutil.rmtree(root)
    app.extensions["archive"].live.close()
    r = client.get("/search?q=李玉柱")
    assert r.status_code == 503 and "archive reindex" in r.get_data(as_text=True)
    r = client.get("/api/search?q=李玉柱")
    assert r.status_code == 503 and r.get_json()["status"] == 503
    assert client.get("/healthz").status_code == 503
    assert client.get("/").status_code == 200  # pages from the store still work


def test_a_page_past_the_end_says_so_and_links_to_the_last_page(shared_client):
    body = _html(shared_client.get("/search?q=投诉&page=9"))
    assert "没有找到相关记录" not in body
    assert "这一页已超出结果范围" in body
    assert '<a href="/search?q=%E6%8A%95%E8%AF%89&amp;page=1">回到最后一页（第 1 页）</a>' in body
    api = shared_client.get("/api/search?q=投诉&page=9")
    assert api.status_code == 200
    data = api.get_json()
    assert data["results"] == [] and data["total"] == 4 and data["page"] == 9


def test_hostile_notice_text_is_escaped_everywhere(client, app):
    a = Archive(app.config["ARCHIVE_HOME"])
    a.imports.import_paths([DATA / "xss-2019-2020-candidates.txt"])
    a.close()
    hit = client.get("/api/search?q=钱多多").get_json()
    assert hit["total"] == 1
    entry_id = hit["results"][0]["id"]
    snippet = hit["results"][0]["snippet"]
    assert "<script" not in snippet and "<img" not in snippet
    assert "&lt;script&gt;" in snippet  # the citation's script tag, shown as text
    for url in (f"/honorees/{entry_id}", "/search?q=钱多多", "/search?q=宽带",
                "/cycles/2019-2020", f"/notices/{hit['results'][0]['id'][:0]}"
                + client.get(f"/api/honorees/{entry_id}").get_json()["notice_id"],
                "/feed.atom"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>window" not in body and "<img src=x" not in body, url
        assert '<a href="javascript:' not in body and "<svg onload" not in body, url


def test_export_filenames_are_quoted_safely(shared_client):
    r = shared_client.get('/export/search.csv?q=玉柱"; x="y')
    assert r.status_code == 200
    disposition = r.headers["Content-Disposition"]
    plain = re.search(r'filename="([^"]*)"', disposition).group(1)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", plain)
    assert disposition.count('"') == 2
    assert "filename*=UTF-8''" in disposition and "%E7%8E%89%E6%9F%B1" in disposition


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


def test_absolute_urls_only_for_allowed_hosts(client):
    honoree = client.get("/api/search?q=李玉柱").get_json()["results"][0]["id"]
    forged = client.get(f"/api/honorees/{honoree}", headers={"Host": "evil.example"})
    text = json.dumps(forged.get_json(), ensure_ascii=False)
    assert "evil.example" not in text
    assert "evil.example" not in client.get("/feed.atom",
                                            headers={"Host": "evil.example"}).get_data(as_text=True)
    local = client.get(f"/api/honorees/{honoree}", headers={"Host": "localhost:8000"})
    assert "http://localhost:8000/honorees/" in json.dumps(local.get_json(), ensure_ascii=False)


def test_empty_fields_leave_no_dangling_separators(seeded_copy, tmp_path):
    """A result, a notice line and a preview row whose fields are partly empty read as
    the fields they have, never "· ·" or a trailing "·"."""
    path = tmp_path / "list.csv"
    path.write_text("# title: 关于表彰2021-2022年度全国用户满意电信服务明星的通报（虚构测试数据）\n"
                    "# publisher: 工业和信息化部\n# published: 2023-05-18\n# cycle: 2021-2022\n"
                    "# stage: honorees\nkind,name\nindividual,测试空栏\n", encoding="utf-8")
    seeded_copy.imports.import_paths([path])
    client = make_app(seeded_copy.home).test_client()
    for url in ("/search?q=测试空栏", "/notices"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"·\s*(?:·|</)", html), url


def test_entries_without_a_region_are_listed_and_filtered_as_unstated(seeded_copy, tmp_path):
    """/cycles/…: an entry whose unit names no place is 未注明 in the region filter, the
    filter sends that word (never "None"), and choosing it lists exactly those entries;
    regions come in the official order (GB/T 2260), 未注明 last."""
    path = tmp_path / "list.csv"
    path.write_text("# title: 关于表彰2021-2022年度全国用户满意电信服务明星的通报（虚构测试数据）\n"
                    "# publisher: 工业和信息化部\n# published: 2023-05-18\n# cycle: 2021-2022\n"
                    "# stage: honorees\nkind,name,unit\nindividual,测试无地,某某科技有限公司\n"
                    "individual,测试广东,中国电信股份有限公司广东分公司\n"
                    "individual,测试北京,中国联合网络通信有限公司北京市分公司\n"
                    "individual,测试上海,中国移动通信集团上海有限公司\n", encoding="utf-8")
    seeded_copy.imports.import_paths([path])
    client = make_app(seeded_copy.home).test_client()
    html = client.get("/cycles/2021-2022").get_data(as_text=True)
    select = re.search(r'<select id="region".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "北京", "上海", "广东", "未注明"]
    assert "None" not in select and ">未注明（1）<" in select
    chosen = client.get("/cycles/2021-2022?region=未注明").get_data(as_text=True)
    assert "测试无地" in chosen and "测试广东" not in chosen
    assert re.search(r"共 1 位", chosen)


def test_the_notice_filters_list_publishers_by_sound(seeded_copy, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("# title: 关于表彰2021-2022年度全国用户满意电信服务明星的通报（虚构测试数据）\n"
                    "# publisher: 工业和信息化部\n# published: 2023-05-18\n# cycle: 2021-2022\n"
                    "# stage: honorees\nkind,name\nindividual,测试某\n", encoding="utf-8")
    seeded_copy.imports.import_paths([path])
    html = make_app(seeded_copy.home).test_client().get("/notices").get_data(as_text=True)
    select = re.search(r'<select id="publisher".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "北京市通信管理局", "工业和信息化部"]


def test_home_and_about_split_people_not_entries(mixed):
    """李玉柱 is a candidate and an honoree of 2017-2018: two entries, one person. Home and
    /about give people and teams as the split of people, and say who counts once."""
    home = mixed.get("/").get_data(as_text=True)
    line = re.search(r"共 (\d+) 位（个）：个人 (\d+) · 班组 (\d+)；获表彰 (\d+) · 候选人 (\d+)", home)
    people, individuals, teams, honorees, candidates = map(int, line.groups())
    assert people == individuals + teams and honorees + candidates > people
    about = mixed.get("/about").get_data(as_text=True)
    m = re.search(r"(\d+) 条记录，涉及 (\d+) 位个人、(\d+) 个班组（同一评选年度中既是候选人又获表彰的只计一次）",
                  about)
    entries, people_about, teams_about = map(int, m.groups())
    assert entries > people_about + teams_about
