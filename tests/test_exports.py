"""Exports (archive/exports.py, web/downloads.py): CSV and JSON downloads, formula
neutralisation, citations."""

import csv
import io
import re

import pytest

from conftest import make_app


def _csv(response):
    """The rows of a CSV download: the Chinese one starts with a BOM (Excel), the
    English one never does (programs)."""
    assert response.status_code == 200
    english = "lang=en" in response.request.url or "-en.csv" in response.request.url
    assert response.data.startswith(b"\xef\xbb\xbf") != english
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def _app(home, **config):
    return make_app(home, **config)


def test_chinese_csv_has_source_columns_chinese_values_and_plain_text(mixed):
    rows = _csv(mixed.get("/export/search.csv?q=李玉柱"))
    assert list(rows[0])[:6] == ["编号", "来源通知编号", "类别", "姓名或班组名称", "阶段", "评选年度"]
    honoree = next(r for r in rows if r["阶段"] == "表彰获奖")
    assert honoree["类别"] == "个人" and honoree["姓名或班组名称"] == "李玉柱"
    assert honoree["来源通知"].startswith("关于表彰2017-2018年度") and honoree["发文机关"] == "工业和信息化部"
    assert honoree["文号"] == "工信部信管〔2019〕3号"
    # Plain values: pandas, R and Datasette read what is written (no ="…" wrappers).
    assert honoree["发布日期"] == "2019-01-15" and honoree["评选年度"] == "2017-2018"
    assert re.fullmatch(r"[0-9a-f]{12}", honoree["编号"])
    candidate = next(r for r in rows if r["阶段"] == "候选人公示")
    assert candidate["出生年月"] == "1989-11-08"


