"""Structured data and sharing (archive/web/structured.py), read back with extruct the
way search engines and link previews read them."""

import re
import extruct

from conftest import DATA, make_app

BASE = "https://honors.example.org"


def _read(client, path):
    html = client.get(path).get_data(as_text=True)
    return extruct.extract(html, base_url=BASE + path, syntaxes=["json-ld", "opengraph"],
                           uniform=True)


def _client(seeded_copy):
    seeded_copy.imports.import_paths([DATA / "beijing-2017-2018-honorees.csv"])
    return make_app(seeded_copy.home, BASE_URL=BASE).test_client()


def test_an_honoree_is_a_person_with_award_employer_and_the_notice(seeded_copy):
    client = _client(seeded_copy)
    entry = next(seeded_copy.db.query(
        "select id, notice_id from entries where name = '李玉柱' and stage = 'candidates'"))
    data = _read(client, f"/honorees/{entry['id']}")
    [person] = data["json-ld"]
    assert person["@type"] == "Person" and person["name"] == "李玉柱"
    assert person["url"] == f"{BASE}/honorees/{entry['id']}"
    # A candidate has received no award: the page says what they are, as a description.
    assert "award" not in person
    assert person["description"] == "2017-2018年度全国用户满意电信服务明星候选人"
    assert person["worksFor"] == {"@type": "Organization",
                                  "name": "中国联合网络通信有限公司北京市分公司重要通信局"}
    notice = person["subjectOf"]
    assert notice["@type"] == "Report" and notice["url"] == f"{BASE}/notices/{entry['notice_id']}"
    assert notice["publisher"] == {"@type": "GovernmentOrganization", "name": "北京市通信管理局"}
    assert notice["datePublished"] == "2018-10-24"
    [og] = data["opengraph"]
    assert og["og:title"].startswith("李玉柱（2017-2018年度")
    assert og["og:url"] == f"{BASE}/honorees/{entry['id']}"
    assert og["og:site_name"] == "全国用户满意电信服务明星档案"
    assert og["og:description"].startswith("李玉柱同志自2012年进入公司以来")  # the citation
    assert re.fullmatch(rf"{BASE}/static/share\.png\?v=[0-9a-f]{{12}}", og["og:image"])
    with client.get("/static/share.png") as image:
        assert image.status_code == 200 and image.data.startswith(b"\x89PNG")


def test_a_team_is_an_organization_within_its_company(seeded_copy):
    client = _client(seeded_copy)
    team = next(seeded_copy.db.query("select id from entries where name = '集中处理专席'"))
    [org] = _read(client, f"/honorees/{team['id']}")["json-ld"]
    assert org["@type"] == "Organization" and org["name"] == "集中处理专席"
    assert org["parentOrganization"] == {"@type": "Organization", "name": "中国联通北京分公司"}
    assert "award" not in org and org["description"].endswith("全国用户满意电信服务明星班组候选人")


def test_a_notice_is_a_report_of_a_government_body_with_its_number(seeded_copy):
    client = _client(seeded_copy)
    notice = next(seeded_copy.db.query("select id from notices where doc_number is not null"))
    [report] = _read(client, f"/notices/{notice['id']}")["json-ld"]
    assert report["@type"] == "Report" and report["identifier"] == "工信部信管〔2019〕3号"
    assert report["publisher"] == {"@type": "GovernmentOrganization", "name": "工业和信息化部"}
    assert report["datePublished"] == "2019-01-15"


def test_the_data_page_is_a_dataset_with_its_downloads(seeded_copy):
    client = _client(seeded_copy)
    seeded_copy.publishing.publish()
    data = _read(client, "/data")
    [dataset] = data["json-ld"]
    assert dataset["@type"] == "Dataset" and dataset["license"].startswith("https://creativecommons")
    assert dataset["creator"]["name"] == "全国用户满意电信服务明星档案"
    formats = {d["encodingFormat"] for d in dataset["distribution"]}
    assert {"text/csv", "application/json", "application/vnd.sqlite3"} <= formats
    for download in dataset["distribution"]:
        assert download["contentUrl"].startswith(BASE + "/data")
        path = download["contentUrl"][len(BASE):]
        with client.get(path) as response:
            assert response.status_code == 200, path
    sqlite = next(d for d in dataset["distribution"] if d["encodingFormat"].endswith("sqlite3"))
    assert sqlite["contentSize"] == f"{seeded_copy.publishing.path.stat().st_size} B"
    assert data["opengraph"][0]["og:title"] == "全国用户满意电信服务明星档案：下载数据"


def test_notice_text_in_structured_data_cannot_close_the_script(seeded_copy, tmp_path):
    import json
    doc = {"notice": {"title": "关于表彰</script><script>alert(1)</script>的通报（虚构测试数据）",
                      "publisher": "工业和信息化部", "published": "2021-01-15",
                      "cycle": "2019-2020", "stage": "honorees"},
           "entries": [{"kind": "个人", "name": "测试人", "company": "中国移动"}]}
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    seeded_copy.imports.import_paths([path])
    entry = next(seeded_copy.db.query("select id from entries where name = '测试人'"))
    html = make_app(seeded_copy.home).test_client().get(f"/honorees/{entry['id']}").get_data(
        as_text=True)
    assert "</script><script>alert(1)" not in html


def test_a_persons_timeline_names_every_award_and_notice(seeded_copy):
    client = _client(seeded_copy)
    key = next(seeded_copy.db.query("select person_key from entries where name = '李玉柱' "
                                     "limit 1"))["person_key"]
    [person] = _read(client, f"/people/{key}")["json-ld"]
    assert person["@type"] == "Person" and person["url"] == f"{BASE}/people/{key}"
    # Only what the notices award: the candidacy is said, never claimed as an award.
    assert person["award"] == ["2017-2018年度全国用户满意电信服务明星"]
    assert person["description"] == "2017-2018年度全国用户满意电信服务明星候选人；" \
        "2017-2018年度全国用户满意电信服务明星获表彰"
    assert [r["publisher"]["name"] for r in person["subjectOf"]] == ["北京市通信管理局",
                                                                    "工业和信息化部"]
