"""The store (archive/db/store.py): readers and a writer at once, and text that never
reaches it (control, bidi and format characters)."""

import re
import sqlite3

from archive.archive import Archive
from archive.ingest import parse_bytes

import notice_files as nf


META = {"title": nf.TITLE, "publisher": "工业和信息化部", "published": "2023-05-18"}


def test_readers_do_not_block_on_a_writer(archive):
    writer = sqlite3.connect(archive.db_path, isolation_level=None, timeout=1)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("delete from entries")
    try:
        assert archive.db["entries"].count == 5  # WAL: the reader sees the last commit
        assert archive.records.search("李玉柱")["total"] == 1
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_control_characters_never_reach_the_store_and_the_feed_stays_xml(client, app, tmp_path,
                                                                        runner):
    import json
    import xml.etree.ElementTree as ET
    from conftest import DATA
    doc = json.loads((DATA / "hubei-2019-2020-honorees.json").read_text("utf-8"))
    doc["notice"]["title"] += "\u0000\u001b[31m"
    hostile = ["<script>alert(1)</script>\u0001", "A&B ]]> \u0085\ufffe", "王\u0000五\u001b"]
    for entry, name in zip(doc["entries"], hostile):
        entry["name"] = name
        entry["citation"] = "第一段\u0007。\n第二段\u000b。"
    doc["entries"].append({**doc["entries"][0], "name": hostile[2]})
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(doc, ensure_ascii=True), "utf-8")
    out = runner("import", path)
    assert out.exit_code == 0, out.output
    a = Archive(app.config["ARCHIVE_HOME"])
    rows = list(a.db.query("select name, citation from entries where cycle = '2019-2020'"))
    title = a.db.execute("select title from notices where title like '%湖北%'").fetchone()[0]
    a.close()
    stored = "".join(f"{r['name']}{r['citation']}" for r in rows) + title
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]", stored)
    assert {r["name"] for r in rows} >= {"<script>alert(1)</script>", "A&B ]]>", "王五"}
    assert all(r["citation"] == "第一段。\n第二段。" for r in rows)
    feed = client.get("/feed.atom")
    assert feed.status_code == 200
    root = ET.fromstring(feed.data)  # well-formed, whatever the names held
    titles = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("<script>alert(1)</script>" in (t or "") for t in titles)


def test_bidi_and_format_characters_are_stripped_from_names_and_units():
    rows = [["序号", "姓名", "单位"],
            ["1", "张\u202e三\u200e", "中国电信\u2060股份有限公司\ufeff九江分公司"]]
    [entry] = parse_bytes(nf.sheet(rows, nf.LIST1), "名单.xlsx", META).entries
    assert (entry["name"], entry["unit"]) == ("张三", "中国电信股份有限公司九江分公司")


def test_a_correction_cannot_bring_them_back(seeded_copy):
    entry = next(seeded_copy.db.query("select id from entries where name = '李玉柱'"))["id"]
    seeded_copy.corrections.correct(entry, {"position": "装维\u202e工程师"}, "editor")
    assert next(seeded_copy.db.query("select position from entries where id = ?",
                                     [entry]))["position"] == "装维工程师"