def test_exports_follow_the_search_filters(mixed):
    page = mixed.get("/search?q=北京&stage=honorees&kind=individual").get_data(as_text=True)
    link = re.search(r'href="(/export/search\.csv\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "stage=honorees" in link and "kind=individual" in link
    rows = _csv(mixed.get(link))
    assert rows and {(r["阶段"], r["类别"]) for r in rows} == {("表彰获奖", "个人")}
    data = mixed.get(link.replace(".csv", ".json")).get_json()
    assert {(e["stage"], e["kind"]) for e in data} == {("honorees", "individual")}
    api = mixed.get("/api/honorees/" + data[0]["id"]).get_json()
    assert {k: data[0][k] for k in ("id", "name", "unit", "cycle")} == \
        {k: api[k] for k in ("id", "name", "unit", "cycle")}


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
    """What is cited is this archive's record ([DB/OL], the archive its responsible
    party); the notice is named in it and cited on its own; a person by work unit."""
    import datetime
    import json
    client = _app(seeded_copy.home, BASE_URL="https://honors.example.org").test_client()
    hit = client.get("/api/search?q=李玉柱").get_json()["results"][0]
    url = f"https://honors.example.org/honorees/{hit['id']}"
    today = datetime.date.today().isoformat()
    entry = seeded_copy.db["entries"].get(hit["id"])
    updated = entry["updated_at"][:10]
    cite = client.get(f"/api/honorees/{hit['id']}").get_json()["cite"]
    unit = "中国联合网络通信有限公司北京市分公司重要通信局"
    assert cite["plain"].startswith(f"李玉柱（{unit}），2017-2018年度全国用户满意电信服务明星候选人。")
    assert cite["gbt7714"] == (
        f"全国用户满意电信服务明星档案. 李玉柱（{unit}）：2017-2018年度全国用户满意电信服务明星"
        f"候选人[DB/OL]. ({updated})[{today}]. {url}.")
    # The notice gives no address of its own: its access path is its copy here.
    assert cite["gbt7714_notice"] == (
        "北京市通信管理局. “全国用户满意电信服务明星”“全国用户满意电信服务明星班组”候选人名单公示"
        f"[EB/OL]. (2018-10-24)[{today}]. https://honors.example.org/notices/{entry['notice_id']}.")
    assert "：李玉柱[" not in cite["gbt7714"] + cite["gbt7714_notice"]
    assert cite["bibtex"].startswith(f"@misc{{honors-{hit['id']},")
    assert "author = {{全国用户满意电信服务明星档案}}" in cite["bibtex"]
    assert f"urldate = {{{today}}}" in cite["bibtex"] and f"url = {{{url}}}" in cite["bibtex"]
    assert "note = {来源：北京市通信管理局《" in cite["bibtex"]
    csl = cite["csl"]
    assert csl["type"] == "dataset" and csl["URL"] == url
    assert csl["author"] == [{"literal": "全国用户满意电信服务明星档案"}]
    assert csl["title"] == f"李玉柱（{unit}）：2017-2018年度全国用户满意电信服务明星候选人"
    assert csl["accessed"]["date-parts"][0] == [int(x) for x in today.split("-")]
    assert csl["note"].startswith("来源：北京市通信管理局《")
    page = client.get(f"/honorees/{hit['id']}").get_data(as_text=True)
    for label in ("GB/T 7714", "BibTeX", "CSL-JSON"):
        assert label in page
    assert page.count('class="copy"') >= 5
    block = re.search(r'<textarea id="cite-csl"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    import html
    assert json.loads(html.unescape(block))["URL"] == url


@pytest.mark.parametrize("args, expected", [
    # The examples GB/T 7714-2015 itself gives for electronic resources.
    ((["中国互联网络信息中心"], "中国互联网络发展状况统计报告", "R/OL",
      "http://www.cnnic.net.cn/hlwfzyj/hlwxzbg/201201/P020120709345264469680.pdf",
      "2013-03-26", "2012-01-16"),
     "中国互联网络信息中心. 中国互联网络发展状况统计报告[R/OL]. (2012-01-16)[2013-03-26]. "
     "http://www.cnnic.net.cn/hlwfzyj/hlwxzbg/201201/P020120709345264469680.pdf."),
    ((["萧钰"], "出版业信息化迈入快车道", "EB/OL",
      "http://www.creader.com/news/20011219/200112190019.html", "2002-04-15", "2001-12-19"),
     "萧钰. 出版业信息化迈入快车道[EB/OL]. (2001-12-19)[2002-04-15]. "
     "http://www.creader.com/news/20011219/200112190019.html."),
    ((["Online Computer Library Center, Inc"], "About OCLC: history of cooperation", "EB/OL",
      "http://www.oclc.org/about/cooperation.en.htm", "2000-01-08"),
     "Online Computer Library Center, Inc. About OCLC: history of cooperation[EB/OL]. "
     "[2000-01-08]. http://www.oclc.org/about/cooperation.en.htm."),
])
def test_gbt7714_reproduces_the_standards_own_examples(args, expected):
    from archive.exports import gbt7714
    assert gbt7714(*args) == expected


def test_gbt7714_with_place_publisher_and_year():
    from archive.exports import gbt7714
    assert gbt7714(["Scitor Corporation"], "Project scheduler", "CP/DK",
                   place="Sunnyvale, Calif.", publisher="Scitor Corporation", year="c1983") == \
        "Scitor Corporation. Project scheduler[CP/DK]. Sunnyvale, Calif.: Scitor Corporation, c1983."


# -- downloads that open cleanly in pandas, R, Excel and Datasette ------------------

def test_one_vocabulary_per_language_in_every_file(mixed):
    """Chinese files: Chinese headers and Chinese values, one word for each code; English
    files: keys and codes."""
    stages_zh = {"候选人公示", "表彰获奖"}
    entries = _csv(mixed.get("/data/honorees.csv"))
    assert {r["阶段"] for r in entries} == stages_zh and {r["类别"] for r in entries} <= {"个人", "班组"}
    notices = _csv(mixed.get("/data/notices.csv"))
    assert {r["阶段"] for r in notices} == stages_zh
    assert list(notices[0])[:3] == ["编号", "标题", "发文机关"]
    english = _csv(mixed.get("/data/notices-en.csv"))
    assert {r["stage"] for r in english} == {"candidates", "honorees"}
    assert {r["stage"] for r in _csv(mixed.get("/data/honorees-en.csv"))} == \
        {"candidates", "honorees"}


def test_rows_come_in_cycle_notice_and_list_order(seeded_copy, data_dir):
    seeded_copy.imports.import_paths([data_dir / "hubei-2019-2020-honorees.json"])
    client = make_app(seeded_copy.home).test_client()
    rows = _csv(client.get("/data/honorees-en.csv"))
    order = [(r["cycle"], r["notice_id"]) for r in rows]
    assert order == sorted(order) and len({c for c, _ in order}) == 2
    seed = [r["name"] for r in rows if r["cycle"] == "2017-2018"]
    assert seed == ["李玉柱", "集中处理专席", "张娜", "客户服务部投诉处理中心", "刘鑫鑫"]


def test_xlsx_download_has_typed_columns_a_frozen_header_and_column_notes(mixed, tmp_path):
    from openpyxl import load_workbook
    response = mixed.get("/data/honorees.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    path = tmp_path / "honorees.xlsx"
    path.write_bytes(response.data)
    book = load_workbook(path)
    sheet, notes = book.worksheets
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["编号", "来源通知编号", "类别"]
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    honoree = next(r for r in rows if r["阶段"] == "表彰获奖" and r["姓名或班组名称"] == "李玉柱")
    import datetime
    assert honoree["发布日期"] == datetime.datetime(2019, 1, 15)  # a date, not text
    assert isinstance(honoree["编号"], str) and sheet["A2"].data_type == "s"
    assert sheet["A2"].number_format == "@"  # typed as text: 0123e4 stays 0123e4
    described = {row[1].value: row[3].value for row in notes.iter_rows(min_row=2)}
    assert "文本" in described["id"] and described.keys() >= {"id", "published", "citation"}
    path.write_bytes(mixed.get("/data/notices.xlsx").data)
    notices = load_workbook(path).worksheets[0]
    header = [c.value for c in notices[1]]
    counts = [row[header.index("记录数")].value for row in notices.iter_rows(min_row=2)]
    assert counts and all(isinstance(n, int) for n in counts)  # numbers, not text


def test_datapackage_describes_every_csv_and_validates_with_frictionless(mixed, tmp_path):
    """datapackage.json and the four CSVs it names, downloaded side by side, pass the
    frictionless validator; ids are strings, so a reader that follows it keeps 0123e4."""
    import json
    from frictionless import Package, validate
    package = mixed.get("/data/datapackage.json").get_json()
    assert {r["path"] for r in package["resources"]} == {
        "honorees.csv", "honorees-en.csv", "notices.csv", "notices-en.csv"}
    for resource in package["resources"]:
        (tmp_path / resource["path"]).write_bytes(mixed.get("/data/" + resource["path"]).data)
        fields = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
        assert fields.get("id", fields.get("编号")) == "string"
    assert package["licenses"][0]["name"] == "CC BY 4.0"
    # Each honorees file names its notice in the notices file of the same headers.
    keys = {r["name"]: r["schema"].get("foreignKeys") for r in package["resources"]}
    assert keys["honorees-en"] == [{"fields": ["notice_id"],
                                    "reference": {"resource": "notices-en", "fields": ["id"]}}]
    assert keys["honorees"] == [{"fields": ["来源通知编号"],
                                 "reference": {"resource": "notices", "fields": ["编号"]}}]
    (tmp_path / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False), "utf-8")
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    rows = Package(str(tmp_path / "datapackage.json")).get_resource("honorees-en").read_rows()
    assert rows and all(isinstance(r["id"], str) for r in rows)
    assert {r["published"].isoformat() for r in rows} >= {"2019-01-15"}


def test_numbers_and_dates_are_not_neutralised_but_formulas_are():
    from archive.exports import safe_cell
    assert [safe_cell(v) for v in ("-5", "+86", "2019-01-15", "-1+2", "=1+1", "@SUM(A1)")] == \
        ["-5", "+86", "2019-01-15", "'-1+2", "'=1+1", "'@SUM(A1)"]


def test_a_search_export_streams_every_hit_however_many(generated_client, monkeypatch):
    """A search export holds every entry the search finds: nothing stops it at a fixed
    number (the cap it once had, EXPORT_LIMIT = 10000, is made small here to show it)."""
    import csv
    import io
    from archive.web import public
    monkeypatch.setattr(public, "EXPORT_LIMIT", 5, raising=False)
    found = generated_client.get("/api/search?q=中国&per_page=1").get_json()
    rows = list(csv.DictReader(io.StringIO(
        generated_client.get("/export/search.csv?q=中国").get_data(as_text=True).lstrip("\ufeff"))))
    assert found["entries"] > 5 and len(rows) == found["entries"]
