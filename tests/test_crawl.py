"""For crawlers (archive/web/crawl.py): robots.txt and the sitemaps, valid against the
sitemaps.org 0.9 protocol (tests/data/schemas/sitemaps-0.9.xsd)."""

from urllib.parse import urlparse

import pytest
from lxml import etree

from conftest import DATA, make_app

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SCHEMA = etree.XMLSchema(etree.parse(str(DATA / "schemas" / "sitemaps-0.9.xsd")))


@pytest.fixture
def crawler(seeded_copy):
    seeded_copy.imports.import_paths([DATA / "beijing-2017-2018-honorees.csv"])
    return make_app(seeded_copy.home, BASE_URL="https://honors.example.org").test_client()


def _valid(response):
    assert response.status_code == 200 and response.mimetype == "application/xml"
    doc = etree.fromstring(response.data)
    SCHEMA.assertValid(doc)
    return doc


def test_robots_keeps_crawlers_out_of_admin_exports_and_searches(crawler):
    r = crawler.get("/robots.txt")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    lines = r.get_data(as_text=True).splitlines()
    for path in ("/admin/", "/export/", "/search", "/api/search", "/data/"):
        assert f"Disallow: {path}" in lines, path
    assert "Sitemap: https://honors.example.org/sitemap.xml" in lines


def test_the_sitemap_index_lists_a_sitemap_per_kind_and_each_lists_its_pages(seeded_copy,
                                                                           crawler):
    index = _valid(crawler.get("/sitemap.xml", headers={"Host": "evil.example"}))
    locs = [e.text for e in index.findall("sm:sitemap/sm:loc", NS)]
    assert locs == [f"https://honors.example.org/sitemaps/{kind}-1.xml"
                    for kind in ("honorees", "people", "notices", "cycles")]
    db = seeded_copy.db
    expected = {
        "honorees": {f"/honorees/{r['id']}" for r in db.query("select id from entries")},
        "people": {f"/people/{r['k']}" for r in db.query(
            "select distinct person_key as k from entries")},
        "notices": {f"/notices/{r['id']}" for r in db.query("select id from notices")},
        "cycles": {f"/cycles/{r['c']}" for r in db.query(
            "select distinct cycle as c from entries")},
    }
    for loc in locs:
        path = urlparse(loc).path
        doc = _valid(crawler.get(path))
        kind = path.split("/")[-1].rsplit("-", 1)[0]
        urls = doc.findall("sm:url", NS)
        assert {urlparse(u.find("sm:loc", NS).text).path for u in urls} == expected[kind]
        assert all(u.find("sm:lastmod", NS).text[:2] == "20" for u in urls)
        for u in urls[:3]:  # every URL listed answers
            assert crawler.get(urlparse(u.find("sm:loc", NS).text).path).status_code == 200


def test_a_kind_with_more_pages_than_a_file_holds_gets_several_files(crawler, monkeypatch):
    from archive.services.records import Records
    monkeypatch.setattr(Records, "SITEMAP_SIZE", 3)
    index = _valid(crawler.get("/sitemap.xml"))
    honorees = [e.text for e in index.findall("sm:sitemap/sm:loc", NS) if "honorees" in e.text]
    assert len(honorees) == 3  # 8 entries, 3 a file
    listed = []
    for loc in honorees:
        doc = _valid(crawler.get(urlparse(loc).path))
        listed += [u.text for u in doc.findall("sm:url/sm:loc", NS)]
    assert len(listed) == len(set(listed)) == 8
    assert crawler.get("/sitemaps/honorees-4.xml").status_code == 404
    assert crawler.get("/sitemaps/secrets-1.xml").status_code == 404
